"""Webhooks against a real HTTP server on loopback (http.server in a thread)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from policywatch.errors import WebhookSettingsError
from policywatch.notify.channels import Outcome, Recipient
from policywatch.notify.webhook import WebhookChannel, WebhookSettings, parse_webhooks, webhook_channels
from policywatch.project import open_project
from tests._email_support import make_notice

SECRET = "s3cret-for-tests"
HOOK = Recipient("privacy/v2.0:webhook:ops", "ops")


class Receiver:
    """Records every post; answers with the next status in ``script``, then 200."""

    def __init__(self, script: list[int] | None = None):
        self.script = list(script or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []

    @contextmanager
    def serve(self) -> Iterator[str]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/hook"
        finally:
            server.shutdown()
            server.server_close()


def deliver(url: str, fmt: str = "json", retries: int = 3) -> list[Outcome]:
    settings = WebhookSettings("ops", url, fmt, SECRET, timeout=5, retries=retries, backoff=0.01)  # type: ignore[arg-type]

    async def go() -> list[Outcome]:
        outcomes: list[Outcome] = []
        async with WebhookChannel(settings) as channel:
            await channel.send(make_notice(), [HOOK], outcomes.append)
        return outcomes

    return asyncio.run(go())


def test_the_signature_verifies_against_the_exact_body():
    receiver = Receiver()
    with receiver.serve() as url:
        outcomes = deliver(url)
    headers, body = receiver.requests[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Policywatch-Signature"], expected)
    assert outcomes[0].status == "sent"


def test_the_json_body_describes_the_release_and_the_delivery():
    receiver = Receiver()
    with receiver.serve() as url:
        deliver(url)
    headers, body = receiver.requests[0]
    data = json.loads(body)
    assert (data["event"], data["policy"], data["version"], data["previous_version"]) == (
        "policy.released",
        "privacy",
        "2.0",
        "1.0",
    )
    assert data["effective"] == "2026-12-25"
    assert data["links"]["changes"] == "https://policies.example.com/privacy/v2.0/changes/"
    assert data["delivery_id"] == headers["X-Policywatch-Delivery"] == HOOK.delivery_id


def test_the_slack_format_posts_readable_text():
    receiver = Receiver()
    with receiver.serve() as url:
        deliver(url, fmt="slack")
    data = json.loads(receiver.requests[0][1])
    assert "*Example Privacy Policy* 2.0 (was 1.0): material change, effective 2026-12-25" in data["text"]
    assert "• Sharing: new recipient: advertising partners" in data["text"]
    assert data["blocks"][0]["text"]["type"] == "mrkdwn"


def test_a_503_is_retried_until_the_receiver_accepts():
    receiver = Receiver([503, 503])
    with receiver.serve() as url:
        outcomes = deliver(url)
    assert [o.status for o in outcomes] == ["sent"]
    assert len(receiver.requests) == 3
    assert len({body for _, body in receiver.requests}) == 1


def test_a_5xx_that_persists_ends_deferred():
    receiver = Receiver([500, 502, 503])
    with receiver.serve() as url:
        outcomes = deliver(url, retries=2)
    assert outcomes[0].status == "deferred"
    assert "503" in outcomes[0].detail


def test_a_400_fails_without_retrying():
    receiver = Receiver([400])
    with receiver.serve() as url:
        outcomes = deliver(url)
    assert outcomes[0].status == "failed"
    assert len(receiver.requests) == 1


def test_a_429_is_retried():
    receiver = Receiver([429])
    with receiver.serve() as url:
        outcomes = deliver(url)
    assert outcomes[0].status == "sent"


def test_a_receiver_that_is_down_ends_deferred():
    with Receiver().serve() as url:
        pass
    outcomes = deliver(url, retries=1)
    assert outcomes[0].status == "deferred"
    assert "ConnectError" in outcomes[0].detail


def test_webhooks_are_read_from_config_with_the_secret_from_the_environment(policy_repo, monkeypatch):
    monkeypatch.setenv("OPS_HOOK_SECRET", "abc")
    policy_repo.write(
        "policywatch.toml",
        '[[webhooks]]\nname = "ops"\nurl = "https://hooks.example.com/x"\nsecret_env = "OPS_HOOK_SECRET"\n\n'
        '[[webhooks]]\nname = "chat"\nurl = "https://hooks.slack.com/services/T/B/C"\nformat = "slack"\n',
    )
    channels = webhook_channels(open_project(policy_repo.root))
    assert [c.name for c in channels] == ["webhook:ops", "webhook:chat"]
    assert channels[0].settings.secret == "abc"
    assert channels[1].settings.format == "slack"


def test_no_webhooks_configured_means_no_channels(policy_repo):
    assert webhook_channels(open_project(policy_repo.root)) == []


@pytest.mark.parametrize(
    ("entry", "named"),
    [
        ({"name": "ops", "url": "https://h.example/x"}, "secret_env"),
        ({"name": "ops", "url": "https://h.example/x", "secret_env": "UNSET_VAR_FOR_TEST"}, "UNSET_VAR_FOR_TEST"),
        ({"name": "ops", "url": "ftp://h.example/x", "format": "slack"}, "url"),
        ({"name": "ops", "url": "http://h.example/x", "format": "slack"}, "http://"),
        ({"name": "ops", "url": "https://h.example/x", "format": "xml"}, "format"),
        ({"name": "o p s", "url": "https://h.example/x", "format": "slack"}, "name"),
        ({"name": "ops", "url": "https://h.example/x", "format": "slack", "retry": 2}, "retry"),
    ],
)
def test_a_bad_webhook_entry_is_reported_with_its_key(entry, named):
    with pytest.raises(WebhookSettingsError, match=named):
        parse_webhooks([entry], environ={})


def test_two_webhooks_with_one_name_are_refused():
    entry = {"name": "ops", "url": "https://h.example/x", "format": "slack"}
    with pytest.raises(WebhookSettingsError, match="used twice"):
        parse_webhooks([entry, entry], environ={})
