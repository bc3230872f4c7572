"""Guess what a paper is — title, council, committee, meeting date, kind — from its words.

Only the opening of the text (where committee papers say who met and when) and the file
and folder names are read. Guesses are overridden by a sidecar or a manifest
(see ``overrides``), so the rules here aim to be right for the common layouts rather
than clever about rare ones.

Kinds: ``agenda`` for agenda packs (even though they carry reports), ``minutes``,
``letter`` for letters including Ofsted monitoring and focused visit letters,
``report`` for officer and committee reports and Ofsted's full inspection reports,
``other`` for anything else.
"""

from __future__ import annotations

import re
from pathlib import Path

from minutebook.ingest.dates import DATE_PATTERN, dates_in, human_date
from minutebook.ingest.dates import file_date as date_in_file_name
from minutebook.ingest.dates import meeting_date as meeting_date_in
from minutebook.types import Metadata

HEAD_CHARS = 3000
TITLE_MAX = 120

_SMALL_WORDS = frozenset({"and", "of", "the", "for", "on", "in", "upon", "under", "with", "to", "a"})
_BODY_SUFFIX = r"(?:Sub-Committee|Subcommittee|Committee|Panel|Board|Forum|Commission)"
_NAME_WORD = r"[A-Z][A-Za-z'’\-]*"
_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"  # a heading may wrap onto the next line
_COMMITTEE = re.compile(
    rf"(?:{_NAME_WORD}|&){_GAP}(?:(?:{_NAME_WORD}|and|of|for|the|on|&){_GAP})*?"
    rf"{_BODY_SUFFIX}\b"
)
# Words that start a sentence or a role, not a committee's name.
_NOT_NAME_START = re.compile(
    r"^(?:(?:Report|Minutes|Agenda|Meeting|Members?|Chair(?:man)?|Vice|To|The|This|That|A|An|"
    r"Any|Each|Our|Their|Its|Dear|Notes?|Draft|Item|Public|Special|Extraordinary|Please|Of|"
    r"for|of|the|and|on|&)\b\s*)+"
)
_GENERIC_BODIES = frozenset(
    {"scrutiny committee", "committee", "panel", "board", "the committee", "sub-committee",
     "improvement board", "select committee", "this committee"}
)

_COUNCIL = re.compile(
    r"\b((?:[A-Z][a-z]+[ -](?:(?:and|upon|on|under|in|of|le)[ -])?){1,4})"
    r"(County Council|City Council|Borough Council|District Council|Metropolitan Borough Council|Council)\b"
)
_NOT_COUNCIL_START = frozenset(
    {"The", "This", "That", "Our", "Each", "Local", "Parish", "Town", "District", "County", "City",
     "Borough", "Every", "A", "Any", "Full", "Whole", "Unitary", "Neighbouring", "Research",
     "Advisory", "Youth", "Arts", "Privy", "Security", "European", "Children's", "Children’s",
     "Human", "Rights", "Design", "Sentencing", "British", "Medical", "Nursing", "Pharmacy", "General",
     "National", "World", "Economic", "Schools", "School", "Student", "Students", "Care", "Police",
     "Safeguarding", "Health", "Legal", "Scientific", "Science", "Sports", "Sport", "Crafts", "Heritage",
     "Welsh", "Scottish", "International", "Housing", "Parents", "Pupil", "Pupils", "Young", "Older"}
)
# Words that make "<words> Council" a national or advisory body, wherever they stand in the name.
_NOT_COUNCIL_WORD = frozenset(
    {"Human", "Rights", "Nations", "Research", "Arts", "Privy", "Security", "Sentencing", "Design", "Medical",
     "Nursing", "Pharmacy", "Pharmaceutical", "Youth", "Schools", "Student", "Students", "Scientific", "Sports",
     "Heritage", "Crafts", "Economic", "Social", "Advisory", "European", "International", "Legal", "Dental",
     "Optical", "Chiefs", "Police", "Safeguarding", "Pupil", "Pupils", "Parents", "Carers"}
)
# A council named only in the body, never in the opening, must be named this often (or be backed
# by the officers' email addresses or the folder name) to count: a report that mentions the
# "Human Rights Council" once is not that council's paper.
BODY_ONLY_MENTIONS = 3
# County towns whose County Hall gives the council away.
_COUNTY_TOWNS = {
    "worcester": "Worcestershire County Council",
    "exeter": "Devon County Council",
    "chichester": "West Sussex County Council",
    "norwich": "Norfolk County Council",
    "maidstone": "Kent County Council",
    "taunton": "Somerset Council",
    "trowbridge": "Wiltshire Council",
    "matlock": "Derbyshire County Council",
    "chelmsford": "Essex County Council",
    "lewes": "East Sussex County Council",
}
_COUNCIL_KIND = re.compile(r"\s+(?:(?:County|City|Borough|District|Metropolitan Borough)\s+)?Council$")
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@([a-z0-9-]+)\.gov\.uk", re.I)
_NOT_COUNCIL_DOMAINS = frozenset({"ofsted", "education", "dfe", "nhs", "cqc", "hmic", "justice"})
_OFSTED_FOLDER = re.compile(r"^\d{5,}_(.+)$")


def smart_title(text: str) -> str:
    """Title-case a name written in capitals: "CHILDREN'S SCRUTINY COMMITTEE" -> "Children's Scrutiny Committee"."""
    words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i and lower in _SMALL_WORDS:
            out.append(lower)
            continue
        parts = re.split(r"(-)", lower)
        fixed = [
            part if part in _SMALL_WORDS and j else part[:1].upper() + part[1:]
            for j, part in enumerate(parts)
        ]
        out.append("".join(fixed))
    return " ".join(out)


def _plain_lines(head: str) -> list[str]:
    """Lines of the head with Markdown marks and spare whitespace removed."""
    lines = []
    for line in head.splitlines():
        line = re.sub(r"^\s*#{1,6}\s*", "", line)
        line = line.replace("**", "").replace("__", "")
        lines.append(" ".join(line.split()))
    return lines


# --- committee -----------------------------------------------------------------------------


def _clean_committee(raw: str) -> str | None:
    name = " ".join(raw.split())
    # "Standing Overview Group of the Children's Scrutiny Committee" -> the committee itself.
    for joiner in (" of the ", " Of The ", " OF THE ", " of ", " OF "):
        if joiner in name:
            tail = name.rsplit(joiner, 1)[1]
            if re.search(_BODY_SUFFIX, tail, re.I) and len(tail.split()) >= 2:
                name = tail
                break
    name = _NOT_NAME_START.sub("", name).strip()
    if name.isupper():
        name = smart_title(name)
    if not name or name.lower() in _GENERIC_BODIES or len(name) > 90:
        return None
    if len(name.split()) < 2:
        return None
    return name


def _committee(lines: list[str]) -> str | None:
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    first_nonblank = [i for i, line in enumerate(lines) if line][:15]
    for i, line in enumerate(lines):
        if not line:
            continue
        # Capitals are common in headings; match them in title case, keep the apostrophes.
        probe = smart_title(line) if line.isupper() else line
        for match in _COMMITTEE.finditer(probe):
            name = _clean_committee(match.group(0))
            if name is None:
                continue
            score = 1.0
            if i in first_nonblank:
                score += 3
            if line.isupper() or len(line) < len(match.group(0)) + 60:
                score += 2  # the name is (most of) a heading line
            if re.search(r"meeting of|members of|report of|minutes of", line, re.I):
                score += 1
            if name.endswith(("Board", "Forum", "Commission")):
                score -= 1.5  # usually a partner body the committee talks about
            best[name] = max(best.get(name, 0.0), score)
            counts[name] = counts.get(name, 0) + 1
    if not best:
        # A meeting of the Cabinet names no committee; its heading is the one word.
        return "Cabinet" if any(line.lower() == "cabinet" for line in lines[:40]) else None
    # The strongest single sighting decides; repetition only breaks near-ties.
    return max(best, key=lambda name: best[name] + 0.25 * min(counts[name], 4))


# --- council -------------------------------------------------------------------------------


def _council(text: str, head: str, path: Path) -> str | None:
    scores: dict[str, float] = {}
    in_head: set[str] = set()
    backed: set[str] = set()
    for match in _COUNCIL.finditer(text[:50000]):
        place = match.group(1).strip(" -")
        first = place.split()[0] if place.split() else ""
        if first in ("City", "County", "Borough") and place.split()[1:2] == ["of"]:
            pass  # "City of York Council" is the council's own name
        elif first in _NOT_COUNCIL_START:
            # "The Devon County Council": drop leading capitalised article.
            rest = place.split()[1:]
            if not rest or rest[0] in _NOT_COUNCIL_START:
                continue
            place = " ".join(rest)
        if _NOT_COUNCIL_WORD & set(place.split()):
            continue
        weight = 2.0 if match.start() < HEAD_CHARS else 1.0
        names = {f"{place} {match.group(2)}"}
        if " and " in place:
            # "between Ofsted and Devon County Council" names Devon, not "Ofsted and Devon".
            names.add(f"{place.rsplit(' and ', 1)[1]} {match.group(2)}")
        for name in names:
            scores[name] = scores.get(name, 0.0) + weight
            if match.start() < HEAD_CHARS:
                in_head.add(name)
    for match in re.finditer(r"County Hall,?\s+(?:[A-Z][\w ]+,\s*)?([A-Z][a-z]+)", head):
        known = _COUNTY_TOWNS.get(match.group(1).lower())
        if known:
            scores[known] = scores.get(known, 0.0) + 6
            backed.add(known)
    domains = {m.group(1).lower() for m in _EMAIL_DOMAIN.finditer(text[:50000])}
    domains -= _NOT_COUNCIL_DOMAINS
    names_in_path = " ".join(part.lower() for part in path.parts[-3:])
    for name in list(scores):
        place = _COUNCIL_KIND.sub("", name).lower()
        squashed = re.sub(r"[^a-z]", "", place)
        # devon.gov.uk, westsussex.gov.uk: the officers' addresses name their own council.
        if squashed and any(domain.startswith(squashed) for domain in domains):
            scores[name] += 4
            backed.add(name)
        if place and place in names_in_path:
            scores[name] += 2
            backed.add(name)
        scores[name] += 0.5 * len(re.findall(re.escape(place), text[:50000], re.I))
        mentions = len(re.findall(re.escape(name), text[:50000]))
        if name not in in_head and name not in backed and mentions < BODY_ONLY_MENTIONS:
            del scores[name]
    if scores:
        return max(scores.items(), key=lambda item: item[1])[0]
    return None


def council_from_folder(path: Path) -> str | None:
    """``80418_norfolk`` (Ofsted report folders) -> "Norfolk"."""
    match = _OFSTED_FOLDER.match(path.parent.name)
    return smart_title(match.group(1)) if match else None


# --- kind, Ofsted, title -------------------------------------------------------------------

_OFSTED_OPENING = re.compile(
    r"\b(?:re-)?inspection of\b|\bmonitoring visit to\b|\bfocused visit to\b|\binspection dates?:",
    re.I,
)
_OFSTED_MARK = re.compile(r"\bOfsted\b|Majesty['’]s Inspector|\bHMI\b", re.I)


def _is_ofsted(head: str, path: Path) -> bool:
    if _OFSTED_FOLDER.match(path.parent.name) and "inspection" in path.name.lower():
        return True
    return bool(_OFSTED_OPENING.search(head[:700]) and _OFSTED_MARK.search(head))


def _doc_type(head: str, lines: list[str], ofsted: bool) -> str:
    if re.search(r"\bA G E N D A\b", head) or any(
        re.fullmatch(r"(?i)agenda(?: pack)?|public document pack", line) for line in lines
    ):
        return "agenda"
    if any(re.fullmatch(r"(?i)minutes:?", line) for line in lines) or re.search(
        r"^\W*minutes of (?:the |a )?(?:\w+ )?(?:meeting|[A-Z]\w*)\b(?!.{0,60}previously)", head[:600],
        re.I | re.M,
    ):
        return "minutes"
    if ofsted:
        # Full inspection reports open "Inspection of ..."; visit letters have a
        # "Monitoring visit to ..." heading under the letterhead.
        if re.search(r"\b(?:re-)?inspection of\b", head[:300], re.I):
            return "report"
        if any(re.match(r"(?i)(?:monitoring|focused) visit (?:to|of)\b", line) for line in lines):
            return "letter"
        return "report"
    if re.search(r"^\s*Dear\s+\w+", head[:1500], re.M) and re.search(
        r"yours (?:sincerely|faithfully)", head, re.I
    ):
        return "letter"
    if re.search(r"^\W*(?:report (?:of|by|to|from)\b|.{0,80}\breport\s*$)", head[:800], re.I | re.M):
        return "report"
    return "other"


_SKIP_TITLE = re.compile(
    r"^(?:agenda item|agenda|minutes:?|present:?|public document pack|a g e n d a|part i+\b.*|"
    r"item \d+|page \d+( of \d+)?|\d+|draft|open|restricted|official(?:[- ]sensitive)?)$",
    re.I,
)
_LABEL = re.compile(
    r"^(?:to|from|date|contact|e-?mail|tel|telephone|phone|ref|our ref|your ref|direct line|cc)\s*:", re.I
)


_OFSTED_TITLE = re.compile(
    r"(?i)^(?:re-)?inspection of\b|^(?:monitoring|focused) visit (?:to|of)\b|^joint targeted area inspection"
)
_CONNECTOR_END = re.compile(
    r"(?i)(?:\b(?:and|of|the|for|on|in|upon|to|with|county|city|borough|metropolitan)|[,&-])$"
)
_NAME_CONTINUES = re.compile(r"(?:Council|County|Borough|Metropolitan|City)\b")


def _title(lines: list[str], path: Path, ofsted: bool = False) -> str:
    start = 0
    if ofsted:
        # Ofsted reports put the council's name or a page number above the real heading.
        start = next((i for i, line in enumerate(lines[:40]) if _OFSTED_TITLE.match(line)), 0)
    for i, line in enumerate(lines[start:60], start=start):
        if len(line) < 4 or _SKIP_TITLE.match(line) or _LABEL.match(line):
            continue
        if line[0].islower() or "](" in line or re.search(r"https?:|www\.", line):
            continue
        if sum(ch.isalpha() for ch in line) < 4:
            continue
        if re.fullmatch(r"(?:[A-Z][\w'’-]* )+Council", line):
            continue  # a council's name alone is a letterhead, not a title
        title = line
        # A heading wrapped onto the next line continues in lower case.
        for nxt in lines[i + 1 : i + 4]:
            if not nxt or title.endswith((".", ":", ";")):
                break
            if nxt[0].islower() or _CONNECTOR_END.search(title) or _NAME_CONTINUES.match(nxt):
                title = f"{title} {nxt}"
            else:
                break
        return _trim(title)
    return path.name


def _trim(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX:
        return title
    cut = title[: TITLE_MAX - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


_JUNK_TITLE = re.compile(
    r"(?i)^(?:microsoft word\b|untitled\b|document\s*\d*$|template\b|title$|slide \d|powerpoint|.{0,3}$)"
)


def guess_metadata(text: str, path: Path, title_hint: str | None = None) -> Metadata:
    """Metadata guessed from the opening of ``text`` and from ``path``'s file and folder names.

    ``title_hint`` is a title the file format itself carries (HTML <title>, DOCX Title);
    it is preferred when present.
    """
    if title_hint and _JUNK_TITLE.match(title_hint.strip()):
        title_hint = None
    if title_hint:
        # A web page's <title> often names the committee and date ("Agenda for X on ...").
        text = f"{title_hint}\n\n{text}"
    head = text[:HEAD_CHARS]
    lines = _plain_lines(head)
    ofsted = _is_ofsted(head, path)
    file_date = date_in_file_name(path)
    doc_type = _doc_type(head, lines, ofsted)

    if ofsted:
        committee: str | None = "Ofsted"
        council = council_from_folder(path)
        if council is None:
            named, addressed = _ofsted_council(head), _council(text, head, path)
            # Prefer "Devon County Council" from the address over "Devon" from the heading.
            if addressed and (not named or named.lower() in addressed.lower()):
                council = addressed
            else:
                council = named
        published = re.search(rf"published:?\s*({DATE_PATTERN})", head, re.I)
        meeting_date = file_date or (dates_in(published.group(1))[0][0] if published else None)
        if meeting_date is None:
            dated = dates_in(head)
            meeting_date = dated[0][0] if dated else None
    else:
        committee = _committee(lines)
        council = _council(text, head, path)
        meeting_date = meeting_date_in(head, committee, file_date)

    title = _trim(title_hint) if title_hint and title_hint.strip() else ""
    if not title:
        if doc_type == "agenda" and committee and meeting_date:
            title = f"{committee} agenda, {human_date(meeting_date)}"
        else:
            title = _title(lines, path, ofsted)
    return Metadata(
        title=title or path.name,
        council=council,
        committee=committee,
        meeting_date=meeting_date,
        doc_type=doc_type,
    )


def _ofsted_council(head: str) -> str | None:
    match = re.search(
        r"(?:inspection of|visit to)\s+(?:the\s+)?([A-Z][\w'’,&\- ]{1,60}?)\s+"
        r"(?:local authority|children['’]s services|council)",
        " ".join(head[:1500].split()),
    )
    return match.group(1).strip() if match else None
