"""`minutebook status`: what the index holds."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from minutebook.cli.common import display_path, emit_json, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("status", parents=[common], help="documents, passages, model, last sync and failed files")
    p.add_argument("--documents", action="store_true", help="also list every paper with its pages, type and date")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.index_ops import index_status

    folder = settings_from(args).index
    st = index_status(folder)
    docs = _documents(folder) if args.documents else []
    if args.json:
        data = asdict(st)
        data["failures"] = [{"path": f.path, "reason": f.reason} for f in st.failures]
        if args.documents:
            data["documents_list"] = docs
        emit_json(data)
        return 0
    print(f"index       {st.folder}")
    print(f"documents   {st.documents} ({st.pages} pages)")
    print(f"passages    {st.chunks}")
    print(f"model       {st.embed_model}  (chunker {st.chunker_version})")
    print(f"last sync   {st.last_sync or 'never'}")
    print(f"size        {st.bytes_on_disk / 1e6:.1f} MB")
    if st.by_type:
        print("types       " + ", ".join(f"{k} {v}" for k, v in st.by_type.items()))
    if st.committees:
        print("committees  " + "; ".join(f"{k} ({v})" for k, v in list(st.committees.items())[:8]))
    print(f"failed      {len(st.failures)}")
    for f in st.failures:
        print(f"  {display_path(f.path)}: {f.reason}")
    if docs:
        print("papers")
        for d in docs:
            print(f"  {d['pages']:>4} p.  {d['doc_type']:<8} {d['date'] or '-':<10}  {d['committee'] or '-'}  "
                  f"{display_path(d['path'])}")
    return 0


def _documents(folder: Any) -> list[dict[str, Any]]:
    from minutebook.store import Store

    store = Store.open(folder, readonly=True)
    try:
        return [
            {"path": d.path, "title": d.metadata.title, "council": d.metadata.council,
             "committee": d.metadata.committee, "date": d.metadata.meeting_date,
             "doc_type": d.metadata.doc_type, "pages": d.page_count, "format": d.format}
            for d in store.documents()
        ]
    finally:
        store.close()
