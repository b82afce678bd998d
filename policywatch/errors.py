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


# --- Site and feed ---------------------------------------------------------------


class SiteConfigError(PolicywatchError):
    """The [site] settings or the --base-url option are unusable; the message names which."""


class SiteTemplateError(PolicywatchError):
    """A site template (usually a repository's own override) fails to load or render; the message names it."""


class SiteOutputError(PolicywatchError):
    """The site or feed cannot be written where asked; the message names the path."""
