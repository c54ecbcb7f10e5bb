package metrics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// batch is the requests grader sent that one label set must count: the
// method, path and status each had, and how many.
type batch struct {
	method, path string
	status       int
	n            int
}

// label is what grader knows about a request that a label may carry.
func (b batch) label(what string) string {
	switch what {
	case "method":
		return b.method
	case "path":
		return b.path
	case "status":
		return strconv.Itoa(b.status)
	}
	return ""
}

// describe is the batch for a message: 7 GET /hello requests (answered 200).
func (b batch) describe() string {
	s := "s"
	if b.n == 1 {
		s = ""
	}
	return fmt.Sprintf("%d %s %s request%s (answered %d)", b.n, b.method, b.path, s, b.status)
}

// SeriesSpec names a metric and the labels its series must carry.
type SeriesSpec struct {
	// Name is the metric family's name, as its # TYPE line writes it
	// (http_requests_total).
	Name string `yaml:"name"`
	// Labels maps each label the series must carry to what grader knows
	// of a request it sent: method, path or status (the answer's code).
	// {method: method, path: path, status: status} asks for one series
	// per method, path and status.
	Labels map[string]string `yaml:"labels"`
}

// validate checks the spec at field.
func (s *SeriesSpec) validate(field string) error {
	if s.Name == "" {
		return paramErr(field+".name", "is required: the metric's name, like http_requests_total")
	}
	for name, what := range s.Labels {
		switch what {
		case "method", "path", "status":
		default:
			return paramErr(field+".labels."+name, "is %q: a label carries method, path or status", what)
		}
	}
	return nil
}

// labelNames are the spec's label names, sorted.
func (s *SeriesSpec) labelNames() []string {
	var ns []string
	for n := range s.Labels {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

// want is the label set that counts b.
func (s *SeriesSpec) want(b batch) map[string]string {
	w := map[string]string{}
	for name, what := range s.Labels {
		w[name] = b.label(what)
	}
	return w
}

// selector writes a label set as PromQL does: name{a="1",b="2"}.
func selector(name string, w map[string]string) string {
	if len(w) == 0 {
		return name
	}
	var ps []string
	for k, v := range w {
		ps = append(ps, fmt.Sprintf("%s=%q", k, v))
	}
	slices.Sort(ps)
	return name + "{" + strings.Join(ps, ",") + "}"
}

// matches reports whether m carries every label of w with its value.
func matches(m *dto.Metric, w map[string]string) bool {
	ls := labelsOf(m)
	for k, v := range w {
		if ls[k] != v {
			return false
		}
	}
	return true
}

// family finds spec's family in the scrape after and checks its type: a
// message for the learner when it is missing or of another type.
func family(after families, spec *SeriesSpec, want dto.MetricType) (*dto.MetricFamily, string) {
	mf := after[spec.Name]
	if mf == nil {
		msg := fmt.Sprintf("/metrics has no metric %s (it has: %s).", spec.Name, after.names())
		if want == dto.MetricType_COUNTER && strings.HasSuffix(spec.Name, "_total") {
			if other := after[strings.TrimSuffix(spec.Name, "_total")]; other != nil {
				msg += fmt.Sprintf(" A counter's name ends in _total: rename %s to %s.", other.GetName(), spec.Name)
			}
		}
		return nil, msg
	}
	if mf.GetType() != want {
		if mf.GetType() == dto.MetricType_UNTYPED {
			return nil, fmt.Sprintf("%s has no `# TYPE` line, so Prometheus reads it as untyped: declare it with `# TYPE %s %s` before its samples.", spec.Name, spec.Name, typeName(want))
		}
		return nil, fmt.Sprintf("%s is a %s (`# TYPE %s %s`): declare it a %s, `# TYPE %s %s`, and expose what a %s does.", spec.Name, typeName(mf.GetType()), spec.Name, typeName(mf.GetType()), typeName(want), spec.Name, typeName(want), typeName(want))
	}
	for _, l := range spec.labelNames() {
		has := slices.ContainsFunc(mf.GetMetric(), func(m *dto.Metric) bool { _, ok := labelsOf(m)[l]; return ok })
		if !has {
			return nil, fmt.Sprintf("no series of %s has a label `%s`: give each series the labels %s (one series per combination, like %s).",
				spec.Name, l, strings.Join(spec.labelNames(), ", "), selector(spec.Name, exampleLabels(spec)))
		}
	}
	return mf, ""
}

// exampleLabels is a label set spec asks for, for messages.
func exampleLabels(spec *SeriesSpec) map[string]string {
	return spec.want(batch{method: "GET", path: "/hello", status: 200})
}

// sumMatching adds value(m) over the family's series that carry w.
func sumMatching(mf *dto.MetricFamily, w map[string]string, value func(*dto.Metric) float64) float64 {
	if mf == nil {
		return 0
	}
	total := 0.0
	for _, m := range mf.GetMetric() {
		if matches(m, w) {
			total += value(m)
		}
	}
	return total
}

// checkCounter judges a counter between two scrapes: every label set rose
// by exactly the requests grader sent it, and, unless countScrapes, the
// counter as a whole by exactly the requests grader sent besides its
// scrapes of metricsPath. It returns "" when it holds, else the message.
func checkCounter(before, after families, spec *SeriesSpec, batches []batch, metricsPath string, countScrapes bool) string {
	mf, msg := family(after, spec, dto.MetricType_COUNTER)
	if msg != "" {
		return msg
	}
	prev := before[spec.Name]
	value := func(m *dto.Metric) float64 { return m.GetCounter().GetValue() }
	for _, m := range mf.GetMetric() {
		if v := value(m); v < 0 || math.IsNaN(v) {
			return fmt.Sprintf("%s is %v: a counter counts up from 0.", selector(spec.Name, labelsOf(m)), v)
		}
	}
	sent := 0
	for _, b := range batches {
		w := spec.want(b)
		sent += b.n
		rose := sumMatching(mf, w, value) - sumMatching(prev, w, value)
		if rose == float64(b.n) {
			continue
		}
		msg := fmt.Sprintf("%s rose by %s after %s: ", selector(spec.Name, w), num(rose), b.describe())
		switch {
		case rose == 0:
			msg += "increment it in the handler, once for every request it serves, with the request's labels."
		case rose < 0:
			msg += "a counter never goes down (only a restart resets it to 0)."
		default:
			msg += "it must count each request exactly once."
		}
		return msg
	}
	if countScrapes {
		return ""
	}
	all := func(f families) float64 {
		if f[spec.Name] == nil {
			return 0
		}
		return sumMatching(f[spec.Name], nil, value)
	}
	if rose := all(after) - all(before); rose != float64(sent) {
		return fmt.Sprintf("%s rose by %s in all, but grader sent %d requests besides its scrapes of %s: do not count the requests to %s, only those to the application's own paths.",
			spec.Name, num(rose), sent, metricsPath, metricsPath)
	}
	return ""
}

// checkHistogram judges a histogram between two scrapes: each series'
// buckets are cumulative with +Inf equal to its count; every label set's
// count rose by exactly the requests grader sent it, its sum by more than
// 0 and no more than elapsed (the requests went one after the other, so
// their durations add up to less than the time they took together).
func checkHistogram(before, after families, spec *SeriesSpec, batches []batch, elapsed time.Duration) string {
	mf, msg := family(after, spec, dto.MetricType_HISTOGRAM)
	if msg != "" {
		return msg
	}
	for _, m := range mf.GetMetric() {
		if msg := checkBuckets(spec.Name, m); msg != "" {
			return msg
		}
	}
	prev := before[spec.Name]
	count := func(m *dto.Metric) float64 { return histCount(m.GetHistogram()) }
	sum := func(m *dto.Metric) float64 { return m.GetHistogram().GetSampleSum() }
	for _, b := range batches {
		w := spec.want(b)
		rose := sumMatching(mf, w, count) - sumMatching(prev, w, count)
		if rose != float64(b.n) {
			msg := fmt.Sprintf("%s rose by %s after %s: ", selector(spec.Name+"_count", w), num(rose), b.describe())
			if rose == 0 {
				return msg + "observe every request's duration, with the request's labels."
			}
			return msg + "observe each request exactly once."
		}
	}
	total := 0.0
	for _, b := range batches {
		w := spec.want(b)
		grew := sumMatching(mf, w, sum) - sumMatching(prev, w, sum)
		if grew <= 0 {
			return fmt.Sprintf("%s rose by %s after %s: observe how long each request took, in seconds (time.perf_counter() at the start and at the end).",
				selector(spec.Name+"_sum", w), num(grew), b.describe())
		}
		total += grew
	}
	// The slack covers clocks that tick coarsely.
	if limit := elapsed.Seconds() + 0.05; total > limit {
		return fmt.Sprintf("%s rose by %s in all, but grader's requests took %.3f s from the first sent to the last answered: observe durations in seconds (not milliseconds), each request once.",
			spec.Name+"_sum", num(total), elapsed.Seconds())
	}
	return ""
}

// checkBuckets checks that a histogram series' buckets are cumulative and
// end with +Inf equal to its count.
func checkBuckets(name string, m *dto.Metric) string {
	h := m.GetHistogram()
	bs := slices.Clone(h.GetBucket())
	slices.SortStableFunc(bs, func(a, b *dto.Bucket) int {
		switch {
		case a.GetUpperBound() < b.GetUpperBound():
			return -1
		case a.GetUpperBound() > b.GetUpperBound():
			return 1
		}
		return 0
	})
	series := selector(name+"_bucket", labelsOf(m))
	if len(bs) == 0 || !math.IsInf(bs[len(bs)-1].GetUpperBound(), 1) {
		return fmt.Sprintf("%s has no le=\"+Inf\" bucket: a histogram's last bucket is +Inf, and holds every observation (it equals _count).", series)
	}
	for i := 1; i < len(bs); i++ {
		if bucketCount(bs[i]) < bucketCount(bs[i-1]) {
			return fmt.Sprintf("%s: the bucket le=%q holds %s but the smaller le=%q holds %s. Buckets are cumulative: each counts every observation up to its bound, so it holds at least as many as the one below it.",
				series, bound(bs[i].GetUpperBound()), num(bucketCount(bs[i])), bound(bs[i-1].GetUpperBound()), num(bucketCount(bs[i-1])))
		}
	}
	if inf, c := bucketCount(bs[len(bs)-1]), histCount(h); inf != c {
		return fmt.Sprintf("%s: the le=\"+Inf\" bucket holds %s but _count is %s: they must be equal, since +Inf holds every observation.", series, num(inf), num(c))
	}
	return ""
}

// bound is a bucket's upper bound as the exposition writes it.
func bound(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// num writes a value without a needless fraction.
func num(f float64) string {
	return strconv.FormatFloat(f, 'g', 6, 64)
}
