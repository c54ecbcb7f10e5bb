-- Other orders, for the hidden checks that CI runs: the learner never sees
-- them, so only a migration that builds customers from whatever orders are
-- there passes, not one that inserts the customers it was shown. The same
-- trap as seed.sql: two different customers are both called Max Roe.
INSERT INTO orders (id, customer_name, customer_email, product, amount, ordered_at) VALUES
  (1, 'Lin Wu',  'lin@example.com',     'Stapler',  6.50, '2026-02-01 09:00:00+00'),
  (2, 'Max Roe', 'max.roe@example.com', 'Lamp',    25.00, '2026-02-01 10:00:00+00'),
  (3, 'Max Roe', 'maxroe@example.org',  'Chair',   80.00, '2026-02-02 11:00:00+00'),
  (4, 'Lin Wu',  'lin@example.com',     'Paper',    4.20, '2026-02-03 12:00:00+00'),
  (5, 'Oda Sen', 'oda@example.com',     'Stapler',  6.50, '2026-02-04 13:00:00+00'),
  (6, 'Max Roe', 'max.roe@example.com', 'Paper',    4.20, '2026-02-05 14:00:00+00');
SELECT setval(pg_get_serial_sequence('orders', 'id'), 6);
