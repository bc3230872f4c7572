"""Scanned pages in an index in PostgreSQL: the same marks and re-reading as the embedded engine."""

from __future__ import annotations

from pathlib import Path

from minutebook.ingest.ocr import OcrSettings
from tests.test_ocr import _page_text, _sentence, ocr_cache, papers, pytestmark  # noqa: F401 - fixtures
from tests.test_postgres import pg_server, pg_url  # noqa: F401 - fixtures


def test_postgres_marks_ocr_passages_and_reads_a_paper_again_once_ocr_can(
    pg_url: str, papers: dict[str, Path], ocr_cache: Path, minilm,  # noqa: F811
) -> None:
    from minutebook.index.postgres.search import PgSearcher
    from minutebook.pipeline.syncer import sync

    first = sync(pg_url, [papers["mixed"]], minilm, ocr=OcrSettings(enabled=False))
    assert len(first.added) == 1 and "page 3 not indexed" in first.notices[0].reason
    second = sync(pg_url, [papers["mixed"]], minilm, ocr=OcrSettings(cache=ocr_cache))
    assert second.updated == (str(papers["mixed"]),) and second.ocr_pages == 1
    assert sync(pg_url, [papers["mixed"]], minilm, ocr=OcrSettings(cache=ocr_cache)).unchanged
    searcher = PgSearcher(pg_url, minilm)
    try:
        top = searcher.search(_sentence(_page_text(papers["mixed_src"], 2)), top_k=1).hits[0]
        assert (top.page, top.ocr) == (3, True)
        top = searcher.search(_sentence(_page_text(papers["mixed_src"], 1)), top_k=1).hits[0]
        assert (top.page, top.ocr) == (2, False)
    finally:
        searcher.close()


def test_postgres_index_from_before_ocr_is_upgraded_by_the_next_sync(pg_url: str, minilm, tmp_path: Path) -> None:  # noqa: F811
    import psycopg

    from minutebook.pipeline.syncer import sync

    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "note.txt").write_text("The committee noted the caseload figures for the quarter. " * 5)
    sync(pg_url, [folder], minilm)
    with psycopg.connect(pg_url) as conn:
        conn.execute("ALTER TABLE minutebook.chunks DROP COLUMN ocr")
        conn.execute("ALTER TABLE minutebook.documents DROP COLUMN unread_pages")
        conn.execute("UPDATE minutebook.meta SET value = '1' WHERE key = 'schema_version'")
    report = sync(pg_url, [folder], minilm)
    # Schema 3 (council identities, manifest attributes) reads papers again; nothing is embedded again.
    assert report.updated == (str(folder / "note.txt"),) and report.chunks_embedded == 0
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT value FROM minutebook.meta WHERE key = 'schema_version'").fetchone()[0] == "3"
        assert conn.execute("SELECT bool_or(ocr) FROM minutebook.chunks").fetchone()[0] is False
