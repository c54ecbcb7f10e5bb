// Package sql holds the check kinds of the databases track: the learner's
// .sql files run against a real PostgreSQL, each attempt in a database of its
// own, and the checks judge what they did.
//
// An exercise declares its database once, in its services block:
//
//	services:
//	  postgres:
//	    image: postgres:15
//	    setup: [db/schema.sql, db/seed.sql]
//
// The setup files are built once per server into a template database; every
// attempt gets a fresh copy of it ([postgres.Server.Clone]) and a login role
// of its own without superuser rights, so a DROP TABLE harms only that copy.
// The copy is dropped when the attempt's checks are done (a runner.Memo
// cleanup). The learner's files run as that role, with a statement_timeout,
// each file once per attempt however many checks read it; a statement that
// fails is reported with PostgreSQL's own message and the file, line and
// column it points at.
//
// The kinds: sql.run (the file runs without error), sql.result (its result set
// equals the reference solution's on the same data: columns, rows and values,
// order only when the exercise says it matters), sql.query (a query the
// exercise writes returns given rows: data kept by a migration), sql.rejects
// (statements that must fail: constraints hold), sql.schema (tables, column
// types, keys, constraints, indexes), sql.plan (EXPLAIN uses an index, no
// sequential scan of a large table) and sql.concurrent (the learner's
// transaction run by concurrent sessions loses no update).
//
// Where the databases come from is the caller's choice, given to [Kinds] as
// [Databases]: in the CLI the attempt's environment, which clones them on
// the learner's warm container or an existing server (`--postgres-url`) and
// drops them when the attempt ends. Kinds compile without one; only
// checking needs it.
package sql
