// Package report writes grading reports ([runner.Report]) in every format
// grader offers: text for a person at a terminal, json for programs, junit
// for CI test-report views (GitLab, Jenkins), tap for TAP harnesses, github
// for GitHub Actions annotations and the job's step summary, and gradescope,
// exercism and prairielearn for the results.json each of those course
// platforms reads from its autograder. A platform grades one submission per
// run, so the platform formats write one report and refuse a batch.
//
// It is the last room the data flows through (catalog → runner → graders →
// report). It only reads reports, and it knows nothing of flags, terminals or
// environment variables: the command picks the [Format], decides whether
// colour is wanted and opens $GITHUB_STEP_SUMMARY, and says so in [Options].
//
// Messages, expected and actual values come from a learner's work, so every
// format treats them as untrusted: control characters, invalid bytes and
// bidirectional overrides are shown escaped (\x1b, \u202e) instead of being
// sent to a terminal, an XML file or a CI log, and each format escapes what
// its own syntax needs. Outside json, long values are cut to about 500
// characters with a note. A hidden check's expected and actual values are
// never written, in any format, even if a report carries them.
//
// The json format is a contract: one report is written as grader.results/v1
// ([runner.ResultsSchema]), several as grader.batch/v1 ([BatchSchema]), and
// fields are only ever added to either. The other formats follow their own
// standards (the platforms' published specifications, for the platform
// formats); their layout is for people and may change.
package report
