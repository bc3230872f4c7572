"""Indexing throughput: a full sync of a folder, then a sync with nothing changed.

    python bench/bench_index.py [--corpus DIR] [--index DIR] [--fresh] [--sample N]

Prints one JSON object: wall times, pages/s extracted (extraction alone), passages/s end to
end, the raw encode throughput of the same embedder on a sample of the same passages (timed
before and after the full index, median of all runs), and the ratio of the two (1.0 means extraction and database writes cost nothing extra).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "ofsted-ilacs")
    ap.add_argument("--index", type=Path, default=REPO / "bench" / "work" / "ofsted-index")
    ap.add_argument("--fresh", action="store_true", help="delete the index first and time a full build")
    ap.add_argument("--sample", type=int, default=2000, help="passages for the raw encode measurement")
    ap.add_argument("--raw-runs", type=int, default=3, help="raw encode runs before and after the full index (median of all)")
    ap.add_argument("--backend", default=None, help="embedding backend (default: the configured one)")
    args = ap.parse_args()

    from minutebook import default_embedder, read_document
    from minutebook.config import load_settings
    from minutebook.index.sqlite.store import Store
    from minutebook.pipeline.syncer import embedding_text, scan, sync
    from minutebook.types import Chunk

    settings = load_settings(embed_backend=args.backend)
    embedder = default_embedder(settings)
    out: dict[str, object] = {"corpus": str(args.corpus), "backend": settings.embed_backend,
                              "model_id": embedder.model_id}

    paths, _ = scan([args.corpus])
    t0 = time.perf_counter()
    pages = 0
    failed = 0
    for p in paths:
        try:
            pages += read_document(p).page_count
        except Exception:  # noqa: BLE001 - counting failures is the point here
            failed += 1
    extract_s = time.perf_counter() - t0
    out.update(files=len(paths), pages=pages, extract_failed=failed, extract_seconds=round(extract_s, 1),
               pages_per_s=round(pages / extract_s, 1))

    def sample(index: Path) -> list[str]:
        """One passage per distinct embedding: the texts a sync embeds (a repeated text, such as a
        page footer, is embedded once), so both figures are over the same kind of passages."""
        store = Store.open(index, readonly=True)
        try:
            rows = store.conn.execute(
                "SELECT text, section FROM chunks WHERE id IN (SELECT min(id) FROM chunks GROUP BY embed_hash)"
                " ORDER BY random() LIMIT ?", (args.sample,)
            ).fetchall()
        finally:
            store.close()
        return [embedding_text(Chunk(0, t, 0, len(t), None, s)) for t, s in rows]

    def raw_runs(texts: list[str], n: int) -> list[float]:
        embedder.embed(texts[:16])  # warm
        runs = []
        for _ in range(n):
            t0 = time.perf_counter()
            embedder.embed(texts)
            runs.append(len(texts) / (time.perf_counter() - t0))
        return runs

    # This machine's speed drifts by several per cent from one minute to the next, so the raw
    # encode is timed both before the full index (on the passages of the index it replaces, when
    # there is one) and after it, and the median of all runs is used; their spread is reported.
    before = raw_runs(sample(args.index), args.raw_runs) if args.fresh and args.index.exists() else []
    if args.fresh and args.index.exists():
        shutil.rmtree(args.index)
    t0 = time.perf_counter()
    full = sync(args.index, [args.corpus], embedder)
    full_s = time.perf_counter() - t0
    out.update(full_sync_seconds=round(full_s, 1), added=len(full.added), failed=len(full.failed),
               failed_files=[{"path": f.path, "reason": f.reason} for f in full.failed],
               passages_embedded=full.chunks_embedded,
               passages_per_s_end_to_end=round(full.chunks_embedded / full_s, 1) if full.chunks_embedded else None)

    t0 = time.perf_counter()
    again = sync(args.index, [args.corpus], embedder)
    out.update(noop_sync_seconds=round(time.perf_counter() - t0, 2), noop_embedded=again.chunks_embedded,
               noop_read=len(again.added) + len(again.updated))

    store = Store.open(args.index, readonly=True)
    docs, chunks = store.conn.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks)").fetchone()
    store.close()
    after = raw_runs(sample(args.index), args.raw_runs)
    raw = statistics.median(before + after)
    out.update(documents=docs, passages=chunks, raw_encode_per_s=round(raw, 1),
               raw_encode_runs_before_per_s=[round(r, 1) for r in before],
               raw_encode_runs_per_s=[round(r, 1) for r in after])
    if full.chunks_embedded:
        out["end_to_end_over_raw"] = round((full.chunks_embedded / full_s) / raw, 2)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
