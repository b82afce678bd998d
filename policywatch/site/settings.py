"""The site's own demand on ``[site]``: a base URL it can publish under, from the file or ``--base-url``."""

from __future__ import annotations

from dataclasses import replace

from policywatch.config import Config
from policywatch.errors import SiteConfigError
from policywatch.site_config import SiteSettings, read_site_settings
from policywatch.urls import check_base_url


def site_settings(config: Config, base_url: str | None = None) -> SiteSettings:
    """Settings from ``[site]``; ``base_url`` (the command-line option) wins over the file."""
    settings = read_site_settings(config)
    if base_url is not None:
        return replace(settings, base_url=check_base_url(base_url, "--base-url"))
    if not settings.base_url:
        raise SiteConfigError(
            f"no base URL for the public archive: pass --base-url or set base_url under [site] in {config.source}"
        )
    return settings
