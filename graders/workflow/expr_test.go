package workflow

import (
	"testing"
)

func testContext(status Status) Context {
	return Context{Status: status, Values: map[string]any{
		"github": map[string]any{"ref": "refs/heads/main", "event_name": "push"},
		"runner": map[string]any{"os": "Linux"},
		"matrix": map[string]any{"python-version": "3.11", "os": "ubuntu-latest"},
		"env":    map[string]any{"mode": "fast", "empty": ""},
		"list":   []any{"a", "b"},
	}}
}

func TestEvalCondition(t *testing.T) {
	tests := []struct {
		cond   string
		status Status
		want   bool
	}{
		{"", StatusSuccess, true},
		{"", StatusFailure, false},
		{"success()", StatusFailure, false},
		{"failure()", StatusFailure, true},
		{"failure()", StatusSuccess, false},
		{"always()", StatusFailure, true},
		{"cancelled()", StatusSuccess, false},
		{"!cancelled()", StatusFailure, true},
		{"github.ref == 'refs/heads/main'", StatusSuccess, true},
		{"github.ref == 'refs/heads/main'", StatusFailure, false}, // wrapped in success() &&
		{"${{ github.event_name == 'push' }}", StatusSuccess, true},
		{"github.event_name != 'push'", StatusSuccess, false},
		{"github.REF == 'REFS/HEADS/MAIN'", StatusSuccess, true}, // properties and strings ignore case
		{"runner.os == 'Linux' && matrix.python-version == '3.11'", StatusSuccess, true},
		{"runner.os == 'Windows' || env.mode == 'fast'", StatusSuccess, true},
		{"contains(github.ref, 'main')", StatusSuccess, true},
		{"contains(list, 'b')", StatusSuccess, true},
		{"contains(list, 'c')", StatusSuccess, false},
		{"startsWith(github.ref, 'refs/heads/')", StatusSuccess, true},
		{"endsWith(github.ref, '/dev')", StatusSuccess, false},
		{"env.empty", StatusSuccess, false},
		{"env.missing == ''", StatusSuccess, true}, // null == '' as numbers: 0 == 0
		{"matrix.python-version == 3.11", StatusSuccess, true},
		{"1 < 2 && 'b' > 'a'", StatusSuccess, true},
		{"always() && github.ref == 'refs/heads/dev'", StatusFailure, false},
		{"failure() || always()", StatusSuccess, true},
		{"null", StatusSuccess, false},
		{"format('{0}-{1}', 'a', 1) == 'a-1'", StatusSuccess, true},
	}
	for _, tt := range tests {
		got, err := EvalCondition(tt.cond, testContext(tt.status))
		if err != nil {
			t.Errorf("EvalCondition(%q, %s): %v", tt.cond, tt.status, err)
			continue
		}
		if got != tt.want {
			t.Errorf("EvalCondition(%q, %s) = %v, want %v", tt.cond, tt.status, got, tt.want)
		}
	}
}

func TestEvalConditionErrors(t *testing.T) {
	for _, cond := range []string{"hashFiles('**/x') != ''", "secrets2.token", "github.ref ==", "github.*.x"} {
		if _, err := EvalCondition(cond, testContext(StatusSuccess)); err == nil {
			t.Errorf("EvalCondition(%q): no error", cond)
		}
	}
}

func TestInterpolate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"python ${{ matrix.python-version }}", "python 3.11"},
		{"${{matrix.os}}/${{ env.mode }}", "ubuntu-latest/fast"},
		{"${{ 'a}}b' }}", "a}}b"},
		{"${{ 1 == 1 }} ${{ 2.5 }} ${{ 3 }}", "true 2.5 3"},
		{"${{ env.missing }}.", "."},
		{"${{ toJSON(list) }}", "[\n  \"a\",\n  \"b\"\n]"},
	}
	for _, tt := range tests {
		got, err := Interpolate(tt.in, testContext(StatusSuccess))
		if err != nil {
			t.Errorf("Interpolate(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Interpolate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
