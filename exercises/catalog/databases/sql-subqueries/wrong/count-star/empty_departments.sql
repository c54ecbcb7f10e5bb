-- After a LEFT JOIN, count(*) is 1 for an empty department (its row of NULLs).
SELECT d.name
FROM departments AS d
LEFT JOIN employees AS e ON e.department_id = d.id
GROUP BY d.id, d.name
HAVING count(*) = 0
ORDER BY d.name;
