SELECT d.name
FROM departments AS d
WHERE NOT EXISTS (
  SELECT 1 FROM employees AS e WHERE e.department_id = d.id
)
ORDER BY d.name;
