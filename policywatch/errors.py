"""User errors, one class per kind, each bound to the exit code the CLI returns.

The library raises these; the CLI turns them into one line on stderr and the
exit code, in one place (``policywatch.cli``). Anything that is not a
``PolicywatchError`` is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2
EXIT_NOT_A_POLICY = 3


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


class NothingInForce(PolicywatchError):
    """No version of a policy is in force on the day asked: none released, none in effect yet, or withdrawn.

    An answer rather than a mistake, so it exits 1 (like a check that found something), not 2.
    """

    exit_code = EXIT_FOUND


class InvalidSlug(PolicywatchError):
    """A slug that is not a plain file name."""


class MissingPoliciesFolder(PolicywatchError):
    """The configured policies folder does not exist."""


# --- Diff engine -------------------------------------------------------------


class RulesError(ConfigError):
    """The ``[materiality]`` settings are invalid; the message names the key."""


class InputTooLarge(PolicywatchError):
    """A text is larger than compare() accepts."""


class DiffArgumentError(PolicywatchError):
    """An OLD or NEW argument of ``diff`` names no file, revision or policy."""


class NotAPolicy(PolicywatchError):
    """One side of a comparison is no policy (empty, an error page, markup noise): it is refused, not judged."""

    exit_code = EXIT_NOT_A_POLICY


# --- Publishing, check and hooks ---------------------------------------------


class UncommittedPolicyEdits(PolicywatchError):
    """Policy files differ from the last commit; a release must be made from committed text."""


class EffectiveDateMovedBack(PolicywatchError):
    """A policy's effective date was set earlier than its last release's by hand."""


class VersionMovedBack(PolicywatchError):
    """A policy's version was set lower than its last released version by hand."""


class PublicationDateMovedBack(PolicywatchError):
    """A --date earlier than the policy's last publication."""


class UnsupportedVersion(PolicywatchError):
    """A version that is not dot-separated numbers, so it cannot be bumped."""


class TagExists(PolicywatchError):
    """The release tag a publish would create already exists."""


class OperationInProgress(PolicywatchError):
    """The repository is in the middle of a merge, rebase, cherry-pick or revert."""


class PublishLocked(PolicywatchError):
    """Another publish holds the repository's publish lock."""


class InterruptedPublish(PolicywatchError):
    """A publish stopped half-way and cannot be completed or rolled back safely on its own."""


class HookExists(PolicywatchError):
    """A git hook not written by policywatch is in the way."""


class HookNotInstalled(PolicywatchError):
    """There is no policywatch hook to remove."""


class InvalidPublishDate(PolicywatchError):
    """A --date that is not a real day in the form YYYY-MM-DD."""


class HistoryIncomplete(HistoryError):
    """A shallow clone, or a clone whose release tags were not fetched: releases cannot be judged."""


class NothingToCheck(PolicywatchError):
    """No policy at the checked revision: a gate that checks nothing must not pass."""


class InvalidPolicyName(PolicywatchError):
    """A policy file name that cannot name a release tag."""


class EmptyPolicy(PolicywatchError):
    """A policy file with no text: withdrawing a policy is ``git rm``, not emptying it."""


class DateOutOfRange(PolicywatchError):
    """A publication date plus the notice period falls outside the calendar Python can hold."""


class InvalidSummary(PolicywatchError):
    """A release summary that cannot be used: empty, too long, unreadable, or naming a policy not released."""


class TranslationOutOfStep(PolicywatchError):
    """A translation out of step with its source: stale after a material change, unlinked, or named to follow later
    when it does not."""


# --- Notify: subscribers, ledger and store ------------------------------------


class InvalidEmail(PolicywatchError):
    """An email address that cannot receive notices; the message names it."""


class InvalidSubscriber(PolicywatchError):
    """A subscriber's name or followed policies are not acceptable."""


class SubscriberNotFound(PolicywatchError):
    """No subscriber has that address."""


class SubscriberExists(PolicywatchError):
    """The address is already an active subscriber."""


class SubscriberFileError(PolicywatchError):
    """A subscribers CSV file cannot be read at all (missing, not UTF-8, wrong header)."""


class DatabaseError(PolicywatchError):
    """The state database cannot be opened, is unreachable, or has a newer schema."""


class ReleaseNotFound(PolicywatchError):
    """A release named on the command line is not a release tag."""


class UntrustedReleaseTag(ReleaseNotFound):
    """A tag named like a release whose record cannot be read or disagrees with its name: never a release."""


class NothingToAnnounce(PolicywatchError):
    """The release named is not a material change, so it is not announced."""


class InvalidAcceptance(PolicywatchError):
    """An acceptance that cannot be recorded: a bad field, or a policy version that was never released."""


class AcceptanceFileError(PolicywatchError):
    """An acceptances CSV file cannot be imported; the message names the file and the line."""


class ObjectionNotFound(PolicywatchError):
    """No objection has the id given."""


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


class UnsubscribeSettingsError(PolicywatchError):
    """The unsubscribe endpoint cannot start: a bad path prefix, or an address it cannot listen on."""


class ServiceSettingsError(ConfigError):
    """``[service]`` is invalid, or subscriptions are enabled without the secret that signs their links."""


# --- Site and feed ---------------------------------------------------------------


class SiteConfigError(PolicywatchError):
    """The [site] settings or the --base-url option are unusable; the message names which."""


class SiteTemplateError(PolicywatchError):
    """A site template (usually a repository's own override) fails to load or render; the message names it."""


class SiteOutputError(PolicywatchError):
    """The site or feed cannot be written where asked; the message names the path."""


# --- Evidence ----------------------------------------------------------------------


class EvidenceError(PolicywatchError):
    """An evidence bundle cannot be written (a release without its text, an unwritable path)."""


class EvidenceMismatch(PolicywatchError):
    """A bundle, the ledger's chain or a chain head recorded in git does not match; the message names what."""

    exit_code = EXIT_FOUND
