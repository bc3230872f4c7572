"""The filter bar: committee, council and document type from the index, and a date range."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

from minutebook.reader import Facets
from minutebook_tui.text import visible


@dataclass(frozen=True, slots=True)
class FilterValues:
    """What the bar holds, as typed: checked by ``minutebook.query.make_filters``."""

    committee: str | None = None
    council: str | None = None
    doc_type: str | None = None
    since: str | None = None
    until: str | None = None


class FilterBar(Horizontal):
    """Selects whose choices come from the index, and since/until inputs."""

    class Changed(Message):
        """A filter changed; the search should run again."""

    def compose(self) -> ComposeResult:
        yield Select[str]([], prompt="Committee: any", id="f-committee", compact=True)
        yield Select[str]([], prompt="Council: any", id="f-council", compact=True)
        yield Select[str]([], prompt="Type: any", id="f-type", compact=True)
        yield Input(placeholder="since (2021, Jul 2021)", id="f-since", compact=True)
        yield Input(placeholder="until", id="f-until", compact=True)

    def set_facets(self, facets: Facets) -> None:
        """Offer the index's values; keep a choice that is still offered."""
        for wid, values in (("#f-committee", facets.committees), ("#f-council", facets.councils),
                            ("#f-type", facets.doc_types)):
            select: Select[str] = self.query_one(wid, Select)
            current = select.value
            with self.prevent(Select.Changed):
                select.set_options([(Text(visible(v)), v) for v in values])
                if isinstance(current, str) and current in values:
                    select.value = current
        since = self.query_one("#f-since", Input)
        if facets.first_date and facets.last_date:
            since.tooltip = f"Papers run from {facets.first_date} to {facets.last_date}"

    def values(self) -> FilterValues:
        def chosen(wid: str) -> str | None:
            value = self.query_one(wid, Select).value
            return value if isinstance(value, str) else None

        def typed(wid: str) -> str | None:
            return self.query_one(wid, Input).value.strip() or None

        return FilterValues(chosen("#f-committee"), chosen("#f-council"), chosen("#f-type"),
                            typed("#f-since"), typed("#f-until"))

    def clear(self) -> None:
        """Back to "any" everywhere."""
        with self.prevent(Select.Changed, Input.Changed):
            for select in self.query(Select):
                select.clear()
            for box in self.query(Input):
                box.value = ""
        self.post_message(self.Changed())

    def mark_dates(self, bad: bool) -> None:
        for box in self.query(Input):
            box.set_class(bad and bool(box.value.strip()), "-invalid")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
