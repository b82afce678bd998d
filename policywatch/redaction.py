"""Connection URLs in messages: read them strictly, print them without their secrets.

The SMTP URL, the database URL and webhook URLs can all carry a password. Every
message that shows one, and every error raised while reading one, goes through
this module, so a password is never printed, however badly the URL is formed.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, unquote, urlsplit

from policywatch.errors import PolicywatchError

MASK = "***"
# key=value secrets: a URL query (?password=...) or a libpq connection string (password=...).
_KEY_SECRET = re.compile(r"(?i)(\b(?:password|passwd|pwd|sslpassword|secret|token)\s*=\s*)('(?:[^'\\]|\\.)*'|[^&#\s]*)")
ENCODE_HINT = "percent-encode / # ? @ % in the user name and password as %2F %23 %3F %40 %25"


def redact_url(url: str) -> str:
    """The URL as it may appear in a message: one line, no password.

    The user information is taken to end at the last ``@``, so a password that
    holds an unencoded ``/``, ``#``, ``?`` or ``@`` is still hidden.
    """
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        userinfo, _, after = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        rest = f"{user}:{MASK}@{after}" if colon else f"{userinfo}@{after}"
    text = scheme + sep + rest if sep else url
    return _one_line(_KEY_SECRET.sub(lambda m: m.group(1) + MASK, text))


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's error, say) with every secret of ``url`` masked."""
    for secret in sorted(_secrets(url), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _one_line(text)


def split_url(
    url: str, where: str, error: type[PolicywatchError], *, at_in_path: bool = False
) -> tuple[SplitResult, int | None]:
    """Split a URL and read its port; errors name ``where`` and never the password.

    A connection URL (``at_in_path`` False) with an ``@`` after its host is refused:
    it is a password holding an unencoded ``/``, ``#`` or ``?``, and reading on would
    take part of the password for the host, the path or the port.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        raise error(f"{where}: not a valid URL (an IPv6 host needs both brackets: [::1])") from None
    if not at_in_path and "@" in parts.path + parts.query + parts.fragment:
        raise error(f"{where}: cannot tell the host from the password ({ENCODE_HINT})")
    try:
        port = parts.port
    except ValueError:
        raw = parts.netloc.rpartition("@")[2].rpartition(":")[2]
        shown = f", got {raw}" if raw.isdigit() else ""
        raise error(f"{where}: the port must be a whole number from 1 to 65535{shown}") from None
    if port == 0:
        raise error(f"{where}: the port must be a whole number from 1 to 65535, got 0")
    return parts, port


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine, where plain (unencrypted) traffic never leaves it."""
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secrets(url: str) -> set[str]:
    found: set[str] = set()
    _, sep, rest = url.partition("://")
    if sep and "@" in rest:
        _, colon, password = rest.rpartition("@")[0].partition(":")
        if colon:
            found |= {password, unquote(password)}
    for m in _KEY_SECRET.finditer(url):
        value = m.group(2).strip("'")
        found |= {value, unquote(value)}
    return {s for s in found if s}


def _one_line(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
