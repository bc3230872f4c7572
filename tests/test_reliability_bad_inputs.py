"""A bad file costs only itself: it fails alone, with its reason, and everything else is indexed."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from minutebook import read_document
from minutebook.ingest.extract import ReadLimits, extract_files

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
reliability = importlib.import_module("reliability")


_MEMORY_PROBE = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, resource.getrlimit(resource.RLIMIT_AS)[1]))
started, hoard = time.monotonic(), []
try:
    while time.monotonic() - started < 10:
        hoard.append(bytearray(64 * 1024 * 1024))
except MemoryError:
    print(time.monotonic() - started)
    sys.exit(0)
sys.exit(1)
"""


def memory_limit_fires_within(seconds: float) -> bool:
    """Whether RLIMIT_AS stops a 64 MB-a-step allocation loop here, well inside ``seconds``."""
    proc = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], capture_output=True, text=True, timeout=60, check=False)
    return proc.returncode == 0 and float(proc.stdout) < seconds / 5


def test_a_reader_needing_too_much_memory_is_told_so_where_the_limit_fires_first(tmp_path: Path) -> None:
    if not memory_limit_fires_within(60.0):
        pytest.skip("RLIMIT_AS does not stop an allocation loop promptly on this machine")
    report = reliability.pool_misbehaviour(tmp_path, seconds_per_file=60.0, names=("hog.txt", "good-a.txt"))
    assert report.outcomes == {"hog.txt": "failed: needed more than 1 GB of memory to read",
                               "good-a.txt": report.outcomes["good-a.txt"]}
    assert report.outcomes["good-a.txt"].startswith("indexed")


def test_a_reader_that_hangs_explodes_or_crashes_fails_alone_and_is_replaced(tmp_path: Path) -> None:
    started = time.monotonic()
    report = reliability.pool_misbehaviour(tmp_path, seconds_per_file=5.0)
    assert time.monotonic() - started < 40  # the parent never waits past the limits
    outcomes = report.outcomes
    assert list(outcomes) == ["good-a.txt", "hang.txt", "good-b.txt", "hog.txt", "segv.txt", "good-c.txt"]
    assert outcomes["hang.txt"] == "failed: took longer than 5 s to read"
    assert outcomes["segv.txt"] == "failed: the reader crashed (signal 11)"
    # The memory hog fails alone, with a reason: the memory limit's, or the clock's when the machine
    # is slow enough (or RLIMIT_AS lax enough) that the wall clock runs out first.
    memory, clock = "failed: needed more than 1 GB of memory to read", "failed: took longer than 5 s to read"
    assert outcomes["hog.txt"] in (memory, clock)
    # The good papers after each failure were read by replacement workers.
    for name in ("good-a.txt", "good-b.txt", "good-c.txt"):
        assert outcomes[name].startswith("indexed"), outcomes[name]


def rewriting_reader(path: Path):  # type: ignore[no-untyped-def]
    """Reads the file, but something keeps writing to it meanwhile."""
    document = read_document(path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\nAnother line written while the file was being read.\n")
    return document


def test_a_file_that_keeps_changing_while_read_is_reported_not_half_indexed(tmp_path: Path) -> None:
    path = tmp_path / "busy.txt"
    path.write_text(reliability.paper_text(1), encoding="utf-8")
    [item] = list(extract_files([path], reader=rewriting_reader))
    assert item.document is None
    assert item.failure is not None and "kept changing while it was being read" in item.failure.reason


def test_results_come_back_in_path_order_with_their_passages(tmp_path: Path) -> None:
    paths = []
    for k in range(12):
        path = tmp_path / f"p{k:02d}.txt"
        path.write_text(reliability.paper_text(k, seed=k), encoding="utf-8")
        paths.append(path)
    items = list(extract_files(list(reversed(paths)), limits=ReadLimits(workers=3)))
    assert [i.path for i in items] == list(reversed(paths))
    for item in items:
        assert item.document is not None and item.chunks
        k = int(item.path.stem[1:])
        assert reliability.marker(k) in item.document.text
        assert all(item.document.text[c.start_char:c.end_char] == c.text for c in item.chunks)


def test_a_folder_of_bad_files_indexes_every_good_paper_and_explains_every_failure(tmp_path: Path) -> None:
    # 10 s per file keeps the test short; the single 50 MB line then ends on the time limit.
    report = reliability.bad_inputs(tmp_path, seconds_per_file=10.0, big_line_mb=50)
    assert not report.parent_crashed, report.failed
    assert report.controls == 5 and report.controls_indexed == 5
    failed, indexed = report.failed, set(report.indexed)
    # Every file ended one way or the other, and every failure says why.
    ended = set(failed) | indexed
    assert set(report.cases) <= ended, set(report.cases) - ended
    assert all(reason.strip() for reason in failed.values())
    assert {"cp1252.txt", "utf16.txt", "duplicate-of-first.txt", "zz-rewritten-during-sync.txt"} <= indexed
    assert failed["zero-bytes.txt"] == "empty file"
    assert failed["binary.txt"] == "binary data, not text"
    assert "zip bomb" in failed["zip-bomb.docx"] or "would expand" in failed["zip-bomb.docx"]
    assert failed["corrupt.docx"].startswith("damaged DOCX")
    assert "symbolic links" in failed["symlink-loop.txt"]
    assert failed["named-pipe.txt"].startswith("not a regular file")
    assert "deleted" in failed["zz-deleted-during-sync.txt"]
    # Cutting 50 MB into passages either overruns the time or the memory limit, by machine speed.
    assert failed["one-line.txt"] in (
        "took longer than 10 s to read", "the reader crashed (signal 6), probably needed more than 2 GB of memory to read"
    )
    for name in ("qpdf-c-r2.pdf", "qpdf-enc-R2,V1,U=view,O=master.pdf"):
        assert failed[name] == "password-protected PDF"
    for name in ("ofsted-birmingham.pdf", "ofsted-blackpool.pdf", "ofsted-bromley.pdf", "ofsted-rotherham.pdf"):
        assert failed[name].startswith("not a PDF: an HTML page")
    qpdf = [n for n in report.cases if n.startswith("qpdf-")]
    assert len(qpdf) == len(list((reliability.SHARED / "badinputs" / "qpdf").iterdir()))
    # The file rewritten mid-sync is indexed as it is now, and a second sync finds nothing new.
    assert report.second_sync["added"] == 0 and report.second_sync["updated"] == 0


_UNREADABLE_SCRIPT = """
import json, sys
from pathlib import Path
from minutebook.ingest.extract import extract_files
items = list(extract_files([Path(p) for p in sys.argv[1:]]))
print(json.dumps([[i.path.name, i.document is not None, i.failure.reason if i.failure else None] for i in items]))
"""


def test_an_unreadable_file_fails_alone(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(reliability.paper_text(7), encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text(reliability.paper_text(8), encoding="utf-8")
    secret.chmod(0)
    prefix: list[str] = []
    if os.geteuid() == 0:
        # Root reads a chmod 000 file anyway; without the two capabilities that allow it, it cannot.
        if not shutil.which("setpriv"):
            pytest.skip("running as root and setpriv is not available to drop CAP_DAC_OVERRIDE")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([*prefix, sys.executable, "-c", _UNREADABLE_SCRIPT, str(secret), str(good)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result[0] == ["secret.txt", False, "cannot read file (Permission denied)"]
    assert result[1][:2] == ["good.txt", True]
