"""`minutebook index [PATH ...]`: bring the index in step with folders of papers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from minutebook.cli.common import display_path, echo, emit_json, field, settings_from, stderr_is_tty


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "index", parents=[common], help="index papers (incremental: only new and changed files are read)",
        description="Index the papers under PATH (default: the folders the index was built from; for a new "
        "index, the configured corpus, ./corpus). "
        "Unchanged files are skipped, changed files re-read, deleted files dropped. "
        "Exit code 1 means some files failed and the rest are indexed.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (default: the index's own folders, or corpus/)")
    p.add_argument("--rebuild", action="store_true", help="discard the index and build it again from the papers")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--no-ocr", action="store_true",
                   help="do not read scanned pages by OCR (they are reported; config: ocr = false)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.index.ops import rebuild_index, source_folders
    from minutebook.ingest.ocr import ocr_settings
    from minutebook.models.registry import default_embedder, index_embedder
    from minutebook.pipeline.syncer import sync

    settings = settings_from(args)
    # No PATH: the folders the index was built from, or the configured corpus for a new index.
    roots = [Path(p) for p in args.paths] or list(source_folders(settings.index)) or list(settings.corpus)
    embedder = default_embedder(settings) if args.rebuild else index_embedder(settings)
    set_aside = rebuild_index(settings.index, embedder.model_id) if args.rebuild else None
    show = stderr_is_tty() and not args.quiet
    with _ProgressBar(show) as bar:
        report = sync(settings.index, roots, embedder, progress=bar.update,
                      ocr=ocr_settings(settings, enabled=False if args.no_ocr else None))
    if args.json:
        emit_json({
            "index": str(settings.index),
            "added": list(report.added), "updated": list(report.updated), "removed": list(report.removed),
            "moved": [{"from": a, "to": b} for a, b in report.moved],
            "unchanged": len(report.unchanged),
            "failed": [{"path": f.path, "reason": f.reason} for f in report.failed],
            "chunks_embedded": report.chunks_embedded, "chunks_reused": report.chunks_reused,
            "ocr_pages": report.ocr_pages,
            "notices": [{"path": n.path, "reason": n.reason} for n in report.notices],
            "seconds": round(report.seconds, 2),
            "damaged_database": None if set_aside is None else {
                "kept_as": set_aside.path, "embeddings_read": set_aside.embeddings},
        })
    else:
        if set_aside is not None:
            echo(f"The damaged database was kept as {display_path(set_aside.path)}; "
                 f"{set_aside.embeddings} stored embeddings could still be read and were reused where they fit.")
        echo(
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
            f"{len(report.moved)} moved, {len(report.unchanged)} unchanged, {len(report.failed)} failed "
            f"({report.chunks_embedded} passages embedded, {report.chunks_reused} reused"
            f"{f', {report.ocr_pages} scanned pages read by OCR' if report.ocr_pages else ''}) in {report.seconds:.1f}s"
        )
        for old, new in report.moved:
            echo(f"  moved   {display_path(old)} -> {display_path(new)}")
        for failure in report.failed:
            echo(f"  failed  {display_path(failure.path)}: {field(failure.reason)}")
        for notice in report.notices:
            echo(f"  partly  {display_path(notice.path)}: {field(notice.reason)}")
    return 1 if report.failed else 0


class _ProgressBar:
    """A rich progress bar on stderr, or nothing when stderr is not a terminal."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self._progress: Any = None
        self._task: Any = None
        self._ocr_task: Any = None

    def __enter__(self) -> _ProgressBar:
        if self.show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                TextColumn("{task.fields[name]}", style="dim"), console=Console(file=sys.stderr), transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("reading", total=None, name="")
        return self

    def update(self, event: Any) -> None:
        if self._progress is None:
            return
        name = field(Path(event.path).name[:40]) if event.path else ""
        if event.stage == "extract":
            self._progress.update(self._task, completed=event.done, total=event.total, name=name)
        elif event.stage == "ocr":  # scanned pages: found as papers are opened, read one by one
            if self._ocr_task is None:
                self._ocr_task = self._progress.add_task("OCR pages", total=None, name="")
            self._progress.update(self._ocr_task, completed=event.done, total=event.total, name=name)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)
