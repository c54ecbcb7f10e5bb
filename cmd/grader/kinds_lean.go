//go:build lean

package main

import "github.com/backendroadmap/grader/runner"

// leanBuild: this build leaves some kinds to grader-full.
const leanBuild = true

// kinds lists every kind of check this binary can read; svc gives them what
// they need from outside the process, on first use. This build grades only
// [leanFamilies] itself (see [fullBinary]).
func kinds(svc *services) runner.Kinds { return leanKinds(svc) }
