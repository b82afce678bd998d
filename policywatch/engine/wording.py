"""Words in policy sentences: tokens, stems, spelling variants, links, dates, addresses, names.

The helpers the materiality rules share to look at the words of a change: the
words removed and added, a few words either side of each change, and the
things in a sentence that are not wording (links, dates, postal addresses,
names) so that a changed URL or a new office is not read as a changed promise.
"""

from __future__ import annotations

import difflib
from collections import Counter
from functools import lru_cache
from itertools import islice

from policywatch.dates import DATE_PATTERN
from policywatch.engine import lazyre as re
from policywatch.engine.diff import SEP

_WORD = re.compile(r"\w+(?:'\w+)*")
# Web and mail addresses, and the "[email protected]" a scraper leaves where a page hid a mail address.
URL = re.compile(
    r"(?:https?://|mailto:|www\.)\S+|\b[\w.-]+\.(?:com|org|net|io|eu|co|de|fr|uk|info|app|dev|ai|tv|ca|au|nl|es|ch|se|jp|ie)(?:/\S*)?\b"
    # A host of any other name with its path, written without a scheme ("business.example.google/adsservices").
    r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/[\w./%#?=&~+-]*"
    r"|\[email\s?protected\]",
    re.I,
)
_PATHED = re.compile(r"\.[a-z]{2,}/", re.I)
DATE = re.compile(DATE_PATTERN, re.I)
# A street address, to its postcode when there is one: "30 North Racine Avenue, Suite 200, Chicago, IL 60607".
_ADDRESS = re.compile(
    # In someone's care first ("c/o Acme Law LLP"), then the number and the street, with or without its kind, to
    # the postcode ("40 Bank Street, London, E14 5DS", "22 Bishopsgate London, EC2N 4BQ"), a letter of its district
    # perhaps written small ("WC2b 6NH").
    r"(?:\b[Cc]/[Oo]\s+[^\d;]{1,80}?\s+)?\b\d{1,6}[A-Za-z]?\s+(?:"
    r"(?:[A-Z][\w.'-]*\s+){0,5}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Place|Pl|Square|Sq|Court|Ct|Parkway|Pkwy)\b\.?"
    r"(?:[^.;]{0,80}\b(?:[A-Z]{2}\s+\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Za-z\d]?\s*\d[A-Z]{2}|\d{4,5}))?"
    r"|(?:(?:[A-Z][\w.'-]*|\d{1,3}(?:st|nd|rd|th)),?\s+){1,6}"
    r"(?:[A-Z]{1,2}\d[A-Za-z\d]?\s*\d[A-Z]{2}|[A-Z]{2}\s+\d{5}(?:-\d{4})?)\b)"
    # An address may end with its country ("... Surrey KT16 0RS, UK").
    r"(?:,?\s+(?:UK|U\.K\.|United Kingdom|USA|U\.S\.A\.|United States(?: of America)?|Ireland|Canada)(?!\w))?"
    # The continental order: the street, its number, then the postcode and town ("Hauptstrasse 27, CH-8050 Zurich",
    # "Example Str. 76/77, 10115 Berlin", "Karl-Marx-Strasse 101").
    r"|\b[A-Z][\w'-]*?[\s-]?(?i:strasse|straße|str\.|weg|gasse|platz|allee|laan|straat|gatan|vej|gade|katu)"
    r"\s+\d{1,5}[a-z]?(?:/\d{1,5}[a-z]?)?(?:,?\s+(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-Z][\w-]*)?"
    # The Japanese order: block numbers, the district, the ward or city ("4-23-5 Sendagaya, Shibuya-ku, Tokyo").
    r"|\b\d{1,4}-\d{1,4}(?:-\d{1,4})?,?\s+(?:[A-Z][\w-]*,?\s+){0,3}[A-Z]\w*-(?:ku|shi|cho|gun|machi)\b"
    r"(?:,?\s+[A-Z][\w-]*)?"
    # A building with its floor ("Sendagaya Example Building 6F", "Example Tower, 12th Floor").
    r"|\b(?:[A-Z][\w-]*\s+){1,4}(?:Building|Bldg\.?|Tower|House|Plaza|Centre|Center),?\s+"
    r"(?:\d{1,3}F|\d{1,3}(?:st|nd|rd|th)\s+[Ff]loor)\b"
    # The Latin order: the number, the street's kind and name, the postcode and the town ("44/50 avenue du
    # Capitaine Glarner - 93585 - St-Ouen Cedex", "118 rue de Javel, 75015 Paris"), or the town and the postcode
    # ("26, rue Vignon, Paris 75009").
    r"|\b\d{1,4}(?:/\d{1,4})?(?:\s?(?:bis|ter))?,?\s+"
    r"(?i:rue|avenue|boulevard|bd|place|all[ée]e|chemin|quai|impasse|cours|route|calle|via|viale|piazza|rua)\s+"
    r"[^\d.;:]{1,60}?,?\s*-?\s*(?:\d{5}\s*-?\s+[A-Z][\w'-]*(?:\s+(?i:cedex))?|(?<=\s)[A-Z][\w'-]*\s+\d{5}\b(?!\s*-?\s*[A-Z]))"
)
_TLD_HINT = re.compile(r"\.(?:com|org|net|io|eu|co|de|fr|uk|info|app|dev|ai|tv|ca|au|nl|es|ch|se|jp|ie)\b", re.I)
_NAME = re.compile(r"(?<=[\w,;:()] )[A-Z][\w'-]*")
URLISH = re.compile(r"^(?:https?://|www\.)\S+$|^\S+\.(?:com|org|net|io|de|fr|uk|eu)(?:/\S*)?$", re.I)
DIGIT = re.compile(r"\d")
# A label inside a running list, "(iii) marketing" or "(b) payment": relettering one is not rewording.
_ENUMERATOR = re.compile(r"(?<![\w(])\((?:x{0,3}(?:ix|iv|v?i{1,3}|v)|x{1,3}|[a-z]|\d{1,2})\)(?=\s)", re.I)
# Words that point the reader at a page: what directly follows them names the page, not a practice.
_POINTER = re.compile(r"\b(?:visit|see|refer to|go to|found at|available at)\s*:?\s*$", re.I)


# The name of a body, a law or a scheme ("Network Advertising Initiative", "California Consumer Privacy Act",
# "Connecticut Act Concerning Personal Data Privacy and Online Monitoring", "Transparency & Consent Framework"):
# capitalised words ending in what it is.
_BODIES = (
    "Act", "Law", "Regulation", "Directive", "Initiative", "Alliance", "Bureau", "Association", "Authority", "Board",
    "Commission", "Council", "Institute", "Federation", "Framework",
)  # fmt: skip
_INSTITUTION = re.compile(
    r"(?:\b[A-Z][\w'’&.-]*\s+(?:(?:of|and|for|on|the|&)\s+)?){1,8}"
    rf"(?:{'|'.join(_BODIES)})\b"
    r"(?:\s+(?:Concerning|Relating to|on|of|for)(?:\s+(?:and\s+)?[A-Z][\w'’-]*)+)?"
)


def without_institutions(text: str) -> str:
    """``text`` without the names of bodies and laws, whose words name them and state nothing; the same object
    when it names none."""
    if not any(body in text for body in _BODIES):
        return text  # no name of a body or a law ends here: the pattern need not even be compiled
    return _INSTITUTION.sub(" ", text) if _INSTITUTION.search(text) else text


def names(text: str) -> set[str]:
    """Lower-cased words written capitalised inside a sentence (names of products, laws, companies)."""
    return {w.lower() for w in _NAME.findall(text)} - {w for w in _WORD.findall(text) if w.islower()}


_DOTTED = re.compile(r"\b([A-Za-z])\.([A-Za-z])\.(?:([A-Za-z])\.)?")


_CAN_NOT = re.compile(r"\b(c)an not\b", re.I)
# "No." for "number" ("registration no. 123", "a coordination no."): no negation.
_NUMBER_ABBREVIATION = re.compile(r"\b[Nn]o\.(?=\s*(?:\d|$)|\s+[a-z(])")


def words(text: str) -> list[str]:
    """The lower-cased words of ``text`` (contractions kept whole: "don't"; "U.S." is "us", as "US" is;
    "can not" is "cannot")."""
    if "." in text:
        text = _DOTTED.sub(r"\1\2\3", text)
    if "an not" in text:
        text = _CAN_NOT.sub(r"\1annot", text)
    return [w.lower() for w in _WORD.findall(text)]


def number_spelled(text: str) -> str:
    """``text`` with "no." for "number" written out ("coordination no." is no negation); the same object if none."""
    return _NUMBER_ABBREVIATION.sub("number", text) if "o." in text and _NUMBER_ABBREVIATION.search(text) else text


def quote(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters, for a reason string."""
    text = " ".join(text.replace(SEP, " ").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def hunks(segments: list[list[str]]) -> list[tuple[str, str, str, str]]:
    """(old snippet, new snippet, deleted text, inserted text) per run of changes, with a word of context."""
    out = []
    n = 0
    while n < len(segments):
        if segments[n][0] == "equal":
            n += 1
            continue
        start = n
        while n < len(segments) and segments[n][0] != "equal":
            n += 1
        deleted = "".join(t for op, t in segments[start:n] if op == "delete")
        inserted = "".join(t for op, t in segments[start:n] if op == "insert")
        after = _WORD.findall(segments[n][1])[:1] if n < len(segments) else []
        before = _WORD.findall(segments[start - 1][1])[-1:] if start > 0 and not after else []
        pre = " ".join(before)
        post = " ".join(after)
        old = " ".join(p for p in (pre, deleted.strip(), post) if p)
        new = " ".join(p for p in (pre, inserted.strip(), post) if p)
        out.append((old, new, deleted, inserted))
    return out


def snippet(runs: list[tuple[str, str, str, str]], vocab: frozenset[str] | None = None) -> str:
    """'old' → 'new' for the first run of changes (the first touching ``vocab`` when given)."""
    chosen = runs[0] if runs else ("", "", "", "")
    if vocab:
        for h in runs:
            changed = words(h[2] + " " + h[3])
            if set(changed) & vocab or any(w.endswith("n't") for w in changed):
                chosen = h
                break
    return f"'{quote(chosen[0], 60)}' → '{quote(chosen[1], 60)}'"


def listing(items: list[str], limit: int = 6) -> str:
    """'a, b, c and 4 more'."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def squash(text: str) -> str:
    """Lower case without spaces or hyphens: 'third party' and 'third-party' are one term, 'acomplaint' is a typo."""
    return re.sub(r"[\s\-]+", "", text.lower())


def windows(segments: list[list[str]], context: int = 4) -> tuple[str, str]:
    """Each run of changes with a few unchanged words either side, old and new: where terms can differ.

    Runs separated by only a few unchanged words share one window, so a date or a
    phrase split by the diff is still seen whole.
    """
    old_parts: list[str] = []
    new_parts: list[str] = []
    old_cur: list[str] = []
    new_cur: list[str] = []
    last = len(segments) - 1
    for n, (op, text) in enumerate(segments):
        if op == "delete":
            old_cur.append(text)
        elif op == "insert":
            new_cur.append(text)
        else:
            inside = bool(old_cur or new_cur) and n < last
            if inside and len(text.split(None, 2 * context)) <= 2 * context:  # split no further than the count needs
                old_cur.append(text)
                new_cur.append(text)
                continue
            if old_cur or new_cur:
                tail = _edge_words(text, context, first=True)
                old_parts.append("".join(old_cur) + tail)
                new_parts.append("".join(new_cur) + tail)
            head = _edge_words(text, context, first=False) if n < last else ""
            old_cur, new_cur = [head], [head]
    if any(old_cur) or any(new_cur):
        old_parts.append("".join(old_cur))
        new_parts.append("".join(new_cur))
    return " ; ".join(old_parts), " ; ".join(new_parts)


_SPACE_RUN = re.compile(r"\s+")


def _edge_words(text: str, count: int, *, first: bool) -> str:
    """The first (or last) ``count`` words of ``text`` exactly as written, spacing included."""
    offset = len(text) - len(text.lstrip())
    if first:
        gap = next(islice(_SPACE_RUN.finditer(text.strip()), count - 1, None), None)  # read no further than needed
        return text[: offset + gap.start()] if gap else text
    gaps = [m.end() for m in _SPACE_RUN.finditer(text.strip())]
    return text[offset + gaps[-count] :] if len(gaps) >= count else text


def address_change(old: str, new: str) -> str | None:
    """A reason when the only difference between two sentences is a postal address."""
    if not DIGIT.search(old):
        return None  # every address has a number
    old_addresses, new_addresses = _ADDRESS.findall(old), _ADDRESS.findall(new)
    if not old_addresses or old_addresses == new_addresses:
        return None
    old_rest, new_rest = _ADDRESS.sub(" ", old).split(), _ADDRESS.sub(" ", new).split()
    # A building's name may take in the words before it ("Acme Ltd WeWork House 2nd floor"): words read as part of
    # an address on one side and left outside it on the other are the same words.
    outside_old, outside_new = Counter(old_rest) - Counter(new_rest), Counter(new_rest) - Counter(old_rest)
    if outside_old - Counter(" ".join(new_addresses).split()) or outside_new - Counter(" ".join(old_addresses).split()):
        return None
    gone = [_without_lead(a, outside_new) for a in old_addresses if a not in new_addresses] or ["-"]
    came = [_without_lead(a, outside_old) for a in new_addresses if a not in old_addresses] or ["-"]
    return f"postal address changed: '{quote(gone[0], 60)}' → '{quote(came[0], 60)}'"


def _without_lead(address: str, outside: Counter[str]) -> str:
    """The address without the words in front of it that the other side leaves outside its address."""
    words = address.split()
    while len(words) > 1 and outside[words[0]]:
        words.pop(0)
    return " ".join(words)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A mail address written so that scrapers miss it: "privacy-support [at] example [dot] com".
_SPELLED_MAIL = re.compile(r"[\w.+-]+\s?[\[(]at[\])]\s?[\w-]+(?:\s?(?:[\[(]dot[\])]|\.)\s?[\w-]+)+", re.I)
# A phone number, perhaps ending a sentence; a date written the ISO way ("2025-09-12") is none.
_PHONE = re.compile(r"(?<![\w.])(?!\d{4}-\d\d-\d\d\b)\+?(?:\(\d{1,4}\)[\s.-]?)?\d[\d\s().-]{5,}\d(?!\w|\.\w)")
# A link without text: an icon or an image, nothing to read.
TEXTLESS_LINK = re.compile(r"!?\[\]\([^)]*\)")
_CALL_LINK = re.compile(r"\[[^\]]*\]\((?:tel|mailto):[^)]*\)")  # a button that dials or writes
# What labels a line of contact details ("Support: (800) 675-7430", "CALL US"), and nothing else.
_CONTACT_LABELS = frozenset(
    "support sales phone telephone tel fax email e-mail mail address call us contact office headquarters "  # noqa: SIM905
    "customer service toll free hotline helpline write on at or and to".split()
)


def contact_details_only(block: str) -> bool:
    """A line of a phone number, a mail or postal address or a link, under at most a label of the kind
    ("Support: (800) 675-7430", "400 Northridge Rd. | Suite 1200 Atlanta, GA 30350"): how to reach the
    company, no name and no promise."""
    if not (DIGIT.search(block) or "@" in block):
        return False
    links = TEXTLESS_LINK.sub(" ", block) if "[](" in block and "[](tel:" not in block else block
    rest = _PHONE.sub(" ", URL.sub(" ", _EMAIL.sub(" ", _ADDRESS.sub(" ", _CALL_LINK.sub(" ", links)))))
    if rest == links:
        return False  # a link alone is no contact detail
    return all(w.strip(":|,.()").lower() in _CONTACT_LABELS for w in rest.split() if w.strip(":|,.()"))


# Words of reaching someone: beside a contact detail they tell the way in ("may contact Acme at the following
# number", "Please address your requests to: <address>", "Hotline: ...", "Email: ...").
_REACH = re.compile(
    r"\b(?:contact\w*|call|phone|telephone|hotline|helpline|e-?mail|write|writing|send|submit|reach|respond"
    r"|inquir\w+|enquir\w+|agent|address (?:your|all|any)\b)",
    re.I,
)
# What is done with data, as the stems of its verbs ("shares", "sold", "using", "stored"; not "legal process", and
# "user" is no "use"): put before ``\w*``, one list for each rule that asks whether a text states a practice.
_PRACTICE = (
    r"(?!users?\b)(?:shar|sell|sold|collect|use|us(?:ed|es|ing)\b|(?<!legal )process|transfer|disclos|track"
    r"|stor(?:e|ed|es|ing)\b|keep|kept|retain)"
)
# A word that says what is done with data ("If you want us to share ...", "How we use your data for AI").
STATES_PRACTICE = re.compile(rf"\b{_PRACTICE}\w*", re.I)
# What a way in must not also say: a practice with data, a right of the reader's, a change to the terms, who
# provides the service, a promise, a fee, a duty or a time limit.
_NO_MERE_WAY_IN = re.compile(
    rf"\b(?:{_PRACTICE}|licen[cs]"
    r"|delet|eras|opt|withdraw|object|unsubscrib|correct|access|right|updat|chang"
    r"|offered|provided|operated|controller|commit|promis|guarant"
    r"|fee|charge|price|must|shall|agree|required|bound|days?\b|weeks?\b|months?\b|years?\b|hours?\b)\w*|[$€£]",
    re.I,
)
_WAY_IN_WORDS = 60  # a way in is a line or a few: a longer text says more than how to reach the company


def way_in(block: str) -> bool:
    """A block that only tells how to reach the company: a phone number, a mail or postal address, and words of
    reaching it ("Authorized officials may contact Acme at the following number: 555-0100"; "Copyright Agent /
    Acme LLC / 1 Main Street ... / Email: ip@acme.com"), with no practice, fee, duty or time limit beside them."""
    if len(block.split()) > _WAY_IN_WORDS or not _REACH.search(block):
        return False
    if not (_PHONE.search(block) or _EMAIL.search(block) or _SPELLED_MAIL.search(block) or _ADDRESS.search(block)):
        return False
    return not _NO_MERE_WAY_IN.search(block)


_HIDDEN_MAIL = re.compile(r"\[email\s?protected\]", re.I)


def hidden_mail_restored(old: str, new: str) -> str | None:
    """A reason when the only difference is a mail address the page hid from the scraper ("[email protected]")
    on one side and written out on the other: the capture changed, not the policy."""
    if "protected]" not in old + new:
        return None
    if _HIDDEN_MAIL.sub("@", _EMAIL.sub("@", old)) != _HIDDEN_MAIL.sub("@", _EMAIL.sub("@", new)):
        return None
    return "mail address hidden or restored in the page's capture"


def may_hold_contact(text: str) -> bool:
    """``text`` may hold a contact detail: a phone number or an address has a digit, a mail an @ (or an "[at]")."""
    return "@" in text or "at]" in text or DIGIT.search(text) is not None


def contact_details_change(old: str, new: str) -> str | None:
    """A reason when two sentences differ only in contact details: a phone number, a mail or postal address or a
    link added, dropped or changed, with the labels beside them ("Telephone: 415.580.6400" dropped)."""
    if not (may_hold_contact(old) or may_hold_contact(new)):
        return None
    before, after = without_contact_details(old), without_contact_details(new)
    if before == old and after == new:
        return None
    if _unlabelled(before) != _unlabelled(after):
        return None
    return f"contact details changed: '{quote(old, 50)}' → '{quote(new, 50)}'"


def without_contact_details(text: str) -> str:
    """``text`` without its mail and postal addresses, links and phone numbers: what it says beside them."""
    text = URL.sub(" ", _EMAIL.sub(" ", _ADDRESS.sub(" ", text)))
    if "at]" in text or "at)" in text:
        text = _SPELLED_MAIL.sub(" ", text)
    # A phone number has seven digits or more; fewer are a cross-reference or a range ("Sections 4.2-4.5").
    return _PHONE.sub(lambda m: " " if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)


def _unlabelled(text: str) -> list[str]:
    """The words of ``text`` less the labels of contact details ("Email:", "Telephone") and their marks."""
    words = (w.strip(":|,.()-") for w in text.split())
    return [w for w in words if w and w.lower() not in _CONTACT_LABELS]


def mail_contact_change(old: str, new: str) -> str | None:
    """A reason when the only difference is who to write to: a mail address (with the name beside it)
    put for another address or a short handle ("Ann Lee ann@example.com" → "support@example.com")."""
    if "@" not in old:
        return None
    before, after = old.split(), new.split()
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    gone, came = before[start : len(before) - end], after[start : len(after) - end]
    if not came or len(came) > 3 or len(gone) > 5 or not any(_EMAIL.fullmatch(w.strip(".,;:()<>")) for w in gone):
        return None
    if any(w[:1].islower() and not _EMAIL.search(w) and "-" not in w and "." not in w for w in gone + came):
        return None  # a plain word joined or left: more than an address changed
    return f"contact address changed: '{quote(' '.join(gone), 60)}' → '{quote(' '.join(came), 60)}'"


def strip_links(text: str) -> str:
    """``text`` without web and mail addresses (a changed link is not a changed promise)."""
    if (
        "://" in text
        or "www." in text
        or "protected]" in text
        or _TLD_HINT.search(text)
        or ("/" in text and _PATHED.search(text))
    ):
        return URL.sub(" ", text)
    return text


def strip_dates(text: str) -> str:
    """``text`` without dates, which the date rule judges on its own."""
    return DATE.sub(" ", text) if DIGIT.search(text) else text


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A crude stem, enough to see that 'using' and 'use', 'firstly' and 'first' are one word."""
    for suffix in ("ly", "ing", "ed", "es", "s"):
        if suffix == "s" and word.endswith("ss"):  # 'process' is not the plural of 'proces'
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e") if len(word) >= 3 else word


_VARIANTS = [
    (re.compile(r"is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"our(s|ed|ing|ite|ites|able)?$"), r"or\1"),
    (re.compile(r"tre(s)?$"), r"ter\1"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"ence$"), "ense"),
    (re.compile(r"ae"), "e"),
    (re.compile(r"oe"), "e"),
]


@lru_cache(maxsize=1)
def _american() -> dict[str, str]:
    """British spellings to American ones, from the breame package's maintained list."""
    from breame.data.spelling_constants import BRITISH_ENGLISH_SPELLINGS

    return BRITISH_ENGLISH_SPELLINGS


@lru_cache(maxsize=8192)
def variant_key(word: str) -> str:
    """British and American spellings of a word share a key ("behavioural", "behavioral")."""
    word = _american().get(word, word)
    for rx, repl in _VARIANTS:
        word = rx.sub(repl, word)
    return word


@lru_cache(maxsize=8192)
def term_key(term: str) -> str:
    """A term's spelling-free form: one spelling per word, hyphens and spaces alike ("e-mail", "email")."""
    parts = re.findall(r"\w+", term.lower())
    return "".join(variant_key(p) for p in parts)


_NEGATING = ("un", "in", "im", "ir", "il", "non", "dis")  # fused to the word; "non-" is found by _NON
_NON = re.compile(r"\bnon-\s?(\w+)", re.I)


def negated(word: str, other: str) -> bool:
    """One word is the other with a prefix that negates it ("revocable" → "irrevocable", "exclusive" →
    "non-exclusive"): the opposite meaning, however close the spelling."""
    short, long = sorted((word.lower(), other.lower()), key=len)
    return len(short) >= 5 and long.endswith(short) and long[: len(long) - len(short)] in _NEGATING


def reversed_by_non(old: str, new: str) -> list[str]:
    """Words that gained or lost a "non-" between two sentences that both write them ("refundable" →
    "non-refundable"), as "'old' → 'new'"."""
    if not any(n in text for text in (old, new) for n in ("non-", "Non-", "NON-")):
        return []
    before = Counter(w.lower() for w in _NON.findall(old))
    after = Counter(w.lower() for w in _NON.findall(new))
    low_old, low_new = old.lower(), new.lower()
    out = [f"'{w}' → 'non-{w}'" for w in after - before if re.search(rf"\b{re.escape(w)}\b", low_old)]
    out += [f"'non-{w}' → '{w}'" for w in before - after if re.search(rf"\b{re.escape(w)}\b", low_new)]
    return out


def near_spellings(word: str, candidates: list[str], used: set[int]) -> list[int]:
    """Indexes of candidates one slip of the keyboard away from ``word`` (one of them 4+ letters), unless it
    negates ``word``."""
    return [
        m
        for m, other in enumerate(candidates)
        if m not in used
        and len(other) >= 3
        and max(len(other), len(word)) >= 4
        and 5 * min(len(other), len(word)) >= 2 * (len(other) + len(word))  # the ratio's bound from lengths alone
        and difflib.SequenceMatcher(None, word, other).ratio() >= 0.8
        and not negated(word, other)
    ]


# "Including but not limited to" widens a list; its "not" and "limited" are no negation and no limit.
_NOT_LIMITED = re.compile(
    r",?\s*\b(?:but|and)\s+(?:is\s+|are\s+)?not\s+limited\s+to\b|,?\s*\bwithout\s+limitation\b", re.I
)


def without_not_limited(text: str) -> str:
    """``text`` without "but not limited to" and "without limitation"; the same object if it has none."""
    return _NOT_LIMITED.sub("", text) if "limit" in text and _NOT_LIMITED.search(text) else text


# A currency written by its code ("USD 100", "100 EUR") or its sign ("$100"): one amount either way.
_CURRENCY_CODE = re.compile(r"\b(?:(USD|US\$|EUR|GBP)\s?(?=\d)|(?<=\d)\s?(USD|EUR|GBP)\b)")
_SIGN = {"USD": "$", "US$": "$", "EUR": "€", "GBP": "£"}


def currency_signs(text: str) -> str:
    """``text`` with currency codes written as their signs, before the amount; the same object if it has none."""
    if not ("USD" in text or "EUR" in text or "GBP" in text or "US$" in text) or not _CURRENCY_CODE.search(text):
        return text
    text = re.sub(r"(\d[\d,.]*)\s?(USD|EUR|GBP)\b", lambda m: f"{_SIGN[m[2]]}{m[1]}", text)
    return re.sub(r"\b(USD|US\$|EUR|GBP)\s?(?=\d)", lambda m: _SIGN[m[1]], text)


# A clause's number opening it inside running text ("… the service. 2.5 Do not …"): a label, no quantity.
_CLAUSE_NUMBER = re.compile(r"(?:^|(?<=[.;:!?]\s)|(?<=\n))\d{1,2}\.\d{1,2}\.?(?=\s+[A-Z\"“(])")


def strip_enumerators(text: str) -> str:
    """``text`` without the labels of an inline list ("(ii)", "(b)", "(3)") or of clauses ("2.5 Do not …");
    the same object if it has none."""
    if "(" in text and _ENUMERATOR.search(text):
        text = _ENUMERATOR.sub(" ", text)
    if "." in text and DIGIT.search(text) and _CLAUSE_NUMBER.search(text):
        text = _CLAUSE_NUMBER.sub(" ", text)
    return text


def enumerators(text: str) -> list[str]:
    """The labels of an inline list in ``text``, in order."""
    return _ENUMERATOR.findall(text) if "(" in text else []


def pointer_filled(segments: list[list[str]], fixed: frozenset[str]) -> str | None:
    """The text filled in after "visit", "see", "found at"... when it is all the edit does.

    Policies copied from web pages lose their link texts ("please visit You can
    opt out"); putting the page's name back changes no practice. ``fixed`` are
    words that would make the filling a statement of its own (modal verbs,
    negations, activity verbs): with any of them it is not a pointer.
    """
    filled = []
    for n, (op, text) in enumerate(segments):
        if op == "delete" and text.strip():
            return None
        if op != "insert":
            continue
        before = segments[n - 1][1] if n and segments[n - 1][0] == "equal" else ""
        added = words(strip_links(text))
        if not _POINTER.search(before) or len(added) > 10 or set(added) & fixed:
            return None
        filled.append(text.strip())
    return " ".join(filled) if filled else None
