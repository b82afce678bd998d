"""The site's files for applications (api/<slug>/current.json, versions.json) and `site build --if-due`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest

from policywatch.project import open_project
from policywatch.site.build import build_project_site
from policywatch.site.due import STATE_FILE, site_due
from tests._git_support import new_git_project
from tests._publish_support import run
from tests._site_support import TODAY, V1, V2, release, tag_release, two_release_repo

BASE = "https://policies.example.com/"
D = dt.date.fromisoformat
CURRENT_KEYS = [
    "schema",
    "policy",
    "title",
    "version",
    "effective",
    "classification",
    "material",
    "published",
    "sha256",
    "url",
    "text_url",
    "upcoming",
    "acceptance_required",
    "acceptance_version",
    "withdrawn",
    "versions_url",
]
UPCOMING_KEYS = ["version", "effective", "switch_at", "classification", "material", "published", "sha256"]
UPCOMING_KEYS += ["url", "text_url"]
VERSION_KEYS = ["version", "effective", "effective_from", "effective_until", "replaced_by", "classification"]
VERSION_KEYS += ["material", "published", "sha256", "url", "text_url"]


@pytest.fixture
def repo(tmp_path):
    """privacy 1.0 (initial, from 2024-01-15) and 2.0 (material, published 2024-03-01, effective 2024-03-31)."""
    return two_release_repo(tmp_path / "repo")


def build(repo, out: Path, today: dt.date = TODAY):
    return build_project_site(open_project(repo.root), out, base_url=BASE, today=today)


def api(out: Path, slug: str, name: str) -> dict:
    return json.loads((out / "api" / slug / name).read_bytes())


def with_minor(tmp_path, effective: str, published: str):
    """The two-release repository plus a minor 2.1."""
    project = two_release_repo(tmp_path / "repo")
    project.commit("Tidy", {"policies/privacy.md": V2 + "\nSmall fix.\n"}, date="2024-03-05T09:00:00+00:00")
    tag_release(
        project,
        release("privacy", "Example Privacy Policy", "2.1", "2.0", "minor", effective, published=D(published)),
    )
    return project


# --- current.json ----------------------------------------------------------------------------------------------------


def test_current_json_gives_the_version_in_force_and_the_upcoming_one_with_its_switch_time(repo, tmp_path):
    build(repo, tmp_path / "out")
    current = api(tmp_path / "out", "privacy", "current.json")
    assert (current["version"], current["effective"]) == ("1.0", "2024-01-15")
    upcoming = current["upcoming"]
    assert (upcoming["version"], upcoming["effective"], upcoming["switch_at"]) == (
        "2.0",
        "2024-03-31",
        "2024-03-31T00:00:00Z",
    )
    assert dt.datetime.fromisoformat(upcoming["switch_at"]) == dt.datetime(2024, 3, 31, tzinfo=dt.UTC)


def test_current_json_keys_come_in_a_fixed_order(repo, tmp_path):
    build(repo, tmp_path / "out")
    current = api(tmp_path / "out", "privacy", "current.json")
    assert list(current) == CURRENT_KEYS and list(current["upcoming"]) == UPCOMING_KEYS


def test_on_its_effective_date_the_new_version_is_current_and_nothing_is_upcoming(repo, tmp_path):
    build(repo, tmp_path / "out", today=D("2024-03-31"))
    current = api(tmp_path / "out", "privacy", "current.json")
    assert (current["version"], current["effective"], current["upcoming"]) == ("2.0", "2024-03-31", None)


def test_the_day_before_its_effective_date_the_old_version_is_still_current(repo, tmp_path):
    build(repo, tmp_path / "out", today=D("2024-03-30"))
    assert api(tmp_path / "out", "privacy", "current.json")["version"] == "1.0"


def test_current_json_carries_the_sha256_of_the_text_exactly_as_released(repo, tmp_path):
    build(repo, tmp_path / "out")
    current = api(tmp_path / "out", "privacy", "current.json")
    assert current["sha256"] == hashlib.sha256(V1.encode("utf-8")).hexdigest()
    assert current["upcoming"]["sha256"] == hashlib.sha256(V2.encode("utf-8")).hexdigest()


def test_the_sha256_matches_the_file_the_site_serves_and_the_one_show_prints(repo, tmp_path, in_repo):
    build(repo, tmp_path / "out")
    current = api(tmp_path / "out", "privacy", "current.json")
    served = (tmp_path / "out" / current["text_url"].removeprefix(BASE)).read_bytes()
    in_repo(repo)
    shown = run("show", "privacy@1.0").stdout_bytes
    assert hashlib.sha256(served).hexdigest() == hashlib.sha256(shown).hexdigest() == current["sha256"]


def test_current_json_urls_point_at_pages_the_site_builds(repo, tmp_path):
    build(repo, tmp_path / "out")
    current = api(tmp_path / "out", "privacy", "current.json")
    for url in (current["url"], current["upcoming"]["url"]):
        assert url.startswith(BASE) and (tmp_path / "out" / url.removeprefix(BASE) / "index.html").is_file()
    assert (tmp_path / "out" / current["versions_url"].removeprefix(BASE)).is_file()


def test_a_material_upcoming_version_requires_acceptance_of_itself(repo, tmp_path):
    build(repo, tmp_path / "out")
    current = api(tmp_path / "out", "privacy", "current.json")
    assert (current["acceptance_required"], current["acceptance_version"]) == (True, "2.0")


def test_a_minor_version_in_force_never_requires_acceptance_again(tmp_path):
    repo = with_minor(tmp_path, "2024-04-10", "2024-03-05")
    build(repo, tmp_path / "out", today=D("2024-04-10"))
    current = api(tmp_path / "out", "privacy", "current.json")
    assert (current["version"], current["material"], current["acceptance_required"]) == ("2.1", False, False)


def test_after_a_minor_version_the_material_one_before_it_is_still_the_one_to_have_accepted(tmp_path):
    repo = with_minor(tmp_path, "2024-04-10", "2024-03-05")
    build(repo, tmp_path / "out", today=D("2024-04-10"))
    assert api(tmp_path / "out", "privacy", "current.json")["acceptance_version"] == "2.0"


def test_a_first_version_not_yet_in_effect_is_upcoming_with_nothing_in_force(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "# Terms\n\nText.\n"})
    tag_release(project, release("terms", "Terms", "1.0", None, "initial", "2024-05-01", published=D("2024-04-01")))
    build(project, tmp_path / "out", today=D("2024-04-15"))
    current = api(tmp_path / "out", "terms", "current.json")
    assert list(current) == CURRENT_KEYS
    assert (current["version"], current["sha256"], current["upcoming"]["version"]) == (None, None, "1.0")
    assert current["acceptance_version"] == "1.0"


def test_a_withdrawn_policy_has_nothing_in_force_and_says_when_it_was_withdrawn(repo, tmp_path):
    repo.git("rm", "-q", "policies/privacy.md")
    repo.commit("Withdraw", date="2024-05-10T09:00:00+00:00")
    build(repo, tmp_path / "out", today=D("2024-06-01"))
    current = api(tmp_path / "out", "privacy", "current.json")
    assert (current["version"], current["upcoming"], current["acceptance_required"]) == (None, None, False)
    assert current["withdrawn"] == {"on": "2024-05-10", "renamed_to": None}


# --- versions.json ---------------------------------------------------------------------------------------------------


def test_versions_json_gives_every_version_the_days_from_and_until_it_was_in_force(repo, tmp_path):
    build(repo, tmp_path / "out")
    versions = api(tmp_path / "out", "privacy", "versions.json")["versions"]
    assert [(v["version"], v["effective_from"], v["effective_until"]) for v in versions] == [
        ("1.0", "2024-01-15", "2024-03-31"),
        ("2.0", "2024-03-31", None),
    ]
    assert all(list(v) == VERSION_KEYS for v in versions)
    assert [v["material"] for v in versions] == [False, True]


def test_versions_json_marks_a_version_replaced_before_it_took_effect(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/terms.md": "# Terms\n\nOne.\n"})
    tag_release(project, release("terms", "Terms", "1.0", None, "initial", "2024-01-01"))
    project.commit("Two", {"policies/terms.md": "# Terms\n\nTwo.\n"})
    tag_release(project, release("terms", "Terms", "2.0", "1.0", "material", "2024-03-01", published=D("2024-02-01")))
    project.commit("Three", {"policies/terms.md": "# Terms\n\nThree.\n"})
    tag_release(project, release("terms", "Terms", "3.0", "2.0", "material", "2024-02-20", published=D("2024-02-10")))
    build(project, tmp_path / "out", today=D("2024-04-01"))
    replaced = api(tmp_path / "out", "terms", "versions.json")["versions"][1]
    assert (replaced["effective_from"], replaced["effective_until"], replaced["replaced_by"]) == (None, None, "3.0")
    assert replaced["effective"] == "2024-03-01"


def test_versions_json_ends_the_last_version_on_the_day_of_withdrawal(repo, tmp_path):
    repo.git("rm", "-q", "policies/privacy.md")
    repo.commit("Withdraw", date="2024-05-10T09:00:00+00:00")
    build(repo, tmp_path / "out", today=D("2024-06-01"))
    data = api(tmp_path / "out", "privacy", "versions.json")
    assert data["versions"][-1]["effective_until"] == "2024-05-10" and data["withdrawn"]["on"] == "2024-05-10"


def test_versions_json_does_not_depend_on_the_day_of_the_build(repo, tmp_path):
    build(repo, tmp_path / "a", today=D("2024-03-01"))
    build(repo, tmp_path / "b", today=D("2024-04-01"))
    name = "api/privacy/versions.json"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_same_repository_built_twice_the_same_day_gives_byte_identical_api_files(repo, tmp_path):
    project = open_project(repo.root)
    morning, evening = dt.datetime(2024, 3, 1, 6, tzinfo=dt.UTC), dt.datetime(2024, 3, 1, 23, 59, tzinfo=dt.UTC)
    build_project_site(project, tmp_path / "a", base_url=BASE, now=morning)
    build_project_site(project, tmp_path / "b", base_url=BASE, now=evening)
    for name in ("api/privacy/current.json", "api/privacy/versions.json", STATE_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


# --- --if-due --------------------------------------------------------------------------------------------------------


def test_a_site_never_built_is_due(repo, tmp_path):
    due = site_due(open_project(repo.root), tmp_path / "out", today=TODAY, base_url=BASE)
    assert due.due and "no earlier build" in due.reason


def test_nothing_is_due_the_same_day_with_nothing_released(repo, tmp_path):
    build(repo, tmp_path / "out")
    due = site_due(open_project(repo.root), tmp_path / "out", today=TODAY, base_url=BASE)
    assert not due.due and due.reason == f"nothing due: {tmp_path / 'out'} is up to date (next change on 2024-03-31)"


def test_nothing_is_due_the_day_before_a_version_takes_effect(repo, tmp_path):
    build(repo, tmp_path / "out")
    assert not site_due(open_project(repo.root), tmp_path / "out", today=D("2024-03-30"), base_url=BASE).due


def test_a_build_is_due_on_the_day_a_version_takes_effect(repo, tmp_path):
    build(repo, tmp_path / "out", today=D("2024-03-30"))
    due = site_due(open_project(repo.root), tmp_path / "out", today=D("2024-03-31"), base_url=BASE)
    assert due.due and due.reason == "privacy 2.0 has taken effect"


def test_a_build_is_due_after_a_new_release(repo, tmp_path):
    build(repo, tmp_path / "out")
    repo.commit("Tidy", {"policies/privacy.md": V2 + "\nSmall fix.\n"})
    tag_release(repo, release("privacy", "Example Privacy Policy", "2.1", "2.0", "minor", "2024-04-10"))
    due = site_due(open_project(repo.root), tmp_path / "out", today=TODAY, base_url=BASE)
    assert due.due and due.reason == "releases changed since the last build"


def test_a_build_is_due_after_a_policy_is_withdrawn(repo, tmp_path):
    build(repo, tmp_path / "out")
    repo.git("rm", "-q", "policies/privacy.md")
    repo.commit("Withdraw", date="2024-03-01T10:00:00+00:00")
    assert site_due(open_project(repo.root), tmp_path / "out", today=TODAY, base_url=BASE).due


def test_an_unreadable_record_of_the_last_build_makes_a_build_due(repo, tmp_path):
    build(repo, tmp_path / "out")
    (tmp_path / "out" / STATE_FILE).write_text("{not json")
    due = site_due(open_project(repo.root), tmp_path / "out", today=TODAY, base_url=BASE)
    assert due.due and "cannot be read" in due.reason


def switching_today(tmp_path):
    """privacy 1.0 in force, and 2.0 taking effect today (the real one, as the command sees it)."""
    today = dt.datetime.now(dt.UTC).date()
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/privacy.md": V1})
    tag_release(project, release("privacy", "Example Privacy Policy", "1.0", None, "initial", "2024-01-15"))
    project.commit("Share", {"policies/privacy.md": V2})
    published = today - dt.timedelta(days=30)
    tag_release(
        project,
        release("privacy", "Example Privacy Policy", "2.0", "1.0", "material", today.isoformat(), published=published),
    )
    return project, today


def test_site_build_if_due_rebuilds_when_a_version_takes_effect_today(tmp_path, in_repo):
    project, today = switching_today(tmp_path)
    build(project, tmp_path / "out", today=today - dt.timedelta(days=1))
    assert api(tmp_path / "out", "privacy", "current.json")["upcoming"]["version"] == "2.0"
    in_repo(project)
    result = run("site", "build", str(tmp_path / "out"), "--base-url", BASE, "--if-due")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "due: privacy 2.0 has taken effect"
    assert api(tmp_path / "out", "privacy", "current.json")["version"] == "2.0"


def test_site_build_if_due_leaves_an_up_to_date_site_alone_with_one_line(tmp_path, in_repo):
    project, _ = switching_today(tmp_path)
    in_repo(project)
    assert run("site", "build", str(tmp_path / "out"), "--base-url", BASE).exit_code == 0
    before = os.stat(tmp_path / "out").st_ino, (tmp_path / "out" / STATE_FILE).read_bytes()
    result = run("site", "build", str(tmp_path / "out"), "--base-url", BASE, "--if-due")
    assert result.exit_code == 0
    assert result.stdout == f"nothing due: {tmp_path / 'out'} is up to date\n"
    assert (os.stat(tmp_path / "out").st_ino, (tmp_path / "out" / STATE_FILE).read_bytes()) == before


def test_a_version_taking_effect_tomorrow_is_not_due_today_but_is_tomorrow(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    tomorrow = today + dt.timedelta(days=1)
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/privacy.md": V1})
    tag_release(project, release("privacy", "Example Privacy Policy", "1.0", None, "initial", "2024-01-15"))
    project.commit("Share", {"policies/privacy.md": V2})
    tag_release(
        project,
        release("privacy", "Example Privacy Policy", "2.0", "1.0", "material", tomorrow.isoformat(), published=today),
    )
    build(project, tmp_path / "out", today=today)
    assert api(tmp_path / "out", "privacy", "current.json")["upcoming"]["switch_at"] == f"{tomorrow}T00:00:00Z"
    assert not site_due(open_project(project.root), tmp_path / "out", today=today, base_url=BASE).due
    assert site_due(open_project(project.root), tmp_path / "out", today=tomorrow, base_url=BASE).due


def test_a_first_site_build_with_if_due_builds_the_site(repo, tmp_path, in_repo):
    in_repo(repo)
    result = run("site", "build", str(tmp_path / "out"), "--base-url", BASE, "--if-due")
    assert result.exit_code == 0 and result.stdout.startswith("due: no earlier build is recorded in")
    assert (tmp_path / "out" / "api" / "privacy" / "current.json").is_file()
