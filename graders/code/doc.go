// Package code holds the check kinds of the programming track: the learner
// writes Python or Go, an exercise's hidden test cases judge it in the
// sandbox, and nothing the learner's code does can make a check pass.
//
// An exercise keeps its cases in a suite file of its own folder
// (tests/cases.yaml by default): how to run the code (language, image,
// limits, an optional probe that drives the learner's code) and, for each
// case, its inputs and what it must give. All checks of an exercise that name
// one suite share one sandbox run per attempt (a runner.Memo entry).
//
// Why a pass cannot be forged: the verdict is computed here, on the host, by
// comparing what the container returns against expected values that never
// enter the container. Into the sandbox go the learner's files (regular
// files only; a planted link arrives as nothing), a trusted harness and the
// cases' inputs; out come a results file, copied out through os.Root after
// the container is frozen, and the captured output. Each result is only a
// claim of what the learner's code returned: a forged line can claim a
// value, never a pass, and claiming the right value needs computing it. A
// case reported twice is failed. The harness runs each case in a child
// process of its own, so exiting at import, monkeypatching the test code or
// crashing fails that case only. What compiling found is the first line of
// stdout, written before any learner code runs, so the code cannot rewrite
// it. The reference solution is never copied into a sandbox.
//
// A run that a sandbox limit ended (time, memory, output, processes) fails
// the checks it touched, naming the limit; a sandbox that could not run at
// all (no Docker, an image missing) makes them errors, with the sandbox's
// hint: the attempt is then not gradable.
package code
