"""How a policy page is built, beside what it says: furniture, navigation, number roles, definitions, substance.

A web page carries more than its policy: banners, feedback widgets, shop and
newsletter chrome, credit lines, a table of contents, cross-references into
itself. None of it is a promise, so the rules must know it when they see it.
The patterns are data (``rules/structure.toml``); this module applies them.
It also decides whether a text is a policy at all, so that an error page is
refused rather than judged.
"""

from __future__ import annotations

import bisect
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from policywatch.engine import lazyre as re
from policywatch.engine.wording import STATES_PRACTICE, TEXTLESS_LINK, contact_details_only
from policywatch.errors import NotAPolicy

_WORD = re.compile(r"\w+(?:'\w+)*")
_CAPITALISED = re.compile(r"(?<![\w-])[A-Z][\w'’-]*")
# Words of prose past which a side is a policy whatever the other holds (refusal counts no further).
PROSE_CAP = 2_000
# Characters of new text beyond which a list item's lead-in is not looked for (each look is a scan).
LOOKUP_CHARS = 2_000_000
_PUNCT = re.compile(r"[^\w\s]+")
# Capitalised words that open sentences, not names.
_COMMON = frozenset(
    [
        "we",
        "you",
        "your",
        "our",
        "the",
        "this",
        "these",
        "that",
        "if",
        "in",
        "for",
        "to",
        "any",
        "by",
        "of",
        "and",
        "or",
        "not",
        "it",
        "as",
        "on",
        "at",
        "an",
        "a",
    ]
)
SEP = "\n\n"


@dataclass(frozen=True, eq=False)
class Structure:
    """The compiled patterns of ``rules/structure.toml``."""

    furniture: re.Pattern[str]
    boxes: re.Pattern[str]
    coming: re.Pattern[str]
    followups: re.Pattern[str]
    furniture_words: int
    furniture_sections: frozenset[str]
    section_words: int
    title_words: int
    heading_number: re.Pattern[str]
    contents_sections: frozenset[str]
    part_title: re.Pattern[str]
    entry_words: int
    channels: re.Pattern[str]
    pointers: re.Pattern[str]
    number_roles: re.Pattern[str]
    statistics: tuple[str, ...]
    min_words: int
    min_other: int
    noise_size: float
    keep_prose: float
    error_phrases: re.Pattern[str]
    definitions: tuple[re.Pattern[str], ...]
    listed_definition: re.Pattern[str]
    definition_sections: tuple[str, ...]
    contacts: tuple[str, ...]
    contact: re.Pattern[str]
    placeholders: frozenset[str] = frozenset()
    restated_share: float = 1.0
    restated_words: int = 6
    controls: re.Pattern[str] | None = None
    control_words: int = 12
    consent_text: re.Pattern[str] | None = None
    debris_share: float = 0.3
    debris_length: int = 30
    question_words: int = 12
    menu_words: int = 6
    menu_labels: int = 12
    pointer: re.Pattern[str] | None = None
    documents: re.Pattern[str] | None = None
    error_words: int = 150
    error_terms: int = 1
    error_shared: float = 0.5
    social: frozenset[str] = frozenset()
    other_shared: float = 0.2
    other_terms: float = 0.2
    min_terms: int = 10
    other_prose: float = 0.25
    cut_share: float = 0.34


def _either(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@lru_cache(maxsize=1)
def default_structure() -> Structure:
    """The structure rules shipped with policywatch."""
    text = resources.files("policywatch.engine.rules").joinpath("structure.toml").read_text(encoding="utf-8")
    return build(tomllib.loads(text))


def build(data: dict[str, Any]) -> Structure:
    nums = data["numbers"]
    sub = data["substance"]
    roles = _either([nums["cross_reference"], nums["outline"], nums["version"], nums["year"]])
    return Structure(
        furniture=re.compile(rf"^(?:{_either(data['furniture']['patterns'])})", re.I),
        boxes=re.compile(rf"^(?:{_either(data['furniture']['boxes'])})", re.I),
        coming=re.compile(rf"^(?:{_either(data['furniture']['coming'])})", re.I),
        followups=re.compile(rf"^(?:{_either(data['furniture']['followups'])})", re.I),
        furniture_words=int(data["furniture"]["max_words"]),
        furniture_sections=frozenset(
            " ".join(_PUNCT.sub(" ", s.lower()).split()) for s in data["furniture"]["sections"]
        ),
        section_words=int(data["furniture"]["section_words"]),
        title_words=int(data["furniture"]["title_words"]),
        heading_number=re.compile(data["navigation"]["number"], re.I),
        contents_sections=frozenset(s.lower() for s in data["navigation"]["sections"]),
        part_title=re.compile(data["navigation"]["part"], re.I),
        entry_words=int(data["navigation"]["entry_words"]),
        channels=re.compile(rf"\b(?:{_either(data['channels']['patterns'])})", re.I),
        pointers=re.compile(roles, re.I),
        number_roles=re.compile(roles, re.I),
        statistics=tuple(s.lower() for s in nums["statistics"]),
        min_words=int(sub["min_words"]),
        min_other=int(sub["min_other"]),
        noise_size=float(sub["noise_size"]),
        keep_prose=float(sub["keep_prose"]),
        error_phrases=re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sub["error_phrases"]) + r")\b", re.I),
        definitions=tuple(re.compile(p) for p in data["definitions"]["patterns"]),
        listed_definition=re.compile(data["definitions"]["listed"]),
        definition_sections=tuple(s.lower() for s in data["definitions"]["sections"]),
        contacts=tuple(c.lower() for c in data["direction"]["contacts"]),
        contact=re.compile(r"\b(?:" + "|".join(re.escape(c) for c in data["direction"]["contacts"]) + r")\b", re.I),
        placeholders=frozenset(p.lower() for p in data["artefacts"]["placeholders"]),
        restated_share=float(data["restatement"]["share"]),
        restated_words=int(data["restatement"]["min_words"]),
        controls=re.compile(rf"(?:{data['furniture']['controls']}\s*)+", re.I),
        control_words=int(data["furniture"]["control_words"]),
        consent_text=re.compile(data["furniture"]["consent_text"], re.I),
        debris_share=float(data["furniture"]["debris_share"]),
        debris_length=int(data["furniture"]["debris_length"]),
        question_words=int(data["furniture"]["question_words"]),
        menu_words=int(data["furniture"]["menu_words"]),
        menu_labels=int(data["furniture"]["menu_labels"]),
        pointer=re.compile(data["navigation"]["pointer"], re.I),
        documents=re.compile(data["navigation"]["documents"]),
        error_words=int(sub["error_words"]),
        error_terms=int(sub["error_terms"]),
        error_shared=float(sub["error_shared"]),
        social=frozenset(n.lower() for n in data["furniture"]["social"]),
        other_shared=float(sub["other_shared"]),
        other_terms=float(sub["other_terms"]),
        min_terms=int(sub["min_terms"]),
        other_prose=float(sub["other_prose"]),
        cut_share=float(sub["cut_share"]),
    )


# --- Page furniture and navigation ----------------------------------------------------


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_TOKEN = re.compile(r"\w+(?:['-]\w+)*")
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n\n")


def is_furniture(block: str, st: Structure) -> bool:
    """A block that is part of the page around the policy (a banner, a widget, a credit line).

    A short block matching a furniture pattern, a block opening like a banner or a
    widget, or a block each of whose sentences is furniture ("Was this helpful? Yes No").
    """
    block = block.strip()
    size = len(block.split())
    if not block or size > st.section_words:
        return False
    if st.boxes.match(block) or (size <= st.furniture_words and st.furniture.match(block)):
        return True
    end = _SENTENCE_END.search(block)
    if not end or not (st.furniture.match(block[: end.start()]) or st.boxes.match(block[: end.start()])):
        return False
    sentences = _SENTENCE_END.split(block)
    return all(len(t.split()) <= st.furniture_words and (st.furniture.match(t) or st.boxes.match(t)) for t in sentences)


_NEWS = ("updat", "chang", "revis", "refresh", "expand")  # what a banner announces, as its patterns write it
# When a banner's news happened ("As of 29 June, we've updated ...", "From July 31, 2024 Google is expanding ..."):
# said before it, it changes nothing of it.
_WHEN = re.compile(
    r"^(?:as of|as from|since|from|on|effective)\s+"
    r"(?:[a-z]+\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}\b|\d{1,2} [a-z]+ \d{4}\b|[^,.;]{3,30},)\s*",
    re.I,
)
# A sentence's end, but not an initialism's ("U.S. State Privacy Laws"): a banner is read sentence by sentence.
_BANNER_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.[A-Z]\.)\s+(?=[A-Z0-9])")
# Words that bind: a sentence that holds one is no mere pointer, nor a follow-up of a banner's news. ("consent"
# binds in a pointer's sentence, but a follow-up names the policy that rules it: "the EU user consent policy page".)
_BINDING_WORDS = "agree|must|shall|bound|required"
_BINDS = re.compile(rf"\b(?:{_BINDING_WORDS})\b", re.I)


def is_banner(block: str, st: Structure, vocabulary: Callable[[str], bool]) -> bool:
    """A short block that announces the document's update, past or coming, beside at most short sentences that
    speak none of the policy's ``vocabulary`` ("Your privacy is important. As of 29 June, we've updated our Privacy
    Policy.") or that follow the news (when it applies, where the other version is)."""
    low = block.lower()
    if len(block.split()) > st.section_words or not any(news in low for news in _NEWS):
        return False
    sentences = [_WHEN.sub("", s) for s in _BANNER_SENTENCE_END.split(block.strip())]
    news = [s for s in sentences if st.boxes.match(s) or st.coming.match(s)]
    rest = [s for s in sentences if s not in news]
    return bool(news) and all(
        (len(s.split()) <= 8 and not vocabulary(s)) or (st.followups.match(s) and not _BINDS.search(s)) for s in rest
    )


def heading_key(text: str, st: Structure) -> str:
    """A heading or a table-of-contents entry reduced to its words: no numbering, case or punctuation."""
    text = st.heading_number.sub("", text.strip())
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


@lru_cache(maxsize=8)
def _first_words(headings: frozenset[str]) -> frozenset[str]:
    return frozenset(h.split()[0] for h in headings if h)


def is_navigation(block: str, headings: frozenset[str], st: Structure) -> bool:
    """A block that only names sections of the document: a table-of-contents entry or a run of them."""
    firsts = _first_words(headings)
    head = [(_PUNCT.sub(" ", w.lower()).split() or [""])[0] for w in block.split(None, 2)[:2]]
    if not any(w in firsts for w in head):
        return False  # neither of its first two words opens a heading (the first may be a number)
    key = heading_key(block, st)
    if not key:
        return False
    if key in headings:
        return True
    # A table of contents flattened to one line: headings, one after another, make up nearly all its words.
    words = key.split()
    if len(words) < 4 or len(words) > 200:
        return False
    covered = found = at = 0
    while at < len(words):
        for size in range(min(12, len(words) - at), 0, -1):
            if " ".join(words[at : at + size]) in headings:
                found += 1
                covered += size
                at += size
                break
        else:
            if not found:
                return False  # it does not open with a heading
            at += 1
    return found >= 2 and covered >= 0.8 * len(words)


@lru_cache(maxsize=1024)
def in_contents(section: str, st: Structure) -> bool:
    """A section that holds a table of contents ("Contents", "On this page")."""
    return bool(section) and heading_key(section.split(" > ")[-1], st) in st.contents_sections


@lru_cache(maxsize=1024)
def in_furniture(section: str, st: Structure) -> bool:
    """A section of the page around the policy ("Related articles", "Was this article helpful?", "Revision history")."""
    if not section:
        return False
    keys = [f" {heading_key(part, st)} " for part in section.split(" > ")]
    return any(f" {name} " in key for key in keys for name in st.furniture_sections)


_TITLE_WORD = re.compile(r"^(?:[A-Z0-9][\w'’&/.-]*|[(&/|:–-]+|of|and|or|the|for|a|an|to|in|on|with|by|de|du|la|le)$")


# A title's number ("17.", "4.2", "IV)"), before its words; a number alone ("42 Example Street") opens an address.
_TITLE_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]|\d{1,3}(?:\.\d{1,3})+|[IVX]{1,5}[.)])$")


def is_title(block: str, st: Structure) -> bool:
    """A line that is only a title: a few capitalised words, perhaps numbered, no sentence ("Schedule 5: Data
    Plans", "17. Applicable Law and Dispute Resolution")."""
    words = block.split()
    if len(words) > 1 and _TITLE_NUMBER.match(words[0]):
        words = words[1:]
    if not 1 <= len(words) <= st.title_words or block.rstrip()[-1:] in ".!?;," or "|" in block:
        return False
    return words[0].lstrip("[(")[:1].isupper() and all(
        _TITLE_WORD.match(w.strip("()[]:,")) or not w.strip("()[]:,") for w in words
    )


_MARKS_ONLY = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")  # a token of punctuation alone (". . . Continue")
# Where a capture ran two words together: a small letter (or a bracket) against a capital.
GLUE_POINT = re.compile(r"(?<=[a-z)])(?=[A-Z])")
_GLUE = re.compile(r"[a-z][A-Z]|\d[A-Za-z]|[A-Za-z]\d")
_QUESTIONS = re.compile(r"(?<=\?)\s+")
# Links alone, or the tail of a link whose text a capture left on the lines above ('](https://… "Title")').
_LINK_ONLY = re.compile(r"^(?:\]\()?(?:(?:https?://|www\.)\S+?(?:\s+\"[^\"]*\")?\)?\s*)+$", re.I)
# Markdown links and nothing else ("[Still thinking? Go Private](https://…)"), even when the scraper put the
# opening bracket on a line of its own: a menu's or a list's link, or a shop's banner, no sentence of the policy.
_LINKS_ONLY = re.compile(r"(?:\[\s*(?P<text>[^\]\[]{0,200})\]\(\S+\)\s*)+")
_BULLETS = re.compile(r"\s*[*•·|]\s*")  # between the entries of a list flattened to one line
# A pointer whose link is its last word ("To learn more about the program, visit here.").
_SENT_HERE = re.compile(r"\b(?:visit|see|click|go|read|found|available)\s+here[.!]?$", re.I)
# A sentence that only offers to tell more about a topic, its link the page that does ("Learn more about our
# efforts to fight spam."): it names the topic, it asserts nothing of it.
_MORE_ABOUT = re.compile(r"(?:to )?(?:learn|read|find out) more about(?:\s+\S+){1,15}\s*$", re.I)
_BINDING = re.compile(rf"\b(?:{_BINDING_WORDS}|consent)\b", re.I)


def is_debris(block: str, st: Structure) -> bool:
    """Icon or image names run together by the scraper ("Asset 5arrow-downchevron-upAsset 31"), or a widget's
    markup left as dots and dashes around a button's label (". . . . Continue . . . ."): no text at all."""
    tokens = block.split()
    if len(tokens) < 5:
        return False
    if 3 * (len(tokens) - len(_MARKS_ONLY.findall(block))) < len(tokens):
        return True  # mostly punctuation: fewer than a third of its tokens hold a letter or a digit
    glue = _GLUE.search(block) is not None  # the pattern spans no space: without a match in the block, none in a token
    glued = sum(1 for t in tokens if "/" not in t and ((glue and _GLUE.search(t)) or len(t) > st.debris_length))
    return glued >= st.debris_share * len(tokens)


def is_control(block: str, st: Structure) -> bool:
    """A row of buttons ("Accept all cookies", "Reject all", "Manage preferences"), glued or not."""
    if st.controls is None or len(block.split()) > st.control_words:
        return False
    return bool(st.controls.fullmatch(GLUE_POINT.sub(" ", block.strip())))


def is_questions(block: str, st: Structure) -> bool:
    """A block of short questions only ("How is the service funded? How do I report content?"): a help widget."""
    parts = _QUESTIONS.split(block.strip())
    return all(p.endswith("?") and len(p.split()) <= st.question_words for p in parts)


# The case a pointer is for, before it ("If your request relates to Shop data, please refer to: ..."), unless the
# case itself says what is done with data ("If you want us to share your data ..."; "If you are a user" says nothing).
_FOR_CASE = re.compile(r"^(?:if|where|when|for)\b([^,]{0,80}),\s*", re.I)
# A pointer whose object is a link ("please refer to: https://...").
_TO_LINK = re.compile(r"\b(?:refer to|see|visit|go to)\s*:?\s*(?:https?://|www\.)\S+$", re.I)


def _without_case(sentence: str) -> str:
    """The pointer after its case; a sentence that also gives a mail address is a way to reach the company."""
    case = _FOR_CASE.match(sentence) if "@" not in sentence else None
    return sentence[case.end() :] if case and not STATES_PRACTICE.search(case[1]) else sentence


def is_pointer(block: str, st: Structure) -> bool:
    """Sentences that only send the reader to another document ("Read the Regional Notice for more details"),
    perhaps for a case said first ("If your request relates to Shop data, please refer to: https://...")."""
    if st.pointer is None or st.documents is None:
        return False
    block = block.strip()
    if not (st.pointer.match(block) or _FOR_CASE.match(block)) or _BINDING.search(block):
        return False  # it opens neither as a pointer nor with the case one is for
    sentences = [_without_case(t) for t in _SENTENCE_END.split(block)]
    return all(
        st.pointer.match(t)
        and (st.documents.search(t) or _SENT_HERE.search(t) or _MORE_ABOUT.match(t) or _TO_LINK.search(t))
        for t in sentences
    )


def menu_run(block: str, st: Structure) -> int:
    """How many characters a site menu takes at the start of ``block`` (title words, no sentence), else 0."""
    words = block.split()
    count = 0
    for word in words:
        bare = word.strip("()[]")
        if not bare or not _TITLE_WORD.match(bare) or word[-1:] in ".!?;,":
            break
        count += 1
    if count < st.menu_words:
        return 0
    return len(" ".join(words[:count]))


def outside_menus(text: str) -> str:
    """``text`` without its runs of three or more title words: the words a menu does not account for."""
    kept: list[str] = []
    run: list[str] = []
    for word in [*text.split(), "."]:
        bare = word.strip("()[]*:\\\"'")
        if bare and _TITLE_WORD.match(bare) and word[-1:] not in ".!?;,":
            run.append(word)
            continue
        kept += run if len(run) < 3 else []
        run = []
        kept.append(word)
    return " ".join(kept[:-1])


# Where two entries meet with no space: a word's end against the next word's capital, each four letters or more
# ("OverviewBest", "ServicesProhibited"; not "WhatsApp", "YouTube", "LinkedIn", which are names).
_ENTRIES_MEET = re.compile(r"(?:[a-z]{4}|\))(?=[A-Z][a-z]{3})")
_BRACKETED = re.compile(r"\([^()]*\)")


def _glued_titles(block: str) -> bool:
    """Four titles or more run together with no space between them ("OverviewBest PracticesSteps to Take ..."):
    the links of a menu or a contents list, flattened by the capture."""
    if "." in block or len(block) > 600 or len(_ENTRIES_MEET.findall(block)) < 3:
        return False
    pieces = GLUE_POINT.split(block.strip())
    return len(pieces) >= 4 and all(_title_like(p) for p in pieces)


def _title_like(text: str) -> bool:
    """A menu entry: capitalised, most of its words capitalised (a remark in brackets aside), no sentence's end."""
    words = _BRACKETED.sub(" ", text).split()
    return (
        1 <= len(words) <= 14
        and words[0][:1].isupper()
        and 2 * sum(w[:1].isupper() for w in words) >= len(words)
        and words[-1][-1:] not in ".!?;,"
    )


def _social(block: str, st: Structure) -> bool:
    """A line that is only a social network's name (a share or follow icon's label)."""
    return len(block) <= 20 and block.strip(" *[]").lower() in st.social


def is_label_list(text: str, vocabulary: Callable[[str], bool] | None = None) -> bool:
    """Three short labels or more and no sentence ("Site map", "Terms of use", "Cookie preferences"): a menu or
    a footer of links, unless most of them name the policy's own things."""
    blocks = [b for b in text.split(SEP) if b.strip()]
    if len(blocks) < 3 or not all(_is_label(b) and len(b.split()) <= 6 for b in blocks):
        return False
    return vocabulary is None or 2 * sum(map(vocabulary, blocks)) < len(blocks)


def _is_label(block: str) -> bool:
    """A short line that is no sentence: the label of a widget or of the link beside it."""
    return len(block.split()) <= 10 and block.rstrip()[-1:] not in ".!?;:,"


def structural(
    text: str,
    headings: frozenset[str],
    st: Structure,
    contents: bool = False,
    furniture: bool = False,
    vocabulary: Callable[[str], bool] | None = None,
) -> str | None:
    """'page furniture', 'navigation' or 'contact details' (or two, three of them) when every block of
    ``text`` is one of those, else None.

    ``contents``: the text sits in a table of contents, so its short entries are navigation;
    ``furniture``: it sits in a section of page furniture ("Related articles"). A lone title
    line (a link's text, column headers) is navigation too. Furniture is also known by its
    shape and role: icon debris, a row of buttons and the consent banner around it, a widget
    of questions, a site menu that holds none of the policy's ``vocabulary`` (a test of a text
    for terms of data, recipients, purposes, rights...), a pointer to another document.
    """
    blocks = [b for b in text.split(SEP) if b.strip()]
    if not blocks:
        return None
    if (
        "](" in text
        and (links := _LINKS_ONLY.fullmatch(" ".join(b.strip() for b in blocks)))
        and (len(links["text"]) <= 80 or (vocabulary is not None and not vocabulary(links["text"])))
    ):
        return "navigation"  # a link's text up to a line long, or a banner's longer one that says nothing of data
    kinds = set()
    pending = []
    controls = any(is_control(b, st) for b in blocks)
    if len(icons := [b for b in blocks if _social(b, st)]) >= 2:
        kinds.add("navigation")  # a row of share or follow icons, with the icons' links
        blocks = [b for b in blocks if b not in icons and not TEXTLESS_LINK.fullmatch(b.strip())]
        if not blocks:
            return "navigation"
    widgets = False
    for block in blocks:
        if not contents and heading_key(block, st) in st.contents_sections:
            contents = True  # a contents label ("Table of contents"): the lines after it are its entries
        if (
            is_furniture(block, st)
            or (furniture and len(block.split()) <= st.section_words)
            or is_debris(block, st)
            or is_control(block, st)
        ):
            kinds.add("page furniture")
        elif is_questions(block, st):
            kinds.add("page furniture")
            widgets = True
        elif (
            (contents and all(len(e.split()) <= st.entry_words for e in _BULLETS.split(block)))
            or (headings and is_navigation(block, headings, st))
            or is_title(block, st)
            or (len(block) <= 120 and st.part_title.match(block))
            or _LINK_ONLY.match(block.strip())
        ):
            kinds.add("navigation")
        elif is_pointer(block, st):
            kinds.add("navigation")
            widgets = True
        elif _glued_titles(block):
            kinds.add("navigation")  # a menu's or a contents list's links run together by the capture
        elif contact_details_only(block):
            kinds.add("contact details")
        elif vocabulary is not None and (
            (menu_run(block, st) and not vocabulary(outside_menus(block))) or is_banner(block, st, vocabulary)
        ):
            kinds.add("page furniture")
        else:
            pending.append(block)
    titles = [b for b in blocks if is_title(b, st)] if len(blocks) >= 3 else []
    listed = len(titles) >= 3 and "page furniture" not in kinds and not contents and vocabulary is not None
    if listed and 2 * sum(vocabulary(t) for t in titles) >= len(titles):
        return None  # a list of the policy's own things ("Biometric Information", "Health Data"): judge it
    if len(titles) >= st.menu_labels and (
        "page furniture" in kinds or (vocabulary is not None and not vocabulary(SEP.join(titles)))
    ):
        # The site's menus: titles by the dozen beside other page furniture ("Log in", "Search"), or holding
        # no term of the policy's vocabulary, with the short labels and link debris between them. A list of
        # data categories or of vendors in title case speaks the policy's vocabulary and is judged.
        kinds.add("page furniture")
        pending = [b for b in pending if not _is_label(b)]
        controls = True
    for block in pending:
        # What a banner or a widget says beside its buttons, questions, pointers or menus.
        if controls and st.consent_text and len(block.split()) <= st.section_words and st.consent_text.search(block):
            kinds.add("page furniture")
        elif widgets and _is_label(block):
            continue
        else:
            return None
    return " and ".join(sorted(kinds)) or None


# --- Numbers and their roles ---------------------------------------------------------------


def without_pointers(text: str, st: Structure) -> str:
    """``text`` with the numbers that are no quantity taken out: cross-references, outline numbers, versions, years."""
    return st.number_roles.sub(" ", text) if any(c.isdigit() for c in text) else text


def pointers(text: str, st: Structure) -> list[str]:
    """The cross-references, outline numbers, versions and years in ``text``."""
    return [m.group() for m in st.pointers.finditer(text)] if any(c.isdigit() for c in text) else []


def channels(text: str, st: Structure) -> list[str]:
    """The ways to reach the company that ``text`` names ("by writing to our office", "via the help centre")."""
    return [m.group().strip() for m in st.channels.finditer(text)]


def is_statistic(text: str, st: Structure) -> bool:
    """A sentence that reports figures (requests received, an average): its numbers are statistics."""
    low = text.lower()
    return any(marker in low for marker in st.statistics)


# --- Definitions ---------------------------------------------------------------------------


def defined_term(text: str, st: Structure, section: str = "") -> str | None:
    """The term a block defines ("Customer Data" means ...; "Customer Data: ..." under Definitions), if any."""
    first = text.split(SEP, 1)[0].strip().lstrip("*_ ")
    patterns = st.definitions
    if section and any(word in section.lower() for word in st.definition_sections):
        patterns = (*patterns, st.listed_definition)
    for rx in patterns:
        m = rx.search(first)
        if m:
            term = m.group("term").strip(" '\"’")
            if term and len(term) > 1:
                return term
    return None


def _holds(words: frozenset[str], word: str) -> bool:
    """``word`` is among ``words``, any case, singular or plural."""
    word = word.lower()
    return word in words or word.removesuffix("s") in words or f"{word}s" in words


def _words_key(text: str) -> str:
    """A paragraph's words in lower case, without punctuation: the same text however it is set."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def _lookup_key(text: str) -> str:
    """What of ``text`` is looked for in the new text: its first block, up to 200 characters."""
    return text.split(SEP, 1)[0].strip()[:200]


# A paragraph that opens with its own label, a few words and a colon ("Manipulated media: media that ...").
_LABELLED = re.compile(r"[A-Z][^:.;!?\n]{1,80}: \S")


# The name a short form is given for, written just before it: "Acme Payments Inc." in 'Acme Payments Inc. ("APY")'.
_NAME_BEFORE = re.compile(r"(?:[A-Z][\w'’&.,-]*\s+){0,5}[A-Z][\w'’&.,-]*\s*$")


@dataclass
class Layout:
    """What the engine knows about the two documents as wholes: their headings and the new text's blocks."""

    headings: frozenset[str] = frozenset()
    new_blocks: tuple[str, ...] = ()
    old_blocks: tuple[str, ...] = ()
    _uses: dict[str, list[str]] = field(default_factory=dict)
    new_kinds: tuple[str, ...] = ()
    _text: str = ""
    _starts: list[int] | None = None
    _old_names: frozenset[str] | None = None
    _old_words: frozenset[str] | None = None
    _new_words: frozenset[str] | None = None
    _joined: tuple[str, str, str] | None = None
    _leading: dict[int, frozenset[str]] = field(default_factory=dict)
    _name_counts: Counter[str] | None = None
    _old_sentences: list[tuple[frozenset[str], str]] | None = None
    _old_index: dict[str, list[int]] | None = None
    _new_set: frozenset[str] | None = None
    _as_names: dict[str, tuple[int, int]] = field(default_factory=dict)
    _items: str | None = None
    _semicolons: str | None = None

    def _found(self, text: str) -> tuple[int, int] | None:
        """Where ``text`` starts in the new text, and the number of the block that holds it."""
        if self._starts is None:
            self._starts, at = [], 0
            for block in self.new_blocks:
                self._starts.append(at)
                at += len(block) + len(SEP)
        if len(self._new_text()) > LOOKUP_CHARS:
            return None  # past this size, nothing is looked for (the same answer every time)
        found = self._text.find(_lookup_key(text))
        return None if found < 0 else (found, bisect.bisect_right(self._starts, found) - 1)

    def lead_in(self, text: str) -> str:
        """For a list item of the new text, the paragraph that opens its list ("You agree not to:"), else ''.

        A list may be set out as paragraphs that each open with their own label ("Manipulated media: media
        that ..."), under a lead-in that ends with a colon ("Do not distribute content that misleads. This
        includes:"): such a paragraph is an item of it too.
        """
        if _LABELLED.match(text):
            return self._labelled_lead_in(text) or self._item_lead_in(text)
        return self._item_lead_in(text)

    def _item_lead_in(self, text: str) -> str:
        if self._items is None:
            items = zip(self.new_blocks, self.new_kinds, strict=False)
            self._items = SEP.join(block for block, kind in items if kind == "item")
        if _lookup_key(text) not in self._items:
            return ""  # no list item holds it: the whole text need not be searched
        if not (at := self._found(text)):
            return ""
        n = at[1]
        if self.new_kinds[n] != "item":
            return ""
        while n > 0 and self.new_kinds[n] == "item":
            n -= 1
        return self.new_blocks[n] if self.new_kinds[n] != "item" else ""

    def _labelled_lead_in(self, text: str) -> str:
        if not (at := self._found(text)) or self.new_kinds[at[1]] != "paragraph":
            return ""
        n = at[1]
        while (
            n > 0
            and self.new_kinds[n - 1] == "paragraph"
            and _LABELLED.match(self.new_blocks[n - 1])
            and not self.new_blocks[n - 1].rstrip().endswith(":")
        ):
            n -= 1
        head = self.new_blocks[n - 1] if n > 0 and self.new_kinds[n - 1] == "paragraph" else ""
        return head if head.rstrip().endswith(":") else ""

    def clause_head(self, text: str) -> str:
        """For a part of a new sentence cut at a semicolon ("harass others; impersonate anyone"), the words of
        its sentence before it ("You may not use the service to: send spam; "), else ''."""
        if self._semicolons is None:
            self._semicolons = SEP.join(b for b in self.new_blocks if ";" in b)
        if _lookup_key(text) not in self._semicolons:
            return ""  # no paragraph with a semicolon holds it: it is no part of a sentence cut there
        head = self.paragraph_head(text)
        return head[max(head.rfind(". "), head.rfind("! "), head.rfind("? ")) + 1 :]

    def paragraph_head(self, text: str) -> str:
        """For a sentence of the new text, the words of its paragraph before it ("Premium products are paid
        services." before "They include Acme Leo, Acme VPN."), else ''."""
        if not (at := self._found(text)):
            return ""
        return self._text[self._starts[at[1]] : at[0]]

    def still_written(self, text: str) -> bool:
        """Every paragraph of ``text`` is a paragraph of the new side, case and punctuation aside: a copy of it
        went (or its heading's capitals), the words stay."""
        if self._new_set is None:
            self._new_set = frozenset(_words_key(b) for b in self.new_blocks)
        return all(_words_key(part) in self._new_set for part in text.split(SEP))

    def renamed(self, old_name: str, new_name: str, top: int = 3) -> bool:
        """The document's own name (one of its ``top`` most written; any name with ``top`` 0) replaced by
        ``new_name`` throughout.

        The old name (nearly) gone from the new text, the new name nowhere in the old one (or one of the
        document's own names: its old name's leftovers put right) and written about as often: a company or
        product renamed, not a vendor swapped in a clause. Counted only for a pair that passes the quick
        counts first, so an ordinary edit costs no scan of the whole document.
        """
        _, old_text, new_text = self._texts()
        old_name, new_name = (n.lower().removesuffix("'s").removesuffix("’s") for n in (old_name, new_name))
        count = old_text.count(old_name)
        if count < top:
            return False
        if old_text.count(new_name):
            return bool(top) and new_name in self.own_names(top) and self._gone_as_name(old_name, top)
        if new_text.count(old_name) * 5 > count or new_text.count(new_name) * 2 < count:
            return False
        return top == 0 or old_name in self.own_names(top) or self._short_for_own(old_name, top)

    def _short_for_own(self, name: str, top: int) -> bool:
        """``name`` is the short form the old text gives a name that holds one of its own ("Acme Payments Inc.
        ("APY")"): the company's own entity under a label, renamed with it."""
        old_text = self._texts()[0]
        for given in re.finditer(rf"\(\s*(?:the\s+)?[\"“'‘]{re.escape(name)}[\"”'’]\s*\)", old_text, re.I):
            named = _NAME_BEFORE.search(old_text, max(0, given.start() - 120), given.start())
            if named and {w.lower() for w in _TOKEN.findall(named[0])} & self.own_names(top):
                return True
        return False

    def _gone_as_name(self, name: str, least: int) -> bool:
        """``name`` written at least ``least`` times in the old text and (nearly) never in the new one, mail
        addresses and links aside (a company's old domain outlives its old name)."""
        if name not in self._as_names:
            _, old_text, new_text = self._texts()
            as_name = re.compile(rf"(?<![\w@./-]){re.escape(name)}(?![\w-]|\.\w)")
            self._as_names[name] = (len(as_name.findall(old_text)), len(as_name.findall(new_text)))
        count, left = self._as_names[name]
        return count >= least and left * 5 <= count

    def _new_text(self) -> str:
        """The new text as written, joined once."""
        if not self._text:
            self._text = SEP.join(self.new_blocks)
        return self._text

    def _texts(self) -> tuple[str, str, str]:
        """The old text as written and lower-cased, and the new one lower-cased, each joined once."""
        if not self._joined:
            # Most blocks are on both sides: each is lower-cased once (lower case does not reach across blocks).
            lowered: dict[str, str] = {}
            old_low = SEP.join([lowered.setdefault(b, b.lower()) for b in self.old_blocks])
            new_low = SEP.join([lowered.get(b) or lowered.setdefault(b, b.lower()) for b in self.new_blocks])
            self._joined = (SEP.join(self.old_blocks), old_low, new_low)
        return self._joined

    def own_names(self, top: int = 3) -> frozenset[str]:
        """The old text's ``top`` most written names, lower case: the company and the products it speaks for."""
        if top not in self._leading:
            if self._name_counts is None:
                self._name_counts = Counter(
                    w.lower().removesuffix("'s").removesuffix("’s") for w in _CAPITALISED.findall(self._texts()[0])
                )
            ranked = [w for w, _ in self._name_counts.most_common(top + len(_COMMON)) if w not in _COMMON]
            self._leading[top] = frozenset(ranked[:top])
        return self._leading[top]

    def said_before(self, phrase: str) -> bool:
        """The old text holds ``phrase`` as written, any case: a name the reader has met already."""
        return phrase.lower() in self._texts()[1]

    def wrote_before(self, word: str) -> bool:
        """The old text holds ``word`` (any case, singular or plural): it is nothing the reader meets anew."""
        if self._old_words is None:
            self._old_words = frozenset(w.lower() for w in _TOKEN.findall(self._texts()[0]))
        return _holds(self._old_words, word)

    def writes_now(self, word: str) -> bool:
        """The new text holds ``word`` (any case, singular or plural): a name it still writes has not gone."""
        if self._new_words is None:
            self._new_words = frozenset(w.lower() for w in _TOKEN.findall(self._new_text()))
        return _holds(self._new_words, word)

    def named_before(self, name: str) -> bool:
        """The old document already wrote ``name``, capitalised, somewhere: it is no newcomer."""
        if self._old_names is None:
            self._old_names = frozenset(_CAPITALISED.findall(self._texts()[0]))
        return name in self._old_names

    def restated(self, text: str, st: Structure, fixed: frozenset[str] = frozenset()) -> str | None:
        """What the old document said that already says ``text``, when each sentence of it is said there.

        A sentence is said when one old sentence, or two in a row, hold at least ``st.restated_share`` of
        its words, the same negations, limits and modal verbs (``fixed``) and every count of it (an age, a
        period; dates are for the date rules): "we do not sell" does not say "we sell", nor "at least 19 years
        old" "at least 18". Sentences shorter than ``st.restated_words`` (a clause's title) are not weighed, but
        at least one sentence must be.
        """
        sentences = (frozenset(t.lower() for t in _TOKEN.findall(s)) for s in _SENTENCES.split(text))
        weighed = [w for w in sentences if len(w) >= st.restated_words]
        if not weighed or sum(map(len, self.old_blocks)) > LOOKUP_CHARS:
            return None  # nothing to weigh, or past the size where the old text is read sentence by sentence
        if self._old_sentences is None:
            self._old_sentences, self._old_index = [], {}
            for block in self.old_blocks:
                for sentence in _SENTENCES.split(block):
                    words = frozenset(w.lower() for w in _TOKEN.findall(sentence))
                    for w in words:
                        self._old_index.setdefault(w, []).append(len(self._old_sentences))
                    self._old_sentences.append((words, sentence))
        index, olds, first = self._old_index or {}, self._old_sentences, None
        for words in weighed:
            rare = sorted((w for w in words if w in index), key=lambda w: (len(index[w]), w))[:3]
            hits = sorted({n for w in rare for n in index[w]})
            # Each sentence holding a rare word alone first, then with the sentence before or after it.
            spans = [(n, n + 1) for n in hits] + sorted({(m, m + 2) for n in hits for m in (n - 1, n) if m >= 0})
            twin = None
            for start, end in spans:
                said = frozenset().union(*(olds[n][0] for n in range(start, min(end, len(olds)))))
                if (
                    len(words & said) >= st.restated_share * len(words)
                    and words & fixed == said & fixed
                    and all(w in said for w in words if w.isdigit() and len(w) <= 3)
                ):
                    twin = " ".join(olds[n][1] for n in range(start, min(end, len(olds))))
                    break
            if twin is None:
                return None
            first = f"{first} {twin}" if first else twin
        return first

    def uses(self, term: str, definition: str) -> list[str]:
        """Blocks of the new text, other than the definition itself, that use ``term``."""
        found = self._uses.get(term)
        if found is None:
            if not self._text:
                self._text = SEP.join(self.new_blocks)
            flags = 0 if term[:1].isupper() else re.I  # a defined term is used as written
            rx = re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", flags)
            head = definition.split(SEP, 1)[0].strip()
            found, seen = [], -1
            for m in rx.finditer(self._text):
                start = self._text.rfind(SEP, 0, m.start()) + 1
                if start <= seen:
                    continue
                end = self._text.find(SEP, m.end())
                block = self._text[start : end if end >= 0 else None].strip()
                seen = start
                if block != head:
                    found.append(block)
            self._uses[term] = found
        return found


def layout(old_blocks: list[Any], new_blocks: list[Any], st: Structure) -> Layout:
    """The headings of both sides (for navigation) and the new side's text (for definitions)."""
    headings = frozenset(heading_key(b.text, st) for b in (*old_blocks, *new_blocks) if b.kind == "heading")
    return Layout(
        headings=frozenset(h for h in headings if h),
        new_blocks=tuple(b.text for b in new_blocks),
        old_blocks=tuple(b.text for b in old_blocks),
        new_kinds=tuple(b.kind for b in new_blocks),
    )


# --- Substance: is it a policy at all? -------------------------------------------------------


_ALPHA_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:'[^\W\d_]+)*(?!\w)")


def prose_words(blocks: list[Any], cap: int | None = None) -> int:
    """Words in blocks that read as sentences (six words or more, mostly words of letters).

    Counting stops past ``cap``: a side with that much prose is a policy, however long.
    """
    total = 0
    for block in blocks:
        if block.kind == "heading":
            continue
        size = block.text.count(" ") + 1
        if size < 6:
            continue
        letters = len(_ALPHA_WORD.findall(block.text))
        if letters >= 6 and letters >= 0.6 * size:
            total += letters
            if cap is not None and total > cap:
                break
    return total


def refuse_non_policy(
    old: str,
    new: str,
    old_blocks: list[Any],
    new_blocks: list[Any],
    st: Structure,
    labels: tuple[str, str] = ("old", "new"),
    changed: int | None = None,
    vocabulary: Callable[[str], int] | None = None,
) -> None:
    """Raise ``NotAPolicy`` when one side is empty, an error page, or a policy lost to markup noise.

    Only judged against the other side: a short text is a policy when the other is
    short too. The new side is checked first, since it is the one usually scraped.
    The message names the side by its label from ``labels`` (old, new). ``changed``,
    the characters the diff found changed, spares the count when most text is shared.
    ``vocabulary`` counts the terms of the policy's vocabulary in a text: an error page has next to none.
    """
    if new == old:
        return
    if changed is not None and changed < st.noise_size * min(len(old), len(new)):
        return  # most of both texts is shared: neither lost its policy
    size = sum(len(b.text) for b in old_blocks) + sum(len(b.text) for b in new_blocks)
    _refuse_error_page(old, new, old_blocks, new_blocks, st, labels, changed, size, vocabulary)
    if len(new) < st.cut_share * len(old):
        _refuse_cut_short(old_blocks, new_blocks, len(old), len(new), labels[1])
    shares_little = changed is not None and changed >= (1 - st.other_shared) * size
    if shares_little and (titles := _other_document(old_blocks, new_blocks)):
        raise NotAPolicy(
            f"{_side(labels[0], 'old')} and {_side(labels[1], 'new')} are different documents"
            f" ('{titles[0]}' and '{titles[1]}'), sharing almost no text; not compared"
        )
    # Past PROSE_CAP words of prose a side is a policy, so neither side need be counted further.
    old_prose = prose_words(old_blocks, PROSE_CAP)
    new_prose = prose_words(new_blocks, PROSE_CAP)
    for which, text, prose, other_text, other_prose in (
        ("new", new, new_prose, old, old_prose),
        ("old", old, old_prose, new, new_prose),
    ):
        if other_prose < st.min_other or prose >= st.keep_prose * other_prose:
            continue
        side = _side(labels[1] if which == "new" else labels[0], which)
        against = f"against {_words(other_prose)} words of policy; not compared"
        if not text.strip():
            if which == "old":
                continue  # no old text: the policy is new
            raise NotAPolicy(f"{side} is empty, {against}")
        error = st.error_phrases.search(text) if prose < st.min_words else None
        if error:
            raise NotAPolicy(f"{side} is an error page ('{error.group()}'): {prose} words of prose {against}")
        if len(text) >= st.noise_size * len(other_text):
            raise NotAPolicy(
                f"{side} lost its policy to markup: {prose:,} words of prose in {len(text):,} characters {against}"
            )
        if prose < st.min_words and which == "new":
            # A short old side is a policy that grew (a first, brief version), not a scraping accident.
            raise NotAPolicy(f"{side} is no policy: {prose} words of prose {against}")
    if shares_little and min(old_prose, new_prose) >= st.min_words and (tongues := _other_language(old, new)):
        raise NotAPolicy(
            f"{_side(labels[1], 'new')} is written in '{tongues[1]}' and {_side(labels[0], 'old')} in"
            f" '{tongues[0]}': a translation is compared with its own earlier versions; not compared"
        )
    if shares_little and vocabulary and new_blocks:
        _refuse_other_page(old, new, old_prose, new_prose, st, labels[1], vocabulary)


def _other_language(old: str, new: str) -> tuple[str, str] | None:
    """The languages of two sides written in different ones (the page captured in French where it was in
    English): their words cannot be set against each other."""
    from policywatch.engine.languages import detect

    before, after = detect(old), detect(new)
    return (before, after) if before != after else None


def _refuse_cut_short(old_blocks: list[Any], new_blocks: list[Any], old_size: int, new_size: int, label: str) -> None:
    """Refuse a new side that is the old side's opening and stops inside one of its paragraphs, mid-sentence
    ("... except as described belo"): a capture cut short, not a policy cut down."""
    n = len(new_blocks)
    if n < 2 or n > len(old_blocks):
        return
    last, there = new_blocks[-1].text, old_blocks[n - 1].text
    if len(last) >= len(there) or not there.startswith(last) or last.rstrip()[-1:] in ".!?;:":
        return
    if any(a.text != b.text for a, b in zip(old_blocks[: n - 1], new_blocks[:-1], strict=True)):
        return
    raise NotAPolicy(
        f"{_side(label, 'new')} stops short: it is the old side's opening, cut off inside a paragraph, with"
        f" {new_size:,} of its {old_size:,} characters; not compared"
    )


def _refuse_other_page(
    old: str, new: str, old_prose: int, new_prose: int, st: Structure, label: str, vocabulary: Callable[[str], int]
) -> None:
    """Refuse a new side that shares almost nothing with the old one and speaks next to none of its language:
    another page captured in place of the document (a homepage, a booking form), not a rewrite of it."""
    if new_prose >= st.other_prose * old_prose:
        return
    old_terms = vocabulary(old)
    if old_terms < st.min_terms:
        return
    new_terms = vocabulary(new)
    if new_terms <= st.other_terms * old_terms:
        raise NotAPolicy(
            f"{_side(label, 'new')} is not the document (another page, or a capture cut short): it shares almost"
            f" no text with the old side and holds"
            f" {new_terms} of the policy's terms against {old_terms}, {_words(new_prose)} words of prose against"
            f" {_words(old_prose)}; not compared"
        )


def _refuse_error_page(
    old: str,
    new: str,
    old_blocks: list[Any],
    new_blocks: list[Any],
    st: Structure,
    labels: tuple[str, str],
    changed: int | None,
    size: int,
    vocabulary: Callable[[str], int] | None,
) -> None:
    """Refuse a side that is an error page, whatever the other side holds.

    Short, next to none of the policy's vocabulary and an error's wording ("This page isn't available",
    "Access denied", "Please enable JavaScript"); or a page that opens with an error and shares little
    with the other side (an error banner over whatever else the scraper found).
    """
    for which, text, blocks in (("new", new, new_blocks), ("old", old, old_blocks)):
        if not blocks:
            continue
        side = _side(labels[1] if which == "new" else labels[0], which)
        words = sum(b.text.count(" ") + 1 for b in blocks[: st.error_words])
        if words < st.error_words and (m := st.error_phrases.search(text.replace("’", "'"))):
            terms = vocabulary(text) if vocabulary else 0
            if terms <= st.error_terms:
                raise NotAPolicy(
                    f"{side} is an error page ('{m.group()}'): {words} words, {terms} of the policy's terms;"
                    " not compared"
                )
        opening = blocks[0].text.replace("’", "'")
        if (
            len(opening.split()) <= st.question_words
            and (blocks[0].kind == "heading" or (changed is not None and changed >= st.error_shared * size))
            and (m := st.error_phrases.search(opening))
        ):
            # The page's title is an error, or an error opens a page that shares little with the other side.
            raise NotAPolicy(f"{side} opens with an error ('{m.group()}'); not compared")


_TITLE_STOP = frozenset(
    ["a", "an", "and", "the", "of", "for", "to", "our", "your", "this", "these", "in", "on", "at", "by", "with"]
)


def _other_document(old_blocks: list[Any], new_blocks: list[Any]) -> tuple[str, str] | None:
    """The two titles, when each side opens with a title and the titles share no word: one page captured for another."""
    titles = []
    for blocks in (old_blocks, new_blocks):
        first = next((b for b in blocks[:3] if b.kind == "heading"), None)
        if first is None:
            return None
        titles.append(first.text)
    old_words, new_words = ({w.lower() for w in _WORD.findall(t)} - _TITLE_STOP for t in titles)
    if not old_words or not new_words or old_words & new_words:
        return None
    return titles[0][:60], titles[1][:60]


def _words(count: int) -> str:
    return f"{PROSE_CAP:,}+" if count > PROSE_CAP else f"{count:,}"


def _side(label: str, which: str) -> str:
    return f"{which} text" if label == which else f"{label} ({which} side)"
