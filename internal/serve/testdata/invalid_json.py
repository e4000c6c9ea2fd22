"""Answers 200 with a body that is not JSON."""
import service

service.run(raw=b"score=0.5")
