// Package metrics holds the monitoring check kinds of the DevOps track
// (from [Kinds]): metrics.scrape judges the Prometheus metrics a learner's
// running server exposes, and metrics.rules the alerting rules a learner
// writes for Prometheus.
//
// metrics.scrape starts nothing itself: it gets the attempt's server from
// the same [httpcheck.Servers] as the HTTP kinds (the learner's code in the
// hardened sandbox on a private network, probed from outside). It scrapes
// /metrics once, sends requests whose number grader draws for each run (so
// a hard-coded value cannot pass), scrapes again, and reads both answers
// with github.com/prometheus/common/expfmt, choosing the decoder from the
// answer's Content-Type as expfmt does. The verdict compares the two
// scrapes: a counter must have risen by exactly the requests grader sent
// for each label set, a histogram's count likewise, its sum by a
// plausible number of seconds, and its buckets must be cumulative with +Inf
// equal to the count.
//
// metrics.rules reads the learner's rules file through the workspace's
// os.Root, decodes it strictly in the format of Prometheus's rule files
// (the shape and checks of github.com/prometheus/prometheus/model/rulefmt,
// which the tests hold this package to) and parses every expression with
// Prometheus's own PromQL parser (promql/parser), whose syntax tree says
// which metrics and functions an alert uses. rulefmt itself is not linked:
// it imports the PromQL engine and, through it, the Kubernetes client,
// which cost every grader command about 4 ms of start-up and 5 MB of binary
// (measured with GODEBUG=inittrace=1). For the same reason expressions are
// not evaluated (promqltest needs the engine and a storage).
package metrics
