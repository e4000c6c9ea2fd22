#!/usr/bin/env bash
# Times mlci push and mlci pull against a local versitygw beside the AWS
# CLI (aws s3 sync / aws s3 cp) on the same server in the same run: 1,000
# small files, then one big file. Everything lives under a temporary folder
# removed at the end.
#   MLCI=bin/mlci bash bench/remote/run.sh
# Sizes can be lowered for a quick look: FILES=200 BIG_MIB=128 RUNS=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
MLCI=${MLCI:-$repo/bin/mlci}
FILES=${FILES:-1000}
BIG_MIB=${BIG_MIB:-1024}
RUNS=${RUNS:-5}
ADDR=${ADDR:-127.0.0.1:7079}
work=$(mktemp -d /tmp/mlci-bench-remote.XXXXXX)
trap '"$repo/scripts/versitygw.sh" stop "$work/s3"; rm -rf "$work"' EXIT

[ -x "$MLCI" ] || { echo "no mlci binary at $MLCI (make build)" >&2; exit 2; }
if ! command -v aws >/dev/null; then
	echo "bench/remote: the AWS CLI is not installed (apt-get install awscli); skipped" >&2
	exit 0
fi

"$repo/scripts/versitygw.sh" start "$work/s3" "$ADDR"
# shellcheck disable=SC1091
source "$work/s3/env"
export AWS_DEFAULT_REGION=$AWS_REGION
aws_s3() { aws --endpoint-url "$AWS_ENDPOINT_URL" s3 "$@"; }

# seconds CMD...: runs CMD with its output discarded and prints its wall time.
seconds() {
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	end=$(date +%s.%N)
	echo "$end - $start" | bc -l
}
fmt() { printf '%.2f' "$1"; }

# project NAME: a repository whose one stage copies $work/NAME into data/,
# run once so that the local cache holds the files.
project() {
	local dir="$work/$1-repo"
	mkdir -p "$dir"
	printf 'stages:\n  copy:\n    cmd: cp -r %s data\n    outs:\n    - data\n' "$work/$1" \
		>"$dir/dvc.yaml"
	"$MLCI" -C "$dir" run >/dev/null 2>&1
	echo "$dir"
}

# median VALUES...: the median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# compare NAME: pushes and pulls $work/NAME with both tools, $RUNS times
# into fresh buckets, taking turns at going first (the page cache and the
# disk's write-back favour whoever runs second), and prints the medians.
compare() {
	local name=$1 dir i aws_push=() mlci_push=() aws_pull=() mlci_pull=()
	dir=$(project "$name")
	for i in $(seq "$RUNS"); do
		mkdir -p "$work/s3/data/mlci-$name-$i" "$work/s3/data/aws-$name-$i"
		printf 'remote:\n  url: s3://mlci-%s-%s/cache\npipeline: dvc.yaml\n' "$name" "$i" \
			>"$dir/mlci.yaml"
		if ((i % 2)); then
			aws_push+=("$(seconds aws_s3 sync "$work/$name" "s3://aws-$name-$i/files")")
			mlci_push+=("$(seconds "$MLCI" -C "$dir" push)")
		else
			mlci_push+=("$(seconds "$MLCI" -C "$dir" push)")
			aws_push+=("$(seconds aws_s3 sync "$work/$name" "s3://aws-$name-$i/files")")
		fi
	done
	for i in $(seq "$RUNS"); do
		printf 'remote:\n  url: s3://mlci-%s-%s/cache\npipeline: dvc.yaml\n' "$name" "$i" \
			>"$dir/mlci.yaml"
		rm -rf "$dir/.mlci/cache" "$dir/data" "$work/$name-aws-pulled"
		if ((i % 2)); then
			aws_pull+=("$(seconds aws_s3 sync "s3://aws-$name-$i/files" "$work/$name-aws-pulled")")
			mlci_pull+=("$(seconds "$MLCI" -C "$dir" pull)")
		else
			mlci_pull+=("$(seconds "$MLCI" -C "$dir" pull)")
			aws_pull+=("$(seconds aws_s3 sync "s3://aws-$name-$i/files" "$work/$name-aws-pulled")")
		fi
		diff -r "$work/$name" "$dir/data" >/dev/null || { echo "pulled files differ" >&2; exit 1; }
	done
	rm -rf "$work/$name-aws-pulled"
	report "$name push" "$(median "${aws_push[@]}")" "$(median "${mlci_push[@]}")"
	report "$name pull" "$(median "${aws_pull[@]}")" "$(median "${mlci_pull[@]}")"
}

# report WHAT AWS MLCI: one line of figures.
report() {
	echo "$1: aws s3 sync $(fmt "$2") s, mlci $(fmt "$3") s ($(fmt "$(echo "$2 / $3" | bc -l)")x)," \
		"median of $RUNS"
}

echo "machine: $(nproc) CPUs, $(uname -sr), $(aws --version 2>&1 | cut -d' ' -f1)," \
	"versitygw $("$(command -v versitygw || echo "$(go env GOPATH)/bin/versitygw")" \
	--version 2>/dev/null | awk '/Version/ {print $3}')"

mkdir -p "$work/small"
for i in $(seq "$FILES"); do
	printf 'row %d\n%s\n' "$i" "$(head -c 2048 /dev/urandom | base64 -w0)" >"$work/small/$i.txt"
done
compare small

mkdir -p "$work/big"
head -c $((BIG_MIB << 20)) /dev/urandom >"$work/big/model.bin"
compare big
