"""Imports of establishment files: the job that records each import, its progress and outcome, and
what it overwrote; the operations that run it, at once or in the background worker."""
