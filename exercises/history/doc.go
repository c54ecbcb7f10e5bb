// Package history builds git repositories from a short, declarative list of
// steps: commits, branches, merges, tags, resets, remotes and uncommitted edits.
// Exercise starters use it to give every learner the same repository, hash for
// hash, and `grader validate` uses it to play an exercise's reference and
// known-wrong solutions on top of the starter, the way a learner would.
//
// It writes with go-git only, so it needs no git binary and runs no hooks.
package history
