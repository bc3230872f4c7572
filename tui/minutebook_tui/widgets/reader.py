"""The reading pane: a passage highlighted in the text around it, with where it comes from."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from minutebook.answer.cite import display_path, format_citation
from minutebook.ingest.attributes import describe
from minutebook.search.hybrid import query_spans
from minutebook.service.reader import PassageContext
from minutebook.types import Hit
from minutebook_tui.text import line, literal


class ReaderPane(Vertical):
    """Shows one passage; ``[``/``]`` (or p/n) step through the paper."""

    COMPONENT_CLASSES = {"reader--term", "reader--label"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.context: PassageContext | None = None
        self.query_text = ""

    @property
    def hit(self) -> Hit | None:
        return self.context.hit if self.context else None

    def compose(self) -> ComposeResult:
        with Vertical(id="reader-head"):
            yield Static(Text("Open a result (Enter) to read it here.", style="italic"), id="reader-meta")
            yield Static(id="reader-path")
        with VerticalScroll(id="reader-scroll"):
            yield Static(id="reader-before", classes="context")
            yield Static(id="reader-passage")
            yield Static(id="reader-after", classes="context")

    def show(self, context: PassageContext, query: str) -> None:
        """Show ``context``, with ``query``'s words marked in the passage, and scroll to it."""
        self.context, self.query_text = context, query
        hit = context.hit
        label = self.get_component_rich_style("reader--label", partial=True)
        details = [hit.council or "council unknown", hit.doc_type, f"passage {context.ordinal} of {context.passages}"]
        if hit.section:
            details.append(f"under {hit.section[:80]}")
        if hit.ocr:
            details.append("read by OCR from a scanned page: check the quote against the paper")
        meta = [
            line((hit.title, "bold")),
            line(format_citation(hit)),
            line((" · ".join(details), label)),
        ]
        if hit.attributes:
            meta.append(line((describe(hit.attributes), label)))
        self.query_one("#reader-meta", Static).update(Text("\n", end="").join(meta))
        self.query_one("#reader-path", Static).update(line((display_path(hit.path), label)))
        a, b = context.highlight
        before = context.text[:a].rstrip()
        after = context.text[b:]
        self.query_one("#reader-before", Static).update(
            literal(("…" if not context.starts_document else "") + before.lstrip("\n")))
        self.query_one("#reader-after", Static).update(
            literal(after.strip("\n") + ("…" if not context.ends_document else "")))
        passage = context.text[a:b]
        term = self.get_component_rich_style("reader--term", partial=True)
        self.query_one("#reader-passage", Static).update(
            literal(passage, [(s, e, term) for s, e in query_spans(passage, query)]))
        self.set_class(bool(before.strip()), "-has-before")
        self.set_class(bool(after.strip()), "-has-after")
        self.call_after_refresh(self._scroll_to_passage)

    def _scroll_to_passage(self) -> None:
        scroll = self.query_one("#reader-scroll", VerticalScroll)
        passage = self.query_one("#reader-passage")
        # Keep two lines of what comes before in view.
        scroll.scroll_to(y=max(0, passage.virtual_region.y - 2), animate=False)

    def rerender(self) -> None:
        if self.context is not None:
            self.show(self.context, self.query_text)
