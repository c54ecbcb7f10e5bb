-- The customers the learner saw, typed in one by one instead of taken from
-- the orders: right on that data, wrong on any other.
CREATE TABLE customers (
  id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name  text NOT NULL,
  email text NOT NULL UNIQUE
);

INSERT INTO customers (name, email) VALUES
  ('Ada Lovelace', 'ada@example.com'),
  ('Alan Turing',  'alan@example.com'),
  ('Grace Hopper', 'grace@example.com'),
  ('Sam Lee',      'sam.lee@example.com'),
  ('Sam Lee',      'samlee84@example.net');

ALTER TABLE orders ADD COLUMN customer_id integer REFERENCES customers (id);

UPDATE orders AS o
SET customer_id = c.id
FROM customers AS c
WHERE c.email = o.customer_email;

ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;

ALTER TABLE orders
  DROP COLUMN customer_name,
  DROP COLUMN customer_email;
