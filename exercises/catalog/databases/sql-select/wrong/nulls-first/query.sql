-- Forgets the books without a price: ORDER BY price DESC puts NULL first.
SELECT title, price
FROM books
WHERE lower(genre) = 'fantasy'
  AND stock > 0
  AND published >= DATE '2020-01-01'
ORDER BY price DESC, title
LIMIT 5;
