"""Answers right, at once."""
import service

service.run()
