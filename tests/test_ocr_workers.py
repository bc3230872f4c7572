"""Scanned pages under the sync's time limit: each page read by OCR restarts the paper's clock.

The readers here stand in for a long scanned paper (eight pages of half a second each) so that
the test does not depend on how fast tesseract runs on a loaded machine.
"""

from __future__ import annotations

import time
from pathlib import Path

from minutebook.ingest import ocr, read_document
from minutebook.ingest.extract import ReadLimits, extract_files
from minutebook.types import Document, Progress

PAGES = 8
PAGE_SECONDS = 0.5
LIMIT = ReadLimits(seconds=2.0, workers=1)  # the whole paper takes twice that


def scanned_reader(path: Path) -> Document:
    """A paper whose pages are read by OCR one by one, each announced as the real reader does."""
    for done in range(PAGES):
        ocr.observe(done, PAGES)
        time.sleep(PAGE_SECONDS)
    ocr.observe(PAGES, PAGES)
    return read_document(path)


def silent_reader(path: Path) -> Document:
    """The same time spent without announcing pages: one file overrunning its limit."""
    time.sleep(PAGES * PAGE_SECONDS)
    return read_document(path)


def _paper(tmp_path: Path) -> Path:
    path = tmp_path / "minutes.txt"
    path.write_text("The committee noted the report on caseloads and agreed its recommendations. " * 4)
    return path


def test_a_long_scanned_paper_is_read_when_each_page_is_within_the_limit(tmp_path: Path) -> None:
    seen: list[Progress] = []
    [item] = list(extract_files([_paper(tmp_path)], limits=LIMIT, reader=scanned_reader, progress=seen.append))
    assert item.failure is None and item.document is not None
    ocr_steps = [(p.done, p.total) for p in seen if p.stage == "ocr"]
    assert ocr_steps[0] == (0, PAGES) and ocr_steps[-1] == (PAGES, PAGES)


def test_the_same_time_without_pages_still_overruns_the_limit(tmp_path: Path) -> None:
    [item] = list(extract_files([_paper(tmp_path)], limits=LIMIT, reader=silent_reader))
    assert item.document is None
    assert item.failure is not None and "took longer than 2 s" in item.failure.reason
