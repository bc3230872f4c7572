"""`minutebook inspect FILE`: a paper's metadata and passages exactly as the indexer sees them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from minutebook.cli.common import emit_json


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("inspect", parents=[common], help="show how a file is read and cut into passages")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--full", action="store_true", help="print each passage in full, not the first line")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from minutebook.chunk import chunk_document
    from minutebook.ingest import read_document
    from minutebook.tokens import word_piece_counter

    doc = read_document(Path(args.file))
    count = word_piece_counter()
    chunks = chunk_document(doc, count)
    if args.json:
        emit_json({
            "path": doc.path, "sha256": doc.sha256, "format": doc.format, "page_count": doc.page_count,
            **asdict(doc.metadata),
            "chunks": [{**asdict(c), "word_pieces": count(c.text)} for c in chunks],
        })
        return 0
    m = doc.metadata
    print(f"path        {doc.path}")
    print(f"format      {doc.format}, {doc.page_count} page(s), {len(doc.text)} characters")
    print(f"sha256      {doc.sha256}")
    print(f"title       {m.title}")
    print(f"council     {m.council or '-'}")
    print(f"committee   {m.committee or '-'}")
    print(f"date        {m.meeting_date or '-'}")
    print(f"type        {m.doc_type}")
    print(f"passages    {len(chunks)}")
    for c in chunks:
        where = f"p.{c.page}" if c.page else ""
        flag = " [boilerplate]" if c.boilerplate else ""
        head = f"#{c.ordinal:<3} {c.start_char}-{c.end_char} {where} minute={c.minute or '-'} " \
               f"section={c.section or '-'!r} {count(c.text)}wp{flag}"
        print(head)
        body = c.text if args.full else c.text.splitlines()[0][:100]
        print("     " + body.replace("\n", "\n     "))
    return 0
