package redis

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// resultParams are redis.result's parameters.
type resultParams struct {
	// File is the learner's file of query commands.
	File string `yaml:"file"`
	// Command is a query written in the spec instead (one command per
	// line), run on both sides; it needs Script.
	Command string `yaml:"command"`
	// Script is the learner's file run first (once per attempt); the
	// reference runs its own file of that name, beside the reference
	// query, first too.
	Script string `yaml:"script"`
	// Reference is the reference query file in the exercise's folder
	// (default: File in the folder of the exercise's `solution: files:`).
	Reference string `yaml:"reference"`
	// Unordered sorts each array reply before comparing, for commands
	// whose order Redis does not define (SMEMBERS, HKEYS, KEYS).
	Unordered bool `yaml:"unordered"`
	// Seed, when set, is a command file of the exercise that replaces the
	// services block's seed for this check: the learner's script and query,
	// and the reference's, run on a Redis of its own seeded from it (other
	// data). With `visibility: hidden`, it judges the learner's commands on
	// data they never saw.
	Seed string `yaml:"seed"`
}

// resultCheck is a compiled redis.result.
type resultCheck struct {
	resultParams
	inline []Command // Command, parsed
	job    *refJob
}

// compileResult builds redis.result: the learner's query (after their
// script) must answer exactly what the reference solution's query answers
// on the same seed. The reference runs on a Redis that holds nothing of
// the learner's (see [refCache.computePending]) and is computed once per
// process.
func (k *kinds) compileResult(p runner.Params, prm *resultParams) (runner.Checker, error) {
	c := resultCheck{resultParams: *prm}
	// The services block before the parameters' own checks, so its errors
	// come first.
	e, err := loadEnv(p)
	if err != nil {
		return nil, err
	}
	if e, err = e.withSeed(p.Files, c.Seed); err != nil {
		return nil, err
	}
	if c.File, err = workspaceFileParam("file", c.File, false); err != nil {
		return nil, err
	}
	if c.Script, err = workspaceFileParam("script", c.Script, false); err != nil {
		return nil, err
	}
	switch {
	case c.File == "" && strings.TrimSpace(c.Command) == "":
		return nil, paramErr("file", "is required (the learner's query file, such as top3.redis), unless command is given")
	case c.File != "" && c.Command != "":
		return nil, paramErr("command", "give file or command, not both")
	case c.Command != "":
		if c.Reference != "" {
			return nil, paramErr("reference", "goes with file: a command is its own reference")
		}
		if c.Script == "" {
			return nil, paramErr("script", "is required with command: the learner's file whose effect the command reads")
		}
		if c.inline, err = ParseCommands("command", []byte(c.Command)); err != nil {
			return nil, paramErr("command", "%v", err)
		}
	}
	refQuery, err := referenceFile(p.Files, c.Reference, c.File)
	if err != nil {
		return nil, err
	}
	j := &refJob{}
	if c.Script != "" {
		f, err := readReference(p.Files, path.Join(path.Dir(refQuery), c.Script), "script")
		if err != nil {
			return nil, err
		}
		j.scripts = append(j.scripts, f)
	}
	if c.inline != nil {
		j.query = fileCommands{name: "command", cmds: c.inline}
	} else if j.query, err = readReference(p.Files, refQuery, "reference"); err != nil {
		return nil, err
	}
	c.job = k.refs.register(e.key, j)
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
		name, cmds := "command", c.inline
		if cmds == nil {
			var out runner.Outcome
			var ok bool
			name = c.File
			if cmds, out, ok = readLearnerCommands(a.Dir, c.File); !ok {
				return out
			}
		}
		cl := srv.learner()
		got, err := runCommands(ctx, cl, cmds, false)
		cl.Close()
		if err != nil {
			return stopOutcome(name, err)
		}
		want, err := k.reference(ctx, a, e, c.job)
		if err != nil {
			return runner.Errored(err)
		}
		return compareReplies(name, want, got, c.Unordered)
	}), nil
}

// referenceFile is the reference query's path in the exercise: the
// parameter, else the learner's file name in the solution's files folder,
// read from exercise.yaml. With an inline command, only its folder counts
// (the reference script sits there).
func referenceFile(files fs.FS, param, file string) (string, error) {
	if param != "" {
		name := strings.TrimSpace(param)
		if !fs.ValidPath(name) || name == "." {
			return "", paramErr("reference", "%q must be a relative path inside the exercise folder", name)
		}
		return name, nil
	}
	data, err := readExerciseFile(files, "exercise.yaml")
	if err != nil {
		return "", paramErr("reference", "is required: the reference query file in the exercise folder (%v)", err)
	}
	var spec struct {
		Solution struct {
			Files string `yaml:"files"`
		} `yaml:"solution"`
	}
	if err := yaml.Unmarshal(data, &spec); err != nil || spec.Solution.Files == "" {
		return "", paramErr("reference", "is required when the solution has no files folder")
	}
	if file == "" {
		file = "command"
	}
	return path.Join(path.Clean(spec.Solution.Files), file), nil
}

// readReference reads and parses a reference file; field names the
// parameter its path came from.
func readReference(files fs.FS, name, field string) (fileCommands, error) {
	data, err := readExerciseFile(files, name)
	if err != nil {
		return fileCommands{}, paramErr(field, "%v: the reference solution needs it", err)
	}
	cmds, err := ParseCommands(name, data)
	if err != nil {
		return fileCommands{}, paramErr(field, "%v", err)
	}
	return fileCommands{name: name, cmds: cmds}, nil
}

// compareReplies judges the learner's replies against the reference's:
// the same number of commands, and each reply the same. The message names
// the first command that differs; Expected and Actual show its replies.
func compareReplies(file string, want, got []reply, unordered bool) runner.Outcome {
	for _, r := range got {
		if refused(r.err) {
			return runner.Failed("%s:%d: %s is not allowed in this exercise (Redis answered: %s)", file, r.cmd.Line, r.cmd.Name(), r.err)
		}
	}
	render := func(r reply) string {
		if unordered && r.err == "" {
			return formatValue(sortedValue(r.val))
		}
		return formatReply(r)
	}
	if len(want) != len(got) {
		return runner.Outcome{Status: runner.Fail,
			Message:  fmt.Sprintf("%s runs %d commands; the expected answer comes from %d", file, len(got), len(want)),
			Expected: showReplies(want, unordered), Actual: showReplies(got, unordered)}
	}
	for i := range want {
		w, g := render(want[i]), render(got[i])
		if w == g {
			continue
		}
		msg := fmt.Sprintf("%s:%d: %s answered differently", file, got[i].cmd.Line, got[i].cmd)
		switch {
		case got[i].err != "":
			msg = fmt.Sprintf("%s:%d: %s failed: %s", file, got[i].cmd.Line, got[i].cmd, got[i].err)
		default:
			if why := replyHint(want[i].val, got[i].val); why != "" {
				msg += ": " + why
			}
		}
		return runner.Outcome{Status: runner.Fail, Message: msg, Expected: clipLines(w, maxShownLines), Actual: clipLines(g, maxShownLines)}
	}
	return runner.Passed(fmt.Sprintf("%s answers as expected", file))
}

// replyHint names the classic mistakes that turn a right answer into a
// wrong one: the order reversed, the scores left out.
func replyHint(want, got any) string {
	w, ok1 := want.([]any)
	g, ok2 := got.([]any)
	if !ok1 || !ok2 || len(w) == 0 {
		return ""
	}
	ws, gs := flatStrings(w), flatStrings(g)
	if ws == nil || gs == nil {
		return ""
	}
	if len(ws) == 2*len(gs) {
		members := make([]string, 0, len(gs))
		for i := 0; i < len(ws); i += 2 {
			members = append(members, ws[i])
		}
		if slices.Equal(members, gs) {
			return "the members are right but the scores are missing (WITHSCORES)"
		}
	}
	if len(ws) == len(gs) && !slices.Equal(ws, gs) {
		rev := slices.Clone(gs)
		slices.Reverse(rev)
		if slices.Equal(ws, rev) || pairsReversed(ws, gs) {
			return "the order is reversed (ZRANGE sorts lowest first; ZREVRANGE, or ZRANGE ... REV, highest first)"
		}
	}
	if len(gs) > len(ws) && slices.Equal(ws, gs[:len(ws)]) {
		return fmt.Sprintf("%d items where %d were expected: check the range (ZRANGE's stop index is inclusive)", len(gs), len(ws))
	}
	return ""
}

// pairsReversed reports whether b is a's member/score pairs in reverse order.
func pairsReversed(a, b []string) bool {
	if len(a)%2 != 0 {
		return false
	}
	for i := 0; i < len(a); i += 2 {
		j := len(b) - 2 - i
		if a[i] != b[j] || a[i+1] != b[j+1] {
			return false
		}
	}
	return true
}

// flatStrings returns an array reply of strings, or nil when it holds
// anything else.
func flatStrings(xs []any) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil
		}
		out[i] = s
	}
	return out
}
