-- The shop database of sql-joins.
CREATE TABLE customers (
  id    integer PRIMARY KEY,
  name  text NOT NULL,
  email text UNIQUE
);

CREATE TABLE orders (
  id          integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  amount      numeric(10,2) NOT NULL CHECK (amount > 0),
  created_at  timestamptz NOT NULL
);
