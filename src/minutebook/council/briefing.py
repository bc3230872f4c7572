"""A briefing: the question, the answer and the quoted passages with full citations, as Markdown.

What an officer pastes into a briefing note. Shared by the terminal app and the CLI.
"""

from __future__ import annotations

import re
from datetime import date

from minutebook.answer.cite import format_citation, format_date
from minutebook.answer.render import cited_numbers, unsupported
from minutebook.errors import QueryError
from minutebook.search.query import parse_query
from minutebook.types import Answer, Filters

_MODE = {
    "extractive": "Sentences quoted from the papers.",
    "generated": "Written by a local language model and checked sentence by sentence against its sources.",
    "not_covered": "The indexed papers do not answer this question; the closest passages are listed.",
}
_SLUG_WORDS = 4
_GENERIC = {"county", "city", "borough", "district", "council", "metropolitan", "committee", "the", "of", "and"}


def briefing_filename(question: str, today: date, filters: Filters | None = None) -> str:
    """A file name for a briefing: ``briefing-caseloads-2026-11-23.md``.

    The filters' council, committee, type and dates join the name
    (``briefing-caseloads-norfolk-2026-11-23.md``), so two councils' briefings on one question differ.
    """
    try:
        words = list(parse_query(question).terms)
    except QueryError:
        words = []
    parts = [_slug(w) for w in words[:_SLUG_WORDS]]
    if filters is not None:
        parts += [_slug(_short_body(v)) for v in (filters.council, filters.committee) if v]
        parts += [_slug(v) for v in (filters.doc_type, filters.speaker, filters.role) if v]
        parts += [f"from-{filters.since}"] if filters.since else []
        parts += [f"to-{filters.until}"] if filters.until else []
    slug = re.sub(r"-+", "-", "-".join(p for p in parts if p)).strip("-")
    return f"briefing-{slug + '-' if slug else ''}{today.isoformat()}.md"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", text.lower())).strip("-")


def _short_body(name: str) -> str:
    """``"Norfolk County Council"`` -> ``"Norfolk"``: the words that tell one council or committee from another."""
    words = [w for w in name.split() if w.lower() not in _GENERIC]
    return " ".join(words[:3]) or name


def briefing_markdown(answer: Answer, filters: Filters | None = None, today: date | None = None) -> str:
    """The briefing for ``answer`` as Markdown."""
    out: list[str] = [f"# {_inline(answer.question)}", ""]
    when = format_date((today or date.today()).isoformat())
    out.append(f"*Prepared {when} from the indexed committee papers. {_MODE.get(answer.mode, '')}*")
    scope = _scope(filters)
    if scope:
        out.append("")
        out.append(f"Searched: {scope}.")
    out += ["", "## Answer", ""]
    out.extend(_answer_lines(answer))
    flagged = unsupported(answer)
    if flagged:
        out += ["", "### Not supported by the sources", ""]
        out.extend(f"- {_inline(s.text)} ({_inline(s.reason or 'no source says this')})" for s in flagged)
    wanted = {c.n for c in answer.citations} if answer.mode == "not_covered" else set(cited_numbers(answer))
    sources = [c for c in answer.citations if c.n in wanted]
    if sources:
        out += ["", "## Sources" if answer.mode != "not_covered" else "## Closest passages", ""]
        for c in sources:
            out.append(f"[{c.n}] **{_inline(format_citation(c.hit))}**  ")
            out.append(f"{_inline(c.hit.title)} — `{c.hit.path.replace('`', '')}`")
            out.append("")
            out.append(f"> {_inline(c.quote)}")
            out.append("")
    if answer.model:
        out.append(f"*Answer written by {_inline(answer.model)}; check it against the sources.*")
    return "\n".join(out).rstrip("\n") + "\n"


def _answer_lines(answer: Answer) -> list[str]:
    if answer.mode != "extractive":
        return [_inline(line) if line.strip() else "" for line in answer.text.splitlines()]
    # Extractive answers are meeting headings each followed by quoted sentences.
    lines: list[str] = []
    for line in answer.text.splitlines():
        if not line.strip():
            lines.append("")
        elif line.lstrip().startswith("- "):
            lines.append("- " + _inline(line.lstrip()[2:]))
        else:
            lines.append(f"**{_inline(line.strip())}**")
            lines.append("")
    return lines


def _scope(filters: Filters | None) -> str:
    if filters is None:
        return ""
    parts = []
    if filters.committee:
        parts.append(f"committee {filters.committee}")
    if filters.council:
        parts.append(f"council {filters.council}")
    if filters.doc_type:
        parts.append(f"{filters.doc_type} only")
    if filters.since:
        parts.append(f"from {format_date(filters.since)}")
    if filters.until:
        parts.append(f"until {format_date(filters.until)}")
    return _inline(", ".join(parts))


def _inline(text: str) -> str:
    """Text from a paper on one Markdown line: whitespace collapsed, no stray HTML or headings."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat.replace("<", "&lt;").replace(">", "&gt;")
