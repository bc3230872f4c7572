"""Reading the index as a person does: the filter choices, a passage, the text around it, the next one.

Used by the terminal app (and any other front end) so that it holds no SQL of its own.
Read-only: it never takes the writer lock, and sees each sync's commits whole.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path

from minutebook.index.sqlite.store import Store, attribute_choices, attributes_of
from minutebook.types import Hit

CONTEXT_CHARS = 1500  # of document text shown either side of a passage

_PASSAGE_SQL = """
SELECT c.id, c.doc_id, c.ordinal, c.start_char, c.end_char, c.page, c.section, c.minute, c.boilerplate, c.text,
       d.path, d.title, d.council, d.committee, d.meeting_date, d.doc_type, c.ocr
FROM chunks c JOIN documents d ON d.id = c.doc_id
"""


@dataclass(frozen=True, slots=True)
class Facets:
    """The distinct values a filter can take in this index, sorted."""

    committees: tuple[str, ...]
    councils: tuple[str, ...]
    doc_types: tuple[str, ...]
    first_date: str | None
    last_date: str | None
    # Manifest attributes with few values (grades, frameworks): name -> the values papers carry.
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class PassageContext:
    """A passage in its paper: ``text[highlight[0]:highlight[1]]`` is the passage itself.

    ``text`` is a window of the document; ``starts_document`` / ``ends_document`` say whether
    the window reaches the paper's beginning and end. ``ordinal`` counts passages from 1.
    """

    hit: Hit
    text: str
    highlight: tuple[int, int]
    offset: int  # where ``text`` starts in the document
    starts_document: bool
    ends_document: bool
    ordinal: int
    passages: int  # passages in the paper


class IndexReader:
    """Read-only access to one index for showing passages. Safe to share between threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._store = Store.open(folder, readonly=True)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._store.close()

    def facets(self) -> Facets:
        """Committees, councils, document types and the date range the index holds."""
        with self._lock, self._store.snapshot() as conn:
            def distinct(column: str) -> tuple[str, ...]:
                rows = conn.execute(
                    f"SELECT DISTINCT {column} FROM documents WHERE {column} IS NOT NULL AND {column} != ''"
                    f" ORDER BY {column} COLLATE NOCASE"
                )
                return tuple(str(r[0]) for r in rows)

            first, last = conn.execute(
                "SELECT min(meeting_date), max(meeting_date) FROM documents WHERE meeting_date IS NOT NULL"
            ).fetchone()
            return Facets(distinct("committee"), distinct("council"), distinct("doc_type"), first, last,
                          attribute_choices(conn))

    def passage(self, chunk_id: int) -> Hit | None:
        """The passage with this id as a ``Hit`` (score 0), or None when a sync removed it."""
        with self._lock, self._store.snapshot() as conn:
            row = conn.execute(_PASSAGE_SQL + " WHERE c.id = ?", (chunk_id,)).fetchone()
            found = attributes_of(conn, [int(row[1])], "?") if row else {}
        return replace(_hit(row), attributes=found.get(int(row[1]), ())) if row else None

    def context(self, hit: Hit, chars: int = CONTEXT_CHARS) -> PassageContext:
        """The document text around ``hit`` (about ``chars`` either side), with the passage marked."""
        with self._lock, self._store.snapshot() as conn:
            row = conn.execute(
                "SELECT length(text), substr(text, ?, ?) FROM documents WHERE id = ?",
                (max(0, hit.start_char - chars) + 1, hit.end_char - max(0, hit.start_char - chars) + chars, hit.doc_id),
            ).fetchone()
            ordinals = [r[0] for r in conn.execute(
                "SELECT ordinal FROM chunks WHERE doc_id = ? AND start_char < ? AND end_char > ? ORDER BY ordinal",
                (hit.doc_id, hit.end_char, hit.start_char))]
            total = conn.execute("SELECT count(*) FROM chunks WHERE doc_id = ?", (hit.doc_id,)).fetchone()[0]
        if row is None:
            # The paper left the index since the search: show the passage alone.
            return PassageContext(hit, hit.text, (0, len(hit.text)), hit.start_char, True, True, 1, 1)
        length, raw = int(row[0]), str(row[1])
        offset = max(0, hit.start_char - chars)
        window = _trim_to_lines(raw, hit.start_char - offset, hit.end_char - offset,
                                offset > 0, offset + len(raw) < length)
        cut = window.text
        return PassageContext(
            hit=hit, text=cut,
            highlight=(hit.start_char - offset - window.dropped, hit.end_char - offset - window.dropped),
            offset=offset + window.dropped, starts_document=offset + window.dropped == 0,
            ends_document=offset + window.dropped + len(cut) >= length,
            ordinal=(ordinals[0] + 1) if ordinals else 1, passages=int(total),
        )

    def neighbour(self, hit: Hit, step: int = 1) -> Hit | None:
        """The next (``step`` > 0) or previous passage of the same paper, skipping any merged into ``hit``."""
        with self._lock, self._store.snapshot() as conn:
            covered = [r[0] for r in conn.execute(
                "SELECT ordinal FROM chunks WHERE doc_id = ? AND (id = ? OR (start_char >= ? AND end_char <= ?))",
                (hit.doc_id, hit.chunk_id, hit.start_char, hit.end_char))]
            if not covered:
                return None
            if step > 0:
                sql, bound = " WHERE c.doc_id = ? AND c.ordinal > ? ORDER BY c.ordinal LIMIT 1", max(covered)
            else:
                sql, bound = " WHERE c.doc_id = ? AND c.ordinal < ? ORDER BY c.ordinal DESC LIMIT 1", min(covered)
            row = conn.execute(_PASSAGE_SQL + sql, (hit.doc_id, bound)).fetchone()
        return _hit(row) if row else None


@dataclass(frozen=True, slots=True)
class _Window:
    text: str
    dropped: int  # characters cut from the front


def _trim_to_lines(text: str, start: int, end: int, cut_front: bool, cut_back: bool) -> _Window:
    """Start and end a window on line breaks, so the reader never sees half a line."""
    dropped = 0
    if cut_front:
        nl = text.find("\n", 0, start)
        if nl >= 0:
            dropped = nl + 1
    if cut_back:
        nl = text.rfind("\n", end)
        if nl >= 0:
            text = text[:nl]
    return _Window(text[dropped:], dropped)


def _hit(row: tuple[object, ...]) -> Hit:
    (cid, doc_id, _ordinal, start, end, page, section, minute, boiler, text,
     path, title, council, committee, date, doc_type, ocr) = row
    return Hit(
        chunk_id=int(cid), doc_id=int(doc_id), score=0.0,  # type: ignore[call-overload]
        path=str(path), title=str(title), council=council, committee=committee,  # type: ignore[arg-type]
        date=date, doc_type=str(doc_type), page=page, section=section, minute=minute,  # type: ignore[arg-type]
        start_char=int(start), end_char=int(end), text=str(text), boilerplate=bool(boiler),  # type: ignore[call-overload]
        ocr=bool(ocr),
    )
