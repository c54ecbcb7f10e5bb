-- Ten orders by five customers. Two different customers are both called
-- Sam Lee (grouping by name merges them); Ada ordered three times and Grace
-- only once. An email identifies a customer; a name does not.
INSERT INTO orders (id, customer_name, customer_email, product, amount, ordered_at) VALUES
  (1,  'Ada Lovelace',  'ada@example.com',      'Notebook',     12.50, '2026-01-05 09:15:00+00'),
  (2,  'Sam Lee',       'sam.lee@example.com',  'Pen set',       8.90, '2026-01-05 11:40:00+00'),
  (3,  'Ada Lovelace',  'ada@example.com',      'Desk lamp',    39.00, '2026-01-06 16:05:00+00'),
  (4,  'Sam Lee',       'samlee84@example.net', 'Backpack',     54.00, '2026-01-07 08:30:00+00'),
  (5,  'Grace Hopper',  'grace@example.com',    'Notebook',     12.50, '2026-01-07 10:00:00+00'),
  (6,  'Alan Turing',   'alan@example.com',     'Mug',           9.99, '2026-01-08 14:20:00+00'),
  (7,  'Sam Lee',       'sam.lee@example.com',  'Notebook',     12.50, '2026-01-09 09:00:00+00'),
  (8,  'Ada Lovelace',  'ada@example.com',      'Pen set',       8.90, '2026-01-10 12:45:00+00'),
  (9,  'Alan Turing',   'alan@example.com',     'Desk lamp',    39.00, '2026-01-11 17:30:00+00'),
  (10, 'Sam Lee',       'samlee84@example.net', 'Mug',           9.99, '2026-01-12 08:10:00+00');
SELECT setval(pg_get_serial_sequence('orders', 'id'), 10);
