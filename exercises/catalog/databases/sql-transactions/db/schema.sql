-- The bank of sql-transactions. Ada's account holds 100.00: the check's
-- sessions ask for 3.00 at a time, far more often than she can afford.
-- Bob's account is never touched.
CREATE TABLE accounts (
  id      integer PRIMARY KEY,
  owner   text NOT NULL,
  balance numeric(10,2) NOT NULL
);

CREATE TABLE withdrawals (
  id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id integer NOT NULL REFERENCES accounts (id),
  amount     numeric(10,2) NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO accounts (id, owner, balance) VALUES
  (1, 'Ada', 100.00),
  (2, 'Bob', 50.00);
