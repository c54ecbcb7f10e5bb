-- count(stars) skips NULLs: unrated books are not counted as books.
SELECT author,
       count(stars)         AS books,
       count(stars)         AS rated,
       round(avg(stars), 2) AS avg_stars
FROM books
GROUP BY author
HAVING count(stars) >= 2
ORDER BY avg_stars DESC NULLS LAST, author;
