"""The app: one screen to search, read, ask and brief; all the work is the library's.

Its parts: ``base`` (state, errors, live search) and ``actions/`` (reading, asking, the index).
Slow work runs in thread workers; see ``base``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Input, TabbedContent, TabPane

from minutebook.config import Settings, load_settings
from minutebook.errors import MinutebookError
from minutebook.protocols import Answerer, Searcher
from minutebook_tui.actions.asking import AskingActions
from minutebook_tui.actions.indexing import IndexActions
from minutebook_tui.actions.reading import ReadingActions
from minutebook_tui.commands import MinutebookCommands
from minutebook_tui.services import Reader, Services, Syncer, open_services
from minutebook_tui.widgets.answer import AnswerPane
from minutebook_tui.widgets.filters import FilterBar
from minutebook_tui.widgets.reader import ReaderPane
from minutebook_tui.widgets.results import ResultsList
from minutebook_tui.widgets.status import StatusLine, StatusPane
from minutebook_tui.widgets.timeline import TimelinePane


class SearchBox(Input):
    """The search box. Ctrl+C copies selected text, and with nothing selected quits the app."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+c", "copy_or_quit", "Quit", show=False)]

    def action_copy_or_quit(self) -> None:
        if self.selected_text:
            self.action_copy()
        else:
            self.app.exit()


class MinutebookApp(ReadingActions, AskingActions, IndexActions):
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
