-- The departments that have no employees:
--   name - the department's name
-- ordered by name (A to Z).
--
-- Write your query below, then run: grader check

