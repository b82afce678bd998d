"""Releases: the git layer, release records, pending changes, publish with its lock and journal,
check, status, the text as released, and hooks."""
