#!/bin/bash
# Runs as root in a chroot of this image's rootfs, from a copy of this folder; the ENV
# lines of ./config are already set. The build script has already put the host's Go
# toolchain in /usr/local/go, ./cacheprog built as /usr/local/bin/go-cacheprog, and the
# pre-built cache (see ./warm) in /opt/go-cache.
set -euo pipefail

# gcc and libc6-dev: the race detector (go test -race) needs cgo.
apt-get install -y --no-install-recommends python3 git ca-certificates gcc libc6-dev

# Learners' web servers and their tests (issue 9), all from bookworm:
#   Python: Flask, FastAPI + uvicorn, psycopg 3 (import psycopg; Debian's is 3.1), requests,
#   pytest, redis; bcrypt and argon2-cffi for the security track's password hashing (issue
#   10). Node.js 18 with Express: Debian's nodejs finds Debian's node-* modules in
#   /usr/share/nodejs, so `require('express')` works with no node_modules and no npm.
apt-get install -y --no-install-recommends \
	python3-flask python3-fastapi python3-uvicorn python3-psycopg python3-requests \
	python3-pytest python3-redis python3-bcrypt python3-argon2 \
	nodejs node-express
groupadd -g 10001 grader
useradd -u 10001 -g grader -m -d /home/grader -s /bin/bash grader
chmod -R a+rX /opt/go-cache

# The cache was built on the host, with this image's settings; prove it fits this image:
# building the warm module must compile (next to) nothing. A mismatch would not break
# anything, it would silently make every sandbox compile the standard library again.
export GOCACHE=/tmp/go-cache-check
cd warm
compiles=$(go build -x ./... 2>&1 | grep -c '/compile ' || true)
cd ..
if [ "$compiles" -gt 3 ]; then
	echo "error: the pre-built Go cache does not match this image ($compiles packages compiled)" >&2
	exit 1
fi

# The race detector's builds of the standard library (cgo on, -race) are added to the
# seed here, in the image, not on the host: a cgo package's cache key includes the C
# compiler, and only this image's gcc will be there to match it. A suite that asks for
# the race detector then compiles only its own code.
race_cache=/tmp/go-cache-race
(cd warm && CGO_ENABLED=1 GOCACHE=$race_cache go test -race -count=1 ./...)
cp -r "$race_cache/prog/a/." /opt/go-cache/a/
cp -r "$race_cache/prog/o/." /opt/go-cache/o/
chmod -R a+rX /opt/go-cache
cd warm
compiles=$(CGO_ENABLED=1 GOCACHE=/tmp/go-cache-race-check go test -race -x -c -o /dev/null ./... 2>&1 | grep -c '/compile ' || true)
cd ..
if [ "$compiles" -gt 3 ]; then
	echo "error: the race detector's pre-built cache does not match this image ($compiles packages compiled)" >&2
	exit 1
fi
rm -rf "$GOCACHE" "$GOPATH" "$race_cache" /tmp/go-cache-race-check /root/.cache /root/.config
