"""`policywatch audit SLUG@VERSION`: the proof of notice, read from the ledger."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from policywatch.audience.channels import Outcome
from policywatch.audience.outbox import Outbox
from policywatch.audience.subscribers import add_subscriber
from policywatch.cli import app
from policywatch.project import open_project
from policywatch.store import project_store
from tests._store_support import make_release, repo_with_policy, tag_release

runner = CliRunner()


@pytest.fixture
def announced(tmp_path, monkeypatch):
    """privacy 2.0 ledgered for two subscribers: one sent, one failed."""
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    repo = repo_with_policy(tmp_path / "repo")
    release = tag_release(repo, make_release("privacy", "2.0"))
    project = open_project(repo.root)
    with project_store(project) as store:
        add_subscriber(store, "ann@example.com", "Ann")
        add_subscriber(store, "bob@example.com", "Bob")
        outbox = Outbox(store)
        outbox.ledger_release(release)
        ann, bob = outbox.claim(release.tag, "email").recipients
        outbox.record(Outcome(ann.delivery_id, "sent", "250 2.0.0 queued as 1234", "<pw.abc@example.com>"))
        outbox.record(Outcome(bob.delivery_id, "failed", "550 5.1.1 no such user"))
    monkeypatch.chdir(repo.root)
    return project


def test_audit_csv_names_each_recipient_with_time_message_id_and_result(announced):
    result = runner.invoke(app, ["audit", "privacy@2.0"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["recipient"], r["name"], r["state"], r["message_id"]) for r in rows] == [
        ("ann@example.com", "Ann", "sent", "<pw.abc@example.com>"),
        ("bob@example.com", "Bob", "failed", ""),
    ]
    assert rows[0]["sent_at"].endswith("Z") and rows[1]["sent_at"] == ""
    assert "550" in rows[1]["detail"]
    assert {r["release"] for r in rows} == {"privacy/v2.0"}


def test_audit_json_is_an_array_of_the_same_rows(announced):
    result = runner.invoke(app, ["audit", "privacy/v2.0", "--format", "json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    assert [(d["recipient"], d["state"], d["attempts"]) for d in data] == [
        ("ann@example.com", "sent", 1),
        ("bob@example.com", "failed", 1),
    ]


def test_audit_of_an_unknown_release_is_a_one_line_error(announced):
    result = runner.invoke(app, ["audit", "privacy@9.9"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.startswith("policywatch: error: no release 'privacy@9.9'")


def test_audit_still_works_after_the_tag_is_deleted(announced, tmp_path):
    from tests._git_support import GitProject

    GitProject(announced.root).git("tag", "-d", "privacy/v2.0")
    result = runner.invoke(app, ["audit", "privacy@2.0", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2
