"""The email channel: notices over SMTP with a pool of long-lived connections.

aiosmtplib does not pipeline, and concurrent sends on one client are no faster
than serial ones, so speed comes from N connections, each owned by one sending
task that reuses it for many messages. A connection that dropped or was closed
while idle is reopened; a 4xx reply is retried with back-off and ends
``deferred``; a 5xx reply ends ``failed``. A server that cannot be used at all
(connection refused, no STARTTLS, a failed TLS handshake or login, the sender
refused) makes the channel ``unusable``: the rest of the run reports ``unsent``
without trying, and ``notify`` says why and exits non-zero. The envelope recipient
is always the one delivery's address, passed explicitly, never read from headers.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import ssl
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policywatch.audience.channels import Notice, Outcome, Recipient, Report
from policywatch.audience.message import InvalidRecipient, NoticeMessage
from policywatch.audience.smtp_settings import (
    SenderSettings,
    SmtpSettings,
    email_section,
    sender_settings,
    smtp_settings,
)
from policywatch.files import atomic_write
from policywatch.plural import plural

if TYPE_CHECKING:
    import aiosmtplib
    import jinja2

    from policywatch.project import Project

_DONE = object()
_SAFE_FILE = re.compile(r"[^A-Za-z0-9._-]+")
_SSL_LOCATION = re.compile(r"\s*\(_ssl\.c:\d+\)")


class _RateLimit:
    """At most ``rate`` message starts per second across all sending tasks."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


class _Temporary(Exception):
    """A failure worth another attempt: 4xx, a drop, a time-out."""

    def __init__(self, detail: str, *, connection_lost: bool = False, code: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.connection_lost = connection_lost
        self.code = code


class _Permanent(Exception):
    """A 5xx reply: this delivery will not succeed by retrying."""


class EmailChannel:
    """Carries notices by SMTP (or into ``.eml`` files for a dry run)."""

    name = "email"

    def __init__(
        self,
        smtp: SmtpSettings | None,
        sender: SenderSettings,
        templates: jinja2.Environment,
        *,
        dry_run_dir: Path | None = None,
    ):
        if smtp is None and dry_run_dir is None:
            raise ValueError("SMTP settings are needed unless this is a dry run")
        self.smtp = smtp
        self.sender = sender
        self.templates = templates
        self.dry_run_dir = dry_run_dir
        self.pool_size = smtp.pool_size if smtp else 1
        self._clients: list[aiosmtplib.SMTP | None] = [None] * self.pool_size
        self._connecting = [False] * self.pool_size
        self._rate = _RateLimit(smtp.rate if smtp else 0.0)
        self._tls: ssl.SSLContext | None = None
        self.unusable: str | None = None  # why the server cannot be used: nothing more is tried this run
        self._prepared: dict[str, NoticeMessage] = {}
        self.connections_opened = 0

    async def __aenter__(self) -> EmailChannel:
        if self.dry_run_dir is not None:
            private_folder(self.dry_run_dir)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await asyncio.gather(*(self._quit(i) for i in range(self.pool_size)))

    def prepare(self, notice: Notice) -> NoticeMessage:
        """Render and serialise the notice once; raises on a broken template or unsafe title.

        Kept per release, so a ledger that hands over recipients in batches
        (one ``send`` per batch) does not render the templates again each time.
        """
        cached = self._prepared.get(notice.release.tag)
        if cached is None or cached.notice != notice:
            cached = self._prepared[notice.release.tag] = NoticeMessage(notice, self.sender, self.templates)
        return cached

    async def send(self, notice: Notice, recipients: Iterable[Recipient], report: Report) -> None:
        message = self.prepare(notice)
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=self.pool_size * 4)
        workers = self.pool_size if self.dry_run_dir is None else 1

        async def produce() -> None:
            for recipient in recipients:
                await queue.put(recipient)
            for _ in range(workers):
                await queue.put(_DONE)

        async def work(slot: int) -> None:
            while (recipient := await queue.get()) is not _DONE:
                report(await self._deliver(slot, message, recipient))

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(produce())
                for slot in range(workers):
                    group.create_task(work(slot))
        except BaseExceptionGroup as failure:
            # The ledger's own error (say, its database went away) matters, not the group around it.
            raise failure.exceptions[0] from None

    async def _deliver(self, slot: int, message: NoticeMessage, recipient: Recipient) -> Outcome:
        msgid = message.message_id(recipient)
        try:
            data = message.build(recipient)
        except InvalidRecipient as exc:
            return Outcome(recipient.delivery_id, "failed", str(exc), None)
        if self.dry_run_dir is not None:
            return self._write_eml(recipient, data, msgid)
        if self.unusable is not None:
            return Outcome(recipient.delivery_id, "unsent", self.unusable, msgid)

        assert self.smtp is not None
        attempts = self.smtp.retries + 1
        detail = ""
        attempt = 0
        free_retry = True  # one immediate retry when a reused connection turns out to be closed
        while attempt < attempts:
            await self._rate.wait()
            try:
                async with asyncio.timeout(self.smtp.timeout):
                    reply = await self._send_once(slot, recipient.address.strip(), data)
                return Outcome(recipient.delivery_id, "sent", reply, msgid)
            except asyncio.CancelledError:
                self._drop(slot)  # stopped mid-transaction: the connection's state is unknown
                raise
            except _Permanent as exc:
                return Outcome(recipient.delivery_id, "failed", str(exc), msgid)
            except _Temporary as exc:
                detail = exc.detail
                if exc.connection_lost:
                    self._drop(slot)
                    if exc.code is None and free_retry and attempt == 0:
                        free_retry = False
                        continue
            except TimeoutError:
                detail = f"no answer within {self.smtp.timeout:g}s"
                self._drop(slot)
                if self._connecting[slot]:
                    self._connecting[slot] = False
                    detail = f"{self.smtp.describe()}: server not answering: {detail}"
                    if attempt + 1 >= attempts:
                        return self._give_up(recipient, detail, msgid)
            except _Unreachable as exc:
                detail = str(exc)
                if exc.final or attempt + 1 >= attempts:
                    return self._give_up(recipient, detail, msgid)
            attempt += 1
            if attempt < attempts:
                await asyncio.sleep(self.smtp.backoff * 2 ** (attempt - 1))
                if self.unusable is not None:  # another connection found the server unusable meanwhile
                    return Outcome(recipient.delivery_id, "unsent", self.unusable, msgid)
        return Outcome(recipient.delivery_id, "deferred", f"after {plural(attempts, 'attempt')}: {detail}", msgid)

    def _give_up(self, recipient: Recipient, detail: str, msgid: str) -> Outcome:
        """The server cannot be used: nothing else is tried in this run, and nothing counts as an attempt."""
        if self.unusable is None:
            self.unusable = detail
        return Outcome(recipient.delivery_id, "unsent", self.unusable, msgid)

    def _write_eml(self, recipient: Recipient, data: bytes, msgid: str) -> Outcome:
        """A dry run's file: one per delivery, named so no two addresses share it, never overwritten."""
        assert self.dry_run_dir is not None
        path = self.dry_run_dir / eml_name(recipient.delivery_id)
        if path.exists():
            return Outcome(recipient.delivery_id, "failed", f"dry run: {path} already exists, not overwritten", msgid)
        atomic_write(path, data, mode=0o600)
        return Outcome(recipient.delivery_id, "sent", f"dry run: written to {path}", msgid)

    async def _send_once(self, slot: int, address: str, data: bytes) -> str:
        """One SMTP transaction with the envelope given explicitly: this sender, this one recipient."""
        import aiosmtplib

        client = await self._connection(slot)
        try:
            _refused, reply = await client.sendmail(self.sender.address, [address], data)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            _raise_for(refused.code, refused.message, "recipient refused")
        except aiosmtplib.SMTPSenderRefused as exc:
            if exc.code >= 500:
                detail = f"sender {self.sender.address} refused: {exc.code} {exc.message}"
                raise _Unreachable(detail, final=True) from None
            _raise_for(exc.code, exc.message, "sender refused")
        except aiosmtplib.SMTPResponseException as exc:
            _raise_for(exc.code, exc.message, type(exc).__name__.removeprefix("SMTP"))
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, ConnectionError, OSError) as exc:
            raise _Temporary(f"connection lost: {exc}", connection_lost=True) from None
        except aiosmtplib.SMTPException as exc:
            raise _Temporary(str(exc), connection_lost=True) from None
        return reply

    async def _connection(self, slot: int) -> aiosmtplib.SMTP:
        import aiosmtplib

        client = self._clients[slot]
        if client is not None and client.is_connected:
            return client
        assert self.smtp is not None
        s = self.smtp
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password,
            timeout=s.timeout,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            tls_context=self._tls_context() if s.security != "plain" else None,
        )
        self._connecting[slot] = True  # a time-out now means the server is not answering at all
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            client.close()
            reply = f"{exc.code} {exc.message}"
            raise _Unreachable(f"{s.describe()}: authentication failed ({reply})", final=True) from None
        except aiosmtplib.SMTPResponseException as exc:
            client.close()
            if exc.code == 421 or 400 <= exc.code < 500:
                raise _Temporary(
                    f"{s.describe()}: {exc.code} {exc.message}", connection_lost=True, code=exc.code
                ) from None
            raise _Unreachable(f"{s.describe()}: {exc.code} {exc.message}", final=exc.code >= 500) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            cause, final = connection_trouble(exc)
            raise _Unreachable(f"{s.describe()}: {cause}", final=final) from None
        self._connecting[slot] = False
        self.connections_opened += 1
        self._clients[slot] = client
        return client

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            assert self.smtp is not None
            self._tls = ssl.create_default_context(cafile=self.smtp.cafile)
        return self._tls

    def _drop(self, slot: int) -> None:
        client = self._clients[slot]
        self._clients[slot] = None
        if client is not None:
            client.close()

    async def _quit(self, slot: int) -> None:
        client = self._clients[slot]
        self._clients[slot] = None
        if client is None:
            return
        try:
            if client.is_connected:
                async with asyncio.timeout(5):
                    await client.quit()
        except Exception:  # noqa: BLE001 - leaving anyway; the messages are already reported
            client.close()


def private_folder(path: Path) -> Path:
    """Make ``path`` (mode 0700 when created here): dry-run files hold addresses and unsubscribe tokens."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)
    return path


class _Unreachable(Exception):
    """Nothing can be sent: no connection (refused, TLS, authentication) or the sender is refused.

    ``final`` when retrying cannot help (authentication failed, sender refused with 5xx).
    """

    def __init__(self, detail: str, *, final: bool = False):
        super().__init__(detail)
        self.final = final


def connection_trouble(exc: BaseException) -> tuple[str, bool]:
    """Why a connection could not be opened, in a few words; and whether trying again can help."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in chain:
        if isinstance(error, ssl.SSLError):
            reason = _SSL_LOCATION.sub("", str(error)).strip()
            return f"TLS handshake failed: {reason}", True
    for error in chain:
        if isinstance(error, ConnectionRefusedError):
            return "connection refused", False
    if "STARTTLS" in str(exc) and "not supported" in str(exc):
        return "server does not offer STARTTLS", True
    import aiosmtplib

    if isinstance(exc, aiosmtplib.SMTPConnectTimeoutError):
        return "server not answering: no greeting in time", False
    reason = str(chain[-1]) or type(chain[-1]).__name__
    return f"cannot connect: {reason}", False


def eml_name(delivery_id: str) -> str:
    """A file name for one delivery: readable, and unique because it ends in a hash of the exact id."""
    digest = hashlib.sha256(delivery_id.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{_SAFE_FILE.sub('_', delivery_id)[:80]}-{digest}.eml"


def _raise_for(code: int, message: str, what: str) -> None:
    detail = f"{what}: {code} {message}".strip()
    if code == 421:
        raise _Temporary(detail, connection_lost=True, code=code)
    if 400 <= code < 500:
        raise _Temporary(detail, code=code)
    if 500 <= code < 600:
        raise _Permanent(detail)
    raise _Temporary(detail, connection_lost=True, code=code)


def open_email_channel(project: Project, *, dry_run_dir: Path | None = None) -> EmailChannel:
    """The email channel for a project: SMTP from the environment, sender and tunables from ``[email]``."""
    from policywatch.templates import template_environment

    source = project.config.source
    section = email_section(project.config.section("email"), source)
    sender = sender_settings(section, source=source, environ=os.environ)
    smtp = None if dry_run_dir is not None else smtp_settings(section, source=source, environ=os.environ)
    return EmailChannel(smtp, sender, template_environment(project.root), dry_run_dir=dry_run_dir)
