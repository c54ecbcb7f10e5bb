-- The bookshop database of sql-aggregates.
CREATE TABLE books (
  id     integer PRIMARY KEY,
  title  text NOT NULL,
  author text NOT NULL,
  stars  smallint CHECK (stars BETWEEN 1 AND 5),  -- the staff's rating; NULL: not rated yet
  price  numeric(6,2) NOT NULL CHECK (price > 0)
);
