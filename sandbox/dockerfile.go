package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Dockerfile is a learner's Dockerfile as BuildKit's own parser reads it:
// its stages and their instructions with line numbers, for messages that
// point at a line. Graders read it rather than the parser's types, so the
// parser stays a detail of this package.
type Dockerfile struct {
	// Stages in order; the last one is the image that is built.
	Stages []Stage
	// Args are the ARG instructions before the first FROM.
	Args []Instruction

	src []byte
}

// Stage is one FROM and what follows it, up to the next FROM.
type Stage struct {
	// Name is the stage's name after AS (lower-case), or "".
	Name string
	// Base is the image as written after FROM, or a previous stage's name.
	Base string
	// From is the FROM instruction itself.
	From Instruction
	// Instructions after FROM, in order.
	Instructions []Instruction
}

// Instruction is one instruction of a [Dockerfile].
type Instruction struct {
	// Name is upper-case: "COPY", "USER".
	Name string
	// Args are its arguments after the flags, as the parser splits them:
	// EXPOSE 8000 9000 has two; a shell-form CMD has one (the command line);
	// HEALTHCHECK CMD curl x has "CMD" and "curl x"; JSON forms are split.
	Args []string
	// Flags as written (--chown=app:app, --interval=5s).
	Flags []string
	// JSON is set for the exec (JSON array) form of CMD, ENTRYPOINT, RUN.
	JSON bool
	// Line is its first line in the file (from 1); EndLine its last.
	Line, EndLine int
	// Text is the instruction as written, continuation lines joined.
	Text string
}

// DockerfileError is a Dockerfile that does not parse: Line (0 when
// unknown) and the parser's message.
type DockerfileError struct {
	Line int
	Msg  string
}

func (e *DockerfileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("Dockerfile line %d: %s", e.Line, e.Msg)
	}
	return "Dockerfile: " + e.Msg
}

// ParseDockerfile parses src with BuildKit's Dockerfile parser, then checks
// every instruction with BuildKit's instruction parser (unknown
// instructions, bad flags, FROM without an image), so what passes here is
// what `docker build` accepts.
func ParseDockerfile(src []byte) (*Dockerfile, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, dockerfileError(err)
	}
	if _, _, err := instructions.Parse(res.AST, nil); err != nil {
		return nil, dockerfileError(err)
	}
	df := &Dockerfile{src: src}
	for _, n := range res.AST.Children {
		in := Instruction{
			Name: strings.ToUpper(n.Value), Flags: n.Flags, JSON: n.Attributes["json"],
			Line: n.StartLine, EndLine: n.EndLine, Text: strings.TrimSpace(n.Original),
		}
		for a := n.Next; a != nil; a = a.Next {
			in.Args = append(in.Args, a.Value)
		}
		if in.Name == "FROM" {
			st := Stage{From: in}
			if len(in.Args) > 0 {
				st.Base = in.Args[0]
			}
			if len(in.Args) == 3 && strings.EqualFold(in.Args[1], "AS") {
				st.Name = strings.ToLower(in.Args[2])
			}
			df.Stages = append(df.Stages, st)
			continue
		}
		if len(df.Stages) == 0 {
			if in.Name == "ARG" {
				df.Args = append(df.Args, in)
			}
			continue
		}
		last := &df.Stages[len(df.Stages)-1]
		last.Instructions = append(last.Instructions, in)
	}
	if len(df.Stages) == 0 {
		return nil, &DockerfileError{Msg: "no FROM instruction: a Dockerfile starts with FROM and a base image"}
	}
	return df, nil
}

func dockerfileError(err error) error {
	line := 0
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	msg := err.Error()
	// The parser's own prefix repeats what DockerfileError says.
	msg = strings.TrimPrefix(msg, "dockerfile parse error on line ")
	if i := strings.Index(msg, ": "); i > 0 && line > 0 && strings.TrimSpace(msg[:i]) == fmt.Sprint(line) {
		msg = msg[i+2:]
	}
	return &DockerfileError{Line: line, Msg: msg}
}

// Final is the last stage: the image the Dockerfile builds.
func (d *Dockerfile) Final() *Stage { return &d.Stages[len(d.Stages)-1] }

// IsStage reports whether base names a stage before stage i (by name or
// index), so FROM base is not an image.
func (d *Dockerfile) IsStage(i int, base string) bool {
	for j := 0; j < i && j < len(d.Stages); j++ {
		if d.Stages[j].Name != "" && strings.EqualFold(d.Stages[j].Name, base) || fmt.Sprint(j) == base {
			return true
		}
	}
	return false
}

// Images lists the FROM images (not previous stages), in order, with the
// stage index of each.
func (d *Dockerfile) Images() []Stage {
	var out []Stage
	for i, st := range d.Stages {
		if !d.IsStage(i, st.Base) && !strings.EqualFold(st.Base, "scratch") {
			out = append(out, st)
		}
	}
	return out
}

// Find returns the instructions named name (upper-case) in stage st.
func (st *Stage) Find(name string) []Instruction {
	var out []Instruction
	for _, in := range st.Instructions {
		if in.Name == name {
			out = append(out, in)
		}
	}
	return out
}

// rewriteFrom returns the Dockerfile with each FROM image replaced by
// to(image) (stages and scratch untouched), keeping every other line and
// every line number as they were.
func (d *Dockerfile) rewriteFrom(to func(image string) string) []byte {
	lines := strings.Split(string(d.src), "\n")
	for i, st := range d.Stages {
		if d.IsStage(i, st.Base) || strings.EqualFold(st.Base, "scratch") {
			continue
		}
		from := st.From
		repl := "FROM"
		for _, f := range from.Flags {
			repl += " " + f
		}
		repl += " " + to(st.Base)
		if st.Name != "" {
			repl += " AS " + st.Name
		}
		first, last := from.Line-1, from.EndLine-1
		if first < 0 || last >= len(lines) || last < first {
			continue
		}
		lines[first] = repl
		for j := first + 1; j <= last; j++ {
			lines[j] = "" // continuation lines of the old FROM; the count stays
		}
	}
	return []byte(strings.Join(lines, "\n"))
}
