-- Counts orders instead of adding their amounts.
SELECT c.name, count(o.id) AS total
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
GROUP BY c.id, c.name
ORDER BY total DESC, c.name;
