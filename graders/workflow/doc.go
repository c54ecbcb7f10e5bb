// Package workflow holds the check kinds of the DevOps track's pipelines:
// the learner writes a GitHub Actions workflow, and the checks read it
// (workflow.lint, workflow.shape) and run one of its jobs, after the jobs
// it needs, in the sandbox (workflow.run), on a push to a branch or of a
// tag, or a pull request.
//
// The workflow is parsed with actionlint (github.com/rhysd/actionlint),
// used as a library: its parser gives the syntax tree with line numbers,
// its linter the errors GitHub would reject the file for, and its
// expression parser the ${{ }} syntax trees this package evaluates. Its
// shellcheck and pyflakes rules, which run external programs, are left out.
//
// workflow.run plays GitHub's runner in a sandbox container: Go plans the
// variants of the job (each matrix combination as it is in one sandbox,
// shared by the attempt's checks; the same under each planted failing test
// in a second, once the first succeeded) into a bash driver and a script
// per step,
// evaluating `if:` and ${{ }} expressions against the static contexts
// (github, env, matrix, runner) up front. An `if:` is evaluated twice, for
// a job still succeeding and for one that has failed, and the driver picks
// by the job's status as it runs, which is all success() and failure()
// need. Each step runs as GitHub runs it (bash --noprofile --norc -eo
// pipefail on a script file), with its env, working-directory and
// continue-on-error, and GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT files.
// Well-known actions are emulated (checkout copies the learner's files
// into the workspace, which is empty without it; setup-python makes the
// image's Python 3.11 the job's; setup-go needs Go in the image; cache does
// nothing); any other action fails its step, naming it. The jobs a job
// needs run first, each as a variant of its own, and the driver gates the
// job on their conclusions with its `if:` evaluated both ways, as for a
// step.
//
// The driver reports each step's outcome, marked with a per-run nonce, on
// its own stdout, while every step's output goes to a log file. A step
// would need to write to the driver's descriptors on purpose (through
// /proc) to forge a report: the checks grade a learner's pipeline, not a
// hostile program, and this is the known limit of that trust.
package workflow
