#!/usr/bin/env bash
# Times loading a large pipeline — 1,000 written stages, a foreach of 1,000
# items and a 20×50 matrix, ${...} in every stage — with
# `mlci config --format json`, beside a Python script that does the least a
# Python tool must (PyYAML's C loader, foreach/matrix/${...} expansion, no
# checks), in the same run, with hyperfine.
#
#   MLCI=bin/mlci bash bench/config/run.sh
#
# Environment: MLCI (the binary; built when unset), PYTHON (/usr/bin/python3),
# SIZES ("CHAIN ITEMS ROWS COLS", "1000 1000 20 50"), RUNS (20).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
SIZES=${SIZES:-1000 1000 20 50}
RUNS=${RUNS:-20}
work=$(mktemp -d /tmp/mlci-bench-config.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ -z "${MLCI:-}" ]; then
	(cd "$root" && go build -o "$work/mlci" ./cmd/mlci)
	MLCI=$work/mlci
fi
command -v hyperfine >/dev/null || { echo "hyperfine is needed" >&2; exit 2; }

# shellcheck disable=SC2086
"$PYTHON" "$here/gen.py" "$work/repo" $SIZES

# Both must see the same stages before their times mean anything.
"$MLCI" -C "$work/repo" config --format json >"$work/mlci.json"
"$PYTHON" "$here/reference.py" "$work/repo" >"$work/ref.json"
"$PYTHON" - "$work/mlci.json" "$work/ref.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
na = [(s["Name"], s["Cmd"]) for s in a["Stages"]]
nb = [(s["Name"], s["Cmd"]) for s in b["Stages"]]
assert na == nb, "the two disagree on the stages"
print("stages: %d, the same names and commands in both" % len(na))
PY

echo "machine: $(nproc) CPUs, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --warmup 3 --runs "$RUNS" --style basic --export-markdown "$work/times.md" \
	-n mlci "$MLCI -C $work/repo config --format json" \
	-n python-reference "$PYTHON $here/reference.py $work/repo"
cat "$work/times.md"
/usr/bin/time -f "mlci peak RSS: %M KiB" "$MLCI" -C "$work/repo" config --format json >/dev/null
/usr/bin/time -f "python-reference peak RSS: %M KiB" "$PYTHON" "$here/reference.py" "$work/repo" >/dev/null
