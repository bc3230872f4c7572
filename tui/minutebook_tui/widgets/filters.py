"""The filter bar: committee, council and document type from the index, and a date range.

Councils are listed once each, by canonical name, and a choice filters on that identity. When
the papers carry manifest attributes with few values (Ofsted's grades), a fourth list offers
them ("overall effectiveness: inadequate"), applied as ``--where`` would be.

The date boxes apply what is typed on Enter or when focus leaves them, not per keystroke:
meanwhile the box is marked as not yet applied, and searches use the dates last applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select, Static

from minutebook.ingest.attributes import shown_name, shown_value
from minutebook.service.reader import Facets
from minutebook_tui.text import visible


@dataclass(frozen=True, slots=True)
class FilterValues:
    """What the bar holds, as typed: checked by ``minutebook.search.query.make_filters``."""

    committee: str | None = None
    council: str | None = None
    doc_type: str | None = None
    since: str | None = None
    until: str | None = None
    where: str | None = None  # "overall_effectiveness_grade=inadequate"


class FilterBar(Horizontal):
    """Selects whose choices come from the index, and since/until inputs."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.applied: dict[str, str | None] = {"f-since": None, "f-until": None}  # dates searches use

    class Changed(Message):
        """A filter changed; the search should run again."""

    def compose(self) -> ComposeResult:
        yield Select[str]([], prompt="Committee: any", id="f-committee", compact=True)
        yield Select[str]([], prompt="Council: any", id="f-council", compact=True)
        yield Select[str]([], prompt="Type: any", id="f-type", compact=True)
        # Shown only when the papers carry attributes to choose from.
        yield Select[str]([], prompt="Judgement: any", id="f-where", compact=True, classes="-empty")
        yield Static("since", classes="filter-label")
        yield Input(placeholder="2021-07", id="f-since", compact=True)
        yield Static("until", classes="filter-label")
        yield Input(placeholder="2023-06", id="f-until", compact=True)

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
        choices = [(Text(visible(f"{shown_name(name)}: {shown_value(value)}")), f"{name}={value}")
                   for name, values in facets.attributes for value in values]
        where: Select[str] = self.query_one("#f-where", Select)
        current = where.value
        with self.prevent(Select.Changed):
            where.set_options(choices)
            if isinstance(current, str) and current in {v for _, v in choices}:
                where.value = current
        where.display = bool(choices)
        since = self.query_one("#f-since", Input)
        if facets.first_date and facets.last_date:
            since.tooltip = f"Papers run from {facets.first_date} to {facets.last_date}"

    def values(self) -> FilterValues:
        def chosen(wid: str) -> str | None:
            value = self.query_one(wid, Select).value
            return value if isinstance(value, str) else None

        return FilterValues(chosen("#f-committee"), chosen("#f-council"), chosen("#f-type"),
                            self.applied["f-since"], self.applied["f-until"], chosen("#f-where"))

    def pending(self) -> bool:
        """Whether a date box holds text not yet applied (Enter or leaving the box applies it)."""
        return any(box.has_class("-pending") for box in self.query(Input))

    def clear(self) -> None:
        """Back to "any" everywhere."""
        with self.prevent(Select.Changed, Input.Changed):
            for select in self.query(Select):
                select.clear()
            for box in self.query(Input):
                box.value = ""
                box.remove_class("-pending", "-invalid")
        self.applied = dict.fromkeys(self.applied)
        self.post_message(self.Changed())

    def mark_dates(self, bad: bool) -> None:
        for box in self.query(Input):
            box.set_class(bad and bool(self.applied.get(box.id or "")), "-invalid")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        box = event.input
        box.set_class((box.value.strip() or None) != self.applied.get(box.id or ""), "-pending")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply(event.input)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        self._apply(event.input)

    def _apply(self, box: Input) -> None:
        value = box.value.strip() or None
        box.remove_class("-pending")
        if value != self.applied.get(box.id or ""):
            self.applied[box.id or ""] = value
            self.post_message(self.Changed())
