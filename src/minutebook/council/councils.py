"""One identity per council: a canonical name, the other names it goes by, and how a name is matched.

"Devon" (the Ofsted manifest), "Devon County Council" (the paper's letterhead) and "devon"
(typed after ``--council``) are one council. A name is reduced to its **key**: typography
folded, lower case, "&" read as "and", punctuation dropped, and the kind of council
("County Council", "City Council", "Borough Council", "London Borough of", "City of" …)
removed. Two names are the same council when their keys are equal — never when one merely
contains the other, so ``york`` is York, not North Yorkshire or East Riding of Yorkshire.

The canonical name shown in citations is the place name in title case ("Devon",
"Bournemouth, Christchurch and Poole", "York"); the names a paper uses are kept beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from minutebook.text.words import fold

_SMALL = frozenset({"and", "of", "the", "upon", "on", "in", "under", "with", "le"})
_KIND = re.compile(
    r"\s+(?:(?:county|city|borough|district|metropolitan(?:\s+borough|\s+district)?)\s+)?council$", re.IGNORECASE
)
_PREFIX = re.compile(
    r"^(?:the\s+)?(?:(?:london|royal)\s+borough\s+of|city\s+and\s+county\s+of|city\s+of|county\s+of|"
    r"borough\s+of|council\s+of\s+the|metropolitan\s+borough\s+of)\s+",
    re.IGNORECASE,
)
_LA_SUFFIX = re.compile(r"\s+(?:local authority|children'?s services)$", re.IGNORECASE)
# Names people use that the rules above cannot derive (key -> canonical key).
ALIASES = {
    "hull": "kingston upon hull",
    "bcp": "bournemouth christchurch and poole",
    "county durham": "durham",
    "city of london": "london corporation",
    "london": "london corporation",
    "st. helens": "st helens",
    "saint helens": "st helens",
    "telford": "telford and wrekin",
    "windsor and maidenhead": "windsor and maidenhead",
    "southend": "southend on sea",
    "stockton": "stockton on tees",
    "stoke": "stoke on trent",
    "newcastle": "newcastle upon tyne",
    "brighton": "brighton and hove",
}


def council_key(name: str) -> str:
    """The identity of a council name: ``"Devon County Council"`` and ``"devon"`` -> ``"devon"``."""
    s = fold(name).lower().replace("&", " and ")
    s = re.sub(r"[^\w\s']+", " ", s).replace("'", "")
    s = " ".join(s.split())
    s = _LA_SUFFIX.sub("", s)
    s = _PREFIX.sub("", s)
    s = _KIND.sub("", s).strip()
    return ALIASES.get(s, s)


def display_name(name: str | None) -> str | None:
    """The canonical name of a council, for citations and lists: ``"Devon County Council"`` -> ``"Devon"``."""
    if not name or not name.strip():
        return None
    s = " ".join(fold(name).replace("&", " and ").split())
    s = _KIND.sub("", _PREFIX.sub("", _LA_SUFFIX.sub("", s))).strip() or s
    if s.islower() or s.isupper():
        s = " ".join(_title_word(w, i) for i, w in enumerate(s.lower().split()))
    return s


def _title_word(word: str, position: int) -> str:
    if position and word in _SMALL:
        return word
    return "-".join(p if p in _SMALL and j else p[:1].upper() + p[1:] for j, p in enumerate(word.split("-")))


def same_council(a: str | None, b: str | None) -> bool:
    """Whether two names are one council (``"Devon"`` and ``"Devon County Council"``)."""
    return bool(a and b and council_key(a) == council_key(b))


def matching(name: str, known: Iterable[str]) -> list[str]:
    """The councils in ``known`` that ``name`` is (exact identity, see the module docstring)."""
    key = council_key(name)
    return [k for k in known if council_key(k) == key]


def _tokens(text: str) -> list[str]:
    s = fold(text).lower().replace("&", " and ")
    return re.sub(r"[^\w\s]+", " ", s.replace("'s ", " ").replace("'", "")).split()


def named_in(text: str, known: Iterable[str]) -> list[str]:
    """The councils of ``known`` that ``text`` names, longest name first.

    A name counts only as whole words ("Yorkshire" does not name York), and a name inside a
    longer one that is also named counts once ("North Yorkshire" does not also name a
    council called "Yorkshire"). "of" and "the" are optional in the text ("East Riding
    Yorkshire").
    """
    words = _tokens(text)
    dropped = [w for w in words if w not in ("of", "the")]
    by_key: dict[tuple[str, ...], list[str]] = {}
    for council in known:
        key = council_key(council)
        if len(key) < 3:
            continue
        by_key.setdefault(tuple(w for w in key.split() if w not in ("of", "the")), []).append(council)
    for alias, target in ALIASES.items():
        tokens = tuple(w for w in alias.split() if w not in ("of", "the"))
        for key_tokens, councils in list(by_key.items()):
            if " ".join(key_tokens) == " ".join(w for w in target.split() if w not in ("of", "the")):
                by_key.setdefault(tokens, []).extend(c for c in councils if c not in by_key.get(tokens, []))
    taken = [False] * len(dropped)
    found: list[str] = []
    for key_tokens in sorted(by_key, key=len, reverse=True):
        n = len(key_tokens)
        for i in range(len(dropped) - n + 1):
            if tuple(dropped[i:i + n]) == key_tokens and not any(taken[i:i + n]):
                taken[i:i + n] = [True] * n
                found.extend(c for c in by_key[key_tokens] if c not in found)
    return found


def name_words(council: str) -> set[str]:
    """The words of a council's name that say *where* ("west", "sussex"), without its kind ("county council")."""
    return set(council_key(council).split())


def _unaliased_key(name: str) -> str:
    """``council_key`` without the table of other names ("BCP" stays "bcp")."""
    s = fold(name).lower().replace("&", " and ")
    s = " ".join(re.sub(r"[^\w\s']+", " ", s).replace("'", "").split())
    return _KIND.sub("", _PREFIX.sub("", _LA_SUFFIX.sub("", s))).strip()


def canonical_names(given: Iterable[tuple[str, str, int]]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each council's canonical name and the other names its papers use, from (key, name given, papers).

    The canonical name is the place name as ``display_name`` gives it ("Devon County Council" ->
    "Devon"), chosen among the names the council's papers use: a full name before an abbreviation
    ("Bournemouth, Christchurch and Poole" before "BCP"), then the one most papers use, then the
    longest. The same papers give the same names in any order.
    """
    seen: dict[str, dict[str, int]] = {}
    for key, name, papers in given:
        if key and name:
            names = seen.setdefault(key, {})
            names[name] = names.get(name, 0) + int(papers)
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for key, names in seen.items():
        shown: dict[str, int] = {}
        for name, papers in names.items():
            s = display_name(name) or name
            shown[s] = shown.get(s, 0) + papers
        best = min(shown, key=lambda s: (_unaliased_key(s) != key, -shown[s], -len(s), s))
        out[key] = (best, tuple(sorted(n for n in names if n != best)))
    return out
