-- The expected rows copied from a failure message, not computed.
SELECT *
FROM (VALUES ('Legal'), ('Research')) AS t (name);
