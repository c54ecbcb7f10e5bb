package main

import (
	gitgrader "github.com/backendroadmap/grader/graders/git"
	"github.com/backendroadmap/grader/runner"
)

// fullBinary is the build of grader that links every kind. `make build`
// makes two: grader, lean, which grades git exercises itself and starts in
// a fraction of the time, and grader-full, which it hands every other
// exercise to (see [app.handOff]). A plain `go build` or `go install` of
// this package makes one binary with every kind.
const fullBinary = "grader-full"

// leanFamilies are the kinds every build links: those of the exercises
// whose whole check is start-up, the git kinds. Every other kind needs the
// Docker engine, a database or a server, whose client libraries alone would
// double the lean build's start.
func leanFamilies() []runner.Kinds {
	return []runner.Kinds{gitgrader.Kinds()}
}

// fullOnlyKinds names the kinds only grader-full links: the code, SQL,
// Redis, server, security, browser and DevOps families. A test keeps it
// equal to what the full build adds to [leanFamilies].
var fullOnlyKinds = []string{
	"compose.file", "compose.up",
	"docker.cache", "docker.dockerfile", "docker.image", "docker.run",
	"go.compiles", "go.test", "go.vet",
	"http.openapi", "http.requests", "http.starts",
	"kube.policy", "kube.schema",
	"metrics.rules", "metrics.scrape",
	"program.io",
	"python.compiles", "python.test",
	"redis.key", "redis.result", "redis.script",
	"sec.passwords", "sec.sqli", "sec.xss",
	"sql.concurrent", "sql.plan", "sql.query", "sql.rejects", "sql.result", "sql.run", "sql.schema",
	"workflow.lint", "workflow.run", "workflow.shape",
}

// leanKinds is what the lean build grades with: its own families, and the
// others by name only, so that it reads every exercise of a catalog.
func leanKinds() runner.Kinds {
	elsewhere := runner.Kinds{}
	for _, name := range fullOnlyKinds {
		elsewhere[name] = runner.Elsewhere(name)
	}
	return mustMerge(append(leanFamilies(), elsewhere))
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
