//go:build lean

package main

import "github.com/backendroadmap/grader/runner"

// leanBuild: this build leaves some kinds to grader-full.
const leanBuild = true

// kinds lists every kind of check this binary can read. This build grades
// only [leanFamilies] itself and hands the rest to grader-full (see
// [fullBinary]), so it needs nothing of svc.
func kinds(*services) runner.Kinds { return leanKinds() }
