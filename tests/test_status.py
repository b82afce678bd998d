"""`policywatch status`: for each policy, its last release and what a publish would release now."""

import json

from policywatch.project import open_project
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, run, small_repo, tag_release


def test_status_json_gives_each_policy_its_pending_verdict(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    edit(repo, "terms", "You may cancel at any time.", "You may cancel at any time!")
    data = {row["slug"]: row["pending"] for row in json.loads(run("status", "--format", "json").stdout)}
    assert data == {"privacy": "material", "terms": "minor"}


def test_status_text_has_a_pending_column(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MINOR_EDIT)
    lines = run("status").stdout.splitlines()
    assert lines[0].split()[-1] == "PENDING"
    assert next(ln for ln in lines if ln.startswith("privacy")).split()[-1] == "minor"
    assert next(ln for ln in lines if ln.startswith("terms")).split()[-1] == "none"


def test_status_shows_a_policy_never_released_as_its_initial_release(tmp_path, in_repo):
    in_repo(small_repo(tmp_path))
    data = {row["slug"]: row["pending"] for row in json.loads(run("status", "-f", "json").stdout)}
    assert data == {"privacy": "initial", "terms": "initial"}


def test_status_reads_the_published_release(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    run("publish", "--yes", "--date", "2024-03-15")
    from policywatch.release.status import policy_statuses

    status = {s.slug: s for s in policy_statuses(open_project(repo.root))}
    assert (status["privacy"].last_release, status["privacy"].changed_since_release) == ("privacy/v2.0", False)


def test_status_lists_every_policy(policy_repo, in_repo):
    in_repo(policy_repo)
    result = run("status")
    assert result.exit_code == 0
    assert "zepp-privacy" in result.output and "Zepp Health Privacy Policy" in result.output
    assert "fitbit-store-privacy" in result.output
    assert "never released" in result.output


def test_status_json_reports_release_and_pending_change(policy_repo, in_repo):
    in_repo(policy_repo)
    tag_release(policy_repo, "zepp-privacy")
    policy_repo.write("policies/zepp-privacy.md", policy_repo.read("policies/zepp-privacy.md") + "\nNew clause.\n")
    data = {row["slug"]: row for row in json.loads(run("status", "--format", "json").stdout)}
    assert data["zepp-privacy"]["last_release"] == "zepp-privacy/v1.0"
    assert data["zepp-privacy"]["changed_since_release"] is True
    assert data["zepp-privacy"]["effective"] == "2024-08-09"
    assert data["fitbit-store-privacy"]["last_release"] is None


def test_status_says_clean_when_nothing_changed_since_the_release(policy_repo, in_repo):
    in_repo(policy_repo)
    tag_release(policy_repo, "zepp-privacy")
    data = {row["slug"]: row for row in json.loads(run("status", "-f", "json").stdout)}
    assert data["zepp-privacy"]["changed_since_release"] is False


def test_status_works_in_a_repository_with_no_commits(empty_repo, in_repo):
    in_repo(empty_repo)
    empty_repo.write("policies/terms.md", "# Terms\n")
    result = run("status")
    assert result.exit_code == 0
    assert "no commits" in result.output
