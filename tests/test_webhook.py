"""Webhooks against a real HTTP server on loopback (http.server in a thread)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import standardwebhooks

from policywatch.audience.channels import Outcome, Recipient
from policywatch.audience.webhook import WebhookChannel, WebhookSettings, parse_webhooks, webhook_channels
from policywatch.errors import WebhookSettingsError
from policywatch.project import open_project
from tests._email_support import make_notice

SECRET = "s3cret-for-tests"
WHSEC = "whsec_" + base64.b64encode(b"\x00\x01 32 random bytes, or any bytes \xff").decode()
HOOK = Recipient("privacy/v2.0:webhook:ops", "ops")
TOLERANCE = 300


class Receiver:
    """Records every post; answers with ``check(headers, body)`` when given, else the next status of ``script``."""

    def __init__(self, script: list[int] | None = None, check: Callable[[dict[str, str], bytes], int] | None = None):
        self.script = list(script or [])
        self.check = check
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []

    @contextmanager
    def serve(self) -> Iterator[str]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                if receiver.check is not None:
                    status = receiver.check(dict(self.headers), body)
                else:
                    status = receiver.script.pop(0) if receiver.script else 200
                receiver.answers.append(status)
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


class SpecVerifier:
    """A receiver's check, written from the Standard Webhooks specification, not from policywatch's code.

    400 for missing headers or a timestamp outside the tolerance, 401 for no matching
    ``v1`` signature, 409 for a message id already accepted (a replay within the tolerance).
    """

    def __init__(self, secret: str, tolerance: int = TOLERANCE):
        self.key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
        self.tolerance = tolerance
        self.seen: set[str] = set()

    def __call__(self, headers: dict[str, str], body: bytes) -> int:
        headers = {k.lower(): v for k, v in headers.items()}
        msg_id, stamp, signatures = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
        if not (msg_id and stamp and signatures and stamp.isdigit()):
            return 400
        if abs(time.time() - int(stamp)) > self.tolerance:
            return 400
        expected = hmac.new(self.key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        candidates = [s.partition(",") for s in signatures.split(" ")]
        if not any(v == "v1" and hmac.compare_digest(base64.b64decode(sig), expected) for v, _, sig in candidates):
            return 401
        if msg_id in self.seen:
            return 409
        self.seen.add(msg_id)
        return 200


def deliver(
    url: str, fmt: str = "json", retries: int = 3, secret: str = SECRET, clock: Callable[[], float] = time.time
) -> list[Outcome]:
    settings = WebhookSettings("ops", url, fmt, secret, timeout=5, retries=retries, backoff=0.01)  # type: ignore[arg-type]

    async def go() -> list[Outcome]:
        outcomes: list[Outcome] = []
        async with WebhookChannel(settings, clock=clock) as channel:
            await channel.send(make_notice(), [HOOK], outcomes.append)
        return outcomes

    return asyncio.run(go())


@pytest.mark.parametrize("secret", [SECRET, WHSEC], ids=["plain-secret", "whsec-secret"])
def test_a_post_verifies_as_the_standard_webhooks_specification_says(secret):
    receiver = Receiver(check=SpecVerifier(secret))
    with receiver.serve() as url:
        outcomes = deliver(url, secret=secret)
    assert (receiver.answers, outcomes[0].status) == ([200], "sent")


def test_the_standardwebhooks_library_verifies_a_post():
    receiver = Receiver()
    with receiver.serve() as url:
        deliver(url, secret=WHSEC)
    headers, body = receiver.requests[0]
    assert standardwebhooks.Webhook(WHSEC).verify(body, headers)["policy"] == "privacy"


def test_a_replayed_post_is_refused_by_a_receiver_that_follows_the_specification():
    receiver = Receiver(check=SpecVerifier(SECRET))
    with receiver.serve() as url:
        deliver(url)
        headers, body = receiver.requests[0]
        replay = httpx.post(url, content=body, headers={k: v for k, v in headers.items() if k.lower() != "host"})
    assert (receiver.answers, replay.status_code) == ([200, 409], 409)


def test_a_replay_with_a_fresh_timestamp_no_longer_matches_the_signature():
    receiver = Receiver(check=SpecVerifier(SECRET))
    with receiver.serve() as url:
        deliver(url)
        headers, body = receiver.requests[0]
        forged = {k: v for k, v in headers.items() if k.lower() != "host"}
        forged["webhook-timestamp"] = str(int(headers["webhook-timestamp"]) + 1)
        replay = httpx.post(url, content=body, headers=forged)
    assert replay.status_code == 401


def test_a_post_signed_outside_the_tolerance_is_refused():
    receiver = Receiver(check=SpecVerifier(SECRET))
    with receiver.serve() as url:
        outcomes = deliver(url, clock=lambda: time.time() - 2 * TOLERANCE)
    assert (receiver.answers, outcomes[0].status) == ([400], "failed")


def test_the_standardwebhooks_library_refuses_an_old_post():
    receiver = Receiver()
    with receiver.serve() as url:
        deliver(url, secret=WHSEC, clock=lambda: time.time() - 2 * TOLERANCE)
    headers, body = receiver.requests[0]
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(WHSEC).verify(body, headers)


def test_a_retry_keeps_the_message_id_and_signs_a_fresh_timestamp():
    ticks = iter([1_900_000_000, 1_900_000_007])
    receiver = Receiver([503])
    with receiver.serve() as url:
        deliver(url, clock=lambda: next(ticks))
    first, second = (headers for headers, _ in receiver.requests)
    assert first["webhook-id"] == second["webhook-id"]
    assert (first["webhook-timestamp"], second["webhook-timestamp"]) == ("1900000000", "1900000007")
    assert first["webhook-signature"] != second["webhook-signature"]


def test_two_releases_get_different_message_ids():
    receiver = Receiver()
    with receiver.serve() as url:
        deliver(url)
        settings = WebhookSettings("ops", url, "json", SECRET, timeout=5, retries=0, backoff=0.01)

        async def other() -> None:
            async with WebhookChannel(settings) as channel:
                await channel.send(make_notice(), [Recipient("terms/v3.0:webhook:ops", "ops")], lambda _: None)

        asyncio.run(other())
    assert len({headers["webhook-id"] for headers, _ in receiver.requests}) == 2


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
        ({"name": "ops", "url": "https://h.example/x", "secret_env": "BAD_WHSEC"}, "BAD_WHSEC: a whsec_ secret"),
    ],
)
def test_a_bad_webhook_entry_is_reported_with_its_key(entry, named):
    with pytest.raises(WebhookSettingsError, match=named) as caught:
        parse_webhooks([entry], environ={"BAD_WHSEC": "whsec_not*base64!"})
    assert "not*base64" not in str(caught.value)


def test_two_webhooks_with_one_name_are_refused():
    entry = {"name": "ops", "url": "https://h.example/x", "format": "slack"}
    with pytest.raises(WebhookSettingsError, match="used twice"):
        parse_webhooks([entry, entry], environ={})


def test_the_slack_format_gives_the_summary_under_the_headline_escaped():
    settings = WebhookSettings("chat", "https://hooks.example.com/x", "slack")
    notice = make_notice(summary="We now share data with <!channel> partners.")
    lines = json.loads(WebhookChannel(settings).body(notice, HOOK))["text"].split("\n")
    assert lines[1] == "We now share data with &lt;!channel&gt; partners."
    assert lines[2].startswith("• Sharing:")


def test_the_json_body_says_null_for_the_summary_when_nobody_wrote_one():
    settings = WebhookSettings("ops", "https://hooks.example.com/x", "json", SECRET)
    assert json.loads(WebhookChannel(settings).body(make_notice(), HOOK))["summary"] is None
