package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ImageMapEnv names the environment variable that redirects images: a path to
// a JSON file ({"postgres:16": "grader-local/postgres:15"}) or an inline list
// "postgres:16=grader-local/postgres:15,redis:7=mirror.local/redis:7".
const ImageMapEnv = "GRADER_IMAGE_MAP"

// ImageMap redirects the public image names that exercises use to the names to
// run instead: a registry mirror, or a local build on an air-gapped machine.
// The zero value maps nothing.
type ImageMap map[string]string

// Resolve returns the image to run for name: its mapping if there is one
// (trying the name as written, then without a docker.io/ or docker.io/library/
// prefix, then with ":latest" when it has no tag), else name itself.
func (m ImageMap) Resolve(name string) string {
	for _, k := range imageKeys(name) {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return name
}

// imageKeys lists the spellings of one image reference, most specific first.
func imageKeys(name string) []string {
	keys := []string{name}
	short := name
	for _, p := range []string{"docker.io/library/", "docker.io/", "index.docker.io/library/"} {
		if s, ok := strings.CutPrefix(name, p); ok {
			short = s
			keys = append(keys, s)
			break
		}
	}
	last := short[strings.LastIndex(short, "/")+1:]
	if !strings.Contains(last, ":") && !strings.Contains(last, "@") {
		keys = append(keys, short+":latest")
	}
	return keys
}

// ParseImageMap reads an image map as written in [ImageMapEnv] or a config
// file: a JSON object, or inline pairs "from=to" separated by commas.
func ParseImageMap(s string) (ImageMap, error) {
	s = strings.TrimSpace(s)
	m := ImageMap{}
	if s == "" {
		return m, nil
	}
	if strings.HasPrefix(s, "{") {
		var raw map[string]string
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			return nil, fmt.Errorf("image map: %w", err)
		}
		for k, v := range raw {
			if err := m.add(k, v); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	for pair := range strings.SplitSeq(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		from, to, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("image map: %q is not FROM=TO", pair)
		}
		if err := m.add(from, to); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m ImageMap) add(from, to string) error {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" || to == "" || strings.ContainsAny(from+to, " \t\n") {
		return fmt.Errorf("image map: %q=%q: both names must be non-empty image references", from, to)
	}
	m[from] = to
	return nil
}

// String lists the mapping as inline pairs in a stable order, the form
// [ImageMapEnv] accepts.
func (m ImageMap) String() string {
	pairs := make([]string, 0, len(m))
	for k, v := range m {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return strings.Join(pairs, ",")
}

// LoadImageMap builds the image map from the user's config file
// ($XDG_CONFIG_HOME/grader/images.json, else ~/.config/grader/images.json;
// absent is fine) overlaid with [ImageMapEnv]. getenv is os.Getenv in
// production and a map in tests.
func LoadImageMap(getenv func(string) string) (ImageMap, error) {
	m := ImageMap{}
	if path := configImageMapPath(getenv); path != "" {
		data, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("image map %s: %w", path, err)
		default:
			fm, err := ParseImageMap(string(data))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			merge(m, fm)
		}
	}
	env := strings.TrimSpace(getenv(ImageMapEnv))
	if env == "" {
		return m, nil
	}
	src := env
	if _, err := os.Stat(env); err == nil {
		data, err := os.ReadFile(env)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", ImageMapEnv, env, err)
		}
		src = string(data)
	} else if !strings.Contains(env, "=") && !strings.HasPrefix(env, "{") {
		return nil, fmt.Errorf("%s=%s: no such file, and not FROM=TO pairs", ImageMapEnv, env)
	}
	em, err := ParseImageMap(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ImageMapEnv, err)
	}
	merge(m, em)
	return m, nil
}

func merge(dst, src ImageMap) {
	for k, v := range src {
		dst[k] = v
	}
}

func configImageMapPath(getenv func(string) string) string {
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "grader", "images.json")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "grader", "images.json")
	}
	return ""
}
