package kube

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// Limits on what one check reads: manifests are the learner's, and a glob
// over a folder of generated files, or a YAML alias bomb, must not fill
// memory.
const (
	maxFiles     = 50
	maxFileBytes = 1 << 20
	maxNodes     = 200_000
)

// object is one Kubernetes object: a YAML document of a manifest file.
type object struct {
	file string
	// root is the document's mapping node: its positions give lines.
	root *yaml.Node
	// value is the document as JSON would hold it, for the schemas.
	value map[string]any
	// problem, when set, is why the document is not an object (a list, a
	// duplicated key); the other fields are then unusable.
	problem string
}

// apiVersion, kind and name are the object's identity, "" when absent or
// not strings.
func (o *object) apiVersion() string { s, _ := o.value["apiVersion"].(string); return s }
func (o *object) kind() string       { s, _ := o.value["kind"].(string); return s }
func (o *object) name() string {
	m, _ := o.value["metadata"].(map[string]any)
	s, _ := m["name"].(string)
	return s
}

// String names the object for a message: Deployment web (k8s/deployment.yaml).
func (o *object) String() string {
	s := o.kind()
	if s == "" {
		s = "object"
	}
	if n := o.name(); n != "" {
		s += " " + n
	}
	return s
}

// at is file:line of the field at loc (JSON pointer tokens), or of the
// nearest enclosing field that exists.
func (o *object) at(loc []string) string {
	return fmt.Sprintf("%s:%d", o.file, o.line(loc))
}

// line is the line of the field at loc: of its key when it is an object's
// field, so that an unknown or misspelt field points at its own name.
func (o *object) line(loc []string) int {
	n := o.root
	line := n.Line
	for _, tok := range loc {
		k, v := child(n, tok, 0)
		if v == nil {
			break
		}
		line = v.Line
		if k != nil {
			line = k.Line
		}
		n = v
	}
	return line
}

// child finds the node under n for one path token: a mapping's value (and
// its key) or a sequence's item. Aliases are followed, merge keys searched.
func child(n *yaml.Node, tok string, depth int) (key, val *yaml.Node) {
	if depth > 50 {
		return nil, nil
	}
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok && n.Content[i].Tag != "!!merge" {
				return n.Content[i], deref(n.Content[i+1])
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Tag == "!!merge" {
				for _, m := range mergeSources(n.Content[i+1]) {
					if k, v := child(m, tok, depth+1); v != nil {
						return k, v
					}
				}
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return nil, deref(n.Content[i])
		}
	}
	return nil, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 50; i++ {
		n = n.Alias
	}
	return n
}

// mergeSources are the mappings a `<<:` value merges: one, or a list.
func mergeSources(v *yaml.Node) []*yaml.Node {
	v = deref(v)
	if v == nil {
		return nil
	}
	if v.Kind == yaml.SequenceNode {
		var out []*yaml.Node
		for _, c := range v.Content {
			out = append(out, deref(c))
		}
		return out
	}
	return []*yaml.Node{v}
}

// manifests is what one check read: the objects of every matching file, or
// the learner-facing reason there are none.
type manifests struct {
	objects []*object
	// failure is why the files cannot be graded: none match, one does not
	// parse, one cannot be read.
	failure string
}

type memoKey struct{ globs string }

// load reads the files matching globs once per attempt (kube.schema and
// kube.policy share the read).
func load(a runner.Attempt, globs []string) (*manifests, error) {
	// A nil Memo (a test's attempt) reads every time.
	v, err := a.Memo.Do(memoKey{strings.Join(globs, "\x00")}, func() (any, error) { return readManifests(a, globs) })
	if err != nil {
		return nil, err
	}
	return v.(*manifests), nil
}

// readManifests matches globs in the workspace and parses every match. An
// error is the infrastructure's; a learner's problem is m.failure.
func readManifests(a runner.Attempt, globs []string) (*manifests, error) {
	files, err := match(a.Dir, globs)
	if err != nil {
		return nil, err
	}
	m := &manifests{}
	if len(files) == 0 {
		m.failure = fmt.Sprintf("no manifest matches %s: write your Kubernetes objects in files there (YAML, one or more objects a file, separated by ---)", strings.Join(globs, " or "))
		return m, nil
	}
	if len(files) > maxFiles {
		m.failure = fmt.Sprintf("%d files match %s: grader reads at most %d; keep only your manifests there", len(files), strings.Join(globs, " or "), maxFiles)
		return m, nil
	}
	for _, f := range files {
		src, err := a.ReadFile(f, maxFileBytes)
		var fe *runner.FileError
		switch {
		case errors.As(err, &fe):
			m.failure = fe.Error()
			return m, nil
		case err != nil:
			return nil, err
		}
		objs, problem := parse(f, src)
		if problem != "" {
			m.failure = problem
			return m, nil
		}
		m.objects = append(m.objects, objs...)
	}
	if len(m.objects) == 0 {
		m.failure = fmt.Sprintf("%s hold no Kubernetes object: each object is a YAML mapping with apiVersion, kind and metadata", strings.Join(files, ", "))
	}
	return m, nil
}

// match returns the workspace files that globs match, sorted and without
// repeats. Matching goes through an [os.Root], so no pattern reaches outside
// the workspace; grader's own folder is never a match.
func match(dir string, globs []string) ([]string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open the workspace: %v", err)
	}
	defer root.Close()
	var files []string
	for _, g := range globs {
		got, err := fs.Glob(root.FS(), g)
		if err != nil {
			return nil, fmt.Errorf("glob %q: %w", g, err)
		}
		for _, f := range got {
			if first, _, _ := strings.Cut(f, "/"); strings.EqualFold(first, runner.MetaDir) || first == ".git" {
				continue
			}
			// A folder that a pattern like k8s/* matches holds no manifest
			// itself; anything else (a link, a pipe) is for ReadFile to refuse.
			if fi, err := root.Lstat(f); err == nil && fi.IsDir() {
				continue
			}
			files = append(files, f)
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

// parse splits a file into its objects. A YAML error is returned as the
// learner-facing problem, with the file and line.
func parse(file string, src []byte) ([]*object, string) {
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	var objs []*object
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return objs, ""
		}
		if err != nil {
			return nil, fmt.Sprintf("%s is not valid YAML: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := deref(doc.Content[0])
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // an empty document: `---` at the end
		}
		o := &object{file: file, root: root}
		if root.Kind != yaml.MappingNode {
			o.problem = "this document is not a mapping: a Kubernetes object is a mapping of fields (apiVersion:, kind:, metadata:, ...)"
			objs = append(objs, o)
			continue
		}
		budget := maxNodes
		v, err := toValue(root, &budget, 0)
		if err != nil {
			o.problem = err.Error()
		} else {
			o.value = v.(map[string]any)
		}
		objs = append(objs, o)
	}
}

// toValue converts a node to the value encoding/json would give the same
// document, as the API server reads it (a null field is left out, as
// `creationTimestamp: null` from kubectl is): mappings of string keys, lists,
// strings, numbers, booleans and null. budget bounds the nodes visited, so
// aliases cannot multiply a small file into a huge value.
func toValue(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, fmt.Errorf("line %d: the document expands to more than %d YAML nodes (through anchors and aliases): write the objects out plainly", n.Line, maxNodes)
	}
	if depth > 100 {
		return nil, fmt.Errorf("line %d: the document nests more than 100 levels deep", n.Line)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return toValue(n.Alias, budget, depth+1)
	case yaml.MappingNode:
		m := map[string]any{}
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merges = append(merges, v)
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key that is not a plain name: Kubernetes fields are named by strings", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: %s is given twice in the same mapping: the API server refuses duplicate fields; keep one", k.Line, k.Value)
			}
			x, err := toValue(v, budget, depth+1)
			if err != nil {
				return nil, err
			}
			if x == nil {
				continue // the API reads a null field as an absent one
			}
			m[k.Value] = x
		}
		for _, mv := range merges {
			for _, src := range mergeSources(mv) {
				x, err := toValue(src, budget, depth+1)
				if err != nil {
					return nil, err
				}
				sm, ok := x.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("line %d: a merge key (<<) must merge a mapping", mv.Line)
				}
				for k, v := range sm {
					if _, set := m[k]; !set {
						m[k] = v
					}
				}
			}
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			x, err := toValue(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		return l, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		if _, ok := v.(time.Time); ok {
			return n.Value, nil // JSON has no timestamps: the API reads a string
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// fieldPath writes JSON pointer tokens as a field path a learner reads:
// spec.template.spec.containers[0].image.
func fieldPath(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// joinPath is fieldPath of loc and one more field.
func joinPath(loc []string, field string) string {
	return fieldPath(append(slices.Clip(loc), field))
}
