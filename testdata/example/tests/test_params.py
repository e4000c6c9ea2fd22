import os
import unittest

try:
    from . import helpers  # noqa: F401
except ImportError:
    import helpers  # noqa: F401

import params

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ParamsTest(unittest.TestCase):
    def test_scalars(self):
        got = params.loads(
            "# comment\n"
            "a:\n"
            "  i: 7\n"
            "  f: 0.25  # trailing\n"
            "  e: 1e-3\n"
            "  t: true\n"
            "  n: false\n"
            "  s: hello\n"
            "  q: \"a # b\"\n"
            "  y: yes\n"
            "\n"
            "b:\n"
            "    x: -2\n"
            "top: 3\n"
        )
        self.assertEqual(got, {
            "a": {"i": 7, "f": 0.25, "e": 0.001, "t": True, "n": False, "s": "hello", "q": "a # b",
                  "y": "yes"},
            "b": {"x": -2},
            "top": 3,
        })

    def test_unsupported_syntax_is_rejected(self):
        for text in ("a:\n  b:\n    c: 1\n", "a:\n  - 1\n", "a:\n  b: [1, 2]\n", "  a: 1\n"):
            with self.assertRaises(params.ParamsError, msg=text):
                params.loads(text)

    def test_project_params(self):
        p = params.load(os.path.join(ROOT, "params.yaml"))
        self.assertEqual(sorted(p), ["evaluate", "featurize", "prepare", "train"])
        self.assertIsInstance(p["train"]["epochs"], int)
        self.assertIsInstance(p["featurize"]["scale"], bool)


if __name__ == "__main__":
    unittest.main()
