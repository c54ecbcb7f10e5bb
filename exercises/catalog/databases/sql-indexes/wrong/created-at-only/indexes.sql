-- An index on created_at alone walks every user's events, newest first,
-- and throws away those of other users until it has 20.
CREATE INDEX ON events (created_at);
CREATE INDEX ON users (lower(email));
