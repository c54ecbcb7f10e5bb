-- NOT IN against a list that holds a NULL is never true: no rows at all.
SELECT name
FROM departments
WHERE id NOT IN (SELECT department_id FROM employees)
ORDER BY name;
