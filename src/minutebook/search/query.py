"""What a person types, understood: phrases, exclusions, keywords, and filter values."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from minutebook.errors import QueryError
from minutebook.text.words import STOPWORDS, fold
from minutebook.types import DOC_TYPES, Filters

# Who a passage is attributed to (minutebook.council.speakers.ROLES; kept here so parsing a query imports nothing more).
SPEAKER_ROLES = ("member", "officer", "cabinet")

_TOKEN = re.compile(r"-?\"[^\"]*\"|\S+")
_WORD = re.compile(r"[\w'’]+")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    raw: str
    text: str  # what the dense model reads: the query without operators
    terms: tuple[str, ...]  # keywords for ranking (lower case, stopwords removed)
    phrases: tuple[str, ...]  # "exact phrases" a passage must contain
    excluded: tuple[str, ...]  # -words and -"phrases" a passage must not contain
    expanded: tuple[str, ...] = ()  # glossary terms the papers use for the same thing


def parse_query(raw: str) -> ParsedQuery:
    """Split a query into keywords, required "phrases" and -excluded words."""
    if not raw.strip():
        raise QueryError("the query is empty", 'Type some words, a "quoted phrase", or -word to exclude.')
    terms: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    plain: list[str] = []
    for token in _TOKEN.findall(fold(raw)):
        negative = token.startswith("-") and len(token) > 1
        body = token[1:] if negative else token
        if len(body) > 1 and body.startswith('"') and body.endswith('"'):
            phrase = " ".join(_WORD.findall(body.strip('"').lower()))
            if not phrase:
                continue
            (excluded if negative else phrases).append(phrase)
            if not negative:
                plain.append(body.strip('"'))
                terms.extend(w for w in phrase.split() if w not in STOPWORDS)
            continue
        words = [w.lower() for w in _WORD.findall(body)]
        if negative:
            excluded.extend(words)
            continue
        plain.append(body)
        terms.extend(w for w in words if (w not in STOPWORDS and not w.isdigit()) or (w.isdigit() and len(w) > 1))
    if not terms and not phrases:
        terms = [w.lower() for w in _WORD.findall(" ".join(plain))]
    seen: set[str] = set()
    unique = [t for t in terms if not (t in seen or seen.add(t))]  # type: ignore[func-returns-value]
    from minutebook.council.glossary import expansions

    text = " ".join(plain).strip() or raw
    return ParsedQuery(raw, text, tuple(unique), tuple(phrases), tuple(excluded), expansions(text))


def dense_text(q: ParsedQuery) -> str:
    """What the embedding model reads: the query, widened with glossary terms when it uses any."""
    return f"{q.text} ({', '.join(q.expanded)})" if q.expanded else q.text


# Words of a speaker's label that do not tell one speaker from another.
_TITLES = frozenset({"the", "mr", "mrs", "ms", "miss", "dr", "cllr", "councillor", "sir", "dame", "lord", "lady"})


def named_speakers(text: str, speakers: set[str]) -> set[str]:
    """The speakers among ``speakers`` (labels as the papers give them) that a question names.

    A label is named by itself, in any case ("what did the project manager say" names "Project
    Manager"), or by a word of it that no other label has, written as the label writes it and not
    opening the question ("F" names "PhD F" but "A" opening "A budget…" names nobody; "Hughes"
    names "Cllr Hughes"). Titles ("Cllr", "Dr", "The") tell nobody apart.
    """
    words = _WORD.findall(text)
    lower = " " + " ".join(words).lower() + " "
    inner = " " + " ".join(words[1:]) + " "
    found = {s for s in speakers if _WORD.findall(s) and " " + " ".join(_WORD.findall(s)).lower() + " " in lower}
    owners: dict[str, set[str]] = {}
    for s in speakers:
        for w in _WORD.findall(s):
            if w.lower() not in _TITLES:
                owners.setdefault(w, set()).add(s)
    for w, labels in owners.items():
        if len(labels) == 1 and " " + w + " " in inner:
            found |= labels
    return found


def loosen_phrases(q: ParsedQuery) -> ParsedQuery:
    """``q`` with its "quoted phrases" read as words to rank by, not text a passage must hold.

    For a phrase that no passage holds: a paraphrase typed in quotes ("the budget was
    overspent") then finds the passages nearest to its words and meaning instead of nothing.
    """
    if not q.phrases:
        return q
    terms = q.terms or tuple(dict.fromkeys(w for p in q.phrases for w in p.split()))
    return replace(q, terms=terms, phrases=())


def phrase_notice(q: ParsedQuery) -> str:
    """What a person is told when no passage holds the quoted phrases of ``q``."""
    quoted = " ".join(f'"{p}"' for p in q.phrases)
    if len(q.phrases) == 1:
        return f"No passage holds the exact phrase {quoted}: showing the passages nearest to it in words and meaning."
    return f"No passage holds all the phrases {quoted}: showing the passages nearest to them in words and meaning."


def expansion_expression(q: ParsedQuery) -> str | None:
    """An FTS5 expression matching the glossary terms (scored at a lower weight)."""
    if not q.expanded:
        return None
    expr = "(" + " OR ".join(_fts_quote(t) for t in q.expanded) + ")"
    for word in q.excluded:
        expr += " NOT " + _fts_quote(word)
    return expr


def _fts_quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_expression(q: ParsedQuery) -> str | None:
    """An FTS5 MATCH expression: any keyword ranks, phrases are required, exclusions removed.

    Every piece of user input is quoted, so FTS5 operators typed by a person are text.
    """
    parts: list[str] = []
    if q.terms:
        parts.append("(" + " OR ".join(_fts_quote(t.replace("’", "'")) for t in q.terms) + ")")
    for phrase in q.phrases:
        parts.append(_fts_quote(phrase))
    if not parts:
        return None
    expr = " AND ".join(parts)
    for word in q.excluded:
        expr += " NOT " + _fts_quote(word)
    return expr


# --- dates -----------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9


def parse_date_bound(value: str, *, end: bool) -> str:
    """'2021-07-29', '2021-07', '2021', 'July 2021', '29 July 2021' -> an ISO date.

    ``end`` picks the last day of a month or year (for --until), otherwise the first.
    """
    s = value.strip().lower().replace(",", " ")
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", s)
    if m:
        year, month, day = int(m[1]), m[2], m[3]
        return _bound(year, int(month) if month else None, int(day) if day else None, end, value)
    m = re.fullmatch(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?\s+(\d{4})", s)
    if m and m[2] in _MONTHS:
        return _bound(int(m[3]), _MONTHS[m[2]], int(m[1]) if m[1] else None, end, value)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s)
    if m:
        return _bound(int(m[3]), int(m[2]), int(m[1]), end, value)
    raise QueryError(
        f"cannot read the date {value!r}",
        "Use 2021-07-29, 2021-07, 2021, 'July 2021' or '29 July 2021'.",
    )


def _bound(year: int, month: int | None, day: int | None, end: bool, raw: str) -> str:
    try:
        if month is None:
            return date(year, 12, 31).isoformat() if end else date(year, 1, 1).isoformat()
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last if end else 1).isoformat()
        return date(year, month, day).isoformat()
    except ValueError:
        raise QueryError(f"there is no such date as {raw!r}") from None


def make_filters(
    committee: str | None = None,
    council: str | None = None,
    doc_type: str | None = None,
    since: str | None = None,
    until: str | None = None,
    speaker: str | None = None,
    role: str | None = None,
    paper: str | int | None = None,
    where: Sequence[str] | str | None = None,
) -> Filters:
    """Filters from the values a person typed, checked and normalised.

    ``where`` holds tests on paper attributes, ``"overall_effectiveness_grade=inadequate"``
    (``minutebook.ingest.attributes``); every one must hold.
    """
    from minutebook.ingest.attributes import parse_condition

    conditions = tuple(parse_condition(w) for w in ([where] if isinstance(where, str) else where or ()))
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise QueryError(f"unknown document type {doc_type!r}", f"Use one of: {', '.join(DOC_TYPES)}.")
    if role is not None and role not in SPEAKER_ROLES:
        raise QueryError(f"unknown role {role!r}", f"Use one of: {', '.join(SPEAKER_ROLES)}.")
    if speaker is not None and not speaker.strip():
        raise QueryError("--speaker is empty", "Give a name or title, e.g. --speaker Leadbetter.")
    if paper is not None and not str(paper).strip():
        raise QueryError("--paper is empty", "Give a paper's id (doc_id in search results) or its file's path.")
    lo = parse_date_bound(since, end=False) if since else None
    hi = parse_date_bound(until, end=True) if until else None
    if lo and hi and lo > hi:
        raise QueryError(f"--since {since} is after --until {until}")
    return Filters(committee=committee or None, council=council or None, doc_type=doc_type, since=lo, until=hi,
                   speaker=speaker.strip() if speaker else None, role=role,
                   paper=str(paper).strip() if paper is not None else None, where=conditions)
