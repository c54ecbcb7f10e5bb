#!/bin/bash
# Entrypoint of grader-local/postgres: the subset of the official postgres image's
# contract that graders rely on, written small enough to read in one sitting.
#
#   POSTGRES_PASSWORD       required at first start, unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER           superuser name (default postgres)
#   POSTGRES_DB             database created at first start (default $POSTGRES_USER)
#   POSTGRES_INITDB_ARGS    extra initdb flags (word-split)
#   POSTGRES_HOST_AUTH_METHOD  pg_hba method for TCP clients (default scram-sha-256)
#   PGDATA                  data folder (default /var/lib/postgresql/data)
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sh   run once, in name order, at first start
#   CMD `postgres -c key=value ...` (or just `-c key=value ...`): extra server settings
set -Eeuo pipefail
shopt -s nullglob

# `docker run IMAGE -c fsync=off` means flags for the server.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi
# Anything else (bash, psql, ...) runs as given.
if [ "$1" != postgres ]; then
	exec "$@"
fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
# /run/postgresql links here (see the Dockerfile), so the socket lives on the /tmp tmpfs.
sockdir=/tmp/postgresql

if [ "$(id -u)" = 0 ]; then
	# Started as root (--user 0): own the folders, then drop to postgres for good.
	mkdir -p "$PGDATA" "$sockdir"
	chown postgres:postgres "$PGDATA" "$sockdir"
	chmod 700 "$PGDATA"
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
mkdir -p "$sockdir"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	: "${POSTGRES_USER:=postgres}"
	: "${POSTGRES_DB:=$POSTGRES_USER}"
	: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
	export POSTGRES_USER POSTGRES_DB
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
		cat >&2 <<-'MSG'
			error: the database is not initialized and POSTGRES_PASSWORD is not set.
			       Set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to let anyone
			       who can reach the port connect without a password.
		MSG
		exit 1
	fi

	run_initdb() {
		# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is meant to be split, as upstream.
		initdb --username="$POSTGRES_USER" --encoding=UTF8 --locale=C.UTF-8 \
			--auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" ${POSTGRES_INITDB_ARGS:-} "$@"
	}
	# The password reaches initdb through a pipe, never a command line or a file (the pipe
	# lives only as long as the command that opens it, so it must be on this line).
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		run_initdb --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
	else
		run_initdb
	fi
	printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"
	printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"

	# A temporary server on the socket only, so no client can connect before init ends.
	# Its log goes to a file: "ready to accept connections" then appears exactly once on
	# stdout, from the real server, and log-based readiness checks are not fooled.
	initlog="$sockdir/init-server.log"
	if ! pg_ctl -D "$PGDATA" -w -t 60 -l "$initlog" \
		-o "$(printf '%q ' "${@:2}" -c listen_addresses= -p 5432)" start >/dev/null; then
		cat "$initlog" >&2
		exit 1
	fi

	psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
	if [ "$POSTGRES_DB" != postgres ]; then
		"${psql[@]}" --dbname postgres --quiet --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh)
				# Executable scripts run on their own; others are sourced, as upstream.
				if [ -x "$f" ]; then
					echo "docker-entrypoint: running $f" >&2
					"$f"
				else
					echo "docker-entrypoint: sourcing $f" >&2
					# shellcheck disable=SC1090
					. "$f"
				fi
				;;
			*.sql)
				echo "docker-entrypoint: running $f" >&2
				"${psql[@]}" --dbname "$POSTGRES_DB" -f "$f"
				;;
			*.sql.gz)
				echo "docker-entrypoint: running $f" >&2
				gzip -dc "$f" | "${psql[@]}" --dbname "$POSTGRES_DB"
				;;
			*) echo "docker-entrypoint: ignoring $f" >&2 ;;
		esac
	done

	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	echo "docker-entrypoint: init complete; starting PostgreSQL" >&2
fi

exec "$@"
