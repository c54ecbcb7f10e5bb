package attempt

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ServerConfig is an exercise's `services.server` block: how the learner's
// program starts as a long-running server. Every field has a default chosen
// by Language, so `server: {language: python}` is a whole block.
type ServerConfig struct {
	// Language picks the default image and command: python (python:3.11,
	// `python3 app.py`), go (golang:1.26, `go run .`) or node (node:18,
	// `node server.js`).
	Language string `yaml:"language"`
	// Image runs the server; an image map may redirect it.
	Image string `yaml:"image"`
	// Command starts the server in the workspace's copy, without a shell.
	Command []string `yaml:"command"`
	// Port is where the server must listen, on every address; it gets it as
	// $PORT. Default 8080.
	Port int `yaml:"port"`
	// Env adds variables to the server's environment. PORT, DATABASE_URL and
	// REDIS_URL are grader's and cannot be set here.
	Env map[string]string `yaml:"env"`
	// ReadyTimeout is how long the server may take to listen, as a Go
	// duration. Default 20s (60s for go, which compiles first).
	ReadyTimeout string `yaml:"ready_timeout"`
	// Memory bounds the server's container, like 256MiB. Default 512MiB.
	Memory string `yaml:"memory"`
	// Companions are more of the learner's programs, each in a container of
	// its own on the attempt's network, reachable by its name: the other
	// services of a microservice exercise. The server gets each one's URL as
	// $<NAME>_URL (http://name:port).
	Companions []CompanionConfig `yaml:"companions"`
}

// CompanionConfig is one more program of the learner's that the server talks to.
type CompanionConfig struct {
	// Name is its host name on the network (lower-case letters, digits, -).
	Name string `yaml:"name"`
	// Command starts it; it gets $PORT like the server.
	Command []string `yaml:"command"`
	// Port is where it listens.
	Port int `yaml:"port"`
	// Env adds variables to its environment.
	Env map[string]string `yaml:"env"`
}

// ServerSpec is a [ServerConfig] with its defaults applied and checked: what
// [Env.Server] starts.
type ServerSpec struct {
	Image        string
	Cmd          []string
	Port         int
	Env          []string // KEY=value, sorted
	ReadyTimeout time.Duration
	Memory       int64
	Companions   []CompanionSpec
}

// CompanionSpec is a [CompanionConfig] with its defaults applied.
type CompanionSpec struct {
	Name string
	Cmd  []string
	Port int
	Env  []string
}

// Defaults per language.
const (
	DefaultPort         = 8080
	DefaultReadyTimeout = 20 * time.Second
	DefaultMemory       = 512 << 20
	// MaxReadyTimeout bounds ready_timeout.
	MaxReadyTimeout = 5 * time.Minute
)

type language struct {
	image string
	cmd   []string
	ready time.Duration
}

var languages = map[string]language{
	"python": {"python:3.11", []string{"python3", "app.py"}, DefaultReadyTimeout},
	"go":     {"golang:1.26", []string{"go", "run", "."}, 60 * time.Second},
	"node":   {"node:18", []string{"node", "server.js"}, DefaultReadyTimeout},
}

// reserved variables are set by grader for every server.
var reserved = []string{"PORT", "DATABASE_URL", "REDIS_URL", "HOOKS_URL"}

var companionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`) })

// ConfigError is a mistake in a services.server block: Field names the
// field inside the block ("" for the whole block).
type ConfigError struct {
	Field string
	Msg   string
}

func (e *ConfigError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Resolve applies the defaults and checks the block. Its error is a
// *[ConfigError] for `grader validate` to point at.
func (c ServerConfig) Resolve() (*ServerSpec, error) {
	lang, ok := languages[c.Language]
	if c.Language == "" && c.Image != "" && len(c.Command) > 0 {
		ok = true
	}
	if !ok {
		return nil, &ConfigError{Field: "language", Msg: fmt.Sprintf("%q is not one of %s (or set both image and command)", c.Language, strings.Join(slices.Sorted(mapsKeys(languages)), ", "))}
	}
	s := &ServerSpec{Image: lang.image, Cmd: lang.cmd, Port: DefaultPort, ReadyTimeout: lang.ready, Memory: DefaultMemory}
	if c.Image != "" {
		s.Image = c.Image
	}
	if len(c.Command) > 0 {
		s.Cmd = c.Command
	}
	if c.Port != 0 {
		if c.Port < 1024 || c.Port > 65535 {
			return nil, &ConfigError{Field: "port", Msg: fmt.Sprintf("%d must be between 1024 and 65535 (the server runs without privileges)", c.Port)}
		}
		s.Port = c.Port
	}
	if c.ReadyTimeout != "" {
		d, err := time.ParseDuration(c.ReadyTimeout)
		if err != nil || d <= 0 || d > MaxReadyTimeout {
			return nil, &ConfigError{Field: "ready_timeout", Msg: fmt.Sprintf("%q must be a duration up to %s, like 20s", c.ReadyTimeout, MaxReadyTimeout)}
		}
		s.ReadyTimeout = d
	}
	if c.Memory != "" {
		m, err := ParseBytes(c.Memory)
		if err != nil || m < 32<<20 || m > 2<<30 {
			return nil, &ConfigError{Field: "memory", Msg: fmt.Sprintf("%q must be a size from 32MiB to 2GiB, like 256MiB", c.Memory)}
		}
		s.Memory = m
	}
	env, err := envList("env", c.Env)
	if err != nil {
		return nil, err
	}
	s.Env = env
	ports := map[int]bool{s.Port: true}
	names := map[string]bool{}
	for i, cc := range c.Companions {
		f := fmt.Sprintf("companions[%d]", i)
		if !companionName().MatchString(cc.Name) || slices.Contains([]string{"app", "db", "redis", "hooks", "probe"}, cc.Name) || names[cc.Name] {
			return nil, &ConfigError{Field: f + ".name", Msg: fmt.Sprintf("%q must be a unique lower-case host name (letters, digits, -) other than app, db, redis, hooks and probe", cc.Name)}
		}
		names[cc.Name] = true
		if len(cc.Command) == 0 {
			return nil, &ConfigError{Field: f + ".command", Msg: "required: how this program starts"}
		}
		if cc.Port < 1024 || cc.Port > 65535 {
			return nil, &ConfigError{Field: f + ".port", Msg: fmt.Sprintf("%d must be between 1024 and 65535", cc.Port)}
		}
		ports[cc.Port] = true
		cenv, err := envList(f+".env", cc.Env)
		if err != nil {
			return nil, err
		}
		s.Companions = append(s.Companions, CompanionSpec{Name: cc.Name, Cmd: cc.Command, Port: cc.Port, Env: cenv})
	}
	return s, nil
}

// URLVar is the variable that carries a companion's URL to the server.
func URLVar(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_URL"
}

func envList(field string, m map[string]string) ([]string, error) {
	var env []string
	for _, k := range slices.Sorted(mapsKeys(m)) {
		if k == "" || strings.ContainsAny(k, "= \t\n") {
			return nil, &ConfigError{Field: field, Msg: fmt.Sprintf("%q is not a variable name", k)}
		}
		if slices.Contains(reserved, k) {
			return nil, &ConfigError{Field: field + "." + k, Msg: "is set by grader for every server; choose another name"}
		}
		env = append(env, k+"="+m[k])
	}
	return env, nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ParseBytes reads a size like 256MiB, 1GiB, 512m or a plain number of bytes.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = v, u.m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size like 256MiB", s)
	}
	return n * mult, nil
}

// DatabaseConfig is an exercise's `services.postgres` block, as the
// learner's server sees it: the same block the sql kinds read.
type DatabaseConfig struct {
	// Image is the PostgreSQL image (default postgres:15).
	Image string `yaml:"image"`
	// Setup lists .sql files of the exercise run, in order, into the
	// template every attempt's database is copied from.
	Setup []string `yaml:"setup"`
	// StatementTimeout is read by the sql kinds; the server's own sessions
	// are bounded by the check's deadline.
	StatementTimeout string `yaml:"statement_timeout"`
}

// Database is a [DatabaseConfig] with its setup files read.
type Database struct {
	Image string
	// Key names the template: the image and the files' contents.
	Key   string
	Setup []SetupFile
}

// SetupFile is one setup script.
type SetupFile struct{ Name, Text string }

// RedisConfig is an exercise's `services.redis` block as the server sees it:
// a Redis of the attempt's own, empty, at $REDIS_URL.
type RedisConfig struct {
	// Image is the Redis image (default redis:7).
	Image string `yaml:"image"`
	// Seed is read by the redis kinds only.
	Seed string `yaml:"seed"`
}

// LoadDatabase reads the setup files of cfg from the exercise's folder. Its
// error is a *[ConfigError] naming the field.
func LoadDatabase(files fs.FS, cfg DatabaseConfig) (*Database, error) {
	db := &Database{Image: cfg.Image}
	if db.Image == "" {
		db.Image = "postgres:15"
	}
	h := sha256.New()
	h.Write([]byte(db.Image))
	for _, name := range cfg.Setup {
		if files == nil {
			return nil, &ConfigError{Field: "setup", Msg: "no exercise folder to read " + name + " from"}
		}
		b, err := fs.ReadFile(files, path.Clean(name))
		if err != nil {
			return nil, &ConfigError{Field: "setup", Msg: fmt.Sprintf("cannot read %s from the exercise folder: %v", name, err)}
		}
		db.Setup = append(db.Setup, SetupFile{Name: name, Text: string(b)})
		h.Write([]byte{0})
		h.Write(b)
	}
	db.Key = "srv/" + hex.EncodeToString(h.Sum(nil))[:20]
	return db, nil
}

// Request is what a check asks of the attempt's environment: the server to
// run, and the services it gets.
type Request struct {
	Server *ServerSpec
	// Database, when set, gives the server $DATABASE_URL: a fresh copy of
	// the exercise's data for the attempt, at host db.
	Database *Database
	// Redis, when set, gives the server $REDIS_URL: an empty Redis of the
	// attempt's own, at host redis.
	Redis *RedisConfig
	// Fresh starts a server for the calling check alone, on the attempt's
	// same services, instead of the attempt's shared one.
	Fresh bool
}

// StartError is the learner's failure to start a server: it crashed, never
// listened, listened on another port or on 127.0.0.1 only. Msg says which
// and what to change; Output is the tail of what the server printed.
type StartError struct {
	Msg    string
	Output string
}

func (e *StartError) Error() string { return e.Msg }

// Hook is one request the learner's server sent to grader's webhook
// receiver ($HOOKS_URL, http://hooks:9000).
type Hook struct {
	Method string              `json:"method"`
	Path   string              `json:"path"`
	Header map[string][]string `json:"header"`
	Body   []byte              `json:"body"`
}
