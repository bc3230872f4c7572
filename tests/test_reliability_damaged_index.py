"""A damaged index database: every command says which index and what to do (exit 3), never a traceback;
`index --rebuild` keeps the damaged file and reuses the embeddings it can still read.

Damage is made the way a failing disk makes it: whole pages of a real index file (real MiniLM,
real FAISS, real SQLite) overwritten, chosen among the pages SQLite's ``dbstat`` says hold a table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from minutebook.cli import main

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
DB = "minutebook.sqlite"


def damage_pages(db: Path, tables: tuple[str, ...], every: int = 2, fill: bytes = b"\xa5") -> int:
    """Overwrite every ``every``-th leaf page of ``tables`` in the file; returns how many pages."""
    conn = sqlite3.connect(db)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [p for t in tables for p, kind in conn.execute(
            "SELECT pageno, pagetype FROM dbstat WHERE name = ? ORDER BY pageno", (t,)) if kind == "leaf"][::every]
    finally:
        conn.close()
    with open(db, "r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * size)
            fh.write(fill * size)
    assert pages, tables
    return len(pages)


def damage_header(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.write(b"\0" * 100)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def damaged(corpus_index_copy: Path) -> Path:
    damage_pages(corpus_index_copy / DB, ("chunks", "documents", "chunks_fts_content", "attributions"))
    return corpus_index_copy


COMMANDS = [
    ("search", "caseloads"),
    ("search", "--json", "caseloads"),
    ("ask", "what was said about caseloads?"),
    ("timeline", "caseloads"),
    ("decisions",),
    ("status",),
    ("status", "--json"),
    ("index", str(CORPUS)),
    ("index",),
]


def assert_one_line_naming(err: str, index: Path) -> None:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(index) in lines[0] and "damaged" in lines[0], err
    assert f"minutebook index --rebuild --index {index}" in lines[0], err


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_names_the_damaged_index_and_the_remedy(
    damaged: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
) -> None:
    code, out, err = run(capsys, *argv, "--index", str(damaged))
    assert code == 3, (out, err)
    assert_one_line_naming(err, damaged)
    assert "healthy" not in out


@pytest.mark.parametrize("argv", [("search", "caseloads"), ("status",), ("decisions",), ("index", str(CORPUS))],
                         ids=" ".join)
def test_a_database_whose_header_is_gone_is_reported_the_same_way(
    corpus_index_copy: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
) -> None:
    damage_header(corpus_index_copy / DB)
    code, _, err = run(capsys, *argv, "--index", str(corpus_index_copy))
    assert code == 3
    assert_one_line_naming(err, corpus_index_copy)


def test_check_and_repair_say_they_cannot_mend_the_database(damaged: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--index", str(damaged))
    assert code == 3 and "database  PROBLEM" in out
    code, out, err = run(capsys, "check", "--repair", "--index", str(damaged))
    assert code == 3 and "Traceback" not in err
    assert "cannot mend the database" in out
    assert f"minutebook index --rebuild --index {damaged}" in out


def test_rebuild_keeps_the_damaged_file_and_reuses_the_embeddings_it_can_read(
    corpus_index_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    monkeypatch.setenv("MINUTEBOOK_EMBED_BACKEND", "torch")  # the model that built the sample index
    index = corpus_index_copy
    before = sqlite3.connect(index / DB).execute("SELECT count(*) FROM embeddings").fetchone()[0]
    damage_pages(index / DB, ("chunks", "documents"))
    damage_pages(index / DB, ("embeddings",), every=3)
    original = (index / DB).read_bytes()

    code, out, err = run(capsys, "index", "--rebuild", "--json", str(CORPUS), "--index", str(index))
    assert code == 0, err
    report = json.loads(out)
    kept = Path(report["damaged_database"]["kept_as"])
    assert kept.parent == index and kept.name.startswith(DB + ".damaged-")
    assert kept.read_bytes() == original  # set aside untouched, for whoever wants to look at it
    read = report["damaged_database"]["embeddings_read"]
    assert 0 < read < before  # some embeddings were on damaged pages, the rest were read
    assert report["chunks_reused"] == read and report["chunks_embedded"] == before - read
    assert len(report["added"]) == 5 and not report["failed"]

    code, out, _ = run(capsys, "check", "--index", str(index))
    assert code == 0, out
    code, out, _ = run(capsys, "search", "--json", "caseloads", "--index", str(index))
    assert code == 0 and json.loads(out)["results"]


def test_rebuild_with_no_path_uses_the_folders_the_damaged_index_recorded(
    corpus_index_copy: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./corpus here: the papers can only come from the recorded folders
    damage_pages(corpus_index_copy / DB, ("chunks",))
    code, out, err = run(capsys, "index", "--rebuild", "--index", str(corpus_index_copy))
    assert code == 0, err
    assert "The damaged database was kept as" in out and "5 added" in out


@pytest.mark.slow  # embeds every passage again
def test_rebuild_of_a_database_with_no_header_starts_afresh_and_keeps_the_file(
    corpus_index_copy: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    damage_header(corpus_index_copy / DB)
    code, out, err = run(capsys, "index", "--rebuild", str(CORPUS), "--index", str(corpus_index_copy))
    assert code == 0, err
    assert "0 stored embeddings could still be read" in out and "5 added" in out
    assert len(list(corpus_index_copy.glob(DB + ".damaged-*"))) == 1


@pytest.mark.slow  # starts a server process with the real model
def test_serve_answers_503_naming_the_damaged_index(damaged: Path, tmp_path: Path) -> None:
    from tests.servers import start_server

    served = start_server(damaged, tmp_path / "serve.log")
    try:
        replies = [served.get("/search", query="caseloads"), served.get("/status"), served.get("/decisions"),
                   served.get("/timeline", query="caseloads")]
    finally:
        log = served.stop()
    for reply in replies:
        assert reply.status == 503, reply.body
        body = reply.json()
        assert body["exit_code"] == 3 and str(damaged) in body["error"] and "--rebuild" in body["error"]
    assert "Traceback" not in log


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_app_status_says_the_index_is_damaged(damaged: Path, anyio_backend: str) -> None:
    pytest.importorskip("textual")
    from textual.widgets import Static

    from minutebook.config import Settings
    from minutebook_tui.app import make_app

    app = make_app(Settings(index=damaged, corpus=(CORPUS,)), load_models=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = " ".join(str(w.render()) for w in app.query(Static) if (w.id or "").startswith("status"))
        notes = [n.message for n in app._notifications]
        assert "damaged" in status and str(damaged) in status, status
        assert not any("Unexpected error" in n for n in notes), notes
