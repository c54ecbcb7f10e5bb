#!/bin/bash
# Runs as root in a chroot of this image's rootfs, from a copy of this folder; the ENV
# lines of ./config are already set. The build script has already put the host's Go
# toolchain in /usr/local/go.
set -euo pipefail

# What the official image (buildpack-deps:bookworm-scm underneath) brings that a Go build
# uses: gcc and libc6-dev for cgo, git, ca-certificates, curl.
apt-get install -y --no-install-recommends gcc libc6-dev git ca-certificates curl
mkdir -p /go/bin /go/src
chmod -R 1777 /go

# The build cache, warm for what a small web service compiles (net/http, its tests), with
# cgo on (the default here) and off, plain and -trimpath: the official image starts cold,
# but builds here share two cores, and a cold net/http build costs a minute. A learner sees
# no difference but speed: the cache is keyed by everything that shapes the output.
cd warm
for cgo in 1 0; do
	CGO_ENABLED=$cgo go build -o /dev/null .
	CGO_ENABLED=$cgo go build -trimpath -ldflags='-s -w' -o /dev/null .
	CGO_ENABLED=$cgo go test -count=1 ./... >/dev/null
	CGO_ENABLED=$cgo go vet ./...
done
# Prove it is warm for the common build: nothing (next to nothing) is compiled again.
compiles=$(CGO_ENABLED=0 go build -x -o /dev/null . 2>&1 | grep -c '/compile ' || true)
if [ "$compiles" -gt 2 ]; then
	echo "error: the warm Go cache does not serve a rebuild ($compiles packages compiled)" >&2
	exit 1
fi
cd /
go clean -modcache >/dev/null 2>&1 || true
chmod -R a+rwX /root/.cache/go-build

# What the official image answers.
go version
go env GOPATH GOTOOLCHAIN CGO_ENABLED
