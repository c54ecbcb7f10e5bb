-- Other users and orders, for the hidden checks that CI runs: the learner
-- never sees them, so only a migration that transforms whatever data is
-- there passes, not one that fixes the rows it was shown one by one. The
-- same traps as seed.sql: emails in mixed case and with spaces (Gia, Jay),
-- Hugo signed up twice (users 2 and 3) and both accounts have orders, totals
-- typed by hand ('9.9', '15', ' 30.00 ', '2,450.50'), a guest order.
INSERT INTO users (id, email, name) VALUES
  (1, ' Gia@Example.com',  'Gia Moss'),
  (2, 'hugo@example.com',  'Hugo Lane'),
  (3, 'HUGO@example.com ', 'Hugo L.'),
  (4, 'ivy@example.com',   'Ivy Chen'),
  (5, 'Jay@Example.COM',   'Jay Diaz'),
  (6, 'kai@example.com',   'Kai West');

INSERT INTO orders (id, user_id, total, placed_at) VALUES
  (1, 3,    '2,450.50', '2026-02-02 09:00:00+00'),
  (2, 1,    '9.9',      '2026-02-02 10:30:00+00'),
  (3, NULL, '15',       '2026-02-03 11:00:00+00'),
  (4, 2,    ' 30.00 ',  '2026-02-03 15:45:00+00'),
  (5, 3,    '0.5',      '2026-02-04 08:15:00+00'),
  (6, 5,    '100',      '2026-02-05 12:00:00+00'),
  (7, 6,    '12.34',    '2026-02-06 17:20:00+00');
