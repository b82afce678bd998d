"""The static archive built from a real repository with real release tags."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.errors import SiteOutputError, SiteTemplateError
from policywatch.project import open_project
from policywatch.site.archive import PolicyArchive
from policywatch.site.build import build_project_site, compare_pairs
from tests._git_support import new_git_project
from tests._site_support import REASON, TODAY, Page, release, tag_release, two_release_repo

BASE = "https://policies.example.com/"


@pytest.fixture
def repo(tmp_path):
    return two_release_repo(tmp_path / "repo")


def build(repo, out: Path, today: dt.date = TODAY):
    return build_project_site(open_project(repo.root), out, base_url=BASE, today=today)


def page(out: Path, path: str) -> Page:
    return Page((out / path / "index.html").read_text(encoding="utf-8"))


def test_the_index_lists_each_policy_with_the_version_in_effect_and_its_date(repo, tmp_path):
    build(repo, tmp_path / "out")
    text = page(tmp_path / "out", "").text
    assert "Example Privacy Policy" in text
    assert "Version 1.0, in effect since 15 January 2024." in text


def test_the_index_announces_a_published_version_that_takes_effect_later(repo, tmp_path):
    build(repo, tmp_path / "out")
    index = page(tmp_path / "out", "")
    assert "Upcoming change: version 2.0 of Example Privacy Policy takes effect on 31 March 2024." in index.text
    assert {"href": "privacy/v2.0/changes/"} in index.all("a")


def test_once_the_date_has_come_the_new_version_is_in_effect_and_nothing_is_upcoming(repo, tmp_path):
    build(repo, tmp_path / "out", today=dt.date(2024, 3, 31))
    text = page(tmp_path / "out", "").text
    assert "Version 2.0, in effect since 31 March 2024." in text
    assert "Upcoming" not in text


def test_the_policy_page_shows_the_text_in_effect_with_a_table_of_contents(repo, tmp_path):
    build(repo, tmp_path / "out")
    policy = page(tmp_path / "out", "privacy")
    assert "We will not sell your personal data." in policy.text
    assert {"href": "#who-we-share-it-with"} in policy.all("a")
    assert {"id": "who-we-share-it-with"} in policy.all("h2")


def test_every_version_has_a_permanent_page_with_its_own_text_and_status(repo, tmp_path):
    build(repo, tmp_path / "out")
    old, new = page(tmp_path / "out", "privacy/v1.0"), page(tmp_path / "out", "privacy/v2.0")
    assert "We will not sell your personal data." in old.text and "In effect." in old.text
    assert "advertising partners" in new.text and "Upcoming. This version takes effect on 31 March 2024" in new.text
    assert REASON in new.text


def test_the_archive_lists_every_version_with_dates_and_verdicts_newest_first(repo, tmp_path):
    build(repo, tmp_path / "out")
    text = page(tmp_path / "out", "privacy/versions").text
    assert text.index("2.0 1 March 2024 31 March 2024 Upcoming Material change") < text.index(
        "1.0 15 January 2024 15 January 2024 In effect First version"
    )


def material_changes(html: str) -> list[tuple[str, str]]:
    """(removed, added) text of each material change in a page's redline, however finely it was diffed."""
    found = []
    for kind, body in re.findall(r'<section class="change (\w+)"[^>]*>(.*?)</section>', html, re.S):
        if kind == "material":
            found.append(
                (" ".join(re.findall(r"<del>(.*?)</del>", body)), " ".join(re.findall(r"<ins>(.*?)</ins>", body)))
            )
    return found


def test_the_redline_shows_removed_and_added_text_of_the_material_change(repo, tmp_path):
    build(repo, tmp_path / "out")
    changes = material_changes((tmp_path / "out/privacy/v2.0/changes/index.html").read_text())
    assert any("will not sell" in removed and "advertising partners" in added for removed, added in changes)


def test_the_redline_gives_the_reasons_recorded_with_the_release(repo, tmp_path):
    build(repo, tmp_path / "out")
    assert (
        f"Summary Material change, published 1 March 2024, takes effect on 31 March 2024. {REASON}"
        in page(tmp_path / "out", "privacy/v2.0/changes").text
    )


def test_the_archive_shows_the_first_reasons_and_links_to_the_rest(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "# Terms\n\nText.\n"})
    reasons = [f"reason {n}" for n in range(1, 6)]
    tag_release(project, release("terms", "Terms", "1.0", None, "material", "2024-01-01", reasons=reasons))
    build(project, tmp_path / "out")
    archive = page(tmp_path / "out", "terms/versions")
    assert "reason 3" in archive.text and "reason 4" not in archive.text
    assert {"href": "../../terms/v1.0/changes/"} in archive.all("a") and "2 more reasons" in archive.text
    assert "reason 5" in page(tmp_path / "out", "terms/v1.0/changes").text


def test_each_version_offers_its_markdown_exactly_as_released(repo, tmp_path):
    build(repo, tmp_path / "out")
    released = repo.git("show", "privacy/v1.0:policies/privacy.md") + "\n"
    assert (tmp_path / "out/privacy/v1.0/privacy.md").read_text(encoding="utf-8") == released
    assert {"href": "../../privacy/v1.0/privacy.md", "type": "text/markdown"} in page(
        tmp_path / "out", "privacy/v1.0"
    ).all("a")


def test_the_first_version_has_a_changes_page_that_says_there_is_nothing_before_it(repo, tmp_path):
    build(repo, tmp_path / "out")
    assert "This is the first published version" in page(tmp_path / "out", "privacy/v1.0/changes").text


def test_any_two_versions_can_be_compared_from_a_list_of_links(repo, tmp_path):
    build(repo, tmp_path / "out")
    listing = page(tmp_path / "out", "privacy/compare")
    assert {"href": "../../privacy/compare/v1.0...v2.0/"} in listing.all("a")
    compared = material_changes((tmp_path / "out/privacy/compare/v1.0...v2.0/index.html").read_text())
    assert any("advertising partners" in added for _, added in compared)


def versions(n: int) -> PolicyArchive:
    from policywatch.site.archive import PublishedVersion

    made = []
    for i in range(n):
        record = release("p", "P", f"{i + 1}.0", None, "minor", "2024-01-01")
        made.append(PublishedVersion(record, "", "", dt.datetime(2024, 1, 1, tzinfo=dt.UTC)))
    return PolicyArchive("p", tuple(made))


def test_small_policies_get_every_pair_compared():
    assert len(compare_pairs(versions(4), limit=4)) == 6


def test_long_histories_compare_every_version_with_the_newest_and_recent_ones_with_each_other():
    pairs = [(a.version, b.version) for a, b in compare_pairs(versions(6), limit=3)]
    assert ("1.0", "6.0") in pairs and ("4.0", "5.0") in pairs
    assert ("1.0", "2.0") not in pairs
    assert len(pairs) == 5 + 1  # 4.0-5.0 is the only recent pair not already with the newest


def test_every_page_is_accessible_in_structure_and_links_the_feed(repo, tmp_path):
    build(repo, tmp_path / "out")
    pages = sorted((tmp_path / "out").rglob("index.html"))
    assert len(pages) == 9
    for path in pages:
        doc = Page(path.read_text())
        where = path.relative_to(tmp_path / "out")
        assert doc.unbalanced == [], (where, doc.unbalanced)
        assert doc.all("html")[0].get("lang") == "en", where
        assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in doc.all("meta"), where
        for landmark in ("header", "nav", "main", "footer"):
            assert doc.all(landmark), (where, landmark)
        assert doc.all("a")[0] == {"class": "skip-link", "href": "#main"}, where
        assert doc.headings().count(1) == 1, where
        levels = doc.headings()
        assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (where, levels)
        alternates = [link for link in doc.all("link") if link.get("type") == "application/atom+xml"]
        assert alternates and alternates[0]["rel"] == "alternate", where
        assert "Subscribe to the Atom feed of policy releases" in doc.text, where


def test_the_stylesheet_has_print_rules_and_the_site_needs_no_script(repo, tmp_path):
    build(repo, tmp_path / "out")
    assert "@media print" in (tmp_path / "out/style.css").read_text()
    assert not any("<script" in p.read_text() for p in (tmp_path / "out").rglob("*.html"))


def test_the_site_carries_the_feed(repo, tmp_path):
    build(repo, tmp_path / "out")
    assert b"<id>https://policies.example.com/privacy/v2.0/changes/" not in (tmp_path / "out/feed.xml").read_bytes()
    assert b'href="https://policies.example.com/privacy/v2.0/changes/"' in (tmp_path / "out/feed.xml").read_bytes()


def test_policy_markup_in_a_title_is_escaped_on_every_page(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "# Terms\n\nText.\n"})
    tag_release(project, release("terms", "<script>x</script>Terms", "1.0", None, "initial", "2024-01-01"))
    build(project, tmp_path / "out")
    for path in (tmp_path / "out").rglob("*.html"):
        assert "<script>" not in path.read_text(), path


def test_a_rebuild_replaces_the_previous_site_entirely(repo, tmp_path):
    out = tmp_path / "out"
    build(repo, out)
    (out / "stale.html").write_text("old page")
    build(repo, out)
    assert not (out / "stale.html").exists()
    assert (out / "index.html").exists()


def test_a_folder_that_policywatch_did_not_build_is_never_replaced(repo, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("precious")
    with pytest.raises(SiteOutputError, match="not built by policywatch; refusing to replace it"):
        build(repo, out)
    assert (out / "thesis.txt").read_text() == "precious"


def test_a_failed_build_leaves_the_previous_site_untouched_and_no_temporary_folder(repo, tmp_path):
    out = tmp_path / "out"
    build(repo, out)
    before = (out / "index.html").read_text()
    repo.write(
        "templates/site/version.html", "{% extends 'site/base.html' %}{% block main %}{{ missing }}{% endblock %}"
    )
    with pytest.raises(SiteTemplateError, match=r"templates/site/version.html: 'missing' is undefined"):
        build(repo, out)
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo"]


def test_a_repository_template_overrides_the_shipped_one(repo, tmp_path):
    repo.write(
        "templates/site/index.html", "{% extends 'site/base.html' %}{% block main %}<h1>Our legal</h1>{% endblock %}"
    )
    build(repo, tmp_path / "out")
    assert "Our legal" in page(tmp_path / "out", "").text


runner = CliRunner()


def test_site_build_command_reports_what_it_wrote(repo, in_repo):
    in_repo(repo)
    result = runner.invoke(app, ["site", "build", "public", "--base-url", BASE])
    assert result.exit_code == 0, result.output
    assert "wrote 9 pages for 1 policy (2 versions) to public" in result.output
    assert (repo.root / "public/privacy/v2.0/changes/index.html").is_file()


def test_site_build_command_without_a_base_url_fails_with_one_line_and_writes_nothing(repo, in_repo):
    in_repo(repo)
    result = runner.invoke(app, ["site", "build", "public"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "pass --base-url or set base_url under [site]" in result.output
    assert not (repo.root / "public").exists()


def test_site_build_command_rejects_an_unknown_site_setting(repo, in_repo):
    in_repo(repo)
    repo.write("policywatch.toml", '[site]\nbase_url = "https://x.example"\ntitel = "typo"\n')
    result = runner.invoke(app, ["site", "build", "public"])
    assert result.exit_code == 2
    assert "policywatch.toml [site]: unknown key 'titel'" in result.output


def test_site_build_command_names_the_line_of_a_broken_template(repo, in_repo):
    in_repo(repo)
    repo.write("templates/site/index.html", "line one\n{% if %}\n")
    result = runner.invoke(app, ["site", "build", "public", "--base-url", BASE])
    assert result.exit_code == 2
    assert result.output.startswith("policywatch: error: ") and "templates/site/index.html:2:" in result.output
    assert not (repo.root / "public").exists()


def test_a_repository_without_releases_builds_an_index_that_says_so(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add draft", {"policies/terms.md": "# Terms\n\nDraft.\n"})
    result = build(project, tmp_path / "out")
    assert result.pages == 1
    assert "No policy has been published yet." in page(tmp_path / "out", "").text
    assert "Draft." not in page(tmp_path / "out", "").text


def test_a_lightweight_tag_is_not_published_and_the_build_names_it(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "# Terms\n\nText.\n"}, date="2023-05-06T10:00:00+00:00")
    project.tag("terms/v1.0")
    result = build(project, tmp_path / "out", today=dt.date(2024, 1, 1))
    assert result.warnings == ("ignoring tag terms/v1.0: it is a lightweight tag, with no release record",)
    assert not (tmp_path / "out/terms").exists()


def test_unreleased_edits_never_reach_the_site(repo, tmp_path):
    repo.commit("Draft", {"policies/privacy.md": "# Example Privacy Policy\n\nSecret draft.\n"})
    build(repo, tmp_path / "out")
    assert not any("Secret draft" in p.read_text() for p in (tmp_path / "out").rglob("*.html"))


def test_a_custom_tag_format_is_followed(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit(
        "Add", {"policies/terms.md": "# Terms\n\nText.\n", "policywatch.toml": 'tag_format = "{slug}-{version}"\n'}
    )
    record = release("terms", "Terms", "3", None, "initial", "2024-01-01")
    tag_release(project, dataclasses.replace(record, tag="terms-3"))
    build(project, tmp_path / "out")
    assert (tmp_path / "out/terms/v3/index.html").is_file()


def test_every_link_on_every_page_leads_to_a_built_page_and_anchor(repo, tmp_path):
    from urllib.parse import unquote, urljoin, urlsplit

    out = tmp_path / "out"
    build(repo, out)
    pages = {p.relative_to(out).as_posix(): Page(p.read_text()) for p in out.rglob("index.html")}
    checked = 0
    for name, doc in pages.items():
        here = "https://site.test/" + name
        for attrs in doc.all("a") + doc.all("link"):
            href = attrs.get("href", "")
            if attrs.get("rel") == "canonical" or href.startswith("https://policies.example.com/"):
                continue
            target = urlsplit(urljoin(here, href))
            assert target.netloc == "site.test", (name, href)
            path = unquote(target.path.lstrip("/"))
            path = path + "index.html" if path.endswith("/") or not path else path
            assert (out / path).is_file(), (name, href)
            if target.fragment and path.endswith(".html"):
                assert any(a.get("id") == target.fragment for _, a in pages[path].tags), (name, href)
            checked += 1
    assert checked > 100


def test_the_addresses_notices_link_to_are_all_built(repo, tmp_path):
    from policywatch import urls

    build(repo, tmp_path / "out")
    for version in ("1.0", "2.0"):
        for path in (urls.policy_path("privacy"), urls.version_path("privacy", version)):
            assert (tmp_path / "out" / path / "index.html").is_file(), path
        assert (tmp_path / "out" / urls.redline_path("privacy", version) / "index.html").is_file()
    assert (tmp_path / "out" / urls.feed_path()).is_file()
