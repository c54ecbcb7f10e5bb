// Package redis holds grader's Redis check kinds (redis.script, redis.key,
// redis.result, from [Kinds]): the NoSQL part of the databases track, where
// a learner writes Redis commands in a file (cache.redis), one per line in
// redis-cli syntax, and the checks judge what those commands did.
//
// Each attempt gets a Redis of its own: a fresh container started through
// [Services] (the attempt's environment, sandbox/attempt's Env) on
// first use, published on 127.0.0.1 only, its data on a tmpfs, its memory
// bounded (Redis's maxmemory below the container's limit, so a learner
// filling it meets Redis's OOM error), and removed when the attempt ends. The admin's
// password is random, given with --requirepass and kept only in memory. The
// exercise's `services.redis` block names the image and a seed file, run as
// the admin. A warm server shared by attempts is not used: learners name
// their own keys and may delete any, so only a server of their own keeps
// attempts apart; a container answers its first PING about 0.7 s after
// it is asked for (idle 2-core machine).
//
// The learner's commands run as an ACL user created per container whose
// rules deny @admin, @dangerous and @scripting (see learnerRules), so Redis
// itself refuses FLUSHALL, CONFIG, DEBUG or SHUTDOWN with NOPERM, however
// the command is spelled; a check reports that as a command not allowed in
// the exercise. Every command has a deadline, so a BLPOP that waits for
// ever fails its check with a message naming it. Each file runs on a
// connection of its own, like a redis-cli session.
//
// redis.result compares the learner's replies with the reference
// solution's. The reference runs on a server that holds nothing of any
// learner's: when an attempt's server starts, the references not yet
// computed for its exercise run first, each on the emptied and freshly
// seeded server, before the learner's ACL user touches it; the replies are
// kept for the life of the process, so `grader validate` and `grader grade`
// compute each once.
//
// A problem with the machine (no Docker, a missing image) or the exercise
// (a failing seed or reference) is [runner.Errored]; anything the learner
// wrote wrong is [runner.Failed], with the file, line and command.
package redis
