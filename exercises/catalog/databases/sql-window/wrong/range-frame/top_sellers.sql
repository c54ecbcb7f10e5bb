WITH units AS (
  SELECT p.category, p.name AS product, sum(s.quantity) AS units
  FROM products AS p
  JOIN sales AS s ON s.product_id = p.id
  GROUP BY p.id, p.category, p.name
),
ranked AS (
  SELECT category, product, units,
         rank() OVER (PARTITION BY category ORDER BY units DESC) AS sales_rank
  FROM units
)
SELECT category, product, units, sales_rank
FROM ranked
WHERE sales_rank <= 3
ORDER BY category, sales_rank, product;
