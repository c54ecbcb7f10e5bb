-- Other books, for the hidden check that CI runs: the learner never sees
-- them, so only a query that applies the rules passes. The same traps as
-- seed.sql: genre in every case and look-alikes ('Science fantasy',
-- 'Fantasy romance'), a book without a price (Sky Forge), one sold out (Moth
-- Queen), one from 2020-01-01 exactly (Glass Harbor) and one from the day
-- before (Old Roads), two books at the same price whose ids are in the other
-- order than their titles (Thorn Crown and Glass Harbor), and a sixth book
-- that LIMIT 5 leaves out (Deep Lake).
INSERT INTO books (id, title, author, genre, price, stock, published) VALUES
  (1,  'Iron Orchard',    'Nora Vale',  'fantasy',         31.00, 2, '2022-02-02'),
  (2,  'Thorn Crown',     'Oren Pike',  'FANTASY',         27.50, 3, '2021-05-05'),
  (3,  'Glass Harbor',    'Pia Sand',   'Fantasy',         27.50, 1, '2020-01-01'),
  (4,  'Sky Forge',       'Quin Ash',   'Fantasy',          NULL, 5, '2023-01-01'),
  (5,  'Moth Queen',      'Rhea Stone', 'Fantasy',         40.00, 0, '2022-01-01'),
  (6,  'Old Roads',       'Saul Fenn',  'Fantasy',         33.00, 4, '2019-12-31'),
  (7,  'Mech Dreams',     'Tara Quill', 'Science fantasy', 29.00, 3, '2022-03-03'),
  (8,  'Hearts of Oak',   'Uma Reed',   'Fantasy romance', 26.00, 3, '2022-04-04'),
  (9,  'Brass Wings',     'Nora Vale',  'fantasy',         21.00, 6, '2024-01-01'),
  (10, 'Cinder Vale',     'Oren Pike',  'Fantasy',         19.00, 2, '2021-07-07'),
  (11, 'Deep Lake',       'Pia Sand',   'Fantasy',         17.00, 8, '2023-08-08'),
  (12, 'Bread and Salt',  'Vera Lind',  'Cooking',         48.00, 3, '2022-06-06'),
  (13, 'Untitled Sequel', 'Quin Ash',   NULL,              55.00, 1, '2025-02-02');
