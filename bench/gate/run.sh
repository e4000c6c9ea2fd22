#!/usr/bin/env bash
# Times the paired bootstrap of model gates: `mlci validate` with a
# significance gate on 100,000 predictions (10,000 resamples), beside the
# same resampling written in Python with numpy and scikit-learn.
#
#   MLCI=bin/mlci bash bench/gate/run.sh     (make bench runs it)
#
# Environment: MLCI (the binary; built when unset), N (examples, 100000),
# PY_RESAMPLES (resamples for Python, 50 for ROC AUC and 200 for accuracy
# by default; its time is also given per resample and scaled to 10,000),
# PYTHON (an interpreter with scikit-learn, /usr/bin/python3).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${N:-100000}
PYTHON=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "${MLCI:-}" ]; then
	(cd "$root" && go build -o "$work/mlci" ./cmd/mlci)
	MLCI=$work/mlci
fi

repo=$work/repo
mkdir -p "$repo/eval"
git -C "$repo" init --quiet --initial-branch=main
git -C "$repo" config user.email bench@example.com
git -C "$repo" config user.name bench
python3 "$here/gen.py" "$N" "$work"

# A pipeline with one evaluate stage and a model with one gate per metric.
cat > "$repo/dvc.yaml" <<'YAML'
stages:
  evaluate:
    cmd: "true"
    metrics:
      - eval/metrics.json:
          cache: false
YAML
echo '{"accuracy": 0.8, "roc_auc": 0.85}' > "$repo/eval/metrics.json"
for metric in accuracy roc_auc; do
	cat > "$repo/$metric.yaml" <<YAML
pipeline: dvc.yaml
models:
  bench:
    path: eval/metrics.json
    metrics: eval/metrics.json
    predictions: eval/predictions.csv
    gates:
      - metric: $metric
        significance: 0.05
YAML
done
cp "$work/base.csv" "$repo/eval/predictions.csv"
git -C "$repo" add --all && git -C "$repo" commit --quiet -m baseline
git -C "$repo" checkout --quiet -b candidate
cp "$work/head.csv" "$repo/eval/predictions.csv"

echo "paired bootstrap, $N predictions, $(nproc) CPUs"
printf '%-10s %-28s %10s %10s %10s\n' metric tool wall_s cpu_s max_rss_mb
for metric in accuracy roc_auc; do
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$MLCI" -C "$repo" --config "$metric.yaml" \
		validate --resamples 10000 --verdict "" --junit "" >"$work/out" || {
		code=$?
		[ "$code" -eq 1 ] || { cat "$work/out"; exit "$code"; }
	}
	read -r wall user sys rss <"$work/time"
	printf '%-10s %-28s %10s %10.2f %10.1f\n' "$metric" "mlci validate (10000)" "$wall" \
		"$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)"

	if ! "$PYTHON" -c 'import sklearn, numpy' 2>/dev/null; then
		echo "$metric: $PYTHON has no scikit-learn; skipping the Python side"
		continue
	fi
	resamples=${PY_RESAMPLES:-}
	[ -n "$resamples" ] || { [ "$metric" = roc_auc ] && resamples=50 || resamples=200; }
	read -r took per lo hi < <("$PYTHON" "$here/reference.py" "$work/base.csv" "$work/head.csv" \
		"$metric" "$resamples")
	printf '%-10s %-28s %10s %10s %10s\n' "$metric" "python sklearn ($resamples)" "$took" - -
	printf '%-10s %-28s %10.1f %10s %10s\n' "$metric" "python sklearn (x10000, est.)" \
		"$(echo "$per * 10" | bc -l)" - -
	echo "           python 95% interval: $lo … $hi"
	grep -m1 -A3 "$metric" "$work/out" | sed 's/^/           mlci: /'
done
