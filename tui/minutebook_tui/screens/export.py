"""The export dialog: the file name for a Markdown briefing, written from here.

An existing file is only replaced after a second Enter on the same name; a file that cannot be
written leaves the dialog open with the reason, and the typed name kept.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from minutebook_tui.text import line


def briefing_path(name: str, folder: Path) -> Path:
    """Where a typed name writes: relative to ``folder``, ``.md`` added when there is no suffix."""
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = folder / path
    return path.with_suffix(".md") if path.suffix == "" else path


class ExportScreen(ModalScreen[Path | None]):
    """Asks for a file name and writes the briefing there; returns the path written, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_name: str, folder: str, write: Callable[[Path], None]) -> None:
        super().__init__()
        self.default_name = default_name
        self.folder = Path(folder)
        self.write = write
        self._confirmed: Path | None = None  # the existing file a second Enter replaces

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(Text("Export briefing", style="bold"))
            yield Static(line(f"Markdown file (relative to {self.folder}):"))
            yield Input(self.default_name, id="export-name", select_on_focus=False)
            yield Static(id="export-message")
            yield Static(Text("Enter saves · Esc cancels", style="italic"))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._confirmed = None
        self._say("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self._say("Type a file name, or press Esc.", error=True)
            return
        path = briefing_path(name, self.folder)
        if path.is_dir():
            self._say(f"{path} is a folder: add a file name.", error=True)
            return
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            self._say(f"{path.name} already exists. Press Enter again to replace it, or change the name.",
                      error=True)
            return
        try:
            self.write(path)
        except OSError as exc:
            self._confirmed = None
            self._say(f"Cannot write {path}: {exc.strerror or exc}. Choose another name or folder.", error=True)
            return
        self.dismiss(path)

    def _say(self, message: str, *, error: bool = False) -> None:
        box = self.query_one("#export-message", Static)
        box.update(line(message))
        box.set_class(error, "-error")

    def action_cancel(self) -> None:
        self.dismiss(None)
