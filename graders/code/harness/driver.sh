#!/bin/bash
# grader's driver for Go exercises, run inside the sandbox from the work dir:
#   bash driver.sh NONCE PROGRAM RACE    (PROGRAM 1: also build the main package)
# It vets and builds the learner's package, says how that went in the first
# line of stdout (written before any learner code runs, so nothing the
# learner's code does later can rewrite it), then runs the harness, which
# reads the cases on stdin.
set -u
nonce=$1 program=$2 race=$3
t=/tmp/grader
mkdir -p "$t"
# The race detector needs cgo, so a C compiler; only the race builds turn cgo
# on (vet keeps the image's cgo-off cache).
build=(env)
if [ "$race" = 1 ]; then
	if command -v "$(go env CC 2>/dev/null)" >/dev/null 2>&1; then
		build=(env CGO_ENABLED=1)
		raceflag=-race
	else
		race=unavailable
	fi
fi
# vet and build in parallel: the sandbox gives Go runs two CPUs.
go vet . >"$t/vet.txt" 2>&1 </dev/null &
vetpid=$!
"${build[@]}" go test -c -vet=off ${raceflag:-} -o "$t/harness.test" . >"$t/build.txt" 2>&1 </dev/null
status=$?
wait "$vetpid"
vet=$?
if [ "$status" = 0 ] && [ "$program" = 1 ]; then
	"${build[@]}" go build ${raceflag:-} -o "$t/program" . >>"$t/build.txt" 2>&1 </dev/null
	status=$?
fi
printf 'GRADER-PRE %s {"vet":%d,"build":%d,"race":"%s","vet_out":"%s","build_out":"%s"}\n' \
	"$nonce" "$vet" "$status" "$race" \
	"$(head -c 65536 "$t/vet.txt" | base64 -w0)" "$(head -c 65536 "$t/build.txt" | base64 -w0)"
if [ "$status" != 0 ]; then
	exit 0
fi
exec "$t/harness.test"
