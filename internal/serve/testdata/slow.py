"""Answers right, after sleeping the seconds given as its argument."""
import sys

import service

service.run(delay=float(sys.argv[1]))
