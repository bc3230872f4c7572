"""Asking: a cited answer (quoted, or written by the local model), a topic's timeline, a briefing to export."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.widgets import Input, TabbedContent

from minutebook.council import timeline
from minutebook.types import Answer, Filters
from minutebook_tui.base import AppBase
from minutebook_tui.widgets.answer import AnswerPane
from minutebook_tui.widgets.reader import ReaderPane
from minutebook_tui.widgets.status import StatusLine
from minutebook_tui.widgets.timeline import TimelinePane


class AskingActions(AppBase):
    """F2 asks, F3 switches who writes the answer, F7 follows a topic, F4 exports the answer."""

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
