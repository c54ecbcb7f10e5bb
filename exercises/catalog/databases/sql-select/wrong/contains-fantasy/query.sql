-- Matches any genre containing "fantasy": science fantasy and fantasy romance sneak in.
SELECT title, price
FROM books
WHERE genre ILIKE '%fantasy%'
  AND stock > 0
  AND published >= '2020-01-01'
  AND price IS NOT NULL
ORDER BY price DESC, title
LIMIT 5;
