// Package classroom grades a class's submissions as a service: an HTTP API
// that takes uploads and git push webhooks, a job queue in PostgreSQL
// (River) that any number of worker processes on any number of machines
// share, the results and gradebook in PostgreSQL, and a class page that shows
// the roadmap with each learner's progress and each exercise's pass rate.
//
// River delivers a job at least once: a worker that dies mid-run has its job
// rescued and run again elsewhere. Grading is made exactly-once on top of it:
// the result row is keyed by submission and written in the same transaction
// that completes the job ([river.JobCompleteTx]), so a re-run either finds
// the job already completed or writes the one result itself. Every start of
// a grading is recorded (grader_attempts), so a re-run is visible, never
// silent. A learner's failure is a result; only an ungradable run (the
// infrastructure failed) is retried, with backoff, up to a maximum.
//
// The package knows nothing of the catalog or of how a check runs: the
// caller gives it a [Grader] and the exercises to show.
package classroom
