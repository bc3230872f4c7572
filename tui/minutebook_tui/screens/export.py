"""The export dialog: the file name for a Markdown briefing."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class ExportScreen(ModalScreen[str | None]):
    """Asks for a file name; returns it, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_name: str, folder: str) -> None:
        super().__init__()
        self.default_name = default_name
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(Text("Export briefing", style="bold"))
            yield Static(Text(f"Markdown file (relative to {self.folder}):"))
            yield Input(self.default_name, id="export-name", select_on_focus=False)
            yield Static(Text("Enter saves · Esc cancels", style="italic"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        self.dismiss(name or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
