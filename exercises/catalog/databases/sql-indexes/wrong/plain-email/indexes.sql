-- An index on email cannot answer WHERE lower(email) = ...: the planner
-- reads the whole users table.
CREATE INDEX ON events (user_id, created_at);
CREATE INDEX ON users (email);
