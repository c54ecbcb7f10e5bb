CREATE TABLE users (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text UNIQUE NOT NULL,
  password_hash text NOT NULL
);
CREATE TABLE orders (
  id       integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer text NOT NULL,
  item     text NOT NULL,
  total    numeric(8,2) NOT NULL
);
-- alice's password is wonderland, bob's is builder (bcrypt, cost 10).
INSERT INTO users (username, password_hash) VALUES
  ('alice', '$2b$10$M7AryLPFYtLr13WNFmu8Be4yheiH8p5SRN2Uv72drtZIgyFNtwgzu'),
  ('bob', '$2b$10$xl28WaZEsn924IqEBctPT.hzAqUOwrRv4.C04gn1DcvDmFLyY7dMi');
INSERT INTO orders (customer, item, total) VALUES
  ('alice', 'Tea set', 34.50),
  ('bob', 'Toolbox', 59.00),
  ('alice', 'Teapot warmer', 12.25),
  ('bob', 'Spirit level', 18.40);
