"""The gate in real CI: shallow clones, clones without tags, and renamed policies.

Each clone here is a real ``git clone`` of a real repository over ``file://``,
as a CI runner makes it.
"""

from __future__ import annotations

import json
from pathlib import Path

from policywatch.release.git import Git
from policywatch.release.record import parse_tag
from tests._git_support import GitProject
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, run, small_repo


def clone(source: GitProject, dest: Path, *options: str) -> GitProject:
    """``git clone OPTIONS file://SOURCE DEST``, with the test identity for later commits."""
    source.git("clone", "-q", *options, f"file://{source.root}", str(dest))
    copy = GitProject(dest)
    copy.git("config", "user.name", "CI")
    copy.git("config", "user.email", "ci@example.com")
    return copy


def published_then_changed(tmp_path: Path, in_repo) -> GitProject:
    """privacy released by a real publish (its first release is a tag on HEAD), then a material edit committed."""
    repo = in_repo(small_repo(tmp_path))
    assert run("publish", "--yes", "--date", "2024-03-01").exit_code == 0
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data", date="2024-04-01T09:00:00+00:00")
    return repo


def republished_then_changed(tmp_path: Path, in_repo) -> GitProject:
    """privacy released twice (the second time by a publication commit), then changed materially again."""
    repo = published_then_changed(tmp_path, in_repo)
    assert run("publish", "--yes", "--no-notify", "--date", "2024-04-02").exit_code == 0
    edit(repo, "privacy", "We collect your email address", "We collect your email address and location")
    repo.commit("Collect location", date="2024-05-01T09:00:00+00:00")
    return repo


def tag_names(repo: GitProject) -> list[str]:
    return repo.git("tag", "--list").split()


# --- shallow clones --------------------------------------------------------------


def test_check_in_a_depth_1_clone_refuses_and_says_what_to_fetch(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    in_repo(clone(source, tmp_path / "ci", "--depth", "1"))
    result = run("check")
    assert result.exit_code == 2
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_hook_entry_point_refuses_a_depth_1_clone(tmp_path, in_repo):
    import subprocess
    import sys

    source = published_then_changed(tmp_path, in_repo)
    ci = clone(source, tmp_path / "ci", "--depth", "1")
    out = subprocess.run([sys.executable, "-m", "policywatch.check"], cwd=ci.root, capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (2, "")
    assert "git fetch --tags --unshallow" in out.stderr


def test_publish_in_a_depth_1_clone_refuses_and_tags_nothing(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    ci = in_repo(clone(source, tmp_path / "ci", "--depth", "1"))
    before = (ci.head(), tag_names(ci))
    result = run("publish", "--yes", "--no-notify")
    assert result.exit_code == 2
    assert "shallow clone" in result.stderr
    assert (ci.head(), tag_names(ci)) == before


def test_status_in_a_depth_1_clone_never_calls_a_released_policy_unreleased(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    in_repo(clone(source, tmp_path / "ci", "--depth", "1"))
    result = run("status")
    assert result.exit_code == 2
    assert "(never released)" not in result.output
    assert "shallow clone" in result.stderr


def test_a_deepened_clone_is_judged_again(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    ci = in_repo(clone(source, tmp_path / "ci", "--depth", "1"))
    ci.git("fetch", "-q", "--tags", "--unshallow")
    result = run("check")
    assert result.exit_code == 1
    assert "error: privacy: material change since privacy/v1.0 is not published" in result.output


# --- clones without tags ---------------------------------------------------------


def test_check_in_a_no_tags_clone_refuses_instead_of_passing_a_material_change(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    in_repo(clone(source, tmp_path / "ci", "--no-tags"))
    result = run("check")
    assert result.exit_code == 2
    assert "does not fetch tags" in result.stderr and "fetch-tags: true" in result.stderr


def test_publish_in_a_no_tags_clone_makes_no_initial_release(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    ci = in_repo(clone(source, tmp_path / "ci", "--no-tags"))
    result = run("publish", "--yes", "--no-notify")
    assert result.exit_code == 2
    assert tag_names(ci) == []


def test_status_in_a_no_tags_clone_does_not_say_never_released(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    in_repo(clone(source, tmp_path / "ci", "--no-tags"))
    result = run("status")
    assert result.exit_code == 2
    assert "(never released)" not in result.output


def test_a_no_tags_clone_that_fetched_its_tags_is_judged_again(tmp_path, in_repo):
    source = published_then_changed(tmp_path, in_repo)
    ci = in_repo(clone(source, tmp_path / "ci", "--no-tags"))
    ci.git("fetch", "-q", "--tags")
    assert run("check").exit_code == 1


def test_a_publication_commit_without_a_reachable_tag_means_the_tags_are_missing(tmp_path, in_repo):
    source = republished_then_changed(tmp_path, in_repo)
    ci = in_repo(clone(source, tmp_path / "ci", "--no-tags"))
    ci.git("config", "--unset", "remote.origin.tagOpt")  # a fetch that simply left the tags out
    result = run("check")
    assert result.exit_code == 2
    assert "policies/privacy.md: published in commit" in result.stderr
    assert "no release tag of privacy can be reached from HEAD" in result.stderr


def test_a_version_above_the_first_without_a_tag_means_the_tags_are_missing(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    edit(repo, "privacy", 'version: "1.0"', 'version: "3.0"')
    repo.commit("Privacy 3.0 from the old system")
    result = run("check")
    assert result.exit_code == 2
    assert "policies/privacy.md: version 3.0 says it was released before" in result.stderr


def test_a_new_policy_at_the_first_version_is_still_only_a_warning(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    repo.commit("Add cookies", {"policies/cookies.md": "# Cookies\n\nWe set one cookie to keep you signed in.\n"})
    result = run("check")
    assert result.exit_code == 0
    assert "warning: cookies: never released" in result.output


def test_the_readme_ci_example_fetches_full_history_and_tags():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("# .github/workflows/policies.yml") :]
    example = example[: example.index("```")]
    assert example.count("fetch-depth: 0") == 2 and example.count("fetch-tags: true") == 2


# --- renamed policies ------------------------------------------------------------

SENTENCE = "\nWe share your purchase history with advertising partners.\n"


def renamed_with_a_material_edit(tmp_path: Path, in_repo) -> GitProject:
    repo = in_repo(released_repo(tmp_path))
    repo.git("mv", "policies/privacy.md", "policies/privacy-policy.md")
    repo.write("policies/privacy-policy.md", repo.read("policies/privacy-policy.md") + SENTENCE)
    repo.commit("Rename the privacy policy and share purchase history")
    return repo


def test_check_compares_a_renamed_policy_with_its_release_under_the_old_name(tmp_path, in_repo):
    renamed_with_a_material_edit(tmp_path, in_repo)
    result = run("check")
    assert result.exit_code == 1
    assert "error: privacy-policy: material change since privacy/v1.0 (renamed from privacy) is not published" in (
        result.output
    )


def test_publish_releases_a_renamed_policy_as_a_major_release_under_its_new_name(tmp_path, in_repo):
    repo = renamed_with_a_material_edit(tmp_path, in_repo)
    result = run("publish", "--yes", "--no-notify", "--date", "2024-03-15")
    assert result.exit_code == 0, result.output
    assert "privacy-policy 1.0 -> 2.0: material" in result.output
    tags = {t.name: t for t in Git(repo.root).tags()}
    record = parse_tag(tags["privacy-policy/v2.0"])
    assert (record.policy, record.previous_version, record.classification, record.renamed_from) == (
        "privacy-policy",
        "1.0",
        "material",
        "privacy",
    )
    assert "renamed from privacy" in repo.git("tag", "-l", "--format=%(contents)", "privacy-policy/v2.0")


def test_diff_compares_a_renamed_policy_with_its_release_under_the_old_name(tmp_path, in_repo):
    renamed_with_a_material_edit(tmp_path, in_repo)
    result = run("diff", "privacy-policy")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("privacy-policy  privacy/v1.0 → policies/privacy-policy.md\nmaterial:")
    assert "advertising partners" in result.output


def test_status_shows_a_renamed_policys_release_under_the_old_name(tmp_path, in_repo):
    renamed_with_a_material_edit(tmp_path, in_repo)
    result = run("status", "--format", "json")
    assert result.exit_code == 0, result.output
    row = next(r for r in json.loads(result.output) if r["slug"] == "privacy-policy")
    assert (row["slug"], row["last_release"], row["changed_since_release"], row["pending"]) == (
        "privacy-policy",
        "privacy/v1.0",
        True,
        "material",
    )


def test_a_published_rename_passes_the_next_check(tmp_path, in_repo):
    renamed_with_a_material_edit(tmp_path, in_repo)
    assert run("publish", "--yes", "--no-notify", "--date", "2024-03-15").exit_code == 0
    result = run("check", "--format", "json")
    assert result.exit_code == 0, result.output
    by_policy = {p["policy"]: p for p in json.loads(result.output)["policies"]}
    assert by_policy["privacy-policy"]["last_release"] == "privacy-policy/v2.0"


def test_a_rename_without_an_edit_is_released_as_minor_to_record_the_new_name(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    repo.git("mv", "policies/privacy.md", "policies/privacy-policy.md")
    repo.commit("Rename the privacy policy")
    assert run("check").exit_code == 0
    result = run("publish", "--yes", "--no-notify", "--date", "2024-03-15")
    assert result.exit_code == 0, result.output
    assert "privacy-policy 1.0 -> 1.1: minor" in result.output and "(renamed from privacy)" in result.output


def test_a_rename_plus_a_minor_edit_continues_the_old_version_numbers(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MINOR_EDIT)
    repo.git("add", "-A")
    repo.git("mv", "policies/privacy.md", "policies/privacy-policy.md")
    repo.commit("Rename and punctuate")
    data = json.loads(run("check", "--format", "json").output)
    item = next(p for p in data["policies"] if p["policy"] == "privacy-policy")
    assert (item["verdict"], item["last_release"], item["renamed_from"]) == ("minor", "privacy/v1.0", "privacy")


def test_an_unrelated_new_policy_is_not_taken_for_a_rename(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    repo.git("rm", "-q", "policies/privacy.md")
    cookies = "# Cookies\n\nOne cookie keeps you signed in.\n"
    repo.commit("Withdraw privacy; add cookies", {"policies/cookies.md": cookies})
    data = json.loads(run("check", "--format", "json").output)
    item = next(p for p in data["policies"] if p["policy"] == "cookies")
    assert (item["verdict"], item["renamed_from"]) == ("initial", None)


def test_a_new_policy_with_a_version_that_is_not_numbers_is_not_taken_for_lost_tags(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    cookies = '---\nversion: "2024a"\n---\n# Cookies\n\nOne cookie keeps you signed in.\n'
    repo.commit("Add cookies", {"policies/cookies.md": cookies})
    result = run("check")
    assert result.exit_code == 0
    assert "warning: cookies: never released" in result.output


def test_publish_refuses_a_policy_whose_publication_commit_has_no_reachable_tag(tmp_path, in_repo):
    source = republished_then_changed(tmp_path, in_repo)
    ci = in_repo(clone(source, tmp_path / "ci", "--no-tags"))
    ci.git("config", "--unset", "remote.origin.tagOpt")
    before = ci.head()
    result = run("publish", "--yes", "--no-notify")
    assert result.exit_code == 2
    assert "policies/privacy.md: published in commit" in result.stderr
    assert (ci.head(), tag_names(ci)) == (before, [])


def test_a_trailer_made_under_the_old_name_still_decides_after_a_rename(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Reword sharing\n\nPolicy-Change: minor (counsel: no new recipient)")
    repo.git("mv", "policies/privacy.md", "policies/privacy-policy.md")
    repo.commit("Rename the privacy policy")
    data = json.loads(run("check", "--format", "json").output)
    item = next(p for p in data["policies"] if p["policy"] == "privacy-policy")
    assert (item["verdict"], item["engine_verdict"], item["decided_by"]) == ("minor", "material", "trailer")
