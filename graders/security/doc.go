// Package security holds grader's security kinds of check (from [Kinds]):
// the security track, where each exercise is a small vulnerable server the
// learner must fix, and grader proves the fix by attacking the learner's
// running server from outside while proving real users still work.
//
// The kinds reach the server the way the HTTP kinds do (see package
// httpcheck): the attempt's shared server, the same request format in the
// spec, the same client limits and the same failure messages, each with a
// curl command that repeats the request that got through. Verdicts come
// from evidence the learner's code cannot forge: what the server answered,
// how long it took, and what PostgreSQL itself logged and stored.
//
//   - sec.sqli sends SQL injection probes (boolean, error, UNION, stacked
//     and time-based) to each input the exercise declares; every answer
//     must be the one a made-up value gets. With the exercise's PostgreSQL,
//     a harmless marker sent as each input must appear in PostgreSQL's
//     statement log only as a bind parameter, never in a statement's text
//     (see postgres.Attempt.LogStatements).
//   - sec.passwords registers users and reads what the server stored in the
//     attempt's database: a slow salted hash (argon2id, bcrypt or scrypt,
//     recognised by format), different for the same password twice, never
//     the password; logins still work, wrong passwords still fail.
package security
