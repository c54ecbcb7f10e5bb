-- Traps of running_balance.sql:
--   * three accounts: without PARTITION BY account_id, balances run on from
--     one account into the next;
--   * several transactions on the same day (account 1 on 2026-01-05 and
--     2026-01-09, account 2 on 2026-01-06): SUM() OVER (... ORDER BY
--     booked_on) uses the default RANGE frame, which adds the whole day at
--     once and gives both transactions the same balance;
--   * ids are not in date order (id 9 and id 12 were booked late, with an
--     earlier date): ordering by id alone is wrong.
INSERT INTO transactions (id, account_id, booked_on, amount) VALUES
  (1,  1, '2026-01-05',  500.00),
  (2,  1, '2026-01-05',  -40.25),
  (3,  1, '2026-01-09', -120.00),
  (4,  2, '2026-01-05', 1000.00),
  (5,  2, '2026-01-06', -200.00),
  (6,  2, '2026-01-06', -300.00),
  (7,  3, '2026-01-07',   75.50),
  (8,  1, '2026-01-12',   60.00),
  (9,  1, '2026-01-08',  -15.75),
  (10, 2, '2026-01-10',  250.00),
  (11, 3, '2026-01-11',  -25.50),
  (12, 1, '2026-01-09',   30.00),
  (13, 3, '2026-01-13',   10.00);

-- Traps of top_sellers.sql (units are the sum of quantity over all sales):
--   * Books: Ember and Ash and A River of Stars both sold 50 (rank 1, 1),
--     Moonwell 40 is rank 3, Salt Roads 30 is rank 4: DENSE_RANK makes Salt
--     Roads rank 3, ROW_NUMBER gives the tie ranks 1 and 2;
--   * Games: Carcassonne and Patchwork tie for rank 3: ROW_NUMBER drops one;
--   * Music: Abbey Road sold nothing and is not ranked; only two records sold;
--   * a product sells in several sales rows: count(*) is not the units.
INSERT INTO products (id, name, category) VALUES
  (1,  'Ember and Ash',        'Books'),
  (2,  'A River of Stars',     'Books'),
  (3,  'Moonwell',             'Books'),
  (4,  'Salt Roads',           'Books'),
  (5,  'Catan',                'Games'),
  (6,  'Azul',                 'Games'),
  (7,  'Patchwork',            'Games'),
  (8,  'Carcassonne',          'Games'),
  (9,  'Hive',                 'Games'),
  (10, 'Kind of Blue (vinyl)', 'Music'),
  (11, 'Blue Train (vinyl)',   'Music'),
  (12, 'Abbey Road (vinyl)',   'Music');

INSERT INTO sales (id, product_id, sold_on, quantity) VALUES
  (1,  1,  '2026-02-01', 20),
  (2,  1,  '2026-02-03', 30),
  (3,  2,  '2026-02-01', 50),
  (4,  3,  '2026-02-02', 15),
  (5,  3,  '2026-02-04', 15),
  (6,  3,  '2026-02-06', 10),
  (7,  4,  '2026-02-02', 30),
  (8,  5,  '2026-02-01', 40),
  (9,  5,  '2026-02-05', 30),
  (10, 6,  '2026-02-02', 60),
  (11, 7,  '2026-02-03', 25),
  (12, 7,  '2026-02-07', 30),
  (13, 8,  '2026-02-03', 55),
  (14, 9,  '2026-02-04', 4),
  (15, 9,  '2026-02-05', 6),
  (16, 10, '2026-02-02', 2),
  (17, 10, '2026-02-06', 3),
  (18, 11, '2026-02-03', 20);
