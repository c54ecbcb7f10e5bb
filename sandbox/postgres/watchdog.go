package postgres

import (
	"strconv"
	"time"
)

// watchdogScript is the container's command: it starts the image's own
// entrypoint with the server's arguments in the background and stops the
// server (fast shutdown, then the container exits) once no TCP session has
// been open on port 5432 (hex 1538) for the idle limit. Every grader process
// holds a session while it uses the server, so "no session" means "no grader
// is using it". Idle time counts only once the real server listens on TCP
// (the entrypoint's first, initdb-time server does not), so a slow start is
// never cut short. That is how the warm server stops by itself after the learner
// stops checking, and how a container a crashed grader left behind goes away
// without `grader gc`. Plain bash reading /proc/net/tcp{,6}: no psql, no
// password, works with the official image and the local build alike.
//
// Arguments: $1 idle limit (s), $2 poll interval (s), then the entrypoint's.
const watchdogScript = `set -u
limit=$1 step=$2
shift 2
docker-entrypoint.sh "$@" &
pg=$!
trap 'kill -INT "$pg" 2>/dev/null' TERM INT
idle=0
while kill -0 "$pg" 2>/dev/null; do
	sleep "$step" & wait $! || true
	listening=0 busy=0
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r _ local _ st _; do
			if [[ $local == *:1538 ]]; then
				case $st in 0A) listening=1 ;; 01) busy=1 ;; esac
			fi
		done < "$f"
	done
	if [ "$listening" = 0 ] || [ "$busy" = 1 ]; then idle=0; else idle=$((idle + step)); fi
	if [ "$idle" -ge "$limit" ]; then
		echo "grader watchdog: no session for ${idle}s, stopping PostgreSQL" >&2
		kill -INT "$pg" 2>/dev/null
		break
	fi
done
wait "$pg"
`

// watchdogArgs returns the limit and poll interval arguments for idle: poll
// four times per limit, at least every second and at most every 15 s.
func watchdogArgs(idle time.Duration) (limit, step string) {
	secs := max(int(idle.Round(time.Second)/time.Second), 1)
	st := min(max(secs/4, 1), 15)
	return strconv.Itoa(secs), strconv.Itoa(st)
}
