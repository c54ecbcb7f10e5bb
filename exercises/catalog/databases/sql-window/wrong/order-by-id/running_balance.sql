-- Runs the total in id order: transactions booked late with an earlier date come last.
SELECT account_id, booked_on, id, amount,
       sum(amount) OVER (PARTITION BY account_id ORDER BY id) AS balance
FROM transactions
ORDER BY account_id, booked_on, id;
