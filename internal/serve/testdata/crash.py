"""Answers right, then dies after the number of answers given as its argument."""
import sys

import service

service.run(crash_after=int(sys.argv[1]))
