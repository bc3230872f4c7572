"""`minutebook status`: what the index holds."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from minutebook.cli.common import display_path, emit_json, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("status", parents=[common], help="documents, passages, model, last sync and failed files")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.index_ops import index_status

    st = index_status(settings_from(args).index)
    if args.json:
        data = asdict(st)
        data["failures"] = [{"path": f.path, "reason": f.reason} for f in st.failures]
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
    return 0
