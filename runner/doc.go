// Package runner holds grader's vocabulary and its one piece of logic that every
// kind of check shares: running an exercise's checks in dependency order, each
// under its own deadline, and turning their outcomes into a scored [Report].
//
// It knows nothing of git, YAML, Docker or output formats. Kinds of check live in
// graders/<kind> and plug in through [Kind]; the catalog lives in exercises; the
// command wires them together. Data flows one way: catalog → runner → graders →
// report.
package runner
