-- The shop database of sql-window: a bank-like ledger and a product catalogue.
CREATE TABLE transactions (
  id         integer PRIMARY KEY,
  account_id integer NOT NULL,
  booked_on  date NOT NULL,
  amount     numeric(10,2) NOT NULL CHECK (amount <> 0)  -- deposits > 0, withdrawals < 0
);

CREATE TABLE products (
  id       integer PRIMARY KEY,
  name     text NOT NULL,
  category text NOT NULL
);

CREATE TABLE sales (
  id         integer PRIMARY KEY,
  product_id integer NOT NULL REFERENCES products (id),
  sold_on    date NOT NULL,
  quantity   integer NOT NULL CHECK (quantity > 0)
);
