"""Index status and re-sync progress (the Index tab), and the one-line status bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, ProgressBar, Static

from minutebook.index.ops import IndexStatus
from minutebook.types import Progress, SyncReport
from minutebook_tui.text import line

_STAGES = {"scan": "Looking for papers", "extract": "Reading", "ocr": "Reading scanned page", "embed": "Embedding",
           "commit": "Saving", "done": "Finished"}


class StatusPane(VerticalScroll):
    """What the index holds, its failed files, and a re-sync button with progress."""

    COMPONENT_CLASSES = {"status--label"}

    def compose(self) -> ComposeResult:
        yield Static(Text("Press F6 to load the index status.", style="italic"), id="status-info")
        yield Button("Re-sync the index's folders (F5)", id="status-resync", compact=True)
        yield ProgressBar(total=None, show_eta=False, id="status-progress")
        yield Static(id="status-step")

    def show(self, st: IndexStatus) -> None:
        label = self.get_component_rich_style("status--label", partial=True)
        rows = [
            line(("Index      ", label), st.folder),
            line(("Papers     ", label), f"{st.documents} ({st.pages} pages)"),
            line(("Passages   ", label), str(st.chunks)),
            line(("Model      ", label), st.embed_model or "none yet"),
            line(("Folders    ", label), "; ".join(st.sources) or "none recorded"),
            line(("Last sync  ", label), st.last_sync or "never"),
            line(("Types      ", label), ", ".join(f"{k} {v}" for k, v in st.by_type.items()) or "none"),
            line(("Failed     ", label), f"{len(st.failures)} file(s)"),
        ]
        rows += [line(("  ✗ ", "bold"), f.path, (f": {f.reason}", label)) for f in st.failures]
        self.query_one("#status-info", Static).update(Text("\n", end="").join(rows))

    def missing(self, message: str, hint: str | None) -> None:
        self.query_one("#status-info", Static).update(
            Text("\n", end="").join([line((message, "bold")), line(hint or "")]))

    def progress(self, p: Progress) -> None:
        """One step of a running sync."""
        bar = self.query_one("#status-progress", ProgressBar)
        self.add_class("-syncing")
        if p.stage in ("extract", "embed") and p.total:
            bar.update(total=p.total, progress=p.done)
        elif p.stage == "done":
            bar.update(total=max(p.total, 1), progress=max(p.total, 1))
        step = f"{_STAGES.get(p.stage, p.stage)} {p.done} of {p.total}"
        if p.path:
            step += f": {p.path.rsplit('/', 1)[-1]}"
        self.query_one("#status-step", Static).update(line(step))

    def finished(self, report: SyncReport) -> str:
        """Show a finished sync; returns the one-line summary."""
        self.remove_class("-syncing")
        summary = sync_summary(report)
        self.query_one("#status-step", Static).update(line(summary))
        return summary

    def stopped(self, message: str) -> None:
        self.remove_class("-syncing")
        self.query_one("#status-step", Static).update(line(message))


def sync_summary(report: SyncReport) -> str:
    """``"Re-sync finished: 1 added, 0 updated, 0 removed, 5 unchanged, 0 failed (2.1 s)."``"""
    return (f"Re-sync finished: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged, {len(report.failed)} failed"
            f"{f', {report.ocr_pages} scanned pages read by OCR' if report.ocr_pages else ''}"
            f"{f', {len(report.notices)} indexed without scanned pages' if report.notices else ''}"
            f" ({report.seconds:.1f} s).")


class StatusLine(Static):
    """One line at the bottom: index, model state, answer mode and result count."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.index = ""
        self.model = ""
        self.mode = ""
        self.count = ""

    def set(self, *, index: str | None = None, model: str | None = None, mode: str | None = None,
            count: str | None = None) -> None:
        if index is not None:
            self.index = index
        if model is not None:
            self.model = model
        if mode is not None:
            self.mode = mode
        if count is not None:
            self.count = count
        self.update(line(*(" │ ".join(p for p in (self.model, self.mode, self.count, self.index) if p),)))
