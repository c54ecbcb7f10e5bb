package docker

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// Engine gives the kinds the Docker engine, connected on first use, so
// loading a catalog needs no Docker.
type Engine interface {
	DockerEngine(ctx context.Context) (*sandbox.Engine, error)
}

// kinds is what the kinds of one [Kinds] call share.
type kinds struct {
	engine Engine
}

// Kinds returns the image kinds of check, keyed by the name an exercise
// spec uses. engine may be nil for a caller that only compiles.
func Kinds(engine Engine) runner.Kinds {
	k := &kinds{engine: engine}
	return runner.Kinds{
		"docker.dockerfile": runner.ParamsKind[dockerfileParams](k.compileDockerfile),
		"docker.image":      runner.ParamsKind[imageParams](k.compileImage),
		"docker.run":        runner.ParamsKind[runParams](k.compileRun),
		"docker.cache":      runner.ParamsKind[cacheParams](k.compileCache),
	}
}

// buildParams are the parameters every kind that builds shares.
type buildParams struct {
	// File is the Dockerfile's path in the workspace; default Dockerfile.
	File string `yaml:"file"`
	// BuildTimeout bounds the build (a Go duration); default 3m.
	BuildTimeout string `yaml:"build_timeout"`
}

func (b buildParams) file() string {
	if b.File == "" {
		return "Dockerfile"
	}
	return b.File
}

func (b buildParams) validate() error {
	if b.File != "" && (strings.HasPrefix(b.File, "/") || strings.Contains(b.File, "..")) {
		return runner.ParamErrorf("file", "must be a path inside the workspace, like Dockerfile")
	}
	if b.BuildTimeout != "" {
		d, err := time.ParseDuration(b.BuildTimeout)
		if err != nil || d <= 0 || d > sandbox.MaxTimeout {
			return runner.ParamErrorf("build_timeout", "must be a Go duration up to %s, like 3m", sandbox.MaxTimeout)
		}
	}
	return nil
}

func (b buildParams) timeout() time.Duration {
	d, _ := time.ParseDuration(b.BuildTimeout)
	return d
}

// buildKey names an attempt's build of one Dockerfile in its Memo.
type buildKey struct{ file string }

// build returns the attempt's image of b's Dockerfile, built once per
// attempt and removed when it ends. A build the learner's work broke is a
// [runner.Failure] with the build's message and the end of its output.
func (k *kinds) build(ctx context.Context, a runner.Attempt, b buildParams) (*sandbox.Image, error) {
	if k.engine == nil {
		return nil, errors.New("docker kinds: no Docker engine configured")
	}
	v, err := a.Memo.Do(buildKey{b.file()}, func() (any, error) {
		eng, err := k.engine.DockerEngine(ctx)
		if err != nil {
			return nil, err
		}
		img, err := eng.BuildImage(ctx, sandbox.BuildSpec{Dir: a.Dir, Dockerfile: b.file(), Timeout: b.timeout()})
		if img != nil {
			a.Memo.Cleanup(func() {
				cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				_ = img.Remove(cctx)
			})
		}
		var bf *sandbox.BuildFailure
		if errors.As(err, &bf) {
			return nil, runner.Failure("%s", buildMessage(bf))
		}
		return img, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*sandbox.Image), nil
}

// buildMessage is a failed build for the learner: what went wrong, and the
// end of what docker build printed.
func buildMessage(bf *sandbox.BuildFailure) string {
	msg := bf.Msg
	if out := strings.TrimSpace(bf.Output); out != "" {
		msg += "\nThe end of the build's output:\n" + indent(lastLines(out, 15))
	}
	return msg + "\nTry it: docker build -t app ."
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// portList checks ports given as parameters.
func portList(field string, ports []int) error {
	for _, p := range ports {
		if p < 1 || p > 65535 {
			return runner.ParamErrorf(field, "port %d is outside 1..65535", p)
		}
	}
	return nil
}

// quoteList prints names for a message: "a, b and c".
func quoteList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// asBuildFailure is errors.As for a *sandbox.BuildFailure.
func asBuildFailure(err error, bf **sandbox.BuildFailure) bool { return errors.As(err, bf) }
