"""Scanned papers: OCR quality, speed and retrieval on real Ofsted reports rendered to images.

    python bench/bench_ocr.py [--pages 24] [--reports 20] [--dpi 150 300] [--out FILE.json]

1. Quality: pages of Ofsted reports rendered to images at each dpi and read by tesseract (as
   minutebook does: single-threaded, through ``ingest.ocr``), against the page's text layer:
   character error rate (Levenshtein distance over the text layer's length, whitespace and
   typography folded) and words missed (the text layer's words, 4+ letters, that OCR lacks).
2. Speed: a sync of ``--reports`` fully scanned reports (every page an image) with a cold OCR
   cache, against the raw ``tesseract`` program on the same page images (rendered beforehand,
   two at a time, as the sync's two readers do), right after it in the same run; then a rebuild of the same
   index, which reads every page from the cache.
3. Retrieval: the evaluation questions (bench/eval/questions.jsonl) answered in those reports,
   R@5 over an index of the scanned reports against an index of the same reports with their
   text layer. A passage answers when it is from the answer's report and holds at least 70%
   of the quote's words (OCR text has other character offsets, so both indexes are judged so).

Prints one JSON object (also written to ``--out``), with a ``markdown`` summary for RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

OFSTED = REPO.parent / "shared" / "corpus" / "ofsted-ilacs"
QUESTIONS = REPO / "bench" / "eval" / "questions.jsonl"
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                       "\u00a0": " ", "\u2022": "", "\uf0b7": ""})


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance, one numpy row at a time (insertions by a running minimum)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1, dtype=np.int64)
    prev = idx.copy()
    codes = np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32)
    for i in range(1, len(a) + 1):
        cost = (bb != codes[i - 1]).astype(np.int64)
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        # d[j] = min(cur[j], d[j-1] + 1)  ==  j + cummin(cur[k] - k)
        cur = np.minimum.accumulate(cur - idx) + idx
        prev = cur
    return int(prev[-1])


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]{4,}", fold(text).lower())


def words_missed(reference: str, recognised: str) -> tuple[int, int]:
    ref, got = Counter(words(reference)), Counter(words(recognised))
    missed = sum(max(0, n - got[w]) for w, n in ref.items())
    return missed, sum(ref.values())


def report_pdfs() -> list[Path]:
    return sorted(OFSTED.glob("*/*.pdf"))


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def quality(n_pages: int, dpis: list[int]) -> dict[str, object]:
    """CER and words missed on ``n_pages`` pages (pages 2 and 3 of successive reports)."""
    import pypdfium2 as pdfium

    from minutebook.ingest.ocr import OcrSettings, recognise
    from minutebook.ingest.pdf import render_page

    chosen: list[tuple[Path, int]] = []
    for path in report_pdfs():
        if len(chosen) >= n_pages:
            break
        if page_count(path) >= 4:
            chosen.extend([(path, 1), (path, 2)][: n_pages - len(chosen)])
    out: dict[str, object] = {"pages": len(chosen), "reports": len({p for p, _ in chosen})}
    for dpi in dpis:
        settings = OcrSettings(dpi=dpi, cache=None, page_seconds=600)
        errors = chars = missed = total_words = 0
        seconds = 0.0
        per_page = []
        for path, index in chosen:
            pdf = pdfium.PdfDocument(path)
            try:
                page = pdf[index]
                reference = page.get_textpage().get_text_bounded()
                # The page as a scan: rendered at the dpi, as an image page read back at the same dpi.
                image = render_page(page, dpi)
            finally:
                pdf.close()
            started = time.process_time()
            children = os.times()
            text, _ = recognise(image, settings)
            after = os.times()
            seconds += (after.children_user + after.children_system) - (children.children_user + children.children_system)
            seconds += time.process_time() - started
            ref, hyp = fold(reference), fold(text)
            e = levenshtein(ref, hyp)
            m, w = words_missed(reference, text)
            errors, chars, missed, total_words = errors + e, chars + len(ref), missed + m, total_words + w
            per_page.append(round(e / max(1, len(ref)), 4))
        out[f"dpi_{dpi}"] = {
            "cer": round(errors / max(1, chars), 4),
            "cer_median_page": float(np.median(per_page)),
            "words_missed": round(missed / max(1, total_words), 4),
            "cpu_s_per_page": round(seconds / len(chosen), 2),
        }
    return out


def answer_reports(limit: int) -> tuple[list[Path], list[dict]]:
    """Ofsted reports that answer evaluation questions (fewest pages first), and those questions."""
    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_key: dict[str, Path] = {}
    for path in report_pdfs():
        by_key[f"{path.parent.name}/{path.stem}"] = path
    wanted: Counter[str] = Counter()
    for q in questions:
        for a in q["answers"]:
            if a["path"] in by_key:
                wanted[a["path"]] += 1
    keys = sorted(wanted, key=lambda k: (page_count(by_key[k]), -wanted[k], k))[:limit]
    chosen = {k: by_key[k] for k in keys}
    asked = []
    for q in questions:
        answers = [a for a in q["answers"] if a["path"] in chosen]
        if answers:
            asked.append({**q, "answers": answers})
    return [chosen[k] for k in keys], asked


def raw_tesseract(images: list[Path], dpi: int, workers: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "stdout", "-l", "eng", "--dpi", str(dpi)],
                       capture_output=True, check=True, env=env)

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - started


def recall_at(index: Path, embedder: object, asked: list[dict], k: int = 5) -> dict[str, object]:
    from minutebook import HybridSearcher

    searcher = HybridSearcher(index, embedder)  # type: ignore[arg-type]
    found = 0
    try:
        for q in asked:
            hits = searcher.search(q["query"], top_k=k).hits
            if any(_answers(h.path, h.text, a) for h in hits for a in q["answers"]):
                found += 1
    finally:
        searcher.close()
    return {"questions": len(asked), "found": found, "recall": round(found / max(1, len(asked)), 3)}


def _answers(path: str, text: str, answer: dict) -> bool:
    if answer["path"] not in path.replace(".pdf", ""):
        return False
    quote = words(answer["quote"])
    held = Counter(words(text))
    return bool(quote) and sum(1 for w in quote if held[w] > 0) >= 0.7 * len(quote)


def speed_and_retrieval(n_reports: int, dpi: int, work: Path) -> dict[str, object]:
    import pypdfium2 as pdfium
    from tests.pdfmaker import scanned_pdf

    from minutebook import default_embedder, sync
    from minutebook.config import load_settings
    from minutebook.index.ops import rebuild_index
    from minutebook.ingest.ocr import OcrSettings
    from minutebook.ingest.pdf import render_page

    reports, asked = answer_reports(n_reports)
    digital, scanned, images = work / "digital", work / "scanned", work / "images"
    for folder in (digital, scanned, images):
        folder.mkdir(parents=True)
    pages = 0
    for n, path in enumerate(reports):
        # The report's own folder and name, which the evaluation's answers name.
        name = Path(path.parent.name) / path.name
        (digital / name).parent.mkdir(exist_ok=True)
        (scanned / name).parent.mkdir(exist_ok=True)
        shutil.copy(path, digital / name)
        (scanned / name).write_bytes(scanned_pdf(path, dpi=150))  # a 150 dpi scan, as offices scan
        pdf = pdfium.PdfDocument(scanned / name)
        try:
            for index in range(len(pdf)):
                page = pdf[index]
                image = render_page(page, dpi)
                (images / f"{n:02d}-{index:03d}.pgm").write_bytes(image.pgm())
                pages += 1
        finally:
            pdf.close()
    settings = load_settings()
    embedder = default_embedder(settings)
    ocr = OcrSettings(dpi=dpi, cache=work / "ocr-cache")

    started = time.perf_counter()
    report = sync(work / "index-scanned", [scanned], embedder, ocr=ocr)
    sync_s = time.perf_counter() - started
    raw_s = raw_tesseract(sorted(images.glob("*.pgm")), dpi, workers=2)

    rebuild_index(work / "index-scanned", embedder.model_id)
    started = time.perf_counter()
    again = sync(work / "index-scanned", [scanned], embedder, ocr=ocr)
    cached_s = time.perf_counter() - started

    sync(work / "index-digital", [digital], embedder, ocr=ocr)
    return {
        "reports": len(reports), "pages": pages, "dpi": dpi, "failed": [f.reason for f in report.failed],
        "ocr_pages": report.ocr_pages,
        "sync_s": round(sync_s, 1), "sync_s_per_page": round(sync_s / pages, 2),
        "sync_pages_per_s": round(pages / sync_s, 3),
        "raw_s": round(raw_s, 1),
        "raw_s_per_page": round(raw_s / pages, 2), "raw_pages_per_s": round(pages / raw_s, 3),
        "sync_over_raw": round(sync_s / raw_s, 3),
        "rebuild_from_cache_s": round(cached_s, 1), "rebuild_ocr_pages": again.ocr_pages,
        "retrieval": {
            "scanned": recall_at(work / "index-scanned", embedder, asked),
            "text_layer": recall_at(work / "index-digital", embedder, asked),
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=24, help="pages for the quality measurement")
    ap.add_argument("--dpi", type=int, nargs="+", default=[150, 300])
    ap.add_argument("--reports", type=int, default=20, help="fully scanned reports for the speed measurement")
    ap.add_argument("--sync-dpi", type=int, default=None, help="dpi OCR reads at in the sync (default: minutebook's)")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    from minutebook.ingest.ocr import DEFAULT_DPI, engine

    found = engine()
    if found is None:
        print("bench_ocr: tesseract is not installed (make install)", file=sys.stderr)
        return 1
    out: dict[str, object] = {"engine": found[0], "cpus": os.cpu_count(), "load_avg_start": os.getloadavg()}
    if not args.skip_quality:
        out["quality"] = quality(args.pages, args.dpi)
    if not args.skip_speed:
        with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
            out["speed"] = speed_and_retrieval(args.reports, args.sync_dpi or DEFAULT_DPI, Path(tmp))
    out["load_avg_end"] = os.getloadavg()
    out = {"markdown": markdown(out), **out}
    text = json.dumps(out, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def markdown(out: dict) -> str:
    start, end = out["load_avg_start"], out["load_avg_end"]
    lines = [f"Engine: {out['engine']}, single-threaded (OMP_THREAD_LIMIT=1). The machine was shared and loaded "
             f"while this ran (1-minute load average {start[0]:.1f} at the start, {end[0]:.1f} at the end, on "
             f"{out['cpus']} cores): wall-clock figures are slower than on an idle machine; CPU-seconds are not.", ""]
    q = out.get("quality")
    if q:
        lines += [f"Quality on {q['pages']} pages of {q['reports']} Ofsted reports, each rendered to an image and read "
                  "back, against the page's text layer:", "",
                  "| dpi | character error rate | median page CER | words missed | CPU s/page |", "|---|---|---|---|---|"]
        for key, row in q.items():
            if key.startswith("dpi_"):
                lines.append(f"| {key[4:]} | {row['cer']:.1%} | {row['cer_median_page']:.1%} | "
                             f"{row['words_missed']:.2%} | {row['cpu_s_per_page']} |")
        lines.append("")
    s = out.get("speed")
    if s:
        r = s["retrieval"]
        lines += [f"Sync of {s['reports']} fully scanned reports ({s['pages']} pages, 150 dpi scans read at "
                  f"{s['dpi']} dpi), cold OCR cache, against the raw `tesseract` program on the same page images, "
                  "two at a time, right after the sync in the same run:", "",
                  "| | seconds | s/page | pages/s |", "|---|---|---|---|",
                  f"| minutebook sync (read, OCR, cut, embed, store) | {s['sync_s']} | {s['sync_s_per_page']} | "
                  f"{s['sync_pages_per_s']} |",
                  f"| raw tesseract CLI | {s['raw_s']} | {s['raw_s_per_page']} | {s['raw_pages_per_s']} |", "",
                  f"Sync over raw: {s['sync_over_raw']}× (target ≤ 1.10×). A rebuild of the same index read every "
                  f"page from the OCR cache: {s['rebuild_from_cache_s']} s.", "",
                  "Retrieval: evaluation questions answered in those reports, R@5 (a passage from the answer's "
                  "report holding ≥ 70% of the quote's words):", "",
                  "| index | questions | found in top 5 | R@5 |", "|---|---|---|---|",
                  f"| scanned (OCR) | {r['scanned']['questions']} | {r['scanned']['found']} | {r['scanned']['recall']} |",
                  f"| same reports, text layer | {r['text_layer']['questions']} | {r['text_layer']['found']} | "
                  f"{r['text_layer']['recall']} |"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
