-- sum / count on integers is integer division: 7 / 2 is 3.
SELECT author,
       count(*)                                AS books,
       count(stars)                            AS rated,
       round(sum(stars) / count(stars), 2)     AS avg_stars
FROM books
GROUP BY author
HAVING count(*) >= 2
ORDER BY avg_stars DESC NULLS LAST, author;
