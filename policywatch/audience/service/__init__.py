"""The HTTP service: the pages a notice's links point to (today, unsubscribing).

- ``tokens``: the per-subscriber tokens that those links carry, made and looked up;
- ``app``: the WSGI application, its routes and its pages;
- ``server``: the pooled standard-library server that ``policywatch serve`` runs.

Production: run ``policywatch.audience.service:application`` under a WSGI server.
Importing this package loads nothing else: ``application`` is loaded when first
asked for, so code that only makes tokens never imports the web application.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policywatch.audience.service.app import application

__all__ = ["application"]


def __getattr__(name: str) -> Any:
    if name == "application":
        from policywatch.audience.service import app

        return app.application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
