"""The terminal app driven by keys, on the real sample index, the real MiniLM and the real answerer."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.pilot import Pilot
from textual.widgets import Select, Static

from minutebook.config import Settings
from minutebook.types import Filters, SearchResult
from minutebook_tui.app import MinutebookApp, make_app

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

pytestmark = pytest.mark.anyio


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


async def settle(pilot: Pilot) -> None:
    """Let debounced searches start and every worker finish."""
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(app: MinutebookApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def real_app(corpus_index: Path, searcher, **options) -> MinutebookApp:
    return make_app(Settings(index=corpus_index, corpus=(CORPUS,)), searcher=searcher, debounce=0.01, **options)


async def test_type_open_a_result_and_step_to_the_next_passage(corpus_index: Path, searcher) -> None:
    app = real_app(corpus_index, searcher)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads")
        await settle(pilot)
        results = app.query_one("#results")
        assert results.hits and all("caseload" in h.text.lower() for h in results.hits[:3])
        entry = str(results.get_option_at_index(0).prompt)
        first = results.hits[0]
        assert first.committee in entry and "29 Jul 2021" in entry and "item 4.1" in entry and "p. 1" in entry
        await pilot.press("enter")  # search now, focus the results
        await settle(pilot)
        await pilot.press("enter")  # open the highlighted result
        await settle(pilot)
        reader = app.query_one("#reader")
        assert reader.hit == first
        assert " ".join(first.text.split()) in " ".join(shown(app, "#reader-passage").split())
        assert "Children's Scrutiny Committee, 29 Jul 2021, item 4.1, p. 1" in shown(app, "#reader-meta")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        nxt = reader.hit
        assert nxt is not None and nxt.doc_id == first.doc_id and nxt.start_char >= first.end_char
        await pilot.press("p")
        await settle(pilot)
        assert reader.hit is not None and reader.hit.end_char <= nxt.start_char


async def test_filter_by_committee_narrows_the_results(corpus_index: Path, searcher) -> None:
    app = real_app(corpus_index, searcher)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        committee = "Children and Young People's Services Scrutiny Committee"
        select = app.query_one("#f-committee", Select)
        assert committee in [str(prompt) for prompt, _ in select._options]
        await pilot.press(*"caseloads")
        await settle(pilot)
        assert {h.committee for h in app.query_one("#results").hits} != {committee}
        select.value = committee
        await settle(pilot)
        hits = app.query_one("#results").hits
        assert hits and {h.committee for h in hits} == {committee}


async def test_ask_then_open_a_citation(corpus_index: Path, searcher) -> None:
    app = real_app(corpus_index, searcher)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"what was said about caseloads?")
        await pilot.press("f2")
        await settle(pilot)
        answer = app.query_one("#answer").answer
        assert answer is not None and answer.mode == "extractive" and answer.citations
        body = shown(app, "#answer-body")
        assert "[1]" in body and "Caseloads were variable with a current average of 19" in body
        app.query_one("#answer-sources").focus()
        await pilot.press("2")
        await settle(pilot)
        cited = next(c for c in answer.citations if c.n == 2)
        assert app.query_one("#reader").hit == cited.hit
        assert app.query_one("#pane").active == "tab-read"


async def test_export_writes_the_briefing_the_user_names(corpus_index: Path, searcher, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = real_app(corpus_index, searcher, today=lambda: date(2026, 11, 23))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")  # nothing asked yet: told what to do, no dialog
        await pilot.pause()
        assert not app.screen.id or app.screen.id == "_default"
        await pilot.press(*"what was said about caseloads?", "f2")
        await settle(pilot)
        await pilot.press("f4")
        await pilot.pause()
        name = app.screen.query_one("#export-name").value
        assert name == "briefing-caseloads-2026-11-23.md"
        await pilot.press("enter")
        await pilot.pause()
    text = (tmp_path / name).read_text(encoding="utf-8")
    assert text.startswith("# what was said about caseloads?\n")
    assert "## Sources" in text and "Caseloads were variable with a current average of 19" in text
    assert "] **Worcestershire — Children and Families Overview and Scrutiny Panel, 27 Jan 2017" in text
    assert "> " in text and "Prepared 23 Nov 2026" in text


async def test_status_and_resync_into_a_copy(corpus_index_copy: Path, minilm, tmp_path: Path) -> None:
    from minutebook import HybridSearcher, sync

    extra = tmp_path / "new-papers"
    extra.mkdir()
    (extra / "cabinet-2024-03-01-minutes.txt").write_text(
        "Cabinet minutes, 1 March 2024\n\n12. Fostering allowances\n\n"
        "The Cabinet agreed to raise fostering allowances for kinship carers by nine per cent.\n",
        encoding="utf-8")
    progress_seen: list[str] = []

    def syncer(progress):
        def record(p):
            progress_seen.append(p.stage)
            progress(p)
        return sync(corpus_index_copy, [CORPUS, extra], minilm, progress=record)

    searcher = HybridSearcher(corpus_index_copy, minilm)
    app = make_app(Settings(index=corpus_index_copy, corpus=(CORPUS, extra)), searcher=searcher, syncer=syncer,
                   debounce=0.01)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f6")
            await settle(pilot)
            before = shown(app, "#status-info")
            assert "Papers     5" in before and "Failed     0 file(s)" in before
            await pilot.press("f5")
            await settle(pilot)
            await settle(pilot)
            assert progress_seen[-1] == "done" and "extract" in progress_seen
            assert "Re-sync finished: 1 added" in shown(app, "#status-step")
            assert "Papers     6" in shown(app, "#status-info")
            await pilot.press("slash", *"kinship fostering allowances")
            await settle(pilot)
            assert app.query_one("#results").hits[0].path.endswith("cabinet-2024-03-01-minutes.txt")
    finally:
        searcher.close()


async def test_a_paper_with_markup_and_escape_codes_is_shown_literally(tmp_path: Path) -> None:
    from minutebook import HybridSearcher, sync
    from tests.fake_embedder import HashingEmbedder

    corpus = tmp_path / "papers"
    corpus.mkdir()
    nasty = "Zebra crossing [bold]x[/bold] then [@click=app.quit]press[/] and \x1b[31mred\x1b[0m text."
    (corpus / "nasty-2024-01-01-minutes.txt").write_text(
        f"Highways Committee minutes\n\n1. Crossings\n\n{nasty}\n\n2. Other business\n\n"
        + "The committee noted the report on road maintenance and resurfacing across the county. " * 8 + "\n",
        encoding="utf-8")
    embedder = HashingEmbedder()
    index = tmp_path / "index"
    assert not sync(index, [corpus], embedder).failed
    searcher = HybridSearcher(index, embedder)
    app = make_app(Settings(index=index), searcher=searcher, debounce=0.01)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*"zebra crossing", "enter")
            await settle(pilot)
            entry = str(app.query_one("#results").get_option_at_index(0).prompt)
            assert "[bold]x[/bold]" in entry and "\x1b" not in entry
            await pilot.press("enter")
            await settle(pilot)
            passage = shown(app, "#reader-passage")
            assert "[bold]x[/bold]" in passage
            assert "[@click=app.quit]press[/]" in passage
            assert "␛[31mred␛[0m" in passage and "\x1b" not in passage
            await pilot.click("#reader-passage")  # a click on the text must not run the action inside it
            await pilot.pause()
            assert app.is_running
    finally:
        searcher.close()


async def test_starts_without_an_index_and_says_how_to_build_one(tmp_path: Path) -> None:
    app = make_app(Settings(index=tmp_path / "nothing-here", corpus=(tmp_path,)), load_models=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert any("no index at" in m and "minutebook index" in m for m in notes), notes
        await pilot.press(*"caseloads")
        await settle(pilot)
        assert app.is_running and not app.query_one("#results").hits


class _SlowThenFast:
    """A searcher whose first query is slow: its result must never replace a newer one."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.release = threading.Event()

    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> SearchResult:
        self.calls.append(query)
        if query == "slow":
            self.release.wait(5)
        return SearchResult(query, True, ())


async def test_a_stale_search_never_replaces_a_newer_one(tmp_path: Path) -> None:
    fake = _SlowThenFast()
    app = make_app(Settings(index=tmp_path / "none"), searcher=fake, answerer=object(), reader=_NoReader(),
                   debounce=0.01)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"slow")
        await pilot.pause(0.2)
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"fast")
        await pilot.pause(0.2)
        assert app.query_one("#results").query_text == "fast"
        fake.release.set()
        await settle(pilot)
        assert app.query_one("#results").query_text == "fast"


async def test_typing_fast_searches_once(tmp_path: Path) -> None:
    fake = _SlowThenFast()
    # A generous debounce: on a loaded machine key presses can be far apart, and the promise
    # is about keys typed faster than the debounce, not about this machine's speed.
    app = make_app(Settings(index=tmp_path / "none"), searcher=fake, answerer=object(), reader=_NoReader(),
                   debounce=2.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"caseloads")
        await pilot.pause(2.5)
        await settle(pilot)
        assert fake.calls == ["caseloads"]


async def test_timeline_follows_caseloads_from_meeting_to_meeting(corpus_index: Path, searcher) -> None:
    app = real_app(corpus_index, searcher)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads")
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        assert app.query_one("#pane").active == "tab-timeline"
        pane = app.query_one("#timeline")
        assert pane.timeline is not None and not pane.timeline.weak
        entries = app.query_one("#timeline-entries")
        shown = [str(entries.get_option_at_index(i).prompt) for i in range(entries.option_count)]
        first_lines = [s.splitlines()[0] for s in shown]
        older = next(i for i, s in enumerate(first_lines) if s.startswith("27 Jan 2017"))
        newer = next(i for i, s in enumerate(first_lines) if s.startswith("29 Jul 2021"))
        assert older < newer  # oldest first
        assert "19 per social worker" in shown[older] and "(average" in shown[older]
        assert "30 cases" in shown[newer]
        # 19 per social worker, 30 cases and 65 children are not one scale: no chart mixes units.
        assert not pane.has_class("-has-chart")
        entries.focus()
        entries.highlighted = older
        await pilot.press("enter")  # read that meeting's passage
        await settle(pilot)
        assert app.query_one("#pane").active == "tab-read"
        assert app.query_one("#reader").hit == pane.timeline.entries[older].hit


async def test_help_lists_every_key(tmp_path: Path) -> None:
    from minutebook_tui.screens.help import KEYS, HelpScreen

    documented = " ".join(k for _, keys in KEYS for k, _ in keys).lower()
    names = {"question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]", "slash": "/",
             "escape": "esc"}
    for binding in MinutebookApp.BINDINGS:
        for key in binding.key.split(","):  # type: ignore[union-attr]
            assert names.get(key, key) in documented, key
    app = make_app(Settings(index=tmp_path / "none"), load_models=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_every_palette_command_is_an_app_action() -> None:
    from minutebook_tui.commands import COMMANDS

    for _, action, _ in COMMANDS:
        assert callable(getattr(MinutebookApp, f"action_{action}", None)), action


class _NoReader:
    def facets(self):
        from minutebook.service.reader import Facets

        return Facets((), (), (), None, None)

    def passage(self, chunk_id):
        return None

    def context(self, hit):
        raise AssertionError("not used")

    def neighbour(self, hit, step=1):
        return None


class _StreamingAnswerer:
    """A model-written answer arriving token by token, one sentence of it unsupported."""

    def __init__(self, hit) -> None:
        self.hit = hit
        self.halfway = threading.Event()
        self.release = threading.Event()
        self.asked_llm: list[bool] = []

    def answer(self, question, filters=None, *, llm=False, on_token=None):  # type: ignore[no-untyped-def]
        from minutebook.types import Answer, AnswerSentence, Citation

        self.asked_llm.append(llm)
        tokens = ["Caseloads ", "averaged ", "19 ", "per ", "social ", "worker ", "[1]. ",
                  "They ", "fell ", "to ", "7 ", "in ", "2019 ", "[1]."]
        for i, token in enumerate(tokens):
            if on_token is not None:
                on_token(token)
            if i == 6:
                self.halfway.set()
                self.release.wait(5)
        good = "Caseloads averaged 19 per social worker [1]."
        bad = "They fell to 7 in 2019 [1]."
        return Answer(question, "generated", good + " " + bad,
                      (AnswerSentence(good, (1,), True),
                       AnswerSentence(bad, (1,), False, "7, 2019 not in [1]")),
                      (Citation(1, self.hit, self.hit.text),), False, "fake.gguf")


async def test_generated_answer_streams_in_and_unsupported_sentences_are_marked(searcher, tmp_path: Path) -> None:
    hit = searcher.search("caseloads", None, 1).hits[0]
    fake = _StreamingAnswerer(hit)
    app = make_app(Settings(index=tmp_path / "none"), searcher=searcher, answerer=fake, reader=_NoReader(),
                   debounce=0.01, load_models=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"caseloads")
        await pilot.press("f3")  # answers written by the local model
        await pilot.press("f2")
        for _ in range(50):
            if fake.halfway.is_set():
                break
            await pilot.pause(0.05)
        await pilot.pause(0.1)
        partial = shown(app, "#answer-body")
        assert "Caseloads averaged 19 per social worker" in partial and "They fell" not in partial
        fake.release.set()
        await settle(pilot)
        assert fake.asked_llm == [True]
        body = shown(app, "#answer-body") + shown(app, "#answer-check")
        assert "They fell to 7 in 2019" in body
        assert "unsupported" in body


async def test_the_app_survives_a_model_that_crashes_then_one_that_hangs(searcher, tmp_path: Path) -> None:
    from minutebook.answer import CitedAnswerer
    from minutebook.models.llm_process import ModelLimits, ModelProcess
    from tests import fake_models

    record = tmp_path / "starts"
    model = ModelProcess(fake_models.sequence_model, {"record": str(record)}, "fake.gguf sha256:0000",
                         ModelLimits(token_seconds=1.5))
    answerer = CitedAnswerer(searcher, lambda: model)
    app = make_app(Settings(index=tmp_path / "none"), searcher=searcher, answerer=answerer, reader=_NoReader(),
                   debounce=0.01, load_models=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*"caseloads")
            await pilot.press("f3")  # answers written by the local model
            for expected in ("The local model stopped (signal 11); showing the quoted answer.",
                             "The local model stopped (no reply for 1.5 s while writing the answer); "
                             "showing the quoted answer."):
                await pilot.press("f2")
                await settle(pilot)
                body = shown(app, "#answer-body")
                assert expected in body.replace("\n", " ")
                assert "[1]" in body and app.last_answer is not None and app.last_answer.fallback
                assert all(s.supported for s in app.last_answer.sentences)
            await pilot.press("f2")  # a third process, which works: the session carries on
            await settle(pilot)
            assert app.last_answer is not None and app.last_answer.mode == "generated"
            assert "Members raised concerns about caseloads" in shown(app, "#answer-body")
            assert app.is_running
    finally:
        answerer.close()
    assert record.read_text().count("started") == 3
