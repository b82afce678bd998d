"""`policywatch diff` as a user runs it, in real git repositories."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from policywatch.cli import app
from tests._publish_support import assert_one_line_error, tag_release

runner = CliRunner()
POLICY = "policies/zepp-privacy.md"
SELL = "We do not sell any personal information to third parties."


def run(*args: str):
    return runner.invoke(app, ["diff", *args], catch_exceptions=False)


@pytest.fixture
def released(policy_repo, in_repo):
    """Both bundled policies released as v1.0, then the Zepp policy edited in the working tree."""
    in_repo(policy_repo)
    tag_release(policy_repo, "zepp-privacy")
    tag_release(policy_repo, "fitbit-store-privacy")
    text = policy_repo.read(POLICY)
    policy_repo.write(POLICY, text.replace(SELL, "We may sell personal information to third parties."))
    return policy_repo


def test_no_arguments_compares_every_policy_with_its_last_release(released):
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    data = {d["policy"]: d for d in json.loads(result.stdout)}
    assert data["zepp-privacy"]["comparison"]["classification"] == "material"
    assert data["zepp-privacy"]["old"] == "zepp-privacy/v1.0"
    assert data["fitbit-store-privacy"]["comparison"]["classification"] == "none"


def test_a_slug_compares_its_last_release_with_the_working_tree(released):
    result = run("zepp-privacy", "--format", "json")
    data = json.loads(result.stdout)
    assert data["classification"] == "material"
    assert any("negation removed" in r for c in data["changes"] for r in c["reasons"])


def test_text_view_names_the_section_and_the_reason(released):
    result = run("zepp-privacy")
    assert result.exit_code == 0
    assert "§ Disclosing Your Information to Third Parties" in result.stdout
    assert "[-do not sell any-]{+may sell+}" in result.stdout
    assert "negation removed" in result.stdout


def test_rev_path_against_rev_path(released):
    released.commit("Edit the policy")
    result = run(f"HEAD~1:{POLICY}", f"HEAD:{POLICY}", "--format", "json")
    assert json.loads(result.stdout)["classification"] == "material"


def test_rev_path_alone_is_compared_with_the_working_copy(released):
    result = run(f"HEAD:{POLICY}", "--format", "json")
    assert json.loads(result.stdout)["classification"] == "material"


def test_two_plain_files_need_no_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("# P\n\nWe keep logs for 30 days.\n")
    (tmp_path / "b.md").write_text("# P\n\nWe keep logs for 2 years.\n")
    result = run("a.md", "b.md", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "retention period changed: 30 days → 2 years" in json.loads(result.stdout)["changes"][0]["reasons"]


def test_slug_at_version_against_the_working_copy(released):
    result = run("zepp-privacy@1.0", "zepp-privacy", "--format", "json")
    assert json.loads(result.stdout)["classification"] == "material"


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("html", "<!DOCTYPE html>"), ("markdown", "### zepp-privacy: **Material change**"), ("json", '"classification"')],
)
def test_every_format_is_available(released, fmt, marker):
    result = run("zepp-privacy", "--format", fmt)
    assert result.exit_code == 0
    assert marker in result.stdout


def test_material_only_hides_minor_changes(released):
    text = released.read(POLICY).replace("lodge acomplaint", "lodge a complaint")
    released.write(POLICY, text)
    everything = json.loads(run("zepp-privacy", "--format", "json").stdout)
    material = json.loads(run("zepp-privacy", "--format", "json", "--material-only").stdout)
    assert {c["classification"] for c in everything["changes"]} == {"material", "minor"}
    assert {c["classification"] for c in material["changes"]} == {"material"}


def test_project_rules_from_policywatch_toml_apply(released):
    released.write("policywatch.toml", '[materiality]\nnever_material = ["Disclosing*"]\n')
    data = json.loads(run("zepp-privacy", "--format", "json").stdout)
    assert data["classification"] == "minor"


def test_a_never_released_policy_is_reported_as_such(policy_repo, in_repo):
    in_repo(policy_repo)
    result = run()
    assert result.exit_code == 0
    assert "never released" in result.stdout


def test_a_never_released_slug_alone_is_an_error(policy_repo, in_repo):
    in_repo(policy_repo)
    assert_one_line_error(run("zepp-privacy"), "zepp-privacy", "never released")


def test_missing_file_is_a_one_line_error(released):
    assert_one_line_error(run("nowhere.md", POLICY), "nowhere.md", "no such file")


def test_unknown_name_is_a_one_line_error(released):
    assert_one_line_error(run("nosuchpolicy"), "nosuchpolicy")


def test_a_misspelt_policy_name_is_answered_with_the_known_policies_like_show_and_log(released):
    assert_one_line_error(run("zepp-privcy"), "'zepp-privcy'", "(known: fitbit-store-privacy, zepp-privacy)")


def test_bad_revision_is_a_one_line_error(released):
    assert_one_line_error(run(f"nosuchrev:{POLICY}", POLICY), "unknown revision 'nosuchrev'")


def test_path_missing_at_a_revision_is_a_one_line_error(released):
    assert_one_line_error(run("HEAD:policies/gone.md", POLICY), "policies/gone.md", "HEAD")


def test_non_utf8_file_is_a_one_line_error(released):
    released.write("latin1.md", "# Politique de confidentialité\n".encode("latin-1"))
    assert_one_line_error(run("latin1.md", POLICY), "latin1.md", "not valid UTF-8")


def test_binary_file_is_a_one_line_error(released):
    released.write("image.md", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert_one_line_error(run("image.md", POLICY), "image.md", "binary")


def test_oversized_file_is_refused_without_reading_it(released):
    released.write("huge.md", b"a" * (10 * 1024 * 1024 + 1))
    assert_one_line_error(run("huge.md", POLICY), "huge.md", "limited to")


def test_bad_materiality_settings_are_a_one_line_error(released):
    released.write("policywatch.toml", '[materiality]\nnever_material = "Contact"\n')
    assert_one_line_error(run("zepp-privacy"), "policywatch.toml", "materiality.never_material")


def test_an_empty_old_file_makes_everything_new(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "b.md").write_text("# P\n\nWe collect your precise geolocation.\n")
    data = json.loads(run("empty.md", "b.md", "--format", "json").stdout)
    assert data["classification"] == "material"
    assert [c["kind"] for c in data["changes"]] == ["insert"]


def test_a_folder_is_a_one_line_error(released):
    assert_one_line_error(run("policies", POLICY), "policies", "folder")


def test_a_policy_file_path_alone_is_compared_with_its_last_release(released):
    data = json.loads(run(POLICY, "--format", "json").stdout)
    assert data["classification"] == "material"


def test_a_new_side_that_is_no_policy_is_refused_in_one_line_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sentence = "We collect your name and email address when you sign up and use them to run your account. "
    (tmp_path / "a.md").write_text("# P\n\n" + sentence * 40 + "\n")
    (tmp_path / "b.md").write_text("Something went wrong. Refresh\n")
    result = run("a.md", "b.md")
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("policywatch: error: b.md (new side) is an error page")
