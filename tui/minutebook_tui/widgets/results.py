"""The results list: one entry per passage, with where it comes from and the matching words."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from minutebook.answer.cite import format_date, is_ofsted, meeting_label
from minutebook.ingest.attributes import describe
from minutebook.search.highlight import snippet
from minutebook.search.hybrid import highlights
from minutebook.types import Hit, SearchResult
from minutebook_tui.text import line, literal

SNIPPET_CHARS = 150
# A passage recognised from a scanned page: its quote may hold recognition errors.
OCR_LABEL = "scanned (OCR)"


def where(hit: Hit) -> list[str]:
    """Date, page and minute (or paragraph) of a passage, as short labels."""
    parts = []
    when = format_date(hit.date)
    if when:
        parts.append(when)
    if hit.page is not None:
        parts.append(f"p. {hit.page}")
    if hit.minute:
        parts.append(f"{'para' if is_ofsted(hit) else 'item'} {hit.minute}")
    if hit.ocr:
        parts.append(OCR_LABEL)
    return parts


class ResultsList(OptionList):
    """Ranked passages for the current query. Selecting one opens it."""

    COMPONENT_CLASSES = {"results--term", "results--meta", "results--title"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.hits: tuple[Hit, ...] = ()
        self.query_text = ""

    def show(self, result: SearchResult) -> None:
        """Replace the list with ``result``'s passages."""
        self.hits = result.hits
        self.query_text = result.query
        self.clear_options()
        if not result.hits:
            self.add_option(Option(Text("No passages match. Try other words or fewer filters."), disabled=True))
            return
        if result.weak:
            self.add_option(Option(Text("Nothing clearly relevant; the closest passages:", style="italic"),
                                   disabled=True))
        self.add_options(Option(self._entry(n, hit), id=f"hit-{n}") for n, hit in enumerate(result.hits))
        self.highlighted = 1 if result.weak else 0

    def message(self, text: str) -> None:
        """Show a line of guidance instead of results."""
        self.hits = ()
        self.clear_options()
        self.add_option(Option(Text(text, style="italic"), disabled=True))

    def hit_for(self, option: Option) -> Hit | None:
        if option.id and option.id.startswith("hit-"):
            return self.hits[int(option.id[4:])]
        return None

    def _entry(self, n: int, hit: Hit) -> Text:
        meta = self.get_component_rich_style("results--meta", partial=True)
        title = self.get_component_rich_style("results--title", partial=True)
        term = self.get_component_rich_style("results--term", partial=True)
        # Whose paper and which meeting first (the citation's own words), then where in it.
        head = line((f"{n + 1}. ", meta), (meeting_label(replace(hit, date=None)), title))
        parts = [head, line(("   " + " · ".join(where(hit) + [hit.doc_type]), meta))]
        if hit.attributes:
            parts.append(line(("   " + _shorten(describe(hit.attributes, brief=True), 110), meta)))
        if hit.committee:
            parts.append(line(("   " + _shorten(hit.title, 90), meta)))
        text, spans = snippet(hit.text, highlights(hit, self.query_text), SNIPPET_CHARS)
        parts.append(Text("   ", end="") + literal(text, [(s, e, term) for s, e in spans]))
        return Text("\n", end="").join(parts)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
