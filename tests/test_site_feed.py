"""The Atom feed of releases, read back with an XML parser as a feed reader would."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.project import open_project
from policywatch.site.archive import load_archive
from policywatch.site.feed import build_feed
from policywatch.site_config import SiteSettings
from tests._git_support import new_git_project
from tests._site_support import REASON, release, tag_release, two_release_repo

A = "{http://www.w3.org/2005/Atom}"
BASE = "https://policies.example.com/legal/"
NOW = dt.datetime(2024, 3, 2, 12, 0, tzinfo=dt.UTC)
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def feed_of(root, settings: SiteSettings | None = None) -> ET.Element:
    data = build_feed(load_archive(open_project(root)), settings or SiteSettings(BASE), generated=NOW)
    return ET.fromstring(data)


@pytest.fixture
def repo(tmp_path):
    return two_release_repo(tmp_path / "repo")


def test_the_feed_has_every_element_atom_requires(repo):
    feed = feed_of(repo.root)
    assert feed.tag == f"{A}feed"
    assert feed.findtext(f"{A}id") == BASE + "feed.xml"
    assert feed.findtext(f"{A}title")
    assert RFC3339.match(feed.findtext(f"{A}updated"))
    self_links = [link for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    assert [link.get("href") for link in self_links] == [BASE + "feed.xml"]
    assert feed.find(f"{A}author/{A}name").text
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert entry.findtext(f"{A}{name}"), name
        assert RFC3339.match(entry.findtext(f"{A}updated"))
        assert any(link.get("rel") == "alternate" for link in entry.findall(f"{A}link"))


def test_one_entry_per_release_newest_first_with_tag_uri_ids(repo):
    entries = feed_of(repo.root).findall(f"{A}entry")
    ids = [e.findtext(f"{A}id") for e in entries]
    assert ids == [
        "tag:policies.example.com,2024-03-01:privacy/v2.0/",
        "tag:policies.example.com,2024-01-15:privacy/v1.0/",
    ]


def test_an_entry_links_to_its_version_page_and_its_redline(repo):
    entry = feed_of(repo.root).find(f"{A}entry")
    links = {link.get("rel"): link.get("href") for link in entry.findall(f"{A}link")}
    assert links == {"alternate": BASE + "privacy/v2.0/", "related": BASE + "privacy/v2.0/changes/"}


def test_an_entry_summary_gives_the_verdict_effective_date_and_reasons(repo):
    entry = feed_of(repo.root).find(f"{A}entry")
    summary = entry.findtext(f"{A}summary")
    assert "Material change from version 1.0" in summary
    assert "Takes effect on 2024-03-31" in summary
    assert f"- {REASON}" in summary
    assert entry.findtext(f"{A}title") == "Example Privacy Policy 2.0: material change, effective 2024-03-31"


def test_markup_and_control_characters_in_a_release_cannot_break_the_feed(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "# Terms\n\nText.\n"})
    nasty = 'Terms <script>alert("x")</script> & "Co" \x0b\x1b'
    tag_release(project, release("terms", nasty, "1.0", None, "initial", "2024-01-01", reasons=["a < b & c\x1b"]))
    data = build_feed(load_archive(open_project(project.root)), SiteSettings(BASE), generated=NOW)
    assert b"<script>" not in data
    entry = ET.fromstring(data).find(f"{A}entry")
    assert entry.findtext(f"{A}title").startswith('Terms <script>alert("x")</script> & "Co" ')
    assert "- a < b & c" in entry.findtext(f"{A}summary")


def test_a_repository_without_releases_gives_an_empty_valid_feed(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "# Terms\n"})
    feed = feed_of(project.root)
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}updated") == "2024-03-02T12:00:00Z"


def test_a_hand_made_tag_without_a_record_is_left_out_of_the_feed(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "---\neffective: 2024-02-01\n---\n# Terms\n"})
    project.tag("terms/v1.0", "Terms 1.0")
    assert feed_of(project.root).findall(f"{A}entry") == []


runner = CliRunner()


def test_feed_command_writes_the_feed_file(repo, in_repo):
    in_repo(repo)
    result = runner.invoke(app, ["feed", "out.xml", "--base-url", "https://example.org"])
    assert result.exit_code == 0, result.output
    assert "wrote 2 entries to out.xml" in result.output
    feed = ET.parse(repo.root / "out.xml").getroot()
    assert feed.findtext(f"{A}id") == "https://example.org/feed.xml"


def test_feed_command_takes_the_base_url_from_the_configuration(repo, in_repo):
    in_repo(repo)
    repo.write("policywatch.toml", '[site]\nbase_url = "https://legal.example.net/p"\n')
    result = runner.invoke(app, ["feed", "out.xml"])
    assert result.exit_code == 0, result.output
    assert ET.parse(repo.root / "out.xml").getroot().findtext(f"{A}id") == "https://legal.example.net/p/feed.xml"


def test_feed_command_without_a_base_url_says_how_to_give_one(repo, in_repo):
    in_repo(repo)
    result = runner.invoke(app, ["feed", "out.xml"])
    assert result.exit_code == 2
    assert "pass --base-url or set base_url under [site]" in result.output
    assert not (repo.root / "out.xml").exists()


def test_feed_command_rejects_a_relative_base_url(repo, in_repo):
    in_repo(repo)
    result = runner.invoke(app, ["feed", "out.xml", "--base-url", "policies/"])
    assert result.exit_code == 2
    assert "--base-url: base URL must be an absolute http(s) URL" in result.output


def test_feed_command_into_a_missing_folder_fails_and_writes_nothing(repo, in_repo):
    in_repo(repo)
    result = runner.invoke(app, ["feed", "nowhere/out.xml", "--base-url", BASE])
    assert result.exit_code == 2
    assert "nowhere/out.xml: folder" in result.output and "does not exist" in result.output
    assert not (repo.root / "nowhere").exists()


def test_feed_command_replaces_an_existing_feed_and_leaves_no_temporary_file(repo, in_repo):
    in_repo(repo)
    (repo.root / "out.xml").write_text("old")
    assert runner.invoke(app, ["feed", "out.xml", "--base-url", BASE]).exit_code == 0
    assert (repo.root / "out.xml").read_bytes().startswith(b"<?xml")
    assert sorted(p.name for p in repo.root.iterdir() if p.name.startswith(".out")) == []
