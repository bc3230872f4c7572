"""Opening a paper in the system's viewer, at the page a passage is on, when there is a viewer.

PDF viewers that take a page on the command line are tried first (Evince, Okular, Zathura,
qpdfview, MuPDF); otherwise the desktop's opener (``xdg-open``, macOS ``open``) opens the file
at its start. Without a display or any of these, nothing is run and the caller shows the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

# (program, arguments before the path that name the page); {page} is the 1-based page.
PAGE_VIEWERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("evince", ("--page-index={page}",)),
    ("okular", ("--page", "{page}")),
    ("zathura", ("--page={page}",)),
    ("qpdfview", ()),  # takes path#page
    ("mupdf", ()),  # takes path page
)


@dataclass(frozen=True, slots=True)
class Opened:
    """What was run: the command, and whether it opens at the page."""

    command: tuple[str, ...]
    at_page: bool


def viewer_command(path: str, page: int | None) -> Opened | None:
    """The command that shows ``path`` (at ``page`` where the viewer can), or None when there is none."""
    graphical = sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if not graphical:
        return None
    if page and path.lower().endswith(".pdf"):
        for program, args in PAGE_VIEWERS:
            exe = shutil.which(program)
            if exe is None:
                continue
            if program == "qpdfview":
                return Opened((exe, f"{path}#{page}"), True)
            if program == "mupdf":
                return Opened((exe, path, str(page)), True)
            return Opened((exe, *(a.format(page=page) for a in args), path), True)
    for opener in ("xdg-open", "open"):
        exe = shutil.which(opener)
        if exe is not None:
            return Opened((exe, path), False)
    return None


def open_paper(path: str, page: int | None) -> Opened | None:
    """Start the viewer for ``path`` (detached, never waited for); None when there is no viewer."""
    if not Path(path).exists():
        raise FileNotFoundError(path)
    opened = viewer_command(path, page)
    if opened is None:
        return None
    viewer = subprocess.Popen(opened.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    # Reaped when it closes, however long the person reads; the app never waits for it.
    threading.Thread(target=viewer.wait, name="minutebook-viewer", daemon=True).start()
    return opened
