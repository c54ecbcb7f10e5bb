CREATE TABLE users (id serial PRIMARY KEY, username text UNIQUE NOT NULL, password text NOT NULL);
CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, price numeric(8,2) NOT NULL, hidden boolean NOT NULL DEFAULT false);
INSERT INTO users (username, password) VALUES ('alice', 'wonderland'), ('bob', 'builder'), ('o''neil', 'shamrock'), ('orla', 'r0se');
INSERT INTO products (name, price, hidden) VALUES ('Cordless drill', 89.90, false), ('Hammer', 12.50, false),
  ('Screwdriver set', 19.99, false), ('O''Reilly''s Guide', 39.00, false), ('Prototype X', 999.00, true);
