"""The unsubscribe endpoint under load and abuse: ``policywatch serve``'s server and waitress."""

from __future__ import annotations

import io
import re
import shutil
import signal
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from policywatch.audience.service.app import MAX_URL, make_app
from policywatch.audience.service.server import BACKLOG, make_server_for
from policywatch.audience.subscribers import add_subscriber, get_subscriber, remove_subscriber
from policywatch.project import open_project
from policywatch.store import open_store, project_store
from tests._burst_support import one_click_burst, waitress_serving
from tests._git_support import new_git_project
from tests._unsubscribe_support import ONE_CLICK, serving, start_serve

BURST = 100


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'state.db'}"


def add_many(store_url: str, count: int) -> list[str]:
    store = open_store(store_url)
    try:
        return [add_subscriber(store, f"person{i}@example.com")[0].token for i in range(count)]
    finally:
        store.close()


@pytest.fixture
def tokens(db_url) -> list[str]:
    return add_many(db_url, BURST)


@pytest.fixture
def jane_token(tokens) -> str:
    return tokens[0]


def statuses(store_url: str) -> dict[str, int]:
    store = open_store(store_url)
    try:
        rows = store.query("SELECT status, COUNT(*) FROM subscribers GROUP BY status")
    finally:
        store.close()
    return dict(rows)


@pytest.fixture
def site(db_url, tokens) -> Iterator[str]:
    with serving(make_app(db_url)) as base:
        yield base


def raw_request(base: str, data: bytes, *, half_close: bool = False, timeout: float = 30) -> bytes:
    """Send bytes as they are and return the status line of the reply (empty if none)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(data)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        return conn.makefile("rb").readline()


def status_of_reply(line: bytes) -> int:
    return int(line.split()[1])


# Load: nothing dropped, never more threads than the pool


def test_a_burst_of_100_one_click_posts_loses_none(db_url, tokens):
    with serving(make_app(db_url)) as base:
        burst = one_click_burst(base, tokens)
    assert (burst.ok, sum(burst.errors.values())) == (BURST, 0), burst.summary()
    assert statuses(db_url) == {"unsubscribed": BURST}


def test_a_burst_beyond_the_pool_waits_in_the_backlog_instead_of_being_reset(db_url, tokens):
    with serving(make_app(db_url), workers=2) as base:
        burst = one_click_burst(base, tokens)
    assert (burst.ok, sum(burst.errors.values())) == (BURST, 0), burst.summary()


def test_the_listen_backlog_is_at_least_128():
    server = make_server_for(make_app(lambda: None), "127.0.0.1", 0)
    try:
        assert server.request_queue_size == BACKLOG >= 128
    finally:
        server.server_close()


def test_no_more_requests_run_at_once_than_the_pool_has_workers(db_url, tokens):
    app = make_app(db_url)
    lock, running, most = threading.Lock(), [0], [0]

    def counting(environ, start_response):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return app(environ, start_response)
        finally:
            with lock:
                running[0] -= 1

    with serving(counting, workers=3) as base:
        burst = one_click_burst(base, tokens[:40])
    assert burst.ok == 40 and 1 <= most[0] <= 3


def test_a_client_that_sends_nothing_gives_up_its_worker_at_the_timeout(db_url, jane_token):
    with serving(make_app(db_url), workers=1, timeout=0.5) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))):
            response = httpx.post(f"{base}/unsubscribe?token={jane_token}", timeout=30, **ONE_CLICK)
    assert response.status_code == 200


# Abuse: a clear 4xx, never a traceback, a reset or a 500


@pytest.mark.parametrize(
    "request_line",
    [b"\x16\x03\x01\x02\x00garbage", b"GET", b"GET / HTTP/1.1 extra", b"POST /unsubscribe HTTP/9.9"],
    ids=["tls-hello", "one-word", "four-words", "bad-version"],
)
def test_a_garbled_request_line_gets_a_status_line(site, request_line):
    reply = raw_request(site, request_line + b"\r\n\r\n")
    assert status_of_reply(reply) in (400, 505)


def test_a_garbled_request_leaves_the_token_out_of_the_log(db_url, jane_token):
    log = io.StringIO()
    with serving(make_app(db_url), access_log=log) as base:
        raw_request(base, f"POST /unsubscribe?token={jane_token} HTTP/1.1 x\r\n\r\n".encode())
    assert "400" in log.getvalue() and jane_token not in log.getvalue()


@pytest.mark.parametrize("length", [MAX_URL + 1, 70_000])
def test_an_over_long_url_gets_a_414(site, length):
    reply = raw_request(site, b"GET /unsubscribe?token=" + b"a" * length + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of_reply(reply) == 414


def test_a_body_that_never_arrives_gets_a_400_at_the_read_timeout(db_url, jane_token):
    request = f"POST /unsubscribe?token={jane_token} HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\n"
    with serving(make_app(db_url), timeout=0.5) as base:
        reply = raw_request(base, request.encode())
    assert (status_of_reply(reply), statuses(db_url).get("unsubscribed", 0)) == (400, 0)


def test_a_body_dripped_a_byte_at_a_time_is_cut_off_at_the_deadline(db_url, jane_token):
    head = f"POST /unsubscribe?token={jane_token} HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\n".encode()
    with serving(make_app(db_url), timeout=1, deadline=1.5) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            conn.sendall(head)

            def drip() -> None:  # each byte well within the read timeout; the whole body takes 5 s
                for byte in b"List-Unsubscribe=One-Click":
                    try:
                        conn.send(bytes([byte]))
                    except OSError:
                        return
                    threading.Event().wait(0.2)

            dripper = threading.Thread(target=drip, daemon=True)
            dripper.start()
            reply = conn.makefile("rb").readline()
    assert (status_of_reply(reply), statuses(db_url).get("unsubscribed", 0)) == (400, 0)


def test_a_body_shorter_than_its_length_gets_a_400(site, db_url, jane_token):
    request = f"POST /unsubscribe?token={jane_token} HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\nList-"
    reply = raw_request(site, request.encode(), half_close=True)
    assert (status_of_reply(reply), statuses(db_url).get("unsubscribed", 0)) == (400, 0)


def test_a_huge_declared_length_gets_a_413_without_waiting_for_the_body(site, db_url, jane_token):
    request = f"POST /unsubscribe?token={jane_token} HTTP/1.1\r\nHost: x\r\nContent-Length: {10**20}\r\n\r\n"
    reply = raw_request(site, request.encode(), timeout=5)  # the server's read timeout is longer than this
    assert (status_of_reply(reply), statuses(db_url).get("unsubscribed", 0)) == (413, 0)


def test_two_content_length_headers_get_a_400(site, db_url, jane_token):
    request = (
        f"POST /unsubscribe?token={jane_token} HTTP/1.1\r\nHost: x\r\n"
        "Content-Length: 26\r\nContent-Length: 0\r\n\r\nList-Unsubscribe=One-Click"
    )
    reply = raw_request(site, request.encode())
    assert (status_of_reply(reply), statuses(db_url).get("unsubscribed", 0)) == (400, 0)


@pytest.mark.parametrize("path", ["/unsubscribe?token={token}", "/missing"])
def test_the_server_header_names_no_version(site, jane_token, path):
    assert httpx.get(site + path.format(token=jane_token)).headers["Server"] == "policywatch"


def test_an_error_reply_of_the_server_itself_names_no_version(site):
    reply = raw_request(site, b"GET / HTTP/9.9\r\n\r\n")
    host, port = site.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(b"BAD\r\n\r\n")
        text = conn.makefile("rb").read().decode("latin-1")
    assert status_of_reply(reply) == 505 and "Server: policywatch\r\n" in text and "Python" not in text


# Re-subscribing: the old link stops working


def test_an_old_link_no_longer_unsubscribes_someone_who_resubscribed(site, db_url, jane_token):
    store = open_store(db_url)
    try:
        remove_subscriber(store, "person0@example.com")
        add_subscriber(store, "person0@example.com")
    finally:
        store.close()
    response = httpx.post(f"{site}/unsubscribe?token={jane_token}", **ONE_CLICK)
    store = open_store(db_url)
    try:
        assert (response.status_code, get_subscriber(store, "person0@example.com").status) == (404, "active")
    finally:
        store.close()


# The same application under waitress, a production WSGI server


@pytest.fixture
def repo_tokens(tmp_path) -> tuple:
    repo = new_git_project(tmp_path / "repo")
    with project_store(open_project(repo.root)) as store:
        tokens = [add_subscriber(store, f"person{i}@example.com")[0].token for i in range(BURST)]
    return repo, tokens


def repo_statuses(repo) -> dict[str, int]:
    with project_store(open_project(repo.root)) as store:
        return dict(store.query("SELECT status, COUNT(*) FROM subscribers GROUP BY status"))


def test_under_waitress_a_one_click_post_unsubscribes(repo_tokens):
    repo, tokens = repo_tokens
    with waitress_serving(repo.root) as base:
        response = httpx.post(f"{base}/unsubscribe?token={tokens[0]}", **ONE_CLICK)
    assert (response.status_code, repo_statuses(repo)) == (200, {"unsubscribed": 1, "active": BURST - 1})


def test_under_waitress_a_burst_of_100_one_click_posts_loses_none(repo_tokens):
    repo, tokens = repo_tokens
    with waitress_serving(repo.root) as base:
        burst = one_click_burst(base, tokens)
    assert (burst.ok, sum(burst.errors.values())) == (BURST, 0), burst.summary()
    assert repo_statuses(repo) == {"unsubscribed": BURST}


def test_under_waitress_an_oversize_body_gets_a_413(repo_tokens):
    repo, tokens = repo_tokens
    with waitress_serving(repo.root) as base:
        response = httpx.post(f"{base}/unsubscribe?token={tokens[0]}", content=b"x" * 5000)
    assert (response.status_code, repo_statuses(repo)) == (413, {"active": BURST})


def test_under_waitress_an_over_long_url_gets_a_414(repo_tokens):
    repo, _ = repo_tokens
    with waitress_serving(repo.root) as base:
        response = httpx.get(f"{base}/unsubscribe?token={'a' * (MAX_URL + 1)}")
    assert response.status_code == 414


def test_serve_with_a_pool_of_two_answers_a_burst_without_a_version_in_server(repo_tokens):
    repo, tokens = repo_tokens
    process = start_serve(repo.root, "--workers", "2")
    try:
        base = re.search(r"http://127\.0\.0\.1:\d+", process.stderr.readline()).group(0)
        # read the access log as it comes: a full pipe would stall the server
        threading.Thread(target=shutil.copyfileobj, args=(process.stderr, io.StringIO()), daemon=True).start()
        server = httpx.get(f"{base}/missing").headers["Server"]
        burst = one_click_burst(base, tokens)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert (server, burst.ok, process.returncode) == ("policywatch", BURST, 0), burst.summary()
