-- An index on user_id alone finds the user's 200 events, but PostgreSQL
-- must then fetch them all, drop the old ones and sort the rest.
CREATE INDEX ON events (user_id);
CREATE INDEX ON users (lower(email));
