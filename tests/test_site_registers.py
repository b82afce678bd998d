"""The site gives a register's entries as JSON and CSV, says when each was added, and has a feed per policy."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.project import open_project
from policywatch.release.record import ChangeSummary
from policywatch.site.build import build_project_site
from tests._site_support import Page, release, tag_release, two_release_repo

BASE = "https://policies.example.com/"
ATOM = "{http://www.w3.org/2005/Atom}"
PATH = "policies/subprocessors.md"
runner = CliRunner()
V1 = """---
title: Sub-processors
kind: register
version: "1.0"
---
# Sub-processors

| Name | Purpose | Data categories | Location | Transfer mechanism |
|---|---|---|---|---|
| Stripe | Payment processing | Billing details | Ireland | Adequacy |
| =HYPERLINK("http://evil") | Analytics | Usage | United States | SCCs |
"""
V2 = V1.replace('"1.0"', '"2.0"') + "| Acme AI | Model hosting | Support tickets | United States | SCCs |\n"


@pytest.fixture
def site(tmp_path):
    """The privacy policy's two releases and a register released on 1 February, then again with Acme AI on 1 March."""
    repo = two_release_repo(tmp_path / "repo")
    repo.commit("Add the register", {PATH: V1}, date="2024-02-01T09:00:00+00:00")
    tag_release(repo, release("subprocessors", "Sub-processors", "1.0", None, "initial", "2024-02-01"))
    repo.commit("New sub-processor: Acme AI", {PATH: V2}, date="2024-03-01T09:00:00+00:00")
    change = ChangeSummary("Sub-processors", "insert", "material", ["new sub-processor: Acme AI"], "", "Acme AI")
    tag_release(
        repo,
        release(
            "subprocessors",
            "Sub-processors",
            "2.0",
            "1.0",
            "material",
            "2024-03-31",
            published=dt.date(2024, 3, 1),
            reasons=["new sub-processor: Acme AI"],
            changes=[change],
        ),
    )
    out = tmp_path / "site"
    build_project_site(open_project(repo.root), out, base_url=BASE, today=dt.date(2024, 4, 15), use_cache=False)
    return out


def test_the_register_is_written_as_json_beside_its_page_with_the_date_each_entry_was_added(site):
    data = json.loads((site / "subprocessors" / "register.json").read_text(encoding="utf-8"))
    assert data["version"] == "2.0"
    added = {e["name"]: (e["added"], e["added_in_version"]) for e in data["entries"]}
    assert added["Stripe"] == ("2024-02-01", "1.0")
    assert added["Acme AI"] == ("2024-03-01", "2.0")
    acme = next(e for e in data["entries"] if e["name"] == "Acme AI")
    assert (acme["location"], acme["purpose"], acme["data_categories"], acme["transfer_mechanism"]) == (
        "United States",
        "Model hosting",
        "Support tickets",
        "SCCs",
    )


def test_the_register_csv_has_a_row_per_entry_and_no_cell_a_spreadsheet_would_run(site):
    rows = list(csv.DictReader(io.StringIO((site / "subprocessors" / "register.csv").read_text(encoding="utf-8"))))
    assert [r["name"] for r in rows] == ["Stripe", '\'=HYPERLINK("http://evil")', "Acme AI"]
    assert rows[2]["added"] == "2024-03-01"


def test_the_register_page_shows_when_each_entry_was_added_and_links_the_data(site):
    page = (site / "subprocessors" / "index.html").read_text(encoding="utf-8")
    assert '<th scope="row">Acme AI</th>' in page
    assert '<time datetime="2024-03-01">1 March 2024</time></a> (version 2.0)' in page
    assert 'href="../subprocessors/register.json"' in page
    assert 'href="../subprocessors/register.csv"' in page


def test_a_policy_that_is_not_a_register_has_no_register_files(site):
    assert not (site / "privacy" / "register.json").exists()
    assert "register-entries" not in (site / "privacy" / "index.html").read_text(encoding="utf-8")


def test_each_policy_has_its_own_feed_with_only_its_releases(site):
    feed = ET.parse(site / "subprocessors" / "feed.xml").getroot()
    ids = [e.find(f"{ATOM}id").text for e in feed.iter(f"{ATOM}entry")]
    assert len(ids) == 2 and all("subprocessors/v" in i for i in ids)
    assert feed.find(f"{ATOM}id").text == BASE + "subprocessors/feed.xml"
    everything = ET.parse(site / "feed.xml").getroot()
    assert len(list(everything.iter(f"{ATOM}entry"))) == 4


def test_every_page_of_a_policy_links_its_feed(site):
    for page in ("subprocessors/index.html", "subprocessors/versions/index.html", "subprocessors/v2.0/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert 'title="Sub-processors: releases" href="../' in html
        assert "subprocessors/feed.xml" in html


def test_the_changes_page_of_a_register_release_starts_with_the_table_of_entries(site):
    html = (site / "subprocessors" / "v2.0" / "changes" / "index.html").read_text(encoding="utf-8")
    assert '<tr class="added"><td>Added</td><td>Acme AI</td><td>United States</td>' in html


def test_during_the_notice_period_the_json_gives_the_upcoming_entries_too(tmp_path):
    repo = two_release_repo(tmp_path / "repo")
    repo.commit("Add the register", {PATH: V1}, date="2024-02-01T09:00:00+00:00")
    tag_release(repo, release("subprocessors", "Sub-processors", "1.0", None, "initial", "2024-02-01"))
    repo.commit("New sub-processor: Acme AI", {PATH: V2}, date="2024-03-01T09:00:00+00:00")
    upcoming = release("subprocessors", "Sub-processors", "2.0", "1.0", "material", "2024-03-31")
    tag_release(repo, dataclasses.replace(upcoming, published=dt.date(2024, 3, 1)))
    out = tmp_path / "site"
    build_project_site(open_project(repo.root), out, base_url=BASE, today=dt.date(2024, 3, 10), use_cache=False)
    data = json.loads((out / "subprocessors" / "register.json").read_text(encoding="utf-8"))
    assert data["version"] == "1.0"
    assert "Acme AI" not in [e["name"] for e in data["entries"]]
    assert data["upcoming"]["version"] == "2.0"
    assert data["upcoming"]["effective"] == "2024-03-31"
    acme = next(e for e in data["upcoming"]["entries"] if e["name"] == "Acme AI")
    assert (acme["added"], acme["added_in_version"]) == ("2024-03-01", "2.0")


def test_the_register_page_and_its_changes_page_are_well_formed(site):
    for path in ("subprocessors/index.html", "subprocessors/v2.0/changes/index.html"):
        page = Page((site / path).read_text(encoding="utf-8"))
        assert page.unbalanced == [], path


def test_the_feed_command_writes_one_policys_feed(tmp_path, in_repo):
    repo = in_repo(two_release_repo(tmp_path / "repo"))
    result = runner.invoke(app, ["feed", "privacy.xml", "--policy", "privacy", "--base-url", BASE])
    assert result.exit_code == 0, result.output
    feed = ET.parse(repo.root / "privacy.xml").getroot()
    assert feed.findtext(f"{ATOM}id") == BASE + "privacy/feed.xml"
    assert len(feed.findall(f"{ATOM}entry")) == 2


def test_the_feed_command_refuses_a_policy_never_released_in_one_line(tmp_path, in_repo):
    in_repo(two_release_repo(tmp_path / "repo"))
    result = runner.invoke(app, ["feed", "x.xml", "--policy", "nosuch", "--base-url", BASE])
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == [
        "policywatch: error: no released policy 'nosuch': its feed would be empty"
    ]
