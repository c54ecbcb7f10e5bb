-- One customer per name: the two Sam Lees become one, with one of their
-- emails, and all four of their orders go to them.
CREATE TABLE customers (
  id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name  text NOT NULL,
  email text NOT NULL UNIQUE
);

INSERT INTO customers (name, email)
SELECT customer_name, min(customer_email)
FROM orders
GROUP BY customer_name;

ALTER TABLE orders ADD COLUMN customer_id integer REFERENCES customers (id);

UPDATE orders AS o
SET customer_id = c.id
FROM customers AS c
WHERE c.name = o.customer_name;

ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

ALTER TABLE orders
  DROP COLUMN customer_name,
  DROP COLUMN customer_email;
