"""Release tags that cannot be trusted, and release tags on other branches, through the real command line.

Each kind of bad ``privacy/v4.0`` tag sits on a repository where ``privacy`` was
released as 1.0 and then changed materially: every command must name the tag,
say why it is passed over, and judge against 1.0; ``publish`` and ``notify``
refuse it; the site and the feed leave it out.
"""

from __future__ import annotations

import json

import pytest

from policywatch.release.record import TRAILER, tag_message
from tests._email_support import smtp_server
from tests._publish_support import MATERIAL_EDIT, assert_one_line_error, edit, released_repo, run, tag_release
from tests._site_support import release

CONFIG = '[site]\nbase_url = "https://policies.example.com"\n\n[email]\nfrom = "Privacy <privacy@example.com>"\n'
BAD = "privacy/v4.0"


def record(**changes) -> dict:
    """The JSON record of a material ``privacy`` 4.0, as publish writes it, with ``changes`` applied."""
    data = release("privacy", "Example Privacy Policy", "4.0", "1.0", "material", "2024-04-15").to_json()
    data.pop("commit")
    return {"record": 1, **data, **changes}


def message(data: dict) -> str:
    return f"Example Privacy Policy 4.0\n\n{TRAILER}{json.dumps(data)}\n"


# kind -> (tag message, or None for a lightweight tag; the reason every command gives)
KINDS = {
    "lightweight": (None, "it is a lightweight tag, with no release record"),
    "no record": ("Privacy 4.0, tagged by hand\n", "its message has no release record"),
    "bad json": (f'Privacy 4.0\n\n{TRAILER}{{"policy": "privacy", "version": \n', "is not valid JSON"),
    "not an object": (f"Privacy 4.0\n\n{TRAILER}[1, 2]\n", "is not a JSON object"),
    "missing field": (message({k: v for k, v in record().items() if k != "effective"}), "has no 'effective'"),
    "bad date": (message(record(effective="2024-02-30")), "'effective' is not a date: \"2024-02-30\""),
    "date of wrong type": (message(record(published=20240415)), "'published' is not a date: 20240415"),
    "version of wrong type": (message(record(version=4.0)), "'version' is not a text: 4.0"),
    "reasons of wrong type": (message(record(reasons="all of them")), "'reasons' is not a list of texts"),
    "unknown classification": (message(record(classification="huge")), 'classification "huge" is not material'),
    "another version": (message(record(version="5.0", tag="privacy/v5.0")), 'is for version "5.0", not 4.0'),
    "another policy": (message(record(policy="terms", tag="terms/v4.0")), 'is for policy "terms", not privacy'),
    "another tag": (message(record(tag="privacy/v4.0-final")), 'names tag "privacy/v4.0-final"'),
    "path outside the repository": (message(record(path="../../etc/passwd")), 'path "../../etc/passwd" is not'),
    "absolute path": (message(record(path="/etc/privacy.md")), 'path "/etc/privacy.md" is not'),
    "another policy's file": (message(record(path="policies/terms.md")), 'path "policies/terms.md" is not'),
}


@pytest.fixture(params=sorted(KINDS))
def bad(request, tmp_path, in_repo, monkeypatch):
    """privacy and terms released at 1.0, privacy changed materially and committed, then a bad privacy/v4.0."""
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    monkeypatch.delenv("POLICYWATCH_SMTP_URL", raising=False)
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data", {"policywatch.toml": CONFIG})
    text, reason = KINDS[request.param]
    repo.tag(BAD, text)
    repo.reason = reason
    return repo


def warning_of(result) -> str:
    [line] = [ln for ln in result.stderr.splitlines() if BAD in ln]
    return line


def assert_warned(result, repo) -> None:
    assert "Traceback" not in result.output
    line = warning_of(result)
    assert line.startswith(f"policywatch: warning: ignoring tag {BAD}: "), line
    assert repo.reason in line


def assert_refused(result, repo, *fragments: str) -> None:
    assert_one_line_error(result, BAD, repo.reason, *fragments)


def test_status_names_the_bad_tag_and_shows_the_last_trusted_release(bad):
    result = run("status")
    assert result.exit_code == 0, result.output
    assert_warned(result, bad)
    [row] = [line for line in result.stdout.splitlines() if line.startswith("privacy ")]
    assert "privacy/v1.0" in row and "changed" in row


def test_status_json_lists_the_ignored_tag(bad):
    result = run("status", "--format", "json")
    rows = {row["slug"]: row for row in json.loads(result.stdout)}
    assert rows["privacy"]["last_release"] == "privacy/v1.0"
    [ignored] = rows["privacy"]["ignored_tags"]
    assert ignored["tag"] == BAD and bad.reason in ignored["reason"]


def test_check_judges_against_the_last_trusted_release_and_names_the_bad_tag(bad):
    result = run("check")
    assert result.exit_code == 1, result.output
    assert "material change since privacy/v1.0 is not published" in result.stdout
    assert_warned(result, bad)


def test_check_json_lists_the_ignored_tag(bad):
    result = run("check", "--format", "json")
    [privacy] = [p for p in json.loads(result.stdout)["policies"] if p["policy"] == "privacy"]
    assert privacy["last_release"] == "privacy/v1.0"
    assert [t["tag"] for t in privacy["ignored_tags"]] == [BAD]


def test_diff_compares_with_the_last_trusted_release_and_names_the_bad_tag(bad):
    bad.write("policies/privacy.md", bad.read("policies/privacy.md") + "\nOne more line.\n")
    result = run("diff", "privacy")
    assert result.exit_code == 0, result.output
    assert "privacy/v1.0 → policies/privacy.md" in result.stdout
    assert_warned(result, bad)


def test_publish_refuses_with_one_line_naming_the_tag_and_saying_to_delete_it(bad):
    before = bad.git("tag"), bad.head()
    assert_refused(run("publish", "--yes", "--date", "2024-03-15", "--no-notify"), bad, "git tag -d privacy/v4.0")
    assert (bad.git("tag"), bad.head()) == before


def test_notify_never_announces_the_bad_tag(bad, monkeypatch):
    assert run("subscribers", "add", "alice@example.com").exit_code == 0
    with smtp_server() as (controller, handler):
        monkeypatch.setenv("POLICYWATCH_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        result = run("notify")
    assert result.exit_code == 0, result.output
    assert handler.messages == []
    assert_warned(result, bad)


def test_notify_refuses_the_bad_tag_when_it_is_named(bad):
    assert_refused(run("notify", BAD), bad, "never announced")


def test_the_site_leaves_the_bad_tag_out_and_names_it(bad):
    result = run("site", "build", "public")
    assert result.exit_code == 0, result.output
    assert_warned(result, bad)
    assert (bad.root / "public/privacy/v1.0/index.html").exists()
    assert not (bad.root / "public/privacy/v4.0").exists()


def test_the_feed_leaves_the_bad_tag_out_and_names_it(bad):
    result = run("feed", "feed.xml")
    assert result.exit_code == 0, result.output
    assert_warned(result, bad)
    assert b"v4.0" not in (bad.root / "feed.xml").read_bytes()


# -- a release tagged on another branch ---------------------------------------------------------


@pytest.fixture
def elsewhere(tmp_path, in_repo, monkeypatch):
    """privacy released as 1.0 on main; a material 2.0 published and tagged only on the branch 'draft'."""
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    repo = in_repo(released_repo(tmp_path))
    repo.commit("Settings", {"policywatch.toml": CONFIG})
    repo.git("checkout", "-q", "-b", "draft")
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    repo.tag("privacy/v2.0", tag_message(release("privacy", "Privacy", "2.0", "1.0", "material", "2024-04-15")))
    repo.git("checkout", "-q", "main")
    return repo


def test_status_on_main_ignores_a_release_tagged_on_another_branch(elsewhere):
    rows = {row["slug"]: row for row in json.loads(run("status", "--format", "json").stdout)}
    assert rows["privacy"]["last_release"] == "privacy/v1.0"
    assert rows["privacy"]["changed_since_release"] is False


def test_diff_on_main_compares_with_the_release_on_main(elsewhere):
    edit(elsewhere, "privacy", *MATERIAL_EDIT)
    result = run("diff", "privacy", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["classification"] == "material"
    assert "privacy/v1.0 →" in run("diff", "privacy").stdout


def test_check_on_main_agrees_with_status(elsewhere):
    edit(elsewhere, "privacy", *MATERIAL_EDIT)
    elsewhere.commit("Allow selling data on main too")
    result = run("check")
    assert result.exit_code == 1
    assert "material change since privacy/v1.0 is not published" in result.stdout


def test_site_and_feed_on_main_leave_out_a_release_tagged_on_another_branch(elsewhere):
    assert run("site", "build", "public").exit_code == 0
    assert run("feed", "feed.xml").exit_code == 0
    assert (elsewhere.root / "public/privacy/v1.0/index.html").exists()
    assert not (elsewhere.root / "public/privacy/v2.0").exists()
    assert b"privacy/v2.0" not in (elsewhere.root / "feed.xml").read_bytes()


def test_show_refuses_a_version_whose_tag_cannot_be_trusted(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    repo.tag("privacy/v1.1")
    result = run("show", "privacy@1.1")
    assert result.exit_code == 2
    assert "tag privacy/v1.1 cannot be trusted as a release: it is a lightweight tag" in result.stderr


def test_a_release_tag_made_by_publish_is_trusted_by_every_reader(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    tag_release(repo, "privacy", "1.1")
    result = run("status", "--format", "json")
    assert result.stderr == ""
    assert {row["slug"]: row["last_release"] for row in json.loads(result.stdout)}["privacy"] == "privacy/v1.1"


def test_the_pre_push_check_names_the_bad_tag_on_stderr(tmp_path):
    import subprocess
    import sys

    repo = released_repo(tmp_path)
    repo.tag(BAD, KINDS["bad json"][0])
    out = subprocess.run([sys.executable, "-m", "policywatch.check"], cwd=repo.root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr == f"policywatch: warning: ignoring tag {BAD}: its release record is not valid JSON\n"
    assert "ok: 2 policies checked against HEAD" in out.stdout
