-- "At least 2" written as more than 2: authors with exactly 2 books are lost.
SELECT author,
       count(*)             AS books,
       count(stars)         AS rated,
       round(avg(stars), 2) AS avg_stars
FROM books
GROUP BY author
HAVING count(*) > 2
ORDER BY avg_stars DESC NULLS LAST, author;
