-- The shop database of sql-migration, as it is before the migration: no
-- rules on emails, totals stored as text, no foreign key.
CREATE TABLE users (
  id    integer PRIMARY KEY,
  email text,
  name  text NOT NULL
);

CREATE TABLE orders (
  id        integer PRIMARY KEY,
  user_id   integer,       -- NULL: a guest checkout
  total     text,          -- typed as text by mistake: '12.50', '1,299.00'
  placed_at timestamptz NOT NULL
);
