"""A release's summary written by a person: from `publish --summary`, `--summary-file` or `Policy-Summary:` trailers.

Each test makes a real repository, commits as a user would (the trailers in real
commit messages, read by git), publishes through the command line and reads the
release record back from the tag.
"""

from __future__ import annotations

import json

import pytest

from policywatch.cli import app
from policywatch.release.git import Git
from policywatch.release.history import Tag
from policywatch.release.record import TRAILER, UntrustedRecord, read_record, tag_message
from policywatch.release.summary import MAX_CHARS
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, run, runner
from tests._site_support import release

SOLD = "We may now sell your personal information."
TERMS_EDIT = ("You may cancel at any time.", "You may cancel at any time, but we may keep your data for ten years.")


def record_of(repo, tag: str):
    [found] = [t for t in Git(repo.root).tags() if t.name == tag]
    return read_record(found)


def publish(*options: str):
    result = run("publish", "--yes", "--no-notify", "--date", "2024-03-15", *options)
    assert result.exit_code == 0, result.output
    return result


def published_summary(repo, tag: str, *options: str) -> str:
    """Publish, then the summary the release record of ``tag`` holds."""
    publish(*options)
    return record_of(repo, tag).summary


def material_commit(repo, message: str) -> None:
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit(message)


@pytest.fixture
def both_edited(tmp_path, in_repo):
    """Both policies released at 1.0, then a material edit to each, not yet committed."""
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    edit(repo, "terms", *TERMS_EDIT)
    return repo


def refusal(repo, *options: str) -> str:
    """The one line a refused publish prints; nothing was released."""
    result = run("publish", "--yes", "--no-notify", *options)
    assert result.exit_code == 2
    assert "privacy/v2.0" not in Git(repo.root).run("tag", "-l")
    [line] = result.stderr.splitlines()
    return line


# -- from trailers -------------------------------------------------------------------------------


ONE_COMMIT = {
    "a trailer is the summary": (f"Allow selling data\n\nPolicy-Summary: {SOLD}", SOLD),
    "a folded trailer is one paragraph": (
        "Allow selling data\n\nPolicy-Summary: We may now sell\n  your personal information.",
        SOLD,
    ),
    "the key matches whatever its case": (f"Allow selling data\n\npolicy-summary: {SOLD}", SOLD),
    "a line outside the trailer block is prose": (
        "Allow selling data\n\nPolicy-Summary: this is prose, not a trailer\nas the next line shows.\n\nDone.",
        "",
    ),
    "a word and a colon naming no policy are summary": (
        "Allow selling data\n\nPolicy-Summary: Important: we may now sell your information.",
        "Important: we may now sell your information.",
    ),
}


@pytest.mark.parametrize(("message", "summary"), ONE_COMMIT.values(), ids=ONE_COMMIT)
def test_the_summary_is_read_from_the_commit_message_as_git_reads_trailers(tmp_path, in_repo, message, summary):
    repo = in_repo(released_repo(tmp_path))
    material_commit(repo, message)
    assert published_summary(repo, "privacy/v2.0") == summary


def test_the_trailers_of_several_commits_are_joined_as_paragraphs_oldest_first(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    material_commit(repo, "Allow selling data\n\nPolicy-Summary: We may now sell your personal information.")
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Punctuation\n\nPolicy-Summary: Receipts are still the only use of your email address.")
    assert published_summary(repo, "privacy/v2.0") == (
        "We may now sell your personal information.\n\nReceipts are still the only use of your email address."
    )


def test_a_trailer_that_names_a_policy_is_for_that_policy_only(both_edited):
    repo = both_edited
    repo.commit(
        "Sell and keep data\n\n"
        "Policy-Summary: privacy: We may now sell your personal information.\n"
        "Policy-Summary: terms: We keep your data for ten years after you cancel."
    )
    assert published_summary(repo, "privacy/v2.0") == SOLD
    assert record_of(repo, "terms/v2.0").summary == "We keep your data for ten years after you cancel."


def test_a_trailer_that_names_no_policy_is_for_every_policy_its_commit_changed(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data\n\nPolicy-Summary: We may now sell your personal information.")
    edit(repo, "terms", *TERMS_EDIT)
    repo.commit("Keep data for ten years")
    assert published_summary(repo, "privacy/v2.0") == SOLD
    assert record_of(repo, "terms/v2.0").summary == ""


def test_a_named_trailer_in_a_commit_that_changes_no_file_counts(changed):
    repo = changed
    repo.commit("Summary for the release\n\nPolicy-Summary: privacy: We may now sell your personal information.")
    assert published_summary(repo, "privacy/v2.0") == SOLD


def test_trailers_of_commits_before_the_last_release_are_not_used_again(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    material_commit(repo, "Allow selling data\n\nPolicy-Summary: We may now sell your personal information.")
    publish()
    edit(repo, "privacy", "We collect your email address", "We collect your email address and your location")
    repo.commit("Collect location")
    assert published_summary(repo, "privacy/v3.0", "--date", "2024-03-20") == ""


def test_a_renamed_policy_takes_the_trailers_that_name_it_by_its_old_name(changed):
    repo = changed
    repo.commit("Summary\n\nPolicy-Summary: privacy: We may now sell your personal information.")
    repo.git("mv", "policies/privacy.md", "policies/privacy-policy.md")
    repo.commit("Rename")
    assert published_summary(repo, "privacy-policy/v2.0") == SOLD


# -- from the command line -----------------------------------------------------------------------


def test_the_summary_option_wins_over_the_trailers(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    material_commit(repo, "Allow selling data\n\nPolicy-Summary: A draft summary.")
    assert published_summary(repo, "privacy/v2.0", "--summary", SOLD) == SOLD


def test_a_summary_option_that_names_a_policy_leaves_the_others_to_their_trailers(both_edited):
    repo = both_edited
    repo.commit("Sell and keep data\n\nPolicy-Summary: From the trailer.")
    publish("--summary", "terms: We keep your data for ten years after you cancel.")
    assert record_of(repo, "privacy/v2.0").summary == "From the trailer."
    assert record_of(repo, "terms/v2.0").summary == "We keep your data for ten years after you cancel."


def test_an_unnamed_summary_option_is_for_every_policy_the_publish_releases(both_edited):
    repo = both_edited
    repo.commit("Sell and keep data")
    publish("--summary", "We sell and keep more of your data.")
    for tag in ("privacy/v2.0", "terms/v2.0"):
        assert record_of(repo, tag).summary == "We sell and keep more of your data."


def test_a_summary_file_is_read_with_its_paragraphs(changed, tmp_path):
    repo = changed
    path = tmp_path / "summary.txt"
    path.write_text("We may now sell your\npersonal information.\r\n\r\nYou can still object.\n", encoding="utf-8")
    assert published_summary(repo, "privacy/v2.0", "--summary-file", str(path)) == f"{SOLD}\n\nYou can still object."


def test_control_characters_and_line_separators_in_a_summary_become_spaces(changed, tmp_path):
    repo = changed
    path = tmp_path / "summary.txt"
    path.write_bytes("We may\x00 sell\x1b[31m your\u2028data\u0085.".encode())
    publish("--summary-file", str(path))
    record = record_of(repo, "privacy/v2.0")
    assert record.summary == "We may sell [31m your data ."
    readable = Git(repo.root).run("tag", "-l", "--format=%(contents)", "privacy/v2.0")
    assert "\nWe may sell [31m your data .\n" in readable


# -- refusals ------------------------------------------------------------------------------------


def test_a_summary_longer_than_the_limit_is_refused_saying_how_long_it_is(changed):
    line = refusal(changed, "--summary", "x" * (MAX_CHARS + 1))
    assert f"--summary for privacy: the summary is {MAX_CHARS + 1:,} characters" in line
    assert f"at most {MAX_CHARS:,}" in line


def test_trailers_that_together_pass_the_limit_are_refused_naming_their_commits(changed):
    changed.commit(f"Long\n\nPolicy-Summary: privacy: {'a' * MAX_CHARS}")
    first = changed.head()
    changed.commit("More\n\nPolicy-Summary: privacy: and more.")
    line = refusal(changed)
    assert line.startswith(f"policywatch: error: privacy: the Policy-Summary trailers of {first[:12]}, ")
    assert line.endswith("give --summary or --summary-file to replace them")


def test_an_empty_summary_is_refused(changed):
    assert refusal(changed, "--summary", " \x00 ").endswith("--summary: the summary is empty")


def test_a_summary_option_naming_a_policy_the_publish_does_not_release_is_refused(changed):
    line = refusal(changed, "--summary", "terms: Nothing changes.")
    assert line.endswith("--summary: names policy terms, which this publish does not release")


def test_summary_and_summary_file_together_are_refused(changed, tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text("From the file.", encoding="utf-8")
    line = refusal(changed, "--summary", "From the option.", "--summary-file", str(path))
    assert line.endswith("give --summary or --summary-file, not both")


def test_a_summary_file_that_is_not_utf8_is_refused_naming_it(changed, tmp_path):
    path = tmp_path / "summary.txt"
    path.write_bytes(b"caf\xe9")
    assert refusal(changed, "--summary-file", str(path)).endswith(f"{path}: the summary file is not UTF-8 text")


def test_a_missing_summary_file_is_refused_naming_it(changed, tmp_path):
    line = refusal(changed, "--summary-file", str(tmp_path / "nope.txt"))
    assert f"{tmp_path / 'nope.txt'}: cannot read the summary file" in line


def test_a_summary_file_that_never_ends_is_refused_without_reading_it_all(changed):
    line = refusal(changed, "--summary-file", "/dev/zero")
    assert line.endswith("/dev/zero: the summary file is larger than 64 KiB; a summary holds at most 2,000 characters")


def test_a_folder_given_as_the_summary_file_is_refused_naming_it(changed, tmp_path):
    assert f"{tmp_path}: cannot read the summary file" in refusal(changed, "--summary-file", str(tmp_path))


# -- what publish says ---------------------------------------------------------------------------


def test_a_material_release_without_a_summary_is_warned_about_in_one_line_naming_the_policy(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    material_commit(repo, "Allow selling data")
    result = publish()
    assert result.stderr.splitlines() == [
        "policywatch: warning: privacy: material release 2.0 has no summary; "
        "give one with --summary or a 'Policy-Summary:' trailer"
    ]


def test_a_publish_that_asks_before_writing_warns_too(changed):
    result = runner.invoke(app, ["publish", "--no-notify"], input="n\n")
    assert result.exit_code == 1
    assert "privacy: material release 2.0 has no summary" in result.stderr
    assert "privacy/v2.0" not in Git(changed.root).run("tag", "-l")


def test_a_summarised_or_minor_release_is_not_warned_about(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    edit(repo, "terms", "You may cancel at any time.", "You may cancel at any time!")
    repo.commit("Sell data\n\nPolicy-Summary: privacy: We may now sell your personal information.")
    result = publish()
    assert record_of(repo, "terms/v1.1").classification == "minor"
    assert "no summary" not in result.stderr


def test_a_dry_run_shows_the_summary_and_writes_nothing(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    material_commit(repo, "Allow selling data\n\nPolicy-Summary: We may now sell your personal information.")
    repo.commit("More\n\nPolicy-Summary: privacy: You can still object.")
    result = run("publish", "--dry-run", "--date", "2024-03-15")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "privacy 1.0 -> 2.0" in line)
    assert lines[at + 1 : at + 3] == [
        "    summary: We may now sell your personal information.",
        "             You can still object.",
    ]
    assert "privacy/v2.0" not in Git(repo.root).run("tag", "-l")


def test_a_dry_run_warns_about_a_material_release_without_a_summary(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    material_commit(repo, "Allow selling data")
    result = run("publish", "--dry-run")
    assert "privacy: material release 2.0 has no summary" in result.stderr


# -- the record ----------------------------------------------------------------------------------


def test_a_record_written_before_summaries_reads_as_having_none():
    record = release("privacy", "Privacy", "2.0", "1.0", "material", "2024-04-15")
    data = {"record": 1, **record.to_json()}
    data.pop("commit")
    data.pop("summary")
    old = f"Privacy 2.0\n\n{TRAILER}{json.dumps(data, sort_keys=True)}\n"
    assert read_record(Tag("privacy/v2.0", "abc", old, None, True)).summary == ""


def test_a_record_whose_summary_is_not_text_is_not_trusted():
    record = release("privacy", "Privacy", "2.0", "1.0", "material", "2024-04-15")
    data = {"record": 1, **record.to_json(), "summary": ["a list"]}
    message = f"Privacy 2.0\n\n{TRAILER}{json.dumps(data, sort_keys=True)}\n"
    with pytest.raises(UntrustedRecord, match="'summary' is not a text"):
        read_record(Tag("privacy/v2.0", "abc", message, None, True))


def test_the_readable_part_of_the_record_shows_the_summary_right_after_its_first_line():
    record = release("privacy", "Privacy", "2.0", "1.0", "material", "2024-04-15")
    record = type(record)(**{**record.__dict__, "summary": "We sell data.\n\nYou can object."})
    lines = tag_message(record).split("\n")
    assert lines[1:5] == ["", "We sell data.", "", "You can object."]


def test_a_summary_that_imitates_the_record_line_does_not_replace_the_record(changed):
    publish("--summary", 'Policywatch-Release: {"policy": "terms"}')
    record = record_of(changed, "privacy/v2.0")
    assert (record.policy, record.summary) == ("privacy", 'Policywatch-Release: {"policy": "terms"}')
