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

// imageParams are docker.image's parameters: what the built image must be.
type imageParams struct {
	buildParams `yaml:",inline"`
	// NonRoot: the image's USER is not root, and resolves to a non-zero
	// uid when a container of it runs (`id -u`).
	NonRoot bool `yaml:"non_root"`
	// Expose lists ports the image's config must expose.
	Expose []int `yaml:"expose"`
	// Healthcheck: the image's config has a HEALTHCHECK (not NONE).
	Healthcheck bool `yaml:"healthcheck"`
	// Absent lists glob patterns of the workspace's files (secrets.env,
	// .git/**, tests/**) that no layer the Dockerfile added may hold, at
	// any depth of the image: a file copied in and deleted later still
	// ships in its layer.
	Absent []string `yaml:"absent"`
	// AbsentInImage lists glob patterns of paths in the image
	// (usr/local/go/**, usr/lib/go-*/**) that no layer may hold, the base
	// image's included: what a final stage must not ship, wherever it
	// came from (a toolchain in the FROM image, or copied in).
	AbsentInImage []string `yaml:"absent_in_image"`
	// MaxSizeMB is the most the image may weigh, in megabytes (10^6
	// bytes), as `docker images` shows it.
	MaxSizeMB int `yaml:"max_size_mb"`
}

// Validate checks the parameters.
func (p *imageParams) Validate() error {
	if err := p.buildParams.validate(); err != nil {
		return err
	}
	if !p.NonRoot && len(p.Expose) == 0 && !p.Healthcheck && len(p.Absent) == 0 && len(p.AbsentInImage) == 0 && p.MaxSizeMB == 0 {
		return runner.ParamErrorf("non_root", "docker.image needs something to expect: non_root, expose, healthcheck, absent, absent_in_image or max_size_mb")
	}
	for i, g := range p.Absent {
		if err := checkGlob(g); err != nil {
			return runner.ParamErrorf(fmt.Sprintf("absent[%d]", i), "%v", err)
		}
	}
	for i, g := range p.AbsentInImage {
		if err := checkGlob(g); err != nil {
			return runner.ParamErrorf(fmt.Sprintf("absent_in_image[%d]", i), "%v (a path in the image without its leading /)", err)
		}
	}
	if p.MaxSizeMB < 0 {
		return runner.ParamErrorf("max_size_mb", "must be a positive number of megabytes")
	}
	return portList("expose", p.Expose)
}

func (k *kinds) compileImage(_ runner.Params, p *imageParams) (runner.Checker, error) {
	get := func(ctx context.Context, a runner.Attempt) (*sandbox.Image, error) {
		return k.build(ctx, a, p.buildParams)
	}
	return runner.Using(get, func(ctx context.Context, a runner.Attempt, img *sandbox.Image) runner.Outcome {
		info, err := img.Inspect(ctx)
		if err != nil {
			return runner.Errored(err)
		}
		var problems []string
		add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
		if p.NonRoot {
			if msg := nonRoot(ctx, img, info); msg != "" {
				if strings.HasPrefix(msg, "error: ") {
					return runner.Errored(errors.New(strings.TrimPrefix(msg, "error: ")))
				}
				add("%s", msg)
			}
		}
		for _, port := range p.Expose {
			if !slices.Contains(info.ExposedPorts, strconv.Itoa(port)+"/tcp") {
				have := "none"
				if len(info.ExposedPorts) > 0 {
					have = strings.Join(info.ExposedPorts, ", ")
				}
				add("The image does not expose port %d (it exposes: %s): add `EXPOSE %d` to the Dockerfile.", port, have, port)
			}
		}
		if p.Healthcheck {
			switch {
			case len(info.Healthcheck) == 0:
				add("The image has no HEALTHCHECK, so Docker cannot tell a running but broken server from a healthy one: add one, like `HEALTHCHECK CMD curl -fsS http://localhost:8000/health || exit 1`.")
			case info.Healthcheck[0] == "NONE":
				add("The image's HEALTHCHECK is NONE (turned off): give it a command.")
			}
		}
		if len(p.Absent) > 0 {
			msg, err := shipped(ctx, a, img, p.Absent)
			if err != nil {
				return runner.Errored(err)
			}
			if msg != "" {
				add("%s", msg)
			}
		}
		if p.MaxSizeMB > 0 && info.Size > int64(p.MaxSizeMB)*1e6 {
			add("The image weighs %.0f MB; the exercise allows %d MB. Everything the final stage's FROM image holds ships too: build in one stage, then copy only the program into a small final image.", float64(info.Size)/1e6, p.MaxSizeMB)
		}
		if len(p.AbsentInImage) > 0 {
			msg, err := inImage(ctx, a, img, p.AbsentInImage)
			if err != nil {
				return runner.Errored(err)
			}
			if msg != "" {
				add("%s", msg)
			}
		}
		if len(problems) > 0 {
			return runner.Failed("%s", strings.Join(problems, "\n"))
		}
		if p.MaxSizeMB > 0 {
			return runner.Passed(fmt.Sprintf("the image weighs %.1f MB", float64(info.Size)/1e6))
		}
		return runner.Passed("")
	}), nil
}

// nonRoot says why the image runs as root, or "" when it does not; "error:
// ..." when it could not tell.
func nonRoot(ctx context.Context, img *sandbox.Image, info *sandbox.ImageInfo) string {
	if isRoot(info.User) {
		if info.User == "" {
			return "The image runs as root: its Dockerfile sets no USER. Create a user (RUN useradd --create-home app) and add `USER app` before CMD."
		}
		return fmt.Sprintf("The image runs as root (USER %s): switch to an unprivileged user.", info.User)
	}
	// A numeric USER is the uid Docker runs with, whether /etc/passwd
	// names it or not (distroless images say USER 65532).
	if uid, err := strconv.Atoi(userName(info.User)); err == nil {
		if uid == 0 {
			return fmt.Sprintf("USER %s is uid 0, which is root: use a non-zero uid.", info.User)
		}
		return ""
	}
	out, code, err := img.RunAsImageUser(ctx, []string{"id", "-u"})
	var bf *sandbox.BuildFailure
	if errors.As(err, &bf) && strings.Contains(bf.Msg, `"id": executable file not found`) {
		// An image with no `id` (distroless): the user's line in its
		// /etc/passwd says the uid.
		return passwdUID(ctx, img, info.User)
	}
	switch {
	case errors.As(err, &bf):
		return fmt.Sprintf("USER %s does not work: %s.\nCreate that user in the Dockerfile first (RUN useradd --create-home %s), or name one that exists.",
			info.User, bf.Msg, userName(info.User))
	case err != nil:
		return "error: " + err.Error()
	case code != 0:
		return fmt.Sprintf("`id -u` as USER %s failed (exit status %d): %s", info.User, code, strings.TrimSpace(out))
	case strings.TrimSpace(out) == "0":
		return fmt.Sprintf("USER %s is uid 0, which is root whatever its name: use a user with its own uid (useradd picks one).", info.User)
	}
	return ""
}

// passwdUID says whether user is root by its /etc/passwd line, or why
// that cannot be told; "" when it is an unprivileged user.
func passwdUID(ctx context.Context, img *sandbox.Image, user string) string {
	name := userName(user)
	data, err := img.ReadFile(ctx, "/etc/passwd", 1<<20)
	if err != nil {
		return fmt.Sprintf("USER %s: the image has no `id` program to ask, and its /etc/passwd cannot be read (%v): give USER as a number (USER 65532:65532).", user, err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 || f[0] != name {
			continue
		}
		if f[2] == "0" {
			return fmt.Sprintf("USER %s is uid 0, which is root whatever its name: use a user with its own uid.", user)
		}
		return ""
	}
	return fmt.Sprintf("USER %s does not exist in the image: its /etc/passwd has no such user. Name one that exists, or give a number (USER 65532:65532).", user)
}

func userName(u string) string {
	name, _, _ := strings.Cut(u, ":")
	return name
}

// shipped lists the workspace's files matching patterns that a layer the
// Dockerfile added holds, or "".
func shipped(ctx context.Context, a runner.Attempt, img *sandbox.Image, patterns []string) (string, error) {
	local, err := workspaceFiles(a.Dir)
	if err != nil {
		return "", err
	}
	// `docker save` streams the whole image, base included: once per image.
	v, err := a.Memo.Do(layersKey{img.ID}, func() (any, error) { return img.Layers(ctx) })
	if err != nil {
		return "", err
	}
	layers := v.([]sandbox.Layer)
	names := layerNames(img.Dockerfile, layers)
	// One line per layer and top-level entry of the workspace: "tests/"
	// with its file count, or the file itself.
	type group struct {
		layer       int
		rel, inside string // workspace name; the path in the image
		files       int
		deleted     bool
	}
	var groups []*group
	byKey := map[string]*group{}
	for li, l := range layers {
		for _, f := range l.Files {
			rel, ok := matchSuffix(f, local, patterns)
			if !ok {
				continue
			}
			top, inside := rel, f
			if i := strings.IndexByte(rel, '/'); i >= 0 {
				top = rel[:i+1]
				inside = strings.TrimSuffix(f, rel[i:]) + "/"
			}
			key := fmt.Sprint(li, top)
			g := byKey[key]
			if g == nil {
				g = &group{layer: li, rel: top, inside: "/" + inside}
				byKey[key] = g
				groups = append(groups, g)
			}
			g.files++
			for _, later := range layers[li+1:] {
				if slices.Contains(later.Deleted, f) {
					g.deleted = true
				}
			}
		}
	}
	if len(groups) == 0 {
		return "", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The image ships files of your folder that it must not (%s):", strings.Join(patterns, ", "))
	deleted := false
	for _, g := range groups {
		what := g.rel
		if strings.HasSuffix(g.rel, "/") {
			what = fmt.Sprintf("%s (%d file%s)", g.rel, g.files, map[bool]string{true: "s"}[g.files != 1])
		}
		fmt.Fprintf(&b, "\n  %s adds %s, as %s", names[g.layer], what, g.inside)
		if g.deleted {
			b.WriteString(" (a later RUN deletes it, but this layer still holds it)")
			deleted = true
		}
	}
	b.WriteString("\nList them in .dockerignore so docker build never receives them (then `COPY . .` cannot copy them), or COPY only the files the app needs.")
	if deleted {
		b.WriteString(" Deleting a file in a later instruction does not help: every layer ships with the image, and `docker save` shows what each one holds.")
	}
	return b.String(), nil
}

// inImage lists, per layer, the image's paths matching patterns, or "".
func inImage(ctx context.Context, a runner.Attempt, img *sandbox.Image, patterns []string) (string, error) {
	info, err := img.Inspect(ctx)
	if err != nil {
		return "", err
	}
	first := info.Layers - info.Added
	// The base image's layers first, read once per process: when they
	// already hold the paths (a final stage FROM golang), that is the
	// answer, and the built image, as big, need not be streamed too.
	all, err := img.BaseLayers(ctx)
	if err != nil {
		return "", err
	}
	if len(all) != first || !slices.ContainsFunc(all, func(l sandbox.Layer) bool { return layerHolds(l, patterns) }) {
		v, err := a.Memo.Do(allLayersKey{img.ID}, func() (any, error) { return img.AllLayers(ctx) })
		if err != nil {
			return "", err
		}
		all = v.([]sandbox.Layer)
	}
	added := layerNames(img.Dockerfile, all[min(first, len(all)):])
	var b strings.Builder
	for i, l := range all {
		var hits []string
		for _, f := range l.Files {
			if slices.ContainsFunc(patterns, func(p string) bool { return globMatch(p, f) }) {
				hits = append(hits, "/"+f)
			}
		}
		if len(hits) == 0 {
			continue
		}
		who := "the final stage's base image"
		if img.Dockerfile != nil {
			if from := img.Dockerfile.Final().From; from.Line > 0 {
				who = fmt.Sprintf("the final stage's base image (line %d `%s`)", from.Line, from.Text)
			}
		}
		if i >= first {
			who = added[i-first]
		}
		fmt.Fprintf(&b, "\n  %s holds %d of them, like %s", who, len(hits), hits[0])
	}
	if b.Len() == 0 {
		return "", nil
	}
	return fmt.Sprintf("The image ships what it must not (%s):%s\nA multi-stage build compiles in a first stage (FROM golang... AS build) and copies only the program into the final stage (COPY --from=build ...), FROM an image without the toolchain.",
		strings.Join(patterns, ", "), b.String()), nil
}

func layerHolds(l sandbox.Layer, patterns []string) bool {
	return slices.ContainsFunc(l.Files, func(f string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { return globMatch(p, f) })
	})
}

// allLayersKey names an image's layers, its base's included, in an
// attempt's Memo.
type allLayersKey struct{ image string }

// layerNames names each added layer for a learner: the Dockerfile
// instruction that made it, with its line ("line 4: COPY . ."), matched in
// order among the final stage's instructions of the same kind (the legacy
// builder's history says only "COPY dir:<hash> in ."); else the history's
// own words.
func layerNames(df *sandbox.Dockerfile, layers []sandbox.Layer) []string {
	names := make([]string, len(layers))
	var copies, runs []sandbox.Instruction
	if df != nil {
		for _, in := range df.Final().Instructions {
			switch in.Name {
			case "COPY", "ADD":
				copies = append(copies, in)
			case "RUN":
				runs = append(runs, in)
			}
		}
	}
	// The final stage's instructions make the last layers: match from the end.
	ci, ri := len(copies)-1, len(runs)-1
	for i := len(layers) - 1; i >= 0; i-- {
		instr := layers[i].Instruction()
		names[i] = "`" + instr + "`"
		var in *sandbox.Instruction
		switch {
		case (strings.HasPrefix(instr, "COPY ") || strings.HasPrefix(instr, "ADD ")) && ci >= 0:
			in = &copies[ci]
			ci--
		case strings.HasPrefix(instr, "RUN ") && ri >= 0:
			in = &runs[ri]
			ri--
		}
		if in != nil {
			names[i] = fmt.Sprintf("line %d `%s`", in.Line, in.Text)
		}
	}
	return names
}

// layersKey names an image's layers in an attempt's Memo.
type layersKey struct{ image string }

// workspaceFiles lists the regular files of the learner's folder (.git
// included), as slash paths.
func workspaceFiles(dir string) (map[string]bool, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	files := map[string]bool{}
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (p == runner.MetaDir || strings.HasPrefix(p, runner.MetaDir+"-")) {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			files[p] = true
		}
		if len(files) > 20000 {
			return fs.SkipAll
		}
		return nil
	})
	return files, err
}

// matchSuffix reports whether a path in the image ends with a path of the
// workspace that matches one of patterns (so app/tests/test_app.py is the
// workspace's tests/test_app.py), and returns that workspace path.
func matchSuffix(imagePath string, local map[string]bool, patterns []string) (string, bool) {
	parts := strings.Split(imagePath, "/")
	for i := range parts {
		rel := strings.Join(parts[i:], "/")
		if !local[rel] {
			continue
		}
		for _, p := range patterns {
			if globMatch(p, rel) {
				return rel, true
			}
		}
	}
	return "", false
}

// checkGlob reports a pattern globMatch cannot use.
func checkGlob(p string) error {
	if p == "" || strings.HasPrefix(p, "/") {
		return fmt.Errorf("must be a relative glob pattern, like secrets.env or tests/**")
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("%q: %v", p, err)
		}
	}
	return nil
}

// globMatch matches a slash path against a pattern whose segments are
// path.Match patterns or ** (any number of segments). A pattern with no
// slash matches the base name at any depth, as in .gitignore.
func globMatch(pattern, name string) bool {
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(name))
		return ok
	}
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegs(ps, ns []string) bool {
	for len(ps) > 0 {
		if ps[0] == "**" {
			for i := 0; i <= len(ns); i++ {
				if matchSegs(ps[1:], ns[i:]) {
					return true
				}
			}
			return false
		}
		if len(ns) == 0 {
			return false
		}
		if ok, _ := path.Match(ps[0], ns[0]); !ok {
			return false
		}
		ps, ns = ps[1:], ns[1:]
	}
	return len(ns) == 0
}
