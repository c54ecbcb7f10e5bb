-- One row per customer who placed at least one order:
--   name  - the customer's name
--   total - the sum of the amounts of that customer's orders
-- ordered by total, highest first, then by name (A to Z).
--
-- Write your query below, then run: grader check

