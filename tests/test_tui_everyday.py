"""The app as a councillor meets it every day: re-sync, export, sources, dates, copy, open and quit."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.pilot import Pilot
from textual.widgets import Input, Static

import minutebook.models.registry
from minutebook import HybridSearcher, sync
from minutebook.answer.cite import format_citation
from minutebook.config import Settings
from minutebook.service.reader import Facets, PassageContext
from minutebook.types import Answer, Filters, Hit, SearchResult
from minutebook_tui.app import MinutebookApp, make_app
from minutebook_tui.services import corpus_syncer
from tests.fake_embedder import HashingEmbedder

pytestmark = pytest.mark.anyio


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


async def settle(pilot: Pilot) -> None:
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def notes(app: MinutebookApp) -> list[str]:
    return [n.message for n in app._notifications]


def paper(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Children's Scrutiny Committee minutes\n\n4. Caseloads\n\n{text}\n", encoding="utf-8")
    return path


# --- fixed parts, for what does not depend on ranking -------------------------------------------


def _hit(n: int, path: str, page: int | None = 2, council: str = "Devon County Council") -> Hit:
    text = f"Passage {n}: caseloads for social workers rose to {20 + n} cases."
    return Hit(chunk_id=n, doc_id=n, score=0.9 - n / 10, path=path, title=f"Report {n} of the Standing Overview Group",
               council=council, committee="Children's Scrutiny Committee", date=f"2021-0{n}-15", doc_type="report",
               page=page, section=None, minute=f"4.{n}", start_char=0, end_char=len(text), text=text)


class FixedSearcher:
    def __init__(self, hits: tuple[Hit, ...]) -> None:
        self.hits = hits
        self.filters: list[Filters | None] = []

    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> SearchResult:
        self.filters.append(filters)
        return SearchResult(query, False, self.hits)


class FixedAnswerer:
    def __init__(self, hits: tuple[Hit, ...]) -> None:
        self.hits = hits

    def answer(self, question, filters=None, *, llm=False, on_token=None) -> Answer:  # type: ignore[no-untyped-def]
        from minutebook.types import AnswerSentence, Citation

        sentences = tuple(AnswerSentence(f"{h.text} [{n}]", (n,), True) for n, h in enumerate(self.hits, 1))
        return Answer(question, "extractive", "\n".join(s.text for s in sentences), sentences,
                      tuple(Citation(n, h, h.text) for n, h in enumerate(self.hits, 1)), False, None)


class FixedReader:
    def facets(self) -> Facets:
        return Facets(("Children's Scrutiny Committee",), ("Devon County Council", "Norfolk County Council"),
                      ("report",), "2021-07-29", "2021-07-29")

    def passage(self, chunk_id: int) -> Hit | None:
        return None

    def context(self, hit: Hit) -> PassageContext:
        return PassageContext(hit, hit.text, (0, len(hit.text)), 0, True, True, 1, 1)

    def neighbour(self, hit: Hit, step: int = 1) -> Hit | None:
        return None


def fixed_app(tmp_path: Path, **options) -> tuple[MinutebookApp, tuple[Hit, ...]]:
    papers = tmp_path / "papers"
    hits = tuple(_hit(n, str(paper(papers, f"report-{n}.pdf", "x"))) for n in (1, 2, 3))
    searcher = FixedSearcher(hits)
    app = make_app(Settings(index=tmp_path / "no-index"), searcher=searcher, answerer=FixedAnswerer(hits),
                   reader=FixedReader(), debounce=0.01, load_models=False, **options)
    return app, hits


# --- F5: the folders the index was built from -------------------------------------------------


async def test_resync_uses_the_folders_the_index_was_built_from(tmp_path: Path, monkeypatch) -> None:
    built_from = tmp_path / "norfolk-papers"
    paper(built_from, "norfolk-2021-07-29-minutes.txt", "Caseloads rose to 25 cases per social worker.")
    index = tmp_path / "index"
    embedder = HashingEmbedder()
    sync(index, [built_from], embedder)
    # The app is started in another folder, whose ./corpus holds unrelated papers.
    elsewhere = tmp_path / "elsewhere"
    paper(elsewhere / "corpus", "devon-2022-01-01-minutes.txt", "Unrelated fostering allowances.")
    monkeypatch.chdir(elsewhere)
    paper(built_from, "norfolk-2022-03-01-minutes.txt", "Kinship carers were thanked for their work.")
    settings = Settings(index=index)  # corpus: the default ./corpus
    searcher = HybridSearcher(index, embedder)
    app = make_app(settings, searcher=searcher, syncer=corpus_syncer(settings, embedder), debounce=0.01)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f6")
            await settle(pilot)
            assert f"Folders    {built_from}" in str(app.query_one("#status-info", Static).render())
            await pilot.press("f5")
            await settle(pilot)
            await settle(pilot)
            assert "Re-sync finished: 1 added" in str(app.query_one("#status-step", Static).render())
    finally:
        searcher.close()
    from minutebook.index.sqlite.store import Store

    store = Store.open(index, readonly=True)
    try:
        paths = [d.path for d in store.documents()]
    finally:
        store.close()
    assert sorted(Path(p).name for p in paths) == ["norfolk-2021-07-29-minutes.txt", "norfolk-2022-03-01-minutes.txt"]


def test_index_with_no_path_syncs_the_recorded_folders(tmp_path: Path, monkeypatch, capsys) -> None:
    from minutebook.cli import main

    built_from = tmp_path / "papers"
    paper(built_from, "a-2021-07-29-minutes.txt", "Caseloads rose to 25 cases.")
    index = tmp_path / "index"
    sync(index, [built_from], HashingEmbedder())
    paper(built_from, "b-2021-08-29-minutes.txt", "Caseloads fell to 21 cases.")
    monkeypatch.chdir(tmp_path)  # no ./corpus here: only the recorded folder can be meant
    monkeypatch.setattr(minutebook.models.registry, "index_embedder", lambda settings: HashingEmbedder())
    assert main(["index", "--index", str(index), "-q"]) == 0
    assert capsys.readouterr().out.startswith("1 added, 0 updated")
    assert main(["status", "--index", str(index)]) == 0
    assert f"folders     {built_from}" in capsys.readouterr().out


# --- F4: export ----------------------------------------------------------------------------------


async def test_export_names_the_council_asks_before_replacing_and_survives_a_write_error(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app, _ = fixed_app(tmp_path, today=lambda: date(2026, 11, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one("#f-council").value = "Norfolk County Council"
        await settle(pilot)
        await pilot.press(*"caseloads", "f2")
        await settle(pilot)
        await pilot.press("f4")
        await pilot.pause()
        box = app.screen.query_one("#export-name", Input)
        assert box.value == "briefing-caseloads-norfolk-2026-11-23.md"
        existing = tmp_path / box.value
        existing.write_text("Devon's briefing, not to be lost\n", encoding="utf-8")
        await pilot.press("enter")
        await pilot.pause()
        message = str(app.screen.query_one("#export-message", Static).render())
        assert "already exists" in message and "Enter again" in message
        assert existing.read_text(encoding="utf-8") == "Devon's briefing, not to be lost\n"
        # A name that cannot be written: the dialog stays, with the reason and the typed name.
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("", encoding="utf-8")
        box.value = "not-a-folder/briefing.md"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query("#export-name") and box.value == "not-a-folder/briefing.md"
        assert "Cannot write" in str(app.screen.query_one("#export-message", Static).render())
        box.value = existing.name
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # yes, replace it
        await pilot.pause()
        assert not app.screen.query("#export-name")  # the dialog closed
    assert existing.read_text(encoding="utf-8").startswith("# caseloads")
    assert "Searched: council Norfolk County Council." in existing.read_text(encoding="utf-8")


# --- 1-9, c and o ---------------------------------------------------------------------------------


async def test_keys_1_to_9_open_sources_right_after_f2_and_from_the_results(tmp_path: Path) -> None:
    app, _hits = fixed_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads", "f2")
        await settle(pilot)
        await pilot.press("2")  # no Tab needed
        await settle(pilot)
        answer = app.query_one("#answer").answer
        assert app.query_one("#reader").hit == next(c.hit for c in answer.citations if c.n == 2)
        assert app.query_one("#query", Input).value == "caseloads"  # the digit did not go into the box
        await pilot.press("3")  # while reading source 2, 3 opens the next one
        await settle(pilot)
        assert app.query_one("#reader").hit == next(c.hit for c in answer.citations if c.n == 3)
        await pilot.press("f2")
        await settle(pilot)
        app.query_one("#results").focus()
        await pilot.press("1")
        await settle(pilot)
        assert app.query_one("#reader").hit == next(c.hit for c in answer.citations if c.n == 1)
        app.query_one("#query").focus()
        await pilot.pause()
        await pilot.press("end", "3")  # in the search box a digit is typed, not taken as a key
        assert app.query_one("#query", Input).value == "caseloads3"


async def test_c_copies_the_citation_of_the_passage_at_hand(tmp_path: Path) -> None:
    app, hits = fixed_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads", "enter")
        await settle(pilot)
        await pilot.press("down", "c")  # the second result is highlighted
        await pilot.pause()
        expected = f"{format_citation(hits[1])}. {hits[1].title}"
        assert app.clipboard == expected
        assert any(expected in n for n in notes(app))


def _fake_viewer(tmp_path: Path, name: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / f"{name}.log"
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\necho "$@" > {log}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return log


async def test_o_opens_the_paper_at_its_page_in_the_system_viewer(tmp_path: Path, monkeypatch) -> None:
    log = _fake_viewer(tmp_path, "evince")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin:/bin")
    monkeypatch.setenv("DISPLAY", ":99")
    app, hits = fixed_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads", "enter")
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        for _ in range(50):
            if log.exists():
                break
            await pilot.pause(0.05)
        assert log.read_text().split() == ["--page-index=2", hits[0].path]
        assert any("at page 2" in n for n in notes(app))


async def test_o_without_a_viewer_shows_the_path_and_page(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app, hits = fixed_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads", "enter")
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert any(hits[0].path in n and "page 2" in n for n in notes(app)), notes(app)
        assert app.clipboard == hits[0].path


# --- dates ------------------------------------------------------------------------------------------


async def test_a_date_is_checked_on_enter_not_on_every_keystroke(tmp_path: Path) -> None:
    app, _ = fixed_app(tmp_path)
    searcher = app.services.searcher
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads")
        await settle(pilot)
        app.query_one("#f-since").focus()
        await pilot.press(*"July 2021")
        await settle(pilot)
        since = app.query_one("#f-since", Input)
        assert notes(app) == [] and since.has_class("-pending")  # marked meanwhile, not a toast per key
        await pilot.press("enter")
        await settle(pilot)
        assert not since.has_class("-pending") and not since.has_class("-invalid")
        assert searcher.filters[-1] is not None and searcher.filters[-1].since == "2021-07-01"
        # A date that cannot be read: one notification on Enter, and the results say no search ran.
        await pilot.press(*["backspace"] * 9, *"Julyy 20")
        await settle(pilot)
        assert notes(app) == []
        await pilot.press("enter")
        await settle(pilot)
        assert len(notes(app)) == 1 and since.has_class("-invalid")
        assert "No search" in str(app.query_one("#results").get_option_at_index(0).prompt)
        # Leaving the box applies it too.
        await pilot.press(*["backspace"] * 8, *"2021")
        await pilot.press("tab")
        await settle(pilot)
        assert searcher.filters[-1] is not None and searcher.filters[-1].since == "2021-01-01"
        labels = [str(w.render()) for w in app.query(".filter-label")]
        assert labels == ["since", "until"]  # still there once the boxes are filled


# --- quitting ---------------------------------------------------------------------------------------


async def test_ctrl_c_in_the_search_box_quits_and_the_footer_says_how(tmp_path: Path) -> None:
    app, _ = fixed_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads")
        await pilot.pause()
        footer = " ".join(str(key.render()) for key in app.query("FooterKey"))
        assert "Quit" in footer, footer
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0
