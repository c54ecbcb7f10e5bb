package workflow

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// driverHead is the start of the driver: the bash program that plays
// GitHub's runner inside one sandbox. It runs each variant's steps in
// order, each in a fresh bash with the step's environment, its output in a
// log file of its own (never on the driver's stdout, which carries the
// report), and reports each step's outcome and the tail of its log on
// stdout, marked with the run's nonce.
const driverHead = `#!/bin/bash
# The grader's stand-in for a GitHub Actions runner (generated).
set -u
N="$1"
chmod -R a-w ` + srcDir + ` ` + ctlDir + ` 2>/dev/null
report() { printf 'GRADER-%s %s %s\n' "$1" "$N" "$2"; }
# load_env exports what steps wrote to $GITHUB_ENV: NAME=value lines and
# NAME<<DELIMITER blocks.
load_env() {
	local line name delim value next
	[ -f "$1" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line == *"<<"* && ${line%%<<*} != *"="* ]]; then
			name=${line%%<<*}; delim=${line#*<<}; value=; next=
			while IFS= read -r line; do
				[ "$line" = "$delim" ] && break
				value+="$next$line"; next=$'\n'
			done
			export "$name=$value"
		elif [[ $line == *=* ]]; then
			export "${line%%=*}=${line#*=}"
		fi
	done < "$1"
}
# load_path puts what steps wrote to $GITHUB_PATH first on PATH, the
# latest first.
load_path() {
	local line
	[ -f "$1" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		[ -n "$line" ] && PATH="$line:$PATH"
	done < "$1"
	export PATH
}
# step V K RUN_IF_OK RUN_IF_FAILED CONTINUE_ON_ERROR WORKDIR SHELL...
step() {
	local v=$1 k=$2 ok=$3 failed=$4 coe=$5 wd=$6
	shift 6
	local want=$ok
	[ "$status" = success ] || want=$failed
	if [ "$skipjob" = 1 ] || [ "$want" != 1 ]; then
		report STEP "$v $k skipped 0"
		return
	fi
	local root=` + varRoot + `/v$v
	(
		. ` + ctlDir + `/v$v/s$k.env
		load_env "$GITHUB_ENV"
		load_path "$GITHUB_PATH"
		cd "$GITHUB_WORKSPACE" || exit 1
		if [ -n "$wd" ]; then
			cd -- "$wd" || { echo "working-directory: $wd does not exist in the workspace" >&2; exit 1; }
		fi
		exec "$@"
	) > "$root/logs/$k.log" 2>&1 < /dev/null
	local rc=$?
	local outcome=success
	if [ $rc -ne 0 ]; then
		outcome=failure
		[ "$coe" = 1 ] || status=failure
	fi
	report STEP "$v $k $outcome $rc"
	report LOG "$v $k $(tail -c 2000 "$root/logs/$k.log" | base64 -w0)"
}
# variant V starts a run of a job in a fresh workspace, home and temp.
variant() {
	status=success
	skipjob=0
	local root=` + varRoot + `/v$1
	mkdir -p "$root/workspace" "$root/home" "$root/temp" "$root/tools" "$root/files" "$root/logs"
	touch "$root/files/env" "$root/files/path" "$root/files/output" "$root/files/summary" "$root/files/state"
	report VARIANT "$1"
}
# gate RUN_IF_OK RUN_IF_FAILED NEEDS...: whether the job runs, from the
# conclusions of the variants it needs and its if: either way. A job that
# does not run is skipped, and so are its steps.
declare -A concl
gate() {
	local ok=$1 failed=$2 d all=1
	shift 2
	for d in "$@"; do [ "${concl[$d]:-}" = success ] || all=0; done
	local want=$ok
	[ $all = 1 ] || want=$failed
	if [ "$want" != 1 ]; then skipjob=1; status=skipped; fi
}
`

// driver builds the driver and its files (paths relative to runDir) for
// the variants' plans.
func driver(plans []*jobPlan, variants []variant) (string, map[string][]byte) {
	var b strings.Builder
	b.WriteString(driverHead)
	files := map[string][]byte{}
	ctl := strings.TrimPrefix(ctlDir, runDir+"/")
	for v, p := range plans {
		fmt.Fprintf(&b, "\nvariant %d\n", v)
		if vr := variants[v]; vr.hasNeeds {
			fmt.Fprintf(&b, "gate %s %s", bit(vr.runIfOK), bit(vr.runIfFailed))
			for _, n := range vr.needs {
				fmt.Fprintf(&b, " %d", n)
			}
			b.WriteString("\n")
		}
		for k, sp := range p.steps {
			script := fmt.Sprintf("%s/v%d/s%d.sh", ctlDir, v, k)
			files[fmt.Sprintf("%s/v%d/s%d.sh", ctl, v, k)] = []byte(sp.script)
			var env strings.Builder
			for _, e := range sp.env {
				fmt.Fprintf(&env, "export %s=%s\n", e[0], shellQuote(e[1]))
			}
			files[fmt.Sprintf("%s/v%d/s%d.env", ctl, v, k)] = []byte(env.String())
			words := strings.Fields(sp.shell)
			for i, w := range words {
				words[i] = shellQuote(strings.ReplaceAll(w, "{0}", script))
			}
			fmt.Fprintf(&b, "step %d %d %s %s %s %s %s\n", v, k, bit(sp.runIfOK), bit(sp.runIfFailed), bit(sp.continueOnError), shellQuote(sp.workDir), strings.Join(words, " "))
		}
		fmt.Fprintf(&b, "concl[%d]=$status\nreport END \"%d $status\"\n", v, v)
		if pl := variants[v].plant; pl != nil {
			files[fmt.Sprintf("%s/v%d/plant.sh", ctl, v)] = []byte(plantScript(pl, fmt.Sprintf("%s/v%d/plant", ctlDir, v)))
			for i, f := range pl.sortedFiles() {
				files[fmt.Sprintf("%s/v%d/plant/files/%d", ctl, v, i)] = []byte(pl.Files[f])
			}
			for i, f := range pl.sortedAppends() {
				files[fmt.Sprintf("%s/v%d/plant/append/%d", ctl, v, i)] = []byte(pl.Append[f])
			}
		}
	}
	b.WriteString("report DONE all\n")
	files[ctl+"/driver.sh"] = []byte(b.String())
	return ctlDir + "/driver.sh", files
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// plantScript writes a plant's files into the checkout ($1) and appends
// its additions, each after a newline.
func plantScript(p *Plant, dir string) string {
	var b strings.Builder
	b.WriteString("set -e\n")
	for i, f := range p.sortedFiles() {
		fmt.Fprintf(&b, "mkdir -p \"$1\"/%s\ncp %s/files/%d \"$1\"/%s\n", shellQuote(pathDir(f)), dir, i, shellQuote(f))
	}
	for i, f := range p.sortedAppends() {
		fmt.Fprintf(&b, "mkdir -p \"$1\"/%s\nprintf '\\n' >> \"$1\"/%s\ncat %s/append/%d >> \"$1\"/%s\n", shellQuote(pathDir(f)), shellQuote(f), dir, i, shellQuote(f))
	}
	return b.String()
}

func pathDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}

func (p *Plant) sortedFiles() []string   { return sortedKeys(p.Files) }
func (p *Plant) sortedAppends() []string { return sortedKeys(p.Append) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// stepResult is what the driver reported of one step.
type stepResult struct {
	outcome string // success, failure, skipped
	exit    int
	tail    string
}

// variantResult is one variant's run: its steps' results (by step index)
// and the job's conclusion ("" when the run ended before the variant did).
type variantResult struct {
	started    bool
	steps      map[int]*stepResult
	conclusion string
}

// parseReport reads the driver's report lines for the run's nonce.
func parseReport(stdout []byte, nonce string, n int) []*variantResult {
	out := make([]*variantResult, n)
	for i := range out {
		out[i] = &variantResult{steps: map[int]*stepResult{}}
	}
	for line := range bytes.SplitSeq(stdout, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) < 3 || !strings.HasPrefix(f[0], "GRADER-") || f[1] != nonce {
			continue
		}
		v, err := strconv.Atoi(f[2])
		if err != nil || v < 0 || v >= n {
			continue
		}
		vr := out[v]
		switch f[0] {
		case "GRADER-VARIANT":
			vr.started = true
		case "GRADER-STEP":
			if len(f) < 6 {
				continue
			}
			k, err1 := strconv.Atoi(f[3])
			rc, err2 := strconv.Atoi(f[5])
			if err1 != nil || err2 != nil {
				continue
			}
			vr.steps[k] = &stepResult{outcome: f[4], exit: rc}
		case "GRADER-LOG":
			if len(f) < 4 {
				continue
			}
			k, err := strconv.Atoi(f[3])
			if err != nil || vr.steps[k] == nil {
				continue
			}
			if len(f) >= 5 {
				if b, err := base64.StdEncoding.DecodeString(f[4]); err == nil {
					vr.steps[k].tail = string(b)
				}
			}
		case "GRADER-END":
			if len(f) >= 4 {
				vr.conclusion = f[3]
			}
		}
	}
	return out
}
