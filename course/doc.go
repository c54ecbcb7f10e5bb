// Package course holds what grading a whole class needs beyond one batch:
// a deterministic share of the submissions for each of N machines
// ([Shard]), and the gradebook that merges their results back ([Gradebook]),
// the same whether one machine graded everything or eight did.
package course
