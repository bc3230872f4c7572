"""The timeline pane: a topic meeting by meeting, oldest first, with the figures each meeting stated."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from minutebook.answer.cite import format_date, meeting_label
from minutebook.council.figures import Figure
from minutebook.council.timeline import Timeline, TimelineEntry, TimelineFigure
from minutebook_tui.text import line, literal

BARS = "▁▂▃▄▅▆▇█"
CONTEXT_CHARS = 90


def number(value: float) -> str:
    """``19.0`` -> ``"19"``, ``1250.0`` -> ``"1,250"``, ``2.5`` -> ``"2.5"``."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def figure_label(f: Figure) -> str:
    """The figure as a reader would say it: "19 per social worker", "£11 million", "50–70 caseload"."""
    value = number(f.value) + (f"–{number(f.upper)}" if f.upper is not None else "")
    unit = f.unit or ""
    if unit.startswith(("£", "$")):
        value, unit = unit[0] + value, unit[1:].strip()
    if unit in ("%", "per cent", "percent"):
        return value + "%"
    return f"{value} {unit}".strip()


def figure_notes(f: Figure) -> str:
    """What qualifies the figure: "average", "more than", "from 55"."""
    notes = [f.qualifier] if f.qualifier else []
    if f.previous is not None:
        notes.append(f"from {number(f.previous)}")
    return ", ".join(notes)


def short_context(f: Figure, width: int = CONTEXT_CHARS) -> str:
    """The sentence the figure is in, cut to about ``width`` characters around the figure."""
    sentence = " ".join(f.text.split())
    if len(sentence) <= width:
        return sentence
    at = max(sentence.find(f.phrase), 0)
    start = max(0, min(at - width // 3, len(sentence) - width))
    end = start + width
    # Cut between words, not inside them.
    if start > 0:
        space = sentence.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    if end < len(sentence):
        space = sentence.rfind(" ", start, end)
        end = space if space > at + len(f.phrase) else end
    cut = sentence[start:end]
    return ("…" if start > 0 else "") + cut.strip() + ("…" if end < len(sentence) else "")


def bars(values: list[float]) -> str:
    """One bar per value, scaled from the smallest (▁) to the largest (█)."""
    low, high = min(values), max(values)
    if high == low:
        return BARS[len(BARS) // 2] * len(values)
    return "".join(BARS[round((v - low) / (high - low) * (len(BARS) - 1))] for v in values)


def unit_of(f: Figure) -> str:
    """The unit a figure is charted in: "%", "£ million", "cases", or "number" when none is stated."""
    unit = " ".join((f.unit or "").lower().split())
    if unit in ("%", "per cent", "percent"):
        return "%"
    return unit or "number"


def chart_units(timeline: Timeline) -> list[str]:
    """Units with at least two figures, most figures first (ties by name)."""
    counts = Counter(unit_of(tf.figure) for e in timeline.entries for tf in e.figures)
    return sorted((u for u, n in counts.items() if n >= 2), key=lambda u: (-counts[u], u))


class TimelinePane(VerticalScroll):
    """Shows one topic's timeline. Enter on a meeting opens its passage."""

    DEFAULT_CSS = """
    TimelinePane {
        height: 1fr;
        padding: 0 1;
    }
    #timeline-head {
        margin-bottom: 1;
    }
    #timeline-chart {
        margin-bottom: 1;
        display: none;
    }
    TimelinePane.-has-chart #timeline-chart {
        display: block;
    }
    #timeline-entries {
        height: auto;
        max-height: 100%;
        border: none;
    }
    TimelinePane .timeline--bar {
        color: $text-accent;
    }
    TimelinePane .timeline--figure {
        text-style: bold;
    }
    TimelinePane .timeline--label {
        /* dim, not a colour: a component style carries no alpha, and dim reads in both themes */
        text-style: dim;
    }
    """
    COMPONENT_CLASSES = {"timeline--bar", "timeline--figure", "timeline--label"}
    BINDINGS = [Binding("u", "next_unit", "Next unit", show=False)]

    class EntryChosen(Message):
        """A meeting was chosen: read its best passage."""

        def __init__(self, entry: TimelineEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.timeline: Timeline | None = None
        self.unit_index = 0  # which unit the chart shows (key u moves to the next)

    def compose(self) -> ComposeResult:
        yield Static(Text("Type a topic and press F7 to follow it from meeting to meeting.", style="italic"),
                     id="timeline-head")
        yield Static(id="timeline-chart")
        yield OptionList(id="timeline-entries")

    def start(self, query: str) -> None:
        """A new topic: clear the pane and say what is happening."""
        self.timeline = None
        self.unit_index = 0
        self.query_one("#timeline-head", Static).update(
            line(("Timeline: ", "bold"), (query, "bold"), ("\nFinding the meetings that discuss it…", "italic")))
        self.query_one("#timeline-chart", Static).update("")
        self.query_one("#timeline-entries", OptionList).clear_options()
        self.set_class(False, "-has-chart")

    def failed(self, message: str) -> None:
        self.query_one("#timeline-head", Static).update(line((message, "italic")))

    def show(self, timeline: Timeline) -> None:
        """The meetings oldest first, each with its citation and figures; a bar chart when there are figures."""
        self.timeline = timeline
        label = self.get_component_rich_style("timeline--label", partial=True)
        n = len(timeline.entries)
        head = line(("Timeline: ", "bold"), (timeline.query, "bold"),
                    (f"  {n} meeting{'s' if n != 1 else ''}, oldest first", label))
        if timeline.weak:
            head.append("\nNothing in the papers is clearly about this; the closest passages are shown.",
                        style=label)
        self.query_one("#timeline-head", Static).update(head)
        units = chart_units(timeline)
        unit = units[self.unit_index % len(units)] if units else None
        dated = [(e, tf) for e in timeline.entries for tf in e.figures if unit_of(tf.figure) == unit]
        chart = self.query_one("#timeline-chart", Static)
        chart.update(self._chart(dated, unit or "", units) if len(dated) >= 2 else "")
        self.set_class(len(dated) >= 2, "-has-chart")
        entries = self.query_one("#timeline-entries", OptionList)
        entries.clear_options()
        if not timeline.entries:
            entries.add_option(Option(Text("No meeting mentions it.", style="italic"), disabled=True))
        for i, entry in enumerate(timeline.entries):
            entries.add_option(Option(self._entry(entry), id=f"entry-{i}"))

    def _entry(self, entry: TimelineEntry) -> Text:
        label = self.get_component_rich_style("timeline--label", partial=True)
        strong = self.get_component_rich_style("timeline--figure", partial=True)
        where = meeting_label(replace(entry.hit, date=None))
        rows = [
            line((format_date(entry.date) or "undated", "bold"), "  ", where),
            line(("  " + entry.citation, label)),
        ]
        if not entry.figures:
            rows.append(Text("  “", end="") + literal(" ".join(entry.hit.text.split())[:CONTEXT_CHARS])
                        + Text("…”", end=""))
        for tf in entry.figures:
            notes = figure_notes(tf.figure)
            row = line("  • ", (figure_label(tf.figure), strong), (f" ({notes})" if notes else "", label))
            rows.append(row)
            rows.append(Text("    “", end="") + literal(short_context(tf.figure)) + Text("”", end=""))
        return Text("\n", end="").join(rows)

    def action_next_unit(self) -> None:
        """Chart the figures stated in the next unit."""
        if self.timeline is not None and len(chart_units(self.timeline)) > 1:
            self.unit_index += 1
            self.show(self.timeline)

    def _chart(self, dated: list[tuple[TimelineEntry, TimelineFigure]], unit: str, units: list[str]) -> Text:
        # One unit only (19 cases and 93% on one scale would mislead), one column per figure in
        # date order: the bar, its value, and the month it was stated.
        bar_style = self.get_component_rich_style("timeline--bar", partial=True)
        label = self.get_component_rich_style("timeline--label", partial=True)
        values = [tf.figure.value for _, tf in dated]
        numbers = [number(v) for v in values]
        whens = [(format_date(e.date) or "undated")[-8:] for e, _ in dated]  # "Jan 2017"
        width = max(len(s) for s in (*numbers, *whens)) + 2
        out = Text(end="", no_wrap=True, overflow="ellipsis")
        others = [u for u in units if u != unit and len(units) > 1]
        out.append(f"Figures stated in {unit}, in date order", style=label)
        if others:
            out.append(f"  (u: next unit — {', '.join(others)})", style=label)
        out.append("\n")
        out.append("".join((b * 3).center(width) for b in bars(values)), style=bar_style)
        out.append("\n" + "".join(s.center(width) for s in numbers), style=Style(bold=True))
        out.append("\n" + "".join(s.center(width) for s in whens), style=label)
        return out

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.timeline is not None and event.option.id and event.option.id.startswith("entry-"):
            self.post_message(self.EntryChosen(self.timeline.entries[int(event.option.id[6:])]))

    def rerender(self) -> None:
        if self.timeline is not None:
            self.show(self.timeline)

    def plain(self) -> str:
        """What the pane shows, as plain text, for tests and copying."""
        entries = self.query_one("#timeline-entries", OptionList)
        shown = [str(entries.get_option_at_index(i).prompt) for i in range(entries.option_count)]
        chart = str(self.query_one("#timeline-chart", Static).render()) if self.has_class("-has-chart") else ""
        return "\n".join([str(self.query_one("#timeline-head", Static).render()), chart, *shown])
