"""The Atom 1.0 feed of releases: one entry per released policy version, newest first.

Built with the standard library's ElementTree, which escapes every value; text
is stripped of the control characters XML 1.0 cannot carry, so a stray byte in
a reason can never make the feed unreadable. Entry ids are tag URIs (RFC 4151)
that name the policy and version, so they stay the same when the site moves.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from policywatch import __version__, urls
from policywatch.site.archive import PolicyArchive, PublishedVersion, verdict_label
from policywatch.site_config import SiteSettings

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def build_feed(archives: Iterable[PolicyArchive], settings: SiteSettings, *, generated: dt.datetime) -> bytes:
    """The feed of every policy's releases; ``generated`` dates a feed that has no entries yet."""
    url = urls.feed_url(settings.base_url)
    return _feed(list(archives), settings, generated, url, f"{settings.title}: policy releases", settings.base_url)


def build_policy_feed(archive: PolicyArchive, settings: SiteSettings, *, generated: dt.datetime) -> bytes:
    """The feed of one policy's releases, for customers who watch that policy alone (a sub-processor list)."""
    url = urls.policy_feed_url(settings.base_url, archive.slug)
    page = urls.policy_url(settings.base_url, archive.slug)
    return _feed([archive], settings, generated, url, f"{settings.title}: {archive.title} releases", page)


def _feed(
    archives: list[PolicyArchive], settings: SiteSettings, generated: dt.datetime, url: str, title: str, page: str
) -> bytes:
    entries = sorted(
        ((archive, version) for archive in archives for version in archive.versions),
        key=lambda item: (_utc(item[1].released_at), item[0].slug, item[1].version),
        reverse=True,
    )
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _text(feed, "id", url)
    _text(feed, "title", title)
    updated = max((_utc(v.released_at) for _, v in entries), default=_utc(generated))
    _text(feed, "updated", _stamp(updated))
    _link(feed, "self", url, MEDIA_TYPE)
    _link(feed, "alternate", page, "text/html")
    author = ET.SubElement(feed, _q("author"))
    _text(author, "name", settings.publisher)
    generator = _text(feed, "generator", "policywatch")
    generator.set("version", __version__)
    for archive, version in entries:
        feed.append(_entry(archive, version, settings))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def entry_id(settings: SiteSettings, version: PublishedVersion) -> str:
    """``tag:HOST,DATE:SLUG/vVERSION``: unique per release and stable across rebuilds."""
    release = version.release
    return f"tag:{settings.host},{release.published.isoformat()}:{urls.version_path(release.policy, release.version)}"


def entry_title(version: PublishedVersion) -> str:
    release = version.release
    title = f"{release.title} {release.version}: {verdict_label(release.classification).lower()}"
    if release.material:
        title += f", effective {release.effective.isoformat()}"
    return title


def entry_summary(version: PublishedVersion) -> str:
    release = version.release
    lines = [f"{verdict_label(release.classification)}.", f"Takes effect on {release.effective.isoformat()}."]
    if release.previous_version:
        lines[0] = f"{verdict_label(release.classification)} from version {release.previous_version}."
    if release.reasons:
        lines.append("Reasons:")
        lines += [f"- {reason}" for reason in release.reasons]
    return "\n".join(lines)


def _entry(archive: PolicyArchive, version: PublishedVersion, settings: SiteSettings) -> ET.Element:
    release = version.release
    entry = ET.Element(_q("entry"))
    _text(entry, "id", entry_id(settings, version))
    _text(entry, "title", entry_title(version))
    stamp = _stamp(_utc(version.released_at))
    _text(entry, "updated", stamp)
    _text(entry, "published", stamp)
    _link(entry, "alternate", urls.version_url(settings.base_url, archive.slug, release.version), "text/html")
    link = _link(entry, "related", urls.redline_url(settings.base_url, archive.slug, release.version), "text/html")
    link.set("title", f"Changes in version {release.version}")
    category = ET.SubElement(entry, _q("category"))
    category.set("term", release.classification)
    category.set("label", verdict_label(release.classification))
    _text(entry, "summary", entry_summary(version)).set("type", "text")
    return entry


def _q(name: str) -> str:
    # Unqualified names under the root's xmlns: the serialised feed uses Atom as its default namespace.
    return name


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name))
    element.text = _NOT_XML.sub("", value)
    return element


def _link(parent: ET.Element, rel: str, href: str, media_type: str) -> ET.Element:
    element = ET.SubElement(parent, _q("link"))
    element.set("rel", rel)
    element.set("type", media_type)
    element.set("href", href)
    return element


def _utc(moment: dt.datetime) -> dt.datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
