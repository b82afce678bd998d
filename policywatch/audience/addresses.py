"""One email-address validator for subscribers and for the sender, built on email-validator.

Syntax only (``check_deliverability=False``): no DNS look-up, so validation is
offline and deterministic. The stored form is ASCII, so that every header and
SMTP command can carry it as it is:

- the local part (before ``@``) must be ASCII (no SMTPUTF8) and is lower-cased;
- the domain is stored as its IDNA 2008 A-label, lower-cased: ``a@straße.de`` is
  ``a@xn--strae-oqa.de``, never ``a@strasse.de`` (IDNA 2003 made that a different domain);
- one trailing dot on the domain (``example.com.``) is dropped.

An ASCII address that was valid before is stored exactly as before.
"""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.utils import getaddresses, parseaddr
from typing import Any

from policywatch.errors import EmailSettingsError, InvalidEmail, InvalidSubscriber

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[qQbB]\?[^?\s]*\?=")
NAME_LIMIT = 200


def normalise_address(raw: str) -> str:
    """``Jane.Doe@Example.COM `` -> ``jane.doe@example.com``; anything that cannot receive mail raises InvalidEmail.

    The whole address is lower-cased: mail systems treat local parts case-insensitively in
    practice, and two spellings of one address must not make two subscribers.
    """
    address, problem = check_address(raw)
    if address is None:
        text = raw.strip() if isinstance(raw, str) else repr(raw)
        shown = text if len(text) <= 80 else text[:77] + "..."
        quoted = repr(shown) if _CONTROL.search(shown) else f"'{shown}'"
        raise InvalidEmail(f"{quoted}: invalid email address ({problem})")
    return address


def check_address(raw: str) -> tuple[str | None, str]:
    """``(stored form, "")`` for a good address, ``(None, why not)`` for any other."""
    from email_validator import EmailNotValidError, validate_email

    if not isinstance(raw, str):
        return None, "not text"
    text = raw.strip()
    if not text:
        return None, "empty"
    if _CONTROL.search(text):
        return None, "contains a line break or control character"
    if text.count("@") != 1:
        return None, "needs exactly one '@'"
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    try:
        valid = validate_email(
            text,
            check_deliverability=False,
            strict=True,  # RFC 5321 lengths: at most 64 characters before the '@'
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError as exc:
        return None, _reason(exc)
    return f"{valid.ascii_local_part.lower()}@{valid.ascii_domain.lower()}", ""


def clean_name(raw: str | None, *, repair: bool = False) -> str:
    """A display name that cannot break a header: one line, no control characters, spaces collapsed.

    A name a person gives (to be stored) is refused (``InvalidSubscriber``) if it holds a line
    break or control character, or runs past 200 characters. ``repair`` is for a name about to be
    shown: it is read as a mail reader would (RFC 2047 encoded words decoded), its control
    characters become spaces and it is cut to 100 characters, so showing it never fails.
    """
    raw = raw or ""
    if repair:
        return " ".join(CONTROLS.sub(" ", decode_encoded_words(raw)).split())[:100]
    if _CONTROL.search(raw.replace("\t", " ")):
        raise InvalidSubscriber(f"name {raw!r}: must be one line without control characters")
    name = " ".join(raw.split())
    if _CONTROL.search(name):
        raise InvalidSubscriber(f"name {raw!r}: contains a control character")
    if len(name) > NAME_LIMIT:
        raise InvalidSubscriber(f"name '{name[:40]}...': longer than {NAME_LIMIT} characters")
    return name


def decode_encoded_words(text: str) -> str:
    """What a mail reader would display: RFC 2047 encoded words decoded, repeatedly."""
    for _ in range(4):
        if not _ENCODED_WORD.search(text):
            break
        try:
            decoded = str(make_header(decode_header(text)))
        except (ValueError, LookupError, UnicodeError):
            decoded = _ENCODED_WORD.sub(" ", text)
        if decoded == text:
            break
        text = decoded
    return text


def valid_address(address: str) -> bool:
    """Whether a recipient passes the one address validator (so a header or SMTP command cannot be split on it)."""
    return check_address(address)[0] is not None


def sender_address(raw: Any, where: str) -> tuple[str, str]:
    """``(display name, stored address)`` of a sender written ``Name <address>`` or ``address``.

    The same validator as subscribers' addresses, plus what a From header needs:
    one line, one address, a plain-text name. ``where`` names the variable or key.
    """
    if not isinstance(raw, str):
        raise EmailSettingsError(f"{where}: must be a string, got {raw!r}")
    if any(ch in raw for ch in "\r\n\0"):
        raise EmailSettingsError(f"{where}: must be one line")
    name, address = parseaddr(raw) if "<" in raw else ("", raw)
    if "<" in raw and len(getaddresses([raw])) != 1:
        raise EmailSettingsError(f"{where}: '{raw}' must be one address")
    address, problem = check_address(address or raw)
    if address is None:
        raise EmailSettingsError(f"{where}: '{raw}' is not an email address ({problem})")
    if "=?" in name:
        raise EmailSettingsError(f"{where}: write the name as plain text, not as RFC 2047 encoded words")
    return name, address


def _reason(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else "not an address"
