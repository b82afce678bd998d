"""Catalogue of ordinary mistakes and hostile inputs tried against the real `policywatch` command.

``scripts/hostile_inputs.py`` runs it; each ``cases_*`` module adds one category.
"""
