"""Releases: the git layer, release records, pending changes, publish, check, status and hooks."""
