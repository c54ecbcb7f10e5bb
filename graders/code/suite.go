package code

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// DefaultSuite is where an exercise keeps its hidden test cases when a check
// names no suite: tests/cases.yaml in the exercise folder, else
// _tests/cases.yaml (Go exercises keep their Go files in folders starting
// with _ so that the repository's own go build ./... skips them). It never
// enters a sandbox; only the cases' inputs do.
const DefaultSuite = "tests/cases.yaml"

// The languages a suite can be written for.
const (
	Python = "python"
	Go     = "go"
)

// suiteSpec mirrors a suite file: how to run the learner's code, and the cases.
type suiteSpec struct {
	// Language is python or go.
	Language string `yaml:"language"`
	// Image is the sandbox image (python:3.11, golang:1.26); an image map may
	// redirect it.
	Image string `yaml:"image"`
	// Module is the Python module call cases import (fizzbuzz for
	// fizzbuzz.py) when there is no probe.
	Module string `yaml:"module"`
	// Package is the Go package name of the learner's code.
	Package string `yaml:"package"`
	// Probe is a file of the exercise folder that drives the learner's code:
	// for Python a module whose functions the cases call, for Go a test file
	// of the learner's package defining graderProbe. It holds no expected
	// values: it is copied into the sandbox.
	Probe string `yaml:"probe"`
	// Entry is the Python script io cases run (Go io cases run the package's
	// main).
	Entry string `yaml:"entry"`
	// Timeout bounds the whole run (default 10s Python, 30s Go);
	// CaseTimeout bounds each case (default 2s Python, 5s Go).
	Timeout     string `yaml:"timeout"`
	CaseTimeout string `yaml:"case_timeout"`
	// Memory is the sandbox's memory (default 256MiB Python, 768MiB Go).
	Memory string `yaml:"memory"`
	// Pids caps processes and threads (sandbox default when 0).
	Pids int64 `yaml:"pids"`
	// GoMaxProcs sets GOMAXPROCS, so concurrent code really runs in
	// parallel under a one-CPU quota.
	GoMaxProcs int `yaml:"gomaxprocs"`
	// Race builds with the race detector when the image can (it needs a C
	// compiler); a reported race fails the case.
	Race bool `yaml:"race"`
	// Vet runs go vet for the go.vet kind (default true for Go).
	Vet   *bool      `yaml:"vet"`
	Cases []caseSpec `yaml:"cases"`
}

// caseSpec is one case: a call of the learner's code, or a run of the
// learner's program, with what it must give.
type caseSpec struct {
	ID    string `yaml:"id"`
	Group string `yaml:"group"`
	// Call names the function (or probe function) to call, with Args.
	Call string      `yaml:"call"`
	Args []yaml.Node `yaml:"args"`
	// Want is the value the call must return.
	Want yaml.Node `yaml:"want"`
	// Raises (Python) is the exception class the call must raise (a
	// subclass counts).
	Raises string `yaml:"raises"`
	// Error (Go) is true when the call must return an error, or a text the
	// error's message must contain.
	Error yaml.Node `yaml:"error"`
	// Unordered compares lists as multisets.
	Unordered bool `yaml:"unordered"`
	// Tolerance is the largest difference allowed between numbers.
	Tolerance float64 `yaml:"tolerance"`
	// Argv and Stdin make an io case: the program runs with them and its
	// Stdout and Exit are compared.
	Argv   []string `yaml:"argv"`
	Stdin  *string  `yaml:"stdin"`
	Stdout *string  `yaml:"stdout"`
	Exit   *int     `yaml:"exit"`
}

// suite is a decoded, validated suite: what one sandbox run needs and what
// the host compares against afterwards.
type suite struct {
	file     string // path in the exercise folder, for messages
	key      string // memo key: the file and its content hash
	lang     string
	image    string
	module   string
	pkg      string
	probe    []byte
	entry    string
	limits   sandbox.Limits
	caseTime time.Duration
	maxProcs int
	race     bool
	vet      bool
	cases    []*testCase
	byID     map[string]*testCase
}

// testCase is one compiled case.
type testCase struct {
	id, group string
	io        bool
	call      string
	args      []any // inputs, sent into the sandbox
	want      any   // normalised expected value; never sent
	hasWant   bool
	raises    string
	wantErr   bool
	errText   string
	unordered bool
	tolerance float64
	argv      []string
	stdin     string
	stdout    *string
	exit      int
}

// Compiled on first use, not in package init, which every grader start pays.
var (
	identRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
	moduleRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
	})
	caseIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+([-_][a-z0-9]+)*$`) })
)

// loadSuite reads and validates a suite file of the exercise folder. Its
// problems are the author's, reported as a ParamError of field.
func loadSuite(files fs.FS, field, name string) (*suite, error) {
	perr := func(format string, args ...any) error {
		return &runner.ParamError{Field: field, Msg: fmt.Sprintf("%s: ", name) + fmt.Sprintf(format, args...)}
	}
	if files == nil {
		return nil, perr("no exercise folder to read it from")
	}
	clean := path.Clean(name)
	if !fs.ValidPath(clean) {
		return nil, &runner.ParamError{Field: field, Msg: fmt.Sprintf("%q must be a path inside the exercise folder", name)}
	}
	data, err := fs.ReadFile(files, clean)
	if err != nil {
		return nil, perr("cannot read it from the exercise folder")
	}
	var s suiteSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, perr("%v", err)
	}
	sum := sha256.Sum256(data)
	st := &suite{file: clean, key: "code.suite:" + clean + ":" + hex.EncodeToString(sum[:8]), lang: s.Language,
		image: s.Image, module: s.Module, pkg: s.Package, entry: s.Entry, maxProcs: s.GoMaxProcs, race: s.Race,
		byID: map[string]*testCase{}}
	var defTimeout, defCase time.Duration
	var defMemory int64
	switch s.Language {
	case Python:
		defTimeout, defCase, defMemory = 10*time.Second, 2*time.Second, 256*sandbox.MiB
		if st.image == "" {
			st.image = "python:3.11"
		}
		if s.Probe == "" && !moduleRE().MatchString(s.Module) && hasCalls(s.Cases) {
			return nil, perr("module: required with call cases and no probe: the module the cases import (fizzbuzz for fizzbuzz.py)")
		}
		if s.Package != "" || s.GoMaxProcs != 0 || s.Race || s.Vet != nil {
			return nil, perr("package, gomaxprocs, race and vet are for Go suites")
		}
	case Go:
		defTimeout, defCase, defMemory = 30*time.Second, 5*time.Second, 768*sandbox.MiB
		if st.image == "" {
			st.image = "golang:1.26"
		}
		if !identRE().MatchString(s.Package) {
			return nil, perr("package: required: the Go package name of the learner's code (stack, main)")
		}
		if s.Module != "" || s.Entry != "" {
			return nil, perr("module and entry are for Python suites")
		}
		if hasCalls(s.Cases) && s.Probe == "" {
			return nil, perr("probe: required with call cases: a _test.go file of the exercise defining graderProbe")
		}
		st.vet = s.Vet == nil || *s.Vet
	default:
		return nil, perr("language: %q is not python or go", s.Language)
	}
	if s.Probe != "" {
		b, err := fs.ReadFile(files, path.Clean(s.Probe))
		if err != nil || !fs.ValidPath(path.Clean(s.Probe)) {
			return nil, perr("probe: cannot read %s from the exercise folder", s.Probe)
		}
		st.probe = b
	}
	if st.limits.Timeout, err = duration(s.Timeout, defTimeout); err != nil {
		return nil, perr("timeout: %v", err)
	}
	if st.caseTime, err = duration(s.CaseTimeout, defCase); err != nil {
		return nil, perr("case_timeout: %v", err)
	}
	if st.limits.Memory, err = bytesize(s.Memory, defMemory); err != nil {
		return nil, perr("memory: %v", err)
	}
	st.limits.Pids = s.Pids
	st.limits.CPUs = 1
	if err := st.limits.Validate(); err != nil {
		return nil, perr("%v", err)
	}
	if len(s.Cases) == 0 {
		return nil, perr("cases: required: at least one case")
	}
	for i, c := range s.Cases {
		tc, err := compileCase(st, c)
		if err != nil {
			return nil, perr("cases[%d]: %v", i, err)
		}
		if st.byID[tc.id] != nil {
			return nil, perr("cases[%d]: id %q is used twice", i, tc.id)
		}
		st.byID[tc.id] = tc
		st.cases = append(st.cases, tc)
	}
	if st.hasIO() && st.lang == Python && st.entry == "" {
		return nil, perr("entry: required with io cases: the learner's script to run (wc.py)")
	}
	return st, nil
}

func hasCalls(cs []caseSpec) bool {
	for _, c := range cs {
		if c.Call != "" {
			return true
		}
	}
	return false
}

func (s *suite) hasIO() bool {
	for _, c := range s.cases {
		if c.io {
			return true
		}
	}
	return false
}

func compileCase(s *suite, c caseSpec) (*testCase, error) {
	tc := &testCase{id: c.ID, group: c.Group, call: c.Call, unordered: c.Unordered, tolerance: c.Tolerance, argv: c.Argv}
	if !caseIDRE().MatchString(c.ID) {
		return nil, fmt.Errorf("id %q must be lower-case words joined by - or _", c.ID)
	}
	tc.io = c.Stdin != nil || c.Argv != nil || c.Stdout != nil || c.Exit != nil
	if tc.io == (c.Call != "") {
		return nil, fmt.Errorf("%s: give either call (a function call) or stdin/argv/stdout/exit (a program run)", c.ID)
	}
	if tc.io {
		if c.Want.Kind != 0 || c.Raises != "" || c.Error.Kind != 0 || len(c.Args) > 0 {
			return nil, fmt.Errorf("%s: a program run takes stdin, argv, stdout and exit, not want, raises, error or args", c.ID)
		}
		if c.Stdin != nil {
			tc.stdin = *c.Stdin
		}
		tc.stdout = c.Stdout
		if c.Exit != nil {
			tc.exit = *c.Exit
		}
		return tc, nil
	}
	if !identRE().MatchString(c.Call) {
		return nil, fmt.Errorf("%s: call %q must be a function name", c.ID, c.Call)
	}
	for i := range c.Args {
		v, err := nodeValue(&c.Args[i])
		if err != nil {
			return nil, fmt.Errorf("%s: args[%d]: %v", c.ID, i, err)
		}
		tc.args = append(tc.args, v)
	}
	if tc.args == nil {
		tc.args = []any{}
	}
	outcomes := 0
	if c.Want.Kind != 0 {
		v, err := nodeValue(&c.Want)
		if err != nil {
			return nil, fmt.Errorf("%s: want: %v", c.ID, err)
		}
		tc.want, tc.hasWant = v, true
		outcomes++
	}
	if c.Raises != "" {
		if s.lang != Python || !identRE().MatchString(c.Raises) {
			return nil, fmt.Errorf("%s: raises is an exception class name, for Python suites", c.ID)
		}
		tc.raises = c.Raises
		outcomes++
	}
	if c.Error.Kind != 0 {
		if s.lang != Go {
			return nil, fmt.Errorf("%s: error is for Go suites; Python cases use raises", c.ID)
		}
		var b bool
		if err := c.Error.Decode(&b); err == nil {
			tc.wantErr = b
		} else if err := c.Error.Decode(&tc.errText); err == nil && tc.errText != "" {
			tc.wantErr = true
		} else {
			return nil, fmt.Errorf("%s: error must be true or a text the error message contains", c.ID)
		}
		if !tc.wantErr {
			return nil, fmt.Errorf("%s: error: false says nothing; use want", c.ID)
		}
		outcomes++
	}
	if outcomes != 1 {
		return nil, fmt.Errorf("%s: give exactly one of want, raises (Python) or error (Go)", c.ID)
	}
	if tc.tolerance < 0 {
		return nil, fmt.Errorf("%s: tolerance must not be negative", c.ID)
	}
	return tc, nil
}

// nodeValue decodes a YAML value into plain JSON-shaped Go values (maps with
// string keys, []any, string, bool, nil, json.Number), the same shape the
// container's results decode into.
func nodeValue(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return plain(v)
}

func plain(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(x, 10)), nil
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case []any:
		out := make([]any, len(x))
		for i := range x {
			var err error
			if out[i], err = plain(x[i]); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			var err error
			if out[k], err = plain(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			var err error
			if out[fmt.Sprint(k)], err = plain(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("a %T cannot be compared", v)
}

func duration(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration like 10s", s)
	}
	return d, nil
}

// bytesize parses "256MiB", "1GiB" or a number of bytes.
func bytesize(s string, def int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	mult := int64(1)
	num := s
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": sandbox.MiB, "GiB": sandbox.GiB} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			num, mult = strings.TrimSpace(n), m
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size like 256MiB", s)
	}
	return n * mult, nil
}

// selectCases returns the cases a check judges: those named in ids and those
// of the groups named in groups, in suite order; all cases of the right
// shape (call or io) when both are empty.
func (s *suite) selectCases(ids, groups []string, io bool) ([]*testCase, error) {
	var out []*testCase
	want := map[string]bool{}
	for _, id := range ids {
		c := s.byID[id]
		if c == nil {
			return nil, &runner.ParamError{Field: "cases", Msg: fmt.Sprintf("%q is not a case of %s", id, s.file)}
		}
		want[id] = true
	}
	for _, g := range groups {
		found := false
		for _, c := range s.cases {
			if c.group == g {
				want[c.id], found = true, true
			}
		}
		if !found {
			return nil, &runner.ParamError{Field: "groups", Msg: fmt.Sprintf("no case of %s is in group %q", s.file, g)}
		}
	}
	for _, c := range s.cases {
		if (len(want) == 0 && c.io == io) || want[c.id] {
			if c.io != io {
				kind := "a function call"
				if c.io {
					kind = "a program run"
				}
				return nil, &runner.ParamError{Field: "cases", Msg: fmt.Sprintf("case %q is %s, which this kind does not judge", c.id, kind)}
			}
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, &runner.ParamError{Field: "cases", Msg: fmt.Sprintf("%s holds no case this kind judges", s.file)}
	}
	return out, nil
}
