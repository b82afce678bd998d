"""Where things live on the public archive site.

The site writes its pages at these paths and notices link to them, so both
use this one module and a link in an email can never point at a page the
site does not build.
"""

from __future__ import annotations

from urllib.parse import quote

from policywatch.errors import SiteConfigError
from policywatch.redaction import redact_url, split_url


def check_base_url(url: str, where: str) -> str:
    """An absolute http(s) URL with a host, normalised to end in '/'."""
    url = url.strip()
    parts, _ = split_url(url, where, SiteConfigError, at_in_path=True)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteConfigError(
            f"{where}: base URL must be an absolute http(s) URL such as https://example.com/policies/, "
            f"got '{redact_url(url)}'"
        )
    if parts.query or parts.fragment:
        raise SiteConfigError(f"{where}: base URL must not have a query or fragment, got '{redact_url(url)}'")
    return url if url.endswith("/") else url + "/"


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path if base else "/" + path


def policy_path(slug: str) -> str:
    return f"{quote(slug)}/"


def version_path(slug: str, version: str) -> str:
    return f"{quote(slug)}/v{quote(version)}/"


def redline_path(slug: str, version: str) -> str:
    """The change from the previous version to this one."""
    return f"{quote(slug)}/v{quote(version)}/changes/"


def source_path(slug: str, version: str) -> str:
    """The Markdown file exactly as released."""
    return f"{quote(slug)}/v{quote(version)}/{quote(slug)}.md"


def archive_path(slug: str) -> str:
    """Every released version of a policy, with dates and verdicts."""
    return f"{quote(slug)}/versions/"


def compare_index_path(slug: str) -> str:
    """The list of comparisons between any two versions of a policy."""
    return f"{quote(slug)}/compare/"


def compare_path(slug: str, old: str, new: str) -> str:
    return f"{quote(slug)}/compare/v{quote(old)}...v{quote(new)}/"


def feed_path() -> str:
    return "feed.xml"


def policy_feed_path(slug: str) -> str:
    """The Atom feed of one policy's releases."""
    return f"{quote(slug)}/feed.xml"


def register_json_path(slug: str) -> str:
    """A register's entries as JSON, beside its page."""
    return f"{quote(slug)}/register.json"


def register_csv_path(slug: str) -> str:
    return f"{quote(slug)}/register.csv"


def api_current_path(slug: str) -> str:
    """For applications: the version in force, the upcoming one and when it takes over."""
    return f"api/{quote(slug)}/current.json"


def api_versions_path(slug: str) -> str:
    """For applications: every version with the days it was in force."""
    return f"api/{quote(slug)}/versions.json"


def stylesheet_path() -> str:
    return "style.css"


def policy_url(base: str, slug: str) -> str:
    return _join(base, policy_path(slug))


def version_url(base: str, slug: str, version: str) -> str:
    return _join(base, version_path(slug, version))


def redline_url(base: str, slug: str, version: str) -> str:
    return _join(base, redline_path(slug, version))


def archive_url(base: str, slug: str) -> str:
    return _join(base, archive_path(slug))


def compare_url(base: str, slug: str, old: str, new: str) -> str:
    return _join(base, compare_path(slug, old, new))


def feed_url(base: str) -> str:
    return _join(base, feed_path())


def policy_feed_url(base: str, slug: str) -> str:
    return _join(base, policy_feed_path(slug))


def source_url(base: str, slug: str, version: str) -> str:
    return _join(base, source_path(slug, version))


def api_versions_url(base: str, slug: str) -> str:
    return _join(base, api_versions_path(slug))
