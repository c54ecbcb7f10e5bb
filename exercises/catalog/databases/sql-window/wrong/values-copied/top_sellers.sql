-- The expected rows copied from failure messages, not computed.
SELECT *
FROM (VALUES
  ('Books', 'A River of Stars',     50, 1),
  ('Books', 'Ember and Ash',        50, 1),
  ('Books', 'Moonwell',             40, 3),
  ('Games', 'Catan',                70, 1),
  ('Games', 'Azul',                 60, 2),
  ('Games', 'Carcassonne',          55, 3),
  ('Games', 'Patchwork',            55, 3),
  ('Music', 'Blue Train (vinyl)',   20, 1),
  ('Music', 'Kind of Blue (vinyl)',  5, 2)
) AS t (category, product, units, sales_rank);
