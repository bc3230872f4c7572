"""The help screen: every key, grouped by what it is for."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# (keys as shown, what they do). Every binding of the app appears here; a test checks it.
KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Search", (
        ("type", "search as you type (results after a short pause)"),
        ("Enter", "search now and move to the results"),
        ("/  Esc", "back to the search box (Esc also closes the reading pane on narrow screens)"),
        ("Tab  Shift+Tab", "move between the search box, filters, results and pane"),
        ("since  until", "meeting dates: 2021, 2021-07, July 2021; Enter or leaving the box applies them"),
        ("F8", "clear the filters"),
    )),
    ("Results and reading", (
        ("↑ ↓  Enter", "choose a result and open it"),
        ("]  n", "next passage of the same paper"),
        ("[  p", "previous passage of the same paper"),
        ("PgUp PgDn", "scroll the reading pane"),
        ("c", "copy the citation of the passage at hand (outside a text box)"),
        ("o", "open its paper in the system's viewer, at its page where the viewer can (else show the path)"),
    )),
    ("Answers", (
        ("F2", "ask the question in the search box"),
        ("F3", "switch between quoted answers and answers written by the local model"),
        ("1-9  Enter", "open that source of the answer (outside a text box; F2 moves there)"),
        ("F4", "export the answer as a Markdown briefing"),
    )),
    ("Timeline", (
        ("F7", "the topic in the search box meeting by meeting, oldest first, with the figures stated"),
        ("↑ ↓  Enter", "in the timeline: open that meeting's passage"),
    )),
    ("Index", (
        ("F6", "index status: papers, passages, last sync, failed files"),
        ("F5", "re-sync the folders the index was built from (shown in the index status)"),
    )),
    ("App", (
        ("F1  ?", "this help"),
        ("Ctrl+P", "command palette: every action by name"),
        ("Ctrl+Q  Ctrl+C", "quit (Ctrl+C in the search box, when no text is selected)"),
    )),
)


class HelpScreen(ModalScreen[None]):
    """Lists every key. Esc, q or F1 closes it."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for group, keys in KEYS:
            table.add_row(Text(group, style="bold underline"), "")
            for key, what in keys:
                table.add_row(Text(key), Text(what))
            table.add_row("", "")
        with VerticalScroll(id="help-box"):
            yield Static(Text("minutebook keys", style="bold"), id="help-title")
            yield Static(table)
            yield Static(Text("Esc closes this help.", style="italic"))
