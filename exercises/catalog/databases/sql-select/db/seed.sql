-- The traps, for the question "the 5 most expensive fantasy books in stock
-- published in 2020 or later":
--   * genre typed in every case: 'Fantasy', 'fantasy', 'FANTASY' (= 'Fantasy'
--     misses Ember and Ash and Salt Roads), and look-alikes that are not
--     fantasy: 'Science fantasy', 'Fantasy romance' (ILIKE '%fantasy%'
--     catches them);
--   * Dragons of Ice has no price yet: ORDER BY price DESC puts NULL first;
--   * The Last Lantern is sold out (stock 0);
--   * Ember and Ash came out on 2020-01-01 exactly, Old Magic on 2019-12-31;
--   * Salt Roads and A River of Stars cost the same 22.00, and their ids are
--     in the other order than their titles;
--   * The Quiet Forest is sixth: LIMIT 5 leaves it out.
INSERT INTO books (id, title, author, genre, price, stock, published) VALUES
  (1,  'The Glass Crown',        'Mira Okafor',      'Fantasy',         28.00, 5,  '2021-03-14'),
  (2,  'Salt Roads',             'Tomas Lindqvist',  'FANTASY',         22.00, 2,  '2023-06-01'),
  (3,  'The Last Lantern',       'Ines Carvalho',    'Fantasy',         35.00, 0,  '2022-09-20'),
  (4,  'Old Magic',              'Peter Hale',       'Fantasy',         30.00, 3,  '2019-12-31'),
  (5,  'Ember and Ash',          'Yuki Tanaka',      'fantasy',         24.50, 7,  '2020-01-01'),
  (6,  'Dragons of Ice',         'Mira Okafor',      'Fantasy',          NULL, 4,  '2024-02-11'),
  (7,  'Starfall Protocol',      'Dana Whitfield',   'Science fantasy', 26.00, 6,  '2022-05-05'),
  (8,  'A River of Stars',       'Leila Haddad',     'Fantasy',         22.00, 1,  '2022-11-30'),
  (9,  'Moonwell',               'Tomas Lindqvist',  'Fantasy',         19.99, 9,  '2024-07-19'),
  (10, 'The Quiet Forest',       'Ines Carvalho',    'Fantasy',         18.00, 4,  '2021-01-15'),
  (11, 'Kiss of the Fae King',   'Rosa Bell',        'Fantasy romance', 23.00, 8,  '2023-02-14'),
  (12, 'The Slow Kitchen',       'Anna Moretti',     'Cooking',         45.00, 3,  '2022-04-02'),
  (13, 'Learning SQL',           'Sam Rivera',       'Computing',       39.90, 12, '2021-08-08'),
  (14, 'Untitled Draft',         'Peter Hale',       NULL,              50.00, 1,  '2025-01-10'),
  (15, 'Winter Tales',           'Yuki Tanaka',      'Fantasy',         12.50, 2,  '2020-10-10'),
  (16, 'The Cartographer''s Son', 'Leila Haddad',    'fantasy',         16.75, 0,  '2023-03-03');
