"""The least a Python tool does to read the pipeline bench/config/gen.py
writes: parse the YAML files with PyYAML's C loader, expand foreach and
matrix into named stages and substitute ${...} from params.yaml and the
item. No checks, no positions; it prints the stages' names and commands as
JSON, as `mlci config --format json` prints the configuration.

usage: reference.py DIR
"""
import itertools
import json
import os
import re
import sys

import yaml

EXPR = re.compile(r"(?<!\\)\$\{([^}]*)\}")
root = sys.argv[1]


def load(name):
    path = os.path.join(root, name)
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return yaml.load(f, Loader=yaml.CSafeLoader) or {}


def lookup(ctx, expr):
    v = ctx
    for part in expr.replace("[", ".").replace("]", "").split("."):
        v = v[int(part)] if isinstance(v, list) else v[part.strip()]
    return v


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def resolve(v, ctx):
    if isinstance(v, dict):
        return {resolve(k, ctx): resolve(x, ctx) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve(x, ctx) for x in v]
    if isinstance(v, str):
        m = EXPR.fullmatch(v)
        if m:
            return lookup(ctx, m.group(1))
        return EXPR.sub(lambda m: text(lookup(ctx, m.group(1))), v)
    return v


def expand(name, d, ctx):
    if "foreach" in d:
        data = resolve(d["foreach"], ctx)
        if isinstance(data, dict):
            for k, item in data.items():
                yield name + "@" + str(k), resolve(d["do"], dict(ctx, item=item, key=k))
        else:
            composite = any(isinstance(x, (dict, list)) for x in data)
            for i, item in enumerate(data):
                suffix = str(i) if composite else text(item)
                yield name + "@" + suffix, resolve(d["do"], dict(ctx, item=item))
    elif "matrix" in d:
        axes = resolve(d["matrix"], ctx)
        tmpl = {k: v for k, v in d.items() if k != "matrix"}
        for combo in itertools.product(*axes.values()):
            item = dict(zip(axes.keys(), combo))
            key = "-".join(text(v) for v in combo)
            yield name + "@" + key, resolve(tmpl, dict(ctx, item=item, key=key))
    else:
        yield name, resolve(d, ctx)


params = load("params.yaml")
dvc = load("dvc.yaml")
mlci = load("mlci.yaml")
stages = []
for name, d in dvc.get("stages", {}).items():
    for n, s in expand(name, d, params):
        cmd = s["cmd"] if isinstance(s["cmd"], list) else [s["cmd"]]
        stages.append({"Name": n, "Cmd": cmd, "Outs": s.get("outs", [])})
json.dump({"Stages": stages, "Models": mlci.get("models", {})}, sys.stdout, indent=2)
print()
