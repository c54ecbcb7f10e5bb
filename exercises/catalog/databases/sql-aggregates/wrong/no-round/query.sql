-- The average is not rounded: 4.3333333333333333 instead of 4.33.
SELECT author,
       count(*)     AS books,
       count(stars) AS rated,
       avg(stars)   AS avg_stars
FROM books
GROUP BY author
HAVING count(*) >= 2
ORDER BY avg_stars DESC NULLS LAST, author;
