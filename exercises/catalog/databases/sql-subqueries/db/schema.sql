-- The company database of sql-subqueries.
CREATE TABLE departments (
  id   integer PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE employees (
  id            integer PRIMARY KEY,
  name          text NOT NULL,
  department_id integer REFERENCES departments (id),  -- NULL: not assigned to a department yet
  salary        numeric(10,2) NOT NULL CHECK (salary > 0),
  hired_on      date NOT NULL
);
