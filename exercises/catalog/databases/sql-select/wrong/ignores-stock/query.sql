-- Forgets that a sold-out book cannot be bought.
SELECT title, price
FROM books
WHERE lower(genre) = 'fantasy'
  AND published >= '2020-01-01'
  AND price IS NOT NULL
ORDER BY price DESC, title
LIMIT 5;
