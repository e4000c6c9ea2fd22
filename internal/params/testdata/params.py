"""Training parameters, as a Python module."""
import os
from dataclasses import dataclass, field

SEED = 42
LR = 1e-3
EPOCHS: int = 20
MOMENTUM = .9
DECAY = -0.01  # read by mlci; DVC skips signed numbers
BIG = 1_000_000
MASK = 0x1F
NAME = 'churn'
PATH = r"data\raw"
MESSAGE = "tab\there, quote \" and \u00e9"
JOINED = ("a"
          "b")
DOC = """several
lines"""
FLAG = True
NOTHING = None
LAYERS = [64, 32,
          16]
SHAPE = (28, 28)
PAIR = 1, 2
COLORS = {"red"}
WEIGHTS = {"a": 0.5, 'b': 1, 3: "three"}
EMPTY = {}
NESTED = [[1, 2], [3]]  # a nested container: not a param, as in DVC
CALL = os.getenv("HOME")  # not a literal
A = B = 5  # two targets: not a param
FSTR = f"{NAME}-v1"
DATA = b"bytes"
X, Y = 1, 2
COUNT += 1
ONE = (1)
x = 1; y = "two"
BACKSLASH = 1 + \
    2


def helper():
    HIDDEN = 3
    return HIDDEN


if os.environ.get("FAST"):
    EPOCHS = 1
else: OTHER = 2


@dataclass
class Train:
    """The training stage's params."""

    batch_size: int = 32
    optimizer: str = "adam"
    betas = (0.9, 0.999)
    tags: list = field(default_factory=list)

    class Schedule:
        warmup = 100

    def __init__(self, dropout=0.5):
        self.dropout = 0.2
        self.units: int = 128
        other = 7
        self.computed = dropout * 2

    def describe(self):
        self.ignored = 1
        return "train"


class Empty:
    pass
