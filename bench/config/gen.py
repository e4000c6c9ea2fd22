"""Writes a large DVC pipeline for bench/config/run.sh.

usage: gen.py DIR [CHAIN ITEMS ROWS COLS]

A chain of CHAIN written stages, a foreach over ITEMS entries of params.yaml
and a ROWS x COLS matrix, every stage using ${...}; plus an mlci.yaml with a
model and its gates. The same shape as BenchmarkLoadLarge.
"""
import os
import sys

root = sys.argv[1]
chain, items, rows, cols = (int(a) for a in (sys.argv[2:] or [1000, 1000, 20, 50]))
os.makedirs(root, exist_ok=True)

with open(os.path.join(root, "params.yaml"), "w") as f:
    f.write("train:\n  lr: 0.1\n  epochs: 10\nshards:\n")
    for i in range(items):
        f.write("  s%04d: {size: %d, seed: %d}\n" % (i, i * 10, i))

with open(os.path.join(root, "dvc.yaml"), "w") as f:
    f.write("stages:\n")
    for i in range(chain):
        f.write("  step%04d:\n    cmd: python step.py %d --lr ${train.lr}\n" % (i, i))
        if i > 0:
            f.write("    deps: [out/step%04d.csv, src/step.py]\n" % (i - 1))
        f.write("    params: [train.epochs]\n    outs: [out/step%04d.csv]\n" % i)
    f.write("  shard:\n    foreach: ${shards}\n    do:\n"
            "      cmd: python shard.py ${key} --size ${item.size} --seed ${item.seed}\n"
            "      deps: [out/step0000.csv]\n      outs:\n        - shards/${key}.parquet\n")
    f.write("  grid:\n    matrix:\n      a: [%s]\n      b: [%s]\n" % (
        ", ".join("a%d" % i for i in range(rows)), ", ".join("b%d" % i for i in range(cols))))
    f.write("    cmd: python grid.py ${item.a} ${item.b}\n    outs:\n"
            "      - grid/${item.a}-${item.b}.json:\n          cache: false\n")

with open(os.path.join(root, "mlci.yaml"), "w") as f:
    f.write("""models:
  m:
    path: out/step0999.csv
    metrics: eval/metrics.json
    gates:
      - {metric: accuracy, min: 0.8, max_drop: 0.01}
      - {metric: loss, max_rise: 0.02}
""")
