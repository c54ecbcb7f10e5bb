CREATE TABLE users (
  id       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text UNIQUE NOT NULL,
  password text NOT NULL
);
-- Stored as typed: the starter's mistake, which the learner's migration undoes.
INSERT INTO users (username, password) VALUES
  ('alice', 'wonderland'),
  ('bob', 'b@ker''s d0zen'),
  ('carol', 'correct horse battery staple'),
  ('dora', 'pässwört-ünïcode');
