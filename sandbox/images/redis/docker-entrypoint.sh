#!/bin/sh
# Entrypoint of grader-local/redis. Without a config file, Debian's redis-server would
# keep protected mode on (refusing every client from another container) and snapshot to
# disk; a sandbox wants the opposite, like the official image: reachable on all
# addresses, nothing persisted. Later flags win, so `IMAGE --save 60 1` still works.
set -eu

# `docker run IMAGE --maxmemory 64mb` means flags for the server.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- redis-server "$@"
fi

# With a config file as first argument, that file is in charge.
conf=${2:-}
if [ "$1" = redis-server ] && [ "$conf" = "${conf%.conf}" ]; then
	shift
	set -- redis-server --bind '*' '-::*' --port 6379 --protected-mode no \
		--save '' --appendonly no --dir /tmp "$@"
fi

exec "$@"
