"""Listens, but its /health answers 503 for an hour."""
import service

service.run(ready_after=3600)
