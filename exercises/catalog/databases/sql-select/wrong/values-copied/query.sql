-- The expected rows copied from failure messages, not selected: right on the
-- data the learner sees, wrong on any other.
SELECT *
FROM (VALUES
  ('The Glass Crown',  28.00),
  ('Ember and Ash',    24.50),
  ('A River of Stars', 22.00),
  ('Salt Roads',       22.00),
  ('Moonwell',         19.99)
) AS t (title, price);
