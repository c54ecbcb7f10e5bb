-- The bookshop database of sql-select.
CREATE TABLE books (
  id        integer PRIMARY KEY,
  title     text NOT NULL,
  author    text NOT NULL,
  genre     text,                                 -- typed by hand: case varies, may be missing
  price     numeric(6,2) CHECK (price > 0),       -- NULL: not priced yet, not for sale
  stock     integer NOT NULL CHECK (stock >= 0),  -- copies on the shelf
  published date NOT NULL
);
