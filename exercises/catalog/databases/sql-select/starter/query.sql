-- The 5 most expensive fantasy books a customer can buy today:
--   * genre is fantasy, whatever its case ('Fantasy', 'fantasy', ...);
--   * at least one copy in stock;
--   * published on 2020-01-01 or later;
--   * with a price (books without one are not for sale yet).
-- Two columns: title, price.
-- Ordered by price, highest first; equal prices by title (A to Z).
--
-- Write your query below, then run: grader check

