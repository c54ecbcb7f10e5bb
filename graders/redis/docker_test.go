package redis

// Tests against the real Docker engine and the local Redis image.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/runner/runnertest"
	"github.com/backendroadmap/grader/sandbox"
)

// compile compiles one check of kind with the given parameters, failing
// the test on a parameter error.
func compile(t testing.TB, ks runner.Kinds, kind string, p runner.Params) runner.Checker {
	t.Helper()
	c, err := ks[kind].Compile(p)
	if err != nil {
		t.Fatalf("compile %s: %v", kind, err)
	}
	return c
}

const profileSeed = `# users the cache sits in front of
HSET db:user:42 name Ada email ada@example.com
SET visits:home 10
`

var seedService = map[string]any{"seed": "seed.redis"}

func TestScriptRunsLearnerCommands(t *testing.T) {
	ks := Kinds(requireServices(t))
	files := map[string]string{"seed.redis": profileSeed}
	script := compile(t, ks, "redis.script", params(t, map[string]any{"file": "cache.redis"}, files, seedService))

	a := attempt(t, map[string]string{"cache.redis": `
HSET cache:user:42 name Ada email "ada@example.com"
EXPIRE cache:user:42 60
INCR visits:home
SET 'quote' "say \"hi\"\n"
`})
	defer a.Memo.Close()
	runnertest.Want(t, "good script", script.Check(t.Context(), a), runner.Pass, "4 commands")

	a2 := attempt(t, map[string]string{"cache.redis": "SET greeting hello\nLPUSH greeting world\nSET never ran\n"})
	defer a2.Memo.Close()
	runnertest.Want(t, "wrong type", script.Check(t.Context(), a2), runner.Fail, "cache.redis:2:", "LPUSH greeting world", "WRONGTYPE")

	a3 := attempt(t, map[string]string{"cache.redis": "SET k \"unterminated\n"})
	defer a3.Memo.Close()
	runnertest.Want(t, "syntax", script.Check(t.Context(), a3), runner.Fail, "cache.redis:1:7: unterminated double-quoted string")

	a4 := attempt(t, nil)
	defer a4.Memo.Close()
	runnertest.Want(t, "missing file", script.Check(t.Context(), a4), runner.Fail, "cache.redis is not in your workspace")
}

func TestDangerousCommandsAreRefused(t *testing.T) {
	ks := Kinds(requireServices(t))
	cmds := []string{
		"FLUSHALL", "flushdb", "CONFIG SET maxmemory 0", "CONFIG GET requirepass", "DEBUG SLEEP 30",
		"SHUTDOWN NOSAVE", "SELECT 1", "SWAPDB 0 1", "MOVE k 1", "ACL SETUSER learner +@all",
		"EVAL \"return redis.call('FLUSHALL')\" 0", "CLIENT KILL TYPE normal", "MONITOR", "SUBSCRIBE news",
		"BGSAVE", "CLIENT REPLY OFF", "WAIT 1 0", "REPLICAOF 127.0.0.1 1", "MIGRATE 127.0.0.1 1 k 0 100",
	}
	files := map[string]string{}
	for i, c := range cmds {
		files[string(rune('a'+i))+".redis"] = "SET k v\n" + c + "\n"
	}
	a := attempt(t, files)
	defer a.Memo.Close()
	for i, c := range cmds {
		name := string(rune('a'+i)) + ".redis"
		chk := compile(t, ks, "redis.script", params(t, map[string]any{"file": name}, nil, nil))
		out := chk.Check(t.Context(), a)
		runnertest.Want(t, c, out, runner.Fail, name+":2:", "is not allowed in this exercise")
	}
	// The server is still there, with its data: SHUTDOWN and FLUSHALL did nothing.
	key := compile(t, ks, "redis.key", params(t, map[string]any{"key": "k", "value": "v"}, nil, nil))
	runnertest.Want(t, "after the refusals", key.Check(t.Context(), a), runner.Pass)
	// KEYS and SORT are given back to learners.
	ok := compile(t, ks, "redis.script", params(t, map[string]any{"file": "ok.redis"}, nil, nil))
	if err := writeFile(a.Dir, "ok.redis", "RPUSH l 3 1 2\nKEYS *\nSORT l\nMULTI\nINCR n\nEXEC\n"); err != nil {
		t.Fatal(err)
	}
	runnertest.Want(t, "keys, sort, multi", ok.Check(t.Context(), a), runner.Pass)
}

func TestBlockingCommandEndsBeforeTheDeadline(t *testing.T) {
	ks := Kinds(requireServices(t))
	script := compile(t, ks, "redis.script", params(t, map[string]any{"file": "queue.redis"}, nil, nil))
	warm := compile(t, ks, "redis.script", params(t, map[string]any{"file": "warm.redis"}, nil, nil))
	a := attempt(t, map[string]string{"queue.redis": "RPUSH other x\nBLPOP jobs 0\n", "warm.redis": "PING\n"})
	defer a.Memo.Close()
	// An earlier check starts the server, outside the deadline under test.
	runnertest.Want(t, "warm up", warm.Check(t.Context(), a), runner.Pass)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	out := script.Check(ctx, a)
	took := time.Since(start)
	t.Logf("BLPOP 0 with a 2s deadline ended after %v: %s", took.Round(time.Millisecond), out.Message)
	if took > 2500*time.Millisecond {
		t.Errorf("the check took %v, past its 2s deadline", took)
	}
	if out.Status == runner.Pass {
		t.Errorf("BLPOP 0 passed: %s", out.Message)
	}

	// Within the command timeout the message names the command.
	a2 := attempt(t, map[string]string{"queue.redis": "BLPOP jobs 0\n"})
	defer a2.Memo.Close()
	ctx2, cancel2 := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel2()
	runnertest.Want(t, "BLPOP 0", script.Check(ctx2, a2), runner.Fail, "queue.redis:1: BLPOP jobs 0 did not answer within", "blocking command")
}

func TestKeyAssertions(t *testing.T) {
	ks := Kinds(requireServices(t))
	files := map[string]string{"seed.redis": profileSeed}
	a := attempt(t, map[string]string{"cache.redis": `
HSET cache:user:42 name Ada email ada@example.com
EXPIRE cache:user:42 60
SET session:abc user42 EX 1800
SET banner "Hello\x21"
RPUSH recent a b c
SADD tags go redis
ZADD board 30 ada 20 bob 25 cy
SET wrongunit x
EXPIRE wrongunit 60000
DEL visits:home
`})
	defer a.Memo.Close()
	cases := []struct {
		name  string
		with  map[string]any
		s     runner.Status
		parts []string
	}{
		{"hash with fields and ttl", map[string]any{"key": "cache:user:42", "fields": map[string]string{"name": "Ada", "email": "ada@example.com"}, "ttl": map[string]int{"min": 50, "max": 60}}, runner.Pass, nil},
		{"hash members", map[string]any{"key": "cache:user:42", "members": []string{"email", "name"}}, runner.Pass, nil},
		{"wrong field", map[string]any{"key": "cache:user:42", "fields": map[string]string{"name": "Ada", "email": "ada@example.org"}}, runner.Fail, []string{`email is "ada@example.com", not "ada@example.org"`}},
		{"string value", map[string]any{"key": "banner", "value": "Hello!"}, runner.Pass, nil},
		{"string value differs", map[string]any{"key": "banner", "value": "Hello"}, runner.Fail, []string{"another value"}},
		{"session ttl", map[string]any{"key": "session:abc", "ttl": map[string]int{"min": 1790, "max": 1800}}, runner.Pass, nil},
		{"no ttl wanted", map[string]any{"key": "session:abc", "ttl": "none"}, runner.Fail, []string{"should never expire"}},
		{"ttl none", map[string]any{"key": "banner", "ttl": "none"}, runner.Pass, nil},
		{"ttl missing", map[string]any{"key": "banner", "ttl": map[string]int{"min": 50, "max": 60}}, runner.Fail, []string{"never expires", "EXPIRE"}},
		{"wrong unit", map[string]any{"key": "wrongunit", "ttl": map[string]int{"min": 50, "max": 60}}, runner.Fail, []string{"60000s", "milliseconds"}},
		{"list in order", map[string]any{"key": "recent", "members": []string{"a", "b", "c"}}, runner.Pass, nil},
		{"list order", map[string]any{"key": "recent", "members": []string{"c", "b", "a"}}, runner.Fail, []string{"order differs"}},
		{"set any order", map[string]any{"key": "tags", "type": "set", "members": []string{"redis", "go"}}, runner.Pass, nil},
		{"set missing", map[string]any{"key": "tags", "members": []string{"redis", "go", "sql"}}, runner.Fail, []string{`missing: sql`}},
		{"scores", map[string]any{"key": "board", "scores": map[string]float64{"ada": 30, "bob": 20, "cy": 25}}, runner.Pass, nil},
		{"scores differ", map[string]any{"key": "board", "scores": map[string]float64{"ada": 31, "bob": 20, "cy": 25}}, runner.Fail, []string{`ada is "30", not "31"`}},
		{"type", map[string]any{"key": "board", "type": "hash"}, runner.Fail, []string{"is a zset, not a hash"}},
		{"deleted", map[string]any{"key": "visits:home", "exists": false}, runner.Pass, nil},
		{"seeded, untouched", map[string]any{"key": "db:user:42", "exists": true}, runner.Pass, nil},
		{"absent", map[string]any{"key": "nope", "value": "x"}, runner.Fail, []string{"does not exist"}},
	}
	for _, c := range cases {
		c.with["script"] = "cache.redis"
		chk := compile(t, ks, "redis.key", params(t, c.with, files, seedService))
		runnertest.Want(t, c.name, chk.Check(t.Context(), a), c.s, c.parts...)
	}
}

// TestCheckOnItsOwnSeed: a check with a seed of its own runs the learner's
// script, and the reference's, on a Redis seeded from it, so a script that
// writes the final scores it was shown (ZADD) instead of adding the games'
// points (ZINCRBY) passes on the exercise's seed and fails there.
func TestCheckOnItsOwnSeed(t *testing.T) {
	ks := Kinds(requireServices(t))
	files := map[string]string{
		"seed.redis":           "ZADD board 10 ada 40 bob\n",
		"other.redis":          "ZADD board 70 ada 5 bob\n",
		"solution/games.redis": "ZINCRBY board 25 ada\n",
		"exercise.yaml":        "solution:\n  files: solution\n",
	}
	query := map[string]any{"script": "games.redis", "command": "ZRANGE board 0 -1 WITHSCORES"}
	visible := compile(t, ks, "redis.result", params(t, query, files, seedService))
	query["seed"] = "other.redis"
	other := compile(t, ks, "redis.result", params(t, query, files, seedService))
	key := compile(t, ks, "redis.key", params(t, map[string]any{"script": "games.redis", "key": "board", "seed": "other.redis",
		"scores": map[string]float64{"ada": 95, "bob": 5}}, files, seedService))
	for _, c := range []struct {
		name  string
		games string
		other runner.Status
	}{
		{"ZINCRBY", "ZINCRBY board 25 ada\n", runner.Pass},
		{"the final scores copied", "ZADD board 35 ada 40 bob\n", runner.Fail},
	} {
		a := attempt(t, map[string]string{"games.redis": c.games})
		runnertest.Want(t, c.name+" on the exercise's seed", visible.Check(t.Context(), a), runner.Pass)
		runnertest.Want(t, c.name+" on the check's own seed", other.Check(t.Context(), a), c.other)
		runnertest.Want(t, c.name+" (redis.key) on the check's own seed", key.Check(t.Context(), a), c.other)
		a.Memo.Close()
	}
	if _, err := ks["redis.result"].Compile(params(t, map[string]any{"script": "games.redis", "command": "ZCARD board", "seed": "nowhere.redis"}, files, seedService)); err == nil || !strings.Contains(err.Error(), "nowhere.redis") {
		t.Errorf("a seed that is not there: %v", err)
	}
	assertNoLeftovers(t)
}

func TestResultComparesWithTheReference(t *testing.T) {
	ks := Kinds(requireServices(t))
	files := map[string]string{
		"seed.redis":           "ZADD board 10 ada 40 bob 30 cy 20 dee\n",
		"solution/games.redis": "ZINCRBY board 25 ada\nZINCRBY board 5 dee\n",
		"solution/top3.redis":  "ZRANGE board 0 2 REV WITHSCORES\n",
		"exercise.yaml":        "solution:\n  files: solution\n",
	}
	svc := seedService
	result := compile(t, ks, "redis.result", params(t, map[string]any{"script": "games.redis", "file": "top3.redis"}, files, svc))
	rank := compile(t, ks, "redis.result", params(t, map[string]any{"script": "games.redis", "command": "ZREVRANK board ada\nZSCORE board dee"}, files, svc))
	cases := []struct {
		name       string
		games, top string
		s          runner.Status
		parts      []string
	}{
		{"right", "ZINCRBY board 25 ada\nZINCRBY board 5 dee\n", "ZREVRANGE board 0 2 WITHSCORES\n", runner.Pass, nil},
		{"ascending", "ZINCRBY board 25 ada\nZINCRBY board 5 dee\n", "ZRANGE board -3 -1 WITHSCORES\n", runner.Fail, []string{"order is reversed"}},
		{"no scores", "ZINCRBY board 25 ada\nZINCRBY board 5 dee\n", "ZREVRANGE board 0 2\n", runner.Fail, []string{"WITHSCORES"}},
		{"ZADD overwrote", "ZADD board 25 ada\nZADD board 5 dee\n", "ZREVRANGE board 0 2 WITHSCORES\n", runner.Fail, []string{"answered differently"}},
		{"two commands", "ZINCRBY board 25 ada\nZINCRBY board 5 dee\n", "ZCARD board\nZREVRANGE board 0 2 WITHSCORES\n", runner.Fail, []string{"runs 2 commands", "from 1"}},
		{"refused", "ZINCRBY board 25 ada\nZINCRBY board 5 dee\n", "FLUSHALL\n", runner.Fail, []string{"not allowed"}},
	}
	for _, c := range cases {
		a := attempt(t, map[string]string{"games.redis": c.games, "top3.redis": c.top})
		out := result.Check(t.Context(), a)
		runnertest.Want(t, c.name, out, c.s, c.parts...)
		t.Logf("%s: %s\nexpected:\n%s\nactual:\n%s", c.name, out.Message, out.Expected, out.Actual)
		if c.name == "right" || c.name == "ZADD overwrote" {
			wantRank := runner.Pass
			if c.name != "right" {
				wantRank = runner.Fail
			}
			runnertest.Want(t, c.name+" (rank)", rank.Check(t.Context(), a), wantRank)
		}
		a.Memo.Close()
	}
	assertNoLeftovers(t)
}

func TestAttemptContainerIsRemoved(t *testing.T) {
	ks := Kinds(requireServices(t))
	chk := compile(t, ks, "redis.script", params(t, map[string]any{"file": "a.redis"}, nil, nil))
	ex := &runner.Exercise{ID: "x", Checks: []runner.Check{{ID: "script", Name: "script", Kind: "redis.script", Checker: chk, Timeout: 30 * time.Second}}}
	a := attempt(t, map[string]string{"a.redis": "SET a 1\n"})
	a.Memo = nil
	rep := runner.Run(t.Context(), ex, a, runner.Options{})
	if rep.Status != runner.Pass {
		t.Fatalf("report %s: %+v", rep.Status, rep.Checks)
	}
	assertNoLeftovers(t)
}

func TestSandboxFailureIsAnError(t *testing.T) {
	e := requireEngine(t)
	ks := Kinds(envServices(e))
	chk := compile(t, ks, "redis.script", params(t, map[string]any{"file": "a.redis"}, nil, map[string]any{"image": "grader-missing.invalid/redis:0"}))
	a := attempt(t, map[string]string{"a.redis": "SET a 1\n"})
	defer a.Memo.Close()
	out := chk.Check(t.Context(), a)
	runnertest.Want(t, "missing image", out, runner.Error, "grader-missing.invalid/redis:0")
	t.Logf("missing image: %s", out.Message)

	none := compile(t, Kinds(nil), "redis.script", params(t, map[string]any{"file": "a.redis"}, nil, nil))
	// A wiring mistake is grader's: the learner reads whose fault it is,
	// and -v or the JSON report what broke.
	out = none.Check(t.Context(), a)
	runnertest.Want(t, "no engine", out, runner.Error, "not your work")
	if !strings.Contains(out.Detail, "no sandbox engine") {
		t.Errorf("no engine: detail %q lacks what broke", out.Detail)
	}
}

// TestStartTime measures a Redis container's start, to the first PONG.
func TestStartTime(t *testing.T) {
	e := requireEngine(t)
	k := &kinds{services: envServices(e), refs: newRefCache()}
	var total time.Duration
	const n = 3
	for range n {
		memo := &runner.Memo{}
		srv, err := k.start(t.Context(), runner.Attempt{Memo: memo}, DefaultImage)
		if err != nil {
			var se *sandbox.Error
			if errors.As(err, &se) {
				t.Fatalf("start: %v (hint: %s)", err, se.Hint)
			}
			t.Fatal(err)
		}
		t.Logf("container start to first PONG: %v", srv.started.Round(time.Millisecond))
		total += srv.started
		srv.remove()
		memo.Close()
	}
	t.Logf("mean over %d: %v", n, (total / n).Round(time.Millisecond))
	assertNoLeftovers(t)
}
