"""The email channel against a real SMTP server (aiosmtpd in-process)."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from policywatch.audience.channels import Recipient
from policywatch.audience.email import EmailChannel, eml_name
from policywatch.audience.smtp_settings import parse_smtp_url
from policywatch.templates import template_environment
from tests._email_support import (
    DROP,
    SENDER,
    Handler,
    channel_for,
    free_port,
    make_notice,
    recipients,
    send_all,
    smtp_server,
)


def run(channel: EmailChannel, to: list[Recipient]):
    return asyncio.run(send_all(channel, make_notice(), to))


def test_every_recipient_is_reported_exactly_once_as_sent():
    to = recipients(30)
    with smtp_server() as (controller, handler):
        outcomes = run(channel_for(controller, "pool_size=3"), to)
    assert Counter(o.delivery_id for o in outcomes) == Counter(r.delivery_id for r in to)
    assert {o.status for o in outcomes} == {"sent"}
    assert len(handler.messages) == 30


def test_the_envelope_recipient_is_the_delivery_address_only():
    with smtp_server() as (controller, handler):
        run(channel_for(controller), recipients(3))
    assert sorted(tuple(m.rcpt_tos) for m in handler.messages) == [
        ("user0@example.org",),
        ("user1@example.org",),
        ("user2@example.org",),
    ]
    assert {m.mail_from for m in handler.messages} == {"privacy@example.com"}


def test_the_reported_message_id_is_the_one_in_the_message():
    with smtp_server() as (controller, handler):
        outcomes = run(channel_for(controller), recipients(1))
    assert handler.messages[0].message()["Message-ID"] == outcomes[0].message_id


def test_the_pool_reuses_its_connections_for_many_messages():
    with smtp_server() as (controller, handler):
        channel = channel_for(controller, "pool_size=2")
        run(channel, recipients(40))
    assert len(handler.messages) == 40
    assert len(handler.peers) == 2
    assert channel.connections_opened == 2


def test_connections_live_across_notices_sent_on_one_channel():
    async def two_notices(channel: EmailChannel) -> None:
        async with channel:
            await channel.send(make_notice(), recipients(5), lambda o: None)
            await channel.send(make_notice(version="3.0", tag="privacy/v3.0"), recipients(5), lambda o: None)

    with smtp_server() as (controller, handler):
        channel = channel_for(controller, "pool_size=1")
        asyncio.run(two_notices(channel))
    assert len(handler.messages) == 10
    assert len(handler.peers) == 1


def test_a_notice_sent_in_batches_is_rendered_once():
    channel = EmailChannel(None, SENDER, template_environment(), dry_run_dir=Path("unused"))
    first = channel.prepare(make_notice())
    assert channel.prepare(make_notice()) is first
    assert channel.prepare(make_notice(version="3.0")) is not first


def test_a_connection_the_server_closed_while_idle_is_reopened():
    async def with_a_pause(channel: EmailChannel) -> list[str]:
        outcomes: list[str] = []
        async with channel:
            await channel.send(make_notice(), recipients(1), lambda o: outcomes.append(o.status))
            await asyncio.sleep(0.6)
            await channel.send(make_notice(), recipients(2)[1:], lambda o: outcomes.append(o.status))
        return outcomes

    with smtp_server(timeout=0.2) as (controller, handler):
        channel = channel_for(controller, "pool_size=1")
        assert asyncio.run(with_a_pause(channel)) == ["sent", "sent"]
    assert len(handler.peers) == 2


def test_recipients_are_read_lazily_not_all_at_once():
    read = 0
    lead = []

    def stream():
        nonlocal read
        for recipient in recipients(200):
            read += 1
            yield recipient

    def report(outcome):
        lead.append(read - len(lead) - 1)

    async def go(channel: EmailChannel) -> None:
        async with channel:
            await channel.send(make_notice(), stream(), report)

    with smtp_server() as (controller, _):
        asyncio.run(go(channel_for(controller, "pool_size=2")))
    assert len(lead) == 200
    assert max(lead) <= 2 * 4 + 2 + 1


def test_an_error_while_reporting_stops_the_send_and_surfaces_as_itself():
    class LedgerGone(Exception):
        pass

    def report(outcome):
        raise LedgerGone("database is gone")

    async def go(channel: EmailChannel) -> None:
        async with channel:
            await channel.send(make_notice(), recipients(50), report)

    with smtp_server() as (controller, handler), pytest.raises(LedgerGone):
        asyncio.run(go(channel_for(controller, "pool_size=2")))
    assert len(handler.messages) < 50


def test_the_rate_limit_spaces_message_starts_across_the_pool():
    import time

    with smtp_server() as (controller, handler):
        start = time.monotonic()
        run(channel_for(controller, "pool_size=3&rate=20"), recipients(11))
        elapsed = time.monotonic() - start
    assert len(handler.messages) == 11
    assert elapsed >= 10 / 20  # eleven starts need at least ten intervals of 1/20 s


def test_a_421_reply_is_followed_by_a_reconnect_and_a_successful_send():
    with smtp_server(Handler(script=["421 4.3.2 shutting down"])) as (controller, handler):
        channel = channel_for(controller, "pool_size=1")
        outcomes = run(channel, recipients(1))
    assert [o.status for o in outcomes] == ["sent"]
    assert channel.connections_opened == 2
    assert len(handler.messages) == 1


def test_a_421_greeting_from_a_busy_server_is_retried_on_a_new_connection():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    greetings = []

    class BusyOnce(SMTP):
        async def push(self, status):
            if status.startswith("220 ") and not greetings:
                greetings.append("busy")
                await super().push("421 4.7.0 too many connections, try again")
                self.transport.close()
                return
            await super().push(status)

    class BusyController(Controller):
        def factory(self):
            return BusyOnce(self.handler, **self.SMTP_kwargs)

    handler = Handler()
    controller = BusyController(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    greetings.clear()  # the controller's own start-up probe took the first greeting
    try:
        channel = channel_for(controller, "pool_size=1")
        outcomes = run(channel, recipients(1))
    finally:
        controller.stop()
    assert greetings == ["busy"]
    assert [o.status for o in outcomes] == ["sent"]
    assert len(handler.messages) == 1


def test_a_451_reply_is_retried_until_accepted():
    with smtp_server(Handler(script=["451 4.3.0 try later", "451 4.3.0 try later"])) as (controller, handler):
        outcomes = run(channel_for(controller, "pool_size=1&retries=3"), recipients(1))
    assert [o.status for o in outcomes] == ["sent"]
    assert handler.script == []


def test_a_4xx_reply_that_persists_ends_deferred_after_the_retries():
    with smtp_server(Handler(script=["452 4.2.2 mailbox full"] * 3)) as (controller, handler):
        outcomes = run(channel_for(controller, "pool_size=1&retries=2"), recipients(1))
    assert outcomes[0].status == "deferred"
    assert "452" in outcomes[0].detail
    assert handler.messages == []


def test_a_550_reply_fails_the_delivery_without_retrying():
    refused = {"user1@example.org": "550 5.1.1 no such user"}
    with smtp_server(Handler(refuse=refused)) as (controller, handler):
        outcomes = run(channel_for(controller, "pool_size=1"), recipients(3))
    status = {o.delivery_id.split(":")[1]: o.status for o in outcomes}
    assert status == {"0": "sent", "1": "failed", "2": "sent"}
    assert "550" in next(o.detail for o in outcomes if o.status == "failed")


def test_a_connection_dropped_during_data_is_retried_on_a_new_connection():
    with smtp_server(Handler(script=[DROP])) as (controller, handler):
        channel = channel_for(controller, "pool_size=1")
        outcomes = run(channel, recipients(2))
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert len(handler.messages) == 2
    assert channel.connections_opened == 2


def test_a_connection_that_keeps_dropping_ends_deferred():
    with smtp_server(Handler(script=[DROP] * 10)) as (controller, handler):
        outcomes = run(channel_for(controller, "pool_size=1&retries=2"), recipients(1))
    assert outcomes[0].status == "deferred"


def test_a_server_that_does_not_answer_in_time_defers_the_delivery():
    class Slow(Handler):
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            await asyncio.sleep(2)
            return "250 late"

    with smtp_server(Slow()) as (controller, _):
        outcomes = run(channel_for(controller, "pool_size=1&retries=0&timeout=0.3"), recipients(1))
    assert outcomes[0].status == "deferred"
    assert "0.3s" in outcomes[0].detail


def test_a_closed_port_leaves_everything_unsent_and_says_connection_refused():
    port = free_port()
    url = f"smtp://127.0.0.1:{port}?retries=1&backoff=0.01&pool_size=2"
    channel = EmailChannel(parse_smtp_url(url), SENDER, template_environment())
    outcomes = run(channel, recipients(20))
    assert len(outcomes) == 20
    assert {o.status for o in outcomes} == {"unsent"}
    assert channel.unusable == f"smtp://127.0.0.1:{port}: connection refused"


def test_a_server_that_accepts_connections_but_never_greets_is_given_up_on_once():
    import socket
    import threading

    accepted = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.1)
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    accepted.append(listener.accept()[0])
                except TimeoutError:
                    continue

        thread = threading.Thread(target=accept)
        thread.start()
        try:
            url = f"smtp://127.0.0.1:{listener.getsockname()[1]}?retries=1&backoff=0.01&timeout=0.2&pool_size=1"
            outcomes = run(EmailChannel(parse_smtp_url(url), SENDER, template_environment()), recipients(5))
        finally:
            stop.set()
            thread.join()
            for conn in accepted:
                conn.close()
    assert {o.status for o in outcomes} == {"unsent"}
    assert all("server not answering" in o.detail for o in outcomes)
    assert len(accepted) == 2  # the first recipient's two attempts; the others were not tried


def test_after_the_server_was_unreachable_later_batches_are_not_tried():
    port = free_port()
    channel = EmailChannel(
        parse_smtp_url(f"smtp://127.0.0.1:{port}?retries=0&pool_size=1"), SENDER, template_environment()
    )
    outcomes: list[str] = []

    async def batches() -> None:
        async with channel:
            await channel.send(make_notice(), recipients(2), lambda o: outcomes.append(o.status))
            with smtp_server(port=port) as (_, handler):
                await channel.send(make_notice(), recipients(4)[2:], lambda o: outcomes.append(o.status))
                assert handler.messages == []

    asyncio.run(batches())
    assert outcomes == ["unsent"] * 4


def test_a_refused_sender_leaves_everything_unsent_at_once():
    class RefuseSender(Handler):
        mails = 0

        async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
            RefuseSender.mails += 1
            return "550 5.7.1 sender not allowed"

    with smtp_server(RefuseSender()) as (controller, handler):
        outcomes = run(channel_for(controller, "pool_size=1"), recipients(10))
    assert {o.status for o in outcomes} == {"unsent"}
    assert all("privacy@example.com refused: 550" in o.detail for o in outcomes)
    assert RefuseSender.mails == 1


def test_failed_authentication_leaves_everything_unsent_without_retrying():
    from aiosmtpd.smtp import AuthResult

    tries = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        tries.append(session.peer)
        return AuthResult(success=False, handled=False)

    with smtp_server(authenticator=authenticator, auth_require_tls=False) as (controller, handler):
        url = f"smtp://mailer:wrong@127.0.0.1:{controller.port}?backoff=0.01&pool_size=1&timeout=5"
        outcomes = run(EmailChannel(parse_smtp_url(url), SENDER, template_environment()), recipients(5))
    assert {o.status for o in outcomes} == {"unsent"}
    reply = "535 5.7.8 Authentication credentials invalid"
    assert outcomes[0].detail == f"smtp://127.0.0.1:{controller.port}: authentication failed ({reply})"
    assert "wrong" not in outcomes[0].detail
    assert len(set(tries)) == 1  # one connection tried, not one per recipient
    assert handler.messages == []


def test_an_invalid_address_fails_that_delivery_only():
    to = [Recipient("bad", "not an address", "", "t"), *recipients(1)]
    with smtp_server() as (controller, handler):
        outcomes = run(channel_for(controller), to)
    assert {o.delivery_id: o.status for o in outcomes} == {"bad": "failed", "privacy/v2.0:0:email": "sent"}
    assert len(handler.messages) == 1


def test_a_dry_run_writes_one_eml_per_recipient_and_connects_nowhere(tmp_path: Path):
    channel = EmailChannel(None, SENDER, template_environment(), dry_run_dir=tmp_path / "out")
    outcomes = run(channel, recipients(3))
    files = sorted((tmp_path / "out").glob("*.eml"))
    assert len(files) == 3
    assert {o.status for o in outcomes} == {"sent"}
    assert b'To: "User 0" <user0@example.org>' in (tmp_path / "out" / eml_name("privacy/v2.0:0:email")).read_bytes()


def test_dry_run_files_of_addresses_that_differ_only_in_punctuation_are_all_kept(tmp_path: Path):
    addresses = ("a+b@example.org", "a=b@example.org", "a_b@example.org")
    to = [Recipient(f"privacy/v2.0|email|{address}", address) for address in addresses]
    outcomes = run(EmailChannel(None, SENDER, template_environment(), dry_run_dir=tmp_path / "out"), to)
    assert {o.status for o in outcomes} == {"sent"}
    assert len(list((tmp_path / "out").glob("*.eml"))) == 3


def test_dry_run_files_are_private_to_their_owner(tmp_path: Path):
    run(EmailChannel(None, SENDER, template_environment(), dry_run_dir=tmp_path / "out"), recipients(1))
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o700
    assert {f.stat().st_mode & 0o777 for f in (tmp_path / "out").iterdir()} == {0o600}


def test_a_dry_run_never_overwrites_a_file_already_there(tmp_path: Path):
    (tmp_path / "out").mkdir()
    existing = tmp_path / "out" / eml_name("privacy/v2.0:0:email")
    existing.write_bytes(b"keep me")
    outcomes = run(EmailChannel(None, SENDER, template_environment(), dry_run_dir=tmp_path / "out"), recipients(1))
    assert [o.status for o in outcomes] == ["failed"]
    assert "already exists" in outcomes[0].detail
    assert existing.read_bytes() == b"keep me"


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _tls_server(cert: Path, key: Path):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return smtp_server(tls_context=context, require_starttls=True)


def test_starttls_sends_over_an_encrypted_connection_to_a_trusted_certificate(self_signed):
    cert, key = self_signed
    with _tls_server(cert, key) as (controller, handler):
        outcomes = run(channel_for(controller, f"cafile={cert}", scheme="smtp+tls"), recipients(2))
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert len(handler.messages) == 2


def test_starttls_refuses_a_certificate_it_does_not_trust(self_signed):
    cert, key = self_signed
    with _tls_server(cert, key) as (controller, handler):
        outcomes = run(channel_for(controller, "retries=0", scheme="smtp+tls"), recipients(1))
    assert outcomes[0].status == "unsent"
    assert "TLS handshake failed: [SSL: CERTIFICATE_VERIFY_FAILED]" in outcomes[0].detail
    assert handler.messages == []


def test_implicit_tls_sends_over_an_encrypted_connection(self_signed):
    cert, key = self_signed
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with smtp_server(ssl_context=context) as (controller, handler):
        outcomes = run(channel_for(controller, f"cafile={cert}", scheme="smtp+ssl"), recipients(2))
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert len(handler.messages) == 2


def test_starttls_is_required_and_never_falls_back_to_plain_text():
    with smtp_server() as (controller, handler):
        outcomes = run(channel_for(controller, "retries=0", scheme="smtp+tls"), recipients(2))
    assert {o.status for o in outcomes} == {"unsent"}
    assert outcomes[0].detail == f"smtp+tls://127.0.0.1:{controller.port}: server does not offer STARTTLS"
    assert handler.messages == []


def test_implicit_tls_to_a_plain_server_says_the_tls_handshake_failed():
    with smtp_server() as (controller, handler):
        channel = channel_for(controller, "retries=0", scheme="smtp+ssl")
        outcomes = run(channel, recipients(2))
    assert {o.status for o in outcomes} == {"unsent"}
    assert channel.unusable is not None
    assert channel.unusable.startswith(f"smtp+ssl://127.0.0.1:{controller.port}: TLS handshake failed: ")
    assert handler.messages == []
