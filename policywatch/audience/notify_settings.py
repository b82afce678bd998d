"""The ``[notify]`` table: how long a claim lasts, how many rows a claim takes, when to give up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from policywatch.errors import ConfigError
from policywatch.settings_values import Table

if TYPE_CHECKING:
    from policywatch.project import Project

DEFAULT_LEASE_SECONDS = 120
DEFAULT_BATCH = 200
DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class NotifySettings:
    """``[notify]`` in config: how long a claim lasts, how many rows a claim takes, when to give up."""

    lease_seconds: int = DEFAULT_LEASE_SECONDS
    batch_size: int = DEFAULT_BATCH
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    synchronous_commit: bool = False  # PostgreSQL: wait for the disk on every outcome (slower, see docs)
    allow_no_links: bool = False  # send notices although [site] base_url is not set (no links in them)


def notify_settings(project: Project) -> NotifySettings:
    defaults = NotifySettings()
    table = Table(
        project.config.section("notify"),
        f"{project.config.source} [notify]",
        ConfigError,
        {"lease_seconds", "batch_size", "max_attempts", "synchronous_commit", "allow_no_links"},
    )
    return NotifySettings(
        lease_seconds=table.whole_number("lease_seconds", defaults.lease_seconds, low=1),
        batch_size=table.whole_number("batch_size", defaults.batch_size, low=1),
        max_attempts=table.whole_number("max_attempts", defaults.max_attempts, low=1),
        synchronous_commit=table.flag("synchronous_commit", defaults.synchronous_commit),
        allow_no_links=table.flag("allow_no_links", defaults.allow_no_links),
    )
