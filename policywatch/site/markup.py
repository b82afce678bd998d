"""Policy Markdown to HTML: safe, with heading anchors and a table of contents.

Raw HTML in a policy is shown as text, never passed through (markdown-it-py with
``html`` off; its link check already refuses ``javascript:`` and similar URLs).
The page supplies the only ``<h1>`` (the policy's title), so a leading title
heading in the text is dropped and the others are renumbered from ``<h2>``
without skipped levels, which keeps the page's heading outline valid for
screen readers whatever levels the author used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it.token import Token

# Ids the page templates use themselves; a heading of the same name gets a suffix.
RESERVED_IDS = frozenset({"main", "contents", "content", "top", "versions", "changes", "upcoming"})
TOC_DEPTH = 3  # <h2> and <h3> go into the table of contents


@dataclass(frozen=True)
class Heading:
    level: int  # the level on the page: 2 to 6
    id: str
    text: str


@dataclass
class TocEntry:
    heading: Heading
    children: list[TocEntry] = field(default_factory=list)


@dataclass(frozen=True)
class RenderedText:
    html: str
    headings: tuple[Heading, ...]

    @property
    def toc(self) -> list[TocEntry]:
        """Headings down to ``TOC_DEPTH`` as a tree of at most two levels."""
        entries: list[TocEntry] = []
        for heading in self.headings:
            if heading.level == 2 or not entries:
                entries.append(TocEntry(heading))
            elif heading.level <= TOC_DEPTH:
                entries[-1].children.append(TocEntry(heading))
        return entries


def render_markdown(body: str) -> RenderedText:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    tokens = md.parse(body)
    if len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        tokens = tokens[3:]
    headings = _number_headings(tokens)
    return RenderedText(md.renderer.render(tokens, md.options, {}), tuple(headings))


def _number_headings(tokens: list[Token]) -> list[Heading]:
    opens = [i for i, t in enumerate(tokens) if t.type == "heading_open"]
    if not opens:
        return []
    top = min(int(tokens[i].tag[1]) for i in opens)
    used = set(RESERVED_IDS)
    headings = []
    previous = 1
    for i in opens:
        level = min(int(tokens[i].tag[1]) - top + 2, previous + 1, 6)
        previous = level
        text = _plain(tokens[i + 1])
        anchor = _unique(slugify(text), used)
        tokens[i].tag = tokens[i + 2].tag = f"h{level}"
        tokens[i].attrSet("id", anchor)
        headings.append(Heading(level, anchor, text))
    return headings


def _plain(inline: Token) -> str:
    parts = [c.content for c in inline.children or [] if c.type in ("text", "code_inline")]
    return " ".join("".join(parts).split())


def slugify(text: str) -> str:
    """A readable anchor: lower-case words joined by hyphens (letters of any script kept)."""
    text = unicodedata.normalize("NFKC", text).lower()
    words = re.findall(r"\w+", text)
    return "-".join(words)[:60].strip("-") or "section"


def _unique(anchor: str, used: set[str]) -> str:
    candidate, n = anchor, 2
    while candidate in used:
        candidate = f"{anchor}-{n}"
        n += 1
    used.add(candidate)
    return candidate
