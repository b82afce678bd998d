"""`policywatch notify` on PostgreSQL, end to end: real subprocesses, a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json

import pytest

from tests._store_support import released_with_subscribers, smtp_sink, start_notify

SUBSCRIBERS = 600


@pytest.fixture
def project_on_postgres(tmp_path, pg_url):
    repo, url, store = released_with_subscribers(tmp_path / "repo", SUBSCRIBERS, "batch_size = 20\n", pg_url)
    yield repo, url, store
    store.close()


def _notify(repo, url: str, port: int, *args: str):
    return start_notify(repo.root, url, port, *args)


@pytest.mark.slow
def test_two_notify_processes_racing_on_postgres_send_each_notice_once(project_on_postgres):
    repo, url, store = project_on_postgres
    with smtp_sink() as (port, sink):
        procs = [_notify(repo, url, port), _notify(repo, url, port)]
        summaries = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            summaries.append(json.loads(out))
        received = sink.per_recipient()
    assert len(received) == SUBSCRIBERS
    assert max(received.values()) == 1
    assert sum(s["sent"] for s in summaries) == SUBSCRIBERS
    assert store.query("SELECT state, COUNT(*) FROM deliveries GROUP BY state") == [("sent", SUBSCRIBERS)]


@pytest.mark.slow
def test_notify_with_worker_processes_on_postgres_sends_each_notice_once(project_on_postgres):
    repo, url, store = project_on_postgres
    with smtp_sink() as (port, sink):
        out, err = _notify(repo, url, port, "--workers", "3").communicate(timeout=120)
        received = sink.per_recipient()
    summary = json.loads(out)
    assert (summary["sent"], summary["pending"], len(summary["peak_rss_mb"])) == (SUBSCRIBERS, 0, 3)
    assert len(received) == SUBSCRIBERS and max(received.values()) == 1
