package main

import (
	"path/filepath"

	codegrader "github.com/backendroadmap/grader/graders/code"
	gitgrader "github.com/backendroadmap/grader/graders/git"
	redisgrader "github.com/backendroadmap/grader/graders/redis"
	sqlgrader "github.com/backendroadmap/grader/graders/sql"
	"github.com/backendroadmap/grader/runner"
)

// fullBinary is the build of grader that links every kind. `make build`
// makes two: grader, lean, which grades git, SQL, Redis and code exercises
// itself and starts in a fraction of the time, and grader-full, which it
// hands every other exercise to (see [app.handOff]). A plain `go build` or
// `go install` of this package makes one binary with every kind.
const fullBinary = "grader-full"

// leanFamilies are the kinds every build links: those of the exercises a
// learner re-checks most, whose libraries cost little to start.
func leanFamilies(svc *services) []runner.Kinds {
	var sqlOpts []sqlgrader.Option
	if svc.cacheDir != nil {
		if dir, err := svc.cacheDir(); err == nil {
			sqlOpts = append(sqlOpts, sqlgrader.CacheDir(filepath.Join(dir, "sql-reference")))
		}
	}
	return []runner.Kinds{
		gitgrader.Kinds(),
		sqlgrader.Kinds(svc, sqlOpts...),
		redisgrader.Kinds(svc),
		codegrader.Kinds(svc),
	}
}

// fullOnlyKinds names the kinds only grader-full links: the server, security,
// browser and DevOps families. A test keeps it equal to what the full build
// adds to [leanFamilies].
var fullOnlyKinds = []string{
	"compose.file", "compose.up",
	"docker.cache", "docker.dockerfile", "docker.image", "docker.run",
	"http.openapi", "http.requests", "http.starts",
	"kube.policy", "kube.schema",
	"metrics.rules", "metrics.scrape",
	"sec.passwords", "sec.sqli", "sec.xss",
	"workflow.lint", "workflow.run", "workflow.shape",
}

// leanKinds is what the lean build grades with: its own families, and the
// others by name only, so that it reads every exercise of a catalog.
func leanKinds(svc *services) runner.Kinds {
	elsewhere := runner.Kinds{}
	for _, name := range fullOnlyKinds {
		elsewhere[name] = runner.Elsewhere(name)
	}
	return mustMerge(append(leanFamilies(svc), elsewhere))
}

// mustMerge joins families of kinds. Two families claiming one name is a bug
// in this binary, which every test catches.
func mustMerge(families []runner.Kinds) runner.Kinds {
	all, err := runner.MergeKinds(families...)
	if err != nil {
		panic(err)
	}
	return all
}
