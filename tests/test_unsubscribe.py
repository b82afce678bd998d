"""The unsubscribe endpoint, served by a real HTTP server on a loopback port."""

from __future__ import annotations

import io
import re
import signal
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import httpx
import pytest

from policywatch.audience.service import app as unsubscribe
from policywatch.audience.service.app import link_path, make_app, normalise_prefix
from policywatch.audience.service.tokens import mask_email
from policywatch.audience.subscribers import add_subscriber, get_subscriber
from policywatch.config import parse_config
from policywatch.errors import UnsubscribeSettingsError
from policywatch.project import Project, open_project
from policywatch.store import open_store, project_store
from tests._git_support import new_git_project
from tests._publish_support import run
from tests._unsubscribe_support import ONE_CLICK, serving, start_serve

NONCE = re.compile(r"nonce(?:-|=\")[A-Za-z0-9_-]+")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'state.db'}"


@pytest.fixture
def jane(db_url):
    store = open_store(db_url)
    try:
        sub, _ = add_subscriber(store, "jane.doe@example.com", "Jane")
        add_subscriber(store, "other@example.org")
    finally:
        store.close()
    return sub


@pytest.fixture
def site(db_url, jane) -> Iterator[str]:
    with serving(make_app(db_url)) as base:
        yield base


def status_of(db_url: str, email: str = "jane.doe@example.com"):
    store = open_store(db_url)
    try:
        return get_subscriber(store, email)
    finally:
        store.close()


def link(base: str, token: str) -> str:
    return f"{base}/unsubscribe?token={token}"


def test_get_shows_a_confirmation_form_and_changes_nothing(site, jane, db_url):
    response = httpx.get(link(site, jane.token))
    assert response.status_code == 200
    assert re.search(r'<form method="post"[^>]*>\s*<button type="submit">Unsubscribe</button>', response.text)
    assert status_of(db_url) == jane


def test_the_confirmation_names_the_address_only_masked(site, jane):
    text = httpx.get(link(site, jane.token)).text
    assert "j***@example.com" in text and "jane.doe" not in text


def test_the_confirmation_form_posts_back_and_unsubscribes(site, jane, db_url):
    url = link(site, jane.token)
    action = re.search(r'<form method="post" action="([^"]*)"', httpx.get(url).text).group(1)
    response = httpx.post(urljoin(url, action.replace("&amp;", "&")), data={})
    assert (response.status_code, status_of(db_url).status) == (200, "unsubscribed")


def test_a_one_click_post_unsubscribes(site, jane, db_url):
    response = httpx.post(link(site, jane.token), **ONE_CLICK)
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    assert status_of(db_url).status == "unsubscribed"


def test_a_one_click_post_leaves_other_subscribers_alone(site, jane, db_url):
    httpx.post(link(site, jane.token), **ONE_CLICK)
    assert status_of(db_url, "other@example.org").status == "active"


def test_a_post_with_the_token_in_the_form_body_unsubscribes(site, jane, db_url):
    response = httpx.post(f"{site}/unsubscribe", data={"token": jane.token})
    assert (response.status_code, status_of(db_url).status) == (200, "unsubscribed")


def test_a_repeated_post_succeeds_and_keeps_the_time_of_the_first(site, jane, db_url):
    httpx.post(link(site, jane.token), **ONE_CLICK)
    first = status_of(db_url)
    again = httpx.post(link(site, jane.token), **ONE_CLICK)
    assert again.status_code == 200 and "already unsubscribed" in again.text
    assert status_of(db_url) == first


def test_the_unsubscribe_time_is_recorded(site, jane, db_url):
    httpx.post(link(site, jane.token), **ONE_CLICK)
    assert status_of(db_url).updated_at > jane.updated_at


def test_get_after_unsubscribing_says_so_without_a_form(site, jane):
    httpx.post(link(site, jane.token), **ONE_CLICK)
    text = httpx.get(link(site, jane.token)).text
    assert "already unsubscribed" in text and "<form" not in text


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "query",
    ["token=" + "A" * 32, "token=short", "token=%3Cscript%3E" + "a" * 20, "", "token=", "tok=x"],
    ids=["unknown", "too-short", "bad-characters", "no-query", "empty", "other-parameter"],
)
def test_a_bad_token_gets_the_same_404_as_a_wrong_path(site, method, query):
    response = httpx.request(method, f"{site}/unsubscribe?{query}")
    wrong_path = httpx.request(method, f"{site}/no-such-page")
    assert response.status_code == 404
    assert NONCE.sub("", response.text) == NONCE.sub("", wrong_path.text)


def test_two_tokens_in_one_link_get_a_404(site, jane, db_url):
    response = httpx.post(f"{site}/unsubscribe?token={jane.token}&token={jane.token}", **ONE_CLICK)
    assert (response.status_code, status_of(db_url).status) == (404, "active")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD"])
def test_other_methods_are_refused_with_405(site, jane, db_url, method):
    response = httpx.request(method, link(site, jane.token))
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, POST")
    assert status_of(db_url).status == "active"


def test_an_oversize_body_is_refused_with_413_and_changes_nothing(site, jane, db_url):
    response = httpx.post(link(site, jane.token), content=b"x" * 5000)
    assert (response.status_code, status_of(db_url).status) == (413, "active")


def test_a_body_within_the_limit_is_accepted(site, jane):
    assert httpx.post(link(site, jane.token), content=b"x" * 4096).status_code == 200


@pytest.mark.parametrize("path", ["/unsubscribe?token={token}", "/missing"])
def test_every_response_forbids_caching_framing_and_foreign_content(site, jane, path):
    headers = httpx.get(site + path.format(token=jane.token)).headers
    csp = headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert headers["Referrer-Policy"] == "no-referrer" and headers["X-Content-Type-Options"] == "nosniff"


def test_the_inline_style_carries_the_nonce_the_policy_allows(site, jane):
    response = httpx.get(link(site, jane.token))
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<style nonce="{nonce}">' in response.text


def test_each_page_gets_a_fresh_nonce(site, jane):
    policies = {httpx.get(link(site, jane.token)).headers["Content-Security-Policy"] for _ in range(2)}
    assert len(policies) == 2


def test_the_token_never_reaches_the_access_log(db_url, jane):
    log = io.StringIO()
    with serving(make_app(db_url), access_log=log) as base:
        httpx.get(link(base, jane.token))
        httpx.post(link(base, jane.token), **ONE_CLICK)
    logged = log.getvalue()
    assert '"GET /unsubscribe" 200' in logged and '"POST /unsubscribe" 200' in logged
    assert jane.token not in logged


def test_the_log_records_who_unsubscribed_when_without_the_address(capfd, site, jane, db_url):
    httpx.post(link(site, jane.token), **ONE_CLICK)
    logged = capfd.readouterr().err
    assert f"unsubscribed at {status_of(db_url).updated_at}" in logged and "jane.doe" not in logged


def test_a_prefix_moves_the_endpoint_under_it(db_url, jane):
    with serving(make_app(db_url, prefix="/legal/")) as base:
        moved = httpx.get(f"{base}/legal/unsubscribe?token={jane.token}").status_code
        old = httpx.get(link(base, jane.token)).status_code
    assert (moved, old) == (200, 404)


@pytest.mark.parametrize("prefix", ["/a/{token}", "/a?x=1", "/a/../b", "/a b"])
def test_a_prefix_that_is_not_a_plain_path_is_refused(prefix):
    with pytest.raises(UnsubscribeSettingsError, match="prefix"):
        normalise_prefix(prefix)


def test_a_database_failure_shows_a_generic_500_page(tmp_path, jane):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not an SQLite database" * 100)
    with serving(make_app(f"sqlite:///{garbage}")) as base:
        response = httpx.get(link(base, jane.token))
    assert response.status_code == 500 and "Something went wrong" in response.text
    assert "garbage" not in response.text


def test_the_email_is_masked_to_its_first_letter_and_domain():
    assert mask_email("jane.doe@example.com") == "j***@example.com"


@pytest.fixture
def repo_with_subscriber(tmp_path, in_repo):
    repo = in_repo(new_git_project(tmp_path / "repo"))
    project = open_project(repo.root)
    with project_store(project) as store:
        sub, _ = add_subscriber(store, "jane.doe@example.com")
    return repo, sub


def test_a_repository_template_overrides_the_shipped_page_and_is_autoescaped(repo_with_subscriber):
    repo, sub = repo_with_subscriber
    repo.write("templates/unsubscribe/confirm.html", "<p>Acme: {{ '<b>' }} {{ person.masked_email }}</p>\n")
    with serving(make_app(repo.root)) as base:
        text = httpx.get(link(base, sub.token)).text
    assert text == "<p>Acme: &lt;b&gt; j***@example.com</p>\n"


def test_serve_refuses_a_bad_prefix_in_one_line(repo_with_subscriber):
    result = run("serve", "--prefix", "/x/{token}")
    assert result.exit_code == 2 and "prefix" in result.output and "Traceback" not in result.output


def test_serve_answers_on_the_port_it_reports_and_stops_on_ctrl_c(repo_with_subscriber):
    repo, sub = repo_with_subscriber
    process = start_serve(repo.root)
    try:
        announced = process.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/unsubscribe", announced).group(0)
        response = httpx.get(f"{url}?token={sub.token}")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert (response.status_code, process.returncode) == (200, 0)


def test_the_wsgi_application_serves_the_repository_named_in_the_environment(
    repo_with_subscriber, monkeypatch, tmp_path
):
    repo, sub = repo_with_subscriber
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYWATCH_REPO", str(repo.root))
    monkeypatch.setenv("POLICYWATCH_UNSUBSCRIBE_PREFIX", "/legal")
    monkeypatch.setattr(unsubscribe, "_default_app", None)
    with serving(unsubscribe.application) as base:
        response = httpx.post(f"{base}/legal/unsubscribe?token={sub.token}", **ONE_CLICK)
    with project_store(open_project(repo.root)) as store:
        assert (response.status_code, get_subscriber(store, sub.email).status) == (200, "unsubscribed")


def concurrent_posts(base: str, token: str, count: int = 8) -> list[httpx.Response]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: httpx.post(link(base, token), **ONE_CLICK), range(count)))


def test_simultaneous_posts_all_succeed_and_exactly_one_records_the_change(site, jane, db_url):
    responses = concurrent_posts(site, jane.token)
    assert [r.status_code for r in responses] == [200] * len(responses)
    assert sum("No more policy change notices" in r.text for r in responses) == 1


def test_on_postgresql_a_one_click_post_unsubscribes_once(pg_url):
    store = open_store(pg_url)
    try:
        sub, _ = add_subscriber(store, "jane.doe@example.com")
    finally:
        store.close()
    with serving(make_app(pg_url)) as base:
        responses = concurrent_posts(base, sub.token)
    assert sum("No more policy change notices" in r.text for r in responses) == 1
    assert status_of(pg_url).status == "unsubscribed"


@pytest.mark.parametrize(
    ("settings", "path"),
    [
        ({"site": {"base_url": "https://example.com/legal/"}}, "/legal/unsubscribe"),
        ({"site": {"base_url": "https://example.com"}}, "/unsubscribe"),
        (
            {
                "site": {"base_url": "https://example.com/"},
                "email": {"unsubscribe_url": "https://x.com/u?token={token}"},
            },
            "/u",
        ),
        ({}, None),
    ],
    ids=["site-path", "site-root", "email-setting-wins", "no-links"],
)
def test_link_path_is_where_the_notices_point(tmp_path, settings, path):
    project = Project(tmp_path, parse_config(settings, "policywatch.toml"))
    assert link_path(project) == path


def test_serve_says_when_notices_link_somewhere_else(repo_with_subscriber):
    repo, _ = repo_with_subscriber
    repo.write("policywatch.toml", '[site]\nbase_url = "https://example.com/legal/"\n')
    process = start_serve(repo.root)
    try:
        process.stderr.readline()
        note = process.stderr.readline()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert "notices link to /legal/unsubscribe; this serves /unsubscribe" in note


def test_the_wsgi_application_outside_a_repository_answers_500_and_logs_why(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("POLICYWATCH_REPO", str(tmp_path))
    monkeypatch.setattr(unsubscribe, "_default_app", None)
    with serving(unsubscribe.application) as base:
        response = httpx.get(f"{base}/unsubscribe?token={'A' * 32}")
    assert response.status_code == 500 and str(tmp_path) not in response.text
    assert "not inside a git repository" in capfd.readouterr().err


def test_a_one_click_post_sent_as_multipart_form_data_unsubscribes(site, jane, db_url):
    response = httpx.post(link(site, jane.token), files={"List-Unsubscribe": (None, "One-Click")})
    assert (response.status_code, status_of(db_url).status) == (200, "unsubscribed")


def test_a_content_length_that_is_not_a_number_is_a_400(site, jane, db_url):
    host, port = site.removeprefix("http://").split(":")
    request = f"POST /unsubscribe?token={jane.token} HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request.encode("ascii"))
        reply = conn.makefile("rb").readline()
    assert (reply.split()[1], status_of(db_url).status) == (b"400", "active")


def test_serve_on_a_port_in_use_fails_in_one_line(repo_with_subscriber):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run("serve", "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 2 and "cannot listen" in result.output and "Traceback" not in result.output
