-- The feed filters on user_id with = and on created_at with a range, and
-- sorts by created_at: equality column first, then the range and order
-- column. PostgreSQL walks the index backwards from the newest event of
-- user 42 and stops after 20 rows, with no sort.
CREATE INDEX events_user_id_created_at_idx ON events (user_id, created_at);

-- The login lookup compares lower(email), so the index must hold
-- lower(email): an index on email itself cannot answer it.
CREATE INDEX users_lower_email_idx ON users (lower(email));
