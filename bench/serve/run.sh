#!/usr/bin/env bash
# Times the serving check's load generator beside ApacheBench (ab) on the
# same service in the same run: the example project's churn server
# (python3 src/serve.py), N requests at concurrency C, alternating the two
# tools for R rounds so that a busy machine weighs on both alike. mlci's
# figures are those `mlci serve-check --format json` reports; ab's are its
# own percentiles and requests per second. Also gives mlci's wall time, CPU
# and peak memory for the whole check (start, 743 answers compared, load, stop).
#
#   MLCI=bin/mlci bash bench/serve/run.sh     (make bench runs it)
#
# Environment: MLCI (the binary; built when unset), N (requests, 2000),
# C (concurrency, 4), R (rounds, 3). Needs ab (Debian: apache2-utils); without
# it only mlci's side is timed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${N:-2000}
C=${C:-4}
R=${R:-3}
work=$(mktemp -d)
server=""
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${MLCI:-}" ]; then
	(cd "$root" && go build -o "$work/mlci" ./cmd/mlci)
	MLCI=$work/mlci
fi
repo=$work/repo
cp -r "$root/testdata/example" "$repo"
export PYTHONDONTWRITEBYTECODE=1

# One row of the test set as ab's request body.
body=$work/body.json
python3 - "$repo/data/prepared/test.csv" >"$body" <<'PY'
import csv, json, sys
row = next(csv.DictReader(open(sys.argv[1])))
print(json.dumps({k: row[k] for k in ("tenure_months", "monthly_charges", "support_calls",
                                      "age", "plan", "region")}))
PY

mlci_round() {
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$MLCI" -C "$repo" serve-check churn \
		--requests "$N" --concurrency "$C" --format json --out "" --junit "" \
		>"$work/result.json" 2>"$work/stderr" || {
		code=$?
		[ "$code" -eq 1 ] || { cat "$work/stderr"; exit "$code"; }
	}
	read -r wall user sys rss <"$work/time"
	python3 - "$work/result.json" "$wall" "$user" "$sys" "$rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["candidate"]
wall, user, sys_, rss = sys.argv[2:]
print("%-6s %10.2f %10.2f %10.1f %8d   whole check: %ss wall, %.2fs cpu, %.1f MB max RSS"
      % ("mlci", r["latency_p50_ms"], r["latency_p99_ms"], r["rps"], r["errors"],
         wall, float(user) + float(sys_), int(rss) / 1024))
PY
}

ab_round() {
	ab -q -n "$N" -c "$C" -p "$body" -T application/json -e "$work/ab.csv" \
		"http://127.0.0.1:$port/predict" >"$work/ab.txt" 2>&1 || { cat "$work/ab.txt"; exit 3; }
	python3 - "$work/ab.txt" "$work/ab.csv" <<'PY'
import csv, re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests per second:\s+([\d.]+)", text).group(1))
failed = int(re.search(r"Failed requests:\s+(\d+)", text).group(1))
pct = {int(float(r[0])): float(r[1]) for r in list(csv.reader(open(sys.argv[2])))[1:]}
print("%-6s %10.2f %10.2f %10.1f %8d" % ("ab", pct[50], pct[99], rps, failed))
PY
}

if command -v ab >/dev/null; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	(cd "$repo" && exec python3 src/serve.py --model models/model.json --port "$port") \
		>"$work/server.log" 2>&1 &
	server=$!
	for _ in $(seq 100); do
		python3 -c 'import urllib.request, sys; urllib.request.urlopen(sys.argv[1])' \
			"http://127.0.0.1:$port/health" 2>/dev/null && break
		sleep 0.1
	done
fi

echo "serving load: example churn server, $N requests at concurrency $C, $R rounds, $(nproc) CPUs"
printf '%-6s %10s %10s %10s %8s\n' tool p50_ms p99_ms rps errors
for _ in $(seq "$R"); do
	mlci_round
	[ -z "$server" ] || ab_round
done
