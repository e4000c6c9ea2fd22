"""The floor of a retraining check in Python's standard library: hash the
new data file (md5, as DVC does) and read every column of it once, keeping a
count, sum and sum of squares of the numbers and the counts of the strings.
It decides nothing; mlci also profiles the production data and compares.

    python3 bench/retrain/reference.py data.csv
"""
import collections
import csv
import hashlib
import sys


def main(path):
    md5 = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            md5.update(block)
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        sums = [[0, 0.0, 0.0] for _ in header]
        cats = [collections.Counter() for _ in header]
        for row in rows:
            for i, cell in enumerate(row):
                try:
                    x = float(cell)
                except ValueError:
                    cats[i][cell] += 1
                    continue
                s = sums[i]
                s[0] += 1
                s[1] += x
                s[2] += x * x
    print(md5.hexdigest(), len(header))


if __name__ == "__main__":
    main(sys.argv[1])
