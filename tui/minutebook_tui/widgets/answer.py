"""The answer pane: the answer as it streams in, its checked sentences, and its numbered sources."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minutebook.answer.cite import format_citation
from minutebook.answer.render import cited_numbers
from minutebook.types import Answer, Hit
from minutebook_tui.text import line, literal, visible

_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


class AnswerPane(VerticalScroll):
    """Shows one question's answer. Keys 1-9 (the app's, outside a text box) open that source."""

    COMPONENT_CLASSES = {"answer--marker", "answer--unsupported", "answer--label"}

    class CitationChosen(Message):
        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.answer: Answer | None = None
        self._streamed = ""

    def compose(self) -> ComposeResult:
        yield Static(Text("Type a question and press F2 to ask it.", style="italic"), id="answer-question")
        yield Static(id="answer-body")
        yield Static(id="answer-check")
        yield OptionList(id="answer-sources")

    def start(self, question: str, generated: bool) -> None:
        """A new question: clear the pane and say what is happening."""
        self.answer, self._streamed = None, ""
        self.query_one("#answer-question", Static).update(line(("Q: ", "bold"), (question, "bold")))
        how = "Writing an answer with the local model…" if generated else "Finding the sentences that answer it…"
        self.query_one("#answer-body", Static).update(Text(how, style="italic"))
        self.query_one("#answer-check", Static).update("")
        self.query_one("#answer-sources", OptionList).clear_options()
        self.set_class(False, "-has-sources")

    def add_token(self, token: str) -> None:
        """Append streamed text from the model."""
        self._streamed += token
        self.query_one("#answer-body", Static).update(self._marked(self._streamed, ()))
        self.scroll_end(animate=False)

    def failed(self, message: str) -> None:
        self.query_one("#answer-body", Static).update(line((message, "italic")))

    def show(self, answer: Answer) -> None:
        """The finished answer: sentences the checker could not support are marked, sources listed."""
        self.answer = answer
        flagged = [s.text for s in answer.sentences if not s.supported]
        label = self.get_component_rich_style("answer--label", partial=True)
        warn = self.get_component_rich_style("answer--unsupported", partial=True)
        body = self._marked(answer.text, flagged)
        if answer.notice:
            # The model's own words (streamed so far) are replaced by the quoted answer, saying why.
            body = line((f"⚠ {answer.notice[:1].upper()}{answer.notice[1:]}.", warn)) + Text("\n\n") + body
        self.query_one("#answer-body", Static).update(body)
        check: list[Text] = []
        if answer.mode == "generated":
            good = sum(1 for s in answer.sentences if s.supported)
            check.append(line((f"Checked against the sources: {good} of {len(answer.sentences)} sentences "
                               "supported.", label)))
        for s in answer.sentences:
            if not s.supported:
                check.append(line(("⚠ unsupported: ", warn), s.text, (f" ({s.reason or 'no source says this'})",
                                                                      label)))
        if answer.model:
            check.append(line((f"Written by {answer.model}; check it against the sources.", label)))
        self.query_one("#answer-check", Static).update(Text("\n", end="").join(check))
        wanted = {c.n for c in answer.citations} if answer.mode == "not_covered" else set(cited_numbers(answer))
        sources = self.query_one("#answer-sources", OptionList)
        sources.clear_options()
        heading = "Closest passages" if answer.mode == "not_covered" else "Sources (Enter or 1-9 to read)"
        sources.add_option(Option(Text(heading, style="bold"), disabled=True))
        for c in answer.citations:
            if c.n in wanted:
                entry = Text("\n", end="").join([
                    line((f"[{c.n}] ", "bold"), (format_citation(c.hit), "bold"),
                         ("  scanned (OCR)" if c.hit.ocr else "", label)),
                    line(("    " + c.hit.title, label)),
                    Text("    “", end="") + literal(c.quote) + Text("”", end=""),
                ])
                sources.add_option(Option(entry, id=f"cite-{c.n}"))
        self.set_class(len(wanted) > 0, "-has-sources")

    def action_cite(self, n: int) -> None:
        if self.answer is None:
            return
        for c in self.answer.citations:
            if c.n == n:
                self.post_message(self.CitationChosen(c.hit))
                return
        self.notify(f"This answer has no source [{n}].", severity="warning", markup=False)

    def highlighted_hit(self) -> Hit | None:
        """The source highlighted in the list, when the list has focus."""
        sources = self.query_one("#answer-sources", OptionList)
        if self.answer is None or not sources.has_focus or sources.highlighted is None:
            return None
        option = sources.get_option_at_index(sources.highlighted)
        if option.id and option.id.startswith("cite-"):
            n = int(option.id[5:])
            return next((c.hit for c in self.answer.citations if c.n == n), None)
        return None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.startswith("cite-"):
            self.action_cite(int(event.option.id[5:]))

    def rerender(self) -> None:
        if self.answer is not None:
            self.show(self.answer)

    def _marked(self, text: str, flagged: tuple[str, ...] | list[str]) -> Text:
        marker = self.get_component_rich_style("answer--marker", partial=True)
        warn = self.get_component_rich_style("answer--unsupported", partial=True)
        marks: list[tuple[int, int, object]] = [(m.start(), m.end(), marker) for m in _MARKER.finditer(text)]
        pos = 0
        for sentence in flagged:
            at = text.find(sentence, pos)
            if at < 0:
                at = text.find(sentence)
            if at >= 0:
                marks.append((at, at + len(sentence), warn))
                pos = at + len(sentence)
        out = literal(text, marks)  # type: ignore[arg-type]
        if flagged:
            out.append(f"\n\n⚠ {len(flagged)} sentence(s) not supported by the sources (marked).", style=warn)
        return out

    def plain(self) -> str:
        """What the body shows, for tests and copying."""
        return visible(self._streamed if self.answer is None else self.answer.text)
