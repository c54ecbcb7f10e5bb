-- ORDER BY booked_on alone uses the default RANGE frame: all of a day's
-- transactions are added at once and share one balance.
SELECT account_id, booked_on, id, amount,
       sum(amount) OVER (PARTITION BY account_id ORDER BY booked_on) AS balance
FROM transactions
ORDER BY account_id, booked_on, id;
