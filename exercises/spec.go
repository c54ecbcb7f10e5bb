package exercises

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/exercises/history"
	"github.com/backendroadmap/grader/runner"
)

// FormatVersion is the exercise format this grader reads. A spec declares it in
// its `format` field so a future format can change without misreading old specs.
const FormatVersion = 1

// SpecFile is the name of the file that makes a folder an exercise.
const SpecFile = "exercise.yaml"

// maxTimeout caps a check's timeout so a typo (30m for 30s) cannot stall CI.
const maxTimeout = 10 * time.Minute

// spec mirrors exercise.yaml. Its yaml tags are the format's field names.
type spec struct {
	Format       int         `yaml:"format"`
	ID           string      `yaml:"id"`
	Title        string      `yaml:"title"`
	Skill        string      `yaml:"skill"`
	Phase        string      `yaml:"phase"`
	Summary      string      `yaml:"summary"`
	Instructions string      `yaml:"instructions"`
	Starter      recipeSpec  `yaml:"starter"`
	Solution     recipeSpec  `yaml:"solution"`
	Wrong        []wrongSpec `yaml:"wrong"`
	Checks       []checkSpec `yaml:"checks"`
	// Services configures the services the checks use, by name (postgres,
	// redis); the kinds that use a service decode its block.
	Services map[string]yaml.Node `yaml:"services"`
}

type recipeSpec struct {
	Files      string         `yaml:"files"`
	Executable []string       `yaml:"executable"`
	Git        bool           `yaml:"git"`
	History    []history.Step `yaml:"history"`
}

type wrongSpec struct {
	Name       string   `yaml:"name"`
	MustFail   []string `yaml:"must_fail"`
	recipeSpec `yaml:",inline"`
}

type checkSpec struct {
	ID         string    `yaml:"id"`
	Name       string    `yaml:"name"`
	Kind       string    `yaml:"kind"`
	With       yaml.Node `yaml:"with"`
	DependsOn  []string  `yaml:"depends_on"`
	Hints      []string  `yaml:"hints"`
	Points     *int      `yaml:"points"`
	Timeout    string    `yaml:"timeout"`
	Visibility string    `yaml:"visibility"`
}

// Recipe is a set of changes to a workspace: files copied from the exercise's
// folder, then git history steps. Starters, reference solutions and known-wrong
// solutions are all recipes.
type Recipe struct {
	// Files is a folder inside the exercise whose contents are copied in.
	Files string
	// Executable lists copied files to mark executable (embedding drops modes).
	Executable []string
	// Git makes the workspace a git repository (implied by History).
	Git     bool
	History []history.Step
}

// Wrong is a known-wrong solution: `grader validate` proves that it fails, which
// is what keeps checks from being too lenient.
type Wrong struct {
	Name string
	// MustFail lists checks that must fail for it; empty means any one.
	MustFail []string
	Recipe
}

// Exercise is one loaded, validated exercise.
type Exercise struct {
	runner.Exercise
	Summary string
	// Instructions is the markdown shown by `grader start` and `grader show`.
	Instructions string
	Starter      Recipe
	Solution     Recipe
	Wrong        []Wrong
	// Spec is the spec file's path inside its catalog, for messages.
	Spec string
	// Files is the exercise's folder.
	Files fs.FS

	services map[string]yaml.Node
}

// Service fills v from the exercise's `services.<name>` block, the way its
// checks' kinds read it (it was checked when the spec loaded). It wraps
// [runner.ErrNoService] when the exercise declares no such service. It
// serves what runs outside the checks: `grader db` opens the data an
// attempt starts from.
func (e *Exercise) Service(name string, v any) error {
	n, ok := e.services[name]
	if !ok {
		return fmt.Errorf("%s: %w", name, runner.ErrNoService)
	}
	return decodeStrict(&n, v)
}

// IsGit reports whether the exercise's workspace is a git repository.
func (e *Exercise) IsGit() bool { return e.Starter.Git }

// Compiled on first use, not in package init, which every grader start pays.
var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`) })

// parse decodes and validates one spec. file names it in problems; dir is the
// exercise's folder (its base name must be the id).
func parse(data []byte, file string, dir fs.FS, folder string, kinds runner.Kinds) (*Exercise, error) {
	p := &parser{file: file, data: data}
	var s spec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		p.yamlError(err)
		// Unknown fields and type mismatches still leave the rest decoded:
		// validate it too, so the author sees every problem in one run.
		// A mapping with a key given twice is left wholly undecoded, though:
		// validating it would call every one of its fields missing.
		var te *yaml.TypeError
		if !errors.As(err, &te) || slices.ContainsFunc(te.Errors, isDuplicateKey) {
			return nil, p.err()
		}
	}
	ex := p.validate(&s, dir, folder, kinds)
	if err := p.err(); err != nil {
		return nil, err
	}
	ex.Spec, ex.Files = file, dir
	return ex, nil
}

type parser struct {
	file string
	data []byte
	// root is the spec's YAML tree, parsed by tree on first use: only
	// problems need it, for their lines, so a valid spec is parsed once.
	root     *yaml.Node
	problems []Problem
	// services is the spec's services block; servicesUsed, the names a
	// kind asked for (a declared service no check uses is a mistake).
	services     map[string]yaml.Node
	servicesUsed map[string]bool
}

// use records that a check reads the exercise's service name.
func (p *parser) use(name string) {
	if p.servicesUsed == nil {
		p.servicesUsed = map[string]bool{}
	}
	p.servicesUsed[name] = true
}

func (p *parser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	return &SpecError{Problems: p.problems}
}

// add records a problem at the line of the field path (dotted, with [i] for
// sequence items); a missing field points at its nearest present parent.
// A field the YAML library already rejected (a wrong type) is not reported
// again as missing.
func (p *parser) add(field, format string, args ...any) {
	for _, q := range p.problems {
		if q.Field == field {
			return
		}
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: p.line(field), Field: field, Msg: fmt.Sprintf(format, args...)})
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })

// yamlError turns the YAML library's errors (one per bad field) into problems.
func (p *parser) yamlError(err error) {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		pr := Problem{File: p.file, Msg: m}
		if sm := yamlLine().FindStringSubmatch(m); sm != nil {
			pr.Line, _ = strconv.Atoi(sm[1])
			pr.Msg = sm[2]
		}
		if sm := unknownField().FindStringSubmatch(pr.Msg); sm != nil {
			pr.Field = p.pathAt(p.tree(), "", pr.Line, sm[1])
			pr.Msg = "field " + sm[1] + " not found: check its spelling against docs/exercise-format.md"
		} else if pr.Line > 0 {
			pr.Field = p.pathAt(p.tree(), "", pr.Line, "") // a value of the wrong type
		}
		p.problems = append(p.problems, pr)
	}
}

var unknownField = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^field (\S+) not found in type`) })

// isDuplicateKey reports whether a YAML decoding error is about a mapping key
// given twice, after which the library skips the whole mapping.
func isDuplicateKey(msg string) bool { return strings.Contains(msg, "already defined at line") }

// tree parses the spec into a YAML tree once, for problems' lines and field
// paths. A spec that does not parse yields an empty tree: its syntax error is
// already a problem.
func (p *parser) tree() *yaml.Node {
	if p.root == nil {
		p.root = &yaml.Node{}
		_ = yaml.Unmarshal(p.data, p.root)
	}
	return p.root
}

// pathAt finds the field path of the mapping key named key (any key, when key
// is empty) on line, for errors the YAML library reports by line only.
func (p *parser) pathAt(n *yaml.Node, prefix string, line int, key string) string {
	if n == nil {
		return ""
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if f := p.pathAt(c, prefix, line, key); f != "" {
				return f
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if f := p.pathAt(c, fmt.Sprintf("%s[%d]", prefix, i), line, key); f != "" {
				return f
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			name := n.Content[i].Value
			if prefix != "" {
				name = prefix + "." + name
			}
			if n.Content[i].Line == line && (key == "" || n.Content[i].Value == key) {
				return name
			}
			if f := p.pathAt(n.Content[i+1], name, line, key); f != "" {
				return f
			}
		}
	}
	return ""
}

var fieldPart = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`) })

// node returns the YAML node at a field path, or the deepest node found on the
// way when the path runs out.
func (p *parser) node(field string) *yaml.Node {
	n := p.tree()
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, m := range fieldPart().FindAllStringSubmatch(field, -1) {
		var next *yaml.Node
		switch {
		case m[2] != "" && n.Kind == yaml.SequenceNode:
			if i, _ := strconv.Atoi(m[2]); i < len(n.Content) {
				next = n.Content[i]
			}
		case m[1] != "" && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == m[1] {
					next = n.Content[i+1]
					if next.Kind == yaml.ScalarNode || next.Kind == yaml.AliasNode {
						next = n.Content[i] // the key's line reads best for scalars
					}
					break
				}
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

func (p *parser) line(field string) int {
	if n := p.node(field); n != nil {
		return n.Line
	}
	return 0
}

func (p *parser) validate(s *spec, dir fs.FS, folder string, kinds runner.Kinds) *Exercise {
	ex := &Exercise{services: s.Services}
	p.services = s.Services
	switch {
	case s.Format == 0:
		p.add("format", "required: add `format: %d` at the top", FormatVersion)
	case s.Format != FormatVersion:
		p.add("format", "format %d is not supported by this grader (it reads format %d); upgrade grader", s.Format, FormatVersion)
	}
	switch {
	case s.ID == "":
		p.add("id", "required")
	case !idPattern().MatchString(s.ID):
		p.add("id", "%q must be lower-case words joined by hyphens, like git-branching", s.ID)
	case folder != "" && s.ID != folder:
		p.add("id", "%q must match its folder's name %q", s.ID, folder)
	}
	p.required("title", s.Title)
	p.required("summary", s.Summary)
	if sk := runner.Skill(s.Skill); !sk.Valid() {
		p.add("skill", "%q is not a skill; use one of %s", s.Skill, joinQuoted(runner.Skills))
	}
	if ph := runner.Phase(s.Phase); !ph.Valid() {
		p.add("phase", "%q is not a phase; use one of %s", s.Phase, joinQuoted(runner.Phases))
	}
	ex.ID, ex.Title, ex.Skill, ex.Phase, ex.Summary = s.ID, s.Title, runner.Skill(s.Skill), runner.Phase(s.Phase), s.Summary
	if p.required("instructions", s.Instructions) {
		b, err := fs.ReadFile(dir, s.Instructions)
		if err != nil {
			p.add("instructions", "cannot read %s: put the markdown file beside %s", s.Instructions, SpecFile)
		}
		ex.Instructions = string(b)
	}
	ex.Starter = p.recipe("starter", s.Starter, dir)
	if s.Solution.Files == "" && len(s.Solution.History) == 0 {
		p.add("solution", "required: the reference solution, as `files` and/or `history`")
	}
	ex.Solution = p.recipe("solution", s.Solution, dir)
	ex.Solution.Git = ex.Starter.Git
	checkIDs := p.checks(s, ex, dir, kinds)
	for _, name := range slices.Sorted(maps.Keys(s.Services)) {
		if !p.servicesUsed[name] {
			p.add("services."+name, "no check uses service %q; remove it or add a check of a kind that does", name)
		}
	}
	if len(s.Wrong) == 0 {
		p.add("wrong", "required: at least one known-wrong solution, which `grader validate` proves fails (it keeps checks from being too lenient)")
	}
	for i, w := range s.Wrong {
		f := fmt.Sprintf("wrong[%d]", i)
		p.required(f+".name", w.Name)
		r := p.recipe(f, w.recipeSpec, dir)
		if r.Files == "" && len(r.History) == 0 {
			p.add(f, "a wrong solution needs `files` and/or `history`")
		}
		r.Git = ex.Starter.Git
		for j, id := range w.MustFail {
			if !checkIDs[id] {
				msg := fmt.Sprintf("no check %q in this exercise", id)
				if near := Nearest(id, slices.Collect(maps.Keys(checkIDs)), 2); len(near) > 0 {
					msg += "; did you mean " + strings.Join(near, ", ") + "?"
				}
				p.add(fmt.Sprintf("%s.must_fail[%d]", f, j), "%s", msg)
			}
		}
		ex.Wrong = append(ex.Wrong, Wrong{Name: w.Name, MustFail: w.MustFail, Recipe: r})
	}
	return ex
}

func (p *parser) required(field, v string) bool {
	if strings.TrimSpace(v) == "" {
		p.add(field, "required")
		return false
	}
	return true
}

func (p *parser) recipe(field string, r recipeSpec, dir fs.FS) Recipe {
	if r.Files != "" {
		if st, err := fs.Stat(dir, r.Files); err != nil || !st.IsDir() {
			p.add(field+".files", "%q is not a folder beside %s", r.Files, SpecFile)
		}
	}
	for i, e := range r.Executable {
		if _, err := fs.Stat(dir, path.Join(r.Files, e)); r.Files == "" || err != nil {
			p.add(fmt.Sprintf("%s.executable[%d]", field, i), "%q is not a file in %q", e, r.Files)
		}
	}
	for i, st := range r.History {
		if err := st.Validate(); err != nil {
			f := fmt.Sprintf("%s.history[%d]", field, i)
			var pe *runner.ParamError
			if errors.As(err, &pe) {
				p.add(f+"."+pe.Field, "%s", pe.Msg)
			} else {
				p.add(f, "%v", err)
			}
		}
	}
	return Recipe{Files: r.Files, Executable: r.Executable, Git: r.Git || len(r.History) > 0, History: r.History}
}

func (p *parser) checks(s *spec, ex *Exercise, dir fs.FS, kinds runner.Kinds) map[string]bool {
	if len(s.Checks) == 0 {
		p.add("checks", "required: at least one check")
	}
	seen := map[string]bool{}
	for i, cs := range s.Checks {
		f := fmt.Sprintf("checks[%d]", i)
		c := runner.Check{ID: cs.ID, Name: cs.Name, Kind: cs.Kind, DependsOn: cs.DependsOn, Hints: cs.Hints, Points: 1, Timeout: runner.DefaultTimeout}
		switch {
		case cs.ID == "":
			p.add(f+".id", "required")
		case !idPattern().MatchString(cs.ID):
			p.add(f+".id", "%q must be lower-case words joined by hyphens", cs.ID)
		case seen[cs.ID]:
			p.add(f+".id", "%q is used by an earlier check", cs.ID)
		}
		p.required(f+".name", cs.Name)
		if len(cs.Hints) == 0 {
			p.add(f+".hints", "required: at least one hint, shown when the check fails")
		}
		for j, d := range cs.DependsOn {
			if !seen[d] {
				p.add(fmt.Sprintf("%s.depends_on[%d]", f, j), "%q must name a check declared before this one", d)
			}
		}
		if cs.Points != nil {
			if *cs.Points < 0 {
				p.add(f+".points", "must not be negative")
			}
			c.Points = *cs.Points
		}
		if cs.Timeout != "" {
			d, err := time.ParseDuration(cs.Timeout)
			switch {
			case err != nil:
				p.add(f+".timeout", "%q is not a duration like 30s or 2m", cs.Timeout)
			case d <= 0 || d > maxTimeout:
				p.add(f+".timeout", "must be between 0s and %s", maxTimeout)
			}
			c.Timeout = d
		}
		switch cs.Visibility {
		case "", "visible":
		case "hidden":
			c.Hidden = true
		default:
			p.add(f+".visibility", "%q is not visible or hidden", cs.Visibility)
		}
		c.Checker = p.compile(f, cs, dir, kinds)
		seen[cs.ID] = true
		ex.Checks = append(ex.Checks, c)
	}
	return seen
}

func (p *parser) compile(f string, cs checkSpec, dir fs.FS, kinds runner.Kinds) runner.Checker {
	kind, ok := kinds[cs.Kind]
	if !ok {
		if cs.Kind == "" {
			p.add(f+".kind", "required")
		} else {
			names := make([]string, 0, len(kinds))
			for k := range kinds {
				names = append(names, k)
			}
			msg := fmt.Sprintf("unknown kind %q", cs.Kind)
			if near := Nearest(cs.Kind, names, 3); len(near) > 0 {
				msg += "; did you mean " + strings.Join(near, ", ") + "?"
			}
			p.add(f+".kind", "%s", msg)
		}
		return nil
	}
	if _, ok := kind.(runner.Elsewhere); ok {
		// A build that does not link this kind cannot know which services
		// it reads; the full build, which grades it, checks them all.
		for name := range p.services {
			p.use(name)
		}
	}
	with := &cs.With
	decode := func(v any) error { return decodeStrict(with, v) }
	service := func(name string, v any) error {
		n, ok := p.services[name]
		if !ok {
			return &serviceError{field: "services." + name, msg: fmt.Sprintf("required by %s (kind %s): declare the exercise's %s service", f, cs.Kind, name), missing: true}
		}
		p.use(name)
		if err := decodeStrict(&n, v); err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				field := "services." + name
				if fe.field != "" {
					field += "." + fe.field
				}
				return &serviceError{field: field, msg: fe.msg, line: fe.line}
			}
			return &serviceError{field: "services." + name, msg: err.Error(), line: n.Line}
		}
		return nil
	}
	checker, err := kind.Compile(runner.Params{Decode: decode, Files: dir, Service: service, Hidden: cs.Visibility == "hidden"})
	if d, ok := kind.(runner.ServicesDeclarer); ok {
		// Used even when the check's own parameters failed to decode before
		// the kind asked for them: one mistake, one problem.
		for name := range d.Services() {
			if _, declared := p.services[name]; declared {
				p.use(name)
			}
		}
	}
	if err != nil {
		var pe *runner.ParamError
		var fe *fieldError
		var se *serviceError
		var rse *runner.ServiceError
		switch {
		case errors.As(err, &rse):
			field := "services." + rse.Service
			if rse.Field != "" {
				field += "." + rse.Field
			}
			p.add(field, "%s", rse.Msg)
		case errors.As(err, &se):
			if se.line == 0 {
				p.add(se.field, "%s", se.msg)
			} else {
				p.problems = append(p.problems, Problem{File: p.file, Line: se.line, Field: se.field, Msg: se.msg})
			}
		case errors.As(err, &pe):
			p.add(f+".with."+pe.Field, "%s", pe.Msg)
		case errors.As(err, &fe):
			field := f + ".with"
			if fe.field != "" {
				field += "." + fe.field
			}
			p.problems = append(p.problems, Problem{File: p.file, Line: fe.line, Field: field, Msg: fe.msg})
		default:
			p.add(f+".with", "%v", err)
		}
	}
	return checker
}

// fieldError is a problem found while decoding a check's parameters, with the
// line the YAML node gave.
type fieldError struct {
	field, msg string
	line       int
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

// serviceError is a problem with the exercise's services block, found while
// a kind decoded it: reported at the block's own field, not the check's.
type serviceError struct {
	field, msg string
	line       int
	// missing: the exercise has no such block (see [runner.ErrNoService]).
	missing bool
}

func (e *serviceError) Error() string { return e.field + ": " + e.msg }

func (e *serviceError) Unwrap() error {
	if e.missing {
		return runner.ErrNoService
	}
	return nil
}

// decodeStrict decodes a check's `with:` block into v, rejecting fields v's
// struct does not declare. (yaml.Node.Decode has no KnownFields switch.)
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind == 0 { // no `with:` at all
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &fieldError{field: "", msg: "must be a mapping of parameter names to values", line: n.Line}
	}
	known := map[string]bool{}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name == "" {
				name = strings.ToLower(t.Field(i).Name)
			}
			known[name] = true
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if !known[k.Value] {
				names := make([]string, 0, len(known))
				for name := range known {
					names = append(names, name)
				}
				msg := "unknown parameter"
				if near := Nearest(k.Value, names, 2); len(near) > 0 {
					msg += "; did you mean " + strings.Join(near, ", ") + "?"
				}
				return &fieldError{field: k.Value, msg: msg, line: k.Line}
			}
		}
	}
	if err := n.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			m := te.Errors[0]
			line := n.Line
			if sm := yamlLine().FindStringSubmatch(m); sm != nil {
				line, _ = strconv.Atoi(sm[1])
				m = sm[2]
			}
			return &fieldError{msg: m, line: line}
		}
		return err
	}
	return nil
}

func joinQuoted[T ~string](xs []T) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = string(x)
	}
	return strings.Join(q, ", ")
}
