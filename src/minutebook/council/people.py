"""The people a paper names: its roster (attendance list and introductions) and how a phrase maps to them.

Titles and names tie to a role:

* ``member``  — councillors on the committee, its chair, "Members", "A Member"
* ``cabinet`` — the cabinet member (portfolio holder), "the CMR"
* ``officer`` — directors, heads of service, managers, "Officers"

``Resolver`` turns the subject of a sentence ("The Director", "Cllr Russell", "Members") into
people from one paper's roster; ``speakers`` finds the sentences and their subjects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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


# --- from a subject phrase to people ------------------------------------------------

_GROUP = re.compile(
    r"^(?:(?P<member>(?:Scrutiny |Committee |Panel )?(?:Members|Councillors)(?: of the (?:Committee|Panel))?|"
    r"(?:A|Another|One) (?:Member|Councillor))|(?P<officer>(?:Senior )?Officers))$", re.I)
_TITLE_WORDS = re.compile(
    r"\b(?:Director|Chief Officer|Officer|Head of|Manager|Lead|Cabinet Member|CMR|Chair|Chairman|Vice[- ]Chair|"
    r"Chief Executive|Leader)\b")
_TITLE_START = re.compile(
    r"(?:(?:Interim|Deputy|Assistant|Vice)[ -])*(?:Cabinet Member|CMR|Director|Chief|Head of|Chair|Leader|"
    r"Service Manager|(?:[A-Z][\w'’]*\s+){0,4}(?:Manager|Lead|Officer)\b)")
_PERSON_IN_SUBJECT = re.compile(rf"(?:{_HONORIFIC}\s+)?{_CAP}(?:\s+{_CAP}){{0,2}}")


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
