-- Deletes the duplicate account's orders instead of moving them: sales are lost.
BEGIN;

-- 1. Clean the emails: no spaces around them, lower case.
UPDATE users SET email = lower(trim(email));

-- 2. Merge accounts that share an email into the one with the smallest id:
--    move their orders first, then delete the duplicates.
DELETE FROM orders AS o
USING users AS dup
WHERE o.user_id = dup.id
  AND EXISTS (SELECT 1 FROM users AS k WHERE k.email = dup.email AND k.id < dup.id);

DELETE FROM users AS u
WHERE EXISTS (
  SELECT 1 FROM users AS k WHERE k.email = u.email AND k.id < u.id
);

-- 3. Emails are required and unique whatever their case.
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- 4. Totals become numbers: drop the thousands separator, then convert.
ALTER TABLE orders
  ALTER COLUMN total TYPE numeric(10,2) USING replace(total, ',', '')::numeric(10,2),
  ALTER COLUMN total SET NOT NULL;

-- 5. Every order belongs to an existing user, or to nobody (a guest).
ALTER TABLE orders
  ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);

COMMIT;
