#!/usr/bin/env bash
# Times mlci's hashing and `mlci status` beside md5sum in the same run.
# Inputs are generated under a temporary directory and removed at the end.
#   MLCI=bin/mlci bash bench/pipeline/run.sh
# Sizes can be lowered for a quick look: BIG_MIB=256 SMALL_FILES=10000.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
MLCI=${MLCI:-$repo/bin/mlci}
BIG_MIB=${BIG_MIB:-1024}
SMALL_FILES=${SMALL_FILES:-100000}
work=$(mktemp -d /tmp/mlci-bench-pipeline.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$MLCI" ] || { echo "no mlci binary at $MLCI (make build)" >&2; exit 2; }

# measure CMD...: runs CMD with its output discarded; sets $wall to its wall
# time and $cpu to its CPU time (user + system, children included).
measure() {
	local out
	out=$(/usr/bin/time -f '%e %U %S' "$@" 2>&1 >/dev/null | tail -1)
	wall=$(echo "$out" | awk '{print $1}')
	cpu=$(echo "$out" | awk '{printf "%.2f", $2 + $3}')
}
fmt() { printf '%.3f' "$1"; }

# repo_with_dep DIR DEP: a DVC-shaped repository whose one stage reads DEP.
repo_with_dep() {
	mkdir -p "$1"
	printf 'stages:\n  read:\n    cmd: "true"\n    deps:\n    - %s\n' "$2" >"$1/dvc.yaml"
}

echo "machine: $(nproc) CPUs, $(uname -sr), $(go version 2>/dev/null | cut -d' ' -f3)"

# 1. One big file, read from the page cache by both tools.
big="$work/big"
repo_with_dep "$big" big.bin
head -c $((BIG_MIB << 20)) /dev/urandom >"$big/big.bin"
cat "$big/big.bin" >/dev/null
measure md5sum "$big/big.bin"
t_md5sum=$wall c_md5sum=$cpu
rm -rf "$big/.mlci"
measure "$MLCI" -C "$big" status
t_mlci=$wall c_mlci=$cpu
echo "hash ${BIG_MIB} MiB file: md5sum $(fmt "$t_md5sum") s (cpu $c_md5sum s)," \
	"mlci $(fmt "$t_mlci") s (cpu $c_mlci s), mlci/md5sum throughput" \
	"$(fmt "$(echo "$t_md5sum / $t_mlci" | bc -l)")x"

# 2. A directory of many small files.
small="$work/small"
repo_with_dep "$small" data
mkdir -p "$small/data"
python3 - "$small/data" "$SMALL_FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 1000))
    if i < 1000:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.csv" % i), "w") as f:
        f.write("id,value\n%d,%d\n" % (i, i * 7))
PY
sleep 2.5 # let the files' times fall out of the stat cache's racy window
find "$small/data" -type f -print0 | xargs -0 cat >/dev/null
measure sh -c "cd '$small' && find data -type f -print0 | xargs -0 md5sum"
t_find=$wall c_find=$cpu
rm -rf "$small/.mlci"
measure "$MLCI" -C "$small" status
t_first=$wall c_first=$cpu
measure "$MLCI" -C "$small" status
t_second=$wall c_second=$cpu
echo "hash dir of $SMALL_FILES files: find|xargs md5sum $(fmt "$t_find") s (cpu $c_find s)," \
	"mlci first pass $(fmt "$t_first") s (cpu $c_first s)," \
	"second pass (stat cache) $(fmt "$t_second") s (cpu $c_second s)"

# 3. mlci status on the example project when everything is up to date.
ex="$work/example"
cp -r "$repo/testdata/example" "$ex"
rm -rf "$ex/.mlci" "$ex/dvc.lock"
"$MLCI" -C "$ex" run >/dev/null 2>&1
sleep 2.5
"$MLCI" -C "$ex" status >/dev/null 2>&1
# /usr/bin/time counts in hundredths of a second: too coarse here.
best= total=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	t0=$(date +%s%N)
	"$MLCI" -C "$ex" status >/dev/null 2>&1
	ns=$(($(date +%s%N) - t0))
	total=$((total + ns))
	if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
done
echo "mlci status, example up to date: best of 10 $((best / 1000000)) ms," \
	"mean $((total / 10000000)) ms"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "max RSS of mlci status on the ${BIG_MIB} MiB file:" \
	"$(rm -rf "$big/.mlci"; /usr/bin/time -f '%M KiB' "$MLCI" -C "$big" status 2>&1 >/dev/null |
		tail -1)"
