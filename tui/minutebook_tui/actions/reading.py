"""Reading: a passage in its surrounding text, the next and previous ones, its citation and its paper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.widgets import OptionList, TabbedContent

from minutebook.types import Hit
from minutebook_tui.base import AppBase
from minutebook_tui.widgets.answer import AnswerPane
from minutebook_tui.widgets.reader import ReaderPane
from minutebook_tui.widgets.results import ResultsList
from minutebook_tui.widgets.timeline import TimelinePane


class ReadingActions(AppBase):
    """Open passages from the results, an answer's sources and the timeline; copy and open them."""

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

    def on_timeline_pane_entry_chosen(self, event: TimelinePane.EntryChosen) -> None:
        shown = self.query_one(TimelinePane).timeline
        self.open_passage(event.entry.hit, shown.query if shown else "")

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
