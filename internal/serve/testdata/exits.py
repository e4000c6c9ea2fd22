"""Fails to load its model and exits."""
import sys

print("service: loading models/model.json", flush=True)
print("service: error: models/model.json: unsupported format", file=sys.stderr, flush=True)
sys.exit(2)
