package docker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// cacheParams are docker.cache's parameters: after a change to the
// learner's files that leaves the dependencies alone, a rebuild must reuse
// the dependency steps' layers instead of running them again.
type cacheParams struct {
	buildParams `yaml:",inline"`
	// Append adds text to the end of files of the workspace (path →
	// text) for the rebuild: the change a developer makes all day (app.py).
	Append map[string]string `yaml:"append"`
	// Cached lists steps the rebuild must take from the cache: each a
	// regular expression matched against the Dockerfile's instructions
	// (`pip3? install`), and what says what it is, for the learner.
	Cached []cachedStep `yaml:"cached"`
}

type cachedStep struct {
	Pattern string `yaml:"pattern"`
	What    string `yaml:"what"`
	re      *regexp.Regexp
}

// Validate checks the parameters.
func (p *cacheParams) Validate() error {
	if err := p.buildParams.validate(); err != nil {
		return err
	}
	if len(p.Append) == 0 {
		return runner.ParamErrorf("append", "required: the change to make before the rebuild (app.py: a comment)")
	}
	for f := range p.Append {
		if c := path.Clean(f); f == "" || path.IsAbs(f) || c != f || c == ".." || strings.HasPrefix(c, "../") {
			return runner.ParamErrorf("append", "%q must be a clean relative path", f)
		}
	}
	if len(p.Cached) == 0 {
		return runner.ParamErrorf("cached", "required: the steps the rebuild must take from the cache")
	}
	for i := range p.Cached {
		c := &p.Cached[i]
		re, err := regexp.Compile(c.Pattern)
		if err != nil || c.Pattern == "" {
			return runner.ParamErrorf("cached", "entry %d: pattern %q: %v", i+1, c.Pattern, err)
		}
		c.re = re
		if c.What == "" {
			c.What = c.Pattern
		}
	}
	return nil
}

func (k *kinds) compileCache(_ runner.Params, p *cacheParams) (runner.Checker, error) {
	get := func(ctx context.Context, a runner.Attempt) (*sandbox.Image, error) {
		return k.build(ctx, a, p.buildParams)
	}
	return runner.Using(get, func(ctx context.Context, a runner.Attempt, first *sandbox.Image) runner.Outcome {
		steps, err := k.rebuild(ctx, a, p, first)
		if err != nil {
			return runner.Errored(err) // a learner's failure fails
		}
		changed := strings.Join(sortedKeys(p.Append), ", ")
		for _, c := range p.Cached {
			at := -1
			for i, st := range steps {
				if c.re.MatchString(st.Instruction) {
					at = i
					break
				}
			}
			if at < 0 {
				return runner.Failed("No step of the Dockerfile %s: the exercise asks for one.", c.What)
			}
			if steps[at].Cached {
				continue
			}
			msg := fmt.Sprintf("After a change to %s alone, the rebuild ran step %d `%s` again instead of taking it from the cache: every edit would %s anew.", changed, at+1, steps[at].Instruction, c.What)
			for i, st := range steps[:at] {
				if !st.Cached && !strings.HasPrefix(strings.ToUpper(st.Instruction), "FROM ") {
					msg += fmt.Sprintf("\nThe cache broke at step %d `%s`: its input changed, so every step after it runs again. Copy only what %s needs before it (COPY requirements.txt .), and the rest of the files after it.", i+1, st.Instruction, c.What)
					break
				}
			}
			return runner.Failed("%s", msg)
		}
		return runner.Passed(fmt.Sprintf("after a change to %s, the rebuild takes from the cache every step that %s", changed, whatList(p.Cached)))
	}), nil
}

func whatList(cs []cachedStep) string {
	var ws []string
	for _, c := range cs {
		ws = append(ws, c.What)
	}
	return quoteList(ws)
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// maxAppended bounds a file docker.cache changes: a source file or a
// requirements list, never an archive.
const maxAppended = 4 << 20

// appended is what each file of add holds for the rebuild: its text in a's
// workspace, read with [runner.Attempt.ReadFile] (a regular file, no link
// followed, bounded), then add's. The build sees it in place of the file
// ([sandbox.BuildSpec.Replace]); nothing is copied or written, so a link
// to a host file is neither read nor written through, and a folder of any
// size costs nothing before the build context's own limits.
func appended(a runner.Attempt, add map[string]string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(add))
	for _, f := range sortedKeys(add) {
		old, err := a.ReadFile(f, maxAppended)
		var fe *runner.FileError
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, runner.Failure("There is no %s in your folder: the check changes it and rebuilds.", f)
		case errors.As(err, &fe):
			return nil, runner.Failure("%s (the check changes it and rebuilds)", fe.Error())
		case err != nil:
			return nil, err
		}
		out[f] = append(append(old, '\n'), add[f]...)
	}
	return out, nil
}

// rebuild builds a's workspace with p's change, allowed to reuse the
// layers of first's build only, and returns its steps.
func (k *kinds) rebuild(ctx context.Context, a runner.Attempt, p *cacheParams, first *sandbox.Image) ([]sandbox.BuildStep, error) {
	eng, err := k.engine.DockerEngine(ctx)
	if err != nil {
		return nil, err
	}
	changed, err := appended(a, p.Append)
	if err != nil {
		return nil, err
	}
	img, err := eng.BuildImage(ctx, sandbox.BuildSpec{Dir: a.Dir, Dockerfile: p.file(), Timeout: p.timeout(), CacheFrom: first, Replace: changed})
	if img != nil {
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_ = img.Remove(cctx)
		}()
	}
	var bf *sandbox.BuildFailure
	if errors.As(err, &bf) {
		return nil, runner.Failure("After a change to %s, the image no longer builds: %s", strings.Join(sortedKeys(p.Append), ", "), buildMessage(bf))
	}
	if err != nil {
		return nil, err
	}
	return img.Steps(), nil
}
