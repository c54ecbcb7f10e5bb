-- Other books, for the hidden check that CI runs: the learner never sees
-- them, so only a query that groups and counts passes. The same traps as
-- seed.sql: an author with 2 books and 1 rating (Ben Cole), one with no rating
-- at all (Cara Diaz: her average is NULL), averages that need rounding (Ana
-- Ruiz 13/3, Eli Park 11/3) or that integer division spoils (Dev Shah 5/2),
-- equal averages (Ben Cole and Fei Lin: 3.00), and authors with one book.
INSERT INTO books (id, title, author, stars, price) VALUES
  (1,  'Copper Skies',       'Ana Ruiz',  5,    20.00),
  (2,  'The Long Ferry',     'Ana Ruiz',  4,    21.00),
  (3,  'Night Market',       'Ana Ruiz',  4,    22.00),
  (4,  'Stone Garden',       'Ben Cole',  3,    15.00),
  (5,  'A Map of Rain',      'Ben Cole',  NULL, 16.00),
  (6,  'Lanterns Out',       'Cara Diaz', NULL, 17.00),
  (7,  'The Pale Archive',   'Cara Diaz', NULL, 18.00),
  (8,  'Quiet Engines',      'Dev Shah',  2,    12.00),
  (9,  'Second Winter',      'Dev Shah',  3,    13.00),
  (10, 'Harbor Bells',       'Eli Park',  5,    30.00),
  (11, 'The Salt Clock',     'Eli Park',  2,    31.00),
  (12, 'Glasswork',          'Eli Park',  4,    32.00),
  (13, 'Paper Foxes',        'Fei Lin',   3,    10.00),
  (14, 'Low Tide',           'Fei Lin',   3,    11.00),
  (15, 'One Good Year',      'Gus Moe',   5,    40.00),
  (16, 'Unrated and Alone',  'Hal Roy',   NULL, 41.00);
