package security

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// sqliParams are sec.sqli's parameters.
type sqliParams struct {
	// Fresh gives the check a new server process (on the attempt's same
	// database) instead of the attempt's shared one.
	Fresh bool `yaml:"fresh"`
	// Inputs are the places a user's text reaches the server.
	Inputs []sqliInput `yaml:"inputs"`
	// Probes are the families of attack sent (default: all of them).
	Probes []string `yaml:"probes"`
}

// sqliInput is one place a user's text goes in: the requests that send it
// as {{input}} (and may use {{nonce}}, see values), and (in their expect) what a server that treats it as data
// answers to a made-up value nobody has stored.
type sqliInput struct {
	Name string `yaml:"name"`
	// Request is the one request that sends {{input}}; or
	Request httpcheck.RequestSpec `yaml:"request"`
	// Requests are several, sent in order (store the input, then use it:
	// second-order injection).
	Requests []httpcheck.RequestSpec `yaml:"requests"`
}

// probe is one attack. Its text never matches real data (no product or user
// holds "zq"), so a server that treats it as data answers as it would any
// made-up value.
type probe struct {
	family  string
	payload string
	// sleeps: the payload makes PostgreSQL sleep sleepFor when it runs as
	// SQL; the answer's time is the evidence.
	sleeps bool
}

// sleepFor is how long a time-based probe asks PostgreSQL to sleep, and
// slowBy how much slower than the made-up value's answer counts as the
// sleep having run.
const (
	sleepFor = 3 * time.Second
	slowBy   = 2 * time.Second
)

// probeFamilies in the order they are sent: the quick, certain ones first.
var probeFamilies = []string{"boolean", "error", "union", "stacked", "time"}

var probes = []probe{
	// Boolean: a condition that is always true, in a string, a
	// parenthesised string, and a number.
	{family: "boolean", payload: `' OR '1'='1`},
	{family: "boolean", payload: `' OR 1=1 --`},
	{family: "boolean", payload: `') OR ('1'='1`},
	{family: "boolean", payload: `0 OR 1=1`},
	// Error: a stray quote ends the literal early; PostgreSQL rejects the
	// rest, and the server answers 500 (or leaks the error).
	{family: "error", payload: `zq'`},
	{family: "error", payload: `zq')`},
	{family: "error", payload: `zq"`},
	// UNION: rows of the attacker's, for one to five columns.
	{family: "union", payload: `zq' UNION SELECT NULL --`},
	{family: "union", payload: `zq' UNION SELECT NULL,NULL --`},
	{family: "union", payload: `zq' UNION SELECT NULL,NULL,NULL --`},
	{family: "union", payload: `zq' UNION SELECT NULL,NULL,NULL,NULL --`},
	{family: "union", payload: `zq' UNION SELECT NULL,NULL,NULL,NULL,NULL --`},
	{family: "union", payload: `0 UNION SELECT NULL,NULL --`},
	// Stacked: a second statement after the first.
	{family: "stacked", payload: `zq'; SELECT pg_sleep(3) --`, sleeps: true},
	{family: "stacked", payload: `0; SELECT pg_sleep(3) --`, sleeps: true},
	// Time-based: nothing visible changes; the answer is late.
	{family: "time", payload: `zq' OR (SELECT 1 FROM pg_sleep(3)) = 1 --`, sleeps: true},
	{family: "time", payload: `zq'||(SELECT '' FROM pg_sleep(3))||'`, sleeps: true},
	{family: "time", payload: `zq') OR (SELECT 1 FROM pg_sleep(3)) = 1 --`, sleeps: true},
	{family: "time", payload: `0 OR (SELECT 1 FROM pg_sleep(3)) = 1`, sleeps: true},
}

// familyText says what a family of probes does, for messages.
var familyText = map[string]string{
	"boolean": "a condition that is always true",
	"error":   "a stray quote that ends the SQL string early",
	"union":   "a UNION SELECT that adds rows of the attacker's",
	"stacked": "a second SQL statement after the first",
	"time":    "a pg_sleep(3) that delays the answer",
}

// sqliCheck is a compiled sec.sqli.
type sqliCheck struct {
	inputs []sqliTarget
	probes []probe
	hidden bool
}

// sqliTarget is one compiled input.
type sqliTarget struct {
	name   string
	script *httpcheck.Script
	// first is the request that sends {{input}} first, for curl lines.
	first int
}

// compileSQLi builds sec.sqli: grader sends SQL injection probes of every
// family to each input the exercise declares, from outside the learner's
// code, and each answer must be what a made-up value gets. With the
// exercise's PostgreSQL, it also proves from PostgreSQL's own statement log
// that a harmless marker sent as each input reached the server only as a
// bind parameter, never inside a statement's text.
func (k *kinds) compileSQLi(p runner.Params) (runner.Checker, error) {
	var prm sqliParams
	plan, err := httpcheck.CompileServer(p, &prm)
	if err != nil {
		return nil, err
	}
	if len(prm.Inputs) == 0 {
		return nil, paramErr("inputs", "is required: the requests that carry a user's text, like {name: the search text, request: {path: /products, query: {q: \"{{input}}\"}, expect: {status: 200, json: []}}}")
	}
	c := &sqliCheck{hidden: p.Hidden}
	families := prm.Probes
	if len(families) == 0 {
		families = probeFamilies
	}
	for i, f := range families {
		if !slices.Contains(probeFamilies, f) {
			return nil, paramErr(fmt.Sprintf("probes[%d]", i), "%q is not a family of probes: use %s", f, strings.Join(probeFamilies, ", "))
		}
	}
	for _, pr := range probes {
		if slices.Contains(families, pr.family) {
			c.probes = append(c.probes, pr)
		}
	}
	for i, in := range prm.Inputs {
		field := fmt.Sprintf("inputs[%d]", i)
		one := in.Request.Path != "" || in.Request.Method != ""
		specs := in.Requests
		switch {
		case one && len(specs) > 0:
			return nil, paramErr(field, "give request or requests, not both")
		case one:
			specs = []httpcheck.RequestSpec{in.Request}
			field += ".request"
		case len(specs) == 0:
			return nil, paramErr(field, "give the request that sends {{input}}: request: {method: POST, path: /login, json: {username: \"{{input}}\", password: x}, expect: {status: 401}}")
		default:
			field += ".requests"
		}
		first := -1
		for j, rs := range specs {
			if mentionsInput(rs) {
				first = j
				break
			}
		}
		if first < 0 {
			return nil, paramErr(field, "no request sends {{input}}: put it where the user's text goes, like query: {q: \"{{input}}\"}")
		}
		name := in.Name
		if name == "" {
			name = fmt.Sprintf("input %d", i+1)
		}
		script, err := plan.CompileScript(specs, field, "Request", p.Hidden, "input", "nonce")
		if err != nil {
			return nil, err
		}
		c.inputs = append(c.inputs, sqliTarget{name: name, script: script, first: first})
	}
	return plan.Checker(k.servers, prm.Fresh, c.run), nil
}

// values are what one sending of an input's requests substitutes: the
// value as {{input}}, and {{nonce}}, random letters new for every sending,
// for an input stored under a key that must be unique (a username,
// registered again by every probe: "{{nonce}}{{input}}" keeps the
// payload's quote working).
func values(input string) map[string]any {
	return map[string]any{"input": input, "nonce": "n" + randomHex(4)}
}

// mentionsInput says whether a request sends {{input}} (in its path,
// query, headers or body).
func mentionsInput(rs httpcheck.RequestSpec) bool {
	has := func(s string) bool { return strings.Contains(strings.ReplaceAll(s, " ", ""), "{{input}}") }
	if has(rs.Path) || (rs.Body != nil && has(*rs.Body)) {
		return true
	}
	for k, v := range rs.Query {
		if has(k) || has(v) {
			return true
		}
	}
	for _, v := range rs.Headers {
		if has(v) {
			return true
		}
	}
	for k, v := range rs.Form {
		if has(k) || has(v) {
			return true
		}
	}
	return nodeMentions(&rs.JSON, has)
}

// nodeMentions says whether a scalar anywhere in n passes has.
func nodeMentions(n *yaml.Node, has func(string) bool) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.ScalarNode && has(n.Value) {
		return true
	}
	for _, c := range n.Content {
		if nodeMentions(c, has) {
			return true
		}
	}
	return false
}

func (c *sqliCheck) run(ctx context.Context, _ runner.Attempt, t httpcheck.Target) runner.Outcome {
	// A made-up value first, for each input: the answer every probe must
	// get, how long it takes, and (with a database) where it went.
	markers := make([]string, len(c.inputs))
	took := make([]time.Duration, len(c.inputs))
	log, hasLog := t.(statementLog)
	var mark postgres.LogMark
	if hasLog {
		var err error
		mark, err = log.StatementMark(ctx)
		switch {
		case errors.Is(err, attempt.ErrNoDatabase):
			hasLog = false
		case err != nil:
			return runner.Errored(fmt.Errorf("sec.sqli: %w", err))
		}
	}
	for i, in := range c.inputs {
		markers[i] = "zqmark" + randomHex(5)
		t0 := time.Now()
		if out := in.script.Run(ctx, t, values(markers[i])); out != nil {
			out.Message = fmt.Sprintf("With a harmless made-up value as %s (%q), the answer is not what it should be, so the probes cannot be judged yet.\n%s", in.name, markers[i], out.Message)
			return *out
		}
		took[i] = time.Since(t0)
	}
	sent := 0
	for i, in := range c.inputs {
		for _, pr := range c.probes {
			sent++
			t0 := time.Now()
			out := in.script.Run(ctx, t, values(pr.payload))
			d := time.Since(t0)
			if out != nil {
				if ctx.Err() != nil && pr.sleeps {
					return runner.Failed("%s", c.slow(in, pr, d, took[i]))
				}
				out.Message = fmt.Sprintf("SQL injection through %s: grader sent %s as the value. Treated as data, it would get the same answer as any made-up value; it did not, so it changed what your server did.\n%s\n%s",
					in.name, describe(pr), out.Message, fixText)
				return *out
			}
			if pr.sleeps && d >= took[i]+slowBy {
				if d, base, slow := confirmSlow(ctx, t, in, pr); slow {
					return runner.Failed("%s", c.slow(in, pr, d, base))
				}
			}
		}
	}
	// Then the evidence no answer shows: where each marker went.
	bound := 0
	if hasLog {
		stmts, err := log.Statements(ctx, mark)
		if err != nil {
			return runner.Errored(fmt.Errorf("sec.sqli: %w", err))
		}
		for i, in := range c.inputs {
			inText, asParam := whereMarker(stmts, markers[i])
			if inText != nil {
				return runner.Failed("%s", c.inText(in, markers[i], inText))
			}
			if asParam {
				bound++
			}
		}
	}
	msg := fmt.Sprintf("%d inputs resisted %d SQL injection probes (%s)", len(c.inputs), sent, strings.Join(c.families(), ", "))
	if len(c.inputs) == 1 {
		msg = fmt.Sprintf("the input resisted %d SQL injection probes (%s)", sent, strings.Join(c.families(), ", "))
	}
	if hasLog {
		switch bound {
		case len(c.inputs):
			msg += ", and PostgreSQL received every input only as a bind parameter"
		case 0:
			msg += "; no input reached PostgreSQL"
		default:
			msg += fmt.Sprintf(", and PostgreSQL received %d of the %d inputs only as bind parameters (the others never reached it)", bound, len(c.inputs))
		}
	}
	return runner.Passed(msg)
}

// confirmSlow sends a made-up value and the probe again, when the probe's
// answer was late once: a busy machine can make any answer late, but only
// a server that ran the pg_sleep is late by the whole sleep, twice, while a
// made-up value's answer between them is not. It returns the probe's and
// the made-up value's times of the second round.
func confirmSlow(ctx context.Context, t httpcheck.Target, in sqliTarget, pr probe) (d, base time.Duration, slow bool) {
	t0 := time.Now()
	if out := in.script.Run(ctx, t, values("zqmark"+randomHex(5))); out != nil {
		return 0, 0, false // the probes before judged this input; a flake now is not evidence
	}
	base = time.Since(t0)
	t0 = time.Now()
	_ = in.script.Run(ctx, t, values(pr.payload))
	d = time.Since(t0)
	return d, base, d >= sleepFor-300*time.Millisecond && d >= base+slowBy
}

// families are the families the check sends, in order.
func (c *sqliCheck) families() []string {
	var out []string
	for _, pr := range c.probes {
		if !slices.Contains(out, pr.family) {
			out = append(out, pr.family)
		}
	}
	return out
}

// fixText is the way out, the same for every failure.
const fixText = "Build the statement with placeholders and pass the value separately, so it can never be read as SQL: with psycopg, cur.execute(\"... WHERE name = %s\", (value,)); with Go's database/sql, db.Query(\"... WHERE name = $1\", value). Escaping quotes or refusing characters is not a fix."

// describe names a probe for messages.
func describe(pr probe) string {
	return fmt.Sprintf("%s (%s probe: %s)", quoteValue(pr.payload), pr.family, familyText[pr.family])
}

// quoteValue shows a value the way a learner would type it.
func quoteValue(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return fmt.Sprintf("%q", s)
}

// slow is the message of a time-based probe that made the answer late.
func (c *sqliCheck) slow(in sqliTarget, pr probe, d, base time.Duration) string {
	msg := fmt.Sprintf("SQL injection through %s: grader sent %s as the value, and the answer took %.1fs where a made-up value's took %.1fs: PostgreSQL ran the pg_sleep(3) inside it. Your server ran the value as SQL.",
		in.name, describe(pr), d.Seconds(), base.Seconds())
	if curl := in.script.Curl(in.first, values(pr.payload)); curl != "" && in.first == 0 {
		msg += "\nTry it: start your server and time:\n" + indent("time "+curl)
	}
	return msg + "\n" + fixText
}

// inText is the message of a marker that PostgreSQL received inside a
// statement's text.
func (c *sqliCheck) inText(in sqliTarget, marker string, st *postgres.Statement) string {
	text := st.Text
	if len(text) > 600 {
		text = text[:600] + " …"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Your server put %s into the text of an SQL statement. grader sent the harmless value %q, and PostgreSQL's own log shows it received:\n%s\n",
		in.name, marker, indent(text))
	b.WriteString("Whatever a user types there becomes part of the SQL, so a quote in it changes the statement (even if quotes are escaped or some characters refused, one missed case is enough). ")
	b.WriteString("The value must reach PostgreSQL as a bind parameter: the statement's text holds a placeholder ($1) and the value travels apart.\n")
	if curl := in.script.Curl(in.first, values(marker)); curl != "" && in.first == 0 {
		b.WriteString("The request:\n" + indent(curl) + "\n")
	}
	b.WriteString(fixText)
	return b.String()
}

// whereMarker finds marker in the statements: the first whose text holds
// it, and whether any carried it as a bound parameter.
func whereMarker(stmts []postgres.Statement, marker string) (inText *postgres.Statement, asParam bool) {
	for i := range stmts {
		if strings.Contains(stmts[i].Text, marker) {
			return &stmts[i], false
		}
		if strings.Contains(stmts[i].Params, marker) {
			asParam = true
		}
	}
	return nil, asParam
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
