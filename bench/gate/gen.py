"""Writes two models' predictions on one generated test set, for bench/gate.

usage: gen.py N DIR  ->  DIR/base.csv and DIR/head.csv (id,label,score,prediction,region)
Standard library only; seeded, so every run writes the same files.
"""

import math
import random
import sys


def write(path, labels, strength, seed):
    rng = random.Random(seed)
    regions = ("APAC", "EU", "US")
    with open(path, "w") as f:
        f.write("id,label,score,prediction,region\n")
        for i, y in enumerate(labels):
            z = strength * (2 * y - 1) + rng.gauss(0, 1)
            score = 1 / (1 + math.exp(-z))
            f.write(f"{i},{y},{score:.6f},{int(score >= 0.5)},{regions[i % 3]}\n")


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(1)
    labels = [rng.randrange(2) for _ in range(n)]
    write(f"{out}/base.csv", labels, 0.9, 2)
    write(f"{out}/head.csv", labels, 0.95, 3)


if __name__ == "__main__":
    main()
