-- Filters rated books in WHERE, before grouping: unrated books vanish from the counts.
SELECT author,
       count(*)             AS books,
       count(stars)         AS rated,
       round(avg(stars), 2) AS avg_stars
FROM books
WHERE stars IS NOT NULL
GROUP BY author
HAVING count(*) >= 2
ORDER BY avg_stars DESC NULLS LAST, author;
