package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// families are one scrape's metric families by name.
type families map[string]*dto.MetricFamily

// acceptText is the Accept header of grader's scrapes: Prometheus's text
// format, which every client library can answer. A server that answers
// OpenMetrics or protobuf anyway is still read (see parseExposition).
const acceptText = "text/plain;version=0.0.4;q=1,*/*;q=0.1"

// parseExposition reads a scrape's body with the decoder expfmt picks for
// its headers. An answer whose Content-Type is no exposition format is
// refused as Prometheus 3 refuses it; a body that does not parse gives
// the parser's message, with its line.
func parseExposition(h http.Header, body []byte) (families, string) {
	ct := h.Get("Content-Type")
	format := expfmt.ResponseFormat(h)
	if format.FormatType() == expfmt.TypeUnknown {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != expfmt.OpenMetricsType {
			if ct == "" {
				ct = "no Content-Type"
			}
			return nil, fmt.Sprintf("it answered with %s, which is not an exposition format: Prometheus refuses such a scrape. Send the header `Content-Type: text/plain; version=0.0.4; charset=utf-8`", ct)
		}
		// OpenMetrics: expfmt reads it with its text decoder, which
		// accepts the OpenMetrics a text exposition also is.
		format = expfmt.NewFormat(expfmt.TypeOpenMetrics)
	}
	dec := expfmt.NewDecoder(bytes.NewReader(body), format)
	fams := families{}
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Sprintf("its body is not a valid exposition (%s): %s", ct, parseMessage(err))
		}
		fams[mf.GetName()] = mf
	}
	return fams, ""
}

// parseMessage is the parser's error for a learner: the text parser's
// already says "text format parsing error in line N: ...".
func parseMessage(err error) string {
	var pe expfmt.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %s", pe.Line, pe.Msg)
	}
	return err.Error()
}

// names lists the families' names, for "it has: ..." messages.
func (f families) names() string {
	var ns []string
	for n := range f {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	if len(ns) == 0 {
		return "no metrics at all"
	}
	if len(ns) > 12 {
		ns = append(ns[:12], "...")
	}
	return strings.Join(ns, ", ")
}

// typeName is a metric type as the exposition's # TYPE line writes it.
func typeName(t dto.MetricType) string {
	return strings.ToLower(t.String())
}

// labelsOf is a metric's labels as a map.
func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// histCount is a histogram's count, integer or float.
func histCount(h *dto.Histogram) float64 {
	if h.GetSampleCountFloat() != 0 {
		return h.GetSampleCountFloat()
	}
	return float64(h.GetSampleCount())
}

// bucketCount is a bucket's cumulative count, integer or float.
func bucketCount(b *dto.Bucket) float64 {
	if b.GetCumulativeCountFloat() != 0 {
		return b.GetCumulativeCountFloat()
	}
	return float64(b.GetCumulativeCount())
}
