#!/usr/bin/env bash
# Times `mlci registry` on a repository of TAGS registry tags (2,000 by
# default: 20 models × 100 tags, half registrations, half stage assignments),
# beside `git for-each-ref` alone (the floor: the one git pass mlci makes) and
# `gto show` when GTO is installed. The repository is generated under a
# temporary directory with one `git fast-import` and removed at the end.
#   MLCI=bin/mlci bash bench/registry/run.sh
# Wall time and user+system CPU time are printed, each the median of RUNS runs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
MLCI=${MLCI:-$repo/bin/mlci}
MODELS=${MODELS:-20}
PER_MODEL=${PER_MODEL:-100}
RUNS=${RUNS:-11}
work=$(mktemp -d /tmp/mlci-bench-registry.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$MLCI" ] || { echo "no mlci binary at $MLCI (make build)" >&2; exit 2; }

# stream writes the fast-import stream: 50 commits, then the tags, each a
# GTO subject line plus a verdict, as mlci writes them.
stream() {
	local i m t c stage tag msg
	local stages=(dev staging production)
	for ((i = 1; i <= 50; i++)); do
		msg="commit $i"
		printf 'commit refs/heads/main\nmark :%d\ncommitter T <t@e> %d +0000\ndata %d\n%s\n\n' \
			"$i" $((1700000000 + i)) ${#msg} "$msg"
	done
	for ((m = 0; m < MODELS; m++)); do
		c=0
		for ((t = 0; t < PER_MODEL; t++)); do
			if ((t % 2 == 0)); then
				tag=$(printf 'model-%02d@v0.%d.0' "$m" $((t / 2 + 1)))
				msg=$(printf 'Registering artifact model-%02d version v0.%d.0\n\n%s' \
					"$m" $((t / 2 + 1)) 'verdict: passed (4 of 4 gates)')
			else
				c=$((c + 1))
				stage=${stages[$((c % 3))]}
				tag=$(printf 'model-%02d#%s#%d' "$m" "$stage" "$c")
				msg="Assigning stage $stage"
			fi
			printf 'tag %s\nfrom :%d\ntagger T <t@e> %d +0000\ndata %d\n%s\n' "$tag" \
				$(((t / 2) % 50 + 1)) $((1700001000 + m * PER_MODEL + t)) ${#msg} "$msg"
		done
	done
}

# measure LABEL CMD...: runs CMD RUNS times and prints the median wall and
# CPU (user + system) seconds.
measure() {
	local label=$1 i
	shift
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >/dev/null 2>&1
		awk '{printf "%s %.3f\n", $1, $2 + $3}' "$work/t"
	done | sort -n >"$work/wall"
	local wall cpu
	wall=$(awk '{print $1}' "$work/wall" | sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)')
	cpu=$(awk '{print $2}' "$work/wall" | sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2)')
	printf '%-40s wall %6.3f s   cpu %6.3f s\n' "$label" "$wall" "$cpu"
}

echo "machine: $(nproc) CPUs, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
git init --quiet "$work/repo"
stream | git -C "$work/repo" fast-import --quiet
tags=$(git -C "$work/repo" tag --list | wc -l)
echo "repository: $tags tags, $MODELS models"

format='%(refname)%00%(objectname)%00%(*objectname)%00%(objecttype)%00'
format+='%(creatordate:unix)%00%(contents)%00'
measure "git for-each-ref (the one pass)" git -C "$work/repo" for-each-ref --format="$format" \
	refs/tags
measure "mlci registry" "$MLCI" -C "$work/repo" registry
measure "mlci registry --format json" "$MLCI" -C "$work/repo" registry --format json
if command -v gto >/dev/null 2>&1; then
	measure "gto show" gto show -r "$work/repo"
else
	echo "gto show: not measured, GTO is not installed (pip install gto)"
fi
