"""A policy repository with real releases (tags carrying release records), and a reader for the built pages."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

from policywatch.release.record import ChangeSummary, Release, tag_message
from tests._git_support import GitProject, new_git_project

V1 = """---
title: Example Privacy Policy
version: "1.0"
effective: 2024-01-15
updated: 2024-01-15
---
# Example Privacy Policy

Effective Date: January 15, 2024

## What we collect

We collect your email address to send receipts.

## Who we share it with

We will not sell your personal data.

### Service providers

Our payment processor receives your card number.
"""

V2 = V1.replace('"1.0"', '"2.0"').replace("2024-01-15", "2024-03-31").replace("January 15, 2024", "March 31, 2024")
V2 = V2.replace(
    "We will not sell your personal data.",
    "We may share your precise location with advertising partners.",
)

REASON = "a new recipient: advertising partners"
TODAY = dt.date(2024, 3, 1)  # after 1.0 took effect, before 2.0 does


def release(slug: str, title: str, version: str, previous: str | None, kind: str, effective: str, **extra) -> Release:
    day = dt.date.fromisoformat(effective)
    return Release(
        policy=slug,
        title=title,
        path=f"policies/{slug}.md",
        version=version,
        previous_version=previous,
        classification=kind,
        effective=day,
        updated=day,
        published=extra.pop("published", day),
        tag=f"{slug}/v{version}",
        **extra,
    )


def tag_release(project: GitProject, record: Release) -> None:
    project.tag(record.tag, tag_message(record))


def two_release_repo(root: Path) -> GitProject:
    """``privacy`` 1.0 (in effect) and 2.0 (material, published 2024-03-01, in effect from 2024-03-31)."""
    project = new_git_project(root)
    project.commit("Add privacy policy", {"policies/privacy.md": V1}, date="2024-01-15T09:00:00+00:00")
    tag_release(project, release("privacy", "Example Privacy Policy", "1.0", None, "initial", "2024-01-15"))
    project.commit("Share location with advertisers", {"policies/privacy.md": V2}, date="2024-03-01T09:00:00+00:00")
    change = ChangeSummary("Who we share it with", "replace", "material", [REASON], "We will not sell", "We may share")
    tag_release(
        project,
        release(
            "privacy",
            "Example Privacy Policy",
            "2.0",
            "1.0",
            "material",
            "2024-03-31",
            published=dt.date(2024, 3, 1),
            reasons=[REASON],
            changes=[change],
        ),
    )
    return project


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """What the tests look at in a built page: tags in order, their attributes, and the visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.unbalanced: list[str] = []  # end tags that close nothing open, and tags left open
        self._open: list[str] = []
        self._skip = 0
        self.feed(html)
        self.unbalanced += self._open

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID:
            self._open.append(tag)
        if tag in ("style", "title", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()
        else:
            self.unbalanced.append(f"</{tag}>")
        if tag in ("style", "title", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.text_parts).split())

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def headings(self) -> list[int]:
        return [int(name[1]) for name, _ in self.tags if len(name) == 2 and name[0] == "h" and name[1].isdigit()]
