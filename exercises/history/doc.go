// Package history builds git repositories from a short, declarative list of
// steps: commits, branches, merges, tags, resets, remotes and uncommitted edits.
// Exercise starters use it to give every learner the same repository, hash for
// hash, and `grader validate` uses it to play an exercise's reference and
// known-wrong solutions on top of the starter, the way a learner would.
//
// Hashes depend on the steps alone: authors and dates have fixed defaults (a
// clock that starts at 2026-01-05T09:00:00Z and moves one minute per commit or
// annotated tag, continuing after the newest date already in a repository),
// file modes are 0644 or 0755, and no host configuration, time zone or
// randomness is read. A golden test pins the hashes, and another checks that
// the git CLI makes the same objects from the same history.
//
// It writes with go-git only, so it needs no git binary and runs no hooks. A
// remote is a bare repository inside the workspace (under .grader/), filled by
// copying objects between go-git storers, so `git push` and `git fetch` work
// offline. No reflog is written.
package history
