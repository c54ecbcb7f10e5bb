//go:build !lean

package main

import (
	"path/filepath"

	browsergrader "github.com/backendroadmap/grader/graders/browser"
	codegrader "github.com/backendroadmap/grader/graders/code"
	composegrader "github.com/backendroadmap/grader/graders/compose"
	dockergrader "github.com/backendroadmap/grader/graders/docker"
	"github.com/backendroadmap/grader/graders/httpcheck"
	kubegrader "github.com/backendroadmap/grader/graders/kube"
	metricsgrader "github.com/backendroadmap/grader/graders/metrics"
	redisgrader "github.com/backendroadmap/grader/graders/redis"
	"github.com/backendroadmap/grader/graders/security"
	sqlgrader "github.com/backendroadmap/grader/graders/sql"
	workflowgrader "github.com/backendroadmap/grader/graders/workflow"
	"github.com/backendroadmap/grader/runner"
)

// leanBuild: this build leaves some kinds to grader-full.
const leanBuild = false

// kinds lists every kind of check this binary can grade; svc gives them
// what they need from outside the process, on first use. This build links
// them all.
func kinds(svc *services) runner.Kinds {
	return mustMerge(append(leanFamilies(), fullFamilies(svc)...))
}

// fullFamilies are the kinds the lean build leaves to grader-full.
func fullFamilies(svc *services) []runner.Kinds {
	var sqlOpts []sqlgrader.Option
	if svc.cacheDir != nil {
		if dir, err := svc.cacheDir(); err == nil {
			sqlOpts = append(sqlOpts, sqlgrader.CacheDir(filepath.Join(dir, "sql-reference")))
		}
	}
	return []runner.Kinds{
		sqlgrader.Kinds(svc, sqlOpts...),
		redisgrader.Kinds(svc),
		codegrader.Kinds(svc),
		httpcheck.Kinds(svc),
		security.Kinds(svc),
		browsergrader.Kinds(svc),
		dockergrader.Kinds(svc),
		workflowgrader.Kinds(svc),
		kubegrader.Kinds(),
		metricsgrader.Kinds(svc),
		composegrader.Kinds(svc),
	}
}
