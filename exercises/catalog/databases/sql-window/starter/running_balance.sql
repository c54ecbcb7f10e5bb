-- Every transaction, with the balance of its account just after it:
--   account_id, booked_on, id, amount - as stored
--   balance - the sum of the amounts of the account's transactions up to and
--             including this one, in order of booked_on, then id
-- ordered by account_id, then booked_on, then id.
--
-- Write your query below, then run: grader check

