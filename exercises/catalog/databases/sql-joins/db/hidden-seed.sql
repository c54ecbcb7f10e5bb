-- Other customers and orders, for the hidden check that CI runs: the learner
-- never sees these rows, so only a query that computes its answer passes. The
-- same traps as seed.sql: a customer without orders (Kai), two customers who
-- share a name (the Liors), equal totals (Hana and Ivo: 50.00) and amounts
-- that floating point cannot add exactly (0.10 + 0.20).
INSERT INTO customers (id, name, email) VALUES
  (1, 'Ivo',  'ivo@example.com'),
  (2, 'Hana', 'hana@example.com'),
  (3, 'Jade', NULL),
  (4, 'Kai',  'kai@example.com'),
  (5, 'Lior', 'lior@example.com'),
  (6, 'Lior', 'lior.b@example.com'),
  (7, 'Mia',  'mia@example.com');

INSERT INTO orders (id, customer_id, amount, created_at) VALUES
  (1, 2, 45.55, '2026-02-02 09:00:00+00'),
  (2, 2,  4.45, '2026-02-02 10:00:00+00'),
  (3, 1, 50.00, '2026-02-03 11:00:00+00'),
  (4, 3,  0.10, '2026-02-03 12:00:00+00'),
  (5, 3,  0.20, '2026-02-04 08:00:00+00'),
  (6, 5, 12.34, '2026-02-04 09:30:00+00'),
  (7, 6,  8.00, '2026-02-05 10:15:00+00'),
  (8, 6, 12.00, '2026-02-05 11:45:00+00'),
  (9, 7, 99.99, '2026-02-06 16:00:00+00');
