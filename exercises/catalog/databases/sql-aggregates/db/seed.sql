-- The traps, for "authors with at least 2 books, their counts and average
-- stars":
--   * Tomas Lindqvist has 2 books but only 1 rated: count(stars) or
--     WHERE stars IS NOT NULL drops him; Peter Hale has 2 books, none rated
--     (his average is NULL, and sorts first under ORDER BY ... DESC);
--   * averages that need rounding: Mira Okafor 13/3 = 4.333..., Yuki Tanaka
--     14/3 = 4.666... (rounds up to 4.67), Dana Whitfield 7/3 = 2.333...;
--     Leila Haddad 7/2 = 3.5, which integer division makes 3;
--   * Ines Carvalho and Tomas Lindqvist both average 4.00;
--   * exactly 2 books is enough (Ines, Tomas, Peter, Leila), and authors with
--     a single book (Sam Rivera, Anna Moretti, Rosa Bell) are left out.
INSERT INTO books (id, title, author, stars, price) VALUES
  (1,  'The Glass Crown',          'Mira Okafor',     5,    28.00),
  (2,  'Salt Roads',               'Tomas Lindqvist', 4,    22.00),
  (3,  'The Last Lantern',         'Ines Carvalho',   5,    35.00),
  (4,  'Old Magic',                'Peter Hale',      NULL, 30.00),
  (5,  'Ember and Ash',            'Yuki Tanaka',     5,    24.50),
  (6,  'Dragons of Ice',           'Mira Okafor',     4,    26.00),
  (7,  'Starfall Protocol',        'Dana Whitfield',  2,    26.00),
  (8,  'A River of Stars',         'Leila Haddad',    3,    22.00),
  (9,  'Moonwell',                 'Tomas Lindqvist', NULL, 19.99),
  (10, 'The Quiet Forest',         'Ines Carvalho',   3,    18.00),
  (11, 'Kiss of the Fae King',     'Rosa Bell',       4,    23.00),
  (12, 'The Slow Kitchen',         'Anna Moretti',    NULL, 45.00),
  (13, 'Learning SQL',             'Sam Rivera',      5,    39.90),
  (14, 'Winter Tales',             'Yuki Tanaka',     5,    12.50),
  (15, 'The Cartographer''s Son',  'Leila Haddad',    4,    16.75),
  (16, 'Glass and Iron',           'Mira Okafor',     4,    21.00),
  (17, 'Paper Moons',              'Peter Hale',      NULL, 14.00),
  (18, 'Signal Lost',              'Dana Whitfield',  3,    19.50),
  (19, 'Orbit of Thorns',          'Dana Whitfield',  2,    17.25),
  (20, 'The Tidewright',           'Yuki Tanaka',     4,    27.00),
  (21, 'Northern Lights Cookbook', 'Yuki Tanaka',     NULL, 31.00);
