package redis

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// keyParams are redis.key's parameters.
type keyParams struct {
	// Key is the key asserted about.
	Key string `yaml:"key"`
	// Script is a learner's command file to run first (once per attempt,
	// shared with redis.script), so the check stands on its own.
	Script string `yaml:"script"`
	// Exists asserts that the key exists (true, the default when any other
	// assertion is given) or does not (false).
	Exists *bool `yaml:"exists"`
	// Type is string, list, set, zset or hash.
	Type string `yaml:"type"`
	// Value is a string key's exact value.
	Value *string `yaml:"value"`
	// TTL is `none` (no expiry) or {min, max} in seconds, inclusive.
	TTL yaml.Node `yaml:"ttl"`
	// Members are a list's items (in order), a set's or sorted set's
	// members, or a hash's field names (in any order).
	Members []string `yaml:"members"`
	// Fields are a hash's exact fields and values.
	Fields map[string]string `yaml:"fields"`
	// Scores are a sorted set's exact members and scores.
	Scores map[string]float64 `yaml:"scores"`
	// Seed, when set, is a command file of the exercise that replaces the
	// services block's seed for this check, as in redis.result: the
	// assertions are about what Script makes of that data.
	Seed string `yaml:"seed"`
}

// ttlRule is a compiled `ttl` parameter.
type ttlRule struct {
	none     bool
	min, max int64
}

var redisTypes = []string{"string", "list", "set", "zset", "hash"}

// parseTTL reads `ttl: none` or `ttl: {min: 50, max: 60}`.
func parseTTL(n *yaml.Node) (*ttlRule, error) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		if n.Value == "none" {
			return &ttlRule{none: true}, nil
		}
		return nil, paramErr("ttl", "%q: write `none` (the key must not expire) or a range such as {min: 50, max: 60} in seconds", n.Value)
	case yaml.MappingNode:
		r := &ttlRule{min: -1, max: -1}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1].Value
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil || sec < 0 {
				return nil, paramErr("ttl."+k, "%q is not a whole number of seconds", v)
			}
			switch k {
			case "min":
				r.min = sec
			case "max":
				r.max = sec
			default:
				return nil, paramErr("ttl."+k, "unknown; a ttl range has min and max, in seconds")
			}
		}
		if r.min < 0 && r.max < 0 {
			return nil, paramErr("ttl", "give min, max or both, in seconds")
		}
		if r.min < 0 {
			r.min = 0
		}
		if r.max >= 0 && r.max < r.min {
			return nil, paramErr("ttl", "max (%d) is below min (%d)", r.max, r.min)
		}
		return r, nil
	}
	return nil, paramErr("ttl", "write `none` or a range such as {min: 50, max: 60}")
}

// keyCheck is a compiled redis.key.
type keyCheck struct {
	keyParams
	ttl *ttlRule
	// hidden: a failure says how many entries differ, not which (see
	// [runner.Params.Hidden]).
	hidden bool
}

// compileKey builds redis.key: after the script (if named) ran, one key
// exists or not and has the type, value, expiry and members asked for. It
// reads the key as the admin, with commands that change nothing (TTL is
// read, never refreshed).
func (k *kinds) compileKey(p runner.Params, prm *keyParams) (runner.Checker, error) {
	c := keyCheck{keyParams: *prm}
	// The services block before the parameters' own checks, so its errors
	// come first.
	e, err := loadEnv(p)
	if err != nil {
		return nil, err
	}
	if e, err = e.withSeed(p.Files, c.Seed); err != nil {
		return nil, err
	}
	c.hidden = p.Hidden
	if c.Key == "" {
		return nil, paramErr("key", "is required")
	}
	if c.Script, err = workspaceFileParam("script", c.Script, false); err != nil {
		return nil, err
	}
	if c.ttl, err = parseTTL(&c.TTL); err != nil {
		return nil, err
	}
	if c.Type != "" && !slices.Contains(redisTypes, c.Type) {
		return nil, paramErr("type", "%q is not one of %s", c.Type, strings.Join(redisTypes, ", "))
	}
	asserts := c.Type != "" || c.Value != nil || c.ttl != nil || c.Members != nil || c.Fields != nil || c.Scores != nil
	if c.Exists != nil && !*c.Exists && asserts {
		return nil, paramErr("exists", "false cannot be combined with type, value, ttl, members, fields or scores")
	}
	if c.Exists == nil && !asserts {
		return nil, paramErr("key", "say what to check: exists, type, value, ttl, members, fields or scores")
	}
	implied := ""
	switch {
	case c.Value != nil:
		implied = "string"
	case c.Fields != nil:
		implied = "hash"
	case c.Scores != nil:
		implied = "zset"
	}
	if implied != "" {
		if c.Type != "" && c.Type != implied {
			return nil, paramErr("type", "%s, but the parameters given are for a %s", c.Type, implied)
		}
		c.Type = implied
	}
	if c.Value != nil && c.Members != nil {
		return nil, paramErr("members", "a string has a value, not members")
	}
	return k.checker(e, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		if c.Script != "" {
			if out := k.runScriptOnce(ctx, a, e, c.Script); out.Status != runner.Pass {
				return scriptFirst(c.Script, out)
			}
		}
		srv, err := k.attemptServer(ctx, a, e)
		if err != nil {
			return runner.Errored(err)
		}
		out, err := c.check(ctx, srv.admin)
		if err != nil {
			return runner.Errored(fmt.Errorf("read key %s: %w", quoteArg(c.Key), err))
		}
		return out
	}), nil
}

// scriptFirst reports a check that needs a script that did not run cleanly.
func scriptFirst(file string, out runner.Outcome) runner.Outcome {
	if out.Status == runner.Error {
		return out
	}
	return runner.Failed("%s must run without errors first: %s", file, out.Message)
}

// check judges the key. The error is an infrastructure failure.
func (c *keyCheck) check(ctx context.Context, r *goredis.Client) (runner.Outcome, error) {
	key := quoteArg(c.Key)
	n, err := r.Exists(ctx, c.Key).Result()
	if err != nil {
		return runner.Outcome{}, err
	}
	if c.Exists != nil && !*c.Exists {
		if n > 0 {
			typ, _ := r.Type(ctx, c.Key).Result()
			return runner.Failed("key %s still exists (a %s): it should have been deleted or have expired", key, typ), nil
		}
		return runner.Passed(fmt.Sprintf("key %s does not exist", key)), nil
	}
	if n == 0 {
		return runner.Failed("key %s does not exist: check its name (keys are case-sensitive) and that your commands create it", key), nil
	}
	typ, err := r.Type(ctx, c.Key).Result()
	if err != nil {
		return runner.Outcome{}, err
	}
	if c.Type != "" && typ != c.Type {
		return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("key %s is a %s, not a %s", key, typ, c.Type), Expected: c.Type, Actual: typ}, nil
	}
	if c.Value != nil {
		v, err := r.Get(ctx, c.Key).Result()
		if err != nil {
			return runner.Outcome{}, err
		}
		if v != *c.Value {
			return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("key %s holds another value", key), Expected: quoteString(*c.Value), Actual: quoteString(v)}, nil
		}
	}
	if c.Members != nil {
		out, err := c.checkMembers(ctx, r, typ)
		if err != nil || out.Status != runner.Pass {
			return out, err
		}
	}
	if c.Fields != nil {
		got, err := r.HGetAll(ctx, c.Key).Result()
		if err != nil {
			return runner.Outcome{}, err
		}
		if d := diffEntries(c.Fields, got); d.count() > 0 {
			exp, act := d.sides()
			return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("hash %s has other fields: %s", key, d.describe(c.hidden)), Expected: exp, Actual: act}, nil
		}
	}
	if c.Scores != nil {
		zs, err := r.ZRangeWithScores(ctx, c.Key, 0, -1).Result()
		if err != nil {
			return runner.Outcome{}, err
		}
		want, got := map[string]string{}, map[string]string{}
		for m, s := range c.Scores {
			want[m] = formatScore(s)
		}
		for _, z := range zs {
			got[fmt.Sprint(z.Member)] = formatScore(z.Score)
		}
		if d := diffEntries(want, got); d.count() > 0 {
			exp, act := d.sides()
			return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("sorted set %s has other members or scores: %s", key, d.describe(c.hidden)), Expected: exp, Actual: act}, nil
		}
	}
	if c.ttl != nil {
		ttl, err := r.Do(ctx, "TTL", c.Key).Int64()
		if err != nil {
			return runner.Outcome{}, err
		}
		if out := c.ttl.judge(key, ttl); out.Status != runner.Pass {
			return out, nil
		}
	}
	return runner.Passed(fmt.Sprintf("key %s is as expected", key)), nil
}

// judge compares a TTL reply (-1: no expiry) with the rule.
func (t *ttlRule) judge(key string, ttl int64) runner.Outcome {
	show := func(s int64) string {
		if s < 0 {
			return "none"
		}
		return fmt.Sprintf("%ds", s)
	}
	switch {
	case t.none && ttl >= 0:
		return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("key %s expires in %ds, but it should never expire: remove the expiry (PERSIST, or SET without EX)", key, ttl), Expected: "none", Actual: show(ttl)}
	case t.none:
		return runner.Passed("")
	case ttl < 0:
		return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("key %s never expires: give it a time to live (SET ... EX seconds, or EXPIRE key seconds)", key), Expected: t.String(), Actual: "none"}
	case ttl < t.min || t.max >= 0 && ttl > t.max:
		msg := fmt.Sprintf("key %s expires in %ds, outside %s", key, ttl, t)
		if t.max > 0 && ttl > t.max && ttl/1000 >= t.min && ttl/1000 <= t.max {
			msg += ": a time in milliseconds given as seconds? EXPIRE and SET ... EX take seconds; PEXPIRE and PX take milliseconds"
		}
		return runner.Outcome{Status: runner.Fail, Message: msg, Expected: t.String(), Actual: show(ttl)}
	}
	return runner.Passed("")
}

// String renders the rule as the spec wrote it.
func (t *ttlRule) String() string {
	if t.none {
		return "none"
	}
	if t.max < 0 {
		return fmt.Sprintf("at least %ds", t.min)
	}
	return fmt.Sprintf("%ds to %ds", t.min, t.max)
}

// checkMembers compares a list's items in order, or a set's, sorted set's
// or hash's members in any order.
func (c *keyCheck) checkMembers(ctx context.Context, r *goredis.Client, typ string) (runner.Outcome, error) {
	var got []string
	var err error
	ordered := false
	switch typ {
	case "list":
		got, err = r.LRange(ctx, c.Key, 0, -1).Result()
		ordered = true
	case "set":
		got, err = r.SMembers(ctx, c.Key).Result()
	case "zset":
		got, err = r.ZRange(ctx, c.Key, 0, -1).Result()
	case "hash":
		got, err = r.HKeys(ctx, c.Key).Result()
	default:
		return runner.Failed("key %s is a %s, which has no members: use a list, set, sorted set or hash", quoteArg(c.Key), typ), nil
	}
	if err != nil {
		return runner.Outcome{}, err
	}
	want := c.Members
	if !ordered {
		want = slices.Sorted(slices.Values(want))
		got = slices.Sorted(slices.Values(got))
	}
	if d := listDiff(want, got); d != "" {
		what := map[string]string{"list": "list", "set": "set", "zset": "sorted set", "hash": "hash"}[typ]
		return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("%s %s holds other members: %s", what, quoteArg(c.Key), d), Expected: showList(want), Actual: showList(got)}, nil
	}
	return runner.Passed(""), nil
}

// shownEntries bounds the fields or members a failure names and shows: enough
// to see the mistake, never the whole expected answer to copy into a script.
const shownEntries = 2

// entryDiff is how a hash's fields or a sorted set's scores differ from the
// expected ones: the keys missing, unexpected and holding another value.
type entryDiff struct {
	want, got               map[string]string
	missing, extra, changed []string // sorted
}

func diffEntries(want, got map[string]string) entryDiff {
	d := entryDiff{want: want, got: got}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		switch g, ok := got[k]; {
		case !ok:
			d.missing = append(d.missing, k)
		case g != want[k]:
			d.changed = append(d.changed, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			d.extra = append(d.extra, k)
		}
	}
	return d
}

func (d entryDiff) count() int { return len(d.missing) + len(d.extra) + len(d.changed) }

// shown returns the first [shownEntries] differing keys of each kind, in
// the order the message names them.
func (d entryDiff) shown() (missing, extra, changed []string) {
	budget := shownEntries
	take := func(xs []string) []string {
		n := min(len(xs), budget)
		budget -= n
		return xs[:n]
	}
	return take(d.missing), take(d.extra), take(d.changed)
}

// describe says how the entries differ, naming the first few; quiet says
// only how many, for a hidden check.
func (d entryDiff) describe(quiet bool) string {
	n := d.count()
	if quiet {
		return fmt.Sprintf("%d of them differ from the expected ones", n)
	}
	missing, extra, changed := d.shown()
	quote := func(xs []string) string {
		q := make([]string, len(xs))
		for i, x := range xs {
			q[i] = quoteArg(x)
		}
		return strings.Join(q, ", ")
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing: "+quote(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "unexpected: "+quote(extra))
	}
	for _, k := range changed {
		parts = append(parts, fmt.Sprintf("%s is %s, not %s", quoteArg(k), quoteString(d.got[k]), quoteString(d.want[k])))
	}
	if more := n - len(missing) - len(extra) - len(changed); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more differ", more))
	}
	return strings.Join(parts, "; ")
}

// sides renders the shown entries of each side, with how many there are in
// all: a failure's Expected and Actual.
func (d entryDiff) sides() (expected, actual string) {
	missing, extra, changed := d.shown()
	show := func(m map[string]string, keys []string) string {
		keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { _, ok := m[k]; return !ok })
		lines := make([]string, 0, len(keys)+1)
		for _, k := range keys {
			lines = append(lines, quoteArg(k)+" = "+quoteString(m[k]))
		}
		return strings.Join(append(lines, fmt.Sprintf("(%d of %d shown)", len(keys), len(m))), "\n")
	}
	keys := slices.Concat(missing, extra, changed)
	return show(d.want, keys), show(d.got, keys)
}

// mapDiff says how got differs from want, naming the first few entries;
// "" when they are equal.
func mapDiff(want, got map[string]string) string {
	if d := diffEntries(want, got); d.count() > 0 {
		return d.describe(false)
	}
	return ""
}

func showList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = quoteString(x)
	}
	return clipLines(strings.Join(q, "\n"), maxShownLines)
}

// formatScore renders a score as Redis does: 3, 2.5, inf.
func formatScore(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
