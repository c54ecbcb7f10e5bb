-- Other transactions and sales, for the hidden checks that CI runs: the
-- learner never sees them, so only queries that compute their answers pass.
-- The same traps as seed.sql.
--
-- running_balance.sql: three accounts; same-day transactions (account 10 on
-- 2026-03-02, account 20 on 2026-03-03); ids out of date order (7 and 9 were
-- booked late, with an earlier date).
INSERT INTO transactions (id, account_id, booked_on, amount) VALUES
  (1, 10, '2026-03-02', 200.00),
  (2, 10, '2026-03-02', -50.00),
  (3, 20, '2026-03-01',  80.00),
  (4, 10, '2026-03-04',  25.00),
  (5, 20, '2026-03-03', -30.00),
  (6, 20, '2026-03-03', -10.00),
  (7, 10, '2026-03-03', -75.00),
  (8, 30, '2026-03-05',  12.50),
  (9, 20, '2026-03-02',   5.00);

-- top_sellers.sql: Kite and Yo-yo tie for rank 1 in Toys, Top is rank 3 and
-- Ball rank 4 (3 under DENSE_RANK); Hammer and Plane tie for rank 3 in Tools
-- (ROW_NUMBER drops one); Hoe sold nothing and is not ranked; products sell
-- in several sales rows.
INSERT INTO products (id, name, category) VALUES
  (1,  'Kite',   'Toys'),
  (2,  'Yo-yo',  'Toys'),
  (3,  'Top',    'Toys'),
  (4,  'Ball',   'Toys'),
  (5,  'Saw',    'Tools'),
  (6,  'Drill',  'Tools'),
  (7,  'Plane',  'Tools'),
  (8,  'Hammer', 'Tools'),
  (9,  'Rake',   'Garden'),
  (10, 'Hoe',    'Garden');

INSERT INTO sales (id, product_id, sold_on, quantity) VALUES
  (1,  1, '2026-03-01', 10),
  (2,  1, '2026-03-04', 20),
  (3,  2, '2026-03-02', 30),
  (4,  3, '2026-03-02',  5),
  (5,  3, '2026-03-05', 15),
  (6,  4, '2026-03-03', 10),
  (7,  5, '2026-03-01', 50),
  (8,  6, '2026-03-02', 25),
  (9,  6, '2026-03-06', 15),
  (10, 7, '2026-03-03', 35),
  (11, 8, '2026-03-03', 20),
  (12, 8, '2026-03-07', 15),
  (13, 9, '2026-03-04',  2),
  (14, 9, '2026-03-05',  3);
