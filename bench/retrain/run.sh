#!/usr/bin/env bash
# Times `mlci retrain --check` (refresh, hash the data, profile it against the
# production version's data and compare, read the registry) on the example
# project with its customer table grown to ROWS rows (1,000,000 by default,
# about 40 MB), beside the floors of the same work: `md5sum` of the new table
# and a Python standard-library pass that hashes it and reads every column
# (bench/retrain/reference.py). The repository is made under a temporary
# directory and removed at the end.
#   MLCI=bin/mlci bash bench/retrain/run.sh
# Wall time, user+system CPU time and peak memory are printed, each the
# median of RUNS runs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
MLCI=${MLCI:-$repo/bin/mlci}
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/mlci-bench-retrain.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$MLCI" ] || { echo "no mlci binary at $MLCI (make build)" >&2; exit 2; }

# grow SRC ROWS OUT [SHIFT]: repeats the rows of SRC with new ids up to ROWS
# rows; SHIFT is added to monthly_charges (a price increase).
grow() {
	awk -F, -v OFS=, -v rows="$2" -v shift="${4:-0}" '
		NR == 1 { print; next }
		{ line[++n] = $0 }
		END {
			for (i = 1; i <= rows; i++) {
				split(line[(i - 1) % n + 1], f, ",")
				f[1] = i; f[3] = sprintf("%.2f", f[3] + shift)
				out = f[1]; for (j = 2; j <= 8; j++) out = out "," f[j]; print out
			}
		}' "$1" >"$3"
}

measure() {
	local label=$1 i
	shift
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>&1
		awk '{printf "%s %.3f %d\n", $1, $2 + $3, $4}' "$work/t"
	done >"$work/runs"
	local wall cpu mem mid=$(((RUNS + 1) / 2))
	wall=$(awk '{print $1}' "$work/runs" | sort -n | sed -n "${mid}p")
	cpu=$(awk '{print $2}' "$work/runs" | sort -n | sed -n "${mid}p")
	mem=$(awk '{print $3}' "$work/runs" | sort -n | sed -n "${mid}p")
	printf '%-36s wall %6.3f s   cpu %6.3f s   peak %5d MB\n' "$label" "$wall" "$cpu" \
		$((mem / 1024))
}

echo "machine: $(nproc) CPUs, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
cp -r "$repo/testdata/example" "$work/repo"
mkdir "$work/feed"
src=$repo/testdata/example/data/raw/customers.csv
grow "$src" "$ROWS" "$work/repo/data/raw/customers.csv"
grow "$src" "$ROWS" "$work/feed/customers.csv" 30
cat >>"$work/repo/mlci.yaml" <<'YAML'
triggers:
  data: {refresh: "cp ../feed/customers.csv data/raw/customers.csv"}
  drift: {threshold: 0.1}
  max_age: 30d
YAML
(
	cd "$work/repo"
	export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@e GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@e
	git init --quiet -b main
	git add -A
	git commit --quiet -m base
	git tag -a churn@v1.0.0 -m "Registering artifact churn version v1.0.0"
	git tag -a 'churn#production#1' -m "Assigning stage production"
)
echo "data: $(wc -l <"$work/feed/customers.csv") lines, $(du -h "$work/feed/customers.csv" | cut -f1)"

measure "md5sum (hashing floor)" md5sum "$work/feed/customers.csv"
measure "python3 reference.py (hash + read)" python3 "$here/reference.py" \
	"$work/feed/customers.csv"
measure "mlci retrain --check" "$MLCI" -C "$work/repo" retrain --check
"$MLCI" -C "$work/repo" retrain --check 2>/dev/null | tail -1
