"""The archive built from releases that `policywatch publish` made, as a user would make them."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from policywatch.cli import app
from policywatch.project import open_project
from policywatch.site.build import build_project_site
from tests._git_support import new_git_project
from tests._site_support import V1, Page

runner = CliRunner()


def publish(date: str):
    result = runner.invoke(app, ["publish", "--yes", "--no-notify", "--date", date], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_a_published_material_change_shows_as_upcoming_with_its_redline_and_reasons(tmp_path, in_repo):
    repo = in_repo(new_git_project(tmp_path / "repo"))
    repo.commit("Add privacy policy", {"policies/privacy.md": V1}, date="2024-01-15T09:00:00+00:00")
    publish("2024-01-15")
    text = repo.read("policies/privacy.md").replace(
        "We will not sell your personal data.", "We may sell your personal data to advertising partners."
    )
    repo.commit("Sell data", {"policies/privacy.md": text}, date="2024-03-01T09:00:00+00:00")
    publish("2024-03-01")

    out = tmp_path / "public"
    build_project_site(open_project(repo.root), out, base_url="https://example.com/", today=dt.date(2024, 3, 10))
    index = Page((out / "index.html").read_text()).text
    assert "Version 1.0, in effect since 15 January 2024." in index
    assert "Upcoming change: version 2.0 of Example Privacy Policy takes effect on 31 March 2024." in index
    redline = (out / "privacy/v2.0/changes/index.html").read_text()
    assert 'class="change material"' in redline and "advertising partners" in redline
    assert "Material change, published 1 March 2024, takes effect on 31 March 2024." in Page(redline).text
    assert (
        "We may sell your personal data to advertising partners."
        in Page((out / "privacy/v2.0/index.html").read_text()).text
    )
