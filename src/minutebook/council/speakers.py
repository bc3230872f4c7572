"""Who said it: statements in minutes tied to the councillor, cabinet member or officer named.

Minutes report speech as "The Director advised…", "Cllr Russell introduced…", "Members raised
concerns…", "Officers agreed…". A paper's attendance list ("Cabinet Member for Children and
Schools: Councillor Andrew Leadbetter", "Catherine Driscoll (Director of Children, Families and
Communities)") and its introductions ("The Assistant Director (Children First Transformation),
Mr Clark, introduced…") tie titles to names and both to a role (``people``).

Only sentences whose subject names a speaker are attributed ("It was suggested that…" is not),
and "He"/"She"/"They" carry the speaker of the same paragraph or bullet. Pure text work: no
model, so it runs at index time for every paper.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from minutebook.chunking.turns import Turn, find_turns
from minutebook.council.people import ROLES, Person, Resolver, role_of, roster
from minutebook.types import Chunk, Document

__all__ = ["ROLES", "Attribution", "Person", "Resolver", "Statement", "attribute", "attributions_in", "role_of",
           "roster", "split_sentences", "statements", "subject_of"]


@dataclass(frozen=True, slots=True)
class Attribution:
    """A statement ``text[start:end]`` made by ``speaker`` (a name, a title, "Members", "Officers")."""

    speaker: str
    role: str | None
    position: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Statement:
    """A sentence of the paper and the people it says spoke, if any."""

    start: int
    end: int
    people: tuple[Person, ...]


# --- sentences and their subjects -------------------------------------------------------

_BLOCK_CUT = re.compile(r"\n[ \t\xa0]*\n|\f|\n(?=[ \t\xa0]*(?:[-•◼▪*]|\(?[a-z]\)|\d{1,3}(?:\.\d{1,3})*\.?)\s)")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'‘“(]?[A-Z0-9])")
_ABBREV = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Cllr|St|No|e\.g|i\.e|c|Nos|approx)\.$")
_LABEL = re.compile(r"^[ \t\xa0]*(?:[-•◼▪*]|\(?[a-z]\)|\d{1,3}(?:\.\d{1,3})*\.?)[ \t\xa0]+")

_VERBS = (
    "stated|said|advised|informed|confirmed|agreed|reported|suggested|acknowledged|commented|responded|asked|"
    "raised|questioned|highlighted|explained|introduced|assured|wanted|want|wants|welcomed|discussed|briefed|"
    "presented|gave|noted|expressed|indicated|felt|reminded|repeated|believed|referred|recognised|thanked|"
    "appraised|declared|emphasised|accepted|queried|requested|proposed|outlined|described|updated|added|"
    "undertook|offered|promised|made|would like|would wish|was confident|were confident|was sorry|"
    "were positive|was positive|were happy|was happy|is happy|are happy|sought|challenged|praised|"
    "requests|considered|invited|mentioned|replied|clarified|concluded|observed|urged|recommended"
)
_SUBJECT_VERB = re.compile(
    rf"^(?P<subj>[A-Z][^.;:!?]{{0,160}}?)\s+(?:(?:also|then|further|again|had|has|have|would|had also)\s+)?"
    rf"(?P<verb>{_VERBS})\b"
)
_LEAD_IN = re.compile(
    r"^(?:(?:In response(?: to [^,]{0,160})?|By way of introduction|With reference to [^,]{0,160}|In relation to "
    r"[^,]{0,160}|As [^,]{0,120}|Subsequently|However|In addition|Finally|Also|Similarly),\s+)"
)
_PRONOUN = re.compile(r"^(?:He|She|They)$")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """Sentences of ``text[start:end]`` as (start, end, block number); list labels are left out."""
    end = len(text) if end is None else end
    out: list[tuple[int, int, int]] = []
    cuts = [start, *(m.start() for m in _BLOCK_CUT.finditer(text, start, end)), end]
    for block_no, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
        block = text[a:b]
        label = _LABEL.match(block.lstrip("\n"))
        pos = (len(block) - len(block.lstrip("\n"))) + (label.end() if label else 0)
        for m in _SENTENCE_END.finditer(block, pos):
            if _ABBREV.search(block[max(pos, m.start() - 6):m.start()]):
                continue
            _push(out, text, a + pos, a + m.start(), block_no)
            pos = m.end()
        _push(out, text, a + pos, b, block_no)
    return out


def _push(out: list[tuple[int, int, int]], text: str, a: int, b: int, block: int) -> None:
    piece = text[a:b]
    if piece.strip():
        lead = len(piece) - len(piece.lstrip())
        out.append((a + lead, a + len(piece.rstrip()), block))


def subject_of(clause: str) -> str | None:
    """The phrase before a reporting verb: "The Director" in "The Director advised that…"."""
    text = re.sub(r"\s+", " ", clause).strip()
    lead = _LEAD_IN.match(text)
    for cand in ([text[lead.end():]] if lead else []) + [text]:
        m = _SUBJECT_VERB.match(cand[:1].upper() + cand[1:])
        if m and not re.search(r"\b(?:was|were|is|are|been|be)$|\b(?:who|which|whom)\b", m.group("subj")):
            # "At a meeting with the Director, a senior inspector had indicated": the inspector.
            return re.split(r",\s+(?=(?:a|an|the|he|she|they|it)\s)", m.group("subj"))[-1].strip(" ,")
    return None


_CLAUSE_DASH = re.compile(r"\s[–—-]\s")


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence cut at spaced dashes: "Topic – Members asked… – Officers responded…"."""
    cuts = [start, *(m.end() for m in _CLAUSE_DASH.finditer(text, start, end)), end]
    return list(zip(cuts, cuts[1:], strict=False))


def statements(text: str, people: Sequence[Person] | None = None, committee: str | None = None) -> list[Statement]:
    """Every sentence of ``text`` with the people its subject names (empty when none).

    A sentence whose dash-separated clauses name different speakers ("Members asked… –
    Officers responded…") gives one statement per speaking clause.
    """
    resolver = Resolver(roster(text) if people is None else people, committee)
    out: list[Statement] = []
    last: tuple[int, tuple[Person, ...]] | None = None
    for start, end, block in split_sentences(text):
        spoken: list[tuple[int, tuple[Person, ...]]] = []
        for a, b in _clauses(text, start, end):
            subject = subject_of(text[a:b])
            if subject is None:
                continue
            if _PRONOUN.match(subject):
                found = last[1] if last is not None and last[0] == block else ()
            else:
                found = resolver.resolve(subject)
            if found:
                spoken.append((a, found))
                last = (block, found)
        if not spoken:
            out.append(Statement(start, end, ()))
            continue
        if spoken[0][0] > start:
            spoken[0] = (start, spoken[0][1])
        for k, (a, found) in enumerate(spoken):
            b = spoken[k + 1][0] if k + 1 < len(spoken) else end
            out.append(Statement(a, b, found))
    return out


def attributions_in(text: str, committee: str | None = None) -> list[Attribution]:
    """One attribution per (statement, speaker) in the paper, in order."""
    out: list[Attribution] = []
    for st in statements(text, committee=committee):
        for person in st.people:
            out.append(Attribution(person.label, person.role, person.position, st.start, st.end))
    return out


def attribute(doc: Document, chunks: Sequence[Chunk]) -> list[tuple[Attribution, ...]]:
    """For each chunk, the attributed statements that start inside it.

    In a verbatim record every turn is a statement by its speaker, and each passage holds the
    part of every turn it overlaps: a window that starts inside a turn is that speaker's too.
    """
    turns = find_turns(doc.text)
    if turns is not None:
        return [_turns_in(turns, c) for c in chunks]
    found = attributions_in(doc.text, doc.metadata.committee)
    out: list[tuple[Attribution, ...]] = []
    i = 0
    for chunk in chunks:
        mine = []
        while i < len(found) and found[i].start < chunk.start_char:
            i += 1
        j = i
        while j < len(found) and found[j].start < chunk.end_char:
            mine.append(found[j])
            j += 1
        out.append(tuple(mine))
    return out


def _turns_in(turns: Sequence[Turn], chunk: Chunk) -> tuple[Attribution, ...]:
    first = max(0, bisect_right([t.start for t in turns], chunk.start_char) - 1)
    out = []
    for turn in turns[first:]:
        if turn.start >= chunk.end_char:
            break
        if turn.end > chunk.start_char:
            out.append(Attribution(turn.speaker, role_of(turn.speaker), None,
                                   max(turn.start, chunk.start_char), min(turn.end, chunk.end_char)))
    return tuple(out)
