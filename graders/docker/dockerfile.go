package docker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// dockerfileParams are docker.dockerfile's parameters: the rules the
// exercise picks. With none, the check passes when the Dockerfile parses.
type dockerfileParams struct {
	// File is the Dockerfile's path; default Dockerfile.
	File string `yaml:"file"`
	// From lists the base images the final stage may be built FROM.
	From []string `yaml:"from"`
	// User: the final stage sets a USER that is not root (or 0).
	User bool `yaml:"user"`
	// Expose lists ports the final stage must EXPOSE.
	Expose []int `yaml:"expose"`
	// Healthcheck: the final stage has a HEALTHCHECK (not NONE).
	Healthcheck bool `yaml:"healthcheck"`
	// NoLatest: every FROM image names a tag other than latest (or a digest).
	NoLatest bool `yaml:"no_latest"`
	// CopyNotAdd: no ADD of local files (COPY says what it does).
	CopyNotAdd bool `yaml:"copy_not_add"`
}

// Validate checks the parameters.
func (p *dockerfileParams) Validate() error {
	if err := (buildParams{File: p.File}).validate(); err != nil {
		return err
	}
	for i, f := range p.From {
		if strings.TrimSpace(f) == "" || strings.ContainsAny(f, " \t") {
			return runner.ParamErrorf(fmt.Sprintf("from[%d]", i), "must be an image name, like python:3.11")
		}
	}
	return portList("expose", p.Expose)
}

func (k *kinds) compileDockerfile(_ runner.Params, p *dockerfileParams) (runner.Checker, error) {
	return runner.CheckerFunc(func(ctx context.Context, a runner.Attempt) runner.Outcome {
		file := buildParams{File: p.File}.file()
		df, fail := readDockerfile(a.Dir, file)
		if fail != nil {
			return *fail
		}
		var problems []string
		add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
		final := df.Final()
		finalIdx := len(df.Stages) - 1
		if len(p.From) > 0 {
			base, line := imageOf(df, finalIdx)
			if base == "" {
				add("line %d: the final stage is built FROM %s, not from an image: build it FROM %s.", final.From.Line, final.Base, quoteList(p.From))
			} else if !slices.ContainsFunc(p.From, func(want string) bool { return sameImage(want, base) }) {
				add("line %d: FROM %s: this image must be built FROM %s (exactly that image and tag).", line, base, quoteList(p.From))
			}
		}
		if p.User {
			users := final.Find("USER")
			switch {
			case len(users) == 0:
				add("There is no USER in the final stage, so the container runs as root: create a user (RUN useradd --create-home app) and switch to it (USER app) before CMD.")
			case isRoot(firstArg(users[len(users)-1])):
				u := users[len(users)-1]
				add("line %d: %s: the last USER of the final stage is root, so the container runs as root: switch to an unprivileged user.", u.Line, u.Text)
			}
		}
		if len(p.Expose) > 0 {
			declared := map[int]bool{}
			for _, in := range final.Find("EXPOSE") {
				for _, a := range in.Args {
					port, _, _ := strings.Cut(a, "/")
					if n, err := strconv.Atoi(port); err == nil {
						declared[n] = true
					}
				}
			}
			for _, port := range p.Expose {
				if !declared[port] {
					add("The final stage does not EXPOSE %d: add `EXPOSE %d`, which documents the port the server listens on.", port, port)
				}
			}
		}
		if p.Healthcheck {
			hcs := final.Find("HEALTHCHECK")
			switch {
			case len(hcs) == 0:
				add("There is no HEALTHCHECK in the final stage: add one that asks the server itself, like `HEALTHCHECK CMD curl -fsS http://localhost:8000/health || exit 1`.")
			case strings.EqualFold(firstArg(hcs[len(hcs)-1]), "NONE"):
				add("line %d: HEALTHCHECK NONE turns the health check off: give it a command.", hcs[len(hcs)-1].Line)
			}
		}
		if p.NoLatest {
			for _, st := range df.Images() {
				if untagged(st.Base) {
					add("line %d: FROM %s: name a tag (python:3.11): latest changes under you, and the next build gets another image.", st.From.Line, st.Base)
				}
			}
		}
		if p.CopyNotAdd {
			for _, st := range df.Stages {
				for _, in := range st.Find("ADD") {
					if addsLocalFiles(in) {
						add("line %d: %s: use COPY for files of your folder; ADD also unpacks archives and downloads URLs, which COPY never does.", in.Line, in.Text)
					}
				}
			}
		}
		if len(problems) > 0 {
			return runner.Failed("%s: %s", file, strings.Join(problems, "\n"))
		}
		return runner.Passed("")
	}), nil
}

// readDockerfile reads and parses the learner's Dockerfile, or returns the
// failing outcome.
func readDockerfile(dir, file string) (*sandbox.Dockerfile, *runner.Outcome) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		o := runner.Errored(err)
		return nil, &o
	}
	defer root.Close()
	src, err := fs.ReadFile(root.FS(), file)
	if errors.Is(err, fs.ErrNotExist) {
		msg := fmt.Sprintf("There is no %s in your folder: write one. It starts with FROM and the base image, like `FROM python:3.11`.", file)
		// A near miss (dockerfile, Dockerfile.txt) is named: docker build
		// looks for the exact name.
		if des, err := fs.ReadDir(root.FS(), path.Dir(file)); err == nil {
			for _, de := range des {
				n := de.Name()
				if !de.IsDir() && n != path.Base(file) && strings.HasPrefix(strings.ToLower(n), strings.ToLower(path.Base(file))) {
					msg += fmt.Sprintf(" There is a %s: docker build reads a file named exactly %s.", path.Join(path.Dir(file), n), path.Base(file))
					break
				}
			}
		}
		o := runner.Failed("%s", msg)
		return nil, &o
	}
	if err != nil {
		o := runner.Failed("%s cannot be read: %v", file, err)
		return nil, &o
	}
	df, err := sandbox.ParseDockerfile(src)
	if err != nil {
		o := runner.Failed("%s does not parse (docker build would refuse it): %v", file, err)
		return nil, &o
	}
	return df, nil
}

// imageOf follows stage i's FROM through earlier stages to the image it
// starts from: "" for scratch.
func imageOf(df *sandbox.Dockerfile, i int) (image string, line int) {
	for seen := 0; seen <= len(df.Stages); seen++ {
		st := df.Stages[i]
		if strings.EqualFold(st.Base, "scratch") {
			return "", st.From.Line
		}
		if !df.IsStage(i, st.Base) {
			return st.Base, st.From.Line
		}
		j := slices.IndexFunc(df.Stages[:i], func(s sandbox.Stage) bool { return strings.EqualFold(s.Name, st.Base) })
		if j < 0 {
			if n, err := strconv.Atoi(st.Base); err == nil && n < i {
				j = n
			} else {
				return st.Base, st.From.Line
			}
		}
		i = j
	}
	return "", 0
}

// sameImage compares image names as Docker does: docker.io/library/ is
// implied.
func sameImage(a, b string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		for _, p := range []string{"docker.io/library/", "index.docker.io/library/", "docker.io/"} {
			s = strings.TrimPrefix(s, p)
		}
		return s
	}
	return norm(a) == norm(b)
}

func untagged(image string) bool {
	if strings.Contains(image, "@") {
		return false
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	return !ok || tag == "latest"
}

func firstArg(in sandbox.Instruction) string {
	if len(in.Args) == 0 {
		return ""
	}
	return in.Args[0]
}

// isRoot reports whether a USER value means root.
func isRoot(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "" || u == "root" || u == "0"
}

// addsLocalFiles reports whether an ADD copies files of the build context
// (not a URL, not a git repository).
func addsLocalFiles(in sandbox.Instruction) bool {
	if len(in.Args) < 2 {
		return false
	}
	for _, src := range in.Args[:len(in.Args)-1] {
		if !strings.Contains(src, "://") && !strings.HasPrefix(src, "git@") {
			return true
		}
	}
	return false
}
