"""User errors, one class per kind, each bound to the exit code the CLI returns.

The library raises these; the CLI turns them into one line on stderr and the
exit code, in one place (``policywatch.cli``). Anything that is not a
``PolicywatchError`` is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2


class PolicywatchError(Exception):
    """Base of every error a user can cause and fix."""

    exit_code = EXIT_USAGE


class ConfigError(PolicywatchError):
    """The configuration file is invalid; the message names the key."""


class PolicyFormatError(PolicywatchError):
    """A policy file cannot be read: bad encoding, front matter or date."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.detail = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class NotARepository(PolicywatchError):
    """The folder is not inside a git repository."""


class HistoryError(PolicywatchError):
    """Git history needed for the command is missing (shallow clone, no commits, bad ref)."""


class PolicyNotFound(PolicywatchError):
    """A slug, path or version names no policy."""


class InvalidSlug(PolicywatchError):
    """A slug that is not a plain file name."""


class MissingPoliciesFolder(PolicywatchError):
    """The configured policies folder does not exist."""


# --- Diff engine -------------------------------------------------------------


# --- Publishing, check and hooks ---------------------------------------------


# --- Notify: subscribers, ledger and store ------------------------------------


# --- Notify: email and webhook channels ----------------------------------------


class EmailSettingsError(ConfigError):
    """The SMTP URL, the sender or an ``[email]`` setting is invalid; the message names the key."""


class InsecureSmtpRefused(EmailSettingsError):
    """Plain SMTP to a host that is not loopback, without ``?insecure=1``."""


class UnsafeHeaderText(PolicywatchError):
    """Text bound for a mail header carries a line break (raw or RFC 2047 encoded)."""


class NoticeTemplateError(PolicywatchError):
    """A notice template is missing or broken; the message names the template."""


class WebhookSettingsError(ConfigError):
    """A ``[[webhooks]]`` entry is invalid or its secret is missing; the message names the key."""


# --- Site and feed ---------------------------------------------------------------
