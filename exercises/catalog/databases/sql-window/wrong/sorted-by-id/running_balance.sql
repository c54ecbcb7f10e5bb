-- Right balances, but the rows are listed by id within each account, not by date.
SELECT account_id, booked_on, id, amount,
       sum(amount) OVER (PARTITION BY account_id ORDER BY booked_on, id) AS balance
FROM transactions
ORDER BY account_id, id;
