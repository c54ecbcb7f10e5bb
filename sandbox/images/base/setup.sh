#!/bin/bash
# Runs as root in a chroot of this image's rootfs, from a copy of this folder; the ENV
# lines of ./config are already set. The build script has already put the host's Go
# toolchain in /usr/local/go, ./cacheprog built as /usr/local/bin/go-cacheprog, and the
# pre-built cache (see ./warm) in /opt/go-cache.
set -euo pipefail

apt-get install -y --no-install-recommends python3 git ca-certificates
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
rm -rf "$GOCACHE" "$GOPATH" /root/.cache /root/.config
