"""`minutebook inspect FILE`: a paper's metadata and passages exactly as the indexer sees them."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from minutebook.cli.common import body, echo, emit_json, field
from minutebook.types import Page


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("inspect", parents=[common], help="show how a file is read and cut into passages")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--full", action="store_true", help="print each passage in full, not the first line")
    p.add_argument("--no-ocr", action="store_true", help="do not read scanned pages by OCR")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from minutebook.chunking.chunker import chunk_document
    from minutebook.chunking.tokens import word_piece_counter
    from minutebook.cli.common import settings_from
    from minutebook.ingest import read_document
    from minutebook.ingest.ocr import ocr_settings

    ocr = ocr_settings(settings_from(args), enabled=False if args.no_ocr else None)
    doc = read_document(Path(args.file), ocr=ocr)
    count = word_piece_counter()
    chunks = chunk_document(doc, count)
    if args.json:
        emit_json({
            "path": doc.path, "sha256": doc.sha256, "format": doc.format, "page_count": doc.page_count,
            **asdict(doc.metadata),
            "pages": [{"number": p.number, "read": p.source, "note": p.note} for p in doc.pages],
            "chunks": [{**asdict(c), "word_pieces": count(c.text)} for c in chunks],
        })
        return 0
    m = doc.metadata
    echo(f"path        {field(doc.path)}")
    echo(f"format      {doc.format}, {doc.page_count} page(s), {len(doc.text)} characters")
    echo(f"sha256      {doc.sha256}")
    echo(f"title       {field(m.title)}")
    echo(f"council     {field(m.council or '-')}")
    echo(f"committee   {field(m.committee or '-')}")
    echo(f"date        {field(m.meeting_date or '-')}")
    echo(f"type        {field(m.doc_type)}")
    if any(p.source != "text" for p in doc.pages):
        echo(f"pages       {_page_reads(doc.pages)}")
        for p in doc.pages:
            if p.note:
                echo(f"            p.{p.number} not read: {field(p.note)}")
    echo(f"passages    {len(chunks)}")
    for c in chunks:
        where = f"p.{c.page}" if c.page else ""
        flag = (" [boilerplate]" if c.boilerplate else "") + (" [OCR]" if c.ocr else "")
        head = f"#{c.ordinal:<3} {c.start_char}-{c.end_char} {where} minute={field(c.minute or '-')} " \
               f"section={field(repr(c.section or '-'))} {count(c.text)}wp{flag}"
        echo(head)
        if not c.text.strip():
            echo("     (no text)")
            continue
        text = c.text if args.full else _first_line(c.text)[:100]
        echo("     " + body(text).replace("\n", "\n     "))
    return 0


def _first_line(text: str) -> str:
    """The first line with something on it (a passage may open with a blank line)."""
    return next((line for line in text.splitlines() if line.strip()), "")


_READ_AS = {"text": "text layer", "ocr": "OCR", "unread": "scanned, not read"}


def _page_reads(pages: Sequence[Page]) -> str:
    """How each page was read, in runs: ``"1-2 text layer; 3 OCR; 4 text layer"``."""
    runs: list[list[Page]] = []
    for page in pages:
        if runs and runs[-1][-1].source == page.source:
            runs[-1].append(page)
        else:
            runs.append([page])
    parts = []
    for run in runs:
        span = str(run[0].number) if len(run) == 1 else f"{run[0].number}-{run[-1].number}"
        parts.append(f"{span} {_READ_AS.get(run[0].source, run[0].source)}")
    return "; ".join(parts)
