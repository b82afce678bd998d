"""`policywatch serve`: the small web endpoint that unsubscribe links point to."""

from policywatch.cli import app  # noqa: F401
