#!/usr/bin/env bash
# Times `mlci report` rendering a pull request's report (Markdown with Mermaid
# charts, job summary, JSON, HTML with SVG charts) beside the usual way of
# making one, matplotlib drawing the same charts as PNG images and a script
# writing the Markdown (bench/report/reference.py), from the same report.json,
# in the same run.
#
#   bench/report/run.sh                          # defaults
#   POINTS=100000 FILES=20000 RUNS=5 bench/report/run.sh
#
# Environment: MLCI (the binary; built when unset), POINTS (points per series,
# 2000), FILES (changed files listed, 1000), RUNS (timed runs after one
# warm-up, 5), PYTHON (an interpreter with matplotlib, /usr/bin/python3).
# Needs go, python3 and GNU time (/usr/bin/time) for memory.
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
POINTS=${POINTS:-2000}
FILES=${FILES:-1000}
RUNS=${RUNS:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/mlci-bench-report.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -z "${MLCI:-}" ]; then
	(cd "$root" && go build -o "$work/mlci" ./cmd/mlci)
	MLCI=$work/mlci
fi
python3 "$here/gen.py" "$POINTS" "$FILES" "$work/report.json"
echo "$(nproc) CPUs; report.json $(du -k "$work/report.json" | cut -f1) KB:" \
	"6 series of $POINTS points, $FILES changed files; median of $RUNS runs"

# median ms of a command over $RUNS runs after one warm-up
median_ms() {
	"$@" >/dev/null
	for _ in $(seq "$RUNS"); do
		start=$(date +%s%N)
		"$@" >/dev/null
		echo $(( ($(date +%s%N) - start) / 1000000 ))
	done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# peak resident memory in MB of one run
peak_mb() {
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'
}

row() {
	local what=$1
	shift
	printf '| %s | %s ms | %s MB |\n' "$what" "$(median_ms "$@")" "$(peak_mb "$@")"
}

echo "| what | time | peak memory |"
echo "| --- | ---: | ---: |"
row "mlci report --out (md, summary, json, html)" \
	"$MLCI" -C "$work" report --from "$work/report.json" --out "$work/out"
row "mlci report --format md --limit 65536" \
	"$MLCI" -C "$work" report --from "$work/report.json" --format md --limit 65536
row "mlci report --format html" \
	"$MLCI" -C "$work" report --from "$work/report.json" --format html
row "matplotlib PNGs + Markdown (reference.py)" \
	"$PYTHON" "$here/reference.py" "$work/report.json" "$work/reference"

echo
echo "output sizes: mlci report.md $(wc -c <"$work/out/report.md") B," \
	"report.html $(wc -c <"$work/out/report.html") B;" \
	"reference report.md $(wc -c <"$work/reference/report.md") B" \
	"+ PNGs $(cat "$work"/reference/*.png | wc -c) B"
