"""Who said it: statements in minutes tied to the councillor, cabinet member or officer named.

Minutes report speech as "The Director advised…", "Cllr Russell introduced…", "Members raised
concerns…", "Officers agreed…". A paper's attendance list ("Cabinet Member for Children and
Schools: Councillor Andrew Leadbetter", "Catherine Driscoll (Director of Children, Families and
Communities)") and its introductions ("The Assistant Director (Children First Transformation),
Mr Clark, introduced…") tie titles to names and both to a role:

* ``member``  — councillors on the committee, its chair, "Members", "A Member"
* ``cabinet`` — the cabinet member (portfolio holder), "the CMR"
* ``officer`` — directors, heads of service, managers, "Officers"

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
from minutebook.types import Chunk, Document

ROLES = ("member", "officer", "cabinet")

_HONORIFIC = r"(?:Cllr|Councillor|Mr|Mrs|Ms|Miss|Dr)\.?"
_CAP = r"[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?"
_NOT_A_NAME = re.compile(
    r"\b(?:Council|County|Committee|Services?|Board|Team|Panel|Ofsted|Group|Authority|Healthwatch|Officer|"
    r"Director|Member|Members|Head|Manager|Chair|Chairman|Children|Care|Social|The|And|Of|For|Families|"
    r"Communities|Schools|Young|People|Learning|Education|Health|Resources|Safeguarding|Scrutiny|Cabinet|"
    r"Interim|Deputy|Assistant|Chief|Strategic|Service|Leader|Government|Ofsted|Inspector|Her|His|Majesty)\b"
)

_CABINET = re.compile(r"\b(?:cabinet member|cmr|portfolio holder|leader of the council|deputy leader)\b", re.I)
_MEMBER = re.compile(r"\b(?:chair|chairman|chairwoman|vice[- ]chair(?:man)?|councillors?|cllr|members?)\b", re.I)
_OFFICER = re.compile(
    r"\b(?:director|officers?|head of|head|manager|lead|executive|adviser|advisor|principal|coordinator|"
    r"co-ordinator|solicitor|clerk|service manager|team manager)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a paper names: ``name`` where known, ``position`` where stated, and their role."""

    name: str | None
    position: str | None
    role: str | None

    @property
    def label(self) -> str:
        return self.name or self.position or "unknown"


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


def role_of(title: str) -> str | None:
    """The role a title implies: "Cabinet Member for…" -> cabinet, "Chair" -> member, "Director" -> officer."""
    if _CABINET.search(title):
        return "cabinet"
    if _OFFICER.search(title):
        return "officer"
    if _MEMBER.search(title):
        return "member"
    return None


# --- the roster: who attended, from the attendance list and introductions ---------------

_LABEL_LINE = re.compile(r"^[ \t*#]*(?P<label>[A-Z][^:\n]{1,90}?)\s*:\**[ \t]*(?P<body>.*)$", re.M)
_ATTENDANCE = re.compile(
    r"^(?:present|(?:also )?(?:attended|present|in attendance)|attendance|.*\b(?:members|officers?|councillors|"
    r"advis[eo]r|in attendance)|cabinet member\b.*)$", re.I)
_ROSTER_NAME = re.compile(
    r"(?:(?P<hon>Cllrs?|Councillors?|Mr|Mrs|Ms|Miss|Dr)\.?\s+)?"
    rf"(?P<name>(?:[A-Z]\.?\s+){{1,4}}{_CAP}|{_CAP}(?:\s+(?:[A-Z]\.?\s+)?{_CAP}){{1,2}})")
_PAREN_TITLE = re.compile(r"\s*\((?P<title>[^()]*(?:\([^()]*\)[^()]*)*)\)")
_COMMA_TITLE = re.compile(
    r",\s*(?P<title>(?:Cabinet Member|Chief|Director|Assistant|Deputy|Interim|Head|Leader|Chair|Vice)"
    r"[^,()]*?(?:\([^()]*\)[^,()]*?)?)(?=\s+(?:Mr|Mrs|Ms|Miss|Dr)\s|\s*,|\s*$)")


def _clean_name(raw: str) -> str:
    raw = re.sub(r"\s+", " ", raw).strip(" .,;*")
    return re.sub(r"^(?:Councillors?|Cllrs?)\.?\s+", "", raw)


def _looks_like_name(raw: str) -> bool:
    words = raw.split()
    return 1 <= len(words) <= 5 and not _NOT_A_NAME.search(raw) and all(w[0].isupper() for w in words)


def _attendance_block(text: str, m: re.Match[str]) -> str:
    """The names after an attendance label: the rest of the line, or the paragraphs after it."""
    body = m.group("body").strip(" *")
    if body:
        return body
    lines: list[str] = []
    for line in text[m.end():].split("\n")[:40]:
        stripped = line.strip()
        if not stripped:
            continue
        if (stripped.startswith(("#", "-", "•")) or (_LABEL_LINE.match(line) and not lines)
                or re.match(r"^\d{1,3}\s+[A-Z]", stripped)):
            break
        if _LABEL_LINE.match(line):
            break
        lines.append(stripped)
    return " ".join(lines)


def _entries(body: str, label: str, label_role: str | None) -> list[Person]:
    """People in one attendance list: "Name (Title)", "Name, Cabinet Member for…", or a bare name."""
    body = re.sub(r"\s+", " ", body)
    out: list[Person] = []
    pos = 0
    while (m := _ROSTER_NAME.search(body, pos)) is not None:
        name = m.group("name")
        if not _looks_like_name(name):
            pos = m.start("name") + len(name.split()[0]) + 1  # try again from the next word
            continue
        title_m = _PAREN_TITLE.match(body, m.end()) or _COMMA_TITLE.match(body, m.end())
        title = title_m.group("title").strip() if title_m else None
        pos = title_m.end() if title_m else m.end()
        honorific = m.group("hon") or ""
        role = role_of(title) if title else None
        if title and role == "officer" and label_role in ("member", "cabinet") and _MEMBER.search(title):
            role = label_role
        role = role or label_role or ("member" if honorific.lower().startswith(("cllr", "councillor")) else None)
        singular = label_role == "cabinet" or (label_role == "officer" and not label.lower().endswith("s"))
        position = title or (label if singular else None)
        full = f"{honorific} {name}" if honorific and not honorific.lower().startswith(("cllr", "councillor")) else name
        out.append(Person(_clean_name(full), position, role))
    return out


def roster(text: str) -> tuple[Person, ...]:
    """Everyone the paper ties a name to: attendance lists and "Title, Name," introductions."""
    people: list[Person] = []
    for m in _LABEL_LINE.finditer(text):
        label = m.group("label").strip(" *#")
        if not _ATTENDANCE.match(label) or len(label.split()) > 12:
            continue
        label_role = role_of(label)
        if re.search(r"attend|present", label, re.I) and not re.search(r"councillor", label, re.I):
            label_role = None  # "Also attended" mixes councillors and officers: go by each entry
        people.extend(_entries(_attendance_block(text, m), label, label_role))
    people.extend(_introductions(text))
    return tuple(_dedupe(people))


def _honorific_role(raw: str) -> str | None:
    return "member" if re.match(r"\s*(?:Cllr|Councillor)", raw) else None


_INTRO_TITLE = r"(?P<title>(?:[A-Z][\w'’&-]*|\([^()]{2,60}\))(?:[ \t]+(?:[\w'’&/-]+|\([^()]{2,60}\))){0,12}?)"
_INTRO_NAME = rf"(?P<name>(?:{_HONORIFIC}\s+)?{_CAP}(?:[ \t]+{_CAP}){{0,2}})"
_TITLE_THEN_NAME = re.compile(rf"{_INTRO_TITLE},[ \t]+{_INTRO_NAME}(?=[,\s])")
_NAME_THEN_TITLE = re.compile(rf"(?P<name>{_CAP}[ \t]+{_CAP}),[ \t]+{_INTRO_TITLE},")


def _introductions(text: str) -> list[Person]:
    """ "The Assistant Director (Children First Transformation), Mr Clark," and "Melissa Caslake, Chief Officer…," """
    found: list[Person] = []
    for rx in (_TITLE_THEN_NAME, _NAME_THEN_TITLE):
        for m in rx.finditer(text):
            title = re.sub(r"^(?:The|the|and|And)\s+", "", m.group("title")).strip()
            title = re.sub(r"^.*\b(?:and|the)\s+(?=(?:Interim|Deputy|Assistant|Chief|Cabinet|Head|Director)\b)",
                           "", title)
            name = m.group("name")
            bare = re.sub(rf"^{_HONORIFIC}\s+", "", name)
            role = role_of(title)
            honorific = bare != name
            if not _TITLE_START.match(title) or role is None or not bare or _NOT_A_NAME.search(bare):
                continue
            if not honorific and len(bare.split()) < 2:
                continue
            # "Cllr Russell" stays as written; "Councillor Andrew Leadbetter" becomes "Andrew Leadbetter".
            found.append(Person(_clean_name(name) if len(bare.split()) >= 2 else " ".join(name.split()), title, role))
    return found


def _dedupe(people: list[Person]) -> list[Person]:
    out: list[Person] = []
    for p in people:
        same = next((q for q in out if (q.name and p.name and _surname(q.name) == _surname(p.name)
                     and _first(q.name) in (_first(p.name), None)) or False), None) if p.name else None
        if same is None:
            out.append(p)
        elif same.position is None and p.position:
            out[out.index(same)] = Person(same.name, p.position, p.role or same.role)
    return out


def _surname(name: str) -> str:
    return name.split()[-1].lower()


def _first(name: str) -> str | None:
    words = re.sub(rf"^{_HONORIFIC}\s+", "", name).split()
    return words[0].lower() if len(words) > 1 and len(words[0]) > 1 else None


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
_GROUP = re.compile(
    r"^(?:(?P<member>(?:Scrutiny |Committee |Panel )?(?:Members|Councillors)(?: of the (?:Committee|Panel))?|"
    r"(?:A|Another|One) (?:Member|Councillor))|(?P<officer>(?:Senior )?Officers))$", re.I)
_PRONOUN = re.compile(r"^(?:He|She|They)$")
_TITLE_WORDS = re.compile(
    r"\b(?:Director|Chief Officer|Officer|Head of|Manager|Lead|Cabinet Member|CMR|Chair|Chairman|Vice[- ]Chair|"
    r"Chief Executive|Leader)\b")
_TITLE_START = re.compile(
    r"(?:(?:Interim|Deputy|Assistant|Vice)[ -])*(?:Cabinet Member|CMR|Director|Chief|Head of|Chair|Leader|"
    r"Service Manager|(?:[A-Z][\w'’]*\s+){0,4}(?:Manager|Lead|Officer)\b)")
_PERSON_IN_SUBJECT = re.compile(rf"(?:{_HONORIFIC}\s+)?{_CAP}(?:\s+{_CAP}){{0,2}}")


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


class Resolver:
    """Turns a subject phrase into people, using one paper's roster."""

    def __init__(self, people: Sequence[Person], committee: str | None = None) -> None:
        self.people = tuple(people)
        self.committee_words = set(re.findall(r"[a-z]{4,}", (committee or "").lower()))

    def resolve(self, subject: str) -> tuple[Person, ...]:
        subject = re.sub(r"^(?:The|the)\s+", "", subject.strip())
        group = _GROUP.match(subject)
        if group:
            if group.group("officer"):
                return (Person("Officers", None, "officer"),)
            return (Person(re.sub(r"^(?:Scrutiny|Committee|Panel)\s+", "", subject), None, "member"),)
        if subject in ("Officers and Members", "Members and Officers"):
            return (Person("Members", None, "member"), Person("Officers", None, "officer"))
        named = self._names_in(subject)
        if named:
            return named
        start = _TITLE_START.search(subject)
        if start is None or not _TITLE_WORDS.search(subject) or len(subject[start.start():].split()) > 14:
            return ()
        subject = subject[start.start():]
        parts = re.split(r"\s+and\s+(?:the\s+)?(?=(?:Interim |Deputy |Assistant |Chief |Cabinet |Head |Director|"
                         r"Chair|CMR|Leader))", subject)
        out = [self._title(p) for p in parts]
        return tuple(p for p in out if p is not None)

    def _names_in(self, subject: str) -> tuple[Person, ...]:
        out: list[Person] = []
        for m in _PERSON_IN_SUBJECT.finditer(subject):
            raw = m.group()
            if _NOT_A_NAME.search(re.sub(rf"^{_HONORIFIC}\s+", "", raw)):
                continue
            honorific = re.match(rf"^{_HONORIFIC}\s+", raw) is not None
            person = self._by_name(raw)
            if person is None and honorific:
                person = Person(_clean_name(raw) if not raw.startswith(("Mr", "Mrs", "Ms", "Miss", "Dr")) else raw,
                                None, _honorific_role(raw))
            if person is not None and person not in out:
                out.append(person)
        return tuple(out)

    def _by_name(self, raw: str) -> Person | None:
        words = re.sub(rf"^{_HONORIFIC}\s+", "", raw).split()
        if not words:
            return None
        last = words[-1].lower()
        matches = [p for p in self.people if p.name and _surname(p.name) == last]
        if len(words) == 1 and not matches:  # "Vivien gave an overview"
            matches = [p for p in self.people if p.name and _first(p.name) == last]
        if len(matches) > 1 and len(words) > 1:
            matches = [p for p in matches if _first(p.name or "") in (words[0].lower(), None)]
        return matches[0] if len(matches) == 1 else None

    def _title(self, title: str) -> Person | None:
        start = _TITLE_START.search(title)
        title = title[start.start():] if start else title
        title = re.sub(r"^(?:The|the)\s+", "", title.strip(" ,"))
        if re.fullmatch(r"CMR(?: for .*)?", title):
            title = "Cabinet Member" + title[3:]
        role = role_of(title)
        if role is None:
            return None
        words = _content_words(title)
        with_position = [p for p in self.people if p.position]
        starts = [p for p in with_position if _content_words(p.position or "")[: len(words)] == words]
        contains = [p for p in with_position if set(words) <= set(_content_words(p.position or ""))]
        prefix = [p for p in with_position if words[: len(_content_words(p.position or ""))]
                  == _content_words(p.position or "")]
        for pool in (starts, contains, prefix):
            if len(pool) > 1 and role == "cabinet":
                pool = [p for p in pool if set(_content_words(p.position or "")) & self.committee_words] or pool
            if len(pool) == 1:
                return pool[0]
            if pool:
                break
        return Person(None, title, role)


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", text.lower().replace("’", "'"))
            if w not in ("the", "of", "for", "and", "with", "s", "interim")]


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
