SELECT title, price
FROM books
WHERE lower(genre) = 'fantasy'
  AND stock > 0
  AND published >= DATE '2020-01-01'
  AND price IS NOT NULL
ORDER BY price DESC, title ASC
LIMIT 5;
