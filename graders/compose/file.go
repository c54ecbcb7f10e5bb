package compose

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// maxFile bounds the compose file grader reads.
const maxFile = 256 << 10

// maxServices bounds the services one stack may start.
const maxServices = 8

// defaultFiles are the names `docker compose` looks for, in its order.
var defaultFiles = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// stackFile is a learner's compose file, read and judged.
type stackFile struct {
	name    string
	project *types.Project
	lines   *yaml.Node
	// unset are the ${VAR}s that neither .env nor a default sets.
	unset []string
}

// unsetNote tells the learner which ${VAR}s were empty, or "".
func (f *stackFile) unsetNote() string {
	if len(f.unset) == 0 {
		return ""
	}
	return fmt.Sprintf("Note: %s set nowhere (no default, no .env entry), so empty here: grader's stack sees none of your machine's environment.", "${"+strings.Join(f.unset, "}, ${")+"} "+map[bool]string{true: "is", false: "are"}[len(f.unset) == 1])
}

// line finds the line of a key path (services, db, volumes, 0) in the
// file, or 0.
func (f *stackFile) line(keys ...string) int {
	return lineOf(f.lines, keys...)
}

func lineOf(n *yaml.Node, keys ...string) int {
	if n == nil {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := n.Line
	for _, k := range keys {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					best = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				best = next.Line
			}
		}
		if next == nil {
			return best
		}
		n = next
	}
	return best
}

// at prefixes a message with the file and line.
func (f *stackFile) at(line int, msg string) string {
	if line > 0 {
		return fmt.Sprintf("%s line %d: %s", f.name, line, msg)
	}
	return f.name + ": " + msg
}

// readFile reads and parses the learner's compose file (name, or the first
// of the names `docker compose` looks for), then applies the sandbox's
// policy. The learner's mistakes are [runner.Failure] errors.
func readFile(ctx context.Context, a runner.Attempt, name string, images sandbox.ImageMap) (*stackFile, error) {
	names := defaultFiles
	if name != "" {
		names = []string{name}
	}
	var data []byte
	var err error
	for _, n := range names {
		data, err = a.ReadFile(n, maxFile)
		if err == nil {
			name = n
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			var fe *runner.FileError
			if errors.As(err, &fe) {
				return nil, runner.Failure("%v", err)
			}
			return nil, err
		}
	}
	if err != nil {
		also := ""
		if len(names) > 1 {
			also = " (docker compose also reads " + strings.Join(names[1:], ", ") + ")"
		}
		return nil, runner.Failure("There is no %s in your folder%s: write one, with a `services:` section.", names[0], also)
	}
	f := &stackFile{name: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, runner.Failure("%s is not valid YAML: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	f.lines = &doc
	if problems := f.refuseBeforeLoad(); len(problems) > 0 {
		return nil, runner.Failure("%s", strings.Join(problems, "\n"))
	}
	env, err := dotEnv(a)
	if err != nil {
		return nil, err
	}
	p, err := loader.LoadWithContext(ctx, types.ConfigDetails{
		// A folder name only: nothing is read from it (paths are not
		// resolved, includes and env files are refused above).
		WorkingDir:  "/workspace",
		ConfigFiles: []types.ConfigFile{{Filename: name, Content: data}},
		// No environment of the host leaks into the file: ${VAR} is
		// what the project's .env says, else empty unless the file gives
		// a default.
		Environment: env,
	}, func(o *loader.Options) {
		// ${VAR} that nothing sets is empty, as in docker compose; grader
		// tells the learner in its own words rather than on stderr.
		o.Interpolate.LookupValue = func(k string) (string, bool) {
			v, ok := env[k]
			if !ok && !slices.Contains(f.unset, k) {
				f.unset = append(f.unset, k)
			}
			return v, ok
		}
		o.Interpolate.Substitute = func(s string, m template.Mapping) (string, error) {
			return template.SubstituteWithOptions(s, m, template.WithoutLogging)
		}
		o.SetProjectName("grader", true)
		o.ResolvePaths = false
		o.SkipInclude = true
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
	})
	if err != nil {
		return nil, runner.Failure("%s", f.loadError(err))
	}
	f.project = p
	if problems := f.refuse(images); len(problems) > 0 {
		return nil, runner.Failure("%s\n%s", strings.Join(problems, "\n"), refusedNote)
	}
	return f, nil
}

// dotEnv reads the project's .env, which docker compose reads for ${VAR}
// in the file: the workspace's own, never the machine's environment.
func dotEnv(a runner.Attempt) (types.Mapping, error) {
	data, err := a.ReadFile(".env", 64<<10)
	if errors.Is(err, fs.ErrNotExist) {
		return types.Mapping{}, nil
	}
	var fe *runner.FileError
	if errors.As(err, &fe) {
		return nil, runner.Failure("%v", err)
	}
	if err != nil {
		return nil, err
	}
	m, err := dotenv.UnmarshalBytesWithLookup(data, nil)
	if err != nil {
		return nil, runner.Failure(".env cannot be read as docker compose reads it: %v", err)
	}
	return types.Mapping(m), nil
}

// refusedNote ends a refusal.
const refusedNote = "grader runs your stack in a sandbox that holds only its own containers, on a private network; what reaches outside it is refused."

var yamlLine = regexp.MustCompile(`line (\d+)`)

// loadError is compose-go's error for a learner, with a line when the
// error names a place in the file.
func (f *stackFile) loadError(err error) string {
	msg := err.Error()
	// The schema's "services.app.imagee false schema" means a key it
	// does not know.
	if i := strings.Index(msg, " false schema"); i > 0 {
		if j := strings.LastIndex(msg[:i], " "); j >= 0 {
			p := msg[j+1 : i]
			msg = fmt.Sprintf("%s: docker compose knows no key %q here (a typo, or a key of another version of the format?)", p, p[strings.LastIndex(p, ".")+1:])
		}
	}
	if yamlLine.MatchString(msg) {
		return f.name + ": " + msg
	}
	// Schema errors name a path like "services.db.healthcheck": find it.
	for _, w := range strings.Fields(msg) {
		w = strings.Trim(w, "'\",:")
		if strings.HasPrefix(w, "services.") || strings.HasPrefix(w, "volumes.") || strings.HasPrefix(w, "networks.") {
			if l := f.line(strings.Split(w, ".")...); l > 0 {
				return f.at(l, msg)
			}
		}
	}
	return f.name + ": " + msg
}

// refuseBeforeLoad refuses what would make the loader read files beyond
// the compose file itself: include, extends from another file, env_file,
// label_file, and secrets or configs read from files.
func (f *stackFile) refuseBeforeLoad() []string {
	var out []string
	root := f.lines
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return []string{f.name + ": the file must be a mapping with a `services:` section."}
	}
	get := func(n *yaml.Node, key string) *yaml.Node {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	if n := get(root, "include"); n != nil {
		out = append(out, f.at(n.Line, "`include` is not supported: write every service in this one file."))
	}
	for _, top := range []string{"secrets", "configs"} {
		if n := get(root, top); n != nil {
			out = append(out, f.at(n.Line, fmt.Sprintf("top-level `%s` is not supported by grader: pass settings to services with `environment:`.", top)))
		}
	}
	services := get(root, "services")
	if services == nil || services.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(services.Content); i += 2 {
		name, svc := services.Content[i].Value, services.Content[i+1]
		if n := get(svc, "env_file"); n != nil {
			out = append(out, f.at(n.Line, fmt.Sprintf("service %s: `env_file` is not supported: write the variables under `environment:`.", name)))
		}
		if n := get(svc, "label_file"); n != nil {
			out = append(out, f.at(n.Line, fmt.Sprintf("service %s: `label_file` is not supported.", name)))
		}
		if n := get(svc, "extends"); n != nil {
			if n.Kind == yaml.ScalarNode || get(n, "file") != nil {
				if get(n, "file") != nil {
					out = append(out, f.at(n.Line, fmt.Sprintf("service %s: `extends` from another file is not supported: write the service out in this file.", name)))
				}
			}
		}
	}
	return out
}

// refuse applies the sandbox's policy to the loaded project: what a
// service may not ask for, each with its line and what to do instead.
func (f *stackFile) refuse(images sandbox.ImageMap) []string {
	var out []string
	p := f.project
	if len(p.Services) == 0 {
		return []string{f.at(f.line("services"), "there are no services: add at least one under `services:`.")}
	}
	if len(p.Services) > maxServices {
		out = append(out, f.at(f.line("services"), fmt.Sprintf("%d services: grader starts at most %d.", len(p.Services), maxServices)))
	}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		add := func(key []string, msg string) {
			out = append(out, f.at(f.line(append([]string{"services", name}, key...)...), "service "+name+": "+msg))
		}
		if s.Privileged {
			add([]string{"privileged"}, "`privileged: true` gives the container the host's devices and every capability: it is refused. A service here runs with no extra privileges.")
		}
		if len(s.CapAdd) > 0 {
			add([]string{"cap_add"}, "`cap_add` ("+strings.Join(s.CapAdd, ", ")+") is refused: services run with every capability dropped.")
		}
		if s.NetworkMode != "" {
			add([]string{"network_mode"}, "`network_mode: "+s.NetworkMode+"` is refused: every service joins the stack's own private network (the default), where services reach each other by name.")
		}
		for _, ns := range []struct{ key, v string }{{"pid", s.Pid}, {"ipc", s.Ipc}, {"uts", s.Uts}, {"userns_mode", s.UserNSMode}, {"cgroup", s.Cgroup}} {
			if ns.v != "" {
				add([]string{ns.key}, fmt.Sprintf("`%s: %s` is refused: a service shares no namespace with the host or another container.", ns.key, ns.v))
			}
		}
		if len(s.Devices) > 0 || len(s.DeviceCgroupRules) > 0 || len(s.Gpus) > 0 {
			add([]string{"devices"}, "host devices are refused.")
		}
		if len(s.SecurityOpt) > 0 {
			add([]string{"security_opt"}, "`security_opt` is refused: grader sets the security options itself.")
		}
		if len(s.Sysctls) > 0 {
			add([]string{"sysctls"}, "`sysctls` is refused.")
		}
		if len(s.VolumesFrom) > 0 {
			add([]string{"volumes_from"}, "`volumes_from` is refused: mount a named volume instead.")
		}
		if s.Runtime != "" || s.Isolation != "" || s.CgroupParent != "" {
			add([]string{"runtime"}, "`runtime`, `isolation` and `cgroup_parent` are refused.")
		}
		if s.UseAPISocket {
			add([]string{"use_api_socket"}, "`use_api_socket` would hand the container the Docker engine: it is refused.")
		}
		if s.Scale != nil && *s.Scale > 1 || s.Deploy != nil && s.Deploy.Replicas != nil && *s.Deploy.Replicas > 1 {
			add([]string{"deploy"}, "more than one replica is not supported: grader starts one container a service.")
		}
		for i, v := range s.Volumes {
			key := []string{"volumes", strconv.Itoa(i)}
			switch v.Type {
			case types.VolumeTypeBind:
				add(key, fmt.Sprintf("the bind mount %s:%s is refused: a bind mount exposes a folder of the machine to the container. Keep data in a named volume (`- dbdata:%s`, with `dbdata:` under the top-level `volumes:`), which Docker manages and which survives the container.", v.Source, v.Target, v.Target))
			case types.VolumeTypeVolume, types.VolumeTypeTmpfs:
			default:
				add(key, fmt.Sprintf("a %s mount is refused: use a named volume or a tmpfs.", v.Type))
			}
		}
		if s.Image != "" && s.Build == nil {
			if _, ok := mapped(images, s.Image); !ok {
				add([]string{"image"}, fmt.Sprintf("image %s is not available here (nothing is downloaded while grading). Images you can use: %s.", s.Image, available(images)))
			}
		}
		if b := s.Build; b != nil {
			switch {
			case b.DockerfileInline != "":
				add([]string{"build"}, "`dockerfile_inline` is not supported: write a Dockerfile.")
			case len(b.Args) > 0 || len(b.AdditionalContexts) > 0 || len(b.Secrets) > 0 || len(b.SSH) > 0 || b.Target != "" || b.Network != "" || b.Privileged || len(b.Entitlements) > 0:
				add([]string{"build"}, "only `context` and `dockerfile` are supported under `build:` (builds here have no network and take no arguments).")
			}
			if !localPath(b.Context) {
				add([]string{"build", "context"}, fmt.Sprintf("build context %q must be a folder inside your project, like `.`.", b.Context))
			}
			if b.Dockerfile != "" && !localPath(b.Dockerfile) {
				add([]string{"build", "dockerfile"}, fmt.Sprintf("dockerfile %q must be a path inside the build context, like `Dockerfile`.", b.Dockerfile))
			}
		}
	}
	for name, v := range p.Volumes {
		if v.External {
			out = append(out, f.at(f.line("volumes", name), "volume "+name+": `external: true` is refused: grader creates the stack's volumes (and removes them afterwards)."))
		}
		if v.Driver != "" && v.Driver != "local" || len(v.DriverOpts) > 0 {
			out = append(out, f.at(f.line("volumes", name), "volume "+name+": only the local driver with no options is supported (driver_opts can mount folders of the machine)."))
		}
	}
	for name, n := range p.Networks {
		if n.External {
			out = append(out, f.at(f.line("networks", name), "network "+name+": `external: true` is refused: the stack gets one private network of its own."))
		}
	}
	sort.Strings(out)
	return out
}

// localPath reports whether p stays inside the folder it is relative to.
func localPath(p string) bool {
	if p == "" || strings.Contains(p, "://") || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "~") || strings.HasPrefix(p, "\\") {
		return false
	}
	c := path.Clean(p)
	return c != ".." && !strings.HasPrefix(c, "../")
}

// mapped finds an image's local name in the image map, for a running
// container (not a Dockerfile's FROM).
func mapped(m sandbox.ImageMap, name string) (string, bool) {
	ref := m.Resolve(name)
	if ref != name {
		return ref, true
	}
	_, ok := m[name]
	return ref, ok
}

// available lists the images a service may name.
func available(m sandbox.ImageMap) string {
	var names []string
	for k := range m {
		if !strings.HasPrefix(k, "from:") && !strings.Contains(k, "actions-runner") {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "none (set GRADER_IMAGE_MAP)"
	}
	return strings.Join(names, ", ")
}
