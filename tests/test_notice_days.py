"""A policy's own front matter keys: notice_days (overriding the project's notice period), kind and register_key."""

from __future__ import annotations

import json

import pytest

from policywatch.document import parse_policy
from policywatch.errors import PolicyFormatError
from tests._publish_support import MATERIAL_EDIT, edit, released_repo, run


def meta_lines(repo, slug: str) -> list[str]:
    return [ln for ln in repo.read(f"policies/{slug}.md").splitlines() if ln.startswith(("effective:", "notice_days:"))]


def own_notice(repo, days: str) -> None:
    edit(repo, "privacy", 'version: "1.0"\n', f'version: "1.0"\nnotice_days: {days}\n')


def test_a_policy_with_its_own_notice_days_takes_effect_after_its_own_period(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    own_notice(repo, "90")
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data, with 90 days' notice")
    result = run("publish", "--yes", "--date", "2024-03-15")
    assert result.exit_code == 0, result.output
    assert "effective: 2024-06-13" in meta_lines(repo, "privacy")


def test_a_policy_without_notice_days_keeps_the_project_default(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    run("publish", "--yes", "--date", "2024-03-15")
    assert "effective: 2024-04-14" in meta_lines(repo, "privacy")


@pytest.mark.parametrize("value", ["thirty", "-5", "1.5", "true", "99999", "[30]"])
def test_a_notice_days_that_is_not_a_number_of_days_is_refused_naming_the_line(value):
    text = f"---\ntitle: T\nnotice_days: {value}\n---\n# T\n"
    with pytest.raises(PolicyFormatError) as err:
        parse_policy(text, path="policies/t.md")
    assert "notice_days" in str(err.value)
    assert "policies/t.md:3" in str(err.value)


def test_an_unknown_kind_is_refused():
    with pytest.raises(PolicyFormatError, match="'kind' must be one of policy, register"):
        parse_policy("---\nkind: registr\n---\n# T\n", path="t.md")


def test_status_shows_each_policys_notice_period(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    own_notice(repo, "45")
    result = run("status", "--format", "json")
    assert result.exit_code == 0, result.output
    days = {s["slug"]: s["notice_days"] for s in json.loads(result.stdout)}
    assert days == {"privacy": 45, "terms": 30}
    assert "45 days" in run("status").stdout


def test_check_names_the_policys_own_notice_period(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    own_notice(repo, "60")
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    result = run("check")
    assert result.exit_code == 1
    assert "(60 days' notice, from its front matter)" in result.stdout
    data = json.loads(run("check", "--format", "json").stdout)
    assert {p["policy"]: p["notice_days"] for p in data["policies"]} == {"privacy": 60, "terms": None}


@pytest.mark.parametrize("value", ["[Name, Entity]", "''", "{a: b}"])
def test_a_register_key_that_is_not_a_column_name_is_refused(value):
    with pytest.raises(PolicyFormatError, match="'register_key' must name the table column"):
        parse_policy(f"---\nkind: register\nregister_key: {value}\n---\n# T\n", path="t.md")
