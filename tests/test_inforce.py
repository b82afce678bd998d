"""Which version is in force on a day: the timeline of real releases, and the in-force command."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from policywatch.errors import NothingInForce, PolicyNotFound
from policywatch.project import open_project
from policywatch.release.inforce import policy_timeline, timeline
from tests._git_support import new_git_project
from tests._publish_support import assert_one_line_error, run
from tests._site_support import V1, V2, release, tag_release, two_release_repo

D = dt.date.fromisoformat


@pytest.fixture
def repo(tmp_path):
    """privacy 1.0 (initial, from 2024-01-15) and 2.0 (material, published 2024-03-01, effective 2024-03-31)."""
    return two_release_repo(tmp_path / "repo")


def records(*specs: tuple[str, str, str]) -> list:
    """Releases of 'p' from (version, classification, effective), published on their effective date."""
    return [release("p", "P", v, None, kind, eff) for v, kind, eff in specs]


def three_releases(tmp_path, third_effective: str, third_published: str):
    """The two-release repository plus a minor 2.1 with the given dates."""
    project = two_release_repo(tmp_path / "repo")
    project.commit("Tidy", {"policies/privacy.md": V2 + "\nSmall fix.\n"}, date="2024-03-05T09:00:00+00:00")
    tag_release(
        project,
        release(
            "privacy", "Example Privacy Policy", "2.1", "2.0", "minor", third_effective, published=D(third_published)
        ),
    )
    return project


# --- The library -------------------------------------------------------------------------------------------------


def test_the_version_in_force_is_the_newest_whose_effective_date_has_come(repo):
    line = policy_timeline(open_project(repo.root), "privacy")
    assert line.in_force(D("2024-03-30")).version == "1.0"
    assert line.in_force(D("2024-03-31")).version == "2.0"


def test_a_version_is_in_force_on_its_effective_date_itself(repo):
    answer = policy_timeline(open_project(repo.root), "privacy").in_force(D("2024-01-15"))
    assert (answer.version, answer.effective) == ("1.0", D("2024-01-15"))


def test_the_upcoming_version_is_one_published_by_the_day_that_takes_effect_later(repo):
    answer = policy_timeline(open_project(repo.root), "privacy").in_force(D("2024-03-01"))
    assert [(p.version, p.start) for p in answer.upcoming] == [("2.0", D("2024-03-31"))]


def test_a_version_not_yet_published_on_the_day_is_not_upcoming_then(repo):
    answer = policy_timeline(open_project(repo.root), "privacy").in_force(D("2024-02-29"))
    assert answer.version == "1.0" and answer.upcoming == ()


def test_the_timeline_gives_each_version_the_days_from_and_until_it_was_in_force(repo):
    line = policy_timeline(open_project(repo.root), "privacy")
    assert [(p.version, p.start, p.end) for p in line.periods] == [
        ("1.0", D("2024-01-15"), D("2024-03-31")),
        ("2.0", D("2024-03-31"), None),
    ]


def test_a_version_replaced_before_it_took_effect_says_which_applied_instead():
    specs = [("1.0", "initial", "2024-01-01"), ("2.0", "material", "2024-03-01"), ("3.0", "material", "2024-02-01")]
    line = timeline("p", records(*specs))
    replaced = line.periods[1]
    assert (replaced.start, replaced.end, replaced.replaced_by) == (None, None, "3.0")
    assert (line.periods[0].end, line.periods[2].start) == (D("2024-02-01"), D("2024-02-01"))


def test_the_periods_agree_with_the_newest_version_whose_date_has_come_on_every_day():
    specs = [("1.0", "initial", "2024-01-10"), ("1.1", "minor", "2024-01-20"), ("2.0", "material", "2024-03-01")]
    specs += [("2.1", "minor", "2024-02-15"), ("3.0", "material", "2024-04-01"), ("3.1", "minor", "2024-04-01")]
    releases = records(*specs)
    line = timeline("p", releases)
    for offset in range(120):
        day = D("2024-01-01") + dt.timedelta(days=offset)
        newest = [r.version for r in releases if r.effective <= day]
        period = line.period(day)
        assert (period.version if period else None) == (newest[-1] if newest else None), day


def test_a_day_before_the_first_effective_date_is_refused_naming_the_first_version(repo):
    said = r"no version of privacy is in force on 2024-01-14: its first version, 1\.0, takes effect on 2024-01-15"
    with pytest.raises(NothingInForce, match=said):
        policy_timeline(open_project(repo.root), "privacy").in_force(D("2024-01-14"))


def test_a_policy_never_released_has_nothing_in_force(tmp_path):
    project = new_git_project(tmp_path / "repo")
    project.commit("Add", {"policies/privacy.md": V1})
    with pytest.raises(NothingInForce, match="privacy has no release yet"):
        policy_timeline(open_project(project.root), "privacy").in_force(D("2024-06-01"))


def test_an_unknown_slug_names_the_known_ones(repo):
    with pytest.raises(PolicyNotFound, match=r"no policy 'privcy' \(known: privacy\)"):
        policy_timeline(open_project(repo.root), "privcy")


def test_a_withdrawn_policy_ends_its_last_version_on_the_day_its_file_was_deleted(repo):
    repo.git("rm", "-q", "policies/privacy.md")
    repo.commit("Withdraw the privacy policy", date="2024-05-10T09:00:00+00:00")
    line = policy_timeline(open_project(repo.root), "privacy")
    assert line.withdrawn == D("2024-05-10")
    assert (line.periods[-1].start, line.periods[-1].end) == (D("2024-03-31"), D("2024-05-10"))
    assert line.in_force(D("2024-05-09")).version == "2.0"


def test_no_version_of_a_withdrawn_policy_is_in_force_after_its_withdrawal(repo):
    repo.git("rm", "-q", "policies/privacy.md")
    repo.commit("Withdraw the privacy policy", date="2024-05-10T09:00:00+00:00")
    said = "privacy was withdrawn on 2024-05-10: no version of it is in force on 2024-05-10"
    with pytest.raises(NothingInForce, match=said):
        policy_timeline(open_project(repo.root), "privacy").in_force(D("2024-05-10"))


def test_a_version_due_after_the_policy_was_withdrawn_never_takes_effect(repo):
    repo.git("rm", "-q", "policies/privacy.md")
    repo.commit("Withdraw the privacy policy", date="2024-03-10T09:00:00+00:00")
    line = policy_timeline(open_project(repo.root), "privacy")
    assert [(p.version, p.start, p.end) for p in line.periods] == [
        ("1.0", D("2024-01-15"), D("2024-03-10")),
        ("2.0", None, None),
    ]
    assert line.upcoming(D("2024-03-10")) == []


def test_a_renamed_policy_says_what_it_became(repo):
    repo.git("mv", "policies/privacy.md", "policies/privacy-notice.md")
    repo.commit("Rename", date="2024-05-10T09:00:00+00:00")
    with pytest.raises(NothingInForce, match="privacy was renamed to privacy-notice on 2024-05-10"):
        policy_timeline(open_project(repo.root), "privacy").in_force(D("2024-06-01"))


# --- The command ---------------------------------------------------------------------------------------------------


def test_in_force_json_gives_the_version_its_date_and_the_upcoming_one(repo, in_repo):
    in_repo(repo)
    result = run("in-force", "privacy", "--date", "2024-03-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["version"], data["effective"]) == ("1.0", "2024-01-15")
    assert data["upcoming"] == {"version": "2.0", "effective": "2024-03-31", "material": True}


def test_in_force_json_has_no_upcoming_once_the_last_version_took_effect(repo, in_repo):
    in_repo(repo)
    data = json.loads(run("in-force", "privacy", "--date", "2024-03-31", "--format", "json").stdout)
    assert (data["version"], data["effective"], data["upcoming"]) == ("2.0", "2024-03-31", None)


def test_in_force_text_names_the_version_and_the_upcoming_one_for_people(repo, in_repo):
    in_repo(repo)
    result = run("in-force", "privacy", "--date", "2024-03-30")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "privacy 1.0 is in force on 2024-03-30 (from 2024-01-15 until 2024-03-31; first version)",
        "upcoming: 2.0 takes effect on 2024-03-31 (material change; to be accepted again)",
    ]


def test_in_force_says_a_minor_upcoming_version_needs_no_new_acceptance(tmp_path, in_repo):
    in_repo(three_releases(tmp_path, "2024-04-10", "2024-03-05"))
    lines = run("in-force", "privacy", "--date", "2024-04-01").stdout.splitlines()
    assert lines[1] == "upcoming: 2.1 takes effect on 2024-04-10 (minor change; no new acceptance needed)"


def test_in_force_defaults_to_today(repo, in_repo):
    in_repo(repo)
    today = dt.datetime.now(dt.UTC).date()
    data = json.loads(run("in-force", "privacy", "--format", "json").stdout)
    assert data["date"] == today.isoformat() and data["version"] == "2.0"


@pytest.mark.parametrize("bad", ["2024-13-01", "tomorrow", "2024-02-30"])
def test_in_force_with_a_bad_date_is_one_line_naming_it(repo, in_repo, bad):
    in_repo(repo)
    assert_one_line_error(run("in-force", "privacy", "--date", bad), f"--date: '{bad}'")


def test_in_force_of_an_unknown_policy_names_the_known_ones(repo, in_repo):
    in_repo(repo)
    assert_one_line_error(run("in-force", "privcy"), "no policy 'privcy' (known: privacy)")


def test_in_force_before_the_first_version_exits_1_with_one_line(repo, in_repo):
    in_repo(repo)
    result = run("in-force", "privacy", "--date", "2023-12-31")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        "policywatch: error: no version of privacy is in force on 2023-12-31: "
        "its first version, 1.0, takes effect on 2024-01-15"
    )


def test_in_force_of_a_withdrawn_policy_exits_1_saying_when(repo, in_repo):
    in_repo(repo)
    repo.git("rm", "-q", "policies/privacy.md")
    repo.commit("Withdraw", date="2024-05-10T09:00:00+00:00")
    result = run("in-force", "privacy", "--date", "2024-06-01")
    assert result.exit_code == 1
    assert "privacy was withdrawn on 2024-05-10" in result.stderr and len(result.stderr.splitlines()) == 1


def test_in_force_of_a_policy_never_released_exits_1(tmp_path, in_repo):
    project = in_repo(new_git_project(tmp_path / "repo"))
    project.commit("Add", {"policies/privacy.md": V1})
    result = run("in-force", "privacy")
    assert result.exit_code == 1 and "privacy has no release yet" in result.stderr
