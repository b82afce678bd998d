"""The pending verdict of each policy: last release against the committed text or the working tree."""

import pytest

from policywatch.project import open_project
from policywatch.release.pending import parse_trailer, pending_changes
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, small_repo


def verdicts(project, **kwargs):
    return {p.slug: p.verdict for p in pending_changes(open_project(project.root), **kwargs)}


def test_policies_unchanged_since_their_release_have_nothing_pending(tmp_path):
    repo = released_repo(tmp_path)
    assert verdicts(repo) == {"privacy": "none", "terms": "none"}


def test_a_policy_never_released_is_pending_its_first_release(tmp_path):
    repo = small_repo(tmp_path)
    assert verdicts(repo) == {"privacy": "initial", "terms": "initial"}


def test_a_committed_change_of_words_is_material_with_reasons(tmp_path):
    repo = released_repo(tmp_path)
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    item = next(p for p in pending_changes(open_project(repo.root)) if p.slug == "privacy")
    assert item.verdict == "material"
    assert item.decided_by == "engine"
    assert any("We may sell" in r for r in item.reasons)


def test_a_punctuation_only_change_is_minor(tmp_path):
    repo = released_repo(tmp_path)
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Punctuation")
    assert verdicts(repo)["privacy"] == "minor"


def test_rewritten_date_lines_alone_are_no_change(tmp_path):
    repo = released_repo(tmp_path)
    edit(repo, "privacy", "Effective Date: March 1, 2024", "Effective Date: April 2, 2024")
    edit(repo, "privacy", "effective: 2024-03-01", "effective: 2024-04-02")
    repo.commit("Move the date")
    assert verdicts(repo)["privacy"] == "none"


def test_head_ignores_uncommitted_edits_and_the_working_tree_sees_them(tmp_path):
    repo = released_repo(tmp_path)
    edit(repo, "privacy", *MATERIAL_EDIT)
    assert verdicts(repo)["privacy"] == "none"
    assert verdicts(repo, rev=None)["privacy"] == "material"


def test_a_policy_change_trailer_overrules_the_engine_and_names_its_commit(tmp_path):
    repo = released_repo(tmp_path)
    edit(repo, "privacy", *MATERIAL_EDIT)
    sha = repo.commit("Reword sharing\n\nPolicy-Change: minor (counsel: clarifies existing practice)")
    item = next(p for p in pending_changes(open_project(repo.root)) if p.slug == "privacy")
    assert (item.verdict, item.engine_verdict) == ("minor", "material")
    assert item.decision.by == "trailer"
    assert item.decision.commit == sha
    assert item.decision.note == "counsel: clarifies existing practice"


def test_the_as_option_overrules_both_engine_and_trailer(tmp_path):
    repo = released_repo(tmp_path)
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Punctuation\n\nPolicy-Change: minor")
    item = next(p for p in pending_changes(open_project(repo.root), override="material") if p.slug == "privacy")
    assert item.verdict == "material"
    assert item.decided_by == "option"


def test_a_trailer_on_an_unchanged_policy_decides_nothing(tmp_path):
    repo = released_repo(tmp_path)
    repo.commit("Empty\n\nPolicy-Change: material", {"README.md": "x\n"})
    assert verdicts(repo)["privacy"] == "none"


def test_trailer_parsing_takes_the_last_valid_trailer_and_ignores_other_values():
    assert parse_trailer("Subject\n\nPolicy-Change: material\npolicy-change: Minor") == ("minor", "")
    assert parse_trailer("Subject\n\nPolicy-Change: maybe") is None
    assert parse_trailer("No trailer here") is None


@pytest.mark.parametrize(
    ("old", "new", "message", "problem"),
    [
        pytest.param(
            "effective: 2024-03-01",
            "effective: 2024-02-01",
            "Backdate",
            "earlier than 2024-03-01",
            id="an_effective_date_moved_before_the_release",
        ),
        pytest.param(
            'version: "1.0"',
            'version: "0.9"',
            "Lower version",
            "version 0.9 is lower than 1.0",
            id="a_version_lower_than_the_released_one",
        ),
    ],
)
def test_metadata_that_contradicts_the_release_is_a_contradiction(tmp_path, old, new, message, problem):
    repo = released_repo(tmp_path)
    edit(repo, "terms", old, new)
    repo.commit(message)
    item = next(p for p in pending_changes(open_project(repo.root)) if p.slug == "terms")
    assert any(problem in p for p in item.problems)


def test_pending_at_an_older_revision_reads_that_revision(tmp_path):
    repo = released_repo(tmp_path)
    first = repo.head()
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    assert verdicts(repo, rev=first)["privacy"] == "none"
    assert verdicts(repo, rev="HEAD")["privacy"] == "material"
