-- Equal salaries come out in id order, not by name.
WITH department_avg AS (
  SELECT department_id, avg(salary) AS avg_salary
  FROM employees
  GROUP BY department_id
)
SELECT e.name, d.name AS department, e.salary, round(a.avg_salary, 2) AS department_avg
FROM employees AS e
JOIN department_avg AS a ON a.department_id = e.department_id
JOIN departments AS d ON d.id = e.department_id
WHERE e.salary > a.avg_salary
ORDER BY department, e.salary DESC, e.id;
