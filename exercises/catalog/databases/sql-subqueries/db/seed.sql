-- The traps:
--   * Max has no department (department_id NULL): NOT IN (SELECT
--     department_id FROM employees) is then never true, and lists no empty
--     department at all; Max also earns the most, so comparing with the
--     company-wide average instead of the department's changes the answer;
--   * Legal and Research have no employees; their ids are not in name order;
--   * Gus earns exactly the Sales average (5000.00): "more than" leaves him out;
--   * Ivy is alone in Support: she earns exactly her department's average;
--   * Marketing's average, 4566.666..., needs rounding (4566.67);
--   * Cleo and Eli earn the same in Engineering; Eli's id comes first.
INSERT INTO departments (id, name) VALUES
  (1, 'Engineering'),
  (2, 'Sales'),
  (3, 'Support'),
  (4, 'Marketing'),
  (5, 'Research'),
  (6, 'Legal');

INSERT INTO employees (id, name, department_id, salary, hired_on) VALUES
  (1,  'Ada',  1,     9000.00, '2019-03-01'),
  (2,  'Bob',  1,     7000.00, '2020-06-15'),
  (3,  'Eli',  1,     8000.00, '2021-01-04'),
  (4,  'Dev',  1,     6000.00, '2023-09-18'),
  (5,  'Cleo', 1,     8000.00, '2022-02-01'),
  (6,  'Finn', 2,     4000.00, '2021-05-10'),
  (7,  'Gus',  2,     5000.00, '2018-11-12'),
  (8,  'Hana', 2,     6000.00, '2017-07-07'),
  (9,  'Ivy',  3,     3500.00, '2022-08-22'),
  (10, 'Jon',  4,     5000.00, '2020-04-01'),
  (11, 'Kim',  4,     4500.00, '2021-10-11'),
  (12, 'Lou',  4,     4200.00, '2024-01-08'),
  (13, 'Max',  NULL, 12000.00, '2025-12-01');
