"""The acceptances API over real HTTP: a real server on loopback, real release tags, SQLite and PostgreSQL."""

from __future__ import annotations

import hmac
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from policywatch.audience.service.app import make_app
from policywatch.project import open_project
from policywatch.store import open_store
from tests._acceptance_support import API_KEY, bearer, days, lookup, post, release, released_repo
from tests._unsubscribe_support import serving

ALICE = {"subject": "alice", "policy": "privacy", "version": "2.1", "source": "web"}


@pytest.fixture
def repo(tmp_path):
    return released_repo(tmp_path / "repo")


@pytest.fixture
def database(any_url, monkeypatch) -> str:
    monkeypatch.setenv("POLICYWATCH_DATABASE_URL", any_url)
    return any_url


@pytest.fixture
def app(repo, database, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_API_KEY", API_KEY)
    return make_app(open_project(repo.root))


@pytest.fixture
def base(app) -> Iterator[str]:
    with serving(app) as url:
        yield url


def rows(url: str, subject: str = "alice") -> list[tuple]:
    store = open_store(url)
    try:
        return store.query(
            "SELECT policy, version, accepted_at, source FROM acceptances WHERE subject = ? ORDER BY policy, version",
            (subject,),
        )
    finally:
        store.close()


# -- recording ---------------------------------------------------------------------------------


def test_post_records_an_acceptance_and_answers_201(base, database):
    response = post(base, ALICE)
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True
    assert body["acceptance"]["version"] == "2.1" and body["acceptance"]["source"] == "web"
    [(policy, version, at, source)] = rows(database)
    assert (policy, version, source) == ("privacy", "2.1", "web")
    assert at == body["acceptance"]["accepted_at"]


def test_post_keeps_the_given_accepted_at_in_utc(base, database):
    moment = f"{days(-3).isoformat()}T10:00:00+02:00"
    assert post(base, {**ALICE, "accepted_at": moment}).status_code == 201
    assert rows(database)[0][2] == f"{days(-3).isoformat()}T08:00:00.000000Z"


def test_posting_the_same_acceptance_again_adds_no_row_and_answers_200(base, database):
    post(base, ALICE)
    again = post(base, ALICE)
    assert again.status_code == 200 and again.json()["created"] is False
    assert len(rows(database)) == 1


def test_an_earlier_accepted_at_for_the_same_version_replaces_the_later_one(base, database):
    post(base, {**ALICE, "accepted_at": f"{days(-1).isoformat()}T12:00:00Z"})
    post(base, {**ALICE, "accepted_at": f"{days(-2).isoformat()}T12:00:00Z"})
    assert [r[2][:10] for r in rows(database)] == [days(-2).isoformat()]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "has space"}, "subject"),
        ({"subject": ""}, "subject"),
        ({"source": "fax"}, "source"),
        ({"version": 2.1}, "version"),
        ({"policy": None}, "policy"),
        ({"accepted_at": "yesterday"}, "accepted_at"),
        ({"accepted_at": "2026-01-01T10:00:00"}, "accepted_at"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(base, database, change, field):
    body = {k: v for k, v in {**ALICE, **change}.items() if v is not None}
    response = post(base, body)
    assert response.status_code == 400
    assert response.json()["field"] == field and field in response.json()["error"]
    assert rows(database) == []


def test_an_accepted_at_in_the_future_is_a_400(base):
    response = post(base, {**ALICE, "accepted_at": f"{days(2).isoformat()}T00:00:00Z"})
    assert response.status_code == 400 and "future" in response.json()["error"]


def test_an_accepted_at_before_the_version_was_published_is_a_400(base):
    response = post(base, {**ALICE, "accepted_at": f"{days(-300).isoformat()}T00:00:00Z"})  # 2.1: published -50
    assert response.status_code == 400 and "before version 2.1" in response.json()["error"]


def test_a_body_that_is_not_json_is_a_400(base):
    assert post(base, b"subject=alice").status_code == 400
    assert post(base, b"[1, 2]").json()["error"] == "the body must be a JSON object"


def test_an_unknown_version_is_a_422_naming_the_version(base, database):
    response = post(base, {**ALICE, "version": "9.9"})
    assert response.status_code == 422
    assert response.json()["field"] == "version" and "9.9" in response.json()["error"]
    assert rows(database) == []


def test_an_unknown_policy_is_a_422_naming_the_policy(base):
    response = post(base, {**ALICE, "policy": "cookies"})
    assert response.status_code == 422 and response.json()["field"] == "policy"


# -- idempotency -------------------------------------------------------------------------------


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer_and_adds_nothing(base, database):
    first = post(base, ALICE, {"Idempotency-Key": "order-1"})
    time.sleep(0.01)
    retry = post(base, ALICE, {"Idempotency-Key": "order-1"})
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.content == first.content  # the same accepted_at, although none was sent
    assert retry.headers["Idempotency-Replayed"] == "true" and "Idempotency-Replayed" not in first.headers
    assert len(rows(database)) == 1


def test_the_same_idempotency_key_with_another_body_is_a_409(base, database):
    post(base, ALICE, {"Idempotency-Key": "order-1"})
    response = post(base, {**ALICE, "source": "app"}, {"Idempotency-Key": "order-1"})
    assert response.status_code == 409 and response.json()["field"] == "Idempotency-Key"
    assert [r[3] for r in rows(database)] == ["web"]


def test_different_idempotency_keys_are_different_requests(base):
    assert post(base, ALICE, {"Idempotency-Key": "a"}).status_code == 201
    assert post(base, ALICE, {"Idempotency-Key": "b"}).status_code == 200


def test_simultaneous_requests_with_one_idempotency_key_record_once_and_answer_alike(base, database):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post(base, ALICE, {"Idempotency-Key": "burst"}), range(8)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert len(rows(database)) == 1


def test_an_overlong_idempotency_key_is_a_400(base):
    response = post(base, ALICE, {"Idempotency-Key": "x" * 256})
    assert response.status_code == 400 and response.json()["field"] == "Idempotency-Key"


# -- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{}, bearer("wrong-" + API_KEY), {"Authorization": API_KEY}, {"Authorization": "Bearer"}]
)
def test_a_missing_or_wrong_key_is_a_401_on_both_routes(base, database, headers):
    response = post(base, ALICE, {"Authorization": headers.get("Authorization", "")})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert lookup(base, "alice", headers).status_code == 401
    assert rows(database) == []


def test_the_key_is_compared_in_constant_time(app, monkeypatch):
    seen = []
    real = hmac.compare_digest

    def spy(a, b):
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    with serving(app) as url:
        assert lookup(url, "alice", bearer("nearly-" + API_KEY)).status_code == 401
        assert lookup(url, "alice").status_code == 200
    assert len(seen) == 2 and all(len(a) == len(b) == 32 for a, b in seen)


def test_without_a_key_the_api_is_off_and_says_so(repo, database, monkeypatch):
    monkeypatch.delenv("POLICYWATCH_API_KEY", raising=False)
    with serving(make_app(open_project(repo.root))) as url:
        response = post(url, ALICE)
        assert response.status_code == 503 and "POLICYWATCH_API_KEY" in response.json()["error"]
        assert lookup(url, "alice").status_code == 503
    assert rows(database) == []


def test_a_short_api_key_stops_the_service_from_starting(repo, database, monkeypatch):
    from policywatch.errors import ServiceSettingsError

    monkeypatch.setenv("POLICYWATCH_API_KEY", "short")
    with pytest.raises(ServiceSettingsError, match="POLICYWATCH_API_KEY: must be at least 32"):
        make_app(open_project(repo.root))


def test_serve_says_at_start_whether_the_api_is_on(repo, database):
    import os

    for key, expected in ((API_KEY, "acceptances API on: POST /api/acceptances"), ("", "acceptances API off")):
        env = {**os.environ, "POLICYWATCH_API_KEY": key}
        process = subprocess.Popen(
            [sys.executable, "-m", "policywatch", "serve", "--port", "0"],
            cwd=repo.root,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: list[str] = []
        try:
            while len(lines) < 10 and lines[-1:] != [""] and "acceptances API" not in "".join(lines):
                lines.append(process.stderr.readline())
        finally:
            process.terminate()  # not SIGINT: a shell's background job inherits it ignored
            process.wait(timeout=30)
        assert any(expected in line for line in lines), lines


# -- lookup ------------------------------------------------------------------------------------


def status_of(base: str, subject: str = "alice", policy: str = "privacy") -> dict:
    response = lookup(base, subject)
    assert response.status_code == 200
    return response.json()["policies"][policy]


def test_a_subject_who_accepted_the_material_version_in_force_need_not_accept(base):
    post(base, {**ALICE, "version": "2.0"})
    privacy = status_of(base)
    assert privacy["accepted_version"] == "2.0"
    assert privacy["must_accept"] is False and privacy["must_accept_version"] is None
    assert privacy["version_in_force"] == "2.1"  # a minor version since: no re-acceptance


def test_a_material_version_in_force_and_not_accepted_must_be_accepted(base):
    post(base, {**ALICE, "version": "1.0"})
    privacy = status_of(base)
    assert privacy["accepted_version"] == "1.0"
    assert privacy["must_accept"] is True and privacy["must_accept_version"] == "2.1"


def test_a_published_upcoming_material_version_must_be_accepted(repo, app, base):
    post(base, {**ALICE, "version": "2.1"})
    assert status_of(base)["must_accept"] is False
    release(repo, "privacy", "3.0", "material", days(20), days(-1))
    app.acceptances.catalog._checked = 0  # the next request looks at the refs now, not within the second
    privacy = status_of(base)
    assert privacy["must_accept"] is True and privacy["must_accept_version"] == "3.0"
    assert privacy["must_accept_effective"] == days(20).isoformat()
    assert (privacy["version_in_force"], privacy["upcoming_version"]) == ("2.1", "3.0")


def test_accepting_a_later_version_covers_the_earlier_material_one(repo, app, base):
    release(repo, "privacy", "3.0", "material", days(20), days(-1))
    app.acceptances.catalog._checked = 0
    assert post(base, {**ALICE, "version": "3.0"}).status_code == 201
    assert status_of(base)["must_accept"] is False


def test_a_minor_version_alone_never_asks_for_acceptance_again(repo, app, base):
    post(base, {**ALICE, "version": "2.1"})
    release(repo, "privacy", "2.2", "minor", days(-100), days(0))
    app.acceptances.catalog._checked = 0
    privacy = status_of(base)
    assert privacy["must_accept"] is False and privacy["accepted_version"] == "2.1"
    assert privacy["version_in_force"] == "2.2"


def test_a_subject_who_accepted_nothing_must_accept_every_policy(base):
    body = lookup(base, "nobody-yet").json()
    assert sorted(body["policies"]) == ["privacy", "terms"]
    assert all(p["must_accept"] and p["accepted_version"] is None for p in body["policies"].values())


def test_the_latest_accepted_version_is_reported_per_policy(base):
    post(base, {**ALICE, "version": "2.0", "accepted_at": f"{days(-1).isoformat()}T00:00:00Z"})
    post(base, {**ALICE, "version": "1.0"})  # accepted later in time, but an older version
    post(base, {**ALICE, "policy": "terms", "version": "1.0"})
    body = lookup(base, "alice").json()["policies"]
    assert body["privacy"]["accepted_version"] == "2.0"
    assert body["privacy"]["accepted_at"].startswith(days(-1).isoformat())
    assert body["terms"]["accepted_version"] == "1.0" and body["terms"]["must_accept"] is False


def test_a_lookup_answers_server_timing(base):
    assert lookup(base, "alice").headers["Server-Timing"].startswith("app;dur=")


def test_a_subject_with_a_slash_or_space_is_a_400(base):
    assert lookup(base, "a%20b").status_code == 400


def test_lookups_do_not_read_git_until_the_tags_move(repo, app, base):
    for _ in range(5):
        lookup(base, "alice")
    app.acceptances.catalog._checked = 0
    lookup(base, "alice")
    assert app.acceptances.catalog.reads == 1  # refs looked at, unchanged: no git
    repo.tag("unrelated-lightweight")
    app.acceptances.catalog._checked = 0
    lookup(base, "alice")
    assert app.acceptances.catalog.reads == 2


def test_get_on_the_post_route_is_a_405(base):
    import httpx

    response = httpx.get(f"{base}/api/acceptances", headers=bearer(), timeout=10)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


def test_the_api_answers_under_a_prefix(repo, database, monkeypatch):
    monkeypatch.setenv("POLICYWATCH_API_KEY", API_KEY)
    with serving(make_app(open_project(repo.root), prefix="/legal")) as url:
        assert post(f"{url}/legal", ALICE).status_code == 201
        assert lookup(f"{url}/legal", "alice").json()["policies"]["privacy"]["accepted_version"] == "2.1"


def test_under_gunicorn_the_api_records_and_looks_up_an_acceptance(repo, database, monkeypatch):
    import httpx

    from tests._burst_support import gunicorn_serving

    monkeypatch.setenv("POLICYWATCH_API_KEY", API_KEY)
    with gunicorn_serving(repo.root, workers=2, threads=2) as base:
        created = httpx.post(f"{base}/api/acceptances", json=ALICE, headers=bearer(), timeout=10)
        found = httpx.get(f"{base}/api/acceptances/alice", headers=bearer(), timeout=10)
    assert created.status_code == 201, created.text
    assert found.json()["policies"][ALICE["policy"]]["accepted_version"] == ALICE["version"]
    assert [(policy, version, source) for policy, version, _, source in rows(database)] == [
        (ALICE["policy"], ALICE["version"], ALICE["source"])
    ]
