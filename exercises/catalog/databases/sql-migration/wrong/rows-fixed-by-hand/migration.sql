-- The rows the learner saw, fixed one by one with their ids and values, then
-- the constraints: right on that data, wrong on any other (a real table has
-- rows nobody looked at).
BEGIN;

UPDATE users SET email = 'bob.smith@example.com' WHERE id = 2;
UPDATE users SET email = 'cleo@example.com' WHERE id = 3;
UPDATE users SET email = 'eve@example.com' WHERE id = 5;
UPDATE orders SET user_id = 4 WHERE id IN (4, 6);
DELETE FROM users WHERE id = 6;
UPDATE orders SET total = '1299.00' WHERE id = 3;

ALTER TABLE users ALTER COLUMN email SET NOT NULL;
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

ALTER TABLE orders
  ALTER COLUMN total TYPE numeric(10,2) USING total::numeric(10,2),
  ALTER COLUMN total SET NOT NULL;

ALTER TABLE orders
  ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);

COMMIT;
