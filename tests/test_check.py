"""`policywatch check`: the gate that fails on unpublished material changes and contradicting metadata."""

import json
import subprocess
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, run, small_repo


def test_check_passes_when_every_policy_is_released(tmp_path, in_repo):
    in_repo(released_repo(tmp_path))
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "ok: 2 policies checked against HEAD" in result.output


def test_check_refuses_a_policy_whose_text_became_an_error_page_naming_the_file(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    text = repo.read("policies/privacy.md")
    front = text[: text.index("\n---\n", 4) + 5]
    sections = "".join(
        f"\n## Part {n}\n\nWe keep your order history {n} so that support can help you.\n" for n in range(40)
    )
    repo.commit("Longer", {"policies/privacy.md": text + sections})
    assert run("publish", "--yes", "--no-notify", "--as", "minor").exit_code == 0
    repo.commit("Scraped", {"policies/privacy.md": front + "Something went wrong. Refresh\n"})
    result = run("check")
    assert result.exit_code == 3, result.output
    assert "policies/privacy.md (new side) is an error page" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_check_fails_on_an_unpublished_material_change_and_lists_the_reasons(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    result = run("check")
    assert result.exit_code == 1
    assert "error: privacy: material change since privacy/v1.0 is not published" in result.output
    assert "We may sell your personal information." in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(MINOR_EDIT, "Punctuation", id="an_unpublished_minor_change"),
        pytest.param(MATERIAL_EDIT, "Reword sharing\n\nPolicy-Change: minor", id="a_policy_change_minor_trailer"),
    ],
)
def test_check_lets_a_minor_change_through(tmp_path, in_repo, change, message):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *change)
    repo.commit(message)
    assert run("check").exit_code == 0


def test_check_ignores_uncommitted_edits(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    assert run("check").exit_code == 0


def test_check_against_a_ref_checks_that_commit(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    first = repo.head()
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    assert run("check", "--against", first).exit_code == 0
    assert run("check", "--against", "HEAD").exit_code == 1


def test_check_with_an_unknown_ref_is_a_one_line_usage_error(tmp_path, in_repo):
    in_repo(released_repo(tmp_path))
    result = run("check", "--against", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.stderr


def test_check_fails_when_the_effective_date_is_earlier_than_the_last_release(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "terms", "effective: 2024-03-01", "effective: 2023-12-01")
    repo.commit("Backdate")
    result = run("check")
    assert result.exit_code == 1
    assert "effective date 2023-12-01 is earlier than 2024-03-01" in result.output


def test_check_json_lists_errors_warnings_and_each_policy_verdict(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    data = json.loads(run("check", "--format", "json").output)
    assert data["ok"] is False
    assert [e["policy"] for e in data["errors"]] == ["privacy"]
    assert {p["policy"]: p["verdict"] for p in data["policies"]} == {"privacy": "material", "terms": "none"}


def test_check_warns_but_passes_when_a_policy_was_not_reviewed_for_a_year(tmp_path, in_repo):
    in_repo(released_repo(tmp_path))  # dated 2024-03-01, long before today
    result = run("check")
    assert result.exit_code == 0
    assert "warning: privacy: not reviewed since 2024-03-01" in result.output


def test_check_warns_about_a_policy_never_released(tmp_path, in_repo):
    in_repo(small_repo(tmp_path))
    result = run("check")
    assert result.exit_code == 0
    assert "warning: terms: never released" in result.output


def test_check_does_not_import_heavy_libraries(imports_of):
    heavy = ("rich", "jinja2", "httpx", "git", "markdown_it", "diff_match_patch")
    out, imported = imports_of("import policywatch.cli, policywatch.release.check", heavy)
    assert (out.returncode, imported) == (0, [])


def test_the_module_entry_point_checks_like_the_command(tmp_path):
    import subprocess
    import sys

    repo = released_repo(tmp_path)
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    cmd = [sys.executable, "-m", "policywatch.check"]
    out = subprocess.run(cmd, cwd=repo.root, capture_output=True, text=True)
    assert out.returncode == 1
    assert "error: privacy: material change since privacy/v1.0 is not published" in out.stdout
    out = subprocess.run([*cmd, "--against", "HEAD~1", "-f", "json"], cwd=repo.root, capture_output=True, text=True)
    assert (out.returncode, json.loads(out.stdout)["ok"]) == (0, True)


def test_the_policywatch_check_command_starts_without_the_command_line_framework(tmp_path, imports_of):
    repo = released_repo(tmp_path)
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    code = "import sys; sys.argv = ['policywatch', 'check', '--format', 'json']; import policywatch.__main__ as m;"
    out, imported = imports_of(code + "m.main()", ("typer",), cwd=repo.root)
    assert (out.returncode, json.loads(out.stdout)["ok"], imported) == (1, False, [])


def test_the_module_entry_point_reads_the_pushed_commit_from_pre_commit(tmp_path):
    import os
    import subprocess
    import sys

    repo = released_repo(tmp_path)
    first = repo.head()
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    env = {**os.environ, "PRE_COMMIT_TO_REF": first}
    out = subprocess.run([sys.executable, "-m", "policywatch.check"], cwd=repo.root, env=env, capture_output=True)
    assert out.returncode == 0


def test_the_module_entry_point_reports_bad_input_in_one_line(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "policywatch.check"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.startswith("policywatch: error: ") and out.stderr.count("\n") == 1


def test_the_pre_commit_framework_hook_is_declared():
    from pathlib import Path

    import yaml

    hooks = yaml.safe_load((Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "policywatch-check")
    assert hook["entry"] == "python -m policywatch.check" and hook["pass_filenames"] is False


def test_check_in_a_repository_without_commits_says_so_and_fails(empty_repo, in_repo):
    in_repo(empty_repo)
    empty_repo.write("policies/terms.md", "# Terms\n")
    result = run("check")
    assert result.exit_code == 2
    assert result.stderr == (
        "policywatch: error: the repository has no commits yet: nothing to check (commit the policies first)\n"
    )


def test_check_lists_only_the_material_reasons_of_a_failing_policy(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    edit(repo, "privacy", *MINOR_EDIT)
    repo.commit("Two edits")
    result = run("check")
    assert "We may sell" in result.output
    assert "to send receipts!" not in result.output


def test_check_in_a_repository_without_configuration_or_policies_fails(empty_repo, in_repo):
    in_repo(empty_repo)
    empty_repo.commit("Some code", {"README.md": "hello\n"})
    result = run("check")
    assert result.exit_code == 2
    assert result.stderr == (
        "policywatch: error: policywatch.toml: not found, and no policy in policies/ at HEAD: nothing to check "
        "(run 'policywatch init', or set 'policies' to the folder that holds them)\n"
    )


def test_check_with_a_configuration_but_no_policies_fails(empty_repo, in_repo):
    in_repo(empty_repo)
    empty_repo.commit("Set up", {"policywatch.toml": 'policies = "legal"\n', "legal/README.txt": "soon\n"})
    result = run("check")
    assert result.exit_code == 2
    assert "legal/: no policy at HEAD: nothing to check (policywatch.toml)" in result.stderr


def test_the_hook_entry_point_fails_when_there_is_nothing_to_check(empty_repo):
    import subprocess
    import sys

    empty_repo.commit("Some code", {"README.md": "hello\n"})
    cmd = [sys.executable, "-m", "policywatch.check"]
    out = subprocess.run(cmd, cwd=empty_repo.root, capture_output=True, text=True)
    assert out.returncode == 2
    assert "nothing to check" in out.stderr and out.stdout == ""


def test_a_push_without_a_settings_file_is_checked_without_yaml_typing_tomllib_or_shutil(tmp_path, imports_of):
    repo = released_repo(tmp_path)
    code = "import sys; sys.argv = ['policywatch', 'check']; import policywatch.__main__ as m; m.main()"
    out, imported = imports_of(code, ("yaml", "typing", "tomllib", "shutil"), cwd=repo.root)
    assert (out.returncode, imported) == (0, [])


WORDS = [
    "--against",
    "--against=",
    "--against=HEAD~1",
    "main",
    "-x",
    "--format",
    "--format=json",
    "-f",
    "json",
    "text",
    "xml",
    "-f=json",
    "--ag",
    "-fjson",
    "--",
    "--help",
]


@given(st.lists(st.sampled_from(WORDS), max_size=5))
@example(["--against", "--"])
def test_the_hooks_plain_reading_of_options_agrees_with_the_parser(argv):
    from policywatch.check import _joined, parser, plain_options

    argv = _joined(argv)
    plain = plain_options(argv)
    if plain is not None:
        args = parser().parse_args(argv)
        assert plain == (args.against, args.format)


def test_the_hooks_usual_call_does_not_import_argparse(imports_of, tmp_path):
    repo = released_repo(tmp_path)
    code = "import policywatch.check as c; print(c.main(['--against', 'HEAD']))"
    out, loaded = imports_of(code, ("argparse",), cwd=repo.root)
    assert out.stdout.splitlines()[-1] == "0" and loaded == []


INSPECT_AT_EXIT = (
    "import sys; sys.argv = ['policywatch', 'check']; import policywatch.__main__ as m\n"
    "try:\n    m.main()\nexcept SystemExit as done:\n    print('exit', done.code)\n"
    "print('inspect loaded:', 'signature' in vars(sys.modules.get('inspect', sys)))\n"
)


@pytest.mark.parametrize(("material", "code"), [(False, 0), (True, 1)], ids=["released", "material_change"])
def test_the_hook_never_loads_inspect(tmp_path, material, code):
    repo = released_repo(tmp_path)
    if material:
        edit(repo, "privacy", *MATERIAL_EDIT)
        repo.commit("Sell data")
    out = subprocess.run([sys.executable, "-c", INSPECT_AT_EXIT], cwd=repo.root, capture_output=True, text=True)
    assert out.stdout.splitlines()[-2:] == [f"exit {code}", "inspect loaded: False"], out.stdout + out.stderr


def test_the_deferred_inspect_is_the_real_module_on_first_use():
    code = (
        "import sys; from policywatch.check import defer_inspect; defer_inspect()\n"
        "from dataclasses import dataclass\n"
        "@dataclass\nclass Point:\n    x: int\n"
        "import inspect\n"
        "print(Point.__doc__, inspect.signature(len), sys.modules['inspect'] is inspect or 'stand-in kept')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "Point(x: int) (obj, /) True", out.stdout + out.stderr
