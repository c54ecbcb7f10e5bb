-- Customers without orders (Dan, Eve), two customers who share a name
-- (two Finns: grouping by name alone merges them), equal totals (Ada, Bob and
-- Cleo all spent 120.50; the Finns 33.10 each) and amounts with cents that
-- floating point cannot add exactly (10.10 + 10.20 + 12.80).
INSERT INTO customers (id, name, email) VALUES
  (1, 'Cleo', 'cleo@example.com'),
  (2, 'Ada',  'ada@example.com'),
  (3, 'Bob',  'bob@example.com'),
  (4, 'Dan',  'dan@example.com'),
  (5, 'Eve',  NULL),
  (6, 'Finn', 'finn@example.com'),
  (7, 'Finn', 'finn.o@example.com'),
  (8, 'Gus',  'gus@example.com');

INSERT INTO orders (id, customer_id, amount, created_at) VALUES
  (1,  2, 100.25, '2026-01-05 09:15:00+00'),
  (2,  2,  20.25, '2026-01-06 10:00:00+00'),
  (3,  3, 120.50, '2026-01-06 11:30:00+00'),
  (4,  1,  60.10, '2026-01-07 12:00:00+00'),
  (5,  1,  60.40, '2026-01-08 08:45:00+00'),
  (6,  6,  33.10, '2026-01-09 17:20:00+00'),
  (7,  7,  10.10, '2026-01-10 09:00:00+00'),
  (8,  7,  10.20, '2026-01-10 09:05:00+00'),
  (9,  7,  12.80, '2026-01-10 09:10:00+00'),
  (10, 8,   0.99, '2026-01-11 13:00:00+00'),
  (11, 8, 199.01, '2026-01-12 14:00:00+00'),
  (12, 8,   0.10, '2026-01-12 14:01:00+00');
