-- Check, then act: the balance is lowered in one atomic statement, so no
-- withdrawal is lost, but the check uses the balance read earlier. At 4.00,
-- several withdrawals all see enough money and the account goes negative.
CREATE TEMP TABLE IF NOT EXISTS app (balance numeric(10,2));
DELETE FROM app;
INSERT INTO app SELECT balance FROM accounts WHERE id = 1;

SELECT pg_sleep(0.01);

INSERT INTO withdrawals (account_id, amount)
SELECT 1, 3.00 FROM app WHERE balance >= 3.00;

UPDATE accounts SET balance = accounts.balance - 3.00
FROM app
WHERE accounts.id = 1 AND app.balance >= 3.00;
