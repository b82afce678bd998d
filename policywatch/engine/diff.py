"""Where two policy texts differ: normalise, align blocks, diff words, find moves.

The pipeline is built so that cost follows the size of the change, not of the
document:

1. ``normalise`` turns Markdown into blocks of plain text (one per paragraph,
   heading, list item or table row) with Unicode, quotes, dashes, white space and
   markup folded away, each block tagged with the heading path it sits under.
2. ``align_blocks`` aligns the two block lists as patience diff does: blocks
   found once on each side anchor the alignment, and diff-match-patch in "line
   mode" (each block mapped to one character) runs only between anchors.
   Unchanged blocks drop out here.
3. Blocks deleted in one place and inserted unchanged in another are moves;
   paragraphs that moved and were lightly edited are diffed where they landed.
4. What is left forms small changed regions. Each region is tokenised into words,
   white space and punctuation, each token mapped to one character, diffed with
   diff-match-patch and tidied with its semantic clean-up, so a change reads as
   whole words. A region too large to diff word by word is first split at its
   most similar paragraph pairs, and work budgets counted in tokens and in
   diff-match-patch's own steps (never in seconds) cap each call and the whole
   run, so the same two texts always give the same answer, however busy the
   machine.
5. The word diff is cut into edits at sentence boundaries.

This module knows nothing of materiality: it yields ``Edit`` records that
``policywatch.engine.materiality`` judges.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain
from typing import NamedTuple

from policywatch.engine import lazyre as re

# Largest input ``compare`` accepts (characters, each side); policy files are capped at 10 MB too.
MAX_CHARS = 10 * 1024 * 1024
# Characters (both sides together) of a region diffed word by word without first pairing its paragraphs.
REGION_CHARS = 12_000
# Regions above this many tokens are diffed word by word only when they share MIN_OVERLAP of their words.
SMALL_REGION = 400
MIN_OVERLAP = 0.4
# Tokens that word-level diffing may receive in one comparison; beyond it, paragraphs are compared whole.
TOTAL_TOKEN_BUDGET = 400_000
# diff-match-patch steps (see ``_Steps``) of word-level diffing per comparison; past them, paragraphs are
# compared whole. A step is one diagonal of the Myers search or one character scanned.
TOTAL_STEP_BUDGET = 1_200_000
# Steps one diff-match-patch call may take before it settles, deterministically, for a coarser answer.
CALL_STEP_BUDGET = 800_000

SEP = "\n\n"  # token between blocks

_TRANSLATE = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'),
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"),
    **dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009\u200a\u3000\t"), " "),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
    ord("\u2026"): "...",
}
_FOLD = {chr(k): v or "" for k, v in _TRANSLATE.items()}
_SPACES_NFKC = "\u00a0\u2007\u202f\u2002\u2003\u2009\u200a\u3000"
# A link that shows only icon-font glyphs (the private use area): a page draws them, they are no words.
_ICON_LINK = re.compile("\\[[\ue000-\uf8ff\\s]+\\]\\(")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_HEADING_NUMBER = re.compile(r"^(?:(?:section|article|part)\s+)?(?:\d+(?:\.\d+)*|[ivxlc]+|[a-z])[.):]\s+", re.I)
_MARKERS = frozenset("#>|=-*_[")  # first characters of lines that may be Markdown structure
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|\([ivxIVX]{1,5}\))[ \t]+")
_RULE = re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$")
_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_LEADING_TABS = re.compile(r"^[ \t]*\t", re.M)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
# Emphasis marks left around punctuation when a link cut an emphasised span in two ("click_ [_here_](…)_._").
_STRAY_MARK = re.compile(r"(?<=[\w.,;:!?])_(?=[.,;:!?](?:_|\s|$))|(?<=[.,;:!?])_(?=\s|$)")
# What a page tells screen readers about a link ("(opens in new window)", "(external link)"): no text of the policy.
_LINK_NOTE = re.compile(r"\s*\((?:opens? in (?:a )?new (?:window|tab)|external link|link is external)\)", re.I)
_LINK_NOTE_ENDS = ("w)", "b)", "k)", "l)", "W)", "B)", "K)", "L)")  # the last letter of each note, and its bracket
# The same note written straight after the link, without brackets ("[More](https://…)Opens in new tab").
_LINK_NOTE_AFTER = re.compile(r"(?<=\))\s*opens? in (?:a )?new (?:window|tab)\b", re.I)
# A mail address a page hid from scrapers, written as a link around "[email protected]": the placeholder alone.
_PROTECTED_MAIL = re.compile(r"\[\\?\[email(?:\s|&#160;)?protected\\?\]\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+.*$")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->", re.S)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPH = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_SPACES = re.compile(r"\s+")
_DATE_LINE = re.compile(
    r"^(?=[^|]*\d)(?:(?:this (?:page|document|policy|article|notice) was )?"
    r"(?:effective(?: date)?|date of effect|in effect from"
    r"|last (?:updated|update|modified|revised|changed|edited)|updated|revised|edited|posted|published)"
    # The document saying from when it applies: "This user agreement will be effective for all users as of ...".
    r"|(?:this (?:user )?(?:agreement|policy|privacy policy|notice|statement)|these (?:terms|conditions)(?: of \w+)?)"
    r" (?:is|are|will be|shall be|becomes?) effective(?: for all users)?)"
    r"(?: on| as of| from)?\s*:?\s*[\w ,./:&-]{4,50}"
    r"(?:\s*\|\s*[\w ,./:&-]{1,40})*$",
    re.I,
)
TOKEN = re.compile(r"\w+(?:'\w+)*|\n\n|\s+|[^\w\s]")


# A pointer to the version before, after a date stamp ("Effective: June 12, 2020 (View previous version: 5/25/18)").
_PRIOR_VERSION = re.compile(
    r"\s*[(\[]\s*(?:\w+\s+)?(?:the\s+)?(?:previous|prior|earlier|archived|older)\s+versions?\b[^()\[\]]{0,40}[)\]]$",
    re.I,
)


def is_date_line(text: str) -> bool:
    """A page's date stamp on its own ("Last updated: May 3, 2024", "**Effective January 15, 2025.**"), or with a
    pointer to the version before it."""
    text = text.strip().strip("*_ ")
    if len(text) >= 80:
        return False
    if "version" in text.lower():
        text = _PRIOR_VERSION.sub("", text).strip("*_ ")
    return bool(_DATE_LINE.match(text))


# A line that is only a link within the page ("[Your rights](#your-rights)"): an entry of a table of contents.
_ANCHOR_LINK = re.compile(r"\[[^\]]+\]\(#[^)\s]*\)")


# A paragraph that is only a link to another page, its text a title ("[Legitimate Interest Assessment](https://...)").
_PAGE_LINK = re.compile(r"\[[^\]\[]{1,80}\]\((?:https?://|/)[^)\s]*\)")


def _anchored(kind: str, markdown: str) -> str:
    """``anchor`` for a paragraph or list item that is only a link within the page, ``link`` for a paragraph that
    is only a link to another page (a list item stays an item: its lead-in may make it a recipient), else ``kind``."""
    markdown = markdown.strip()
    if kind in ("item", "paragraph") and markdown[:1] == "[":
        if _ANCHOR_LINK.fullmatch(markdown):
            return "anchor"
        if kind == "paragraph" and _PAGE_LINK.fullmatch(markdown):
            return "link"
    return kind


class Block(NamedTuple):
    """One paragraph, heading, list item or table row, normalised."""

    text: str
    # heading | paragraph | item | row | anchor (only links within the page) | link (a paragraph only linking to
    # another page) | chrome (above the title)
    kind: str
    section: str  # heading path, " > " between levels; a heading's own path includes itself
    dateline: bool = False


@dataclass
class Edit:
    """One change between two texts, before it is judged.

    ``segments`` is the word diff of the sentence(s) involved, as
    ``[op, text]`` pairs with op ``equal``, ``delete`` or ``insert``.
    """

    section: str
    kind: str  # insert | delete | replace | move
    old_text: str
    new_text: str
    segments: list[list[str]] = field(default_factory=list)
    heading: bool = False
    dateline: bool = False
    new_section: str = ""
    table: bool = False  # every block touched is a table row
    anchors: bool = False  # every block touched only links within the page: a table of contents
    links: bool = False  # every block touched is a paragraph that only links to another page
    link_target: bool = False  # the words are the same, a link among them points elsewhere (see link_edits)
    chrome: bool = False  # every block touched sits above the document's title: the site's, not the policy's
    moved: bool = False  # the text also moved, from ``section`` to ``new_section``
    # Words this edit deletes, by the section of the old text they come from (headings not counted).
    deleted_words: dict[str, int] = field(default_factory=dict)


def fold_unicode(text: str) -> str:
    """NFKC, straight quotes, ASCII dashes and spaces, Unix line endings."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if text.isascii():
        return text
    # Spaces first (NFKC makes each a plain space too): a non-breaking space is what usually needs the NFKC pass.
    for char in _SPACES_NFKC:
        if char in text:
            text = text.replace(char, " ")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    for char, replacement in _FOLD.items():
        if char in text:
            text = text.replace(char, replacement)
    return text


def _inline(text: str) -> str:
    """Markdown inline markup folded to its text; each pass runs only when its marker is present."""
    if "(" in text and ("new " in text or "external" in text) and any(end in text for end in _LINK_NOTE_ENDS):
        text = _LINK_NOTE.sub("", text)
    if "pens in " in text and "](" in text:
        text = _LINK_NOTE_AFTER.sub("", text)
    if "[" in text:
        if "protected" in text:
            text = _PROTECTED_MAIL.sub("[email protected]", text)
        text = _IMAGE.sub(r"\1", text)
        if "](" in text and _ICON_LINK.search(text):
            text = _ICON_LINK.sub("[](", text)  # a link that shows only an icon shows no words, as one without any
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
        text = _HTML_TAG.sub(" ", text)
    if "`" in text:
        text = _CODE.sub(r"\1", text)
    if "*" in text or "_" in text:
        for _ in range(2):
            text = _STRONG.sub(r"\2", text)
            text = _EMPH.sub(r"\2", text)
        if "_" in text:
            text = _STRAY_MARK.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def normalise(text: str, memo: dict[str, list] | None = None) -> list[Block]:
    """Blocks of plain text, markup folded away, each with its section path.

    The text is parsed a paragraph (a run of lines between blank lines) at a
    time; ``memo`` (raw paragraph -> parsed blocks) may be shared between the two
    sides of a comparison, so that unchanged paragraphs are parsed once. Fenced
    code is set aside first, whole, as CommonMark reads it (and as the site
    shows it): a ``#`` line inside a fence is code, not a heading.
    """
    memo = {} if memo is None else memo
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = _FRONT_MATTER.sub("", text, count=1)
    if "\t" in text:  # indentation in columns, tab stops of 4, as CommonMark counts it
        text = _LEADING_TABS.sub(lambda m: m.group().expandtabs(4), text)
    raw: list[tuple[str, str, int]] = []  # (kind, text, heading level)
    # One-character searches first: a three-character search of a long non-ASCII text is ten times slower.
    fences = ("`" in text and "```" in text) or ("~" in text and "~~~" in text)
    for is_code, part in _fenced(text) if fences else [(False, text)]:
        if is_code:
            body = _SPACES.sub(" ", fold_unicode(part)).strip()
            if body:
                raw.append(("paragraph", body, 0))
            continue
        for chunk in _BLANK_LINE.split(part):
            parsed = memo.get(chunk)
            if parsed is None:
                parsed = memo[chunk] = _parse_chunk(fold_unicode(chunk))
            raw.extend(parsed)
    return _with_sections(raw)


def _chrome_above_title(raw: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The few short blocks a scraped page holds above the document's title (a shop's banner, a breadcrumb)
    marked as ``chrome``: they are the site's, not the policy's. A long text above a title is left as it is."""
    top = next(n for n, (kind, _, _) in enumerate(raw) if kind == "heading")
    sizes = [len(body.split()) for _, body, _ in raw[:top]]
    total = sum(len(body.split()) for _, body, _ in raw)
    if (top > CHROME_BLOCKS and max(sizes) > CHROME_LINE_WORDS) or sum(sizes) > CHROME_SHARE * total:
        return raw
    return [("chrome", body, level) for _, body, level in raw[:top]] + raw[top:]


def _quote_depth(line: str) -> tuple[int, str]:
    """How many block quotes a line sits in, and the line without their markers."""
    m = _QUOTE.match(line) if line.lstrip()[:1] == ">" else None
    return (m.group().count(">"), line[m.end() :]) if m else (0, line)


def _fenced(text: str) -> list[tuple[bool, str]]:
    """The text as runs of Markdown and of fenced code (``(True, code)``, fence lines left out).

    A fence closes at a line of at least as many of its characters, or where
    the block quote it was opened in ends; an unclosed fence runs to the end.
    """
    parts: list[tuple[bool, str]] = []
    lines: list[str] = []
    fence = ""  # the opening run of ` or ~ while inside a fence
    depth = 0  # block quotes the fence was opened in
    for line in text.split("\n"):
        level, inner = _quote_depth(line)
        if fence:
            if level < depth:
                parts.append((True, "\n".join(lines)))
                lines, fence = [], ""
            else:
                inner = line if not depth else _quote_depth(line)[1]
                m = _FENCE.match(inner)
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
                    parts.append((True, "\n".join(lines)))
                    lines, fence = [], ""
                else:
                    lines.append(inner)
                continue
        m = _FENCE.match(inner)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            parts.append((False, "\n".join(lines)))
            lines, fence, depth = [], m.group(1), level
            continue
        lines.append(line)
    parts.append((bool(fence), "\n".join(lines)))
    return parts


def _parse_chunk(chunk: str) -> list[tuple[str, str, int]]:
    """The blocks of one paragraph of Markdown, already folded by ``fold_unicode``.

    Headings are what CommonMark takes for headings: a setext underline makes a
    heading only of a paragraph in the same block quote, not of indented code.
    """
    stripped = chunk.strip()
    first = stripped[:1]
    if "\n" not in stripped and first and first not in _MARKERS and not _ITEM.match(chunk):
        # Most paragraphs of a policy are one plain line.
        body = _inline(stripped)
        return [(_anchored("paragraph", stripped), body, 0)] if body else []
    raw: list[tuple[str, str, int]] = []
    lines: list[str] = []
    kind = "paragraph"
    quoted = 0  # block quotes the paragraph in ``lines`` opened in
    code = False  # the paragraph in ``lines`` opened indented by four columns: code, not a setext heading

    def flush() -> None:
        nonlocal lines, kind
        if lines:
            joined = " ".join(lines)
            body = _inline(joined)
            if body:
                raw.append((_anchored(kind, joined), body, 0))
        lines, kind = [], "paragraph"

    for line in chunk.split("\n"):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        first = stripped[0]
        level = 0
        if first == ">":
            level, line = _quote_depth(line)
            if level > quoted and lines:
                flush()  # a block quote interrupts a paragraph
            stripped = line.strip()
            if not stripped:
                flush()
                continue
            first = stripped[0]
        if first == "#" and (m := _HEADING.match(line)):
            flush()
            raw.append(("heading", _HEADING_NUMBER.sub("", _inline(m.group(2))), len(m.group(1))))
            continue
        if first in "=-" and lines and kind == "paragraph" and level == quoted and not code and _SETEXT.match(line):
            raw.append(("heading", _inline(" ".join(lines)), 1 if first == "=" else 2))
            lines = []
            continue
        if (first in "-*_" and _RULE.match(line)) or (first == "[" and _REF_DEF.match(line)):
            flush()
            continue
        if first == "|" or (kind == "row" and "|" in stripped):
            flush()
            if not _TABLE_SEP.match(stripped):
                cells = [c.strip() for c in stripped.strip("|").split("|")]
                lines, kind = [" | ".join(cells)], "row"
                flush()
            continue
        if (first in "-*+•(" or first.isalnum()) and (m := _ITEM.match(line)):
            flush()
            lines, kind = [line[m.end() :]], "item"
            quoted, code = level, False  # so that a block quote after the item interrupts it
            continue
        if code and lines and not line.startswith("    "):
            flush()  # indented code ends at the first line that is not indented
        if not lines:
            quoted, code = level, line.startswith("    ")
        lines.append(stripped)
    flush()
    return raw


# Page chrome above a document's title: at most this many blocks, holding at most this share of its words.
CHROME_BLOCKS = 4
CHROME_SHARE = 0.05
# More blocks than that are chrome too when each is a menu's line, up to this many words.
CHROME_LINE_WORDS = 12


def _with_sections(raw: list[tuple[str, str, int]]) -> list[Block]:
    levels = [lvl for kind, _, lvl in raw if kind == "heading"]
    # The first heading is the document's title when no other is as high; a lone level-one title is no section.
    titled = bool(levels) and levels[0] == min(levels) and levels.count(levels[0]) == 1
    skip_title = titled and levels[0] == 1
    if titled and raw[0][0] != "heading":
        raw = _chrome_above_title(raw)
    stack: list[tuple[int, str]] = []
    path = ""  # the heading path, joined again only when a heading changes it
    blocks: list[Block] = []
    append, make = blocks.append, tuple.__new__  # a Block without NamedTuple's own __new__
    for kind, body, level in raw:
        if kind == "heading":
            if not (skip_title and level == 1):
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, body))
                path = " > ".join(t for _, t in stack)
            append(make(Block, (body, kind, path, False)))
        else:
            append(make(Block, (body, kind, path, len(body) < 84 and is_date_line(body))))
    return blocks


def tokenise(text: str) -> list[str]:
    return TOKEN.findall(text)


_WORD = re.compile(r"\w+(?:'\w+)*")


def count_words(text: str) -> int:
    """Words as ``tokenise`` finds them, without the spaces and punctuation."""
    return len(_WORD.findall(text))


def _encode(items: list, table: dict) -> str:
    """Map each item to one character (shared table for both sides), as diff-match-patch's line mode does."""
    out = []
    for item in items:
        code = table.get(item)
        if code is None:
            code = table[item] = chr(0x10000 + len(table))
        out.append(code)
    return "".join(out)


class _Steps:
    """A work allowance for diff-match-patch, passed where it expects a deadline.

    diff-match-patch asks, once per round of its Myers search, whether the
    clock is past its deadline and, when it is, settles for a coarser diff of
    that stretch. This object answers that question from work done instead of
    from the clock: round d of a search costs about d steps, and each search starts by
    paying for the characters it scans. So the answer depends on the two texts
    alone, never on how busy the machine is.
    """

    def __init__(self, allowance: int) -> None:
        self.left = allowance
        self.round = 0

    def start(self, size: int) -> None:
        self.round = 0
        self.left -= size

    def __lt__(self, now: object) -> bool:  # ``now > deadline``: is the allowance spent?
        self.round += 1
        self.left -= self.round
        return self.left < 0

    def __gt__(self, now: object) -> bool:
        return not self.__lt__(now)


@functools.cache
def _metered():
    from diff_match_patch import diff_match_patch

    class Metered(diff_match_patch):
        def diff_bisect(self, text1, text2, deadline):
            deadline.start(len(text1) + len(text2))
            return super().diff_bisect(text1, text2, deadline)

    return Metered


def _dmp():
    dmp = _metered()()
    dmp.Diff_Timeout = 0  # no half-match shortcut, whose answer need not be minimal; the steps bound the work
    return dmp


def _align(a: list, b: list, steps: int, semantic: bool = False) -> tuple[list[tuple[int, int]], int]:
    """diff-match-patch over two item lists: ``[(op, count)]`` with op -1, 0, 1, and the steps it took.

    The common head and tail are cut off first, so only the changed middle is
    encoded and diffed, within ``steps`` of work (see ``_Steps``).
    """
    head, tail = _common_ends(a, b)
    ops: list[tuple[int, int]] = [(0, head)] if head else []
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    meter = _Steps(steps)
    if mid_a and mid_b:
        table: dict = {}
        sa, sb = _encode(mid_a, table), _encode(mid_b, table)
        dmp = _dmp()
        diffs = dmp.diff_main(sa, sb, False, meter)
        if semantic:
            dmp.diff_cleanupSemantic(diffs)
        ops += [(op, len(text)) for op, text in diffs]
    else:
        ops += [(-1, len(mid_a))] if mid_a else []
        ops += [(1, len(mid_b))] if mid_b else []
    if tail:
        ops.append((0, tail))
    return ops, steps - meter.left


def align_blocks(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Align two block lists as patience diff does, then diff-match-patch between the anchors.

    Blocks that occur once on each side and keep their order anchor the
    alignment in O(n log n); only the stretches between anchors, where the
    edits are, go to diff-match-patch. Returns ``[(op, count)]`` runs.
    """
    ops: list[tuple[int, int]] = []

    def emit(op: int, n: int) -> None:
        if n:
            if ops and ops[-1][0] == op:
                ops[-1] = (op, ops[-1][1] + n)
            else:
                ops.append((op, n))

    def gap(i0: int, i1: int, j0: int, j1: int) -> None:
        if i0 == i1 or j0 == j1:
            emit(-1, i1 - i0)
            emit(1, j1 - j0)
            return
        for op, n in _align(a[i0:i1], b[j0:j1], CALL_STEP_BUDGET)[0]:
            emit(op, n)

    count_a, count_b = Counter(a), Counter(b)
    where_b = {t: j for j, t in enumerate(b) if count_b[t] == 1}
    pairs = [(i, where_b[t]) for i, t in enumerate(a) if count_a[t] == 1 and t in where_b]
    i = j = 0
    for ai, bj in _increasing(pairs):
        gap(i, ai, j, bj)
        emit(0, 1)
        i, j = ai + 1, bj + 1
    gap(i, len(a), j, len(b))
    return ops


@dataclass
class _Region:
    """Blocks between two anchors, still to be aligned."""

    old: list[int]
    new: list[int]


def diff_blocks(old: list[Block], new: list[Block]) -> list[Edit]:
    """Every edit between two block lists, in document order (moves last)."""
    regions: list[_Region] = []
    i = j = 0
    current = _Region([], [])
    for op, n in align_blocks([b.text for b in old], [b.text for b in new]):
        if op == 0:
            if current.old or current.new:
                regions.append(current)
                current = _Region([], [])
            i += n
            j += n
        elif op < 0:
            current.old.extend(range(i, i + n))
            i += n
        else:
            current.new.extend(range(j, j + n))
            j += n
    if current.old or current.new:
        regions.append(current)
    moves = _find_moves(old, new, regions)
    edits: list[Edit] = []
    budget = _Budget(TOTAL_TOKEN_BUDGET, TOTAL_STEP_BUDGET)
    for i, j in _find_edited_moves(old, new, regions):
        for edit in _diff_region(old, new, [i], [j], budget):
            edit.moved = True
            edit.section, edit.new_section = old[i].section, new[j].section
            moves.append(edit)
    for region in regions:
        edits.extend(_diff_region(old, new, region.old, region.new, budget))
    return edits + moves


# Paragraphs that moved and were edited on the way are paired when they share this much of their words.
MOVED_SIMILARITY = 0.75
MOVED_MIN_CHARS = 40


def _find_edited_moves(old: list[Block], new: list[Block], regions: list[_Region]) -> list[tuple[int, int]]:
    """Paragraphs removed in one region and added, a little edited, in another; removed from the regions."""
    if len(regions) < 2:
        return []
    owner: dict[int, int] = {}
    index: dict[str, list[int]] = defaultdict(list)
    words_of: dict[int, dict[str, None]] = {}
    # Only one-sided regions: text that vanished in one place and appeared in another.
    for r, region in enumerate(regions):
        if region.old:
            continue
        for j in region.new:
            if new[j].kind != "heading" and len(new[j].text) >= MOVED_MIN_CHARS:
                owner[j] = r
                words = words_of[j] = dict.fromkeys(_SIG_WORD.findall(new[j].text.lower()))
                for w in words:
                    index[w].append(j)
    if not owner:
        return []
    pairs: list[tuple[int, int]] = []
    taken: set[int] = set()
    for r, region in enumerate(regions):
        if region.new:
            continue
        for i in region.old:
            if old[i].kind == "heading" or len(old[i].text) < MOVED_MIN_CHARS:
                continue
            words = dict.fromkeys(_SIG_WORD.findall(old[i].text.lower()))
            if not words:
                continue
            shared: Counter[int] = Counter()
            for w in words:
                shared.update(j for j in index.get(w, ()) if owner[j] != r and j not in taken)
            if not shared:
                continue
            j, count = shared.most_common(1)[0]
            if count / max(len(words), len(words_of[j])) >= MOVED_SIMILARITY:
                pairs.append((i, j))
                taken.add(j)
    if pairs:
        moved_old, moved_new = {i for i, _ in pairs}, {j for _, j in pairs}
        for region in regions:
            region.old = [i for i in region.old if i not in moved_old]
            region.new = [j for j in region.new if j not in moved_new]
    return pairs


def _find_moves(old: list[Block], new: list[Block], regions: list[_Region]) -> list[Edit]:
    """Blocks deleted in one region and inserted unchanged in another; removed from the regions."""
    inserted: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for r, region in enumerate(regions):
        for j in region.new:
            inserted[new[j].text].append((r, j))
    pairs: list[tuple[int, int]] = []
    for r, region in enumerate(regions):
        for i in region.old:
            text = old[i].text
            if len(text) < 12 or old[i].kind == "heading" and len(text) < 30:
                continue
            candidates = inserted.get(text)
            if candidates:
                # An unchanged block in the same region is not a move, just a neighbour's edit.
                k = next((k for k, (rr, _) in enumerate(candidates) if rr != r), None)
                if k is None:
                    continue
                pairs.append((i, candidates.pop(k)[1]))
    if not pairs:
        return []
    moved_old = {i for i, _ in pairs}
    moved_new = {j for _, j in pairs}
    # Headings travel with their moved section.
    for region in regions:
        for i in region.old:
            if old[i].kind == "heading" and i + 1 in moved_old and i not in moved_old:
                for j in _unmoved_with_text(regions, new, old[i].text, moved_new):
                    if j + 1 in moved_new:
                        moved_old.add(i)
                        moved_new.add(j)
                        pairs.append((i, j))
                        break
    for region in regions:
        region.old = [i for i in region.old if i not in moved_old]
        region.new = [j for j in region.new if j not in moved_new]
    pairs.sort()
    edits: list[Edit] = []
    run: list[tuple[int, int]] = []
    for pair in pairs + [(-2, -2)]:
        if run and pair[0] == run[-1][0] + 1 and pair[1] == run[-1][1] + 1:
            run.append(pair)
            continue
        if run:
            text = SEP.join(old[i].text for i, _ in run)
            first_old, first_new = old[run[0][0]], new[run[0][1]]
            edits.append(
                Edit(
                    first_old.section,
                    "move",
                    text,
                    text,
                    [["equal", text]],
                    heading=all(old[i].kind == "heading" for i, _ in run),
                    new_section=first_new.section,
                )
            )
        run = [pair]
    return edits


def _unmoved_with_text(regions: list[_Region], new: list[Block], text: str, taken: set[int]) -> list[int]:
    return [j for region in regions for j in region.new if j not in taken and new[j].text == text]


def _block_tokens(blocks: list[Block], idx: list[int]) -> tuple[list[str], list[int]]:
    tokens: list[str] = []
    owner: list[int] = []
    for n, b in enumerate(idx):
        if n:
            tokens.append(SEP)
            owner.append(b)
        toks = tokenise(blocks[b].text)
        tokens.extend(toks)
        owner.extend([b] * len(toks))
    return tokens, owner


@dataclass
class _Budget:
    """Work left for word-level diffing in one comparison: tokens, and diff-match-patch steps."""

    tokens: int
    steps: int

    def allowance(self) -> int:
        """Steps the next diff-match-patch call may take (0: none left)."""
        return min(CALL_STEP_BUDGET, self.steps) if self.steps > 0 else 0


def _overlap(a: list[str], b: list[str]) -> float:
    """Share of words two token lists have in common: low means a rewrite, not an edit."""
    # Short words (the, and, our) are shared by any two English paragraphs; they prove nothing.
    wa = Counter(t.lower() for t in a if len(t) > 3 and t[:1].isalnum())
    wb = Counter(t.lower() for t in b if len(t) > 3 and t[:1].isalnum())
    common = sum((wa & wb).values())
    return common / max(1, sum(wa.values()), sum(wb.values()))


def _diff_region(old: list[Block], new: list[Block], oi: list[int], ni: list[int], budget: _Budget) -> list[Edit]:
    if not oi or not ni or budget.tokens <= 0 or not budget.allowance():
        return _whole_blocks(old, new, oi, ni)
    chars = sum(len(old[b].text) for b in oi) + sum(len(new[b].text) for b in ni)
    several = len(oi) + len(ni) > 2
    if chars > REGION_CHARS and several:
        return _split_region(old, new, oi, ni, budget)
    shared = _shared_sentences(old[oi[0]].text, new[ni[0]].text) if len(oi) == len(ni) == 1 else None
    if shared and len(ot := tokenise(shared[0][0])) + len(nt := tokenise(shared[0][1])) <= SMALL_REGION:
        # One paragraph edited: the whole sentences both sides share at its ends take no part in any edit, and
        # are not diffed; they count towards the budget as if they were. (A larger middle is diffed whole, for
        # its size decides how.)
        oo, no = [oi[0]] * len(ot), [ni[0]] * len(nt)
        budget.tokens -= 2 * len(tokenise(shared[1]))
    else:
        ot, oo = _block_tokens(old, oi)
        nt, no = _block_tokens(new, ni)
    size = len(ot) + len(nt)
    budget.tokens -= size
    if size > SMALL_REGION:
        head, tail = _common_ends(ot, nt)
        if size - 2 * (head + tail) > SMALL_REGION and _overlap(ot, nt) < MIN_OVERLAP:
            return _split_region(old, new, oi, ni, budget) if several else _whole_blocks(old, new, oi, ni)
    if budget.tokens < 0 or not (allowance := budget.allowance()):
        return _whole_blocks(old, new, oi, ni)
    ops, spent = _align(ot, nt, allowance, semantic=True)
    budget.steps -= spent
    return _edits_from_ops(old, new, ot, oo, nt, no, ops)


# The spaces after a sentence's end, up to the next sentence: where the diff ends a sentence too.
SENTENCE_START = re.compile(r"(?<=[.!?;])\s+(?=\S)")


def _shared_sentences(a: str, b: str) -> tuple[tuple[str, str], str] | None:
    """The middles of two versions of a paragraph, less the whole sentences they share at the start and at the end,
    and the text left out; None when nothing is left out.

    A cut falls after a sentence's end and its spaces, where the diff would end a sentence too, so the middles
    break into the same words and the same sentences as the whole paragraphs do.
    """
    same = _common_prefix(a, b)
    start = 0
    for m in SENTENCE_START.finditer(a, 0, same + 1):
        if m.end() <= same and _ends_sentence(b, m.end()):
            start = m.end()
    # The shared end stops where the shared start stops, as the diff's own common head and tail do.
    tail = min(_common_prefix(a[::-1], b[::-1]), min(len(a), len(b)) - same)
    end = 0  # characters cut from the end
    for m in SENTENCE_START.finditer(a, max(start, len(a) - tail - 200)):
        cut = len(a) - m.end()
        if cut <= tail and _ends_sentence(b, len(b) - cut):
            end = cut
            break
    if not start and not end:
        return None
    return (a[start : len(a) - end], b[start : len(b) - end]), a[:start] + a[len(a) - end :]


def _ends_sentence(text: str, at: int) -> bool:
    """``at`` starts a sentence of ``text``: a sentence's end and spaces stand just before it."""
    if at <= 0 or at >= len(text) or text[at].isspace() or not text[at - 1].isspace():
        return False
    k = at - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    return k >= 0 and text[k] in ".!?;"


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common start of two strings (halving, each test a comparison in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _split_region(old: list[Block], new: list[Block], oi: list[int], ni: list[int], budget: _Budget) -> list[Edit]:
    """A large or much rewritten region: pair its most similar paragraphs and diff between the pairs."""
    anchors = _similar_pairs(old, new, oi, ni) if budget.allowance() else []
    if not anchors:
        return _whole_blocks(old, new, oi, ni)
    edits: list[Edit] = []
    pa = pb = 0
    for a, b in anchors:
        edits.extend(_diff_region(old, new, oi[pa:a], ni[pb:b], budget))
        edits.extend(_diff_region(old, new, [oi[a]], [ni[b]], budget))
        pa, pb = a + 1, b + 1
    edits.extend(_diff_region(old, new, oi[pa:], ni[pb:], budget))
    return edits


def _common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """Lengths of the common prefix and suffix of two token lists."""
    n = min(len(a), len(b))
    head = 0
    while head < n and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _whole_blocks(old: list[Block], new: list[Block], oi: list[int], ni: list[int]) -> list[Edit]:
    """Too big or too different to align word by word: what was removed and added, a section at a time."""
    edits = []
    for kind, blocks, idx in (("delete", old, oi), ("insert", new, ni)):
        run: list[Block] = []
        for n, b in enumerate(idx):
            block = blocks[b]
            run.append(block)
            last = n + 1 == len(idx)
            if last or idx[n + 1] != b + 1 or blocks[idx[n + 1]].section != block.section:
                # A heading starts its own section, so it travels with the text under it.
                text = SEP.join(x.text for x in run)
                section = next((x.section for x in run if x.kind != "heading"), run[0].section)
                gone: dict[str, int] = {}
                if kind == "delete":
                    for x in run:
                        if x.kind != "heading":
                            gone[x.section] = gone.get(x.section, 0) + count_words(x.text)
                edits.append(
                    Edit(
                        section,
                        kind,
                        text if kind == "delete" else "",
                        text if kind == "insert" else "",
                        [[kind, text]],
                        **_what_blocks_are(run),
                        new_section=section,
                        deleted_words=gone,
                    )
                )
                run = []
    return edits


def _what_blocks_are(blocks: list[Block]) -> dict[str, bool]:
    """What every block an edit touches is, as the Edit's flags: headings, date lines, a table of contents,
    the page's chrome above the title."""
    return {
        "heading": bool(blocks) and all(b.kind == "heading" for b in blocks),
        "dateline": bool(blocks) and all(b.dateline for b in blocks),
        "anchors": bool(blocks) and all(b.kind == "anchor" for b in blocks),
        "links": bool(blocks) and all(b.kind == "link" for b in blocks),
        "chrome": bool(blocks) and all(b.kind == "chrome" for b in blocks),
    }


_SIG_WORD = re.compile(r"[a-z0-9]{4,}")


def _similar_pairs(old: list[Block], new: list[Block], oi: list[int], ni: list[int]) -> list[tuple[int, int]]:
    """Monotone pairs (index into oi, index into ni) of paragraphs that share most of their words."""
    index: dict[str, list[int]] = defaultdict(list)
    new_words = []
    for k, b in enumerate(ni):
        words = dict.fromkeys(_SIG_WORD.findall(new[b].text.lower()))
        new_words.append(len(words))
        for w in words:
            index[w].append(k)
    limit = max(8, len(ni) // 10)
    candidates = []
    for k, b in enumerate(oi):
        words = dict.fromkeys(_SIG_WORD.findall(old[b].text.lower()))
        if not words:
            continue
        shared: Counter[int] = Counter()
        for w in words:
            hits = index.get(w)
            if hits and len(hits) <= limit:
                shared.update(hits)
        if not shared:
            continue
        best, count = shared.most_common(1)[0]
        score = count / max(len(words), new_words[best])
        if score >= 0.5:
            candidates.append((k, best, score))
    # Longest increasing run of new indices keeps the pairs in order on both sides.
    return _increasing([(a, b) for a, b, _ in candidates])


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    import bisect

    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(pairs)
    for n, (_, b) in enumerate(pairs):
        pos = bisect.bisect_left(tails, b)
        if pos == len(tails):
            tails.append(b)
            tail_idx.append(n)
        else:
            tails[pos] = b
            tail_idx[pos] = n
        prev[n] = tail_idx[pos - 1] if pos else -1
    out = []
    n = tail_idx[-1] if tail_idx else -1
    while n >= 0:
        out.append(pairs[n])
        n = prev[n]
    return out[::-1]


_ENDS = frozenset((".", "!", "?", ";", SEP))


def _is_end(token: str) -> bool:
    return token in _ENDS


SKIP_AFTER = 40  # equal runs longer than twice this are searched for whole sentences to skip


def _first_boundary(tokens: list[str], start: int, end: int) -> int | None:
    """Index of the first token after ``start`` that begins a sentence, within an unchanged run."""
    ended = spaced = False
    for k in range(start, end):
        tok = tokens[k]
        if tok.isspace() and tok != SEP:
            spaced = True
            continue
        if k > start and ended and spaced:
            return k
        ended, spaced = _is_end(tok), tok == SEP
    return None


def _last_boundary(tokens: list[str], start: int, end: int) -> int | None:
    """Index of the last token before ``end`` that begins a sentence, within an unchanged run."""
    for k in range(end - 1, start, -1):
        if tokens[k].isspace() and tokens[k] != SEP:
            continue
        p, spaced = k - 1, False
        while p > start and tokens[p].isspace() and tokens[p] != SEP:
            spaced, p = True, p - 1
        if p > start and (tokens[p] == SEP or (spaced and _is_end(tokens[p]))):
            return k
    return None


def _edits_from_ops(
    old: list[Block],
    new: list[Block],
    ot: list[str],
    oo: list[int],
    nt: list[str],
    no: list[int],
    ops: list[tuple[int, int]],
) -> list[Edit]:
    """Cut a token diff into edits, one per changed sentence (or run of added/removed sentences)."""
    # atoms: (op, token, old block or -1, new block or -1)
    units: list[list[tuple[int, str, int, int]]] = []
    unit: list[tuple[int, str, int, int]] = []
    i = j = 0
    old_end = new_end = True  # both sides at a sentence boundary
    pending_space = [True, True]
    for index, (op, n) in enumerate(ops):
        skip_from = skip_to = -1
        if op == 0 and index == 0 and n > SKIP_AFTER and len(ops) > 1:
            # Before the first change only its own sentence matters.
            last = _last_boundary(ot, i, i + n)
            if last is not None:
                skip_from, skip_to = 0, last - i
        elif op == 0 and index == len(ops) - 1 and n > SKIP_AFTER and index:
            # After the last change only the end of its sentence matters.
            first = _first_boundary(ot, i, i + n)
            if first is not None:
                skip_from, skip_to = first - i, n
        elif op == 0 and n > 2 * SKIP_AFTER:
            # Whole unchanged sentences in the middle of a long equal run cannot be part of an edit.
            first = _first_boundary(ot, i, i + n)
            last = _last_boundary(ot, i, i + n)
            if first is not None and last is not None and first < last:
                skip_from, skip_to = first - i, last - i
        # The skipped stretch is stepped over at once, not token by token.
        for step in range(n) if skip_from < 0 else chain(range(skip_from + 1), range(skip_to, n)):
            if step == skip_from:
                if unit:
                    units.append(unit)
                units.append([(0, " ", -1, -1)])
                unit = []
                i += skip_to - skip_from
                j += skip_to - skip_from
                old_end = new_end = True
                pending_space = [True, True]
                continue
            if op == 0:
                tok, atom = ot[i], (0, ot[i], oo[i], no[j])
                i += 1
                j += 1
            elif op < 0:
                tok, atom = ot[i], (-1, ot[i], oo[i], -1)
                i += 1
            else:
                tok, atom = nt[j], (1, nt[j], -1, no[j])
                j += 1
            if tok.isspace() and tok != SEP:
                if op <= 0:
                    pending_space[0] = True
                if op >= 0:
                    pending_space[1] = True
                unit.append(atom)
                continue
            # A side that is at the end of its block needs no space after its full stop.
            old_ok = old_end and (pending_space[0] or (op > 0 and (i >= len(ot) or ot[i] == SEP)))
            new_ok = new_end and (pending_space[1] or (op < 0 and (j >= len(nt) or nt[j] == SEP)))
            if unit and old_ok and new_ok:
                units.append(unit)
                unit = []
            unit.append(atom)
            if op <= 0:
                old_end = _is_end(tok)
                pending_space[0] = tok == SEP
            if op >= 0:
                new_end = _is_end(tok)
                pending_space[1] = tok == SEP
    if unit:
        units.append(unit)
    edits = []
    pure: list[tuple[int, str, int, int]] = []
    pure_op = 0
    for unit in units:
        ops_in = {a[0] for a in unit if not (a[1].isspace() and a[1] != SEP)}
        if ops_in == {0} or not ops_in:
            if pure:
                edits.append(_edit(old, new, pure))
                pure = []
            continue
        if len(ops_in) == 1 and 0 not in ops_in:
            op = next(iter(ops_in))
            if pure and pure_op != op:
                edits.append(_edit(old, new, pure))
                pure = []
            pure.extend(unit)
            pure_op = op
            continue
        if pure:
            edits.append(_edit(old, new, pure))
            pure = []
        edits.append(_edit(old, new, unit))
    if pure:
        edits.append(_edit(old, new, pure))
    return edits


def _edit(old: list[Block], new: list[Block], unit: list[tuple[int, str, int, int]]) -> Edit:
    segments: list[list[str]] = []
    names = {0: "equal", -1: "delete", 1: "insert"}
    for op, tok, _, _ in unit:
        name = names[op]
        if segments and segments[-1][0] == name:
            segments[-1][1] += tok
        else:
            segments.append([name, tok])
    # Trim white space at the edges, which only separates this sentence from the next.
    while segments and not segments[-1][1].strip():
        segments.pop()
    while segments and not segments[0][1].strip():
        segments.pop(0)
    if segments:
        segments[0][1] = segments[0][1].lstrip()
        segments[-1][1] = segments[-1][1].rstrip()
    old_text = "".join(t for op, t in segments if op != "insert").strip()
    new_text = "".join(t for op, t in segments if op != "delete").strip()
    kind = "insert" if not old_text else "delete" if not new_text else "replace"
    first = next((a for a in unit if a[0] != 0 and not a[1].isspace()), unit[0])
    old_block = next((a[2] for a in unit if a[2] >= 0), -1)
    new_block = next((a[3] for a in unit if a[3] >= 0), -1)
    ob = old[old_block] if old_block >= 0 else None
    nb = new[new_block] if new_block >= 0 else None
    touched_old = {a[2] for a in unit if a[0] != 0 and a[2] >= 0}
    touched_new = {a[3] for a in unit if a[0] != 0 and a[3] >= 0}
    blocks = [old[b] for b in touched_old] + [new[b] for b in touched_new]
    anchor = new[first[3]] if first[0] > 0 else (ob or nb)
    section = anchor.section if anchor else ""
    gone: dict[str, int] = {}
    for op, tok, b, _ in unit:
        if op < 0 and b >= 0 and old[b].kind != "heading" and _WORD.match(tok):
            gone[old[b].section] = gone.get(old[b].section, 0) + 1
    return Edit(
        section,
        kind,
        old_text,
        new_text,
        segments,
        **_what_blocks_are(blocks),
        new_section=nb.section if nb else section,
        table=bool(blocks) and all(b.kind == "row" for b in blocks),
        deleted_words=gone,
    )


# A link with its words and its target: "[HERE](https://example.com/partners.pdf)".
_LINKED = re.compile(r"\[(?P<words>[^\]\[]+)\]\((?P<target>[^()\s]+)(?:\s+\"[^\"]*\")?\)")
_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?|/+$", re.I)


def link_edits(old: str, new: str, new_blocks: list[Block]) -> list[Edit]:
    """The links whose target changed where their words did not ("listed [HERE](.../partners-2023.pdf)" →
    ".../partners-2024.pdf"): the text compares the same, the document it points to is another.

    Links added or dropped change the words, and the word diff says so; links that do not pair up one for one,
    by their words, are left to it too. A scheme, a "www." or a trailing slash changed is the same target.
    """
    if "](" not in old or "](" not in new:
        return []
    before, after = list(_LINKED.finditer(old)), list(_LINKED.finditer(new))
    if len(before) != len(after) or any(a["words"] != b["words"] for a, b in zip(before, after, strict=True)):
        return []
    edits = []
    for was, now in zip(before, after, strict=True):
        if _SCHEME.sub("", was["target"]).lower() == _SCHEME.sub("", now["target"]).lower():
            continue
        start = new.rfind("\n\n", 0, now.start()) + 1
        end = new.find("\n\n", now.end())
        text = " ".join(_inline(fold_unicode(new[start : end if end >= 0 else len(new)])).split())
        section = next((b.section for b in new_blocks if b.text and b.text in text), "")
        edits.append(
            Edit(
                section,
                "replace",
                f"{text} ({was['target']})",
                f"{text} ({now['target']})",
                [["equal", f"{text} ("], ["delete", was["target"]], ["insert", now["target"]], ["equal", ")"]],
                link_target=True,
            )
        )
    return edits


def diff_texts(old: str, new: str) -> list[Edit]:
    """The edits that turn ``old`` into ``new``, after normalisation."""
    return diff_blocks(normalise(old), normalise(new))
