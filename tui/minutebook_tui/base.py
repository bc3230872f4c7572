"""The app's state, how it reports errors, and live search; ``actions/`` adds the rest.

Slow work (search, loading models, answering, syncing) runs in thread workers, one exclusive
group each; results come back through ``call_from_thread`` and are dropped when stale: each
kind of request counts its generations (``_search_gen`` …) and a result from an older one is
never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.timer import Timer
from textual.widgets import Input, TabbedContent
from textual.worker import get_current_worker

from minutebook.errors import MinutebookError
from minutebook.types import Answer, Filters, SearchResult
from minutebook_tui.services import Services
from minutebook_tui.widgets.filters import FilterBar
from minutebook_tui.widgets.results import ResultsList
from minutebook_tui.widgets.status import StatusLine

DEBOUNCE_SECONDS = 0.25


class AppBase(App[None]):
    """What every part of the app shares: the services, the requests in flight, the last answer."""

    def __init__(self, services: Services, *, debounce: float = DEBOUNCE_SECONDS,
                 today: Callable[[], date] = date.today, load_models: bool = True,
                 opener: Callable[[str, int | None], Any] | None = None) -> None:
        super().__init__()
        from minutebook_tui.opener import open_paper

        self.opener = opener or open_paper
        self.services = services
        self.debounce = debounce
        self.today = today
        self.load_models = load_models
        self.generated = services.settings.llm
        self.last_answer: Answer | None = None
        self.last_filters: Filters | None = None
        self._search_gen = 0
        self._answer_gen = 0
        self._timeline_gen = 0
        self._timer: Timer | None = None
        self._syncing = False

    # --- errors ----------------------------------------------------------------------

    def _error(self, exc: BaseException) -> None:
        exc = self._plain(exc)
        if isinstance(exc, MinutebookError):
            text = exc.message + (f"\n{exc.hint}" if exc.hint else "")
            self.notify(text, title="minutebook", severity="error", timeout=10, markup=False)
        else:
            self.notify(f"{type(exc).__name__}: {exc}", title="Unexpected error (please report it)",
                        severity="error", timeout=15, markup=False)

    def _plain(self, exc: BaseException) -> BaseException:
        """A damaged or unwritable index as the error that says so and what to do (not a bug report)."""
        index = self.services.settings.index
        if isinstance(exc, MinutebookError) or not isinstance(index, Path):
            return exc
        from minutebook.index.sqlite.failures import index_failure

        return index_failure(index, exc) or exc

    # --- searching -------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "query":
            return
        self._search_gen += 1
        if self._timer is not None:
            self._timer.stop()
        if not event.value.strip():
            self.query_one(ResultsList).message("Type to search the papers.")
            self.query_one(StatusLine).set(count="")
            return
        gen = self._search_gen
        self._timer = self.set_timer(self.debounce, lambda: self._search_now(gen))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "query" and event.value.strip():
            self._search_gen += 1
            self._search_now(self._search_gen, focus_results=True)

    def on_filter_bar_changed(self, _event: FilterBar.Changed) -> None:
        self._search_gen += 1
        if self._current_filters(announce=True) is not None:
            self._search_now(self._search_gen)

    def _current_filters(self, *, announce: bool = False) -> Filters | None:
        """The filters last applied, checked; None when a date is unreadable.

        Then the box is marked and the results say no search ran; ``announce`` (a date just
        applied) also raises one notification.
        """
        from minutebook.errors import QueryError
        from minutebook.search.query import make_filters

        bar = self.query_one(FilterBar)
        v = bar.values()
        try:
            filters = make_filters(v.committee, v.council, v.doc_type, v.since, v.until, where=v.where)
        except QueryError as exc:
            bar.mark_dates(True)
            self.query_one(ResultsList).message(f"No search: {exc.message}. Fix the date box and press Enter.")
            self.query_one(StatusLine).set(count="")
            if announce:
                self._error(exc)
            return None
        bar.mark_dates(False)
        return filters

    def _search_now(self, gen: int, focus_results: bool = False) -> None:
        if gen != self._search_gen:
            return  # a newer keystroke has taken over
        from textual.css.query import NoMatches

        try:
            query = self.query_one("#query", Input).value.strip()
        except NoMatches:
            return  # a search timer that fired as the app closed: its screen has gone
        if not query:
            return
        filters = self._current_filters()
        if filters is None:
            return
        if self.services.searcher is None:
            if self.services.problem is not None:
                self._error(self.services.problem)
            return
        self.query_one(StatusLine).set(count="searching…")
        self._run_search(gen, query, filters, focus_results)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, gen: int, query: str, filters: Filters, focus_results: bool) -> None:
        searcher = self.services.searcher
        assert searcher is not None
        try:
            result = searcher.search(query, filters, self.services.settings.top_k)
        except Exception as exc:  # noqa: BLE001
            if gen == self._search_gen:
                self.call_from_thread(self._error, exc)
                self.call_from_thread(self.query_one(StatusLine).set, count="")
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_results, gen, result, focus_results)

    def _show_results(self, gen: int, result: SearchResult, focus_results: bool) -> None:
        if gen != self._search_gen:
            return  # stale: never shown over a newer search
        results = self.query_one(ResultsList)
        results.show(result)
        n = len(result.hits)
        status = f"{n} passage{'s' if n != 1 else ''}" + (" (weak)" if result.weak else "")
        if result.notice:
            status += " (no passage holds the quoted phrase: nearest shown)"
        self.query_one(StatusLine).set(count=status)
        if focus_results and result.hits:
            results.focus()

    def _show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.screen.add_class("-pane-open")
