"""One plain sentence per change, from its structured reasons: what a reader is told first.

The reasons (``new data category: precise location (gps)``, ``new recipient: advertising
partners, including Foursquare``, ``text added: '...'``) stay as they are: they are the
API and the detail a lawyer checks. The sentence groups them by what they say about the
company's practice ("Collects precise location (gps) and shares it with advertising
partners, including Foursquare."), names each thing once, and leaves out the reasons that
only repeat another (the added text that carries the new data category).
"""

from __future__ import annotations

from policywatch.engine import lazyre as re

# Practice phrases, in the order a sentence tells them: (reason label, what the company now does).
# "{}" is the reason's terms. The label is matched at the start of the reason, before ": ".
_PRACTICES: tuple[tuple[str, str], ...] = (
    ("new data category", "collects {}"),
    ("new recipient", "shares it with {}"),
    ("new purpose", "uses it for {}"),
    ("new international transfer", "transfers it to {}"),
    ("new retention term", "keeps it ({})"),
    ("new children's data term", "speaks of children ({})"),
    ("new consent standard", "relies on {}"),
    ("new notice of changes", "changes how it gives notice of changes ({})"),
    ("new activity", "now says it will {}"),
    ("party changed", "changes the company you deal with: {}"),
    ("governing law or courts changed", "changes the law or the courts for disputes: {}"),
    ("recipient changed", "shares it with another company: {}"),
    ("linked list of recipients replaced by another version", "links to another version of its list of recipients: {}"),
    ("data category removed", "no longer mentions collecting {}"),
    ("recipient removed", "no longer mentions sharing with {}"),
    ("purpose removed", "no longer mentions using it for {}"),
    ("international transfer removed", "no longer mentions transfers to {}"),
    ("retention term removed", "no longer mentions keeping it ({})"),
    ("security commitment removed", "drops the safeguard {}"),
    ("user right removed", "takes away the right to {}"),
    ("consent standard removed", "no longer relies on {}"),
    ("notice of changes removed", "no longer says how it gives notice of changes ({})"),
    ("activity removed", "no longer says it will {}"),
    ("activity changed", "changes what it does with data: {}"),
    ("retention period changed", "changes how long it keeps data: {}"),
    ("retention period added", "sets a retention period of {}"),
    ("retention period removed", "drops the retention period of {}"),
    ("age threshold changed", "changes the age threshold: {}"),
    ("age threshold added", "sets an age threshold of {}"),
    ("age threshold removed", "drops the age threshold of {}"),
    ("amount changed", "changes an amount: {}"),
    ("amount added", "adds an amount: {}"),
    ("amount removed", "drops an amount: {}"),
    ("rate changed", "changes a rate: {}"),
    ("rate added", "adds a rate: {}"),
    ("rate removed", "drops a rate: {}"),
    ("time period changed", "changes a time period: {}"),
    ("time period added", "adds a time period: {}"),
    ("time period removed", "drops a time period: {}"),
    ("date something takes effect changed", "changes when something takes effect: {}"),
    ("date changed", "changes a date: {}"),
    ("announced changes brought forward, giving less notice", "brings forward when announced changes take effect: {}"),
    ("negation removed", "drops a negation: {}"),
    ("negation added", "adds a negation: {}"),
    ("meaning reversed", "turns a word into its opposite: {}"),
    ("limitation removed", "drops a limitation: {}"),
    ("limitation added", "adds a limitation: {}"),
    ("obligation turned into permission", "turns a duty into an option: {}"),
    ("permission turned into obligation", "turns an option into a duty: {}"),
    ("modality changed", "changes what must or may be done: {}"),
    ("power widened", "widens what it may do: {}"),
    ("list extended in a clause that binds", "extends a rule you must follow to {}"),
    ("exception to a promise widened", "makes an exception to a promise for {}"),
    ("commitment removed", "drops the commitment {}"),
    ("table entry changed", "changes a table entry: {}"),
    ("wording changed", "rewords a clause in substance: {}"),
    ("text added", "adds {}"),
    ("paragraph added", "adds {}"),
    ("text removed", "removes {}"),
    ("paragraph removed", "removes {}"),
)
# Reasons that only say again what a practice phrase said: left out of the sentence when one is there.
_CARRIERS = ("text added", "paragraph added", "text removed", "paragraph removed", "wording changed")
_FAVOUR = " (in the user's favour)"
# Reasons about the wording of a promise ("negation removed: 'do not sell' → 'may sell'"): said as the words.
_SAYS = frozenset(
    [
        "negation removed",
        "negation added",
        "meaning reversed",
        "limitation removed",
        "limitation added",
        "obligation turned into permission",
        "permission turned into obligation",
        "modality changed",
        "wording changed",
    ]
)
_SWAP = re.compile(r"^'(?P<old>.*)' → '(?P<new>.*)'$")
_DEFINITION = re.compile(
    r"^definition of '(?P<term>[^']+)' (?P<what>widened|narrowed|changed): (?P<words>.*?); (?P<uses>.*)$"
)
_REWRITTEN = re.compile(r"^section rewritten: (?P<name>.*) \((?P<share>\d+)% of its words replaced\)$")
_MINOR_HEADS = {
    "new security commitment": "adds the safeguard {}",
    "new user right": "states the right to {}",
    "contact added": "adds a contact: {}",
    "retention period shortened": "shortens how long it keeps data: {}",
    "commitment added": "commits to more: {}",
    "practice narrowed": "does less with your data: {}",
    "examples removed": "drops examples, the clause still reaching as far: {}",
    "more the company promises not to do": "promises not to {} as well",
    "duty on the user dropped": "drops a duty on you: {}",
    "duty on the user removed": "drops a rule you had to follow: {}",
    "ban on the user lifted": "lifts a ban on you ({})",
    "the user may now": "gives you leave: {}",
    "announced changes put off, giving more notice": "puts off when announced changes take effect: {}",
}


def sentence(classification: str, reasons: list[str]) -> str:
    """One sentence saying what a change does, in plain words: its practices grouped, each named once."""
    if not reasons:
        return ""
    said: list[tuple[str, bool]] = []  # (phrase, whether it only carries the words of another)
    for reason in reasons:
        label, _, rest = reason.partition(": ")
        rest = rest.removesuffix(_FAVOUR)
        if m := _DEFINITION.match(reason):
            said.append((_definition(m), False))
        elif m := _REWRITTEN.match(reason):
            said.append((f"rewrites the section {m['name']} ({m['share']}% of its words)", False))
        elif label in _MINOR_HEADS and reason.endswith(_FAVOUR):
            words = rest if _SWAP.match(rest) else _unquote(rest).rstrip(".")
            said.append((_MINOR_HEADS[label].format(words) + ", in your favour", False))
        elif label in _SAYS and (m := _SWAP.match(rest)):
            said.append((f"now says '{m['new']}' where it said '{m['old']}'", False))
        elif phrase := _PRACTICE_OF.get(label):
            if label in ("new activity", "activity removed"):
                rest = rest.split(" (", 1)[0]  # the quoted words follow in brackets: the verbs say it
            said.append((phrase.format(rest), label in _CARRIERS))
    if any(not carrier for _, carrier in said):
        said = [(p, c) for p, c in said if not c]
    phrases = list(dict.fromkeys(p for p, _ in said))
    if not phrases:
        return _editorial(classification, reasons)
    text = _join(phrases)
    return text[:1].upper() + text[1:] + "."


_PRACTICE_OF = dict(_PRACTICES)


def _definition(m: re.Match[str]) -> str:
    words = m["words"].removeprefix("now also ").removeprefix("no longer ")
    what = {
        "widened": f"widens what '{m['term']}' means to include {words}",
        "narrowed": f"narrows what '{m['term']}' means, leaving out {words}",
    }.get(m["what"], f"changes what '{m['term']}' means: {words}")
    return f"{what} ({m['uses']})"


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) > 1 and text[0] == text[-1] == "'" else text


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _editorial(classification: str, reasons: list[str]) -> str:
    """A minor change said as what kind of edit it is: "Editorial: spelling corrected, link changed."."""
    kinds = list(dict.fromkeys(r.partition(": ")[0].removesuffix(_FAVOUR) for r in reasons))
    head = "Editorial" if classification != "material" else "Changed"
    return f"{head}: {', '.join(kinds[:3])}{' and more' if len(kinds) > 3 else ''}."
