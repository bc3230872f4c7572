"""What was decided and promised: resolutions, recommendations and actions, found in the papers.

Three kinds:

* ``resolution``     — what the meeting resolved: "Resolved – That the Committee: 1. … 5. Requests …"
                       (one per numbered item), "The Minutes … were agreed as a correct record".
* ``recommendation`` — a paper's recommendations to the committee ("1) Recommendation That the
                       Committee be asked to: (a) accept …") and an inspection's ("What needs to
                       improve?", "Areas for improvement", "Recommendations").
* ``action``         — commitments and requests in the discussion: "Officers agreed to …",
                       "Members wanted a future performance report to include …", "she would
                       bring these details back to the Panel", "It was agreed to invite …".

Each carries who it falls to where the text says (from ``minutebook.council.speakers``) and, through the
passage it sits in, the committee, meeting date, minute number and page for a citation.
Extraction is pure text work on a paper; ``from_index`` and ``search`` run it over an index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from minutebook.answer.cite import format_citation
from minutebook.council.speakers import Person, Statement, split_sentences, statements
from minutebook.types import Filters, Hit

KINDS = ("resolution", "recommendation", "action")


@dataclass(frozen=True, slots=True)
class Found:
    """A decision in a paper's text, before it is tied to a passage of the index."""

    kind: str
    start: int  # text[start:end] holds it
    end: int
    text: str  # whitespace collapsed
    number: str | None = None  # "5" for item 5 of a resolution, "a" for recommendation (a)
    owners: tuple[Person, ...] = ()  # who it falls to, where the text says
    raised_by: tuple[Person, ...] = ()  # who asked for it


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision with where it was made: ``hit`` is the passage holding it (score 0 when listed)."""

    kind: str
    text: str
    number: str | None
    owners: tuple[Person, ...]
    raised_by: tuple[Person, ...]
    citation: str
    hit: Hit
    start_char: int  # in the paper's text
    end_char: int
    score: float = 0.0


# --- resolutions ----------------------------------------------------------------------------

_RESOLVED = re.compile(r"\b(?:RESOLVED|Resolved|It was resolved|It was RESOLVED)\b[\s\xa0]*(?:[–—:-][\s\xa0]*)?")
_RECORD = re.compile(
    r"\b(?:were|was)\s+(?:agreed|approved|confirmed|signed)\s+as\s+a\s+(?:correct|true|accurate)\s+record", re.I)
_ITEM = re.compile(r"^[ \t\xa0]*(?:[-•◼▪]\s*)?\(?(?P<label>\d{1,3}|[a-z]|[ivx]{1,4})[.)][ \t\xa0]+(?=\S)", re.M)
_BULLET = re.compile(r"^[ \t\xa0]*(?:\d{1,3}[ \t]+)?[◼▪•●][ \t\xa0]*(?=\S)", re.M)  # "1 ◼": a page number
MAX_ITEM_CHARS = 700  # a list item longer than this is the text after the list
_SPACE = re.compile(r"\s+")


def _lines(text: str, start: int, limit: int = 200) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    while pos < len(text) and len(out) < limit:
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        out.append((pos, end))
        pos = end + 1
    return out


def _items(text: str, start: int, *, numbered: bool = True, bullets: bool = True,
           max_items: int = 25) -> list[tuple[str | None, int, int]]:
    """The list after ``start``: (label, start, end) per item, wrapped lines joined.

    Blank lines between items are allowed; the list ends at the first line that neither
    starts an item nor continues an unfinished one.
    """
    items: list[list] = []
    for a, b in _lines(text, start):
        line = text[a:b]
        if not line.strip(" \t\xa0\f"):
            continue
        m = _ITEM.match(line) if numbered else None
        if m and items and not _follows(items[-1][0], m.group("label")):
            m = None  # "2) Background" after "(a)": the next section, not the next item
        bm = _BULLET.match(line) if bullets else None
        if items and (items[0][0] is None) != (m is None):
            m = bm = None  # numbered after bullets, or bullets after numbers: another list
        if m or bm:
            if len(items) >= max_items:
                break
            label = m.group("label") if m else None
            items.append([label, a + (m.end() if m else bm.end()), b])  # type: ignore[union-attr]
            continue
        if items and not re.search(r"[.;:)]\s*$", text[items[-1][1]:items[-1][2]]):
            if b - items[-1][1] > MAX_ITEM_CHARS:
                cut = text.rfind(". ", items[-1][1], items[-1][2])
                if cut > 0:
                    items[-1][2] = cut + 1
                break  # not a wrapped line but the text after an unpunctuated list
            items[-1][2] = b  # a wrapped line of the item
            continue
        if not items and len(line.strip()) < 120 and re.search(r":\s*$", line):
            continue  # "That the Committee be asked to:" before the list
        break
    return [(lab, s, e) for lab, s, e in items]


def _follows(previous: str | None, label: str) -> bool:
    """Whether list label ``label`` can come after ``previous``: 1 then 2, a then b, bullets anywhere."""
    if previous is None:
        return True
    if previous.isdigit():
        return label.isdigit() and int(label) == int(previous) + 1
    if len(previous) == 1 and len(label) == 1 and previous.isalpha():
        return ord(label) == ord(previous) + 1
    return not label.isdigit()


def _resolutions(text: str) -> list[Found]:
    out: list[Found] = []
    for m in _RESOLVED.finditer(text):
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        head = text[m.end():line_end].strip(" \t\xa0")
        if head.endswith(":") or not head:
            for label, a, b in _items(text, line_end + 1, bullets=False):
                out.append(Found("resolution", a, b, _tidy(text[a:b]), label))
            continue
        end = _sentence_end(text, m.start())
        out.append(Found("resolution", m.start(), end, _tidy(text[m.start():end])))
    for m in _RECORD.finditer(text):
        a, b = _sentence_around(text, m.start())
        out.append(Found("resolution", a, b, _tidy(text[a:b])))
    return out


# --- recommendations ------------------------------------------------------------------------

_REC_HEADING = re.compile(
    r"^[ \t\xa0#*]*(?:\d{1,2}[.)]?[ \t\xa0]*)?(?:Recommendations?|What needs to improve\??|Areas? for (?:priority )?"
    r"improvement|What the (?:local )?authority needs to improve)[ \t\xa0*:?]*$",
    re.M | re.I,
)
_COMMITTEE = re.compile(r"\b(?:the|The)\s+(?:[A-Z][\w'’]*\s+){0,4}(?:Committee|Panel|Cabinet|Council)\b")


def _recommendations(text: str) -> list[Found]:
    out: list[Found] = []
    for m in _REC_HEADING.finditer(text):
        items = _items(text, m.end() + 1)
        lead_end = items[0][1] if items else None
        if items:
            lead = text[m.end():lead_end]
            owner = _owner_named(lead)
            for label, a, b in items:
                out.append(Found("recommendation", a, b, _tidy(text[a:b]), label, owner))
            continue
        # A paragraph rather than a list: "The Committee accepts this report as …"
        para = re.search(r"\S[^\n]*(?:\n(?![ \t\xa0]*\n)[^\n]*)*", text[m.end():])
        if para and len(para.group()) > 20:
            a = m.end() + para.start()
            b = m.end() + para.end()
            if b - a > MAX_ITEM_CHARS:  # extracted PDF text without blank lines: keep whole sentences
                cut = text.rfind(". ", a, a + MAX_ITEM_CHARS)
                if cut < 0:
                    continue
                b = cut + 1
            out.append(Found("recommendation", a, b, _tidy(text[a:b]), None, _owner_named(text[a:b])))
    return out


def _owner_named(text: str) -> tuple[Person, ...]:
    m = _COMMITTEE.search(text)
    return (Person(_tidy(m.group()).removeprefix("The ").removeprefix("the "), None, "member"),) if m else ()


# --- actions ------------------------------------------------------------------------------------

_COMMIT = re.compile(
    r"\bagreed to (?!a\b|the\b|this report\b|be\b)\w+"
    r"|\bagreed that (?:he|she|they|officers|it|the \w+(?: \w+)?)\b[^.]{0,80}?\b(?:would|will|should|could)\b"
    r"|\b(?:would|will|could|can|to) be (?:brought|shared|circulated|provided|reported|presented|sent|submitted|"
    r"given|made available)\b[^.]{0,60}?\b(?:Panel|Committee|Members|meeting|Scrutiny|councillors)\b"
    r"|\bwill be coming (?:back )?to (?:the )?(?:Scrutiny|Committee|Panel)"
    r"|\b(?:would|will)(?: be able to)? bring\b[^.]{0,80}?\bback\b"
    r"|\b(?:was|were|is|are) happy to (?:update|share|provide|bring|circulate|report|arrange)"
    r"|\bconfirmed that (?:she|he|they) would\b"
    r"|\b(?:would like to|undertook to|offered to|promised to|committed to) (?:invite|share|provide|bring|circulate|"
    r"arrange|report|look|update|send)\b"
    r"|\bindicated (?:that )?(?:they|she|he) (?:could|would|will)\b"
    r"|\bIt was agreed (?:to|that)\b",
)
_REQUEST = re.compile(
    r"\b(?:Members|Councillors|the Committee|the Panel|A Member)\b[^.]{0,20}?\b(?:wanted|requested|asked for|"
    r"asked that|would like|requests? that)\b[^.]{0,140}?\b(?:report|data|update|information|details|briefing|"
    r"include|brought|shared|circulated)\b",
)
_ANAPHORIC = re.compile(r"\bagreed to (?:do (?:this|so|that)|this|look into (?:this|it))\b")


def _actions(text: str, committee: str | None, taken: list[tuple[int, int]]) -> list[Found]:
    candidates = [(a, b, blk) for a, b, blk in split_sentences(text)
                  if (_COMMIT.search(text, a, b) or _REQUEST.search(text, a, b))
                  and not any(s <= a < e for s, e in taken) and not _RECORD.search(text, a, b)]
    if not candidates:
        return []
    said = _speaker_index(statements(text, committee=committee), split_sentences(text))
    out: list[Found] = []
    for a, b, block in candidates:
        people = said.get(a, ((), block))[0] or _carried(said, a, block)
        if _REQUEST.search(text, a, b):
            out.append(Found("action", a, b, _tidy(text[a:b]), None, (), people))
            continue
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == "action" and not prev.owners and prev.raised_by
                and _ANAPHORIC.search(text, a, b) and said.get(prev.start, ((), -1))[1] == block):
            # "Members wanted a report to include … Officers agreed to do this": one action.
            out[-1] = replace(prev, owners=people, end=b, text=_tidy(text[prev.start:b]))
            continue
        owners = () if re.match(r"\s*It was agreed", text[a:b]) else people
        out.append(Found("action", a, b, _tidy(text[a:b]), None, owners))
    return out


def _speaker_index(found: list[Statement], sentences: list[tuple[int, int, int]]
                   ) -> dict[int, tuple[tuple[Person, ...], int]]:
    """Sentence start -> (people speaking in it, block number)."""
    blocks = {a: blk for a, _b, blk in sentences}
    out: dict[int, tuple[tuple[Person, ...], int]] = {}
    for a, b, _blk in sentences:
        people: list[Person] = []
        for st in found:
            if st.start < b and st.end > a:
                people.extend(p for p in st.people if p not in people)
        out[a] = (tuple(people), blocks[a])
    return out


def _carried(said: dict[int, tuple[tuple[Person, ...], int]], start: int, block: int) -> tuple[Person, ...]:
    """The last speaker earlier in the same bullet or paragraph: "Once finalised the report could be shared"."""
    best: tuple[Person, ...] = ()
    for a, (people, blk) in said.items():
        if a < start and blk == block and people:
            best = people
    return best


# --- the whole paper ----------------------------------------------------------------------------


def extract(text: str, committee: str | None = None) -> list[Found]:
    """Every resolution, recommendation and action in a paper's text, in reading order."""
    formal = _resolutions(text) + _recommendations(text)
    taken = [(f.start, f.end) for f in formal]
    found = formal + _actions(text, committee, taken)
    found.sort(key=lambda f: (f.start, f.end))
    unique: list[Found] = []
    for f in found:
        if unique and unique[-1].start <= f.start < unique[-1].end and unique[-1].kind == f.kind:
            continue
        unique.append(f)
    return unique


def _tidy(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def _sentence_end(text: str, start: int) -> int:
    m = re.compile(r"[.!?](?=\s)|\n[ \t\xa0]*\n").search(text, start)
    return m.end() if m else len(text)


def _sentence_around(text: str, pos: int) -> tuple[int, int]:
    for a, b, _blk in split_sentences(text, max(0, pos - 600), min(len(text), pos + 600)):
        if a <= pos < b:
            return a, b
    return pos, _sentence_end(text, pos)


# --- over an index --------------------------------------------------------------------------------


def matches_person(people: Iterable[Person], speaker: str | None, role: str | None) -> bool:
    """Whether any of ``people`` is the ``speaker`` (substring of name or position) with ``role``."""
    want = (speaker or "").casefold()
    for p in people:
        if role and p.role != role:
            continue
        if want and want not in (p.name or "").casefold() and want not in (p.position or "").casefold():
            continue
        return True
    return False


def keep(decision: Decision, kinds: Sequence[str] | None, filters: Filters | None) -> bool:
    """Whether ``decision`` passes the --kind, --speaker and --role filters."""
    if kinds and decision.kind not in kinds:
        return False
    speaker = getattr(filters, "speaker", None) if filters else None
    role = getattr(filters, "role", None) if filters else None
    if speaker or role:
        return matches_person((*decision.owners, *decision.raised_by), speaker, role)
    return True


def citation_of(kind: str, number: str | None, hit: Hit) -> str:
    """"…, 8 Jun 2022, item 7.15(5), p. 1": the minute with the resolution's item number."""
    if number and number.isdigit() and (hit.minute is None or hit.minute.isdigit()):
        # A numbered paragraph (an inspection's recommendation 48) is cited by its own number.
        return format_citation(replace(hit, minute=number))
    if number and hit.minute:
        return format_citation(replace(hit, minute=f"{hit.minute}({number})"))
    if number:
        return format_citation(hit) + f", {kind} ({number})"
    return format_citation(hit)


def _without_speaker(filters: Filters | None) -> Filters | None:
    """The filters that choose papers; who a decision falls to is checked on the decision itself."""
    return replace(filters, speaker=None, role=None) if filters is not None else None


def _doc_ids(store, filters: Filters | None) -> list[int]:
    from minutebook.search.hybrid import filter_sql

    where, args = filter_sql(_without_speaker(filters))
    rows = store.conn.execute(
        f"SELECT DISTINCT d.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE {where}", args)
    return [int(r[0]) for r in rows]


def _hit_for(doc, chunk_id: int, chunk, text: str) -> Hit:
    m = doc.metadata
    return Hit(chunk_id=chunk_id, doc_id=doc.id, score=0.0, path=doc.path, title=m.title, council=m.council,
               committee=m.committee, date=m.meeting_date, doc_type=m.doc_type, page=chunk.page,
               section=chunk.section, minute=chunk.minute, start_char=chunk.start_char, end_char=chunk.end_char,
               text=chunk.text, boilerplate=chunk.boilerplate)


def decisions_in(store, doc_id: int, kinds: Sequence[str] | None = None,
                 filters: Filters | None = None) -> list[Decision]:
    """The decisions in one indexed paper, each tied to the passage that holds its start."""
    row = store.conn.execute("SELECT path FROM documents WHERE id = ?", (doc_id,)).fetchone()
    doc = store.document_by_path(row[0]) if row else None
    if doc is None:
        return []
    text = store.document_text(doc_id)
    chunks = store.chunks_of(doc_id)
    out: list[Decision] = []
    for f in extract(text, doc.metadata.committee):
        holder = next((c for c in chunks if c.chunk.start_char <= f.start < c.chunk.end_char), None)
        if holder is None:
            holder = min(chunks, key=lambda c: abs(c.chunk.start_char - f.start), default=None)
        if holder is None:
            continue
        hit = _hit_for(doc, holder.id, holder.chunk, text)
        d = Decision(f.kind, f.text, f.number, f.owners, f.raised_by, citation_of(f.kind, f.number, hit), hit,
                     f.start, f.end)
        if keep(d, kinds, filters):
            out.append(d)
    return out


def from_index(store, filters: Filters | None = None,
               kinds: Sequence[str] | None = None) -> list[Decision]:
    """Every decision in the indexed papers that passes the filters, oldest meeting first."""
    out: list[Decision] = []
    for doc_id in _doc_ids(store, filters):
        out.extend(decisions_in(store, doc_id, kinds, filters))
    out.sort(key=lambda d: (d.hit.date or "9999", d.hit.path, d.start_char))
    return out


def search(searcher, store, query: str, filters: Filters | None = None,
           kinds: Sequence[str] | None = None, top_k: int = 40) -> list[Decision]:
    """Decisions about ``query``: ranked by the hybrid searcher over the passages holding them.

    A decision is kept when its own words match the query (stems and glossary terms) or it
    sits in a passage the searcher ranks close to the best; those matching by their own words
    come first.
    """
    from minutebook.council.timeline import topic_of

    topic = topic_of(query)
    result = searcher.search(query, _without_speaker(filters), top_k)
    if not result.hits:
        return []
    best = max(h.score for h in result.hits) or 1.0
    ranked: list[tuple[int, float, Decision]] = []
    seen: set[tuple[int, int]] = set()
    for doc_id in dict.fromkeys(h.doc_id for h in result.hits):
        hits = [h for h in result.hits if h.doc_id == doc_id]
        for d in decisions_in(store, doc_id, kinds, filters):
            if (doc_id, d.start_char) in seen:
                continue
            own = topic.mentioned_in(d.text)
            near = max((h.score for h in hits if h.start_char <= d.start_char < h.end_char), default=0.0)
            if own or (near >= 0.6 * best and not result.weak):
                seen.add((doc_id, d.start_char))
                ranked.append((int(own), near, replace(d, score=round(near, 4))))
    ranked.sort(key=lambda r: (-r[0], -r[1], r[2].hit.date or "", r[2].start_char))
    return [d for _own, _near, d in ranked]
