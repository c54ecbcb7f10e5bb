package redis

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// Services starts an attempt's service containers, removed when the
// attempt ends at the latest: in the CLI the attempt's environment
// (sandbox/attempt's Env.StartService) does, connecting to Docker on first use.
type Services interface {
	StartService(ctx context.Context, a runner.Attempt, s sandbox.ServiceSpec) (*sandbox.Service, error)
}

// DefaultImage is the image a `services.redis` block without `image` runs;
// an image map (see [sandbox.ImageMap]) may send it to a local build.
const DefaultImage = "redis:7"

// Container settings. The memory limit bounds the container; Redis's own
// maxmemory is lower, so a learner who fills it gets Redis's OOM error (a
// failure they can read) rather than a killed container (an error).
const (
	redisPort       = 6379
	containerMemory = 256 << 20
	maxMemory       = "192mb"
	// startTimeout bounds a container start and its first PING; a cold start
	// measured 0.7 s idle, 1-3.5 s on a loaded 2-core machine.
	startTimeout = 20 * time.Second
	// removeTimeout bounds removing a container in a cleanup, whose caller
	// may already be cancelled.
	removeTimeout = 15 * time.Second
	// commandTimeout bounds one command of a file, so a BLPOP that waits for
	// ever ends with a message that names it rather than the check's
	// generic timeout.
	commandTimeout = 5 * time.Second
	// maxFileSize bounds a command file read from a workspace or an
	// exercise.
	maxFileSize = 1 << 20
)

// serviceConfig is the exercise's `services.redis` block, declared once for
// every Redis check of the exercise.
type serviceConfig struct {
	// Image is the public image to run (default [DefaultImage]).
	Image string `yaml:"image"`
	// Seed is a command file in the exercise's folder, run as the admin
	// before the learner's commands.
	Seed string `yaml:"seed"`
}

// env is what an attempt's Redis is set up with: the image and the parsed
// seed. Its key tells environments apart for the memo and the reference
// cache.
type env struct {
	key   string
	image string
	seed  []Command
}

// loadEnv decodes and checks the service block and reads its seed file.
func loadEnv(p runner.Params) (*env, error) {
	var cfg serviceConfig
	if p.Service != nil {
		if err := p.Service("redis", &cfg); err != nil {
			return nil, err
		}
	}
	e := &env{image: cfg.Image}
	if e.image == "" {
		e.image = DefaultImage
	}
	if err := e.readSeed(p.Files, cfg.Seed); err != nil {
		return nil, &runner.ServiceError{Service: "redis", Field: "seed", Msg: err.Error()}
	}
	return e, nil
}

// readSeed reads and parses the seed file name (none when "") into e, and
// names e after its image and seed.
func (e *env) readSeed(files fs.FS, name string) error {
	h := sha256.New()
	h.Write([]byte(e.image + "\x00"))
	e.seed = nil
	if name != "" {
		data, err := readExerciseFile(files, name)
		if err != nil {
			return err
		}
		if e.seed, err = ParseCommands(name, data); err != nil {
			return err
		}
		h.Write(data)
	}
	e.key = hex.EncodeToString(h.Sum(nil))[:16]
	return nil
}

// withSeed returns the environment a check runs in when it names a seed of
// its own (the `seed` parameter): e's image, seeded from that file instead of
// the services block's. It is a Redis of its own for each attempt, where the
// learner's script runs again: a hidden check on data the learner never saw
// catches a script that writes the answer it was shown rather than computing
// it. Without a name, e itself.
func (e *env) withSeed(files fs.FS, name string) (*env, error) {
	if strings.TrimSpace(name) == "" {
		return e, nil
	}
	other := &env{image: e.image}
	if err := other.readSeed(files, strings.TrimSpace(name)); err != nil {
		return nil, paramErr("seed", "%v", err)
	}
	return other, nil
}

// readExerciseFile reads a file of the exercise's own folder (a seed, a
// reference query), whose path the author wrote.
func readExerciseFile(files fs.FS, name string) ([]byte, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, fmt.Errorf("%q is not a relative, slash-separated path inside the exercise folder", name)
	}
	if files == nil {
		return nil, fmt.Errorf("cannot read %s: no exercise folder", name)
	}
	data, err := fs.ReadFile(files, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is not in the exercise folder", name)
		}
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, maxFileSize)
	}
	return data, nil
}

// learnerUser is the ACL user the learner's commands run as. Its password
// is random per container and never shown.
const learnerUser = "learner"

// learnerRules are the ACL rules of [learnerUser]: every command but the
// ones that administer or can wreck the server, which Redis itself refuses
// with NOPERM, however they are spelled or wrapped (MULTI, aliases).
//
// In Redis 7.0, @dangerous covers @admin plus FLUSHALL, FLUSHDB, KEYS,
// SORT, INFO, SWAPDB, RESTORE, MIGRATE and CLIENT LIST/KILL, among others.
// KEYS and SORT are given back: harmless on an exercise's few keys, and
// learners use them. Beyond the categories: SELECT and MOVE would leave
// database 0, which checks read; CLIENT (REPLY OFF) and the SUBSCRIBE
// family change the connection's state under the client; WAIT blocks for
// replicas there are none of; and scripts (@scripting) could loop and make
// the server answer BUSY to the checks that follow. DEBUG and MODULE are
// refused before ACLs, by the server's own settings. HELLO, RESET, AUTH and
// QUIT are connection commands that Redis 7.0 never subjects to ACLs; they
// change only the file's own connection, and nobody knows a password.
var learnerRules = []string{
	"reset", "on", "~*", "&*",
	"+@all", "-@admin", "-@dangerous", "-@scripting",
	"+keys", "+sort", "+sort_ro",
	"-select", "-move", "-swapdb", "-client", "-wait",
	"-subscribe", "-psubscribe", "-ssubscribe", "-unsubscribe", "-punsubscribe", "-sunsubscribe",
}

// server is one attempt's Redis: a fresh container, seeded, with an ACL
// user for the learner.
type server struct {
	svc     *sandbox.Service
	addr    string
	adminPw string
	learnPw string
	admin   *goredis.Client
	started time.Duration // container start to first PONG
}

// memoKey names what this package keeps in an attempt's [runner.Memo].
type memoKey struct {
	what string // "server", "script"
	env  string
	file string
}

// attemptServer returns the attempt's Redis for e, starting, seeding and
// securing it on first use; a cleanup removes it when the attempt ends.
// The error is for [runner.Errored]: the learner is not at fault.
func (k *kinds) attemptServer(ctx context.Context, a runner.Attempt, e *env) (*server, error) {
	v, err := a.Memo.Do(memoKey{what: "server", env: e.key}, func() (any, error) {
		srv, err := k.start(ctx, a, e.image)
		if err != nil {
			return nil, err
		}
		if a.Memo != nil {
			a.Memo.Cleanup(srv.remove)
		}
		if err := k.prepare(ctx, srv, e); err != nil {
			if a.Memo == nil {
				srv.remove()
			}
			return nil, err
		}
		return srv, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*server), nil
}

// start starts a Redis container for attempt a and waits for a real PONG.
// The admin (default user) password is random, passed with --requirepass,
// and kept only in the returned server.
func (k *kinds) start(ctx context.Context, a runner.Attempt, image string) (*server, error) {
	if k.services == nil {
		return nil, errors.New("no sandbox engine to start Redis with")
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	srv := &server{adminPw: randomSecret(), learnPw: randomSecret()}
	t0 := time.Now()
	svc, err := k.services.StartService(ctx, a, sandbox.ServiceSpec{
		Service: "redis",
		Image:   image,
		Cmd: []string{"redis-server",
			"--requirepass", srv.adminPw,
			"--maxmemory", maxMemory, "--maxmemory-policy", "noeviction",
			"--save", "", "--appendonly", "no", "--dir", "/data",
		},
		Port:   redisPort,
		Tmpfs:  map[string]string{"/data": "rw,nosuid,nodev,noexec,size=16m,mode=1777"},
		Memory: containerMemory,
	})
	if err != nil {
		return nil, fmt.Errorf("start a Redis container: %w", err)
	}
	srv.svc = svc
	srv.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(svc.HostPort))
	srv.admin = goredis.NewClient(&goredis.Options{
		Addr:                  srv.addr,
		Password:              srv.adminPw,
		Protocol:              2,
		DisableIdentity:       true,
		MaxRetries:            -1,
		PoolSize:              2,
		DialTimeout:           2 * time.Second,
		ContextTimeoutEnabled: true,
	})
	if err := waitReady(ctx, srv.admin); err != nil {
		srv.remove()
		return nil, fmt.Errorf("redis container %.12s (%s) did not answer PING within %s: %w", svc.ID, svc.Ref, startTimeout, err)
	}
	srv.started = time.Since(t0)
	return srv, nil
}

// waitReady PINGs until Redis answers. Docker's port proxy accepts a
// connection before Redis listens, so only a PONG means ready. When ctx
// ends first, the last PING's error says why.
func waitReady(ctx context.Context, c *goredis.Client) error {
	var last error
	err := sandbox.Poll(ctx, 20*time.Millisecond, func() (bool, error) {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		last = c.Ping(pctx).Err()
		cancel()
		return last == nil, nil
	})
	if err != nil && last != nil {
		return last
	}
	return err
}

// prepare computes the exercise's reference replies that are not cached
// yet, while the server holds nothing of the learner's, then seeds it and
// creates the learner's ACL user.
func (k *kinds) prepare(ctx context.Context, srv *server, e *env) error {
	if err := srv.createLearner(ctx); err != nil {
		return err
	}
	k.refs.computePending(ctx, srv, e)
	if err := srv.reset(ctx); err != nil {
		return err
	}
	return srv.seed(ctx, e)
}

// createLearner creates the learner's ACL user with [learnerRules].
func (s *server) createLearner(ctx context.Context) error {
	args := append([]any{"ACL", "SETUSER", learnerUser}, toAny(learnerRules)...)
	if err := s.admin.Do(ctx, append(args, ">"+s.learnPw)...).Err(); err != nil {
		return fmt.Errorf("create the learner's ACL user: %w", err)
	}
	return nil
}

// reset empties the server between a reference run and the learner's.
func (s *server) reset(ctx context.Context) error {
	for _, c := range [][]any{{"FLUSHALL"}, {"SCRIPT", "FLUSH"}, {"FUNCTION", "FLUSH"}} {
		if err := s.admin.Do(ctx, c...).Err(); err != nil {
			return fmt.Errorf("reset the Redis server (%v): %w", c[0], err)
		}
	}
	return nil
}

// seed runs the exercise's seed as the admin. A failing seed is the
// exercise's bug, reported as such.
func (s *server) seed(ctx context.Context, e *env) error {
	for _, c := range e.seed {
		if err := s.admin.Do(ctx, toAny(c.Args)...).Err(); err != nil {
			return fmt.Errorf("the exercise's seed failed at line %d (%s): %w; the exercise needs fixing", c.Line, c, err)
		}
	}
	return nil
}

// learner opens one connection as the learner's ACL user, like a redis-cli
// session: a file's commands share it, and it is closed after the file so
// nothing it left (a MULTI, a blocked client) reaches the next file.
func (s *server) learner() *goredis.Client {
	return goredis.NewClient(&goredis.Options{
		Addr:                  s.addr,
		Username:              learnerUser,
		Password:              s.learnPw,
		Protocol:              2, // replies shaped as redis-cli shows them
		DisableIdentity:       true,
		MaxRetries:            -1, // never send an INCR twice
		PoolSize:              1,
		DialTimeout:           2 * time.Second,
		ContextTimeoutEnabled: true,
	})
}

// remove closes the admin client and removes the container, with a
// context of its own: the attempt's may be cancelled by now. (The
// attempt's end removes it too; removing twice is fine.)
func (s *server) remove() {
	if s.admin != nil {
		_ = s.admin.Close()
	}
	if s.svc != nil {
		ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
		defer cancel()
		_ = s.svc.Remove(ctx)
	}
}

func randomSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
