-- Too strict: deletes guest checkouts and makes user_id NOT NULL, so guests can no longer order.
BEGIN;

-- 1. Clean the emails: no spaces around them, lower case.
UPDATE users SET email = lower(trim(email));

-- 2. Merge accounts that share an email into the one with the smallest id:
--    move their orders first, then delete the duplicates.
UPDATE orders AS o
SET user_id = keep.id
FROM users AS dup
JOIN LATERAL (
  SELECT min(u.id) AS id FROM users AS u WHERE u.email = dup.email
) AS keep ON true
WHERE o.user_id = dup.id
  AND keep.id <> dup.id;

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

-- 5. Every order must belong to a user: guest orders are deleted.
DELETE FROM orders WHERE user_id IS NULL;
ALTER TABLE orders
  ALTER COLUMN user_id SET NOT NULL,
  ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);

COMMIT;
