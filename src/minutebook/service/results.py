"""Each command's result as its documented JSON value, shared by every front end.

`minutebook search --json`, `GET /search` of `minutebook serve` and the `search` tool of
`minutebook mcp` all return what ``search_json`` builds, so a script, an intranet page and an
assistant read one schema (README, "Search JSON"; docs/commands.md). The functions run the
command over an open ``Archive`` and return plain dicts and lists, ready for ``json.dumps``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from minutebook.types import Filters, Hit

if TYPE_CHECKING:
    from minutebook.council.decisions import Decision
    from minutebook.council.speakers import Person
    from minutebook.council.timeline import Timeline, TimelineFigure
    from minutebook.protocols import Searcher
    from minutebook.service.archive import Archive

SNIPPET_WIDTH = 240
ASK_TOP_K = 8  # passages an answer is drawn from
TOPIC_TOP_K = 40  # passages searched for decisions and timelines on a topic


def dumps(value: Any) -> str:
    """The JSON text every front end writes: UTF-8, indented, keys in the order built, one newline.

    Control and bidi characters from papers are written as ``\\uXXXX`` escapes (``safe_text.json_safe``).
    """
    from minutebook.text.safe_text import json_safe

    return json_safe(json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


# --- search ---------------------------------------------------------------------------------


def hit_json(rank: int, hit: Hit, query: str) -> dict[str, Any]:
    """One result in the documented JSON schema (README, "Search JSON")."""
    from minutebook.answer.cite import format_citation
    from minutebook.search.highlight import mark, snippet
    from minutebook.search.hybrid import highlights

    snip, spans = snippet(hit.text, highlights(hit, query), SNIPPET_WIDTH)
    return {
        "rank": rank, "score": hit.score, "doc_id": hit.doc_id, "chunk_id": hit.chunk_id, "path": hit.path,
        "title": hit.title,
        "council": hit.council, "committee": hit.committee, "date": hit.date, "doc_type": hit.doc_type,
        "page": hit.page, "section": hit.section, "minute": hit.minute,
        "start_char": hit.start_char, "end_char": hit.end_char, "text": hit.text, "snippet": mark(snip, spans),
        "citation": format_citation(hit), "ocr": hit.ocr, "attributes": dict(hit.attributes),
    }


def search_json(searcher: Searcher, query: str, filters: Filters | None, top_k: int) -> dict[str, Any]:
    """`minutebook search QUERY --json`: the ranked passages for ``query``."""
    result = searcher.search(query, filters, top_k)
    return {"query": result.query, "weak": result.weak, "notice": result.notice,
            "results": [hit_json(i, h, query) for i, h in enumerate(result.hits, start=1)]}


# --- ask ------------------------------------------------------------------------------------


def ask_json(archive: Archive, question: str, filters: Filters | None, *, llm: bool,
             top_k: int | None = None) -> dict[str, Any]:
    """`minutebook ask QUESTION --json`: a cited answer, quoted or written by the local model."""
    from minutebook.answer import answer_to_dict

    return answer_to_dict(archive.answerer_for(top_k).answer(question, filters, llm=llm))


# --- decisions ------------------------------------------------------------------------------


def person_json(p: Person) -> dict[str, Any]:
    return {"name": p.name, "position": p.position, "role": p.role}


def decision_json(d: Decision) -> dict[str, Any]:
    """One decision in the documented JSON schema (docs/commands.md)."""
    h = d.hit
    return {
        "kind": d.kind, "text": d.text, "number": d.number, "citation": d.citation,
        "owners": [person_json(p) for p in d.owners], "raised_by": [person_json(p) for p in d.raised_by],
        "council": h.council, "committee": h.committee, "date": h.date, "doc_type": h.doc_type,
        "minute": h.minute, "page": h.page, "path": h.path, "doc_id": h.doc_id, "chunk_id": h.chunk_id,
        "start_char": d.start_char, "end_char": d.end_char, "score": d.score,
    }


def find_decisions(archive: Archive, query: str | None, filters: Filters | None, kinds: Sequence[str] = (),
                   top_k: int | None = None) -> list[Decision]:
    """The decisions `minutebook decisions` lists.

    With a topic, the decisions about it, ranked (``top_k`` passages searched, at least 10);
    without, every decision passing the filters, oldest meeting first (the first ``top_k``).
    """
    from minutebook.council import decisions
    if query:
        return decisions.search(archive.searcher, archive.store, query, filters, tuple(kinds),
                                top_k=max(top_k or TOPIC_TOP_K, 10))
    found = decisions.from_index(archive.store, filters, tuple(kinds))
    return found[:top_k] if top_k else found


def decisions_json(archive: Archive, query: str | None, filters: Filters | None, kinds: Sequence[str] = (),
                   top_k: int | None = None) -> dict[str, Any]:
    """`minutebook decisions [QUERY] --json`."""
    found = find_decisions(archive, query, filters, kinds, top_k)
    return {"query": query, "decisions": [decision_json(d) for d in found]}


# --- timeline -------------------------------------------------------------------------------


def figure_json(tf: TimelineFigure) -> dict[str, Any]:
    f = tf.figure
    return {"value": f.value, "unit": f.unit, "phrase": f.phrase, "qualifier": f.qualifier,
            "previous": f.previous, "upper": f.upper, "sentence": f.text,
            "start_char": f.span[0], "end_char": f.span[1], "citation": tf.citation}


def timeline_to_dict(t: Timeline) -> dict[str, Any]:
    """A timeline in the documented JSON schema (docs/commands.md)."""
    from minutebook.answer.cite import trim_quote

    return {"query": t.query, "weak": t.weak, "entries": [
        {"date": e.date, "council": e.council, "committee": e.committee, "citation": e.citation,
         "title": e.hit.title, "path": e.hit.path, "doc_id": e.hit.doc_id, "minute": e.hit.minute,
         "page": e.hit.page, "start_char": e.hit.start_char, "end_char": e.hit.end_char,
         "quote": trim_quote(e.hit.text), "passages": len(e.passages),
         "figures": [figure_json(f) for f in e.figures]}
        for e in t.entries]}


def timeline_json(searcher: Searcher, query: str, filters: Filters | None, top_k: int | None = None) -> dict[str, Any]:
    """`minutebook timeline QUERY --json`: the topic meeting by meeting, with its figures."""
    from minutebook.council import timeline
    return timeline_to_dict(timeline.build(searcher, query, filters, top_k=max(top_k or TOPIC_TOP_K, 10)))


# --- status ---------------------------------------------------------------------------------


def status_json(archive: Archive, *, documents: bool = False) -> dict[str, Any]:
    """`minutebook status --json`: counts, model, last sync and failed files (and every paper)."""
    from minutebook.index.ops import index_status

    st = index_status(archive.settings.index)
    data = asdict(st)
    data["failures"] = [{"path": f.path, "reason": f.reason} for f in st.failures]
    if documents:
        data["documents_list"] = documents_json(archive)
    return data


def documents_json(archive: Archive) -> list[dict[str, Any]]:
    """Every paper in the index with its pages, type and date, by path."""
    return [
        {"path": d.path, "title": d.metadata.title, "council": d.metadata.council,
         "committee": d.metadata.committee, "date": d.metadata.meeting_date,
         "doc_type": d.metadata.doc_type, "pages": d.page_count, "format": d.format}
        for d in archive.store.documents()
    ]


# --- one passage ----------------------------------------------------------------------------


def passage_json(archive: Archive, chunk_id: int) -> dict[str, Any] | None:
    """One passage by id (``chunk_id`` of a decision, from a search) with its citation and context."""
    from minutebook.answer.cite import format_citation

    hit = archive.reader.passage(chunk_id)
    if hit is None:
        return None
    ctx = archive.reader.context(hit)
    return {
        "chunk_id": hit.chunk_id, "doc_id": hit.doc_id, "citation": format_citation(hit), "path": hit.path,
        "title": hit.title, "council": hit.council, "committee": hit.committee, "date": hit.date,
        "doc_type": hit.doc_type, "page": hit.page, "section": hit.section, "minute": hit.minute,
        "start_char": hit.start_char, "end_char": hit.end_char, "text": hit.text, "ocr": hit.ocr,
        "attributes": dict(hit.attributes), "context": ctx.text, "context_start_char": ctx.offset,
        "passage_number": ctx.ordinal, "passages_in_paper": ctx.passages,
    }
