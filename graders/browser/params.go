package browser

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/backendroadmap/grader/runner"
)

// Placeholder is where grader puts each payload (and the sample text) in
// an injection point.
const Placeholder = "{{payload}}"

// xssParams is sec.xss's `with:` block.
type xssParams struct {
	// Points are the places a value reaches a page; at least one.
	Points []pointParams `yaml:"points"`
	// CSP requires the pages' Content-Security-Policy header to forbid
	// inline scripts.
	CSP bool `yaml:"csp"`
	// Attacks sends grader's payloads (default true). false judges only the
	// points' samples (and csp): a check of what the page shows, kept apart
	// from the attack checks.
	Attacks *bool `yaml:"attacks"`
}

// pointParams is one injection point: reflected (Path holds the
// placeholder and the browser visits it) or stored (Store's requests hold
// it, then the browser visits Path).
type pointParams struct {
	Name  string          `yaml:"name"`
	Path  string          `yaml:"path"`
	Store []requestParams `yaml:"store"`
	// Sample is the exercise's real text, sent like a payload for
	// ExpectText to find.
	Sample     string       `yaml:"sample"`
	ExpectText []textParams `yaml:"expect_text"`
}

// requestParams is one HTTP request that stores a value, in the shape of
// http.requests' requests.
type requestParams struct {
	Name    string            `yaml:"name"`
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers"`
	JSON    any               `yaml:"json"`
	Form    map[string]string `yaml:"form"`
	Body    string            `yaml:"body"`
}

// textParams asserts what the page shows for Sample.
type textParams struct {
	// Selector is a CSS selector; at least one element must match.
	Selector string `yaml:"selector"`
	// Contains is what one of them must show (default: the sample).
	Contains string `yaml:"contains"`
	// Attribute reads an attribute's value (as the browser decoded it)
	// instead of the element's text.
	Attribute string `yaml:"attribute"`
}

// point is a compiled injection point.
type point struct {
	name     string
	path     string
	store    []request
	sample   string
	texts    []textParams
	reflects bool
}

// request is a compiled store request.
type request struct {
	name, method, path string
	headers            map[string]string
	body               string      // with the placeholder still in it
	form               [][2]string // a form's fields, in name order
	contentType        string
	json               bool
}

// Compiled on first use, not in every grader process's start-up.
var (
	methodRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]+$`) })
	attrRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`) })
)

func paramErr(field, format string, args ...any) error {
	return &runner.ParamError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// compilePoints checks every point and request.
func compilePoints(ps []pointParams) ([]point, error) {
	if len(ps) == 0 {
		return nil, paramErr("points", "is required: at least one injection point, like {name: the search query, path: \"/search?q={{payload}}\"}")
	}
	var out []point
	names := map[string]bool{}
	for i, ps := range ps {
		f := fmt.Sprintf("points[%d]", i)
		if strings.TrimSpace(ps.Name) == "" {
			return nil, paramErr(f+".name", "is required: what the point is, for messages (\"the search query\")")
		}
		if names[ps.Name] {
			return nil, paramErr(f+".name", "%q names another point too", ps.Name)
		}
		names[ps.Name] = true
		if !strings.HasPrefix(ps.Path, "/") {
			return nil, paramErr(f+".path", "is required and starts with /: the page the browser visits")
		}
		p := point{name: ps.Name, path: ps.Path, sample: ps.Sample, texts: ps.ExpectText}
		inPath := strings.Contains(ps.Path, Placeholder)
		switch {
		case len(ps.Store) == 0 && !inPath:
			return nil, paramErr(f+".path", "must hold %s (a reflected point: the value is in the URL), or the point needs store requests that hold it", Placeholder)
		case len(ps.Store) > 0 && inPath:
			return nil, paramErr(f+".path", "holds %s, but the point stores the value with its store requests: the page that shows it takes no payload", Placeholder)
		}
		p.reflects = inPath
		if strings.Count(ps.Path, Placeholder) > 1 {
			return nil, paramErr(f+".path", "holds %s more than once", Placeholder)
		}
		held := false
		for j, rs := range ps.Store {
			r, has, err := compileRequest(rs, fmt.Sprintf("%s.store[%d]", f, j))
			if err != nil {
				return nil, err
			}
			held = held || has
			p.store = append(p.store, r)
		}
		if len(ps.Store) > 0 && !held {
			return nil, paramErr(f+".store", "no request holds %s: where does the value go?", Placeholder)
		}
		if len(ps.ExpectText) > 0 && ps.Sample == "" {
			return nil, paramErr(f+".sample", "is required with expect_text: the real text to send (like \"Tom & Jerry <3\")")
		}
		if ps.Sample != "" && len(ps.ExpectText) == 0 {
			return nil, paramErr(f+".expect_text", "is required with sample: where the page must show it, like [{selector: \"#results li\"}]")
		}
		for j, t := range ps.ExpectText {
			tf := fmt.Sprintf("%s.expect_text[%d]", f, j)
			if strings.TrimSpace(t.Selector) == "" {
				return nil, paramErr(tf+".selector", "is required: a CSS selector, like \"#results li\"")
			}
			if t.Attribute != "" && !attrRe().MatchString(t.Attribute) {
				return nil, paramErr(tf+".attribute", "%q is not an attribute name", t.Attribute)
			}
			if t.Contains == "" {
				p.texts[j].Contains = ps.Sample
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// compileRequest checks a store request and encodes its body; has says
// whether it holds the placeholder.
func compileRequest(rs requestParams, f string) (request, bool, error) {
	r := request{name: rs.Name, method: rs.Method, path: rs.Path, headers: rs.Headers}
	if r.method == "" {
		r.method = http.MethodPost
	}
	if !methodRe().MatchString(r.method) {
		return r, false, paramErr(f+".method", "%q is not an HTTP method (POST, PUT, ...)", rs.Method)
	}
	if !strings.HasPrefix(rs.Path, "/") {
		return r, false, paramErr(f+".path", "is required and starts with /")
	}
	bodies := 0
	for _, set := range []bool{rs.JSON != nil, rs.Form != nil, rs.Body != ""} {
		if set {
			bodies++
		}
	}
	if bodies > 1 {
		return r, false, paramErr(f, "has more than one of json, form and body")
	}
	switch {
	case rs.JSON != nil:
		b, err := json.Marshal(rs.JSON)
		if err != nil {
			return r, false, paramErr(f+".json", "is not JSON: %v", err)
		}
		r.body, r.contentType, r.json = string(b), "application/json", true
	case rs.Form != nil:
		keys := make([]string, 0, len(rs.Form))
		for k := range rs.Form {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			r.form = append(r.form, [2]string{k, rs.Form[k]})
		}
		r.contentType = "application/x-www-form-urlencoded"
	default:
		r.body = rs.Body
	}
	if r.name == "" {
		r.name = r.method + " " + r.path
	}
	has := strings.Contains(r.path, Placeholder) || strings.Contains(r.body, Placeholder)
	for _, kv := range r.form {
		has = has || strings.Contains(kv[1], Placeholder)
	}
	for _, v := range r.headers {
		has = has || strings.Contains(v, Placeholder)
	}
	return r, has, nil
}
