-- The app's read and its writes in one transaction, and the read locks the
-- account row (FOR UPDATE): a second withdrawal waits at its own read until
-- the first commits, then sees the new balance.
BEGIN;

CREATE TEMP TABLE IF NOT EXISTS app (balance numeric(10,2));
DELETE FROM app;
INSERT INTO app SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;

SELECT pg_sleep(0.01);

INSERT INTO withdrawals (account_id, amount)
SELECT 1, 3.00 FROM app WHERE balance >= 3.00;

UPDATE accounts SET balance = app.balance - 3.00
FROM app
WHERE accounts.id = 1 AND app.balance >= 3.00;

COMMIT;
