package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// reply is what one command answered: a value, or Redis's error text.
type reply struct {
	cmd Command
	val any    // as go-redis decodes RESP2: string, int64, nil, []any
	err string // Redis's own error ("NOPERM ...", "WRONGTYPE ..."), or ""
}

// stopError is a command after which a file cannot go on: it did not
// answer in time, or the connection broke. Not Redis's answer, so it is
// never compared with a reference.
type stopError struct {
	cmd     Command
	timeout bool
	waited  time.Duration
	err     error
}

func (e *stopError) Error() string {
	if e.timeout {
		return fmt.Sprintf("line %d: %s did not answer within %s", e.cmd.Line, e.cmd, e.waited)
	}
	return fmt.Sprintf("line %d: %s: %v", e.cmd.Line, e.cmd, e.err)
}

// runCommands sends cmds on one connection, in order, and returns every
// reply, errors included; stopAtError ends at the first error reply (a
// script), otherwise every command runs (a query). A command that does not
// answer within [commandTimeout] or the context's deadline, or a broken
// connection, ends the run with a [*stopError].
func runCommands(ctx context.Context, c *goredis.Client, cmds []Command, stopAtError bool) ([]reply, error) {
	var out []reply
	for _, cmd := range cmds {
		cctx, cancel := context.WithTimeout(ctx, commandTimeout)
		t0 := time.Now()
		v, err := c.Do(cctx, toAny(cmd.Args)...).Result()
		timedOut := cctx.Err() != nil
		cancel()
		r := reply{cmd: cmd, val: v}
		var rerr goredis.Error
		switch {
		case err == nil || errors.Is(err, goredis.Nil):
			r.val = v
		case errors.As(err, &rerr) && !timedOut:
			r.err = rerr.Error()
		default:
			if errors.Is(ctx.Err(), context.Canceled) {
				return out, ctx.Err()
			}
			var ne net.Error
			timeout := timedOut || errors.As(err, &ne) && ne.Timeout()
			return out, &stopError{cmd: cmd, timeout: timeout, waited: time.Since(t0).Round(100 * time.Millisecond), err: err}
		}
		out = append(out, r)
		if stopAtError && r.err != "" {
			break
		}
	}
	return out, nil
}

// refused reports whether a Redis error is the server refusing a command
// outright: the ACL (NOPERM), or DEBUG and MODULE, which Redis refuses
// before looking at ACLs.
func refused(errText string) bool {
	return strings.HasPrefix(errText, "NOPERM") || strings.HasPrefix(errText, "ERR") && strings.Contains(errText, " command not allowed")
}
