package code

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// The trusted harness files, copied into every sandbox next to the
// learner's code. They hold no expected value.
var (
	//go:embed harness/harness.py
	pythonHarness []byte
	//go:embed harness/harness_test.go.tmpl
	goHarness string
	//go:embed harness/driver.sh
	goDriver []byte
)

// workDir is where the learner's files land in the sandbox.
const workDir = sandbox.DefaultWorkDir

// maxResultsBytes caps how much of the results file the host reads, its
// reserved MiB of newlines included.
const maxResultsBytes = 17 << 20

// runResult is what one sandbox run of a suite found: the trusted preamble,
// each case's result, and each case's share of the learner's output.
type runResult struct {
	// refused, when set, says why the learner's workspace was not run.
	refused string
	// limit is the sandbox limit that ended the run, with its message.
	limit    sandbox.Limit
	limitMsg string
	exitCode int
	// pre is nil when the harness stopped before reporting on compilation.
	pre *preamble
	// results by case id; dup lists ids written more than once.
	results map[string]*caseResult
	dup     map[string]bool
	// running is the case under way when the run ended, if it ended early.
	running string
	// output is each case's stdout and stderr, as the learner's code wrote it.
	output map[string]string
	// lost says why the results file did not come back from the sandbox
	// (replaced by a link, still being written when it could not be
	// frozen), when the sandbox said; cases without a result then say so.
	lost string
}

// preamble is the first line the harness writes, before any learner code
// runs: what compiling found.
type preamble struct {
	// Python: syntax errors, by file.
	Syntax []syntaxError `json:"syntax"`
	// Go: exit codes and output of go vet and go build.
	Vet      int    `json:"vet"`
	Build    int    `json:"build"`
	Race     string `json:"race"`
	VetOut   []byte `json:"vet_out"`
	BuildOut []byte `json:"build_out"`
}

type syntaxError struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Msg  string `json:"msg"`
	Text string `json:"text"`
}

// caseResult is one line of the results file: what the learner's code did
// for one case. Every field is a claim the learner's code could have forged;
// none of them says whether the case passed.
type caseResult struct {
	ID      string          `json:"id"`
	Nonce   string          `json:"nonce"`
	Status  string          `json:"status"`
	Value   json.RawMessage `json:"value"`
	Type    string          `json:"type"`
	Types   []string        `json:"types"`
	Message string          `json:"message"`
	Where   string          `json:"where"`
	Stage   string          `json:"stage"`
	Code    string          `json:"code"`
	Name    string          `json:"name"`
	Module  string          `json:"module"`
	Exit    int             `json:"exit"`
	Signal  int             `json:"signal"`
	Seconds float64         `json:"seconds"`
	Stdout  string          `json:"stdout"`
	Stderr  string          `json:"stderr"`
	Cap     int             `json:"cap"`
	Report  string          `json:"report"`
	Fatal   string          `json:"fatal"`
}

// result returns the attempt's run of s, running it on first use: every
// check of the attempt reads the same run.
func (k *kinds) result(ctx context.Context, a runner.Attempt, s *suite) (*runResult, error) {
	v, err := a.Memo.Do(s.key, func() (any, error) { return k.execute(ctx, a.Dir, s) })
	if err != nil {
		return nil, err
	}
	return v.(*runResult), nil
}

// execute runs the suite's cases against the learner's folder in one sandbox.
func (k *kinds) execute(ctx context.Context, dir string, s *suite) (*runResult, error) {
	ws, err := sandbox.OpenWorkspace(dir, learnerTests(s.lang))
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	if why, err := ws.TooBig(); err != nil || why != "" {
		return &runResult{refused: why}, err
	}
	nonce := newNonce()
	own := ".grader-" + nonce
	out, err := os.MkdirTemp("", "grader-code-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)

	spec := sandbox.Spec{
		Image:     s.image,
		Files:     ws,
		Inline:    map[string][]byte{},
		Outputs:   []string{own + "/results.jsonl"},
		OutputDir: out,
		Limits:    s.limits,
		Env:       []string{"HOME=/tmp", "LANG=C.UTF-8"},
	}
	cfg := map[string]any{
		"nonce":        nonce,
		"dir":          workDir + "/" + own,
		"case_timeout": s.caseTime.Seconds(),
		"cases":        s.inputs(),
	}
	switch s.lang {
	case Python:
		spec.Cmd = []string{"python3", "-I", "-B", own + "/harness.py"}
		spec.Inline[own+"/harness.py"] = pythonHarness
		spec.Env = append(spec.Env, "PYTHONDONTWRITEBYTECODE=1")
		spec.Limits.Work = 64 * sandbox.MiB
		cfg["module"], cfg["entry"] = s.module, s.entry
		if s.probe != nil {
			spec.Inline[own+"/grader_probe.py"] = s.probe
			cfg["probe"] = "grader_probe"
		}
	case Go:
		program, race := "0", "0"
		if s.hasIO() {
			program = "1"
		}
		if s.race {
			race = "1"
		}
		spec.Cmd = []string{"bash", own + "/driver.sh", nonce, program, race}
		spec.Inline[own+"/driver.sh"] = goDriver
		if _, err := fs.Stat(ws, "go.mod"); err != nil {
			// An exercise catalog cannot ship a go.mod (embedding skips
			// folders that hold one), so a learner who has not run
			// go mod init yet gets one here.
			spec.Inline["go.mod"] = []byte("module example.com/" + s.pkg + "\n\ngo 1.26\n")
		}
		spec.Inline["grader_harness_test.go"] = []byte(strings.Replace(goHarness, "__GRADER_PACKAGE__", s.pkg, 1))
		if s.probe != nil {
			spec.Inline["grader_probe_test.go"] = s.probe
		}
		spec.Env = append(spec.Env, "GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=", "CGO_ENABLED=0",
			"GOCACHE=/tmp/go-cache", "GOPATH=/tmp/go", "GOTRACEBACK=single")
		if s.maxProcs > 0 {
			spec.Env = append(spec.Env, fmt.Sprintf("GOMAXPROCS=%d", s.maxProcs))
		}
		spec.Limits.Tmp = 256 * sandbox.MiB
		spec.Limits.CPUs = 2 // go vet and go build run side by side
		cfg["prog"] = "/tmp/grader/program"
	}
	stdin, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	spec.Stdin = bytes.NewReader(stdin)
	// The run may wait its turn for the cores: setup, before the check's
	// deadline (see checker); its own Timeout starts with its command.
	run := k.sb.Run
	if w, ok := k.sb.(WarmSandbox); ok {
		run = w.RunWarm
	}
	res, err := run(ctx, spec)
	if err != nil {
		return nil, err
	}
	rr := parseRun(res, s, nonce)
	rr.lost = lostResults(res.OutputErrors, own+"/results.jsonl")
	if err := rr.readResults(out, own, nonce); err != nil {
		return nil, err
	}
	if rr.pre == nil && rr.limit == "" {
		return nil, harnessFailure(res, s)
	}
	if rr.limit != "" {
		rr.running = lastStarted(res.Stdout, nonce, rr.results)
	}
	return rr, nil
}

// inputs is what the sandbox gets of the cases: ids and inputs, never an
// expected value.
func (s *suite) inputs() []map[string]any {
	out := make([]map[string]any, 0, len(s.cases))
	for _, c := range s.cases {
		if c.io {
			argv := c.argv
			if argv == nil {
				argv = []string{}
			}
			out = append(out, map[string]any{"id": c.id, "mode": "io", "argv": argv, "stdin": c.stdin})
			continue
		}
		out = append(out, map[string]any{"id": c.id, "mode": "call", "call": c.call, "args": c.args})
	}
	return out
}

func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// parseRun reads the preamble and splits the learner's output by case.
func parseRun(res *sandbox.Result, s *suite, nonce string) *runResult {
	rr := &runResult{limit: res.Limit, exitCode: res.ExitCode, results: map[string]*caseResult{}, dup: map[string]bool{}, output: map[string]string{}}
	rr.limitMsg = limitMessage(res.Limit, s.limits)
	prefix := []byte("GRADER-PRE " + nonce + " ")
	if line, _, ok := bytes.Cut(res.Stdout, []byte("\n")); ok && bytes.HasPrefix(line, prefix) {
		var p preamble
		if json.Unmarshal(line[len(prefix):], &p) == nil {
			rr.pre = &p
		}
	}
	stdout := splitByCase(res.Stdout, nonce)
	stderr := splitByCase(res.Stderr, nonce)
	for _, c := range s.cases {
		rr.output[c.id] = strings.TrimSpace(stdout[c.id] + stderr[c.id])
	}
	return rr
}

// splitByCase cuts output at the harness's case markers. A learner's program
// that forges a marker (it would need the run's nonce) only moves where its
// own output is shown.
func splitByCase(b []byte, nonce string) map[string]string {
	out := map[string]string{}
	marker := "\x1egrader-case " + nonce + " "
	parts := strings.Split(string(b), marker)
	for _, p := range parts[1:] {
		id, rest, _ := strings.Cut(p, "\n")
		out[id] += rest
	}
	return out
}

// lastStarted returns the last case whose marker was written but which has no
// result: the case under way when a limit ended the run.
func lastStarted(stdout []byte, nonce string, results map[string]*caseResult) string {
	marker := "\x1egrader-case " + nonce + " "
	last := ""
	for _, p := range strings.Split(string(stdout), marker)[1:] {
		id, _, _ := strings.Cut(p, "\n")
		last = id
	}
	if results[last] != nil {
		return ""
	}
	return last
}

// lostResults returns why the sandbox did not copy the results file out,
// from its output problems, or "".
func lostResults(problems []sandbox.OutputError, file string) string {
	for _, p := range problems {
		if p.Path == "." || p.Path == file || strings.HasPrefix(file, p.Path+"/") {
			return p.Reason
		}
	}
	return ""
}

// readResults reads the results file the sandbox copied out. Lines carrying
// another nonce are dropped; a case reported twice is marked, since only the
// learner's code would write a second line.
func (rr *runResult) readResults(out, own, nonce string) error {
	root, err := os.OpenRoot(out)
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := root.Open(own + "/results.jsonl")
	if err != nil {
		return nil // missing: every case then has no result, which the checks explain
	}
	defer f.Close()
	// The harness reserves the file's first MiB as newlines before any
	// learner code runs and writes its lines over it: runs of newlines are
	// skipped as a block (decoding each blank line as JSON was half of
	// grader's own CPU in a check).
	data, err := io.ReadAll(io.LimitReader(f, maxResultsBytes))
	if err != nil {
		return nil // unreadable: as missing
	}
	for rest := data; len(rest) > 0; {
		var line []byte
		rest = bytes.TrimLeft(rest, "\n")
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var cr caseResult
		if json.Unmarshal(line, &cr) != nil || cr.Nonce != nonce || cr.ID == "" {
			continue
		}
		if rr.results[cr.ID] != nil {
			rr.dup[cr.ID] = true
			continue
		}
		rr.results[cr.ID] = &cr
	}
	return nil
}

// harnessFailure explains a run whose harness never reported, with no limit
// to blame: the image cannot run it (an infrastructure error).
func harnessFailure(res *sandbox.Result, s *suite) error {
	tool := "python3"
	if s.lang == Go {
		tool = "bash and go"
	}
	return &sandbox.Error{
		Msg:  fmt.Sprintf("the %s harness did not start in image %s (exit %d): %s", s.lang, s.image, res.ExitCode, excerpt(string(res.Stderr), 300)),
		Hint: fmt.Sprintf("the image must provide %s; use one built by `make images` or map %s to one", tool, s.image),
	}
}

// limitMessage says which sandbox limit ended a run, as a learner reads it.
func limitMessage(l sandbox.Limit, lim sandbox.Limits) string {
	lim = lim.WithDefaults()
	switch l {
	case sandbox.LimitTimeout:
		return fmt.Sprintf("timed out after %s", lim.Timeout)
	case sandbox.LimitMemory:
		return fmt.Sprintf("ran out of memory (%d MiB)", lim.Memory>>20)
	case sandbox.LimitOutput:
		return fmt.Sprintf("printed more than %d KiB of output", lim.Output>>10)
	case sandbox.LimitPids:
		return fmt.Sprintf("started too many processes or threads (the limit is %d)", lim.Pids)
	case "":
		return ""
	}
	return "stopped by the sandbox's " + string(l) + " limit"
}
