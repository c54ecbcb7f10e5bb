-- The right columns in the wrong order: the range column first, so the
-- index cannot jump to user 42's events.
CREATE INDEX ON events (created_at, user_id);
CREATE INDEX ON users (lower(email));
