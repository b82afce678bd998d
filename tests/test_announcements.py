"""Which releases audience announces: release records read from the tags, and what a notify run owes."""

from __future__ import annotations

import datetime as dt

import pytest

from policywatch.audience.announcements import announceable, find_release, plan_notices, tagged_releases
from policywatch.audience.outbox import Outbox
from policywatch.errors import NothingToAnnounce, ReleaseNotFound
from policywatch.project import open_project
from policywatch.store import open_store
from tests._store_support import make_release, repo_with_policy, tag_release


@pytest.fixture
def tagged(tmp_path, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    repo = repo_with_policy(tmp_path / "repo", ("privacy", "terms"))
    tag_release(repo, make_release("privacy", "1.0", "initial"))
    tag_release(repo, make_release("terms", "2.0", "minor"))
    tag_release(repo, make_release("privacy", "2.0"))
    repo.tag("unrelated-lightweight")
    return open_project(repo.root)


def test_tagged_releases_reads_every_release_record(tagged):
    assert {r.tag for r in tagged_releases(tagged)} == {"privacy/v1.0", "terms/v2.0", "privacy/v2.0"}


def test_release_is_found_by_tag_or_slug_at_version(tagged):
    assert find_release(tagged, "privacy/v2.0").version == "2.0"
    assert find_release(tagged, "privacy@2.0").tag == "privacy/v2.0"
    assert find_release(tagged, "privacy@v2.0").tag == "privacy/v2.0"
    with pytest.raises(ReleaseNotFound, match="privacy@9"):
        find_release(tagged, "privacy@9")


def test_a_minor_release_is_not_announced(tagged):
    with pytest.raises(NothingToAnnounce, match="terms/v2.0 is a minor release"):
        announceable(tagged, "terms@2.0")


def test_material_release_tagged_but_never_ledgered_is_owed(tagged, sqlite_url):
    store = open_store(sqlite_url)
    try:
        outbox = Outbox(store)
        assert [a.release.tag for a in plan_notices(outbox, tagged_releases(tagged)).new] == ["privacy/v2.0"]
        outbox.ledger_release(find_release(tagged, "privacy/v2.0"))
        assert plan_notices(outbox, tagged_releases(tagged)).new == []
    finally:
        store.close()


def test_old_release_already_in_effect_before_the_ledger_began_is_history(sqlite_url):
    store = open_store(sqlite_url)
    try:
        long_ago = dt.date.today() - dt.timedelta(days=400)
        old = make_release(effective=long_ago, published=long_ago - dt.timedelta(days=30))
        recent = make_release(version="3.0", effective=dt.date.today(), published=dt.date.today())
        assert [a.release for a in plan_notices(Outbox(store), [old, recent]).new] == [recent]
    finally:
        store.close()
