"""Repositories with real release tags, and a running service with the acceptances API, for their tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx

from tests._git_support import GitProject
from tests._store_support import make_release, repo_with_policy, tag_release

API_KEY = "k" * 20 + "-test-key-0123456789abcdef"
TODAY = dt.datetime.now(dt.UTC).date()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


# slug, version, classification, effective, published
HISTORY = (
    ("privacy", "1.0", "initial", days(-400), days(-400)),
    ("privacy", "2.0", "material", days(-100), days(-130)),
    ("privacy", "2.1", "minor", days(-100), days(-50)),
    ("terms", "1.0", "initial", days(-400), days(-400)),
)


def release(project: GitProject, slug: str, version: str, classification: str, effective: dt.date, published: dt.date):
    """Tag HEAD with a release record, as publish does."""
    return tag_release(project, make_release(slug, version, classification, effective=effective, published=published))


def released_repo(root: Path, history=HISTORY) -> GitProject:
    project = repo_with_policy(root, tuple(dict.fromkeys(item[0] for item in history)))
    for item in history:
        release(project, *item)
    return project


def bearer(key: str = API_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def post(base: str, body, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"Content-Type": "application/json", **bearer(), **(headers or {})}
    return httpx.post(f"{base}/api/acceptances", content=content, headers=sent, timeout=10)


def lookup(base: str, subject: str, headers: dict[str, str] | None = None) -> httpx.Response:
    sent = headers if headers is not None else bearer()
    return httpx.get(f"{base}/api/acceptances/{subject}", headers=sent, timeout=10)
