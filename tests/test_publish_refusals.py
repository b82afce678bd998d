"""What publish refuses: exit 2, one line naming the cause, nothing written."""

import pytest

from tests._publish_support import assert_one_line_error, edit, released_repo, run, snapshot


def assert_refused(result, repo, before, *fragments):
    assert_one_line_error(result, *fragments)
    assert snapshot(repo) == before


def test_uncommitted_edits_to_a_policy_file_are_refused(changed):
    edit(changed, "terms", "You may cancel", "You may not cancel")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "policies/terms.md: uncommitted edits")


def test_an_untracked_policy_file_is_refused(changed):
    changed.write("policies/cookies.md", "# Cookies\n")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "policies/cookies.md: uncommitted edits")


def test_an_effective_date_moved_back_by_hand_is_refused(changed):
    edit(changed, "privacy", "effective: 2024-03-01", "effective: 2024-01-01")
    changed.commit("Backdate")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "effective date 2024-01-01 is earlier than 2024-03-01")


def test_an_existing_tag_is_refused(changed):
    changed.git("checkout", "-q", "-b", "side", "HEAD~1")
    edit(changed, "privacy", "We will not sell", "We shall never sell")
    changed.commit("Released on another branch")
    changed.tag("privacy/v2.0", "made elsewhere")
    changed.git("checkout", "-q", "main")
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "tag privacy/v2.0 already exists")


def test_a_repository_in_the_middle_of_a_merge_is_refused(changed):
    changed.git("checkout", "-q", "-b", "other", "HEAD~1")
    edit(changed, "terms", "You may cancel", "You can cancel")
    changed.commit("Other edit")
    changed.git("checkout", "-q", "main")
    edit(changed, "terms", "You may cancel", "You cannot cancel")
    changed.commit("Conflicting edit")
    changed.git("merge", "other", check=False)
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "in the middle of a merge")


def test_a_repository_in_the_middle_of_a_rebase_is_refused(changed):
    changed.git("checkout", "-q", "-b", "other", "HEAD~1")
    edit(changed, "privacy", "We will not sell", "We shall never sell")
    changed.commit("Conflicting edit")
    changed.git("rebase", "main", check=False)
    before = snapshot(changed)
    assert_refused(run("publish", "--yes"), changed, before, "in the middle of a rebase")


def test_a_publication_date_before_the_last_publication_is_refused(changed):
    run("publish", "--yes", "--date", "2024-03-15")
    edit(changed, "terms", "You may cancel at any time.", "You may cancel at any time!")
    changed.commit("Exclaim")
    edit(changed, "privacy", "We collect your email address", "We collect your email address and phone number")
    changed.commit("Collect phone numbers")
    before = snapshot(changed)
    assert_refused(
        run("publish", "--yes", "--date", "2024-03-10"),
        changed,
        before,
        "publication date 2024-03-10 is before 2024-03-15, when privacy/v2.0 was published",
    )


@pytest.mark.parametrize(
    ("old", "new", "message", "refusal"),
    [
        pytest.param(
            "effective: 2024-03-01",
            "effective: 2023-12-01",
            "Backdate terms",
            "policies/terms.md: effective date 2023-12-01 is earlier than 2024-03-01",
            id="a_backdated_effective_date",
        ),
        pytest.param(
            'version: "1.0"',
            'version: "0.9"',
            "Lower the version",
            "policies/terms.md: version 0.9 is lower than 1.0",
            id="a_lowered_version",
        ),
    ],
)
def test_contradicting_metadata_alone_is_refused_not_nothing_to_publish(tmp_path, in_repo, old, new, message, refusal):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "terms", old, new)
    repo.commit(message)
    assert run("check").exit_code == 1
    assert_refused(run("publish", "--yes"), repo, snapshot(repo), refusal)


def test_a_publication_date_whose_notice_ends_after_year_9999_is_one_line(changed):
    assert_refused(
        run("publish", "--yes", "--date", "9999-12-15"),
        changed,
        snapshot(changed),
        "policies/privacy.md: publication date 9999-12-15 plus notice_days 30 is past 9999-12-31",
    )


def test_a_huge_notice_period_is_one_line(changed):
    changed.commit("Huge notice period", {"policywatch.toml": "notice_days = 100000000000\n"})
    assert_refused(run("publish", "--yes"), changed, snapshot(changed), "notice_days 100000000000")


def test_an_emptied_policy_is_refused_by_publish_and_check(changed):
    body_start = changed.read("policies/terms.md").index("# Terms")
    changed.commit("Empty terms", {"policies/terms.md": changed.read("policies/terms.md")[:body_start]})
    assert_refused(run("publish", "--yes"), changed, snapshot(changed), "policies/terms.md: the policy has no text")
    result = run("check")
    assert result.exit_code == 2 and "git rm policies/terms.md" in result.stderr


def test_a_policy_left_with_only_its_heading_and_date_line_is_empty(changed):
    text = '---\ntitle: Terms\nversion: "1.0"\n---\n# Terms of Service\n\nLast updated: 1 March 2024\n'
    changed.commit("Strip terms", {"policies/terms.md": text})
    result = run("check")
    assert result.exit_code == 2 and "policies/terms.md: the policy has no text" in result.stderr
