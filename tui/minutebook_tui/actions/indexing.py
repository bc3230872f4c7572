"""The index: loading the search model, the filters' choices and the status at start-up; re-syncing."""

from __future__ import annotations

from textual import work
from textual.widgets import Button

from minutebook.errors import MinutebookError
from minutebook.types import Progress, SyncReport
from minutebook_tui.base import AppBase
from minutebook_tui.services import Syncer, open_services
from minutebook_tui.widgets.filters import FilterBar
from minutebook_tui.widgets.results import ResultsList
from minutebook_tui.widgets.status import StatusLine, StatusPane


class IndexActions(AppBase):
    """Start-up loading, the index tab (F6) and re-sync (F5)."""

    # --- start-up loading ------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def _load_embedder(self) -> None:
        load = getattr(getattr(self.services.searcher, "embedder", None), "load", None)
        if load is None:
            self.call_from_thread(self.query_one(StatusLine).set, model="ready")
            return
        self.call_from_thread(self.query_one(StatusLine).set, model="◌ loading search model…")
        try:
            load()
        except Exception as exc:  # noqa: BLE001  (shown to the person, not raised)
            self.call_from_thread(self._error, exc)
            self.call_from_thread(self.query_one(StatusLine).set, model="search model missing")
            return
        self.call_from_thread(self.query_one(StatusLine).set, model="ready")

    @work(thread=True, group="facets", exclusive=True, exit_on_error=False)
    def _load_facets(self) -> None:
        reader = self.services.reader
        if reader is None:
            return
        try:
            facets = reader.facets()
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._error, exc)
            return
        self.call_from_thread(self.query_one(FilterBar).set_facets, facets)

    @work(thread=True, group="status", exclusive=True, exit_on_error=False)
    def _load_status(self) -> None:
        from minutebook.index.ops import index_status

        try:
            st = index_status(self.services.settings.index)
        except MinutebookError as exc:
            self.call_from_thread(self.query_one(StatusPane).missing, exc.message, exc.hint)
            return
        self.call_from_thread(self.query_one(StatusPane).show, st)
        self.call_from_thread(self.query_one(StatusLine).set,
                              index=f"{st.documents} papers · {st.chunks} passages")

    # --- the index -------------------------------------------------------------------

    def action_status(self) -> None:
        self._show_tab("tab-index")
        self._load_status()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "status-resync":
            self.action_resync()

    def action_resync(self) -> None:
        if self.services.syncer is None:
            self.notify("Re-sync is not available here.", severity="warning")
            return
        if self._syncing:
            self.notify("A re-sync is already running.", severity="warning")
            return
        self._syncing = True
        self._show_tab("tab-index")
        self.query_one(StatusPane).progress(Progress("scan", 0, 0))
        self._run_sync(self.services.syncer)

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _run_sync(self, syncer: Syncer) -> None:
        pane = self.query_one(StatusPane)
        try:
            report = syncer(lambda p: self.call_from_thread(pane.progress, p))
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._sync_failed, exc)
            return
        self.call_from_thread(self._synced, report)

    def _sync_failed(self, exc: Exception) -> None:
        self._syncing = False
        self.query_one(StatusPane).stopped("Re-sync stopped: see the message.")
        self._error(exc)

    def _synced(self, report: SyncReport) -> None:
        self._syncing = False
        summary = self.query_one(StatusPane).finished(report)
        self.notify(summary, title="Index", markup=False)
        if self.services.searcher is None and self.services.owned:
            self.services = open_services(self.services.settings)
            if self.services.problem is not None:
                self._error(self.services.problem)
                return
            self.query_one(ResultsList).message("Index ready. Type to search the papers.")
        self._load_facets()
        self._load_status()
        self._search_gen += 1
        self._search_now(self._search_gen)
