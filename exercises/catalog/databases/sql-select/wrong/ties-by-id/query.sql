-- Equal prices come out in id order, not by title.
SELECT title, price
FROM books
WHERE lower(genre) = 'fantasy'
  AND stock > 0
  AND published >= '2020-01-01'
  AND price IS NOT NULL
ORDER BY price DESC, id
LIMIT 5;
