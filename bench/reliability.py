"""Reliability bench: bad files, SIGKILL at random moments, queries during syncs, offline runs.

    .venv/bin/python bench/reliability.py                # the full run behind bench/RELIABILITY.md
    .venv/bin/python bench/reliability.py --kills 20     # a shorter kill loop

The tests in tests/test_reliability_*.py run short versions of the same functions. Syncs here
use the tests' fast HashingEmbedder through a small driver (``drive``) run as a subprocess, so a
kill is cheap; the offline run uses the real model through the real `minutebook` command.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
PY = sys.executable
RUN_MARK = "MINUTEBOOK_RELIABILITY_RUN"  # in the environment of every process a run starts

def hashing_embedder() -> Any:
    """The fast deterministic embedder of the tests (tests/fake_embedder.py): syncs here take milliseconds."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.fake_embedder import HashingEmbedder

    return HashingEmbedder


# --- papers ------------------------------------------------------------------------------


def _vocabulary() -> list[str]:
    words: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        words.extend(w for w in path.read_text(encoding="utf-8").split() if w.isalpha())
    return words


def marker(k: int) -> str:
    """A word that appears in paper ``k`` and nowhere else."""
    letters = ""
    for _ in range(4):
        k, digit = divmod(k, 26)
        letters += chr(ord("a") + digit)
    return f"zqv{letters}x"


def paper_text(k: int, version: int = 0, seed: int = 0) -> str:
    rng = random.Random(f"{seed}-{k}-{version}")
    words = _vocabulary()
    paras = [f"Children's Scrutiny Committee paper {k} ({marker(k)}) revision {version}"]
    for _ in range(rng.randint(3, 9)):
        paras.append(" ".join(rng.choice(words) for _ in range(rng.randint(40, 160))) + ".")
    paras.insert(2, f"The committee noted item {marker(k)} on caseloads.")
    return "\n\n".join(paras) + "\n"


def make_papers(folder: Path, keys: range, seed: int = 0) -> dict[str, int]:
    """Write papers ``keys`` into ``folder``; returns {path: version}."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for k in keys:
        path = folder / f"paper-{k:05d}.txt"
        path.write_text(paper_text(k, 0, seed), encoding="utf-8")
        out[str(path)] = 0
    return out


# --- the driver: one sync, run as a subprocess ----------------------------------------------


def drive(index: Path, papers: Path, commit_every: int, slow_embed_ms: float) -> None:
    """Sync ``papers`` into ``index`` with the HashingEmbedder and small commits."""
    import minutebook.pipeline.syncer as pipeline

    HashingEmbedder = hashing_embedder()

    class SlowHashing(HashingEmbedder):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            time.sleep(slow_embed_ms / 1000)
            return super().embed(texts)

    pipeline.COMMIT_EVERY_FILES = commit_every
    report = pipeline.sync(index, [papers], SlowHashing() if slow_embed_ms else HashingEmbedder())
    print(json.dumps({"added": len(report.added), "failed": len(report.failed)}))


def _driver_cmd(index: Path, papers: Path, commit_every: int = 4, slow_embed_ms: float = 0) -> list[str]:
    return [PY, str(Path(__file__).resolve()), "drive", str(index), str(papers),
            "--commit-every", str(commit_every), "--slow-embed-ms", str(slow_embed_ms)]


def _env(run_id: str) -> dict[str, str]:
    return {**os.environ, RUN_MARK: run_id, "PYTHONPATH": str(REPO / "src")}


def lingering(run_id: str) -> list[int]:
    """Processes still alive that a run with ``run_id`` started (orphaned reader workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"{RUN_MARK}={run_id}".encode() in environ and state != "Z":
            found.append(int(proc.name))
    return found


# --- state of an index --------------------------------------------------------------------


def index_state(index: Path) -> dict[str, object]:
    """Everything a sync decides, without row ids or timestamps: two equal states are one index."""
    conn = sqlite3.connect(f"file:{index / 'minutebook.sqlite'}?mode=ro", uri=True)
    try:
        docs = conn.execute(
            "SELECT path, sha256, format, size, title, council, committee, meeting_date, doc_type, page_count, text"
            " FROM documents ORDER BY path").fetchall()
        chunks = conn.execute(
            "SELECT d.path, c.ordinal, c.start_char, c.end_char, c.page, c.section, c.minute, c.boilerplate,"
            " c.text, c.embed_hash FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY d.path, c.ordinal"
        ).fetchall()
        fts = sorted(conn.execute("SELECT f.text, f.context FROM chunks_fts f").fetchall())
        embeddings = conn.execute("SELECT hash, vector FROM embeddings ORDER BY hash").fetchall()
        failures = conn.execute("SELECT path, reason FROM failures ORDER BY path").fetchall()
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    finally:
        conn.close()
    return {"documents": docs, "chunks": chunks, "fts": fts, "embeddings": embeddings, "failures": failures,
            "vectors_count": meta.get("vectors_count")}


@dataclass
class Verdict:
    healthy: bool
    problems: list[str]
    documents: dict[str, str]  # path -> sha256


def verify(index: Path, expect_present: set[str], sample: int = 8, rng: random.Random | None = None) -> Verdict:
    """After a kill: the index opens, passes `check`, keeps ``expect_present``, finds its papers."""
    from minutebook import check_index
    from minutebook.search.hybrid import HybridSearcher, Ranking

    HashingEmbedder = hashing_embedder()
    problems: list[str] = []
    if not (index / "minutebook.sqlite").exists() or _schema(index) == 0:
        # Stopped before the first commit: there is no index yet, and nothing to lose.
        return Verdict(not expect_present, ["no index yet"] if expect_present else [], {})
    report = check_index(index)
    problems.extend(f"{p.part}: {p.message}" for p in report.problems)
    conn = sqlite3.connect(f"file:{index / 'minutebook.sqlite'}?mode=ro", uri=True)
    try:
        docs = dict(conn.execute("SELECT path, sha256 FROM documents"))
        dupes = conn.execute("SELECT count(*) - count(DISTINCT path) FROM documents").fetchone()[0]
        chunk_dupes = conn.execute(
            "SELECT count(*) FROM (SELECT doc_id, ordinal FROM chunks GROUP BY 1, 2 HAVING count(*) > 1)"
        ).fetchone()[0]
    finally:
        conn.close()
    if dupes or chunk_dupes:
        problems.append(f"duplicated: {dupes} documents, {chunk_dupes} passages")
    lost = sorted(expect_present - set(docs))
    if lost:
        problems.append(f"lost {len(lost)} committed documents, e.g. {lost[0]}")
    if docs and not report.problems:
        # Keyword mode: the hashing embedder's dense scores tie across papers; the vector file
        # is checked passage by passage by check_index above.
        searcher = HybridSearcher(index, HashingEmbedder(), Ranking(mode="keyword"))
        try:
            rng = rng or random.Random(0)
            for path in rng.sample(sorted(docs), min(sample, len(docs))):
                k = int(Path(path).stem.split("-")[1])
                hits = searcher.search(marker(k), top_k=3).hits
                if path not in {h.path for h in hits}:
                    problems.append(f"{path} is indexed but not found by its marker word")
        finally:
            searcher.close()
    return Verdict(not problems, problems, docs)


# --- the kill loop ------------------------------------------------------------------------------


@dataclass
class KillReport:
    kills: int = 0
    completed_runs: int = 0
    rounds_with_changes: int = 0
    documents_lost: int = 0
    documents_duplicated: int = 0
    unhealthy_after_kill: int = 0
    lingering_workers: int = 0
    converged: bool = False
    final_documents: int = 0
    kill_delays_s: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def kill_loop(workdir: Path, kills: int = 20, papers_count: int = 40, seed: int = 1) -> KillReport:
    """SIGKILL the sync ``kills`` times at random moments; check the index after every kill.

    Between rounds the folder changes (papers added, rewritten, deleted) whenever the previous
    run got to the end, so kills keep landing on real work: reading, embedding, committing.
    At the end one uninterrupted sync must give exactly the index a clean run gives.
    """
    started = time.monotonic()
    rng = random.Random(seed)
    run_id = f"kill-{os.getpid()}-{seed}"
    papers, index = workdir / "papers", workdir / "index"
    make_papers(papers, range(papers_count), seed)
    next_key = papers_count
    # How long an uninterrupted first sync takes, to spread the kills over it.
    probe = workdir / "probe-index"
    t0 = time.monotonic()
    subprocess.run(_driver_cmd(probe, papers), check=True, capture_output=True, env=_env(run_id))
    span = time.monotonic() - t0
    shutil.rmtree(probe)
    report = KillReport()
    committed: set[str] = set()
    attempts = 0
    while report.kills < kills and attempts < kills * 4:
        attempts += 1
        delay = rng.uniform(0.0, span)
        err = workdir / "driver.stderr"
        launched = time.monotonic()
        with open(err, "wb") as err_fh:
            proc = subprocess.Popen(_driver_cmd(index, papers), stdout=subprocess.DEVNULL, stderr=err_fh,
                                    env=_env(run_id))
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                report.kills += 1
                report.kill_delays_s.append(round(delay, 2))
            else:
                report.completed_runs += 1
                # Aim the next kills within how long a sync takes now.
                span = 0.5 * span + 0.5 * (time.monotonic() - launched)
                if proc.returncode not in (0, 1):
                    tail = err.read_text(errors="replace")[-300:]
                    report.problems.append(f"sync exited {proc.returncode}: {tail}")
        verdict = verify(index, {p for p in committed if os.path.exists(p)}, rng=rng)
        if not verdict.healthy:
            report.unhealthy_after_kill += 1
            report.problems.extend(verdict.problems)
            report.documents_lost += sum(1 for p in verdict.problems if p.startswith("lost"))
            report.documents_duplicated += sum(1 for p in verdict.problems if p.startswith("duplicated"))
        # Papers deleted from the folder may leave the index; every other committed one must stay.
        committed = {p for p in verdict.documents if os.path.exists(p)}
        if proc.returncode is not None and proc.returncode >= 0:
            # The sync finished: change the folder so the next run has work to be killed in.
            report.rounds_with_changes += 1
            names = sorted(papers.glob("paper-*.txt"))
            for path in rng.sample(names, min(5, len(names))):
                path.unlink()
            for path in rng.sample(sorted(papers.glob("paper-*.txt")), 6):
                k = int(path.stem.split("-")[1])
                path.write_text(paper_text(k, rng.randint(1, 10**6), seed), encoding="utf-8")
            make_papers(papers, range(next_key, next_key + 16), seed)
            next_key += 16
    # Orphaned workers notice their parent is gone within 0.5 s of starting up; start-up itself
    # can take seconds on a busy machine.
    deadline = time.monotonic() + 15
    while lingering(run_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    report.lingering_workers = len(lingering(run_id))
    subprocess.run(_driver_cmd(index, papers), check=True, capture_output=True, env=_env(run_id))
    clean = workdir / "clean-index"
    subprocess.run(_driver_cmd(clean, papers), check=True, capture_output=True, env=_env(run_id))
    final = verify(index, {p for p in committed if os.path.exists(p)}, sample=20, rng=rng)
    report.problems.extend(final.problems)
    report.converged = index_state(index) == index_state(clean)
    report.final_documents = len(final.documents)
    report.seconds = round(time.monotonic() - started, 1)
    return report


# --- queries while a sync commits -------------------------------------------------------------


def read_loop(index: Path, stop_file: Path, seed: int) -> None:
    """Query until ``stop_file`` appears; print counts of queries, errors and mixed views."""
    import numpy as np

    from minutebook import CitedAnswerer, HybridSearcher
    from minutebook.errors import IndexCorrupt
    from minutebook.index.check import vector_ids
    from minutebook.index.sqlite.store import Store
    from minutebook.index.sqlite.vectors import VectorFile, VectorIndex

    HashingEmbedder = hashing_embedder()
    rng = random.Random(seed)
    words = ["caseloads", "agency staff", "care leavers", "Ofsted", "budget", "recruitment", "committee"]
    out = {"searches": 0, "answers": 0, "probes": 0, "errors": 0, "mixed": 0, "fallbacks": 0,
           "generations": set(), "error_samples": []}
    searcher = HybridSearcher(index, HashingEmbedder())
    answerer = CitedAnswerer(searcher)
    probe = Store.open(index, readonly=True)
    while not stop_file.exists():
        try:
            kind = rng.random()
            if kind < 0.5:
                query = rng.choice(words) if rng.random() < 0.7 else marker(rng.randrange(0, 60))
                searcher.search(query, top_k=5)
                out["searches"] += 1
            elif kind < 0.7:
                answerer.answer(f"What was said about {rng.choice(words)}?")
                out["answers"] += 1
            else:
                # What any reader sees: the vector file named in its snapshot holds exactly that
                # snapshot's passages, or it falls back to the database.
                with probe.snapshot() as conn:
                    meta = dict(conn.execute("SELECT key, value FROM meta"))
                    ids = np.fromiter((r[0] for r in conn.execute("SELECT id FROM chunks ORDER BY id")), np.int64)
                    record = VectorFile.from_meta(meta)
                    if record is not None:
                        out["generations"].add(meta.get("generation"))
                        try:
                            vi = VectorIndex.load(index, record, int(meta["dimension"]))
                        except IndexCorrupt:
                            out["fallbacks"] += 1  # the file went after two quick commits
                        else:
                            if not np.array_equal(vector_ids(vi.index), ids):
                                out["mixed"] += 1
                out["probes"] += 1
        except Exception as exc:  # noqa: BLE001 - counted, not raised: the point is to count them
            out["errors"] += 1
            if len(out["error_samples"]) < 5:
                out["error_samples"].append(f"{type(exc).__name__}: {exc}")
    out["generations"] = len(out["generations"])
    print(json.dumps(out))


@dataclass
class LoadReport:
    readers: int = 0
    searches: int = 0
    answers: int = 0
    probes: int = 0
    errors: int = 0
    mixed: int = 0
    fallbacks: int = 0
    generations_seen: int = 0
    commits_during_load: int = 0
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0


def query_load(workdir: Path, readers: int = 3, papers_count: int = 60, slow_embed_ms: float = 30) -> LoadReport:
    """Index half the papers, then sync the rest in small commits while readers query."""
    started = time.monotonic()
    run_id = f"load-{os.getpid()}"
    papers, index = workdir / "papers", workdir / "index"
    make_papers(papers, range(papers_count // 2))
    subprocess.run(_driver_cmd(index, papers), check=True, capture_output=True, env=_env(run_id))
    make_papers(papers, range(papers_count // 2, papers_count))
    stop = workdir / "stop"
    procs = [subprocess.Popen([PY, str(Path(__file__).resolve()), "read", str(index), str(stop), str(i)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(run_id))
             for i in range(readers)]
    time.sleep(1.0)  # let the readers start before the sync does
    gen_before = _meta(index, "generation")
    # Commit after every paper; delete a few papers too, so commits also remove passages.
    for path in sorted(papers.glob("paper-*.txt"))[:3]:
        path.unlink()
    subprocess.run(_driver_cmd(index, papers, commit_every=1, slow_embed_ms=slow_embed_ms), check=True,
                   capture_output=True, env=_env(run_id))
    time.sleep(0.5)
    stop.touch()
    report = LoadReport(readers=readers)
    report.commits_during_load = int(_meta(index, "generation") or 0) - int(gen_before or 0)
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=60)
        try:
            data = json.loads(stdout.decode().strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            report.errors += 1
            report.error_samples.append(f"reader exited {proc.returncode}: {stderr.decode()[-300:]}")
            continue
        for key in ("searches", "answers", "probes", "errors", "mixed", "fallbacks"):
            setattr(report, key, getattr(report, key) + data[key])
        report.generations_seen = max(report.generations_seen, data["generations"])
        report.error_samples.extend(data["error_samples"])
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _schema(index: Path) -> int:
    conn = sqlite3.connect(f"file:{index / 'minutebook.sqlite'}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _meta(index: Path, key: str) -> str | None:
    conn = sqlite3.connect(f"file:{index / 'minutebook.sqlite'}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    finally:
        conn.close()
    return row[0] if row else None


# --- bad inputs ------------------------------------------------------------------------------------

HTML_AS_PDF = (
    "80429_birmingham/children's services inspection - 19 october 2012.pdf",
    "80431_blackpool/children's services inspection - 13 july 2012.pdf",
    "80490_bromley/children's services inspection - 17 august 2012.pdf",
    "80543_rotherham/children's services inspection - 10 august 2012.pdf",
)


def misbehaving_reader(path: Path):  # type: ignore[no-untyped-def]
    """Reads like minutebook, except files named to hang, hog memory or crash the reader."""
    from minutebook import read_document

    name = path.name
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("hog"):
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if name.startswith("segv"):
        ctypes.string_at(0)  # a real segmentation fault, as a C parser would have
    return read_document(path)


def build_bad_folder(folder: Path, *, big_line_mb: int = 50) -> dict[str, str]:
    """A folder of bad files beside the five sample papers; returns {name: what it is}."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, str] = {}
    for src in sorted((SHARED / "badinputs" / "qpdf").iterdir()):
        shutil.copy(src, folder / f"qpdf-{src.name}")
        cases[f"qpdf-{src.name}"] = "qpdf test file"
    for rel in HTML_AS_PDF:
        name = "ofsted-" + rel.split("/")[0].split("_")[1] + ".pdf"
        shutil.copy(SHARED / "corpus" / "ofsted-ilacs" / rel, folder / name)
        cases[name] = "HTML error page named .pdf"
    for src in sorted(CORPUS.iterdir()):
        if src.is_file() and src.name != "README.md":
            shutil.copy(src, folder / src.name)
            if src.suffix == ".txt":
                cases[src.name] = "control"
    first = sorted(CORPUS.glob("*.txt"))[0]
    shutil.copy(first, folder / "duplicate-of-first.txt")
    cases["duplicate-of-first.txt"] = "duplicate of a control"
    (folder / "zero-bytes.txt").write_bytes(b"")
    cases["zero-bytes.txt"] = "zero bytes"
    (folder / "binary.txt").write_bytes(random.Random(3).randbytes(8192))
    cases["binary.txt"] = "binary data named .txt"
    sample = ("Minutes of the Corporate Parenting Panel. The café budget rose to £12,000 – "
              "“a necessary step,” said Councillor O’Neill. ") * 20
    (folder / "cp1252.txt").write_bytes(sample.encode("cp1252"))
    cases["cp1252.txt"] = "Windows-1252 text"
    (folder / "utf16.txt").write_bytes(sample.encode("utf-16"))
    cases["utf16.txt"] = "UTF-16 text"
    words = _vocabulary()
    rng = random.Random(5)
    with open(folder / "one-line.txt", "w", encoding="utf-8") as fh:
        written = 0
        while written < big_line_mb * 1024 * 1024:
            piece = " ".join(rng.choice(words) for _ in range(2000)) + " "
            fh.write(piece)
            written += len(piece)
    cases["one-line.txt"] = f"a single {big_line_mb} MB line"
    with zipfile.ZipFile(folder / "zip-bomb.docx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(block)
    cases["zip-bomb.docx"] = "DOCX zip bomb (300 MB of XML)"
    good = _small_docx()
    (folder / "corrupt.docx").write_bytes(good[: len(good) // 2])
    cases["corrupt.docx"] = "DOCX cut in half"
    (folder / "garbage.docx").write_bytes(b"PK\x03\x04" + random.Random(4).randbytes(4000))
    cases["garbage.docx"] = "DOCX with a zip signature and nothing else"
    os.symlink("symlink-loop.txt", folder / "symlink-loop.txt")
    cases["symlink-loop.txt"] = "symlink loop"
    os.mkfifo(folder / "named-pipe.txt")
    cases["named-pipe.txt"] = "a named pipe called .txt (would block a naive reader)"
    unreadable = folder / "unreadable.txt"
    unreadable.write_text(paper_text(90001), encoding="utf-8")
    unreadable.chmod(0)
    cases["unreadable.txt"] = "chmod 000" + (" (readable anyway: running as root)" if os.geteuid() == 0 else "")
    (folder / "zz-deleted-during-sync.txt").write_text(paper_text(90002), encoding="utf-8")
    cases["zz-deleted-during-sync.txt"] = "deleted while the sync runs"
    (folder / "zz-rewritten-during-sync.txt").write_text(paper_text(90003), encoding="utf-8")
    cases["zz-rewritten-during-sync.txt"] = "rewritten while the sync runs"
    return cases


def _small_docx() -> bytes:
    import io

    import docx

    document = docx.Document()
    for i in range(40):
        document.add_paragraph(f"Paragraph {i}: the panel discussed placement sufficiency and caseloads.")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@dataclass
class BadInputReport:
    files: int = 0
    indexed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    cases: dict[str, str] = field(default_factory=dict)
    controls_indexed: int = 0
    controls: int = 0
    parent_crashed: bool = False
    seconds: float = 0.0
    second_sync: dict[str, int] = field(default_factory=dict)


def bad_inputs(workdir: Path, seconds_per_file: float = 60.0, big_line_mb: int = 50) -> BadInputReport:
    """Sync a folder of bad files and the sample papers; record how each file ended."""
    from minutebook import sync
    from minutebook.ingest.extract import ReadLimits

    HashingEmbedder = hashing_embedder()
    folder, index = workdir / "bad", workdir / "bad-index"
    cases = build_bad_folder(folder, big_line_mb=big_line_mb)
    victim, rewritten = folder / "zz-deleted-during-sync.txt", folder / "zz-rewritten-during-sync.txt"

    def meddle(progress):  # type: ignore[no-untyped-def]
        # After the first file is read the last two are still ahead: delete one, rewrite the other.
        if progress.stage == "extract" and progress.done == 1 and victim.exists():
            victim.unlink()
            rewritten.write_text(paper_text(90004), encoding="utf-8")

    report = BadInputReport(cases=cases, files=len(cases))
    started = time.monotonic()
    try:
        result = sync(index, [folder], HashingEmbedder(), progress=meddle, limits=ReadLimits(seconds=seconds_per_file))
    except Exception as exc:  # noqa: BLE001 - the promise is that this never happens
        report.parent_crashed = True
        report.failed["(sync)"] = f"{type(exc).__name__}: {exc}"
        return report
    report.seconds = round(time.monotonic() - started, 1)
    report.indexed = sorted(Path(p).name for p in (*result.added, *result.updated))
    report.failed = {Path(f.path).name: f.reason for f in result.failed}
    report.controls = sum(1 for v in cases.values() if v == "control")
    report.controls_indexed = sum(1 for n, v in cases.items() if v == "control" and n in report.indexed)
    again = sync(index, [folder], HashingEmbedder(), limits=ReadLimits(seconds=seconds_per_file))
    report.second_sync = {"added": len(again.added), "updated": len(again.updated), "failed": len(again.failed)}
    return report


# --- offline -------------------------------------------------------------------------------------

SITECUSTOMIZE = '''
import os, socket
_log = os.environ["MINUTEBOOK_NET_LOG"]
def _refuse(what, address):
    with open(_log, "a") as fh:
        fh.write(f"{os.getpid()} {what} {address!r}\\n")
    raise OSError(101, "network is disabled for this test")
_connect = socket.socket.connect
def connect(self, address):
    if self.family == socket.AF_UNIX:
        return _connect(self, address)
    _refuse("connect", address)
def connect_ex(self, address):
    if self.family == socket.AF_UNIX:
        return socket.socket.connect_ex.__wrapped__(self, address)
    _refuse("connect_ex", address)
connect_ex.__wrapped__ = socket.socket.connect_ex
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = lambda *a, **k: _refuse("getaddrinfo", a[:2])
'''


@dataclass
class OfflineReport:
    isolation: str = ""
    commands: dict[str, int] = field(default_factory=dict)
    network_attempts: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    manifest_model_sha256: str = ""  # what the index built offline records of its model
    seconds: float = 0.0


def offline_run(workdir: Path) -> OfflineReport:
    """`minutebook index`, `search` and `ask` with the real model and no network at all.

    The process has no network namespace (``unshare -rn``) where the kernel allows it, and
    in any case a sitecustomize logs and refuses every socket connection and DNS lookup.
    """
    started = time.monotonic()
    site = workdir / "site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = workdir / "net.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINUTEBOOK_", "HF_", "TRANSFORMERS_"))}
    env.update(PYTHONPATH=f"{site}{os.pathsep}{REPO / 'src'}", MINUTEBOOK_NET_LOG=str(log),
               MINUTEBOOK_INDEX=str(workdir / "index"), MINUTEBOOK_HOME=str(workdir / "home"),
               HOME=str(workdir / "home"))
    prefix: list[str] = []
    report = OfflineReport()
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        prefix = ["unshare", "-rn"]
        report.isolation = "unshare -rn (no network namespace) + socket guard"
    else:
        report.isolation = "socket guard only (unshare not permitted here)"
    mb = [str(Path(PY).parent / "minutebook")]
    for name, args in (("index", ["index", str(CORPUS), "-q"]),
                       ("search", ["search", "social worker caseloads", "--top-k", "3"]),
                       ("ask", ["ask", "What was said about caseloads?"])):
        proc = subprocess.run(prefix + mb + args, capture_output=True, text=True, env=env, timeout=600)
        report.commands[name] = proc.returncode
        report.outputs[name] = (proc.stdout + proc.stderr)[-400:]
    report.network_attempts = [line for line in log.read_text().splitlines() if line.strip()]
    if (workdir / "index" / "minutebook.sqlite").exists():
        report.manifest_model_sha256 = _meta(workdir / "index", "embed_model_sha256") or ""
    report.seconds = round(time.monotonic() - started, 1)
    return report


# --- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd")
    d = sub.add_parser("drive")
    d.add_argument("index", type=Path)
    d.add_argument("papers", type=Path)
    d.add_argument("--commit-every", type=int, default=4)
    d.add_argument("--slow-embed-ms", type=float, default=0)
    r = sub.add_parser("read")
    r.add_argument("index", type=Path)
    r.add_argument("stop", type=Path)
    r.add_argument("seed", type=int)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "work" / "reliability.json")
    parser.add_argument("--markdown", type=Path, default=REPO / "bench" / "RELIABILITY.md",
                        help="where to write the report (bench/RELIABILITY.md)")
    args = parser.parse_args(argv)
    if args.cmd == "drive":
        drive(args.index, args.papers, args.commit_every, args.slow_embed_ms)
        return 0
    if args.cmd == "read":
        read_loop(args.index, args.stop, args.seed)
        return 0
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="mb-reliability-") as tmp:
        work = Path(tmp)
        steps = (("bad_inputs", lambda: bad_inputs(work / "bad")),
                 ("pool", lambda: pool_misbehaviour(work / "pool")),
                 ("kills", lambda: kill_loop(work / "kills", kills=args.kills, papers_count=60)),
                 ("load", lambda: query_load(work / "load", readers=args.readers, papers_count=80)),
                 ("offline", lambda: offline_run(work / "offline")))
        for name, step in steps:
            print(f"[reliability] {name} ...", file=sys.stderr, flush=True)
            results[name] = asdict(step())  # type: ignore[call-overload]
            print(json.dumps(results[name], indent=1, default=str)[:3000], file=sys.stderr, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str))
    if args.markdown:
        args.markdown.write_text(render_markdown(results, args))
        print(f"[reliability] report in {args.markdown}", file=sys.stderr)
    print(f"[reliability] results in {args.out}", file=sys.stderr)
    print(json.dumps(results, default=str))  # bench/run.py reads the figures from stdout
    return 0


@dataclass
class PoolReport:
    outcomes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


POOL_FILES = ("good-a.txt", "hang.txt", "good-b.txt", "hog.txt", "segv.txt", "good-c.txt")


def pool_misbehaviour(workdir: Path, seconds_per_file: float = 10.0, names: tuple[str, ...] = POOL_FILES) -> PoolReport:
    """Readers that hang, exhaust memory and segfault, between good papers, through extract_files."""
    from minutebook.ingest.extract import ReadLimits, extract_files

    # Workers import the reader by module name, so it must not come from ``__main__``.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import reliability

    workdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        path = workdir / name
        path.write_text(paper_text(80000 + i), encoding="utf-8")
        paths.append(path)
    started = time.monotonic()
    report = PoolReport()
    limits = ReadLimits(seconds=seconds_per_file, memory_mb=1024)
    for item in extract_files(paths, limits=limits, reader=reliability.misbehaving_reader):
        report.outcomes[item.path.name] = (f"indexed ({len(item.chunks or ())} passages)" if item.document
                                           else f"failed: {item.failure.reason if item.failure else '?'}")
    report.seconds = round(time.monotonic() - started, 1)
    return report


def render_markdown(results: dict[str, Any], args: argparse.Namespace) -> str:
    """bench/RELIABILITY.md from one run's results: every figure comes from this run."""
    import platform

    bad, pool, kills, load, off = (results[k] for k in ("bad_inputs", "pool", "kills", "load", "offline"))
    cases: dict[str, str] = bad["cases"]
    lines = [
        "# Reliability",
        "",
        "Written by `bench/reliability.py` (run by `make bench`); every figure below comes from that run:",
        "",
        f"    .venv/bin/python bench/reliability.py --kills {args.kills:d} --readers {args.readers:d}",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}; "
        f"run {time.strftime('%Y-%m-%d %H:%M')}. Short versions run in `make test` "
        "(tests/test_reliability_*.py).",
        "",
        "## Summary",
        "",
        "| promise | result |",
        "|---|---|",
        f"| a bad file costs only itself | {len(cases)} bad and control files: {len(bad['indexed'])} indexed, "
        f"{len(bad['failed'])} failed with a reason; parent crashed: {'yes' if bad['parent_crashed'] else 'no'}; "
        f"controls indexed {bad['controls_indexed']} of {bad['controls']}; sync took {bad['seconds']} s |",
        "| a reader that hangs, hogs memory or segfaults fails alone | "
        + "; ".join(f"{k}: {v}" for k, v in pool["outcomes"].items()) + f" ({pool['seconds']} s) |",
        f"| SIGKILL at any moment costs nothing committed | {kills['kills']} kills "
        f"(plus {kills['completed_runs']} runs that finished first); documents lost {kills['documents_lost']}, "
        f"duplicated {kills['documents_duplicated']}; unhealthy index after a kill {kills['unhealthy_after_kill']}; "
        f"orphaned reader processes {kills['lingering_workers']}; re-run equals a clean run: "
        f"{'yes' if kills['converged'] else 'NO'} ({kills['final_documents']} papers, {kills['seconds']} s) |",
        f"| searches during a sync see one committed index | {load['readers']} reader processes: "
        f"{load['searches']} searches, {load['answers']} answers, {load['probes']} snapshot probes while "
        f"{load['commits_during_load']} commits landed; errors {load['errors']}, mixed views {load['mixed']}, "
        f"fallbacks to the database {load['fallbacks']} |",
        f"| nothing leaves the machine | {off['isolation']}: "
        + ", ".join(f"`{k}` exit {v}" for k, v in off["commands"].items())
        + f"; network attempts {len(off['network_attempts'])} ({off['seconds']} s, real MiniLM) |",
        "",
        "## Bad files, one by one",
        "",
        "Each file was synced once, in one folder with the five sample papers, through "
        "`minutebook.pipeline.syncer.sync` with the default limits (60 s and 2 GB per file, 2 reader processes).",
        "",
        "| file | what it is | how it ended |",
        "|---|---|---|",
    ]
    for name in sorted(cases):
        ended = "indexed" if name in bad["indexed"] else f"failed: {bad['failed'].get(name, '(not reported)')}"
        lines.append(f"| `{name}` | {cases[name]} | {ended} |")
    lines += [
        "",
        f"A second sync of the same folder: {bad['second_sync']}. Failed files are read again on every sync.",
        "",
        "## How it works",
        "",
        "- **Reading** runs in worker processes (`minutebook/ingest/workers.py`): fresh interpreters, not forks; "
        "each sets `RLIMIT_AS` on itself; the parent gives each file a wall-clock limit from the moment "
        "the worker starts on it, kills a worker that overruns or dies, and starts another. Workers also "
        "cut documents into passages, under the same limits. A worker whose parent dies (even by SIGKILL) "
        "exits within half a second. Every sync reads this way, however small (start-up is about 0.15 s per worker).",
        "- **Commits**: SQLite (WAL, synchronous=FULL) holds documents, passages, keywords and vectors; "
        "each commit writes a new `vectors-<generation>.faiss` (fsync, rename) and records its name, "
        "sha256 and count in the same transaction. A kill before the COMMIT leaves the previous state.",
        "- **Readers** read the vector file their snapshot names; if it is gone (two quick commits) or "
        "fails its checksum they fall back to the vectors in SQLite.",
        "- **`minutebook check`** runs SQLite's integrity check, compares passages with the keyword index "
        "and the vector file (checksum, count, passage ids) and checks the manifest; `--repair` rebuilds the "
        "keyword index and vector file from SQLite without re-embedding.",
        "- **Disk full** raises `IndexWriteFailed` (\"the disk holding the index at … is full\"); the last "
        "commit stays intact (tests/test_reliability_crash.py simulates ENOSPC in the vector write and in SQLite).",
        "- **Unreadable files**: this bench runs as root, which reads a chmod 000 file anyway; "
        "tests/test_reliability_bad_inputs.py reads one without CAP_DAC_OVERRIDE (`setpriv`) and gets "
        "\"cannot read file (Permission denied)\" while the paper beside it is indexed.",
        "- **A 50 MB single line** is read, then cutting it into passages needs more than the time or "
        "memory limit (which one depends on the machine); either way only that file fails.",
        "- **Offline**: the commands ran under `unshare -rn` (no network interface) with a `sitecustomize` "
        "that logs and refuses every non-local socket connection and DNS lookup.",
        "",
    ]
    # The damaged-database and unwritable-folder section comes from bench/reliability_index.py: keep it.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from reliability_index import preserved_section

    return "\n".join(lines) + preserved_section(args.markdown)


if __name__ == "__main__":
    sys.exit(main())
