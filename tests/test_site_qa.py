"""The archive and the feed built from awkward but real repositories."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.project import open_project
from policywatch.site.archive import load_archive
from policywatch.site.build import build_project_site
from policywatch.site.feed import build_feed
from policywatch.site_config import SiteSettings
from tests._git_support import new_git_project
from tests._site_support import TODAY, V1, V2, Page, release, tag_release, two_release_repo

BASE = "https://policies.example.com/"
runner = CliRunner()


def build(project, out, today=TODAY, base_url=BASE):
    return build_project_site(open_project(project.root), out, base_url=base_url, today=today)


def page(out, path: str) -> Page:
    return Page((out / path / "index.html").read_text(encoding="utf-8"))


def broken_links(out: Path) -> list[tuple[str, str]]:
    """(page, href) of every relative link on the site that leads to no built file or anchor."""
    pages = {p.relative_to(out).as_posix(): Page(p.read_text(encoding="utf-8")) for p in out.rglob("index.html")}
    broken = []
    for name, doc in pages.items():
        for attrs in doc.all("a") + doc.all("link"):
            href = attrs.get("href", "")
            target = urlsplit(urljoin("https://site.test/" + name, href))
            if target.netloc != "site.test":
                continue
            path = unquote(target.path.lstrip("/"))
            path = path + "index.html" if path.endswith("/") or not path else path
            if not (out / path).is_file() or (
                target.fragment
                and path in pages
                and not any(a.get("id") == target.fragment for _, a in pages[path].tags)
            ):
                broken.append((name, href))
    return broken


def skipped_heading_levels(out: Path) -> list[str]:
    bad = []
    for path in out.rglob("index.html"):
        levels = Page(path.read_text(encoding="utf-8")).headings()
        if levels.count(1) != 1 or any(b > a + 1 for a, b in zip(levels, levels[1:], strict=False)):
            bad.append(path.relative_to(out).as_posix())
    return bad


def renamed_repo(root):
    """``privacy`` 1.0 released, then the file renamed to ``data-protection`` and released as 1.0 there."""
    project = two_release_repo(root)
    project.git("mv", "policies/privacy.md", "policies/data-protection.md")
    project.commit("Rename the privacy policy", date="2024-04-10T09:00:00+00:00")
    record = release("data-protection", "Example Data Protection Policy", "1.0", None, "initial", "2024-04-10")
    tag_release(project, record)
    return project


@pytest.mark.parametrize(
    ("path", "text", "href"),
    [
        pytest.param(
            "privacy",
            "renamed to Example Data Protection Policy on 10 April 2024",
            "../data-protection/",
            id="the_old_name_keeps_its_pages_and_points_to_the_new_name",
        ),
        pytest.param(
            "data-protection",
            "Formerly Example Privacy Policy, renamed on 10 April 2024",
            "../privacy/versions/",
            id="the_new_name_links_back_to_the_earlier_versions",
        ),
    ],
)
def test_a_renamed_policy_links_its_old_and_new_names(tmp_path, path, text, href):
    project = renamed_repo(tmp_path / "repo")
    build(project, tmp_path / "out", today=dt.date(2024, 5, 1))
    shown = page(tmp_path / "out", path)
    assert text in shown.text
    assert {"href": href} in shown.all("a")


def test_the_index_lists_a_renamed_policy_only_under_its_new_name_as_in_effect(tmp_path):
    project = renamed_repo(tmp_path / "repo")
    build(project, tmp_path / "out", today=dt.date(2024, 5, 1))
    index = page(tmp_path / "out", "")
    assert "Example Data Protection Policy Version 1.0, in effect since 10 April 2024." in index.text
    assert "Version 2.0, in effect since" not in index.text
    assert "No longer published" in index.text


def test_every_link_and_heading_outline_holds_on_a_site_with_a_renamed_policy(tmp_path):
    build(renamed_repo(tmp_path / "repo"), tmp_path / "out", today=dt.date(2024, 5, 1))
    assert (broken_links(tmp_path / "out"), skipped_heading_levels(tmp_path / "out")) == ([], [])


def test_a_policy_deleted_after_its_release_is_shown_as_withdrawn_with_its_versions_kept(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    project.git("rm", "-q", "policies/privacy.md")
    project.commit("Withdraw the privacy policy", date="2024-06-01T09:00:00+00:00")
    build(project, tmp_path / "out", today=dt.date(2024, 7, 1))
    assert "withdrawn on 1 June 2024" in page(tmp_path / "out", "privacy").text
    assert "We may share your precise location" in page(tmp_path / "out", "privacy/v2.0").text


def test_a_tag_with_a_malformed_record_is_skipped_with_a_warning_naming_it(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    project.commit("3.0", {"policies/privacy.md": V2.replace('"2.0"', '"3.0"') + "\nMore.\n"})
    project.tag("privacy/v3.0", 'Example 3.0\n\nPolicywatch-Release: {"policy": "privacy", "version": \n')
    result = build(project, tmp_path / "out")
    assert [w for w in result.warnings if "privacy/v3.0" in w] == [
        "ignoring tag privacy/v3.0: its release record is not valid JSON"
    ]
    assert not (tmp_path / "out/privacy/v3.0").exists()


def test_a_tag_whose_record_names_another_version_is_skipped_with_a_warning(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    record = release("privacy", "Example Privacy Policy", "2.0", "1.0", "minor", "2024-03-31")
    project.tag("privacy/v2.1", __import__("policywatch.release.record").release.record.tag_message(record))
    result = build(project, tmp_path / "out")
    assert 'ignoring tag privacy/v2.1: its release record is for version "2.0", not 2.1' in result.warnings
    assert not (tmp_path / "out/privacy/v2.1").exists()


def test_site_build_command_prints_the_skipped_tag_as_a_warning_and_still_builds(tmp_path, in_repo):
    project = in_repo(two_release_repo(tmp_path / "repo"))
    project.tag("privacy/v3.0", "3.0\n\nPolicywatch-Release: not json\n")
    result = runner.invoke(app, ["site", "build", "public", "--base-url", BASE])
    assert result.exit_code == 0
    assert "policywatch: warning: ignoring tag privacy/v3.0: its release record is not valid JSON" in result.output


def test_non_ascii_titles_and_slugs_are_written_where_their_links_point(tmp_path):
    project = new_git_project(tmp_path / "repo")
    text = V1.replace("Example Privacy Policy", "Política de privacidad – Ñandú")
    project.commit("Add", {"policies/política.md": text}, date="2024-01-15T09:00:00+00:00")
    tag_release(project, release("política", "Política de privacidad – Ñandú", "1.0", None, "initial", "2024-01-15"))
    build(project, tmp_path / "out")
    index = page(tmp_path / "out", "")
    assert {"href": "pol%C3%ADtica/"} in index.all("a")
    assert "Política de privacidad – Ñandú" in page(tmp_path / "out", "política/v1.0").text


def test_every_link_on_a_site_with_a_non_ascii_slug_leads_to_a_built_page(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/política.md": V1}, date="2024-01-15T09:00:00+00:00")
    tag_release(project, release("política", "Política", "1.0", None, "initial", "2024-01-15"))
    project.commit("2.0", {"policies/política.md": V2}, date="2024-03-01T09:00:00+00:00")
    tag_release(project, release("política", "Política", "2.0", "1.0", "material", "2024-03-31"))
    build(project, tmp_path / "out")
    assert broken_links(tmp_path / "out") == []


def test_non_ascii_titles_survive_in_the_feed(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/privacy.md": V1}, date="2024-01-15T09:00:00+00:00")
    tag_release(project, release("privacy", "Datenschutzerklärung ÄÖÜ", "1.0", None, "initial", "2024-01-15"))
    feed = build_feed(load_archive(open_project(project.root)), SiteSettings(BASE), generated=dt.datetime.now(dt.UTC))
    title = ET.fromstring(feed).find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title")
    assert title.text.startswith("Datenschutzerklärung ÄÖÜ 1.0")


def test_a_first_release_that_takes_effect_later_is_announced_and_nothing_is_in_effect(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/privacy.md": V1}, date="2024-01-01T09:00:00+00:00")
    tag_release(project, release("privacy", "Example Privacy Policy", "1.0", None, "initial", "2024-02-01"))
    build(project, tmp_path / "out", today=dt.date(2024, 1, 10))
    text = page(tmp_path / "out", "").text
    assert "Not yet in effect." in text and "takes effect on 1 February 2024" in text


def test_a_policy_page_showing_a_version_not_yet_in_effect_says_so(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/privacy.md": V1}, date="2024-01-01T09:00:00+00:00")
    tag_release(project, release("privacy", "Example Privacy Policy", "1.0", None, "initial", "2024-02-01"))
    build(project, tmp_path / "out", today=dt.date(2024, 1, 10))
    assert "takes effect on 1 February 2024" in page(tmp_path / "out", "privacy").text


def test_a_base_url_without_trailing_slash_gives_correct_absolute_links(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    build(project, tmp_path / "out", base_url="https://example.com/legal")
    links = page(tmp_path / "out", "privacy").all("link")
    assert {"rel": "canonical", "href": "https://example.com/legal/privacy/"} in links
    feed = (tmp_path / "out/feed.xml").read_text(encoding="utf-8")
    assert 'href="https://example.com/legal/privacy/v2.0/"' in feed


def test_a_site_built_inside_the_repository_is_never_read_as_a_policy(tmp_path):
    project = two_release_repo(tmp_path / "repo")
    project.write("policywatch.toml", 'policies = "."\n')
    project.commit("Policies at the top", {"privacy.md": V2})
    record = release("privacy", "P", "3.0", "2.0", "minor", "2024-04-01")
    tag_release(project, dataclasses.replace(record, path="privacy.md"))
    build(project, project.root / "public")
    again = build(project, project.root / "public")
    assert (again.policies, again.versions) == (1, 3)
    assert open_project(project.root).slugs() == ["privacy"]


def test_feed_command_warns_about_a_tag_it_leaves_out(tmp_path, in_repo):
    project = in_repo(two_release_repo(tmp_path / "repo"))
    project.tag("privacy/v3.0", "3.0\n\nPolicywatch-Release: not json\n")
    result = runner.invoke(app, ["feed", "feed.xml", "--base-url", BASE])
    assert result.exit_code == 0
    assert "policywatch: warning: ignoring tag privacy/v3.0: its release record is not valid JSON" in result.output
    assert b"privacy/v3.0" not in (project.root / "feed.xml").read_bytes()


def test_feed_command_into_a_folder_that_does_not_exist_names_it(tmp_path, in_repo):
    in_repo(two_release_repo(tmp_path / "repo"))
    result = runner.invoke(app, ["feed", "site/feed.xml", "--base-url", BASE])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "site/feed.xml: folder" in result.output
    assert "does not exist" in result.output


def test_site_build_into_a_path_that_is_a_file_fails_with_one_line_and_keeps_the_file(tmp_path, in_repo):
    project = in_repo(two_release_repo(tmp_path / "repo"))
    (project.root / "public").write_text("notes", encoding="utf-8")
    result = runner.invoke(app, ["site", "build", "public", "--base-url", BASE])
    assert result.exit_code == 2
    assert result.output == "policywatch: error: public: exists and is not a folder\n"
    assert (project.root / "public").read_text(encoding="utf-8") == "notes"


def test_a_policy_deleted_from_a_top_level_policies_folder_is_shown_as_withdrawn(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policywatch.toml": 'policies = "./"\n', "privacy.md": V1}, date="2024-01-15T09:00:00+00:00")
    tag_release(
        project, dataclasses.replace(release("privacy", "P", "1.0", None, "initial", "2024-01-15"), path="privacy.md")
    )
    project.git("rm", "-q", "privacy.md")
    project.commit("Withdraw", date="2024-06-01T09:00:00+00:00")
    build(project, tmp_path / "out", today=dt.date(2024, 7, 1))
    assert "withdrawn on 1 June 2024" in page(tmp_path / "out", "privacy").text
