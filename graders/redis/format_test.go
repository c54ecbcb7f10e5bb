package redis

import (
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{nil, "(nil)"},
		{"OK", `"OK"`},
		{"a\"b\n\x00é", `"a\"b\n\x00\xc3\xa9"`},
		{int64(42), "(integer) 42"},
		{[]any{}, "(empty array)"},
		{[]any{"alice", "30"}, "1) \"alice\"\n2) \"30\""},
		{[]any{"a", []any{"b", int64(1)}, nil}, "1) \"a\"\n2) 1) \"b\"\n   2) (integer) 1\n3) (nil)"},
		{[]any{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, " 1) \"1\"\n 2) \"2\"\n 3) \"3\"\n 4) \"4\"\n 5) \"5\"\n 6) \"6\"\n 7) \"7\"\n 8) \"8\"\n 9) \"9\"\n10) \"10\""},
	}
	for _, tt := range tests {
		if got := formatValue(tt.v); got != tt.want {
			t.Errorf("formatValue(%#v) =\n%s\nwant\n%s", tt.v, got, tt.want)
		}
	}
}

func reps(vals ...any) []reply {
	var rs []reply
	for i, v := range vals {
		r := reply{cmd: Command{Line: i + 1, Args: []string{"ZREVRANGE", "board", "0", "2", "WITHSCORES"}}}
		if e, ok := v.(error); ok {
			r.err = e.Error()
		} else {
			r.val = v
		}
		rs = append(rs, r)
	}
	return rs
}

type redisErr string

func (e redisErr) Error() string { return string(e) }

func TestCompareReplies(t *testing.T) {
	top := []any{"bob", "40", "ada", "35", "cy", "30"}
	tests := []struct {
		name      string
		want, got []reply
		unordered bool
		status    runner.Status
		msg       string
	}{
		{"same", reps(top), reps(top), false, runner.Pass, "top3.redis answers as expected"},
		{"reversed", reps(top), reps([]any{"cy", "30", "ada", "35", "bob", "40"}), false, runner.Fail, "top3.redis:1: ZREVRANGE board 0 2 WITHSCORES answered differently: the order is reversed"},
		{"no scores", reps(top), reps([]any{"bob", "ada", "cy"}), false, runner.Fail, "scores are missing (WITHSCORES)"},
		{"too many", reps(top), reps([]any{"bob", "40", "ada", "35", "cy", "30", "dee", "20"}), false, runner.Fail, "8 items where 6 were expected"},
		{"other numbers", reps(top), reps([]any{"bob", "40", "ada", "25", "cy", "30"}), false, runner.Fail, "answered differently"},
		{"error", reps(top), reps(redisErr("WRONGTYPE Operation against a key holding the wrong kind of value")), false, runner.Fail, "failed: WRONGTYPE"},
		{"refused", reps(top), reps(redisErr("NOPERM this user has no permissions to run the 'flushall' command")), false, runner.Fail, "ZREVRANGE is not allowed in this exercise"},
		{"count", reps(top), reps(int64(4), top), false, runner.Fail, "runs 2 commands; the expected answer comes from 1"},
		{"unordered", reps([]any{"a", "b"}), reps([]any{"b", "a"}), true, runner.Pass, ""},
		{"ordered", reps([]any{"a", "b"}), reps([]any{"b", "a"}), false, runner.Fail, "the order is reversed"},
	}
	for _, tt := range tests {
		out := compareReplies("top3.redis", tt.want, tt.got, tt.unordered)
		if out.Status != tt.status || !strings.Contains(out.Message, tt.msg) {
			t.Errorf("%s: %s %q, want %s with %q", tt.name, out.Status, out.Message, tt.status, tt.msg)
		}
		if out.Status == runner.Fail && (out.Expected == "" || out.Actual == "") && tt.name != "refused" {
			t.Errorf("%s: no expected/actual shown", tt.name)
		}
	}
}

func TestShowRepliesIsCompact(t *testing.T) {
	var long []any
	for range 100 {
		long = append(long, "x")
	}
	s := showReplies(reps(long), false)
	if n := strings.Count(s, "\n"); n > maxShownLines {
		t.Errorf("%d lines shown", n)
	}
	if !strings.HasSuffix(s, "(76 more lines)") {
		t.Errorf("no count of the lines left out: %q", s[len(s)-30:])
	}
}

func TestTTLJudge(t *testing.T) {
	r := &ttlRule{min: 50, max: 60}
	tests := []struct {
		rule   *ttlRule
		ttl    int64
		status runner.Status
		msg    string
	}{
		{r, 60, runner.Pass, ""},
		{r, 50, runner.Pass, ""},
		{r, -1, runner.Fail, "never expires: give it a time to live"},
		{r, 3600, runner.Fail, "expires in 3600s, outside 50s to 60s"},
		{r, 60000, runner.Fail, "milliseconds given as seconds"},
		{&ttlRule{none: true}, -1, runner.Pass, ""},
		{&ttlRule{none: true}, 59, runner.Fail, "should never expire"},
		{&ttlRule{min: 10, max: -1}, 9, runner.Fail, "outside at least 10s"},
	}
	for _, tt := range tests {
		out := tt.rule.judge("k", tt.ttl)
		if out.Status != tt.status || !strings.Contains(out.Message, tt.msg) {
			t.Errorf("%s with TTL %d: %s %q, want %s with %q", tt.rule, tt.ttl, out.Status, out.Message, tt.status, tt.msg)
		}
	}
}

func TestDiffs(t *testing.T) {
	if d := listDiff([]string{"a", "b", "c"}, []string{"a", "c", "b"}); d != `item 2 is c where b was expected: the order differs` {
		t.Errorf("order: %q", d)
	}
	if d := listDiff([]string{"a", "b"}, []string{"a", "x y"}); d != `missing: b; unexpected: "x y"` {
		t.Errorf("members: %q", d)
	}
	if d := mapDiff(map[string]string{"name": "Ada", "email": "a@x"}, map[string]string{"name": "Bob"}); d != `missing: email; name is "Bob", not "Ada"` {
		t.Errorf("fields: %q", d)
	}
	if d := mapDiff(map[string]string{"name": "Ada", "email": "a@x"}, map[string]string{"name": "Bob", "age": "3"}); d != `missing: email; unexpected: age; and 1 more differ` {
		t.Errorf("fields, more than are shown: %q", d)
	}
	if d := listDiff([]string{"a"}, []string{"a"}); d != "" {
		t.Errorf("equal: %q", d)
	}
}

// TestScoresFailureShowsTheDifferenceNotTheAnswer: a leaderboard whose every
// score is wrong fails naming two of them, with how many more differ, so a
// failure never hands over every final score to ZADD.
func TestScoresFailureShowsTheDifferenceNotTheAnswer(t *testing.T) {
	want := map[string]string{"ada": "1320", "bob": "1350", "cy": "1220", "dee": "1100", "eve": "1170", "fay": "400"}
	got := map[string]string{"ada": "120", "cy": "90", "eve": "300", "fay": "400"}
	d := diffEntries(want, got)
	if msg := d.describe(false); msg != `missing: bob, dee; and 3 more differ` {
		t.Errorf("message: %q", msg)
	}
	exp, act := d.sides()
	for _, score := range []string{"1320", "1220", "1170"} {
		if strings.Contains(exp+act, score) {
			t.Errorf("the failure shows the final score %s:\n%s\n%s", score, exp, act)
		}
	}
	if exp != "bob = \"1350\"\ndee = \"1100\"\n(2 of 6 shown)" || act != "(0 of 4 shown)" {
		t.Errorf("sides:\n%s\n--\n%s", exp, act)
	}
	if msg := d.describe(true); msg != "5 of them differ from the expected ones" {
		t.Errorf("quiet: %q", msg)
	}
}
