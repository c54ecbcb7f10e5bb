package attempt

import (
	"context"
	"errors"
	"strconv"

	"github.com/backendroadmap/grader/sandbox"
)

// browserStartTries is how many times a browser start is tried.
const browserStartTries = 3

// Browser returns the attempt's headless browser, started by the first
// check that asks and kept, like the server, for the checks after it;
// closed with the attempt. It joins the attempt's private network only, so
// a learner's script running in it reaches the attempt's own server and
// nothing else. The attempt's server must have been started first
// ([Env.Server]): grader reaches the browser through the server's probe.
func (e *Env) Browser(ctx context.Context) (*sandbox.Browser, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, errors.New("the attempt's environment is closed")
	}
	if e.browser != nil || e.browserErr != nil {
		return e.browser, e.browserErr
	}
	if e.net == nil || e.hooks == nil {
		return nil, errors.New("the attempt's browser needs its server started first")
	}
	// Chromium now and then crashes while it starts on a loaded machine
	// (seen: a segfault before DevTools listened): that is not the
	// learner's doing, so a failed start is tried again before it is an
	// error.
	var b *sandbox.Browser
	var err error
	for try := 0; try < browserStartTries; try++ {
		if b, err = e.eng.StartBrowser(ctx, sandbox.BrowserSpec{Network: e.net, Probe: e.hooks}); err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			e.browserErr = err
		}
		return nil, err
	}
	e.onStop(func(ctx context.Context) { _ = b.Close(ctx) })
	e.browser = b
	return b, nil
}

// browserHost is the learner's server's second name on the attempt's
// network, the one the browser uses: Chromium never loads http://app/, since
// "app" is a top-level domain on its HSTS preload list (it forces HTTPS).
const browserHost = "server"

// BrowserURL is the learner's server as the attempt's browser reaches it,
// by its name on the attempt's network: http://server:8080.
func (s *Server) BrowserURL() string { return "http://" + browserHost + ":" + strconv.Itoa(s.port) }
