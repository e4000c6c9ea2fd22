#!/usr/bin/env bash
# Times `mlci changes` beside plain `git diff --name-status` on the same two
# commits of a generated repository (100,000 files, 10,000 of them changed:
# modified, added, deleted, renamed, of every class), in the same run, and
# measures mlci's peak memory with and without a long unchanged history.
#
#   bench/changes/run.sh                      # defaults
#   FILES=20000 CHANGED=2000 RUNS=10 bench/changes/run.sh
#
# Uses hyperfine when installed (apt-get install hyperfine), else a loop
# timed with date +%s%N (NO_HYPERFINE=1 forces it). Needs go, git, python3,
# and GNU time (/usr/bin/time) for memory.
set -euo pipefail

FILES=${FILES:-100000}
CHANGED=${CHANGED:-10000}
HISTORY=${HISTORY:-5000}
RUNS=${RUNS:-20}

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench-changes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$root"

echo "building mlci and generating the repositories under $tmp …" >&2
go build -o "$tmp/mlci" ./cmd/mlci
read -r base head < <(go run ./bench/changes/gen -dir "$tmp/repo" \
	-files "$FILES" -changed "$CHANGED")
read -r dbase dhead < <(go run ./bench/changes/gen -dir "$tmp/deep" \
	-files "$FILES" -changed "$CHANGED" -history "$HISTORY")

git_diff="git -C $tmp/repo diff --name-status $base $head"
mlci_json="$tmp/mlci -C $tmp/repo changes --base $base --head $head --format json"
mlci_text="$tmp/mlci -C $tmp/repo changes --base $base --head $head"
echo "git: $(git --version), $(nproc) CPUs; $FILES files, $CHANGED changed" \
	"($(git -C "$tmp/repo" diff --name-status "$base" "$head" | wc -l) paths)"

# mean and min in ms of a command run $RUNS times after 3 warm-ups, timed
# with date +%s%N around each run
loop_time() {
	local t0 t1 ns total=0 best=
	for _ in 1 2 3; do $1 >/dev/null 2>&1; done
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		$1 >/dev/null 2>&1
		t1=$(date +%s%N)
		ns=$((t1 - t0))
		total=$((total + ns))
		if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
	done
	awk -v t="$total" -v n="$RUNS" -v b="$best" 'BEGIN { printf "%.1f %.1f\n", t / n / 1e6, b / 1e6 }'
}

echo
if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
	echo "| command | mean ms | min ms | CPU ms (user+sys) | overhead over git (mean / min / CPU) |"
	echo "|---|---:|---:|---:|---:|"
	hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$tmp/times.json" \
		"$git_diff" "$mlci_json" "$mlci_text" >&2
	python3 - "$tmp/times.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
names = ["git diff --name-status", "mlci changes --format json", "mlci changes (text)"]
g = r[0]
cpu = lambda x: x["user"] + x["system"]
pct = lambda a, b: f"{(a / b - 1) * 100:+.0f}%"
for name, x in zip(names, r):
    over = "" if x is g else " / ".join(
        [pct(x["mean"], g["mean"]), pct(x["min"], g["min"]), pct(cpu(x), cpu(g))])
    print(f"| {name} | {x['mean'] * 1000:.1f} | {x['min'] * 1000:.1f} | "
          f"{cpu(x) * 1000:.1f} | {over} |")
EOF
else
	echo "hyperfine not found; timing with a loop" >&2
	echo "| command | mean ms | min ms | overhead over git (mean / min) |"
	echo "|---|---:|---:|---:|"
	read -r gm gmin < <(loop_time "$git_diff")
	echo "| git diff --name-status | $gm | $gmin | |"
	for pair in "mlci changes --format json|$mlci_json" "mlci changes (text)|$mlci_text"; do
		read -r m mn < <(loop_time "${pair#*|}")
		over=$(awk -v a="$m" -v b="$gm" -v c="$mn" -v d="$gmin" \
			'BEGIN { printf "%+.0f%% / %+.0f%%", (a / b - 1) * 100, (c / d - 1) * 100 }')
		echo "| ${pair%%|*} | $m | $mn | $over |"
	done
fi

if [ -x /usr/bin/time ]; then
	rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
	echo
	echo "| peak memory (max RSS of mlci and its git children) | KiB |"
	echo "|---|---:|"
	echo "| mlci changes, 1 commit of history | $(rss $mlci_json) |"
	echo "| mlci changes, $HISTORY commits of unchanged history |" \
		"$(rss "$tmp/mlci" -C "$tmp/deep" changes --base "$dbase" --head "$dhead" --format json) |"
	echo "| git diff --name-status, 1 commit of history | $(rss $git_diff) |"
fi
