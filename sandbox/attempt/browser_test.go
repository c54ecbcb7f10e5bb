package attempt

import (
	"context"
	"testing"
	"time"

	"github.com/backendroadmap/grader/sandbox"
)

func TestBrowserSharesTheServersNetworkAndGoesWithTheAttempt(t *testing.T) {
	env := newEnv(t, serverOn(`"0.0.0.0"`, `int(os.environ["PORT"])`))
	if _, err := env.Browser(t.Context()); err == nil {
		t.Fatal("a browser before the server: want an error, got none")
	}
	s, err := env.Server(t.Context(), Request{Server: spec(t, 20*time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Browser(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("browser started in %s", b.Started.Round(time.Millisecond))
	if again, err := env.Browser(t.Context()); err != nil || again != b {
		t.Errorf("the attempt's second ask must get the same browser, got %p, %v", again, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	v, err := b.Visit(ctx, s.BrowserURL()+"/", sandbox.VisitOptions{Queries: []sandbox.Query{{Selector: "body"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("visit took %s", v.Took.Round(time.Millisecond))
	if v.Status != 200 || len(v.Results) != 1 || len(v.Results[0]) != 1 || v.Results[0][0] != "no database" {
		t.Errorf("the browser should load the learner's server at %s: status %d, load error %q, body %q",
			s.BrowserURL(), v.Status, v.LoadError, v.Results)
	}
	// newEnv's cleanup closes the attempt and fails on any container left.
}
