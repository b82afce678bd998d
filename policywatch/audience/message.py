"""Notice emails, rendered once per notice and personalised per recipient by splicing.

Building a message with the standard library's email package costs about a
millisecond, more than the SMTP exchange. So the templates are rendered and the
message serialised once per notice, with opaque markers where each recipient's
parts go (name, To, Message-ID, unsubscribe link, and a register release's
objection link). The serialised bytes are cut
at the markers; a recipient's message is the pieces joined with that recipient's
parts, each encoded for where it lands:

- bodies are quoted-printable, which this module writes itself: every fixed
  piece is encoded once, every recipient's value on its own, joined by soft line
  breaks (``=`` CRLF, which decode to nothing), so the result is 7-bit clean and
  no value can break a line or end the part;
- the per-recipient headers are written here, from values cleaned of anything
  that could start a new header line, RFC 2047 encoded words included.

A translation's notice (``Notice.language``) is rendered from the templates of its
language (``email/de/body.txt``, then ``email/body.txt``), with its dates and numbers
written for that language by Babel, which is imported only when such a notice is made.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import hashlib
import html
import re
import secrets
from dataclasses import dataclass
from email import quoprimime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from policywatch import urls
from policywatch.audience.addresses import CONTROLS, clean_name, decode_encoded_words, valid_address
from policywatch.audience.channels import Notice, Recipient
from policywatch.audience.objections import link_expiry, objection_deadline
from policywatch.audience.service.settings import service_link
from policywatch.audience.service.tokens import object_token
from policywatch.audience.smtp_settings import SenderSettings
from policywatch.errors import NoticeTemplateError, UnsafeHeaderText

if TYPE_CHECKING:
    import jinja2

SUBJECT_TEMPLATE = "email/subject.txt"
TEXT_TEMPLATE = "email/body.txt"
HTML_TEMPLATE = "email/body.html"

_CRLF = "\r\n"
_SOFT_BREAK = b"=\r\n"
_EXCERPT_CHARS = 240
_EXCERPT_CHANGES = 3
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_MARKER_TRACE = "pwslot"  # every marker starts with it and the message's nonce; found elsewhere, a template altered one
_EMPTY_FIRST_LINE = re.compile(rb"^([!-9;-~]+):\r\n[ \t]+", re.MULTILINE)
_WORD_OCTETS = 45  # base64 of 45 octets is 60 characters: 72 with =?utf-8?b??=


class InvalidRecipient(ValueError):
    """An address that cannot be put safely in an envelope or a header."""


def check_header_text(text: str, what: str) -> str:
    """Refuse text that would start a new header line, raw or once decoded."""
    for candidate in (text, decode_encoded_words(text)):
        if CONTROLS.search(candidate):
            raise UnsafeHeaderText(f"{what}: contains a line break or control character: {text!r}")
    return text


def message_id(delivery_id: str, domain: str) -> str:
    """Stable per delivery, so a duplicate is recognisable by the receiver and in the audit."""
    digest = hashlib.sha256(delivery_id.encode("utf-8")).hexdigest()[:40]
    return f"<pw.{digest}@{domain}>"


def format_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _english(language: str) -> bool:
    return not language or language.split("-", 1)[0] == "en"


def local_date(day: dt.date, language: str = "") -> str:
    """A date as a reader of ``language`` writes it (``9. August 2024``, ``9 août 2024``); the source's as before."""
    if _english(language):
        return format_date(day)
    from babel.dates import format_date as babel_date

    return babel_date(day, format="long", locale=language.replace("-", "_"))


def local_number(number: float, language: str = "") -> str:
    """A number as a reader of ``language`` writes it (``1.234`` in German, ``1 234`` in French)."""
    if _english(language):
        return f"{number:,}"
    from babel.numbers import format_decimal

    return format_decimal(number, locale=language.replace("-", "_"))


def template_names(name: str, language: str) -> list[str]:
    """Where a language's template is looked for, first found wins: ``email/de-AT/``, ``email/de/``, ``email/``."""
    folder, _, leaf = name.rpartition("/")
    names = []
    if language:
        names.append(f"{folder}/{language}/{leaf}")
        primary = language.split("-", 1)[0]
        if primary != language:
            names.append(f"{folder}/{primary}/{leaf}")
    return [*names, name]


def _shorten(text: str, limit: int = _EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def template_language(env: jinja2.Environment, language: str) -> str:
    """The language of the templates a notice in ``language`` is written with: its own folder's
    (``de-AT``, else ``de``), or ``""`` for the default ones, whose dates stay as the source's."""
    import jinja2

    for name in template_names(SUBJECT_TEMPLATE, language)[:-1]:
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound:
            continue
        return name.split("/")[1]
    return ""


def notice_context(notice: Notice, language: str | None = None) -> dict[str, Any]:
    """Everything the templates show that is the same for every recipient; dates and numbers
    written for ``language`` (by default the notice's)."""
    language = notice.language if language is None else language
    release = notice.release
    material = [c for c in release.changes if c.classification == "material"] or list(release.changes)
    base = notice.base_url.strip()
    links = {}
    if base:
        links = {
            "version": urls.version_url(base, release.policy, release.version),
            "changes": urls.redline_url(base, release.policy, release.version),
            "policy": urls.policy_url(base, release.policy),
        }
        if notice.covers and release.previous_version:
            # the redline page compares with the release just before, which never took effect
            links["changes"] = urls.compare_url(base, release.policy, release.previous_version, release.version)
    excerpt_changes = [
        {"section": c.section, "old": _shorten(c.old_text), "new": _shorten(c.new_text)}
        for c in material[:_EXCERPT_CHANGES]
        if c.old_text or c.new_text
    ]
    excerpt = notice.redline_excerpt.strip()
    if not excerpt:
        lines = []
        for change in excerpt_changes:
            if change["section"]:
                lines.append(f"[{change['section']}]")
            if change["old"]:
                lines.append(f"- {change['old']}")
            if change["new"]:
                lines.append(f"+ {change['new']}")
        excerpt = "\n".join(lines)
    return {
        "release": release,
        "title": release.title,
        "policy": release.policy,
        "old_version": release.previous_version,
        "new_version": release.version,
        "effective": release.effective,
        "effective_text": local_date(release.effective, language),
        "published_text": local_date(release.published, language),
        "language": language,
        "number": lambda value: local_number(value, language),
        "material": release.material,
        "summary": release.summary_paragraphs,
        "changes": material,
        "reasons": release.reasons,
        "excerpt": excerpt,
        "excerpt_changes": excerpt_changes,
        "more_changes": max(0, len(material) - len(excerpt_changes)),
        "links": links,
        "covers": list(notice.covers),
        "register_rows": register_rows(release.register),
        "objection_deadline": objection_deadline(release),
        "objection_deadline_text": local_date(deadline, language) if (deadline := objection_deadline(release)) else "",
    }


def register_rows(entries: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """A register release's entries added, changed and removed, as the table a customer reads first."""
    from policywatch.engine.register import EntryChange, RegisterDiff
    from policywatch.engine.register_view import rows

    return rows(RegisterDiff([EntryChange(**e) for e in entries])) if entries else []


@dataclass(frozen=True)
class _Variant:
    """A notice's message cut at the recipient markers: bytes, and slot names between them."""

    pieces: tuple[bytes | str, ...]


class NoticeMessage:
    """One notice's email, ready to be stamped out for each recipient.

    ``build`` costs a few microseconds: no template rendering and no MIME
    serialisation happen per recipient.
    """

    def __init__(
        self, notice: Notice, sender: SenderSettings, env: jinja2.Environment, *, now: dt.datetime | None = None
    ):
        self.notice = notice
        self.sender = sender
        self._env = env
        self.language = template_language(env, notice.language) if notice.language else ""
        self._context = notice_context(notice, self.language)
        self._nonce = secrets.token_hex(8)
        self._date = format_datetime(now or dt.datetime.now(dt.UTC))
        check_header_text(notice.release.title, f"release {notice.release.tag}: title")
        subject = self._render(SUBJECT_TEMPLATE, name="", unsubscribe_url="", object_url="")
        self.subject = check_header_text(" ".join(subject.split()), f"templates/{SUBJECT_TEMPLATE}")
        self._variants: dict[tuple[bool, bool, bool], _Variant] = {}
        deadline = objection_deadline(notice.release)
        base = notice.service_url.strip() or notice.base_url.strip()
        self._object_base = service_link(base, "object") if notice.objections and deadline and base else ""
        self._object_expires = link_expiry(deadline) if deadline else 0

    def message_id(self, recipient: Recipient) -> str:
        return message_id(recipient.delivery_id, self.sender.domain)

    def unsubscribe_url(self, token: str) -> str:
        if not token:
            return ""
        token = quote(token, safe="")
        if self.sender.unsubscribe_url:
            return self.sender.unsubscribe_url.replace("{token}", token)
        base = self.notice.service_url.strip() or self.notice.base_url.strip()
        if not base:
            return ""
        # A header holds ASCII only: percent-encode anything else the base URL brings (and spaces).
        return quote(f"{base.rstrip('/')}/unsubscribe?token={token}", safe=_URL_SAFE)

    def object_url(self, recipient: Recipient) -> str:
        """The recipient's own link to object to a register release; "" when the notice carries none."""
        if not self._object_base or not recipient.subscriber_id or not recipient.unsubscribe_token:
            return ""
        tag = self.notice.release.tag
        token = object_token(recipient.subscriber_id, recipient.unsubscribe_token, tag, self._object_expires)
        return quote(f"{self._object_base}?token={token}&release={quote(tag, safe='')}", safe=_URL_SAFE)

    def build(self, recipient: Recipient) -> bytes:
        """The complete message for one recipient, CRLF line ends, 7-bit clean."""
        address = recipient.address.strip()
        if not valid_address(address):
            raise InvalidRecipient(f"'{recipient.address}' is not a deliverable email address")
        name = clean_name(recipient.name, repair=True)
        unsubscribe = self.unsubscribe_url(recipient.unsubscribe_token)
        objecting = self.object_url(recipient)
        variant = self._variant(bool(name), bool(unsubscribe), bool(objecting))
        fills = {
            "headers": self._headers(address, name, self.message_id(recipient), unsubscribe),
            "text:name": _qp(name),
            "text:unsubscribe": _qp(unsubscribe),
            "html:name": _qp(html.escape(name)),
            "html:unsubscribe": _qp(html.escape(unsubscribe)),
            "text:object": _qp(objecting),
            "html:object": _qp(html.escape(objecting)),
        }
        return b"".join(fills[p] if isinstance(p, str) else p for p in variant.pieces)

    def _headers(self, address: str, name: str, msgid: str, unsubscribe: str) -> bytes:
        lines = [f"To: {_mailbox(name, address)}", f"Message-ID: {msgid}"]
        if unsubscribe:
            lines.append(f"List-Unsubscribe: <{unsubscribe}>")
            lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        return ("".join(line + _CRLF for line in lines)).encode("ascii")

    def _render(self, template: str, **recipient: str) -> str:
        import jinja2

        names = template_names(template, self.language)
        try:
            found = self._env.select_template(names)
        except jinja2.TemplateSyntaxError as exc:
            raise NoticeTemplateError(f"templates/{exc.name or template}:{exc.lineno}: {exc.message}") from None
        except jinja2.TemplatesNotFound:
            raise NoticeTemplateError(f"templates/{template}: template not found") from None
        try:
            return found.render(**self._context, **recipient)
        except jinja2.TemplateError as exc:
            raise NoticeTemplateError(f"templates/{found.name}: {exc}") from None

    def _marker(self, slot: str) -> str:
        return f"{_MARKER_TRACE.upper()}{self._nonce}{slot.upper()}X"

    def _variant(self, has_name: bool, has_unsubscribe: bool, has_object: bool = False) -> _Variant:
        key = (has_name, has_unsubscribe, has_object)
        if key not in self._variants:
            self._variants[key] = self._compile(*key)
        return self._variants[key]

    def _compile(self, has_name: bool, has_unsubscribe: bool, has_object: bool) -> _Variant:
        """Render both bodies with markers, serialise once, cut at the markers."""
        recipient = {
            "name": self._marker("name") if has_name else "",
            "unsubscribe_url": self._marker("unsubscribe") if has_unsubscribe else "",
            "object_url": self._marker("object") if has_object else "",
        }
        text = self._render(TEXT_TEMPLATE, **recipient)
        body_html = self._render(HTML_TEMPLATE, **recipient)

        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = self.sender.header
        msg["Subject"] = self.subject if self.subject.isascii() else self._marker("subject")
        msg["Date"] = self._date
        msg["List-Id"] = self.sender.list_id
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
        msg["X-Policywatch-Release"] = self.notice.release.tag
        msg["X-Policywatch-Slot"] = self._marker("headers")
        msg.set_content(self._marker("text") + "\n", subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(self._marker("html") + "\n", subtype="html", charset="utf-8", cte="quoted-printable")
        skeleton = msg.as_bytes()

        headers_line = f"X-Policywatch-Slot: {self._marker('headers')}\r\n".encode("ascii")
        if skeleton.count(headers_line) != 1:
            raise AssertionError("header marker not found in the serialised message")
        before, after = skeleton.split(headers_line)
        # The email package folds a value that fits a line of its own right after the colon
        # ("Subject:" CRLF " Changes to…"), which some readers show with a leading space.
        before = _EMPTY_FIRST_LINE.sub(rb"\1: ", before)
        if not self.subject.isascii():
            subject_line = f"Subject: {self._marker('subject')}\r\n".encode("ascii")
            before = before.replace(subject_line, b"Subject: " + encoded_subject(self.subject) + b"\r\n", 1)
        pieces: list[bytes | str] = [before, "headers"]
        for part, body in (("text", text), ("html", body_html)):
            marker_line = f"{self._marker(part)}\r\n".encode("ascii")
            head, tail = after.split(marker_line)
            pieces.append(head)
            pieces.extend(self._encode_body(part, body))
            after = tail
        pieces.append(after)
        return _Variant(tuple(_merge(pieces)))

    def _encode_body(self, part: str, body: str) -> list[bytes | str]:
        """Quoted-printable pieces of one body; each slot stands alone between soft breaks."""
        if not body.endswith("\n"):
            body += "\n"
        names = {
            self._marker("name"): f"{part}:name",
            self._marker("unsubscribe"): f"{part}:unsubscribe",
            self._marker("object"): f"{part}:object",
        }
        pattern = re.compile("|".join(re.escape(m) for m in names))
        fixed = pattern.split(body)
        # This message's own markers only: user text (a summary, a changed paragraph) may say "pwslot".
        trace = f"{_MARKER_TRACE}{self._nonce}"
        if any(trace in piece.lower() for piece in fixed):
            template = TEXT_TEMPLATE if part == "text" else HTML_TEMPLATE
            raise NoticeTemplateError(
                f"templates/{template}: 'name', 'unsubscribe_url' and 'object_url' differ for each recipient and must "
                "be inserted as they are ({{ name }}), not changed by a filter"
            )
        pieces: list[bytes | str] = []
        for index, match in enumerate(pattern.finditer(body)):
            pieces += [_qp(fixed[index]) + _SOFT_BREAK, names[match.group()], _SOFT_BREAK]
        pieces.append(_qp(fixed[-1]))
        return pieces


def _qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends; the input's own line breaks become hard breaks."""
    if not text:
        return b""
    # quoprimime encodes characters as single octets: hand it the UTF-8 octets as latin-1.
    return quoprimime.body_encode(text.encode("utf-8").decode("latin-1"), 76, _CRLF).encode("ascii")


def _mailbox(name: str, address: str) -> str:
    if not name:
        return address
    if name.isascii() and "=?" not in name:
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{address}>'
    # Encoded words: non-ASCII, or text that would otherwise read as an encoded word.
    return f"{_encoded_words(name)} <{address}>"


def _encoded_words(text: str) -> str:
    """RFC 2047 base64 words of at most 75 characters, never splitting a character, folded."""
    data = text.encode("utf-8")
    chunks: list[bytes] = []
    if len(data) <= _WORD_OCTETS:
        chunks.append(data)
    else:
        chunk = bytearray()
        for char in text:
            octets = char.encode("utf-8")
            if len(chunk) + len(octets) > _WORD_OCTETS:
                chunks.append(bytes(chunk))
                chunk.clear()
            chunk += octets
        chunks.append(bytes(chunk))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c).decode('ascii')}?=" for c in chunks)


def _merge(pieces: list[bytes | str]) -> list[bytes | str]:
    merged: list[bytes | str] = []
    for piece in pieces:
        if isinstance(piece, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += piece
        elif piece != b"":
            merged.append(piece)
    return merged


def encoded_subject(subject: str) -> bytes:
    """A non-ASCII subject as RFC 2047 encoded words, every space inside a word.

    The email package's folder moves a space at the end of an encoded word out
    into the folding white space, where readers drop it (RFC 2047 ignores white
    space between encoded words): "a ¸ b" would arrive as "a¸ b".
    """
    from email.header import Header

    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n").encode("ascii")
