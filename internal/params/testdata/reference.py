"""Reads params.py with Python's own parser, for the tests of package params.

It keeps what DVC keeps: literal assignments at the top of a module, in a
class body (under the class's name) and to self in __init__; a literal is a
number, string, True, False, None, or a dict, list, tuple or set of those.
Signed numbers are kept too, as mlci reads them. Prints JSON.
"""

import ast
import json
import sys


def scalar(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = scalar(node.operand)
        if isinstance(inner, bool) or not isinstance(inner, (int, float)):
            raise ValueError("not a number")
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)) \
            and not isinstance(node.value, complex) or \
            isinstance(node, ast.Constant) and node.value is None:
        return node.value
    raise ValueError("not a literal")


def literal(node):
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise ValueError("unpacking")
        return {key(scalar(k)): scalar(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [scalar(e) for e in node.elts]
    return scalar(node)


def key(k):
    return k if isinstance(k, str) else repr(k)


def name(target, self_only):
    if isinstance(target, ast.Name) and not self_only:
        return target.id
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
            and target.value.id == "self":
        return target.attr
    raise ValueError("not a param's name")


def body(statements, self_only=False):
    out = {}
    for st in statements:
        try:
            if isinstance(st, ast.Assign) and len(st.targets) == 1:
                out[name(st.targets[0], self_only)] = literal(st.value)
            elif isinstance(st, ast.AnnAssign) and st.value is not None:
                out[name(st.target, self_only)] = literal(st.value)
            elif isinstance(st, ast.ClassDef):
                out[st.name] = body(st.body)
            elif isinstance(st, ast.FunctionDef) and st.name == "__init__":
                out.update(body(st.body, self_only=True))
        except ValueError:
            continue
    return out


with open(sys.argv[1], encoding="utf-8") as f:
    tree = ast.parse(f.read())
json.dump(body(tree.body), sys.stdout, indent=2, sort_keys=True)
print()
