-- The activity database of sql-indexes: 20,000 users and 200,000 events,
-- enough rows that reading a whole table costs far more than an index
-- lookup, so the planner's choice shows in EXPLAIN. Every attempt starts
-- from a copy with fresh statistics (the template is ANALYZEd) and no
-- index beyond the primary keys.
CREATE TABLE users (
  id         integer PRIMARY KEY,
  email      text NOT NULL,
  name       text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    integer NOT NULL REFERENCES users (id),
  kind       text NOT NULL,
  created_at timestamptz NOT NULL,
  payload    text NOT NULL
);

-- A quarter of the emails were typed with capitals: lookups use lower(email).
INSERT INTO users (id, email, name, created_at)
SELECT i,
       CASE WHEN i % 4 = 0 THEN 'User' || i || '@Example.COM' ELSE 'user' || i || '@example.com' END,
       'User ' || i,
       timestamptz '2025-01-01 00:00:00+00' + i * interval '17 minutes'
FROM generate_series(1, 20000) AS i;

-- 200 events for each of the first 1,000 users, spread over January to
-- March 2026.
INSERT INTO events (user_id, kind, created_at, payload)
SELECT 1 + (i * 7919) % 1000,
       (ARRAY['login', 'view', 'click', 'purchase', 'logout'])[1 + i % 5],
       timestamptz '2026-01-01 00:00:00+00' + i * interval '39 seconds',
       repeat('x', 60)
FROM generate_series(1, 200000) AS i;
