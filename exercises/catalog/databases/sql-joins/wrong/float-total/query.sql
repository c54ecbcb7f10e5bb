-- Money as floating point: cents drift.
SELECT c.name, sum(o.amount::double precision) AS total
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
GROUP BY c.id, c.name
ORDER BY total DESC, c.name;
