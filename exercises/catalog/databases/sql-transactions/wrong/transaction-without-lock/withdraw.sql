-- A transaction alone does not help: under READ COMMITTED, two
-- transactions still read the same balance, and both write it minus 3.00.
BEGIN;
CREATE TEMP TABLE IF NOT EXISTS app (balance numeric(10,2));
DELETE FROM app;
INSERT INTO app SELECT balance FROM accounts WHERE id = 1;

SELECT pg_sleep(0.01);

INSERT INTO withdrawals (account_id, amount)
SELECT 1, 3.00 FROM app WHERE balance >= 3.00;

UPDATE accounts SET balance = app.balance - 3.00
FROM app
WHERE accounts.id = 1 AND app.balance >= 3.00;

COMMIT;
