"""Minimal reader for params.yaml (Python's standard library has no YAML).

Supported subset, which params.yaml must stay within:

    # comment
    section:
      key: value        # trailing comment
      other: "a string"

* top-level keys are sections; each holds a map of scalars indented under it
  (any consistent indentation); a top-level key may also hold a scalar;
* scalars: integers, floats (incl. 1e-3), true/false (also True/TRUE...),
  null/~, and strings (plain, 'single' or "double" quoted); as in YAML 1.2,
  yes/no/on/off are strings, not booleans;
* blank lines and ``#`` comments are ignored.

Anything else (lists, deeper nesting, flow maps, multi-line strings) raises
ParamsError instead of being silently misread.
"""

import os
import re

DEFAULT_PATH = "params.yaml"

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$")
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)\s*:(.*)$")


class ParamsError(ValueError):
    pass


def _strip_comment(text):
    """Remove a trailing comment that is not inside quotes."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i]
    return text


def parse_scalar(text):
    s = text.strip()
    if s == "":
        return None
    if len(s) >= 2 and s[0] == s[-1] and s[0] in ("'", '"'):
        return s[1:-1]
    low = s.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low in ("null", "~"):
        return None
    if _INT.match(s):
        return int(s)
    if _FLOAT.match(s):
        return float(s)
    if s[0] in "[{&*!|>'\"" or s.startswith("- "):
        raise ParamsError("unsupported YAML value: %r" % s)
    return s


def loads(text):
    """Parse params text into {section: {key: value}}."""
    result = {}
    section = None
    indent = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise ParamsError("line %d: tabs are not allowed for indentation" % lineno)
        line = _strip_comment(raw).rstrip()
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip(" "))
        m = _KEY.match(line.strip())
        if not m:
            raise ParamsError("line %d: expected 'key: value', got %r" % (lineno, raw))
        key, rest = m.group(1), m.group(2).strip()
        if depth == 0:
            if key in result:
                raise ParamsError("line %d: duplicate section %r" % (lineno, key))
            if rest == "":
                result[key] = {}
                section = key
                indent = None
            else:
                result[key] = parse_scalar(rest)
                section = None
            continue
        if section is None:
            raise ParamsError("line %d: indented key outside a section" % lineno)
        if indent is None:
            indent = depth
        if depth != indent:
            raise ParamsError("line %d: nesting deeper than two levels is not supported" % lineno)
        if rest == "":
            raise ParamsError("line %d: key %r has no value" % (lineno, key))
        if key in result[section]:
            raise ParamsError("line %d: duplicate key %s.%s" % (lineno, section, key))
        result[section][key] = parse_scalar(rest)
    return result


def load(path=DEFAULT_PATH):
    with open(path) as f:
        return loads(f.read())


def section(name, path=DEFAULT_PATH):
    """Return one section of params.yaml as a dict."""
    params = load(path)
    if name not in params or not isinstance(params[name], dict):
        raise ParamsError("%s: missing section %r" % (os.path.abspath(path), name))
    return params[name]


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(load(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH),
                     indent=2, sort_keys=True))
