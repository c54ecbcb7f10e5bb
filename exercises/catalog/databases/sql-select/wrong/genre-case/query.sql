-- Compares the genre case-sensitively: 'fantasy' and 'FANTASY' are missed.
SELECT title, price
FROM books
WHERE genre = 'Fantasy'
  AND stock > 0
  AND published >= DATE '2020-01-01'
  AND price IS NOT NULL
ORDER BY price DESC, title
LIMIT 5;
