-- Without PARTITION BY, one running total runs through every account.
SELECT account_id, booked_on, id, amount,
       sum(amount) OVER (ORDER BY account_id, booked_on, id) AS balance
FROM transactions
ORDER BY account_id, booked_on, id;
