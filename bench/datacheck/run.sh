#!/usr/bin/env bash
# Times `mlci data` beside pandas + SciPy on the same data, in the same run:
# profile a 1,000,000-row × 20-column CSV as the baseline, then profile a
# new CSV and compare it with the baseline. Prints wall time and peak RSS of
# each step, the sizes of the stored baselines, and how far mlci's
# sketch-based statistics are from SciPy's exact ones.
#
# usage: bench/datacheck/run.sh [ROWS]     (from the repository root)
# needs: go, /usr/bin/time (apt-get install time), /usr/bin/python3 with
#        python3-pandas and python3-scipy.
set -euo pipefail

rows=${1:-1000000}
py=/usr/bin/python3
work=${TMPDIR:-/tmp}/mlci-bench-datacheck
mkdir -p "$work"
here=$(cd "$(dirname "$0")" && pwd)

if [[ ! -s $work/base-$rows.csv || ! -s $work/head-$rows.csv ]]; then
	echo "generating $rows-row CSVs under $work ..." >&2
	$py "$here/gen.py" "$rows" 1 0 "$work/base-$rows.csv"
	$py "$here/gen.py" "$rows" 2 0.3 "$work/head-$rows.csv"
fi
# The binary: $MLCI if set, else cmd/mlci built now; while cmd/mlci does not
# build (a package under way elsewhere), a driver that calls the same
# datacheck functions as `mlci data profile` and `mlci data compare`.
mlci=${MLCI:-$work/mlci}
if [[ -z ${MLCI:-} ]] && ! go build -o "$mlci" ./cmd/mlci 2>"$work/build.txt"; then
	echo "cmd/mlci does not build ($(head -1 "$work/build.txt")); using bench/datacheck/driver" >&2
	go build -o "$mlci" ./bench/datacheck/driver
fi

# timed LABEL OUT CMD...: runs CMD under /usr/bin/time -v, its output into
# OUT, and prints a table row.
timed() {
	local label=$1 out=$2
	shift 2
	/usr/bin/time -v -o "$work/time.txt" "$@" >"$out"
	local wall cpu rss
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
	cpu=$(awk -F': ' '/(User|System) time/ {s += $2} END {printf "%.1f s", s}' "$work/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time.txt")
	printf '| %-44s | %10s | %8s | %8s MB |\n' "$label" "$wall" "$cpu" "$rss"
}

base=$work/base-$rows.csv
head=$work/head-$rows.csv
echo "rows: $rows, columns: 20, CSV: $(du -h "$base" | cut -f1) each, CPUs: $(nproc)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine" \
	"slows the wall times; CPU is user + system time)"
echo
echo "| step                                         | wall       | CPU      | peak RSS    |"
echo "|----------------------------------------------|------------|----------|-------------|"
timed "mlci data profile base.csv -o base.json" /dev/null \
	"$mlci" data profile "$base" -o "$work/base.json"
timed "mlci data compare base.json head.csv" "$work/mlci.json" \
	"$mlci" data compare "$work/base.json" "$head" --id id --format json
timed "pandas: read_csv + profile + pickle baseline" /dev/null \
	$py "$here/pandas_scipy.py" profile "$base" "$work/base.pkl"
timed "pandas + SciPy: read_csv + profile + drift" /dev/null \
	$py "$here/pandas_scipy.py" compare "$work/base.pkl" "$head" "$work/scipy.json"
echo
echo "stored baseline: mlci profile $(du -h "$work/base.json" | cut -f1)," \
	"pandas pickle $(du -h "$work/base.pkl" | cut -f1)"

# How far the sketch-based statistics are from the exact ones.
$py - "$work/mlci.json" "$work/scipy.json" <<'PY'
import json, sys
mlci = {c["column"]: c for c in json.load(open(sys.argv[1]))["columns"]}
exact = json.load(open(sys.argv[2]))
worst = max(exact, key=lambda c: abs(mlci[c]["statistic"] - exact[c]))
diff = abs(mlci[worst]["statistic"] - exact[worst])
same = all(mlci[c]["drifted"] == (exact[c] >= mlci[c]["threshold"]) for c in exact)
print(f"largest |mlci - SciPy| over {len(exact)} columns: {diff:.2e} ({worst}:"
      f" {mlci[worst]['statistic']:.6f} vs {exact[worst]:.6f});"
      f" same drift verdicts: {same}")
PY
