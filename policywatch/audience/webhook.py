"""The webhook channel: a signed JSON (or Slack) post per release and webhook.

Configured as ``[[webhooks]]`` tables (name, url, format, secret_env). Posts are
signed as the Standard Webhooks specification says (``webhook-id``,
``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">``), under the secret read from the environment
variable that ``secret_env`` names, so a receiver can check that the post came
from the publisher, was not altered, and is not an old post replayed: the
timestamp is signed, and receivers refuse one outside their tolerance.
A 2xx answer is ``sent``; any other 4xx is ``failed`` (the receiver refused it;
408 and 429 are retried, as they ask for); a 5xx answer, a time-out or a
connection error is retried with back-off and ends ``deferred``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from policywatch import urls
from policywatch.audience.channels import Notice, Outcome, Recipient, Report
from policywatch.audience.objections import objection_deadline
from policywatch.errors import WebhookSettingsError
from policywatch.plural import plural
from policywatch.redaction import is_loopback, redact_url, split_url
from policywatch.settings_values import Table

if TYPE_CHECKING:
    import httpx

    from policywatch.project import Project

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
DELIVERY_HEADER = "X-Policywatch-Delivery"
SECRET_PREFIX = "whsec_"
TOLERANCE = 300  # seconds: what receivers should accept either side of their clock, as the specification suggests
EVENT = "policy.released"

Format = Literal["json", "slack"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_KEYS = {"name", "url", "format", "secret_env", "timeout", "retries", "backoff", "insecure"}
_RETRY_4XX = {408, 425, 429}


@dataclass(frozen=True)
class WebhookSettings:
    name: str
    url: str
    format: Format = "json"
    secret: str | None = None
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0


def signing_key(secret: str) -> bytes:
    """The HMAC key: a ``whsec_<base64>`` secret is its decoded bytes (the specification's form); any other is UTF-8."""
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("a whsec_ secret must be base64 after the prefix") from None
        if not key:
            raise ValueError("a whsec_ secret must not be empty")
        return key
    return secret.encode("utf-8")


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def message_id(delivery_id: str, body: bytes) -> str:
    """The ``webhook-id``: the same for every retry of one post (receivers use it to drop duplicates and replays)."""
    return "msg_" + hashlib.sha256(delivery_id.encode("utf-8") + b"\n" + body).hexdigest()[:32]


def signature_headers(secret: str, delivery_id: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt of one post."""
    ident = message_id(delivery_id, body)
    return {
        ID_HEADER: ident,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, ident, timestamp, body),
    }


def payload(notice: Notice, delivery_id: str) -> dict[str, Any]:
    """The JSON a ``json`` webhook receives: the release record's public part and links."""
    release = notice.release
    base = notice.base_url.strip()
    links = {}
    if base:
        links = {
            "policy": urls.policy_url(base, release.policy),
            "version": urls.version_url(base, release.policy, release.version),
            "changes": urls.redline_url(base, release.policy, release.version),
        }
    data = {
        "event": EVENT,
        "delivery_id": delivery_id,
        "policy": release.policy,
        "title": release.title,
        "version": release.version,
        "previous_version": release.previous_version,
        "classification": release.classification,
        "effective": release.effective.isoformat(),
        "published": release.published.isoformat(),
        "tag": release.tag,
        "summary": release.summary or None,
        "reasons": list(release.reasons),
        "changes": [
            {"section": c.section, "kind": c.kind, "classification": c.classification, "reasons": list(c.reasons)}
            for c in release.changes
        ],
        "links": links,
    }
    if release.register:  # a register's entries added, changed and removed, as machines want them
        data["register"] = [dict(e) for e in release.register]
    deadline = objection_deadline(release)
    if deadline:  # each subscriber's email carries their own link to object; a webhook is told the deadline
        data["objection_deadline"] = deadline.isoformat()
    return data


def slack_payload(notice: Notice) -> dict[str, Any]:
    """A Slack incoming-webhook message (mrkdwn), readable in a channel."""
    release = notice.release
    data = payload(notice, "")
    headline = f"*{_slack_escape(release.title)}* {_slack_escape(release.version)}"
    if release.previous_version:
        headline += f" (was {_slack_escape(release.previous_version)})"
    if release.material:
        headline += f": material change, effective {release.effective.isoformat()}"
    lines = [headline]
    lines += [_slack_escape(paragraph) for paragraph in release.summary_paragraphs]
    material = [c for c in release.changes if c.classification == "material"]
    for change in material[:10]:
        reasons = "; ".join(change.reasons)
        lines.append(f"• {_slack_escape(change.section or 'whole policy')}: {_slack_escape(reasons)}")
    if len(material) > 10:
        lines.append(f"… and {len(material) - 10} more")
    if data["links"]:
        lines.append(f"<{data['links']['changes']}|See the changes> · <{data['links']['version']}|Read the new text>")
    text = "\n".join(lines)
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class WebhookChannel:
    """Posts each notice to one configured URL."""

    def __init__(
        self,
        settings: WebhookSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.settings = settings
        self.name = f"webhook:{settings.name}"
        self._transport = transport
        self._clock = clock
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> WebhookChannel:
        import httpx

        self._client = httpx.AsyncClient(
            timeout=self.settings.timeout,
            transport=self._transport,
            follow_redirects=False,
            headers={"User-Agent": "policywatch"},
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def body(self, notice: Notice, recipient: Recipient) -> bytes:
        data = slack_payload(notice) if self.settings.format == "slack" else payload(notice, recipient.delivery_id)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    async def send(self, notice: Notice, recipients: Iterable[Recipient], report: Report) -> None:
        for recipient in recipients:
            report(await self._deliver(notice, recipient))

    async def _deliver(self, notice: Notice, recipient: Recipient) -> Outcome:
        import httpx

        if self._client is None:
            raise RuntimeError("use the webhook channel as 'async with channel:'")
        body = self.body(notice, recipient)
        headers = {"Content-Type": "application/json", DELIVERY_HEADER: recipient.delivery_id}
        attempts = self.settings.retries + 1
        detail = ""
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self.settings.backoff * 2 ** (attempt - 1))
            if self.settings.secret:  # signed at each attempt, so a retry carries a fresh timestamp
                headers |= signature_headers(self.settings.secret, recipient.delivery_id, body, int(self._clock()))
            try:
                response = await self._client.post(self.settings.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                detail = f"{type(exc).__name__}: {exc}".rstrip(": ")
                continue
            status = response.status_code
            detail = f"HTTP {status} {response.reason_phrase}".strip()
            if 200 <= status < 300:
                return Outcome(recipient.delivery_id, "sent", detail)
            if 400 <= status < 500 and status not in _RETRY_4XX:
                return Outcome(recipient.delivery_id, "failed", detail)
            if 300 <= status < 400:
                return Outcome(recipient.delivery_id, "failed", f"{detail} (redirects are not followed)")
        return Outcome(recipient.delivery_id, "deferred", f"after {plural(attempts, 'attempt')}: {detail}")


def parse_webhooks(
    entries: Any, *, source: str = "config", environ: Mapping[str, str] | None = None
) -> list[WebhookSettings]:
    """``[[webhooks]]`` tables, checked; the secret read from the variable ``secret_env`` names."""
    env = os.environ if environ is None else environ
    if entries in ({}, None):
        return []
    if not isinstance(entries, list):
        raise WebhookSettingsError(f"{source}: webhooks: must be an array of tables ([[webhooks]])")
    result: list[WebhookSettings] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"{source}: webhooks[{index}]"
        name = Table(entry, where, WebhookSettingsError, _KEYS).text("name", required=True, strip=True)
        if not _NAME.match(name):
            raise WebhookSettingsError(f"{where}.name: use letters, digits, '.', '-' and '_', got '{name}'")
        if name in seen:
            raise WebhookSettingsError(f"{where}.name: '{name}' is used twice")
        seen.add(name)
        where = f"{source}: webhooks '{name}'"
        table = Table(entry, where, WebhookSettingsError)
        url = table.text("url", required=True, strip=True)
        parts, _ = split_url(url, f"{where}: url", WebhookSettingsError, at_in_path=True)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise WebhookSettingsError(f"{where}: url: must be an http(s) URL, got '{redact_url(url)}'")
        insecure = table.flag("insecure", False)
        if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
            raise WebhookSettingsError(
                f"{where}: url: plain http:// to {parts.hostname} is refused; use https:// or set insecure = true"
            )
        fmt = entry.get("format", "json")
        if fmt not in ("json", "slack"):
            raise WebhookSettingsError(f"{where}: format: must be 'json' or 'slack', got {fmt!r}")
        secret = None
        if "secret_env" in entry:
            variable = table.text("secret_env", required=True, strip=True)
            secret = env.get(variable)
            if not secret:
                raise WebhookSettingsError(f"{where}: secret_env: environment variable {variable} is not set")
            try:
                signing_key(secret)
            except ValueError as exc:
                raise WebhookSettingsError(f"{where}: secret_env: the value of {variable}: {exc}") from None
        elif fmt == "json":
            raise WebhookSettingsError(
                f"{where}: secret_env: required for json webhooks (the name of the variable holding the secret)"
            )
        result.append(
            WebhookSettings(
                name=name,
                url=url,
                format=fmt,
                secret=secret,
                timeout=table.number("timeout", 10.0, low=0.01),
                retries=table.whole_number("retries", 3, low=0),
                backoff=table.number("backoff", 1.0, low=0),
            )
        )
    return result


def webhook_channels(project: Project) -> list[WebhookChannel]:
    """One channel per ``[[webhooks]]`` entry of the project's config."""
    settings = parse_webhooks(project.config.section("webhooks"), source=project.config.source)
    return [WebhookChannel(s) for s in settings]
