package main

// services gives checks what lives outside the process — the Docker engine,
// a PostgreSQL server — set up when a check first needs it, so `grader
// check` of a git exercise never touches Docker. Safe for concurrent use
// (`grade --jobs`). What it can start is [linked], which the lean build
// leaves out with the kinds that need it.
type services struct {
	getenv func(string) string
	// postgresURL is --postgres-url; empty falls back to $GRADER_POSTGRES_URL,
	// then to the learner's warm container.
	postgresURL string
	// cacheDir returns grader's cache folder; the warm server's state file
	// lives in its postgres/ folder. Nil uses the user's cache folder.
	cacheDir func() (string, error)
	logf     func(format string, args ...any)
	// throwaway starts a PostgreSQL for this process only, removed when it
	// ends: for `grade` and `validate` (CI, instructors), which leave nothing
	// behind. A learner's `check` keeps a warm one for the next check.
	throwaway bool

	linked
}
