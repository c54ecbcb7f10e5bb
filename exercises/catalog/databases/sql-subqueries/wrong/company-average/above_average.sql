-- Compares every salary with the company-wide average, not the department's.
SELECT e.name,
       d.name                                             AS department,
       e.salary,
       round((SELECT avg(salary) FROM employees), 2)      AS department_avg
FROM employees AS e
JOIN departments AS d ON d.id = e.department_id
WHERE e.salary > (SELECT avg(salary) FROM employees)
ORDER BY department, e.salary DESC, e.name;
