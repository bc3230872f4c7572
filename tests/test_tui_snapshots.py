"""How the main screens look, at 80×24 and 120×40, on fixed data (no clocks, no spinners)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("pytest_textual_snapshot")

from textual.pilot import Pilot

from minutebook.answer import extractive_answer
from minutebook.config import Settings
from minutebook.service.reader import Facets, PassageContext
from minutebook.types import Answer, Filters, Hit, SearchResult
from minutebook_tui.app import MinutebookApp, make_app

DOC = (
    "Children's Scrutiny Committee\n\n4. Ofsted Focused Visit\n\n"
    "4.1 Members raised concerns about average caseloads for social workers, which have increased "
    "recently, with some holding more than 30 cases. Officers agreed to report caseloads by role.\n\n"
    "4.2 The committee noted the recruitment and retention business case and asked for an update "
    "at the next meeting.\n\n5. Fostering\n\n5.1 Fostering allowances were reviewed.\n"
)


def _hit(n: int, minute: str, start: int, end: int, **kw: object) -> Hit:
    base = dict(chunk_id=n, doc_id=1, score=0.9 - n / 10, path="corpus/devon-childrens-scrutiny-2021-07-29.txt",
                title="Report of the Standing Overview Group, 29 July 2021", council="Devon County Council",
                committee="Children's Scrutiny Committee", date="2021-07-29", doc_type="report", page=2,
                section="Ofsted Focused Visit", minute=minute, start_char=start, end_char=end, text=DOC[start:end])
    base.update(kw)
    return Hit(**base)  # type: ignore[arg-type]


_A, _B = DOC.index("4.1"), DOC.index("4.2")
_C = DOC.index("5. Fostering")
HITS = (
    _hit(1, "4.1", _A, _B - 2),
    _hit(2, "4.2", _B, _C - 2),
    _hit(3, "7", 0, 40, doc_id=2, title="Cabinet minutes, 8 June 2022", council="West Sussex County Council",
         committee="Cabinet", date="2022-06-08", doc_type="minutes", page=None,
         text="7. Caseloads in the initial response teams remain high; the Cabinet asked for a plan."),
)


class FakeSearcher:
    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> SearchResult:
        return SearchResult(query, False, HITS)


class FakeAnswerer:
    def answer(self, question, filters=None, *, llm=False, on_token=None) -> Answer:  # type: ignore[no-untyped-def]
        return extractive_answer(question, HITS)


class FakeReader:
    def facets(self) -> Facets:
        return Facets(("Cabinet", "Children's Scrutiny Committee"), ("Devon County Council",),
                      ("minutes", "report"), "2021-07-29", "2022-06-08")

    def passage(self, chunk_id: int) -> Hit | None:
        return next((h for h in HITS if h.chunk_id == chunk_id), None)

    def context(self, hit: Hit) -> PassageContext:
        if hit.doc_id != 1:
            return PassageContext(hit, hit.text, (0, len(hit.text)), 0, True, True, 1, 1)
        return PassageContext(hit, DOC, (hit.start_char, hit.end_char), 0, True, True, hit.chunk_id + 1, 5)

    def neighbour(self, hit: Hit, step: int = 1) -> Hit | None:
        return self.passage(hit.chunk_id + step)


def fake_app() -> MinutebookApp:
    return make_app(Settings(index=Path("snapshot-index")), searcher=FakeSearcher(), answerer=FakeAnswerer(),
                    reader=FakeReader(), debounce=0.01, load_models=False)


async def _settle(pilot: Pilot) -> None:
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _after(*keys: str) -> Callable[[Pilot], object]:
    async def run(pilot: Pilot) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
        pilot.app.query_one("#query").cursor_blink = False

    return run


SEARCH = [*"caseloads", "enter"]
SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_results(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(fake_app(), terminal_size=size, run_before=_after(*SEARCH))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_reading(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(fake_app(), terminal_size=size, run_before=_after(*SEARCH, "enter"))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_answer(snap_compare, size: tuple[int, int]) -> None:
    assert snap_compare(fake_app(), terminal_size=size, run_before=_after(*SEARCH, "f2"))


def test_help(snap_compare) -> None:
    assert snap_compare(fake_app(), terminal_size=(80, 24), run_before=_after("f1"))


def test_light_theme_answer(snap_compare) -> None:
    def light(pilot: Pilot) -> object:
        pilot.app.theme = "textual-light"
        return _after(*SEARCH, "f2")(pilot)

    assert snap_compare(fake_app(), terminal_size=(120, 40), run_before=light)
