"""Ignores PORT and listens on the port given as its argument."""
import sys

import service

service.run(port=int(sys.argv[1]))
