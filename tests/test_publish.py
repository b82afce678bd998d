"""`policywatch publish` on real repositories: versions, dates, body date lines, commit and tags."""

import datetime as dt

import pytest

from policywatch.cli import app
from policywatch.release.history import list_tags, open_repo
from policywatch.release.record import parse_tag
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, PRIVACY, edit, released_repo, run, runner, small_repo

LINKED = '[site]\nbase_url = "https://policies.example.com/"\n'  # notices link to the archive


def release_of(repo, tag):
    found = [t for t in list_tags(open_repo(repo.root)) if t.name == tag]
    assert found, f"no tag {tag}"
    return parse_tag(found[0])


def meta_lines(repo, slug):
    lines = repo.read(f"policies/{slug}.md").splitlines()
    return [ln for ln in lines if ln.startswith(("version:", "effective:", "updated:"))]


def test_a_material_change_bumps_the_major_version_and_takes_effect_after_the_notice_period(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    result = run("publish", "--yes", "--date", "2024-03-15")
    assert result.exit_code == 0, result.output
    assert meta_lines(repo, "privacy") == ['version: "2.0"', "effective: 2024-04-14", "updated: 2024-03-15"]
    record = release_of(repo, "privacy/v2.0")
    assert (record.classification, record.previous_version, record.version) == ("material", "1.0", "2.0")
    assert (record.effective, record.updated, record.published) == (
        dt.date(2024, 4, 14),
        dt.date(2024, 3, 15),
        dt.date(2024, 3, 15),
    )
    assert record.commit == repo.head()
    assert any("We may sell" in r for r in record.reasons)


@pytest.mark.parametrize(
    ("slug", "change", "message", "line"),
    [
        pytest.param(
            "privacy",
            MATERIAL_EDIT,
            "Allow selling data",
            "\nEffective Date: April 14, 2024\n",
            id="the_body_effective_date_line_in_its_own_format",
        ),
        pytest.param(
            "terms",
            ("You may cancel at any time.", "You may cancel at any time!"),
            "Exclaim",
            "\nLast updated: 15 March 2024\n",
            id="a_last_updated_line_after_a_minor_change_in_its_day_month_year_format",
        ),
    ],
)
def test_a_body_date_line_is_rewritten_in_its_own_format(tmp_path, in_repo, slug, change, message, line):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, slug, *change)
    repo.commit(message)
    run("publish", "--yes", "--date", "2024-03-15")
    assert line in repo.read(f"policies/{slug}.md")


def test_a_minor_change_bumps_the_minor_version_and_keeps_the_effective_date(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Punctuation")
    run("publish", "--yes", "--date", "2024-03-15")
    assert meta_lines(repo, "privacy") == ['version: "1.1"', "effective: 2024-03-01", "updated: 2024-03-15"]
    assert "\nEffective Date: March 1, 2024\n" in repo.read("policies/privacy.md")
    assert release_of(repo, "privacy/v1.1").classification == "minor"


def test_a_notice_period_of_zero_days_takes_effect_on_the_publication_date(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data", {"policywatch.toml": "notice_days = 0\n"})
    run("publish", "--yes", "--date", "2024-03-15")
    assert release_of(repo, "privacy/v2.0").effective == dt.date(2024, 3, 15)


def test_publication_is_one_commit_with_one_annotated_tag_per_policy(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    before = repo.head()
    edit(repo, "privacy", *MATERIAL_EDIT)
    edit(repo, "terms", "You may cancel at any time.", "You may cancel at any time!")
    repo.commit("Two edits")
    run("publish", "--yes", "--date", "2024-03-15")
    assert repo.git("rev-list", "--count", f"{before}..HEAD") == "2"
    assert repo.git("cat-file", "-t", "privacy/v2.0") == "tag"
    assert repo.git("rev-parse", "privacy/v2.0^{commit}") == repo.git("rev-parse", "terms/v1.1^{commit}") == repo.head()


def test_a_policy_never_released_gets_its_first_release_at_its_current_version_without_a_commit(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    head = repo.head()
    result = run("publish", "--yes", "--date", "2024-03-15")
    assert result.exit_code == 0, result.output
    assert repo.head() == head
    record = release_of(repo, "privacy/v1.0")
    assert (record.classification, record.version, record.effective) == ("initial", "1.0", dt.date(2024, 3, 1))


def test_a_first_release_fills_in_missing_metadata(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("Bare policy", {"policies/cookies.md": "# Cookies\n\nWe use cookies.\n"})
    run("publish", "--yes", "--date", "2024-03-15", "cookies")
    text = repo.read("policies/cookies.md")
    assert text.startswith('---\ntitle: "Cookies"\nversion: "1.0"\neffective: 2024-03-15\nupdated: 2024-03-15\n---\n')
    assert release_of(repo, "cookies/v1.0").commit == repo.head()


def test_nothing_changed_means_nothing_to_publish(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    head = repo.head()
    result = run("publish", "--yes")
    assert result.exit_code == 0
    assert "nothing to publish" in result.output
    assert repo.head() == head


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    head = repo.commit("Allow selling data")
    text = repo.read("policies/privacy.md")
    result = run("publish", "--dry-run", "--date", "2024-03-15")
    assert "privacy 1.0 -> 2.0: material, effective 2024-04-14" in result.output
    assert (repo.head(), repo.read("policies/privacy.md")) == (head, text)
    assert "privacy/v2.0" not in repo.git("tag")


def test_without_yes_it_asks_and_a_no_writes_nothing(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    head = repo.commit("Allow selling data")
    result = runner.invoke(app, ["publish", "--date", "2024-03-15"], input="n\n")
    assert result.exit_code == 1
    assert "Publish 1 release?" in result.output
    assert repo.head() == head and "privacy/v2.0" not in repo.git("tag")
    result = runner.invoke(app, ["publish", "--date", "2024-03-15"], input="y\n")
    assert result.exit_code == 0
    assert "privacy/v2.0" in repo.git("tag")


def test_only_the_named_policies_are_published(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    edit(repo, "terms", "You may cancel at any time.", "You may cancel at any time!")
    repo.commit("Two edits")
    run("publish", "--yes", "--date", "2024-03-15", "terms")
    tags = repo.git("tag").split()
    assert "terms/v1.1" in tags and "privacy/v2.0" not in tags


def test_a_policy_change_trailer_decides_and_the_tag_records_who_and_where(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    sha = repo.commit("Reword\n\nPolicy-Change: minor (counsel: existing practice)")
    run("publish", "--yes", "--date", "2024-03-15")
    record = release_of(repo, "privacy/v1.1")
    assert (record.classification, record.decided_by, record.decision_commit) == ("minor", "trailer", sha)
    assert record.decision_note == "counsel: existing practice"
    assert "decided by a person (trailer" in repo.git("tag", "-n5", "-l", "privacy/v1.1")


def test_the_as_option_decides_the_verdict(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Punctuation")
    run("publish", "--yes", "--date", "2024-03-15", "--as", "material")
    record = release_of(repo, "privacy/v2.0")
    assert (record.classification, record.decided_by) == ("material", "option")


def test_an_invalid_date_is_a_one_line_error(tmp_path, in_repo):
    in_repo(released_repo(tmp_path))
    result = run("publish", "--yes", "--date", "2024-02-30")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("policywatch: error: --date:")


def test_publishing_the_bundled_zepp_policy_rewrites_its_effective_date_line_in_place(policy_repo, in_repo):
    repo = in_repo(policy_repo)
    run("publish", "--yes", "--date", "2024-08-09")
    edit(repo, "zepp-privacy", "We respect the privacy rights", "We may respect the privacy rights")
    repo.commit("Weaken a promise")
    before = repo.read("policies/zepp-privacy.md").splitlines()
    result = run("publish", "--yes", "--date", "2024-09-02")
    assert result.exit_code == 0, result.output
    after = repo.read("policies/zepp-privacy.md").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ('version: "1.0"', 'version: "2.0"'),
        ("effective: 2024-08-09", "effective: 2024-10-02"),
        ("updated: 2024-08-09", "updated: 2024-09-02"),
        ("Effective Date: August 9, 2024", "Effective Date: October 2, 2024"),
    ]


@pytest.mark.parametrize("notify", [True, False])
def test_publishing_a_material_change_emails_each_subscriber_unless_no_notify(tmp_path, in_repo, monkeypatch, notify):
    from tests._email_support import smtp_server

    repo = in_repo(released_repo(tmp_path))
    assert run("subscribers", "add", "alice@example.com", "--name", "Alice").exit_code == 0
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data", {"policywatch.toml": LINKED})
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        monkeypatch.setenv("POLICYWATCH_FROM", "Privacy <privacy@example.com>")
        result = run("publish", "--yes", "--date", "2024-03-15", *([] if notify else ["--no-notify"]))
    assert result.exit_code == 0, result.output
    assert [m.rcpt_tos for m in handler.messages] == ([["alice@example.com"]] if notify else [])
    assert ("notices: sent 1, failed 0" in result.output) == notify


def test_a_publish_whose_notices_cannot_start_keeps_the_release_and_says_how_to_finish(tmp_path, in_repo, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    monkeypatch.delenv("POLICYWATCH_SMTP_URL", raising=False)
    repo = in_repo(released_repo(tmp_path))
    assert run("subscribers", "add", "alice@example.com").exit_code == 0
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data", {"policywatch.toml": LINKED})
    result = run("publish", "--yes", "--date", "2024-03-15")
    assert result.exit_code == 2
    assert "notices not sent" in result.output and "policywatch notify" in result.output
    assert release_of(repo, "privacy/v2.0").classification == "material"


def test_the_configured_tag_format_names_the_tags(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("Tag format", {"policywatch.toml": 'tag_format = "release/{slug}-{version}"\n'})
    run("publish", "--yes", "--date", "2024-03-15")
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    run("publish", "--yes", "--date", "2024-03-20")
    assert repo.git("tag").split() == ["release/privacy-1.0", "release/privacy-2.0", "release/terms-1.0"]
    assert release_of(repo, "release/privacy-2.0").previous_version == "1.0"


def test_an_unknown_slug_is_a_one_line_error(tmp_path, in_repo):
    in_repo(released_repo(tmp_path))
    result = run("publish", "--yes", "cookies")
    assert result.exit_code == 2
    assert "no policy 'cookies'" in result.stderr


def test_a_second_material_change_in_the_notice_period_takes_effect_no_sooner_than_the_first(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    run("publish", "--yes", "--date", "2024-03-15")
    repo.commit("Zero notice", {"policywatch.toml": "notice_days = 0\n"})
    edit(repo, "privacy", "We collect your email address", "We collect your email address and phone number")
    repo.commit("Collect phone numbers")
    run("publish", "--yes", "--date", "2024-03-20")
    record = release_of(repo, "privacy/v3.0")
    assert (record.previous_version, record.effective) == ("2.0", dt.date(2024, 4, 14))


def test_a_policy_with_windows_line_endings_keeps_them(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("CRLF", {"policies/privacy.md": PRIVACY.replace("\n", "\r\n")})
    run("publish", "--yes", "--date", "2024-03-10")
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    assert run("publish", "--yes", "--date", "2024-03-15").exit_code == 0
    data = (repo.root / "policies/privacy.md").read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    assert b"\r\neffective: 2024-04-14\r\n" in data


def test_a_body_date_line_with_windows_line_endings_is_rewritten(tmp_path, in_repo):
    repo = in_repo(small_repo(tmp_path))
    repo.commit("CRLF", {"policies/privacy.md": PRIVACY.replace("\n", "\r\n")})
    run("publish", "--yes", "--date", "2024-03-10")
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    run("publish", "--yes", "--date", "2024-03-15")
    assert b"Effective Date: April 14, 2024\r\n" in (repo.root / "policies/privacy.md").read_bytes()
