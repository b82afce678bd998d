"""Every command's --help: flags look like flags, in rich and in plain help."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from policywatch.cli import app

runner = CliRunner()


def _command_paths(command, path=()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*path, name))


COMMANDS = list(_command_paths(typer.main.get_command(app)))


@pytest.fixture(params=["rich", None], ids=["rich", "plain"])
def markup(request, monkeypatch):
    monkeypatch.setattr(app, "rich_markup_mode", request.param)


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "policywatch" for p in COMMANDS])
def test_help_shows_no_value_after_a_flag_and_no_python_types(path, markup):
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output or "usage" in result.output
    for python_type in ("<bool>", "list[", "<list"):
        assert python_type not in result.output, f"{' '.join(path)} --help shows {python_type}:\n{result.output}"


def test_every_flag_of_publish_is_listed_without_a_value(markup):
    output = runner.invoke(app, ["publish", "--help"], terminal_width=200).output
    for line in output.splitlines():
        if "--dry-run" in line or "--no-notify" in line or "--yes" in line:
            assert "<" not in line and "TEXT" not in line, line


def test_the_commands_reached_include_the_nested_ones():
    assert {("publish",), ("hook", "install"), ("subscribers", "add"), ("site", "build")} <= set(COMMANDS)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["publish", "--as", "huge"], "policywatch publish: Invalid value for '--as'"),
        (["publish", "--bogus"], "policywatch publish: No such option: --bogus"),
        (["bogus"], "policywatch: No such command 'bogus'"),
    ],
    ids=["bad-choice", "unknown-option", "unknown-command"],
)
def test_a_usage_mistake_is_one_error_line_that_points_to_the_help(args, said):
    result = runner.invoke(app, args, prog_name="policywatch")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"policywatch: error: {said}") and line.endswith("--help')")
