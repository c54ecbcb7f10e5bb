package redis

import (
	"errors"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// TestCompileRejectsBadParameters needs no Docker: parameters are checked
// when the catalog loads, and the errors name the parameter.
func TestCompileRejectsBadParameters(t *testing.T) {
	files := map[string]string{
		"seed.redis":          "SET a 1\n",
		"bad-seed.redis":      "SET a \"1\n",
		"solution/top.redis":  "ZRANGE b 0 2 REV\n",
		"solution/play.redis": "ZINCRBY b 1 x\n",
		"exercise.yaml":       "solution:\n  files: solution\n",
	}
	tests := []struct {
		kind    string
		with    map[string]any
		service map[string]any
		field   string // the ParamError's field; "" for another error
		msg     string
	}{
		{"redis.script", map[string]any{}, nil, "file", "is required"},
		{"redis.script", map[string]any{"file": "../x.redis"}, nil, "file", "relative path inside the workspace"},
		{"redis.script", map[string]any{"file": `a\b.redis`}, nil, "file", "use / to separate folders"},
		{"redis.script", map[string]any{"file": ".grader/x.redis"}, nil, "file", "inside .grader"},
		{"redis.script", map[string]any{"file": "a.redis"}, map[string]any{"seed": "missing.redis"}, "", "services.redis.seed: missing.redis is not in the exercise folder"},
		{"redis.script", map[string]any{"file": "a.redis"}, map[string]any{"seed": "bad-seed.redis"}, "", "services.redis.seed: bad-seed.redis:1:7: unterminated"},
		{"redis.script", map[string]any{"file": "a.redis"}, map[string]any{"seed": "/etc/passwd"}, "", "not a relative, slash-separated path"},
		{"redis.key", map[string]any{"exists": true}, nil, "key", "is required"},
		{"redis.key", map[string]any{"key": "k"}, nil, "key", "say what to check"},
		{"redis.key", map[string]any{"key": "k", "type": "stream"}, nil, "type", `"stream" is not one of string, list, set, zset, hash`},
		{"redis.key", map[string]any{"key": "k", "exists": false, "value": "x"}, nil, "exists", "cannot be combined"},
		{"redis.key", map[string]any{"key": "k", "type": "hash", "value": "x"}, nil, "type", "parameters given are for a string"},
		{"redis.key", map[string]any{"key": "k", "ttl": "forever"}, nil, "ttl", "write `none`"},
		{"redis.key", map[string]any{"key": "k", "ttl": map[string]any{"min": 60, "max": 50}}, nil, "ttl", "max (50) is below min (60)"},
		{"redis.key", map[string]any{"key": "k", "ttl": map[string]any{"minimum": 5}}, nil, "ttl.minimum", "unknown"},
		{"redis.key", map[string]any{"key": "k", "ttl": map[string]any{"min": "1m"}}, nil, "ttl.min", "whole number of seconds"},
		{"redis.key", map[string]any{"key": "k", "ttl": []int{1}}, nil, "ttl", "write `none`"},
		{"redis.key", map[string]any{"key": "k", "value": "x", "members": []string{"a"}}, nil, "members", "a string has a value"},
		{"redis.key", map[string]any{"key": "k", "exists": true, "script": "/abs.redis"}, nil, "script", "relative path"},
		{"redis.result", map[string]any{}, nil, "file", "is required"},
		{"redis.result", map[string]any{"file": "top.redis", "command": "PING"}, nil, "command", "not both"},
		{"redis.result", map[string]any{"command": "ZSCORE b x"}, nil, "script", "is required with command"},
		{"redis.result", map[string]any{"command": "GET \"x", "script": "play.redis"}, nil, "command", "command:1:5: unterminated"},
		{"redis.result", map[string]any{"file": "other.redis"}, nil, "reference", "solution/other.redis is not in the exercise folder"},
		{"redis.result", map[string]any{"file": "top.redis", "script": "nope.redis"}, nil, "script", "solution/nope.redis is not in the exercise folder"},
		{"redis.result", map[string]any{"file": "top.redis", "reference": "../up.redis"}, nil, "reference", "relative path inside the exercise folder"},
		{"redis.result", map[string]any{"command": "PING", "script": "play.redis", "reference": "solution/top.redis"}, nil, "reference", "goes with file"},
	}
	for _, tt := range tests {
		ks := Kinds(nil)
		_, err := ks[tt.kind].Compile(params(t, tt.with, files, tt.service))
		if err == nil {
			t.Errorf("%s %v: compiled; want an error", tt.kind, tt.with)
			continue
		}
		var pe *runner.ParamError
		switch {
		case tt.field != "" && !errors.As(err, &pe):
			t.Errorf("%s %v: %v is not a *runner.ParamError", tt.kind, tt.with, err)
		case tt.field != "" && pe.Field != tt.field:
			t.Errorf("%s %v: field %q, want %q (%v)", tt.kind, tt.with, pe.Field, tt.field, err)
		case !strings.Contains(err.Error(), tt.msg):
			t.Errorf("%s %v: %q lacks %q", tt.kind, tt.with, err, tt.msg)
		}
	}
}

func TestCompileAcceptsGoodParameters(t *testing.T) {
	files := map[string]string{
		"seed.redis":           "SET a 1\n",
		"answers/top.redis":    "ZRANGE b 0 2 REV\n",
		"solution/play.redis":  "ZINCRBY b 1 x\n",
		"solution/top.redis":   "ZRANGE b 0 2 REV\n",
		"exercise.yaml":        "solution:\n  files: solution\n",
		"answers/play.redis":   "ZINCRBY b 1 x\n",
		"solution/other.redis": "PING\n",
	}
	svc := map[string]any{"seed": "seed.redis", "image": "redis:7"}
	for _, c := range []struct {
		kind string
		with map[string]any
	}{
		{"redis.script", map[string]any{"file": "cache.redis"}},
		{"redis.script", map[string]any{"file": "sub/cache.redis"}},
		{"redis.key", map[string]any{"key": "k", "exists": false}},
		{"redis.key", map[string]any{"key": "k", "ttl": "none", "script": "cache.redis"}},
		{"redis.key", map[string]any{"key": "k", "ttl": map[string]any{"min": 50}}},
		{"redis.key", map[string]any{"key": "k", "fields": map[string]string{"a": "1"}, "type": "hash"}},
		{"redis.key", map[string]any{"key": "k", "scores": map[string]float64{"a": 1.5}}},
		{"redis.key", map[string]any{"key": "k", "type": "set", "members": []string{"a"}}},
		{"redis.result", map[string]any{"file": "top.redis", "script": "play.redis"}},
		{"redis.result", map[string]any{"file": "top.redis", "script": "play.redis", "reference": "answers/top.redis"}},
		{"redis.result", map[string]any{"command": "ZSCORE b x", "script": "play.redis", "unordered": true}},
	} {
		if _, err := Kinds(nil)[c.kind].Compile(params(t, c.with, files, svc)); err != nil {
			t.Errorf("%s %v: %v", c.kind, c.with, err)
		}
	}
	// No `with:` block and no services block at all.
	if _, err := Kinds(nil)["redis.key"].Compile(runner.Params{}); err == nil {
		t.Error("redis.key without parameters compiled")
	}
}

func TestReferenceIsSharedAcrossCompiles(t *testing.T) {
	files := map[string]string{"solution/top.redis": "ZRANGE b 0 2 REV\n", "exercise.yaml": "solution: {files: solution}\n"}
	k := &kinds{refs: newRefCache()}
	for range 3 {
		if _, err := runner.ParamsKind[resultParams](k.compileResult).Compile(params(t, map[string]any{"file": "top.redis"}, files, nil)); err != nil {
			t.Fatal(err)
		}
	}
	for env, jobs := range k.refs.jobs {
		if len(jobs) != 1 {
			t.Errorf("env %s holds %d jobs, want 1", env, len(jobs))
		}
	}
}
