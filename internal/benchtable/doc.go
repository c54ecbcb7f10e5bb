// Package benchtable turns `go test -bench` output into one table: a row a
// scenario, with its measured value, the baseline measured in the same run,
// their ratio, and the speed target the project set for it, met or missed.
//
// The Go benchmarks stay the measurement; this package only reads what they
// report (through golang.org/x/perf/benchfmt) and pairs the metrics by
// name, so a new benchmark shows up without an edit here:
//
//   - a metric whose unit starts with "x-" is a ratio (x-git, x-faster);
//   - its baseline is the metric named after the ratio (git-ns/op for
//     x-git), else the one the scenario's "vs-..." part names (cold-ms/check
//     for warm/vs-cold), else the one the scenario's name does not name;
//   - its value is the remaining metric the scenario names (warm-ms/check
//     for warm/vs-cold), else the one left, else the benchmark's own ns/op.
//
// Several runs of one scenario (-count) are summarised by their median.
package benchtable
