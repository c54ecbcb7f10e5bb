-- The expected rows copied from failure messages, not computed: right on the
-- data the learner sees, wrong on any other.
SELECT *
FROM (VALUES
  (1, DATE '2026-01-05', 1,   500.00,  500.00),
  (1, DATE '2026-01-05', 2,   -40.25,  459.75),
  (1, DATE '2026-01-08', 9,   -15.75,  444.00),
  (1, DATE '2026-01-09', 3,  -120.00,  324.00),
  (1, DATE '2026-01-09', 12,   30.00,  354.00),
  (1, DATE '2026-01-12', 8,    60.00,  414.00),
  (2, DATE '2026-01-05', 4,  1000.00, 1000.00),
  (2, DATE '2026-01-06', 5,  -200.00,  800.00),
  (2, DATE '2026-01-06', 6,  -300.00,  500.00),
  (2, DATE '2026-01-10', 10,  250.00,  750.00),
  (3, DATE '2026-01-07', 7,    75.50,   75.50),
  (3, DATE '2026-01-11', 11,  -25.50,   50.00),
  (3, DATE '2026-01-13', 13,   10.00,   60.00)
) AS t (account_id, booked_on, id, amount, balance);
