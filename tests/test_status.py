"""`policywatch status`: for each policy, its last release and what a publish would release now."""

import json

from policywatch.project import open_project
from tests._publish_support import MATERIAL_EDIT, MINOR_EDIT, edit, released_repo, run, small_repo


def test_status_json_gives_each_policy_its_pending_verdict(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    edit(repo, "terms", "You may cancel at any time.", "You may cancel at any time!")
    data = {row["slug"]: row["pending"] for row in json.loads(run("status", "--format", "json").stdout)}
    assert data == {"privacy": "material", "terms": "minor"}


def test_status_text_has_a_pending_column(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MINOR_EDIT)
    lines = run("status").stdout.splitlines()
    assert lines[0].split()[-1] == "PENDING"
    assert next(ln for ln in lines if ln.startswith("privacy")).split()[-1] == "minor"
    assert next(ln for ln in lines if ln.startswith("terms")).split()[-1] == "none"


def test_status_shows_a_policy_never_released_as_its_initial_release(tmp_path, in_repo):
    in_repo(small_repo(tmp_path))
    data = {row["slug"]: row["pending"] for row in json.loads(run("status", "-f", "json").stdout)}
    assert data == {"privacy": "initial", "terms": "initial"}


def test_status_reads_the_published_release(tmp_path, in_repo):
    repo = in_repo(released_repo(tmp_path))
    edit(repo, "privacy", *MATERIAL_EDIT)
    repo.commit("Allow selling data")
    run("publish", "--yes", "--date", "2024-03-15")
    from policywatch.release.status import policy_statuses

    status = {s.slug: s for s in policy_statuses(open_project(repo.root))}
    assert (status["privacy"].last_release, status["privacy"].changed_since_release) == ("privacy/v2.0", False)
