"""`minutebook status`: what the index holds."""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import display_path, echo, emit_json, field, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("status", parents=[common], help="documents, passages, model, last sync and failed files")
    p.add_argument("--documents", action="store_true", help="also list every paper with its pages, type and date")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.index.ops import index_status
    from minutebook.service.archive import Archive
    from minutebook.service.results import documents_json, status_json

    settings = settings_from(args)
    with Archive(settings) as archive:
        if args.json:
            emit_json(status_json(archive, documents=args.documents))
            return 0
        st = index_status(settings.index)
        docs = documents_json(archive) if args.documents else []
    echo(f"index       {field(st.folder)}")
    echo(f"documents   {st.documents} ({st.pages} pages)")
    echo(f"passages    {st.chunks}")
    echo(f"model       {field(st.embed_model)}  (chunker {st.chunker_version})")
    echo(f"folders     {'; '.join(field(p) for p in st.sources) or '-'}")
    echo(f"last sync   {st.last_sync or 'never'}")
    echo(f"size        {st.bytes_on_disk / 1e6:.1f} MB")
    if st.by_type:
        echo("types       " + ", ".join(f"{field(k)} {v}" for k, v in st.by_type.items()))
    if st.committees:
        echo("committees  " + "; ".join(f"{field(k)} ({v})" for k, v in list(st.committees.items())[:8]))
    if st.councils:
        echo(f"councils    {len(st.councils)}: " + "; ".join(
            f"{field(c.name)} ({c.papers})" for c in st.councils[:12]) + ("; …" if len(st.councils) > 12 else ""))
    if st.attributes:
        echo("attributes  " + ", ".join(f"{field(k)} ({v})" for k, v in st.attributes.items()))
    echo(f"failed      {len(st.failures)}")
    for f in st.failures:
        echo(f"  {display_path(f.path)}: {field(f.reason)}")
    if docs:
        echo("papers")
        for d in docs:
            echo(f"  {d['pages']:>4} p.  {field(d['doc_type']):<8} {d['date'] or '-':<10}  "
                 f"{field(d['committee'] or '-')}  "
                 f"{display_path(d['path'])}")
    return 0

