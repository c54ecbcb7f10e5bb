SELECT account_id,
       booked_on,
       id,
       amount,
       sum(amount) OVER (
         PARTITION BY account_id
         ORDER BY booked_on, id
         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
       ) AS balance
FROM transactions
ORDER BY account_id, booked_on, id;
