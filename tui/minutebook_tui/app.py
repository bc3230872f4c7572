"""The app: one screen to search, read, ask and brief; all the work is the library's.

Slow work (search, loading models, answering, syncing) runs in thread workers, one exclusive
group each; results come back through ``call_from_thread`` and are dropped when stale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Button, Footer, Input, OptionList, TabbedContent, TabPane
from textual.worker import get_current_worker

from minutebook.config import Settings, load_settings
from minutebook.council import timeline
from minutebook.errors import MinutebookError
from minutebook.protocols import Answerer, Searcher
from minutebook.types import Answer, Filters, Hit, Progress, SearchResult, SyncReport
from minutebook_tui.commands import MinutebookCommands
from minutebook_tui.services import Reader, Services, Syncer, open_services
from minutebook_tui.widgets.answer import AnswerPane
from minutebook_tui.widgets.filters import FilterBar
from minutebook_tui.widgets.reader import ReaderPane
from minutebook_tui.widgets.results import ResultsList
from minutebook_tui.widgets.status import StatusLine, StatusPane
from minutebook_tui.widgets.timeline import TimelinePane

DEBOUNCE_SECONDS = 0.25


class SearchBox(Input):
    """The search box. Ctrl+C copies selected text, and with nothing selected quits the app."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+c", "copy_or_quit", "Quit", show=False)]

    def action_copy_or_quit(self) -> None:
        if self.selected_text:
            self.action_copy()
        else:
            self.app.exit()


class MinutebookApp(App[None]):
    """Search, read, ask and brief over one index."""

    CSS_PATH = "app.tcss"
    TITLE = "minutebook"
    COMMANDS = App.COMMANDS | {MinutebookCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("f2", "ask", "Ask"),
        Binding("f3", "toggle_model", "Mode"),
        Binding("f4", "export", "Export"),
        Binding("f5", "resync", "Re-sync"),
        Binding("f6", "status", "Index"),
        Binding("f7", "timeline", "Timeline"),
        Binding("f8", "clear_filters", "Clear filters", show=False),
        Binding("left_square_bracket,p", "previous_passage", "Prev", show=False),
        Binding("right_square_bracket,n", "next_passage", "Next", show=False),
        Binding("slash", "focus_search", "Search", show=False),
        Binding("escape", "back", "Back", show=False),
        # Outside a text box (Input takes printable keys first): open source n, copy, open the paper.
        *(Binding(str(n), f"cite({n})", f"Source {n}", show=False) for n in range(1, 10)),
        Binding("c", "copy_citation", "Copy citation", show=False),
        Binding("o", "open_paper", "Open paper", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

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

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SearchBox(placeholder="Search the papers, or type a question and press F2 to ask it", id="query")
        yield FilterBar(id="filters")
        with Horizontal(id="main"):
            yield ResultsList(id="results")
            with TabbedContent(id="pane", initial="tab-read"):
                with TabPane("Passage", id="tab-read"):
                    yield ReaderPane(id="reader")
                with TabPane("Answer", id="tab-answer"):
                    yield AnswerPane(id="answer")
                with TabPane("Timeline", id="tab-timeline"):
                    yield TimelinePane(id="timeline")
                with TabPane("Index", id="tab-index"):
                    yield StatusPane(id="status")
        yield StatusLine(id="statusline")
        yield Footer()

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda _theme: self._rerender())
        self._show_mode()
        self.query_one(ResultsList).message("Type to search the papers.")
        problem = self.services.problem
        if problem is not None:
            self._no_index(problem)
        else:
            self._load_facets()
            self._load_status()
            if self.load_models:
                self._load_embedder()
                if self.generated:
                    self._load_generator()
        self.query_one("#query", Input).focus()

    def _no_index(self, problem: MinutebookError) -> None:
        self.query_one(ResultsList).message(f"{problem.message}. Press F5 to build it from the corpus folders.")
        self.query_one(StatusPane).missing(problem.message, problem.hint)
        self.query_one(StatusLine).set(index="no index")
        self._error(problem)

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

    # --- start-up loading ------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def _load_embedder(self) -> None:
        load = getattr(getattr(self.services.searcher, "embedder", None), "load", None)
        if load is None:
            self.call_from_thread(self.query_one(StatusLine).set, model="ready")
            return
        self.call_from_thread(self.query_one(StatusLine).set, model="◌ loading search model…")
        try:
            load()
        except Exception as exc:  # noqa: BLE001  (shown to the person, not raised)
            self.call_from_thread(self._error, exc)
            self.call_from_thread(self.query_one(StatusLine).set, model="search model missing")
            return
        self.call_from_thread(self.query_one(StatusLine).set, model="ready")

    @work(thread=True, group="llm", exclusive=True, exit_on_error=False)
    def _load_generator(self) -> None:
        generator = getattr(self.services.answerer, "generator", None)
        if generator is None:
            return
        self.call_from_thread(self.query_one(StatusLine).set, mode="◌ loading language model…")
        try:
            model = generator()
            load = getattr(model, "load", None)
            if load is not None:
                load()
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._error, exc)
        self.call_from_thread(self._show_mode)

    @work(thread=True, group="facets", exclusive=True, exit_on_error=False)
    def _load_facets(self) -> None:
        reader = self.services.reader
        if reader is None:
            return
        try:
            facets = reader.facets()
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._error, exc)
            return
        self.call_from_thread(self.query_one(FilterBar).set_facets, facets)

    @work(thread=True, group="status", exclusive=True, exit_on_error=False)
    def _load_status(self) -> None:
        from minutebook.index.ops import index_status

        try:
            st = index_status(self.services.settings.index)
        except MinutebookError as exc:
            self.call_from_thread(self.query_one(StatusPane).missing, exc.message, exc.hint)
            return
        self.call_from_thread(self.query_one(StatusPane).show, st)
        self.call_from_thread(self.query_one(StatusLine).set,
                              index=f"{st.documents} papers · {st.chunks} passages")

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
            filters = make_filters(v.committee, v.council, v.doc_type, v.since, v.until)
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
        self.query_one(StatusLine).set(count=f"{n} passage{'s' if n != 1 else ''}" + (" (weak)" if result.weak else ""))
        if focus_results and result.hits:
            results.focus()

    # --- reading ---------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "results":
            return
        results = self.query_one(ResultsList)
        hit = results.hit_for(event.option)
        if hit is not None:
            self.open_passage(hit, results.query_text)

    def on_answer_pane_citation_chosen(self, event: AnswerPane.CitationChosen) -> None:
        self.open_passage(event.hit, self.last_answer.question if self.last_answer else "")

    def open_passage(self, hit: Hit, query: str) -> None:
        """Show ``hit`` in the reading pane, in its surrounding text."""
        if self.services.reader is None:
            return
        self._read(hit, query)

    @work(thread=True, exclusive=True, group="read", exit_on_error=False)
    def _read(self, hit: Hit, query: str) -> None:
        reader = self.services.reader
        assert reader is not None
        try:
            context = reader.context(hit)
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._error, exc)
            return
        self.call_from_thread(self._show_passage, context, query)

    def _show_passage(self, context: Any, query: str) -> None:
        self.query_one(ReaderPane).show(context, query)
        self._show_tab("tab-read")

    def _step(self, step: int) -> None:
        pane = self.query_one(ReaderPane)
        if pane.hit is None or self.services.reader is None:
            self.notify("Open a result first.", severity="warning")
            return
        self._neighbour(pane.hit, step, pane.query_text)

    @work(thread=True, exclusive=True, group="read", exit_on_error=False)
    def _neighbour(self, hit: Hit, step: int, query: str) -> None:
        reader = self.services.reader
        assert reader is not None
        try:
            nxt = reader.neighbour(hit, step)
            context = reader.context(nxt) if nxt is not None else None
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._error, exc)
            return
        if context is None:
            where = "last" if step > 0 else "first"
            self.call_from_thread(self.notify, f"This is the {where} passage of the paper.", severity="warning")
            return
        self.call_from_thread(self._show_passage, context, query)

    def action_next_passage(self) -> None:
        self._step(+1)

    def action_previous_passage(self) -> None:
        self._step(-1)

    def _show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.screen.add_class("-pane-open")

    # --- asking ----------------------------------------------------------------------

    def _request(self, service: object, empty: str) -> tuple[str, Filters] | None:
        """The search box text and filters, or None (having said why) when there is nothing to run."""
        text = self.query_one("#query", Input).value.strip()
        if not text:
            self.notify(empty, severity="warning")
            return None
        if service is None:
            if self.services.problem is not None:
                self._error(self.services.problem)
            return None
        filters = self._current_filters()
        return None if filters is None else (text, filters)

    def action_ask(self) -> None:
        request = self._request(self.services.answerer, "Type a question in the search box first.")
        if request is None:
            return
        question, filters = request
        self._answer_gen += 1
        pane = self.query_one(AnswerPane)
        pane.start(question, self.generated)
        self._show_tab("tab-answer")
        pane.focus()  # out of the search box, so 1-9, c and o act on the answer at once
        self._run_answer(self._answer_gen, question, filters, self.generated)

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def _run_answer(self, gen: int, question: str, filters: Filters, generated: bool) -> None:
        answerer = self.services.answerer
        assert answerer is not None
        pane = self.query_one(AnswerPane)

        def on_token(token: str) -> None:
            if gen == self._answer_gen:
                self.call_from_thread(pane.add_token, token)

        try:
            answer = answerer.answer(question, filters, llm=generated, on_token=on_token)
        except Exception as exc:  # noqa: BLE001
            if gen == self._answer_gen:
                self.call_from_thread(pane.failed, "No answer: see the message.")
                self.call_from_thread(self._error, exc)
            return
        self.call_from_thread(self._show_answer, gen, answer, filters)

    def _show_answer(self, gen: int, answer: Answer, filters: Filters) -> None:
        if gen != self._answer_gen:
            return
        self.last_answer, self.last_filters = answer, filters
        self.query_one(AnswerPane).show(answer)

    def action_cite(self, n: int) -> None:
        """Open source [n] of the answer showing (or of the answer whose source is being read)."""
        pane = self.query_one(AnswerPane)
        reading = self.query_one(ReaderPane).hit
        showing = pane.answer is not None and (
            self.query_one(TabbedContent).active == "tab-answer"
            or any(c.hit == reading for c in pane.answer.citations))  # reading one source: 1-9 go to another
        if not showing:
            self.notify("Ask a question first (F2); then 1-9 open its sources.", severity="warning")
            return
        pane.action_cite(n)

    def action_toggle_model(self) -> None:
        self.generated = not self.generated
        self._show_mode()
        if self.generated and self.load_models:
            self._load_generator()

    def _show_mode(self) -> None:
        self.query_one(StatusLine).set(
            mode="answers: written by the local model" if self.generated else "answers: quoted")

    # --- following a topic over time -------------------------------------------------

    def action_timeline(self) -> None:
        request = self._request(self.services.searcher, "Type a topic in the search box first.")
        if request is None:
            return
        query, filters = request
        self._timeline_gen += 1
        self.query_one(TimelinePane).start(query)
        self._show_tab("tab-timeline")
        self._run_timeline(self._timeline_gen, query, filters)

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def _run_timeline(self, gen: int, query: str, filters: Filters) -> None:
        searcher = self.services.searcher
        assert searcher is not None
        pane = self.query_one(TimelinePane)
        try:
            result = timeline.build(searcher, query, filters)
        except Exception as exc:  # noqa: BLE001
            if gen == self._timeline_gen:
                self.call_from_thread(pane.failed, "No timeline: see the message.")
                self.call_from_thread(self._error, exc)
            return
        self.call_from_thread(self._show_timeline, gen, result)

    def _show_timeline(self, gen: int, result: timeline.Timeline) -> None:
        if gen == self._timeline_gen:  # stale: never shown over a newer topic
            self.query_one(TimelinePane).show(result)

    def on_timeline_pane_entry_chosen(self, event: TimelinePane.EntryChosen) -> None:
        shown = self.query_one(TimelinePane).timeline
        self.open_passage(event.entry.hit, shown.query if shown else "")

    # --- exporting -------------------------------------------------------------------

    def action_export(self) -> None:
        from minutebook.council.briefing import briefing_filename
        from minutebook_tui.screens.export import ExportScreen

        answer = self.last_answer
        if answer is None:
            self.notify("Ask a question first (F2); then export its answer.", severity="warning")
            return
        filters = self.last_filters
        name = briefing_filename(answer.question, self.today(), filters)
        self.push_screen(ExportScreen(name, str(Path.cwd()), lambda path: self._write_briefing(answer, filters, path)),
                         self._briefing_written)

    def _write_briefing(self, answer: Answer, filters: Filters | None, path: Path) -> None:
        from minutebook.council.briefing import briefing_markdown

        path.write_text(briefing_markdown(answer, filters, self.today()), encoding="utf-8")

    def _briefing_written(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Briefing written to {path.resolve()}", title="Exported", markup=False)

    # --- the passage at hand: copy its citation, open its paper ------------------------

    def _hit_at_hand(self) -> Hit | None:
        """The passage the person is looking at: a highlighted source or result, or the one being read."""
        focused = self.focused
        pane = self.query_one(AnswerPane)
        tab = self.query_one(TabbedContent).active
        if pane.answer is not None and tab == "tab-answer":
            chosen = pane.highlighted_hit()
            if chosen is not None:
                return chosen
        results = self.query_one(ResultsList)
        if focused is results and results.highlighted is not None:
            option = results.get_option_at_index(results.highlighted)
            if results.hit_for(option) is not None:
                return results.hit_for(option)
        reader = self.query_one(ReaderPane).hit
        if reader is not None:
            return reader
        return results.hits[0] if results.hits else None

    def action_copy_citation(self) -> None:
        from minutebook.answer.cite import format_citation

        hit = self._hit_at_hand()
        if hit is None:
            self.notify("Search first; c copies the citation of the passage at hand.", severity="warning")
            return
        citation = f"{format_citation(hit)}. {hit.title}"
        self.copy_to_clipboard(citation)
        self.notify(f"Copied: {citation}", title="Citation", markup=False)

    def action_open_paper(self) -> None:

        hit = self._hit_at_hand()
        if hit is None:
            self.notify("Search first; o opens the paper of the passage at hand.", severity="warning")
            return
        where = f"page {hit.page}" if hit.page else "the start"
        try:
            opened = self.opener(hit.path, hit.page)
        except OSError as exc:
            self.notify(f"Cannot open {hit.path}: {exc.strerror or 'it is no longer there'}.",
                        severity="error", markup=False)
            return
        if opened is None:
            self.copy_to_clipboard(hit.path)
            self.notify(f"No viewer to open it with here. The paper is {hit.path} ({where}); "
                        "its path is copied.", title="Open paper", timeout=15, markup=False)
        elif opened.at_page:
            self.notify(f"Opened {Path(hit.path).name} at page {hit.page}.", title="Open paper", markup=False)
        else:
            self.notify(f"Opened {Path(hit.path).name}; the passage is on {where}.", title="Open paper",
                        markup=False)

    # --- the index -------------------------------------------------------------------

    def action_status(self) -> None:
        self._show_tab("tab-index")
        self._load_status()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "status-resync":
            self.action_resync()

    def action_resync(self) -> None:
        if self.services.syncer is None:
            self.notify("Re-sync is not available here.", severity="warning")
            return
        if self._syncing:
            self.notify("A re-sync is already running.", severity="warning")
            return
        self._syncing = True
        self._show_tab("tab-index")
        self.query_one(StatusPane).progress(Progress("scan", 0, 0))
        self._run_sync(self.services.syncer)

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _run_sync(self, syncer: Syncer) -> None:
        pane = self.query_one(StatusPane)
        try:
            report = syncer(lambda p: self.call_from_thread(pane.progress, p))
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._sync_failed, exc)
            return
        self.call_from_thread(self._synced, report)

    def _sync_failed(self, exc: Exception) -> None:
        self._syncing = False
        self.query_one(StatusPane).stopped("Re-sync stopped: see the message.")
        self._error(exc)

    def _synced(self, report: SyncReport) -> None:
        self._syncing = False
        summary = self.query_one(StatusPane).finished(report)
        self.notify(summary, title="Index", markup=False)
        if self.services.searcher is None and self.services.owned:
            self.services = open_services(self.services.settings)
            if self.services.problem is not None:
                self._error(self.services.problem)
                return
            self.query_one(ResultsList).message("Index ready. Type to search the papers.")
        self._load_facets()
        self._load_status()
        self._search_gen += 1
        self._search_now(self._search_gen)

    # --- moving around ---------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.query_one("#query", Input).focus()

    def action_back(self) -> None:  # type: ignore[override]  # Textual awaits an action only if it is a coroutine
        if self.screen.has_class("-narrow") and self.screen.has_class("-pane-open"):
            self.screen.remove_class("-pane-open")
            self.query_one(ResultsList).focus()
            return
        self.action_focus_search()

    def action_clear_filters(self) -> None:
        self.query_one(FilterBar).clear()

    def action_help(self) -> None:
        from minutebook_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def _rerender(self) -> None:
        # Highlight colours come from the theme; redraw what is shown in the new one.
        self.query_one(ReaderPane).rerender()
        self.query_one(AnswerPane).rerender()
        self.query_one(TimelinePane).rerender()

    def on_unmount(self) -> None:
        self.services.close()


def make_app(settings: Settings | None = None, *, searcher: Searcher | None = None,
             answerer: Answerer | None = None, reader: Reader | None = None, syncer: Syncer | None = None,
             **options: Any) -> MinutebookApp:
    """The app over the configured index, or over the parts given (tests pass fakes or real ones).

    With no ``searcher`` the index named by ``settings`` is opened; with no index the app still
    starts and says how to build one.
    """
    settings = settings or load_settings()
    if searcher is None:
        services = open_services(settings)
    else:
        if answerer is None:
            from minutebook.answer import CitedAnswerer

            answerer = CitedAnswerer(searcher)
        if reader is None:
            from minutebook.service.archive import open_reader

            reader = open_reader(settings.index)
        services = Services(settings, searcher, answerer, reader, syncer)
    return MinutebookApp(services, **options)
