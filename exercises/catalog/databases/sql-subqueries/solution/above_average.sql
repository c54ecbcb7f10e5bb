WITH department_avg AS (
  SELECT department_id, avg(salary) AS avg_salary
  FROM employees
  WHERE department_id IS NOT NULL
  GROUP BY department_id
)
SELECT e.name,
       d.name                    AS department,
       e.salary,
       round(a.avg_salary, 2)    AS department_avg
FROM employees AS e
JOIN department_avg AS a ON a.department_id = e.department_id
JOIN departments AS d ON d.id = e.department_id
WHERE e.salary > a.avg_salary
ORDER BY department ASC, e.salary DESC, e.name ASC;
