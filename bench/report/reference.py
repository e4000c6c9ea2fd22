"""The report of bench/report made the usual way, with matplotlib.

usage: reference.py REPORT.json OUTDIR
Reads the same report.json as mlci and writes what a CML-style workflow
publishes: each chart as a PNG drawn by matplotlib (Agg), the confusion
matrix as an image, and a Markdown comment with the metrics and gates
tables, the changed files and the images. Needs python3-matplotlib.
"""

import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def chart(plot, path):
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    if plot.get("confusion"):
        c = plot["confusion"]
        ax.imshow(c["counts"], cmap="Blues")
        ax.set_xticks(range(len(c["labels"])), c["labels"])
        ax.set_yticks(range(len(c["labels"])), c["labels"])
    elif plot.get("kind") == "bar":
        cats = plot["categories"]
        width = 0.8 / len(plot["series"])
        for i, s in enumerate(plot["series"]):
            ax.bar([j + i * width for j in range(len(cats))], s["y"], width, label=s["name"])
        ax.set_xticks(range(len(cats)), cats)
    else:
        for s in plot["series"]:
            ax.plot(s.get("x") or range(len(s["y"])), s["y"], label=s["name"])
    ax.set_title(plot["title"])
    ax.set_xlabel(plot.get("x_label", ""))
    ax.set_ylabel(plot.get("y_label", ""))
    if plot.get("series"):
        ax.legend()
    fig.savefig(path)
    plt.close(fig)


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(src) as f:
        report = json.load(f)

    lines = [f"### mlci · {report['verdict']['state']}", "", "| metric | baseline | candidate |",
             "|---|---:|---:|"]
    for m in report["models"][0]["metrics"]:
        lines.append(f"| `{m['key']}` | {m['base']:.4f} | {m['head']:.4f} |")
    lines += ["", "| gate | rule | result |", "|---|---|---|"]
    for g in report["gates"]:
        lines.append(f"| `{g['metric']}` | {g['rule']} | {'passed' if g['passed'] else 'failed'} |")
    lines += ["", "| path | status |", "|---|---|"]
    for f in report["changes"]["files"]:
        lines.append(f"| `{f['path']}` | {f['status']} |")
    for i, plot in enumerate(report["plots"]):
        name = f"plot-{i}.png"
        chart(plot, os.path.join(out, name))
        lines += ["", f"![{plot['title']}]({name})"]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
