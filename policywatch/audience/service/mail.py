"""The service's own emails: the confirmation link, the welcome that follows it, an objection's receipt.

One message at a time, so the standard library builds it (a notice to a million
people is ``message``'s job). Messages are sent from a small pool of background
threads: the page a request gets does not wait for the mail server, and so does
not tell a caller, by its timing, whether an email was sent. A message that
cannot be sent is one line in the server's log, naming the request's row id,
never the address or the link.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

from policywatch.audience.smtp_settings import SenderSettings, SmtpSettings
from policywatch.errors import NoticeTemplateError
from policywatch.termsafe import printable

if TYPE_CHECKING:
    import jinja2

    from policywatch.project import Project

CONFIRM_EMAIL = "subscribe/confirm_email.txt"
WELCOME_EMAIL = "subscribe/welcome_email.txt"
OBJECTION_EMAIL = "objection/receipt_email.txt"
MAIL_THREADS = 2


@dataclass(frozen=True)
class Mail:
    """A rendered message: who it goes to and its bytes' source."""

    to: str
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


def project_mailer(project: Project) -> Mailer:
    """The service's mailer for a repository: ``[email]`` and the environment; raises on a setting it lacks."""
    import os

    from policywatch.audience.smtp_settings import email_section, sender_settings, smtp_settings
    from policywatch.templates import template_environment

    source = project.config.source
    section = email_section(project.config.section("email"), source)
    sender = sender_settings(section, source=source, environ=os.environ)
    smtp = smtp_settings(section, source=source, environ=os.environ)
    return Mailer(smtp, sender, template_environment(project.root))


class Mailer:
    """Renders the service's emails from templates and sends them in the background."""

    def __init__(self, smtp: SmtpSettings, sender: SenderSettings, env: jinja2.Environment):
        self.smtp = smtp
        self.sender = sender
        self.env = env
        self._pool = ThreadPoolExecutor(MAIL_THREADS, thread_name_prefix="policywatch-mail")

    def render(self, template: str, to: str, *, headers: dict[str, str] | None = None, **context: Any) -> Mail:
        """A message from a template whose first line is ``Subject: ...`` and the rest the plain-text body."""
        import jinja2

        try:
            text = self.env.get_template(template).render(**context)
        except jinja2.TemplateError as exc:
            raise NoticeTemplateError(f"templates/{template}: {exc}") from None
        first, _, body = text.partition("\n")
        if not first.startswith("Subject:"):
            raise NoticeTemplateError(f"templates/{template}: the first line must be 'Subject: ...'")
        message = EmailMessage()
        message["From"] = self.sender.header
        message["To"] = to
        message["Subject"] = " ".join(first.removeprefix("Subject:").split())
        message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        message["Message-ID"] = make_msgid("pw", domain=self.sender.domain)
        message["Auto-Submitted"] = "auto-generated"
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body.lstrip("\n"), charset="utf-8")
        return Mail(to, message)

    def send_later(self, job: Callable[[], None], what: str, address: str) -> Future:
        """Run ``job`` on a mail thread; a failure becomes one line in the log naming ``what``.

        A server's refusal often quotes the recipient: ``address`` is masked in the line.
        """
        from policywatch.audience.service.tokens import mask_email

        def run() -> None:
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - the request is long answered: the log is the only place left
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                reason = reason.replace(address, mask_email(address))
                sys.stderr.write(printable(f"policywatch subscribe: {what}: not sent: {reason}") + "\n")
                sys.stderr.flush()

        return self._pool.submit(run)

    def send(self, mail: Mail) -> None:
        """One SMTP transaction, envelope recipient given explicitly; raises when the server refuses."""
        asyncio.run(self._send(mail))

    async def _send(self, mail: Mail) -> None:
        import aiosmtplib

        s = self.smtp
        tls = ssl.create_default_context(cafile=s.cafile) if s.security != "plain" else None
        await aiosmtplib.send(
            mail.message,
            sender=self.sender.address,
            recipients=[mail.to],
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            tls_context=tls,
            timeout=s.timeout,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
