"""A register repository whose service takes objections, and the links its notices carry."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlencode

from policywatch.audience.objections import link_expiry
from policywatch.audience.service.tokens import object_token
from policywatch.audience.subscribers import get_subscriber
from policywatch.project import open_project
from policywatch.store import project_store
from tests._publish_support import run
from tests._subscribe_support import write_config
from tests.conftest import GitProject, new_git_project

PATH = "policies/subprocessors.md"
TAG = "subprocessors/v2.0"
NOTICE_DAYS = 45
REGISTER = f"""---
title: Sub-processors
kind: register
notice_days: {NOTICE_DAYS}
---
# Sub-processors

Our sub-processors are located in the United States:

* [Stripe](https://stripe.com). Payment processing.
* [Postmark](https://postmarkapp.com). Transactional email.
"""
ACME = "* [Acme AI](https://acme.example). Model hosting.\n"
OBJECT_LINK = re.compile(r"https?://\S+/object\?token=\S+")


def register_repo(root: Path, enter, *, published: dt.date, service: str = "objections = true\n") -> GitProject:
    """The register released in 2024, Ana subscribed, then Acme AI added and published on ``published``."""
    repo = enter(new_git_project(root))
    assert run("init").exit_code == 0
    repo.write(PATH, REGISTER)
    write_config(repo, service)
    repo.commit("Add the register")
    assert run("publish", "--yes", "--date", "2024-03-01", "--no-notify").exit_code == 0
    assert run("subscribers", "add", "ana@example.com").exit_code == 0
    repo.commit("New sub-processor: Acme AI", {PATH: repo.read(PATH) + ACME})
    result = run("publish", "--yes", "--date", published.isoformat(), "--no-notify")
    assert result.exit_code == 0, result.output
    return repo


def days_ago(days: int) -> dt.date:
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)


def link_query(repo: GitProject, email: str = "ana@example.com", tag: str = TAG, *, deadline: dt.date) -> str:
    """``token=…&release=…`` as a notice to ``email`` carries it."""
    with project_store(open_project(repo.root)) as store:
        person = get_subscriber(store, email)
        subscriber_id = store.query("SELECT id FROM subscribers WHERE email = ?", (email,))[0][0]
    return urlencode({"token": object_token(subscriber_id, person.token, tag, link_expiry(deadline)), "release": tag})
