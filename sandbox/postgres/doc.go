// Package postgres gives database checks a PostgreSQL server and, for every
// attempt, a database of its own, fast enough that the second `grader check`
// of a database exercise takes a fraction of a second.
//
// A server is one of three things. [Service.Acquire] returns the learner's
// warm server: a labelled container ([LabelWarm]) that outlives the process,
// found by label on the next check and reused when it answers, replaced when
// it does not; its port and superuser password are kept only in a 0600 state
// file in the user's cache folder. [Service.Start] starts a throwaway server
// that [Server.Close] removes. [FromURL] uses an existing server
// (`--postgres-url`, [URLEnv]), such as a CI service container.
//
// Containers are started, found and removed through the sandbox's engine
// ([sandbox.Engine.StartService], [sandbox.Engine.FindServices]; the CLI's
// own through [Service.Engine]), never through a Docker client of this
// package's, from the image that the sandbox's [sandbox.ImageMap] resolves
// (so an air-gapped machine runs its local build); no Docker is
// [sandbox.ErrNoDocker] and a missing image is [sandbox.ErrImageMissing]. Not testcontainers-go: its package init walks
// every process on the machine (20–40 ms measured per `grader check`, git
// checks included), so it stays in test binaries (package pgtest starts the
// "existing server" that tests hand to [FromURL]). There is no reaper
// container either (its image cannot be pulled without a registry):
// every container carries the sandbox's labels plus [LabelService], [Server.Close]
// (or closing the engine that started them) removes throwaway ones, `grader gc` sweeps any, and each container stops by
// itself after [Service.IdleTimeout] with no session open (a watchdog in its
// command), so the warm server does not run for ever and a crashed grader's
// container goes away. Readiness is a real session and SELECT 1, never log
// lines alone. Servers run with fsync, synchronous_commit and full_page_writes
// off and their data on a tmpfs, which is right for databases thrown away
// after a check. The port is published on 127.0.0.1 only.
//
// An exercise's schema and seed are built once per server into a template
// database ([Server.Template]), under an advisory lock so that concurrent
// graders never build it twice. Each attempt gets a copy of it
// ([Server.Clone]: CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY, tens of
// milliseconds) and a login role of its own without superuser, CREATEDB or
// CREATEROLE that can connect to that copy only, so a destructive statement
// harms only its own attempt. [Attempt.Drop] removes both. Every database
// and role this package creates is named grader_..., so on a shared server it
// touches nothing else, and attempts that a crashed grader left are swept an
// hour later.
//
// The CLI's signal handler should call [CloseAll] (then [sandbox.CloseAll]),
// so Ctrl-C drops live attempts and removes throwaway containers. The
// published address is 127.0.0.1, so the Docker engine must be local.
package postgres
