package redis

import (
	"context"
	"io/fs"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/backendroadmap/grader/runner"
)

// Shell is a learner's session on a Redis of their own, seeded as every
// attempt's is, to look at the data while writing commands (`grader db`):
// the learner's ACL user, the same refusals. Nothing done in it reaches the
// checks. Close removes the container.
type Shell struct {
	srv    *server
	client *goredis.Client
	memo   *runner.Memo // the shell's own attempt, whose end removes the container
	// Image is the image as the exercise names it, for a banner.
	Image string
}

// OpenShell starts and seeds the Redis that service (an exercise's
// services block reader, as [runner.Params].Service) declares under redis,
// with the seed read from files. It wraps [runner.ErrNoService] when the
// exercise has no Redis.
func OpenShell(ctx context.Context, services Services, files fs.FS, service func(name string, v any) error) (*Shell, error) {
	e, err := loadEnv(runner.Params{Files: files, Service: service})
	if err != nil {
		return nil, err
	}
	k := &kinds{services: services, refs: newRefCache()}
	memo := &runner.Memo{}
	srv, err := k.start(ctx, runner.Attempt{Memo: memo}, e.image)
	if err != nil {
		memo.Close()
		return nil, err
	}
	if err := k.prepare(ctx, srv, e); err != nil {
		srv.remove()
		memo.Close()
		return nil, err
	}
	return &Shell{srv: srv, client: srv.learner(), memo: memo, Image: e.image}, nil
}

// Run runs input's commands (redis-cli syntax, one a line) and returns each
// reply as redis-cli shows it. A command Redis refuses is a reply, not an
// error; the error is for input that does not parse or a lost server.
func (s *Shell) Run(ctx context.Context, input string) (string, error) {
	cmds, err := ParseCommands("input", []byte(input))
	if err != nil {
		return "", err
	}
	replies, err := runCommands(ctx, s.client, cmds, false)
	out := make([]string, 0, len(replies))
	for _, r := range replies {
		out = append(out, strings.TrimRight(formatReply(r), "\n"))
	}
	return strings.Join(out, "\n"), err
}

// Close removes the container.
func (s *Shell) Close() {
	_ = s.client.Close()
	s.srv.remove()
	s.memo.Close()
}
