"""`policywatch diff` on a register shows the entries added, changed and removed first, in every format."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from tests._publish_support import tag_release

runner = CliRunner()
PATH = "policies/subprocessors.md"
REGISTER = """---
title: Sub-processors
kind: register
version: "1.0"
---

# Sub-processors

| Name | Purpose | Data categories | Location |
|---|---|---|---|
| Stripe | Payment processing | Billing details | Ireland |
| Postmark | Transactional email | Email addresses | United States |
"""


@pytest.fixture
def edited(policy_repo, in_repo):
    """The register released as 1.0, then Acme AI added, Stripe moved and Postmark removed in the working tree."""
    in_repo(policy_repo)
    policy_repo.commit("Add the sub-processor register", {PATH: REGISTER})
    tag_release(policy_repo, "subprocessors")
    new = REGISTER.replace("| Ireland |", "| United States |").replace(
        "| Postmark | Transactional email | Email addresses | United States |",
        "| Acme AI | Model hosting | Support tickets | United States |",
    )
    policy_repo.write(PATH, new)
    return policy_repo


def diff(*args: str):
    result = runner.invoke(app, ["diff", "subprocessors", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_text_view_lists_added_changed_and_removed_entries_before_the_redline(edited):
    out = diff()
    assert "+ added: Acme AI (United States; Model hosting)" in out
    assert "~ changed: Stripe (United States; Payment processing) [location: Ireland → United States]" in out
    assert "- removed: Postmark (United States; Transactional email)" in out
    assert out.index("+ added: Acme AI") < out.index("new sub-processor: Acme AI")


def test_json_view_carries_the_register_table(edited):
    data = json.loads(diff("--format", "json"))
    assert data["classification"] == "material"
    assert [(e["status"], e["name"]) for e in data["register"]["entries"]] == [
        ("added", "Acme AI"),
        ("changed", "Stripe"),
        ("removed", "Postmark"),
    ]


def test_markdown_view_has_a_table_of_entries(edited):
    out = diff("--format", "markdown")
    assert "| Change | Sub-processor | Location | Purpose | What changed |" in out
    assert "| Added | Acme AI | United States | Model hosting |   |" in out
    assert "| Changed | Stripe | United States | Payment processing | location: Ireland → United States |" in out


def test_html_view_has_a_table_of_entries(edited):
    out = diff("--format", "html")
    assert '<table class="register-changes">' in out
    assert '<tr class="added"><td>Added</td><td>Acme AI</td>' in out
    assert out.index("register-changes") < out.index('class="redline"')
