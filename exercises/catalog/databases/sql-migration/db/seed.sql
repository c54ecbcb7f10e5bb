-- The traps:
--   * emails in mixed case (Bob, Eve) and with spaces around them (Cleo);
--   * Dan signed up twice (users 4 and 6, the same email in another case),
--     and both accounts have orders: the migration must move user 6's
--     orders to user 4 before deleting user 6 (deleting them loses data;
--     not moving them breaks the foreign key);
--   * totals typed by hand: '7.5', '20', ' 18.00 ' and '1,299.00' (a
--     thousands separator: a plain cast fails, and removing every non-digit
--     also removes the decimal point);
--   * order 5 is a guest checkout (user_id NULL), which must stay allowed.
INSERT INTO users (id, email, name) VALUES
  (1, 'ada@example.com',         'Ada Lovelace'),
  (2, 'Bob.Smith@Example.com',   'Bob Smith'),
  (3, '  cleo@example.com ',     'Cleo Park'),
  (4, 'dan@example.com',         'Dan Brooks'),
  (5, 'EVE@EXAMPLE.COM',         'Eve Adams'),
  (6, 'Dan@Example.com',         'Daniel Brooks'),
  (7, 'finn@example.com',        'Finn Olsen');

INSERT INTO orders (id, user_id, total, placed_at) VALUES
  (1, 1,    '12.50',    '2026-01-05 09:15:00+00'),
  (2, 2,    '7.5',      '2026-01-05 11:40:00+00'),
  (3, 4,    '1,299.00', '2026-01-06 10:00:00+00'),
  (4, 6,    '20',       '2026-01-07 16:05:00+00'),
  (5, NULL, '3.99',     '2026-01-08 08:30:00+00'),
  (6, 6,    '45.10',    '2026-01-08 19:45:00+00'),
  (7, 5,    ' 18.00 ',  '2026-01-09 12:00:00+00'),
  (8, 7,    '0.99',     '2026-01-10 14:20:00+00'),
  (9, 3,    '250.00',   '2026-01-11 10:10:00+00');
