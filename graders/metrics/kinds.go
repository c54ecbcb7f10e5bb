package metrics

import (
	"fmt"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
)

// Kinds returns the monitoring kinds of check, keyed by the name an
// exercise spec uses. servers gives metrics.scrape the attempt's server
// (the same provider as the HTTP kinds'); it is called only when a check
// runs, so loading a catalog needs no Docker and servers may be nil for a
// caller that only compiles.
func Kinds(servers httpcheck.Servers) runner.Kinds {
	k := &kinds{servers: servers}
	return runner.Kinds{
		"metrics.scrape": runner.DecodesItself[scrapeParams](k.compileScrape),
		"metrics.rules":  runner.ParamsKind[RulesParams](compileRules),
	}
}

type kinds struct {
	servers httpcheck.Servers
}

func paramErr(field, format string, args ...any) error {
	return &runner.ParamError{Field: field, Msg: fmt.Sprintf(format, args...)}
}
