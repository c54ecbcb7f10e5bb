-- The library's books. Every attempt gets a fresh copy of this table, with
-- these five rows, ids 1 to 5; the next book created gets id 6.
CREATE TABLE books (
  id     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title  text    NOT NULL,
  author text    NOT NULL,
  year   integer
);

INSERT INTO books (title, author, year) VALUES
  ('The Left Hand of Darkness', 'Ursula K. Le Guin', 1969),
  ('Kindred',                   'Octavia E. Butler', 1979),
  ('A Wizard of Earthsea',      'Ursula K. Le Guin', 1968),
  ('Parable of the Sower',      'Octavia E. Butler', 1993),
  ('Beowulf',                   'Anonymous',         NULL);
