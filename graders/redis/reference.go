package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/backendroadmap/grader/runner"
)

// fileCommands is a parsed command file and its name.
type fileCommands struct {
	name string
	cmds []Command
}

// refJob is one redis.result check's reference: the reference solution's
// scripts and query, run on a fresh copy of the seed. Its replies are
// computed once per process and shared by every attempt.
type refJob struct {
	key     string
	scripts []fileCommands
	query   fileCommands
	done    bool
	replies []reply
	err     error // the reference itself failed: the exercise needs fixing
}

// refCache holds the reference jobs of every exercise compiled by one
// [Kinds], by environment, so a server started for an environment can
// compute what is still missing before the learner's commands touch it.
type refCache struct {
	mu   sync.Mutex
	jobs map[string]map[string]*refJob // env key → job key → job
}

func newRefCache() *refCache { return &refCache{jobs: map[string]map[string]*refJob{}} }

// register adds a job for env, or returns the equal one already there (a
// catalog loaded twice compiles its checks twice).
func (c *refCache) register(envKey string, j *refJob) *refJob {
	h := sha256.New()
	for _, f := range append(append([]fileCommands(nil), j.scripts...), j.query) {
		fmt.Fprintf(h, "%s\x00", f.name)
		for _, cmd := range f.cmds {
			for _, a := range cmd.Args {
				fmt.Fprintf(h, "%d:%s", len(a), a)
			}
			h.Write([]byte{'\n'})
		}
		h.Write([]byte{0})
	}
	j.key = hex.EncodeToString(h.Sum(nil))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.jobs[envKey] == nil {
		c.jobs[envKey] = map[string]*refJob{}
	}
	if old, ok := c.jobs[envKey][j.key]; ok {
		return old
	}
	c.jobs[envKey][j.key] = j
	return j
}

// result returns a job's replies once computed.
func (c *refCache) result(j *refJob) (done bool, replies []reply, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return j.done, j.replies, j.err
}

// computePending runs every job of e not yet computed on srv, which must
// hold nothing of a learner's yet: each job on an emptied server, freshly
// seeded, as the learner's ACL user (so a reference cannot use what the
// learner may not). Concurrent attempts may compute the same job twice;
// the first result is kept.
func (c *refCache) computePending(ctx context.Context, srv *server, e *env) {
	c.mu.Lock()
	var pending []*refJob
	for _, j := range c.jobs[e.key] {
		if !j.done {
			pending = append(pending, j)
		}
	}
	c.mu.Unlock()
	for _, j := range pending {
		replies, err := runReference(ctx, srv, e, j)
		if ctx.Err() != nil {
			return // not the reference's fault: leave it for a later attempt
		}
		var transient *stopError
		if errors.As(err, &transient) && !transient.timeout {
			continue
		}
		c.mu.Lock()
		if !j.done {
			j.done, j.replies, j.err = true, replies, err
		}
		c.mu.Unlock()
	}
}

// runReference runs one job on an emptied, freshly seeded server.
func runReference(ctx context.Context, srv *server, e *env, j *refJob) ([]reply, error) {
	if err := srv.reset(ctx); err != nil {
		return nil, err
	}
	if err := srv.seed(ctx, e); err != nil {
		return nil, err
	}
	c := srv.learner()
	defer c.Close()
	for _, f := range j.scripts {
		rs, err := runCommands(ctx, c, f.cmds, true)
		if err != nil {
			return nil, fmt.Errorf("the reference %s: %w", f.name, err)
		}
		if n := len(rs); n > 0 && rs[n-1].err != "" {
			return nil, fmt.Errorf("the reference %s failed at line %d (%s): %s; the exercise needs fixing", f.name, rs[n-1].cmd.Line, rs[n-1].cmd, rs[n-1].err)
		}
	}
	rs, err := runCommands(ctx, c, j.query.cmds, false)
	if err != nil {
		return nil, fmt.Errorf("the reference %s: %w", j.query.name, err)
	}
	return rs, nil
}

// reference returns a job's replies, computing them on a Redis of their
// own when no attempt's server did (a job compiled after the server
// started). Its errors are the exercise's or the machine's, never the
// learner's.
func (k *kinds) reference(ctx context.Context, a runner.Attempt, e *env, j *refJob) ([]reply, error) {
	if done, rs, err := k.refs.result(j); done {
		return rs, err
	}
	srv, err := k.start(ctx, a, e.image)
	if err != nil {
		return nil, err
	}
	defer srv.remove()
	if err := srv.createLearner(ctx); err != nil {
		return nil, err
	}
	k.refs.computePending(ctx, srv, e)
	if done, rs, err := k.refs.result(j); done {
		return rs, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return nil, errors.New("the reference replies could not be computed")
}
