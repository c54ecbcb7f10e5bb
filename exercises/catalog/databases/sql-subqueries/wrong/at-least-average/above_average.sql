-- ">=" keeps people who earn exactly the average, like someone alone in a department.
SELECT e.name,
       d.name AS department,
       e.salary,
       round((SELECT avg(x.salary) FROM employees AS x
              WHERE x.department_id = e.department_id), 2) AS department_avg
FROM employees AS e
JOIN departments AS d ON d.id = e.department_id
WHERE e.salary >= (SELECT avg(x.salary) FROM employees AS x
                   WHERE x.department_id = e.department_id)
ORDER BY department, e.salary DESC, e.name;
