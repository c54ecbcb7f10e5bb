-- Other departments and employees, for the hidden checks that CI runs: the
-- learner never sees them, so only queries that compute their answers pass.
-- The same traps as seed.sql: Nia has no department and earns the most; Audit
-- and Zoning have no employees and their ids are not in name order; Hal earns
-- exactly the Finance average; Ian is alone in Ops; the Quality average,
-- 3366.666..., needs rounding; Amy and Eve earn the same in Design, Eve's id
-- first.
INSERT INTO departments (id, name) VALUES
  (1, 'Design'),
  (2, 'Finance'),
  (3, 'Zoning'),
  (4, 'Ops'),
  (5, 'Quality'),
  (6, 'Audit');

INSERT INTO employees (id, name, department_id, salary, hired_on) VALUES
  (1,  'Ben', 1,     4000.00, '2020-02-03'),
  (2,  'Eve', 1,     7000.00, '2019-05-06'),
  (3,  'Cal', 1,     6000.00, '2021-07-08'),
  (4,  'Fay', 2,     5000.00, '2018-09-10'),
  (5,  'Amy', 1,     7000.00, '2022-11-12'),
  (6,  'Gil', 2,     3000.00, '2023-01-13'),
  (7,  'Hal', 2,     4000.00, '2020-03-14'),
  (8,  'Ian', 4,     3300.00, '2024-04-15'),
  (9,  'Jo',  5,     4000.00, '2017-06-16'),
  (10, 'Kit', 5,     3000.00, '2021-08-17'),
  (11, 'Lee', 5,     3100.00, '2022-10-18'),
  (12, 'Nia', NULL, 15000.00, '2025-12-19');
