package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// BuildSpec is a learner's Dockerfile to build: untrusted code, like a
// [Spec]'s command.
type BuildSpec struct {
	// Dir is the build context: the learner's folder, read through an
	// [os.Root]. It is sent as `docker build .` would send it (see
	// [BuildContext]).
	Dir string
	// Dockerfile is its path in Dir; default "Dockerfile".
	Dockerfile string
	// Timeout bounds the whole build, enforced from the host. Default
	// [DefaultBuildTimeout], cap [MaxTimeout].
	Timeout time.Duration
	// Memory bounds each RUN step's container (swap equal to it). Default 1 GiB.
	Memory int64
	// CPUs bounds each RUN step. Default 1.
	CPUs float64
	// MaxContext bounds the build context's size. Default [DefaultBuildContext].
	MaxContext int64
	// Output is how much of the build's output is kept. Default 1 MiB.
	Output int64
	// Replace gives files of Dir (slash-separated paths) the content the
	// build sees instead of their own: the change a check makes before a
	// rebuild, with nothing copied or written in the learner's folder. A
	// path the context leaves out (.dockerignore) stays out; the Dockerfile
	// is read from here when it is listed.
	Replace map[string][]byte
	// CacheFrom, when set, lets the build reuse the layers of that image's
	// own build, and no other image's: the legacy builder's --cache-from
	// takes a cached step only from the listed images' ancestry. How a
	// check sees which steps a rebuild after a change could skip
	// ([Image.Steps]). Without it nothing is reused (another
	// attempt's layers would become this image's parents).
	CacheFrom *Image
}

// Build defaults.
const (
	DefaultBuildTimeout = 3 * time.Minute
	DefaultBuildContext = 32 * MiB
	maxContextFiles     = 5000
	// maxDockerfile bounds the Dockerfile read to parse it.
	maxDockerfile = 1 << 20
)

// BuildFailure is a build that failed through the learner's Dockerfile or
// folder: a parse error, a FROM with no local image, a context too big, a
// step that failed, a timeout. It is a result to show, not an
// infrastructure error. Msg says what to change; Output is the tail of
// the build's output.
type BuildFailure struct {
	Msg    string
	Line   int // the Dockerfile line, when known
	Output string
}

func (f *BuildFailure) Error() string { return f.Msg }

// Image is an image built by [Engine.BuildImage], labelled like every
// resource of the engine, removed by [Image.Remove], [Engine.Close] or
// `grader gc`.
type Image struct {
	// ID is the engine's image ID; Tag its unique grader-build/... name.
	ID, Tag string
	// Dockerfile is the learner's Dockerfile, parsed.
	Dockerfile *Dockerfile
	// Output is the build's output (capped).
	Output string
	// Base is the local image the final stage was built FROM, "" for
	// scratch.
	Base string

	e *Engine
}

// ResolveFrom returns the local image for a Dockerfile's FROM name: the
// value of "from:"+name (in each spelling [ImageMap.Resolve] tries), else
// what Resolve says. ok is false when no key matched, so the name is not
// mapped at all.
func (m ImageMap) ResolveFrom(name string) (ref string, ok bool) {
	for _, k := range imageKeys(name) {
		if v, found := m["from:"+k]; found {
			return v, true
		}
	}
	for _, k := range imageKeys(name) {
		if v, found := m[k]; found {
			return v, true
		}
	}
	return name, false
}

// FromImages lists the names a Dockerfile may use in FROM: the "from:"
// keys of the map, sorted.
func (m ImageMap) FromImages() []string {
	var out []string
	for k := range m {
		if s, ok := strings.CutPrefix(k, "from:"); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// noNetworkHint is added to a failed build whose output looks like a step
// that needed the network.
const noNetworkHint = "Builds have no network: a RUN step cannot download anything (apt-get, pip install from PyPI, curl). " +
	"Use what the base image already has, or put the files in your folder (the build context) and COPY them in."

var networkSigns = []string{
	"Temporary failure in name resolution", "Could not resolve", "Network is unreachable",
	"Failed to establish a new connection", "No matching distribution found", "Name or service not known",
	"Could not connect to", "getaddrinfo", "Failed to fetch",
}

// BuildImage builds s's Dockerfile with the engine's legacy builder as
// untrusted code: no network for RUN steps, limits on each step's
// container, a host-enforced timeout, a capped context and output, no
// pulling, intermediate containers removed. Each FROM must name an image
// of the engine's [ImageMap] ("from:" keys first), and the Dockerfile the
// engine sees is a copy with those FROM lines rewritten; the learner's file
// is untouched. The learner's failures are *[BuildFailure]; other errors
// are the infrastructure's.
func (e *Engine) BuildImage(ctx context.Context, s BuildSpec) (*Image, error) {
	if s.Dockerfile == "" {
		s.Dockerfile = "Dockerfile"
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultBuildTimeout
	}
	s.Timeout = min(s.Timeout, MaxTimeout)
	if s.Memory == 0 {
		s.Memory = DefaultMemory
	}
	if s.CPUs == 0 {
		s.CPUs = DefaultCPUs
	}
	if s.MaxContext == 0 {
		s.MaxContext = DefaultBuildContext
	}
	if s.Output == 0 {
		s.Output = DefaultOutput
	}
	root, err := os.OpenRoot(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("open the build context: %w", err)
	}
	defer root.Close()
	src, ok := s.Replace[s.Dockerfile]
	if !ok {
		var failure *BuildFailure
		if src, failure = readDockerfile(root, s.Dockerfile); failure != nil {
			return nil, failure
		}
	}
	df, err := ParseDockerfile(src)
	if err != nil {
		var de *DockerfileError
		if errors.As(err, &de) {
			return nil, &BuildFailure{Msg: de.Error(), Line: de.Line}
		}
		return nil, err
	}
	mapped := map[string]string{}
	for _, st := range df.Images() {
		if _, done := mapped[st.Base]; done {
			continue
		}
		ref, ok := e.Images.ResolveFrom(st.Base)
		if strings.Contains(st.Base, "$") {
			return nil, &BuildFailure{Line: st.From.Line, Msg: fmt.Sprintf(
				"Dockerfile line %d: FROM %s uses a variable: write the image's name out (FROM python:3.11).", st.From.Line, st.Base)}
		}
		if ok {
			if _, err := e.api.ImageInspect(ctx, ref); err != nil {
				if !cerrdefs.IsNotFound(err) {
					return nil, e.engineErr("inspect image "+ref, err)
				}
				return nil, &Error{Class: ErrImageMissing, Msg: fmt.Sprintf("image %q (mapped from FROM %s) is not on this machine", ref, st.Base),
					Hint: "build the local images with `make images` (sandbox/images/build)"}
			}
		}
		if !ok {
			avail := e.Images.FromImages()
			list := "none"
			if len(avail) > 0 {
				list = strings.Join(avail, ", ")
			}
			return nil, &BuildFailure{Line: st.From.Line, Msg: fmt.Sprintf(
				"Dockerfile line %d: FROM %s: that image is not available here (nothing is downloaded while grading). Images you can build FROM: %s.",
				st.From.Line, st.Base, list)}
		}
		mapped[st.Base] = ref
	}
	for i, st := range df.Stages {
		for _, in := range st.Instructions {
			for _, f := range in.Flags {
				from, ok := strings.CutPrefix(f, "--from=")
				if ok && (in.Name == "COPY" || in.Name == "ADD") && !df.IsStage(i, from) {
					return nil, &BuildFailure{Line: in.Line, Msg: fmt.Sprintf(
						"Dockerfile line %d: %s: --from must name an earlier stage (FROM ... AS name): images are not downloaded while grading.", in.Line, in.Text)}
				}
			}
		}
	}
	base := ""
	for i := len(df.Stages) - 1; i >= 0; {
		b := df.Stages[i].Base
		if strings.EqualFold(b, "scratch") {
			break
		}
		if !df.IsStage(i, b) {
			base = mapped[b]
			break
		}
		j := slices.IndexFunc(df.Stages[:i], func(st Stage) bool { return strings.EqualFold(st.Name, b) })
		if j < 0 {
			break
		}
		i = j
	}
	replace := maps.Clone(s.Replace)
	if replace == nil {
		replace = map[string][]byte{}
	}
	replace[s.Dockerfile] = df.rewriteFrom(func(img string) string { return mapped[img] })

	var ctxTar bytes.Buffer
	if why, err := BuildContext(root, s.Dockerfile, replace, s.MaxContext, &ctxTar); err != nil {
		return nil, err
	} else if why != "" {
		return nil, &BuildFailure{Msg: why}
	}

	img := &Image{Tag: "grader-build/" + randomHex(8) + ":latest", Dockerfile: df, Base: base, e: e}
	bctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	res, err := e.api.ImageBuild(bctx, &ctxTar, client.ImageBuildOptions{
		Tags:        []string{img.Tag},
		Dockerfile:  s.Dockerfile,
		NetworkMode: "none",
		Remove:      true,
		ForceRemove: true,
		PullParent:  false,
		NoCache:     s.CacheFrom == nil, // another attempt's cached layers would become this image's parents
		CacheFrom:   cacheFrom(s.CacheFrom),
		Memory:      s.Memory,
		MemorySwap:  s.Memory,
		CPUPeriod:   100000,
		CPUQuota:    int64(s.CPUs * 100000),
		ShmSize:     64 * MiB,
		// No pids limit exists for build steps; open files, file size and
		// core dumps are bounded as in a run.
		Ulimits: []*container.Ulimit{
			{Name: "nofile", Soft: DefaultNoFile, Hard: DefaultNoFile},
			{Name: "fsize", Soft: MaxFileSize, Hard: MaxFileSize},
			{Name: "core", Soft: 0, Hard: 0},
		},
		Labels:  e.labels(),
		Version: "1", // the legacy builder: --network none holds for every RUN
	})
	if err != nil {
		if bctx.Err() != nil && ctx.Err() == nil {
			return nil, &BuildFailure{Msg: fmt.Sprintf("The build took longer than %s and was stopped.", s.Timeout)}
		}
		return nil, e.engineErr("build the image", err)
	}
	log, readErr := readBuild(res.Body, s.Output)
	res.Body.Close()
	out, id, buildErr, lastStep := log.out, log.id, log.err, log.lastStep
	img.Output = out
	// The builder removes each step's container itself, but a removal it
	// fails at (a busy engine) leaves one behind, with grader's labels and
	// no one tracking it; a cancelled build can leave its last one.
	for _, c := range log.containers {
		_ = e.remove(ctx, resource{"container", c})
	}
	// The legacy builder keeps each earlier stage's last image, untagged
	// and no parent of the result (FROM golang AS build, then COPY
	// --from=build): they go now, as the build's own leftovers.
	for _, st := range stageEnds(out) {
		e.removeIntermediate(ctx, st)
	}
	if id == "" && lastStep != "" && (buildErr != "" || readErr != nil) {
		// The steps that did finish left untagged images: the last one, and
		// with it its untagged parents, go.
		e.removeIntermediate(ctx, lastStep)
	}
	if bctx.Err() != nil && ctx.Err() == nil {
		e.dropTag(ctx, img.Tag)
		return nil, &BuildFailure{Msg: fmt.Sprintf("The build took longer than %s and was stopped.", s.Timeout), Output: tail(out)}
	}
	if ctx.Err() != nil {
		e.dropTag(ctx, img.Tag)
		return nil, ctx.Err()
	}
	if readErr != nil {
		e.dropTag(ctx, img.Tag)
		return nil, e.engineErr("read the build's output", readErr)
	}
	if buildErr != "" {
		msg := "The image did not build: " + strings.TrimSpace(buildErr)
		for _, sign := range networkSigns {
			if strings.Contains(out, sign) || strings.Contains(buildErr, sign) {
				msg += "\n" + noNetworkHint
				break
			}
		}
		return nil, &BuildFailure{Msg: msg, Output: tail(out)}
	}
	ins, err := e.api.ImageInspect(ctx, img.Tag)
	if err != nil {
		e.dropTag(ctx, img.Tag)
		return nil, e.engineErr("inspect the built image", err)
	}
	img.ID = ins.ID
	if !e.track("image", img.ID) {
		_ = img.Remove(ctx)
		return nil, errors.New("sandbox engine is closed")
	}
	return img, nil
}

func cacheFrom(img *Image) []string {
	if img == nil || img.ID == "" {
		return nil
	}
	return []string{img.ID}
}

// BuildStep is one step of a legacy build as its output tells it.
type BuildStep struct {
	// Instruction is the step as the builder printed it ("RUN pip install
	// -r requirements.txt"; a FROM shows the local image it was mapped to).
	Instruction string
	// Cached: the builder reused a layer ("Using cache") instead of
	// running the step.
	Cached bool
}

// Steps reads the build's output into its steps, in order.
func (img *Image) Steps() []BuildStep {
	var out []BuildStep
	for line := range strings.SplitSeq(img.Output, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "Step "); ok {
			if _, instr, ok := strings.Cut(rest, " : "); ok {
				out = append(out, BuildStep{Instruction: instr})
			}
			continue
		}
		if line == "---> Using cache" && len(out) > 0 {
			out[len(out)-1].Cached = true
		}
	}
	return out
}

// tail is the end of a build's output, for a message.
func tail(out string) string {
	const max = 3000
	if len(out) > max {
		out = "..." + out[len(out)-max:]
	}
	return out
}

// buildLog is what the engine's stream of a build told.
type buildLog struct {
	out      string // the output, capped
	id       string // the built image's ID (aux)
	err      string // the build's error
	lastStep string // the last step's image ID (" ---> abc123")
	// containers are the steps' containers (" ---> Running in abc123").
	containers []string
}

// readBuild reads the engine's JSON stream of a build.
func readBuild(r io.Reader, max int64) (log buildLog, err error) {
	var b strings.Builder
	fromStep := false
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
			Aux    *struct {
				ID string `json:"ID"`
			} `json:"aux"`
		}
		if err := dec.Decode(&m); err != nil {
			log.out = b.String()
			if errors.Is(err, io.EOF) {
				return log, nil
			}
			return log, err
		}
		// The engine colours a step's stderr, often a character at a time.
		m.Stream = ansiEscape().ReplaceAllString(m.Stream, "")
		if int64(b.Len()) < max {
			b.WriteString(m.Stream[:min(len(m.Stream), int(max)-b.Len())])
		}
		// " ---> ID" follows each step; after a FROM step it is the base
		// image's, which is never this build's to remove.
		for line := range strings.SplitSeq(m.Stream, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "Step ") {
				fromStep = strings.Contains(strings.ToUpper(line), " : FROM ")
			}
			if s, ok := strings.CutPrefix(line, "---> "); ok && !strings.Contains(s, " ") && !fromStep {
				log.lastStep = s
			}
			if c, ok := strings.CutPrefix(line, "---> Running in "); ok && c != "" && !strings.Contains(c, " ") {
				log.containers = append(log.containers, c)
			}
		}
		if m.Error != "" {
			log.err = m.Error
		}
		if m.Aux != nil && m.Aux.ID != "" {
			log.id = m.Aux.ID
		}
	}
}

// stageEnds lists the image IDs that ended each stage of a build but the
// last, from its output: the last " ---> ID" of a step before the next
// stage's FROM.
func stageEnds(out string) []string {
	var ends []string
	last, fromStep := "", false
	for line := range strings.SplitSeq(out, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "Step ") {
			fromStep = strings.Contains(strings.ToUpper(line), " : FROM ")
			if fromStep && last != "" {
				ends = append(ends, last)
				last = ""
			}
		}
		if s, ok := strings.CutPrefix(line, "---> "); ok && !strings.Contains(s, " ") && !fromStep {
			last = s
		}
	}
	return ends
}

// removeIntermediate removes an untagged image a failed build left, and its
// untagged parents, never by force: a tagged image (a base) stays.
func (e *Engine) removeIntermediate(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	ins, err := e.api.ImageInspect(ctx, id)
	if err != nil || len(ins.RepoTags) > 0 {
		return
	}
	_, _ = e.api.ImageRemove(ctx, ins.ID, client.ImageRemoveOptions{PruneChildren: true})
}

// ansiEscape matches a terminal colour sequence.
var ansiEscape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("\x1b\\[[0-9;]*m") })

// dropTag removes the tag of a build that did not finish, if it got one.
func (e *Engine) dropTag(ctx context.Context, tag string) { e.removeImage(ctx, tag) }

// removeImage removes an image and its untagged parents, with a fresh
// context; already gone is fine.
func (e *Engine) removeImage(ctx context.Context, ref string) {
	_ = e.remove(ctx, resource{"image", ref})
}

// Remove removes the image and the untagged intermediate images of its
// build. Safe to call twice.
func (img *Image) Remove(ctx context.Context) error {
	if img == nil || img.ID == "" {
		return nil
	}
	return img.e.remove(ctx, resource{"image", img.ID})
}

// ImageInfo is what an image's config says.
type ImageInfo struct {
	User         string
	ExposedPorts []string // "8000/tcp", sorted
	// Healthcheck is the HEALTHCHECK test (["CMD-SHELL", "curl ..."]), nil
	// without one, ["NONE"] when disabled.
	Healthcheck []string
	Entrypoint  []string
	Cmd         []string
	Env         []string
	WorkingDir  string
	Size        int64
	// Layers counts all layers; Added those the Dockerfile added on top of
	// its base image.
	Layers, Added int
	// DiffIDs are the layers' diff IDs, base first.
	DiffIDs []string
}

// Inspect reads the image's config.
func (img *Image) Inspect(ctx context.Context) (*ImageInfo, error) {
	e := img.e
	ins, err := e.api.ImageInspect(ctx, img.ID)
	if err != nil {
		return nil, e.engineErr("inspect the built image", err)
	}
	info := &ImageInfo{Size: ins.Size, Layers: len(ins.RootFS.Layers), DiffIDs: ins.RootFS.Layers}
	if c := ins.Config; c != nil {
		info.User, info.Entrypoint, info.Cmd, info.Env, info.WorkingDir = c.User, c.Entrypoint, c.Cmd, c.Env, c.WorkingDir
		for p := range c.ExposedPorts {
			info.ExposedPorts = append(info.ExposedPorts, p)
		}
		sort.Strings(info.ExposedPorts)
		if c.Healthcheck != nil && len(c.Healthcheck.Test) > 0 {
			info.Healthcheck = c.Healthcheck.Test
		}
	}
	info.Added = info.Layers
	if img.Base != "" {
		bins, err := e.api.ImageInspect(ctx, img.Base)
		if err != nil {
			return nil, e.engineErr("inspect the base image "+img.Base, err)
		}
		n := len(bins.RootFS.Layers)
		if n <= len(info.DiffIDs) && slices.Equal(bins.RootFS.Layers, info.DiffIDs[:n]) {
			info.Added = info.Layers - n
		}
	}
	return info, nil
}

// Layer is one layer the Dockerfile added.
type Layer struct {
	// Index counts the image's layers from 0 (the base's come first).
	Index int
	// DiffID is the layer's content digest.
	DiffID string
	// CreatedBy is the instruction that made it, as the image's history
	// says (for the legacy builder: "/bin/sh -c #(nop) COPY dir:... in /app").
	CreatedBy string
	// Files are the paths (no leading slash) of the files, links and
	// folders the layer holds, sorted.
	Files []string
	// Deleted are the paths its whiteouts delete; a folder made opaque is
	// listed as "dir/" (everything below it from earlier layers).
	Deleted []string
}

// Instruction returns the layer's Dockerfile instruction as a learner
// wrote it, from CreatedBy ("COPY . /app" for "#(nop) COPY dir:... in
// /app"; "RUN rm x" for "/bin/sh -c rm x").
func (l Layer) Instruction() string {
	s := strings.TrimSpace(l.CreatedBy)
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c #(nop) "); ok {
		return strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c "); ok {
		return "RUN " + rest
	}
	return s
}

// Layers reads the layers the Dockerfile added (those above the base
// image's): `docker save`, then each layer's tar. Every file a layer holds
// is listed, even one a later instruction deleted: a deleted file still
// ships in the image.
func (img *Image) Layers(ctx context.Context) ([]Layer, error) {
	return img.layers(ctx, false)
}

// AllLayers is [Image.Layers] for every layer of the image, its base
// image's first: what the image ships, whoever put it there (a final
// stage FROM a toolchain image ships the toolchain).
func (img *Image) AllLayers(ctx context.Context) ([]Layer, error) {
	return img.layers(ctx, true)
}

// BaseLayers lists the layers of the local image the final stage was
// built FROM (nil for scratch), read once per process for each image ID:
// a base image is the engine's own, and its content never changes under
// an ID, so a toolchain image's gigabyte is streamed once, not per build.
func (img *Image) BaseLayers(ctx context.Context) ([]Layer, error) {
	if img.Base == "" {
		return nil, nil
	}
	ins, err := img.e.api.ImageInspect(ctx, img.Base)
	if err != nil {
		return nil, img.e.engineErr("inspect the base image "+img.Base, err)
	}
	if v, ok := baseLayers.Load(ins.ID); ok {
		return v.([]Layer), nil
	}
	base := &Image{ID: ins.ID, e: img.e}
	ls, err := base.layers(ctx, true)
	if err != nil {
		return nil, err
	}
	baseLayers.Store(ins.ID, ls)
	return ls, nil
}

// baseLayers caches [Image.BaseLayers] by image ID.
var baseLayers sync.Map

func (img *Image) layers(ctx context.Context, all bool) ([]Layer, error) {
	e := img.e
	info, err := img.Inspect(ctx)
	if err != nil {
		return nil, err
	}
	first := info.Layers - info.Added
	if all {
		first = 0
	}
	want := map[string][]int{} // diff ID → indexes (two layers may be byte for byte the same)
	for i := first; i < info.Layers; i++ {
		want[info.DiffIDs[i]] = append(want[info.DiffIDs[i]], i)
	}
	rc, err := e.api.ImageSave(ctx, []string{img.ID})
	if err != nil {
		return nil, e.engineErr("save the built image", err)
	}
	defer rc.Close()
	layers := map[int]*Layer{}
	var history []struct {
		CreatedBy  string `json:"created_by"`
		EmptyLayer bool   `json:"empty_layer"`
	}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, e.engineErr("read the saved image", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := h.Name
		switch {
		case strings.HasSuffix(name, ".json") && !strings.Contains(name, "/") && name != "manifest.json" && name != "repositories",
			strings.HasPrefix(name, "blobs/sha256/") && h.Size < 1<<20:
			// The image config (legacy: <id>.json; OCI: a small blob) holds
			// the history; small layer blobs are tried as tars below too.
			data, err := io.ReadAll(io.LimitReader(tr, 1<<20))
			if err != nil {
				return nil, e.engineErr("read the saved image", err)
			}
			var cfg struct {
				History []struct {
					CreatedBy  string `json:"created_by"`
					EmptyLayer bool   `json:"empty_layer"`
				} `json:"history"`
				RootFS struct {
					DiffIDs []string `json:"diff_ids"`
				} `json:"rootfs"`
			}
			if json.Unmarshal(data, &cfg) == nil && len(cfg.RootFS.DiffIDs) > 0 {
				history = cfg.History
				continue
			}
			if strings.HasPrefix(name, "blobs/") {
				if err := readLayer(bytes.NewReader(data), want, layers); err != nil {
					return nil, err
				}
			}
		case strings.HasSuffix(name, "/layer.tar") || strings.HasPrefix(name, "blobs/sha256/"):
			if err := readLayer(tr, want, layers); err != nil {
				return nil, err
			}
		}
	}
	// Non-empty history entries match the layers one to one, in order.
	var createdBy []string
	for _, h := range history {
		if !h.EmptyLayer {
			createdBy = append(createdBy, h.CreatedBy)
		}
	}
	var out []Layer
	for i := first; i < info.Layers; i++ {
		l := layers[i]
		if l == nil {
			return nil, fmt.Errorf("the saved image lacks layer %d (%s)", i, short(info.DiffIDs[i]))
		}
		if len(createdBy) == info.Layers {
			l.CreatedBy = createdBy[i]
		}
		out = append(out, *l)
	}
	return out, nil
}

// readLayer hashes one layer tar while listing it, and keeps the listing
// when the digest is one of want's.
func readLayer(r io.Reader, want map[string][]int, layers map[int]*Layer) error {
	h := sha256.New()
	l := &Layer{}
	tr := tar.NewReader(io.TeeReader(r, h))
	for {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil // not a tar: a config or manifest blob
		}
		p := strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+hd.Name), "/"), "/")
		dir, base := path.Split(p)
		switch {
		case base == ".wh..wh..opq":
			l.Deleted = append(l.Deleted, dir)
		case strings.HasPrefix(base, ".wh."):
			l.Deleted = append(l.Deleted, dir+strings.TrimPrefix(base, ".wh."))
		case p != "":
			l.Files = append(l.Files, p)
		}
	}
	_, _ = io.Copy(io.Discard, io.TeeReader(r, h)) // tar padding past the end marker
	digest := "sha256:" + hex.EncodeToString(h.Sum(nil))
	sort.Strings(l.Files)
	sort.Strings(l.Deleted)
	for _, i := range want[digest] {
		li := *l
		li.Index, li.DiffID = i, digest
		layers[i] = &li
	}
	return nil
}

// readDockerfile reads the Dockerfile at name in root, at most
// [maxDockerfile] bytes; what stops it is the learner's to fix.
func readDockerfile(root *os.Root, name string) ([]byte, *BuildFailure) {
	f, err := root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &BuildFailure{Msg: fmt.Sprintf("There is no %s in your folder: write one (it starts with FROM and a base image).", name)}
	}
	if err != nil {
		return nil, &BuildFailure{Msg: fmt.Sprintf("%s cannot be read: %v", name, err)}
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxDockerfile+1))
	if err != nil {
		return nil, &BuildFailure{Msg: fmt.Sprintf("%s cannot be read: %v", name, err)}
	}
	if len(src) > maxDockerfile {
		return nil, &BuildFailure{Msg: fmt.Sprintf("%s is larger than %d MiB: a Dockerfile is a few dozen lines.", name, maxDockerfile>>20)}
	}
	return src, nil
}

// BuildContext writes the build context of root as `docker build .` sends
// it to w: every file, folder and link, .git included, less what
// .dockerignore excludes (the Dockerfile and .dockerignore always go, as
// the docker CLI sends them). A path of replace (the Dockerfile at
// dockerfile among them, for its FROM lines rewritten) goes in as a
// regular file holding that content instead of its own, if the context
// holds it. grader's own folders (.grader, .grader-*) stay out. A context
// above maxBytes or with too many files is a learner-facing reason, with
// nothing written.
func BuildContext(root *os.Root, dockerfile string, replace map[string][]byte, maxBytes int64, w io.Writer) (why string, err error) {
	var patterns []string
	if f, err := root.Open(".dockerignore"); err == nil {
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return ".dockerignore cannot be read: " + err.Error(), nil
		}
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return ".dockerignore has a bad pattern: " + err.Error(), nil
	}
	type entry struct {
		name string
		info fs.FileInfo
		link string
		// content, when replaced, is what goes in instead of the file.
		content  []byte
		replaced bool
	}
	var entries []entry
	var size int64
	tooBig := fmt.Sprintf("The build context (your folder, less what .dockerignore excludes) is bigger than %d MiB or has more than %d files: "+
		"exclude what the image does not need in .dockerignore (.git, tests, data, virtual environments).", maxBytes>>20, maxContextFiles)
	var walk func(dir string, parent patternmatcher.MatchInfo) (string, error)
	walk = func(dir string, parent patternmatcher.MatchInfo) (string, error) {
		des, err := fs.ReadDir(root.FS(), dir)
		if err != nil {
			return "", fmt.Errorf("read the build context: %w", err)
		}
		for _, de := range des {
			name := path.Join(dir, de.Name())
			if dir == "." {
				name = de.Name()
				if name == ".grader" || strings.HasPrefix(name, ".grader-") {
					continue
				}
			}
			excluded, info, err := pm.MatchesUsingParentResults(name, parent)
			if err != nil {
				return "", fmt.Errorf(".dockerignore: %w", err)
			}
			always := name == dockerfile || name == ".dockerignore"
			if excluded && !always && (!de.IsDir() || !pm.Exclusions()) {
				continue
			}
			fi, err := root.Lstat(name)
			if err != nil {
				return "", fmt.Errorf("read the build context: %w", err)
			}
			en := entry{name: name, info: fi}
			if !fi.IsDir() {
				en.content, en.replaced = replace[name]
			}
			switch {
			case en.replaced:
				size += int64(len(en.content))
			case fi.Mode()&fs.ModeSymlink != 0:
				if en.link, err = root.Readlink(name); err != nil {
					return "", fmt.Errorf("read the build context: %w", err)
				}
			case fi.IsDir():
			case fi.Mode().IsRegular():
				size += fi.Size()
			default:
				continue // devices, sockets, pipes
			}
			if !excluded || always {
				entries = append(entries, en)
			}
			if len(entries) > maxContextFiles || size > maxBytes {
				return tooBig, nil
			}
			if fi.IsDir() {
				if why, err := walk(name, info); why != "" || err != nil {
					return why, err
				}
			}
		}
		return "", nil
	}
	if why, err := walk(".", patternmatcher.MatchInfo{}); why != "" || err != nil {
		return why, err
	}
	tw := tar.NewWriter(w)
	for _, en := range entries {
		h, err := tar.FileInfoHeader(en.info, en.link)
		if err != nil {
			return "", err
		}
		h.Name = en.name
		h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", "" // as the docker CLI sends them
		if en.info.IsDir() {
			h.Name += "/"
		}
		if en.replaced {
			if h.Typeflag != tar.TypeReg {
				h.Typeflag, h.Linkname, h.Mode = tar.TypeReg, "", 0o644
			}
			h.Size = int64(len(en.content))
			if err := tw.WriteHeader(h); err != nil {
				return "", err
			}
			if _, err := tw.Write(en.content); err != nil {
				return "", err
			}
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			return "", err
		}
		if h.Typeflag == tar.TypeReg {
			f, err := root.Open(en.name)
			if err != nil {
				return "", fmt.Errorf("read the build context: %w", err)
			}
			_, err = io.CopyN(tw, f, h.Size)
			f.Close()
			if err != nil {
				return "", fmt.Errorf("read the build context: %s changed while it was read: %w", en.name, err)
			}
		}
	}
	return "", tw.Close()
}
