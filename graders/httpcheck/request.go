package httpcheck

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/theory/jsonpath"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// request is one compiled request of a check.
type request struct {
	name     string // as written; "" for none
	method   string
	path     string      // may hold {{captures}}
	query    [][2]string // sorted by name
	header   [][2]string // sorted by name
	json     *yaml.Node  // a JSON body, or nil
	form     [][2]string // a form body, or nil
	raw      *string     // a raw body, or nil
	repeat   int
	wait     time.Duration
	expect   *expectation
	captures []capture
	// jar names the cookie jar the request sends and keeps cookies in,
	// like one browser's; "" sends none.
	jar string
}

// capture takes a value from an answer for later requests.
type capture struct {
	name   string
	header string         // a response header, or
	cookie string         // a cookie the answer sets, or
	path   *jsonpath.Path // a singular JSONPath into the JSON body
	src    string         // the path (or regex) as written
	// re, with header or alone (on the body), takes its first group.
	re *regexp.Regexp
}

var (
	headerName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$") })
	methodName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z-]*$`) })
)

// Bounds on what an author may ask for.
const (
	maxRepeat = 1000
	maxWait   = 5 * time.Minute
)

// compileRequest checks one request spec. field is its place in `with:`
// (requests[2]); sc holds the captures of the requests before it, and
// gains this one's.
func compileRequest(rs requestSpec, field string, sc scope) (*request, error) {
	r := &request{name: rs.Name, method: strings.ToUpper(strings.TrimSpace(rs.Method)), path: rs.Path, repeat: rs.Repeat, wait: rs.Wait}
	if r.method == "" {
		r.method = http.MethodGet
	}
	if rs.Jar != "" {
		if !captureName().MatchString(rs.Jar) {
			return nil, paramErr(field+".jar", "%q cannot be a jar's name: use letters, digits and _ (like alice)", rs.Jar)
		}
		for k := range rs.Headers {
			if strings.EqualFold(k, "Cookie") {
				return nil, paramErr(field+".headers."+k, "the jar sends the cookies: give jar or a Cookie header, not both")
			}
		}
		r.jar = rs.Jar
	}
	if !methodName().MatchString(r.method) {
		return nil, paramErr(field+".method", "%q is not an HTTP method such as GET, POST, PUT, PATCH or DELETE", rs.Method)
	}
	if err := checkPath(rs.Path, field+".path", sc); err != nil {
		return nil, err
	}
	for _, kv := range sortedPairs(rs.Query) {
		if err := sc.check(field+".query."+kv[0], kv[0]+kv[1]); err != nil {
			return nil, err
		}
		r.query = append(r.query, kv)
	}
	for _, kv := range sortedPairs(rs.Headers) {
		f := field + ".headers." + kv[0]
		if !headerName().MatchString(kv[0]) {
			return nil, paramErr(f, "%q is not a header name", kv[0])
		}
		if strings.ContainsAny(kv[1], "\r\n\x00") {
			return nil, paramErr(f, "a header value cannot hold a line break")
		}
		if err := sc.check(f, kv[1]); err != nil {
			return nil, err
		}
		r.header = append(r.header, kv)
	}
	bodies := 0
	if rs.JSON.Kind != 0 {
		bodies++
		if err := sc.checkNode(field+".json", &rs.JSON); err != nil {
			return nil, err
		}
		if _, err := nodeValue(&rs.JSON, field+".json"); err != nil {
			return nil, err
		}
		r.json = &rs.JSON
	}
	if rs.Form != nil {
		bodies++
		for _, kv := range sortedPairs(rs.Form) {
			if err := sc.check(field+".form."+kv[0], kv[0]+kv[1]); err != nil {
				return nil, err
			}
			r.form = append(r.form, kv)
		}
		if r.form == nil {
			r.form = [][2]string{}
		}
	}
	if rs.Body != nil {
		bodies++
		if err := sc.check(field+".body", *rs.Body); err != nil {
			return nil, err
		}
		r.raw = rs.Body
	}
	if bodies > 1 {
		return nil, paramErr(field, "give one body: json, form or body")
	}
	switch {
	case r.repeat == 0:
		r.repeat = 1
	case r.repeat < 0 || r.repeat > maxRepeat:
		return nil, paramErr(field+".repeat", "%d must be between 1 and %d", r.repeat, maxRepeat)
	}
	if r.wait < 0 || r.wait > maxWait {
		return nil, paramErr(field+".wait", "%s must be between 0s and %s", r.wait, maxWait)
	}
	// This request's captures may be used in its own expect (the Location
	// of what it created) and by every later request.
	for _, name := range sortedKeys(rs.Capture) {
		c, err := compileCapture(name, rs.Capture[name], field+".capture."+name)
		if err != nil {
			return nil, err
		}
		r.captures = append(r.captures, c)
	}
	for _, c := range r.captures {
		sc[c.name] = true
	}
	e, err := compileExpect(rs.Expect, field+".expect", sc)
	if err != nil {
		return nil, err
	}
	r.expect = e
	return r, nil
}

// checkPath checks a request's path: absolute, or starting with a capture
// that holds one (a Location header).
func checkPath(p, field string, sc scope) error {
	if p == "" {
		return paramErr(field, "is required: the path the request goes to, like /todos")
	}
	if err := sc.check(field, p); err != nil {
		return err
	}
	probe := placeholder().ReplaceAllString(p, "x")
	if loc := placeholder().FindStringIndex(p); !strings.HasPrefix(p, "/") && (loc == nil || loc[0] != 0) {
		return paramErr(field, "%q must start with / (the server's address is grader's to give)", p)
	}
	if u, err := url.Parse(probe); err != nil || u.Scheme != "" || u.Host != "" || strings.ContainsAny(probe, " \t\r\n#") {
		return paramErr(field, "%q is not a URL path (escape spaces and # as %%20 and %%23)", p)
	}
	return nil
}

func compileCapture(name string, n yaml.Node, field string) (capture, error) {
	c := capture{name: name}
	if !captureName().MatchString(name) {
		return c, paramErr(field, "%q cannot be a capture's name: use letters, digits and _ (starting with a letter)", name)
	}
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		p, err := parsePath(n.Value, field)
		if err != nil {
			return c, err
		}
		if p.Query().Singular() == nil {
			return c, paramErr(field, "%s can select several values; a capture takes one, like $.items[0].id", n.Value)
		}
		c.path, c.src = p, n.Value
	case n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i].Value, n.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				return c, paramErr(field+"."+k, "write a name or a regular expression")
			}
			switch k {
			case "header":
				if !headerName().MatchString(val.Value) {
					return c, paramErr(field+".header", "%q is not a header name", val.Value)
				}
				c.header = val.Value
			case "cookie":
				if !headerName().MatchString(val.Value) {
					return c, paramErr(field+".cookie", "%q is not a cookie name", val.Value)
				}
				c.cookie = val.Value
			case "regex":
				re, err := captureRegexp(val.Value, field+".regex")
				if err != nil {
					return c, err
				}
				c.re, c.src = re, val.Value
			default:
				return c, paramErr(field, "%q is unknown: a capture is a JSONPath, {header: Name}, {cookie: name}, {regex: ...} on the body, or {header: Name, regex: ...}", k)
			}
		}
		if c.cookie != "" && (c.header != "" || c.re != nil) || c.header == "" && c.cookie == "" && c.re == nil {
			return c, paramErr(field, "write {header: Name}, {cookie: name}, {regex: ...} (on the body) or {header: Name, regex: ...}")
		}
	default:
		return c, paramErr(field, "write a JSONPath into the JSON body ($.id), {header: Name}, {cookie: name} or {regex: ...}")
	}
	return c, nil
}

// parsePath parses an RFC 9535 JSONPath.
func parsePath(s, field string) (*jsonpath.Path, error) {
	if !strings.HasPrefix(strings.TrimSpace(s), "$") {
		return nil, paramErr(field, "%q is not a JSONPath: it starts with $, like $.id or $.items[0].title", s)
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		return nil, paramErr(field, "%q is not a JSONPath (RFC 9535): %v", s, strings.TrimPrefix(err.Error(), "jsonpath: "))
	}
	return p, nil
}

// build substitutes the captures into r.
func (r *request) build(v vars) (*outgoing, string) {
	o := &outgoing{method: r.method}
	target := v.render(r.path)
	if u, err := url.Parse(target); err == nil && u.Scheme != "" {
		// A captured absolute Location: its path, on grader's address.
		target = u.RequestURI()
	}
	if !strings.HasPrefix(target, "/") {
		return nil, fmt.Sprintf("its path %q (from %s) is not a path starting with /", target, r.path)
	}
	u, err := url.Parse(target)
	if err != nil || strings.ContainsAny(target, " \t\r\n") {
		return nil, fmt.Sprintf("its path %q (from %s) is not a valid URL path", target, r.path)
	}
	if len(r.query) > 0 {
		q := url.Values{}
		for _, kv := range r.query {
			q.Add(v.render(kv[0]), v.render(kv[1]))
		}
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += q.Encode()
	}
	o.target = u.RequestURI()
	typed := false
	for _, kv := range r.header {
		val := v.render(kv[1])
		if strings.ContainsAny(val, "\r\n\x00") {
			return nil, fmt.Sprintf("its header %s, from a capture, holds a line break", kv[0])
		}
		o.header = append(o.header, [2]string{kv[0], val})
		typed = typed || strings.EqualFold(kv[0], "Content-Type")
	}
	contentType := ""
	switch {
	case r.json != nil:
		var buf bytes.Buffer
		if err := encodeNode(&buf, r.json, v); err != nil {
			return nil, fmt.Sprintf("its JSON body cannot be built: %v", err)
		}
		o.body, contentType = buf.Bytes(), jsonType
	case r.form != nil:
		f := url.Values{}
		for _, kv := range r.form {
			f.Add(v.render(kv[0]), v.render(kv[1]))
		}
		o.body, contentType, o.form = []byte(f.Encode()), formType, true
	case r.raw != nil:
		o.body = []byte(v.render(*r.raw))
	}
	if contentType != "" && !typed {
		o.header = append(o.header, [2]string{"Content-Type", contentType})
	}
	return o, ""
}

// sequence runs a check's requests in order, sharing their captures.
type sequence struct {
	requests []*request
	// what names them in messages: "Request" or "Setup request".
	what string
	// hidden: the check is hidden, so messages never quote what it
	// expects (CI shows them; the expected values are the answers).
	hidden bool
	port   int
	// command starts the learner's server by hand.
	command string
}

// run sends every request. It returns nil when every answer met its
// expect, else the failing outcome.
func (s *sequence) run(ctx context.Context, cl *client, t Target, v vars) *runner.Outcome {
	jars := jars{}
	for i, r := range s.requests {
		if r.wait > 0 {
			select {
			case <-time.After(r.wait):
			case <-ctx.Done():
				out := runner.Failed("the check's time ran out while waiting before %s", strings.ToLower(s.what[:1])+s.what[1:]+fmt.Sprint(" ", i+1))
				return &out
			}
		}
		for n := range r.repeat {
			if out := s.one(ctx, cl, t, v, jars, i, n, r); out != nil {
				return out
			}
		}
	}
	return nil
}

// label names request i (its nth sending) in messages.
func (s *sequence) label(i, n int, r *request, o *outgoing) string {
	l := fmt.Sprintf("%s %d of %d", s.what, i+1, len(s.requests))
	if r.name != "" {
		l += fmt.Sprintf(", %q", r.name)
	}
	l += " (" + o.label() + ")"
	if r.repeat > 1 {
		l += fmt.Sprintf(", sending %d of %d", n+1, r.repeat)
	}
	return l
}

func (s *sequence) one(ctx context.Context, cl *client, t Target, v vars, jars jars, i, n int, r *request) *runner.Outcome {
	o, problem := r.build(v)
	if problem != "" {
		out := runner.Failed("%s %d of %d (%s %s): %s.", s.what, i+1, len(s.requests), r.method, r.path, problem)
		return &out
	}
	if r.jar != "" {
		if c := jars.header(r.jar); c != "" {
			o.header = append(o.header, [2]string{"Cookie", c})
		}
	}
	resp, problem := cl.send(ctx, o, requestTimeout(ctx, r.expect.maxTime))
	if problem == "" && r.jar != "" {
		jars.keep(r.jar, resp.header)
	}
	if problem != "" {
		if r.expect.maxTime > 0 && strings.HasPrefix(problem, "no answer came within") {
			problem += " (max_time)"
		}
		out := s.failure(ctx, t, i, n, r, o, nil, problem)
		return &out
	}
	// Captures first, quietly: the request's own expect may use them
	// (the Location of what it created).
	capErr := r.capture(resp, v)
	if p := r.expect.check(resp, v); p != nil {
		out := s.failure(ctx, t, i, n, r, o, resp, p.text(s.hidden))
		out.Expected, out.Actual = p.expected, p.actual
		return &out
	}
	if capErr != "" {
		out := s.failure(ctx, t, i, n, r, o, resp, capErr)
		return &out
	}
	return nil
}

// capture stores r's captures from resp in v, and says what it could not
// find.
func (r *request) capture(resp *response, v vars) string {
	var missing string
	for _, c := range r.captures {
		if c.cookie != "" {
			if ck := setCookie(resp.header, c.cookie); ck != nil {
				v[c.name] = ck.Value
				continue
			}
			if missing == "" {
				missing = fmt.Sprintf("it sets no cookie %s to capture as {{%s}}", c.cookie, c.name)
			}
			continue
		}
		if c.re != nil {
			text, where := string(resp.body), "the body"
			if c.header != "" {
				text, where = strings.Join(resp.header.Values(c.header), ", "), "the "+http.CanonicalHeaderKey(c.header)+" header"
			}
			if m := c.re.FindStringSubmatch(text); m != nil {
				v[c.name] = m[len(m)-1]
				continue
			}
			if missing == "" {
				missing = fmt.Sprintf("nothing in %s matches %s, so there is nothing to capture as {{%s}}", where, c.src, c.name)
			}
			continue
		}
		if c.header != "" {
			if vals := resp.header.Values(c.header); len(vals) > 0 {
				v[c.name] = strings.Join(vals, ", ")
				continue
			}
			if missing == "" {
				missing = fmt.Sprintf("there is no %s header to capture as {{%s}}", http.CanonicalHeaderKey(c.header), c.name)
			}
			continue
		}
		doc, err := resp.JSON()
		if err != nil {
			if missing == "" {
				missing = fmt.Sprintf("%v, so %s cannot be captured as {{%s}}", err, c.src, c.name)
			}
			continue
		}
		nodes := c.path.Select(doc)
		if len(nodes) == 1 {
			v[c.name] = nodes[0]
			continue
		}
		if missing == "" {
			missing = fmt.Sprintf("the body has nothing at %s to capture as {{%s}}", c.src, c.name)
		}
	}
	return missing
}

// failure is the outcome of a request whose answer was wrong (resp set) or
// did not come (resp nil).
func (s *sequence) failure(ctx context.Context, t Target, i, n int, r *request, o *outgoing, resp *response, problem string) runner.Outcome {
	return runner.Failed("%s", failureText(ctx, t, s.label(i, n, r, o), problem, o, resp, r.expect.headerNames(), s.command, s.port, i > 0 || n > 0))
}

// failureText is the message of a request that failed: which request,
// what is wrong, what the server answered (if it did), how it died (if it
// did), and the curl that sends the same request to the learner's own
// server, started by command, after the requests before it when after.
func failureText(ctx context.Context, t Target, label, problem string, o *outgoing, resp *response, headers []string, command string, port int, after bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s.", label, strings.TrimSuffix(problem, "."))
	if resp != nil {
		fmt.Fprintf(&b, "\nYour server answered:\n%s", indent(resp.show(headers...)))
	}
	if how := died(ctx, t); how != "" {
		b.WriteString("\n" + how)
	}
	when := ""
	if after {
		when = ", after the requests before it"
	}
	fmt.Fprintf(&b, "\nTry it: start your server (%s) and send%s:\n%s", command, when, indent(o.curl(port)))
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
