"""Reading scanned pages: Tesseract on the page rendered as an image, cached by the image's hash.

A page with no (or almost no) text layer but with an image on it is rendered with pdfium
and read by the ``tesseract`` program (Debian: ``tesseract-ocr`` + ``tesseract-ocr-eng``).
The program runs as a child of the process reading the paper, so it is under that
process's memory limit, and single-threaded (``OMP_THREAD_LIMIT=1``): its own threading
is many times slower on a busy machine, and sync already reads papers side by side.

Recognised text is cached under ``OcrSettings.cache`` by the sha256 of the page image (and
the engine version and languages), so a re-sync or a rebuild never reads a page twice.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minutebook.config import Settings

__all__ = [
    "DEFAULT_DPI",
    "OcrSettings",
    "PageImage",
    "engine",
    "install_hint",
    "missing_reason",
    "ocr_ready",
    "ocr_settings",
    "recognise",
    "set_page_observer",
]

DEFAULT_DPI = 300
# What one page may take when no caller says (the sync passes its per-file limit).
DEFAULT_PAGE_SECONDS = 60.0
INSTALL_HINT = "install tesseract-ocr (Debian/Ubuntu: sudo apt-get install tesseract-ocr tesseract-ocr-eng)"


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Whether and how scanned pages are read."""

    enabled: bool = True
    languages: str = "eng"  # Tesseract's codes joined by "+", e.g. "eng+cym"
    cache: Path | None = None  # folder of recognised text; None: no cache
    dpi: int = DEFAULT_DPI
    page_seconds: float = DEFAULT_PAGE_SECONDS


def ocr_settings(settings: Settings, *, enabled: bool | None = None) -> OcrSettings:
    """How a sync or ``inspect`` reads scanned pages: the ``ocr``/``ocr_languages`` settings, cached
    under the cache folder (``ocr/``); ``enabled`` (``--no-ocr``) overrides the setting."""
    return OcrSettings(
        enabled=settings.ocr if enabled is None else enabled,
        languages=settings.ocr_languages.strip() or "eng",
        cache=settings.cache / "ocr",
    )


@dataclass(frozen=True, slots=True)
class PageImage:
    """A rendered page: 8-bit grey pixels, row by row, ``width`` bytes a row."""

    width: int
    height: int
    pixels: bytes
    dpi: int

    def pgm(self) -> bytes:
        return f"P5 {self.width} {self.height} 255\n".encode("ascii") + self.pixels

    def sha256(self) -> str:
        digest = hashlib.sha256(f"{self.width}x{self.height}@{self.dpi}\n".encode("ascii"))
        digest.update(self.pixels)
        return digest.hexdigest()


class OcrUnavailable(Exception):
    """Scanned pages cannot be read here; ``reason`` says what to install or change."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OcrPageFailed(Exception):
    """One page could not be read by OCR; ``reason`` says why. The paper keeps its other pages."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Told before each page is read by OCR: (pages of this paper read so far, pages it has to read).
# The worker process reading the paper reports this to the sync, which shows it and restarts the
# paper's clock, so the time limit applies per page and a long scanned paper is not cut off.
PageObserver = Callable[[int, int], None]
_observer: PageObserver | None = None


def set_page_observer(observer: PageObserver | None) -> None:
    global _observer
    _observer = observer


def observe(done: int, total: int) -> None:
    if _observer is not None:
        _observer(done, total)


@lru_cache(maxsize=1)
def engine() -> tuple[str, frozenset[str]] | None:
    """``(version, installed languages)`` of the tesseract program, or None when it is missing."""
    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        version = subprocess.run([program, "--version"], capture_output=True, timeout=30, check=False)
        langs = subprocess.run([program, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    first = (version.stdout or version.stderr).decode("utf-8", "replace").strip().splitlines()
    lines = langs.stdout.decode("utf-8", "replace").splitlines()
    installed = frozenset(line.strip() for line in lines[1:] if line.strip())
    return (first[0] if first else "tesseract"), installed


def install_hint() -> str:
    return INSTALL_HINT


def missing_reason(settings: OcrSettings) -> str | None:
    """Why scanned pages cannot be read with ``settings``, or None when they can."""
    if not settings.enabled:
        return "not read: OCR is turned off (--no-ocr or ocr = false)"
    found = engine()
    if found is None:
        return f"needs OCR: {INSTALL_HINT}"
    _version, installed = found
    wanted = [code for code in settings.languages.split("+") if code]
    if not wanted:
        return "needs OCR: ocr_languages is empty (give Tesseract codes such as eng or eng+cym)"
    missing = [code for code in wanted if code not in installed]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        return f"needs OCR language data: install {packages}"
    return None


def ocr_ready(settings: OcrSettings | None) -> bool:
    """Whether scanned pages can be read with ``settings`` (None: the defaults) on this machine."""
    return missing_reason(settings or OcrSettings()) is None


def _cache_file(settings: OcrSettings, image: PageImage) -> Path | None:
    if settings.cache is None:
        return None
    found = engine()
    version = found[0] if found else "tesseract"
    key = hashlib.sha256(f"{version}\n{settings.languages}\n{image.sha256()}".encode()).hexdigest()
    return settings.cache / key[:2] / f"{key}.txt"


def cached(settings: OcrSettings, image: PageImage) -> str | None:
    """The text recognised on this image before, if the cache holds it."""
    path = _cache_file(settings, image)
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _store(settings: OcrSettings, image: PageImage, text: str) -> None:
    path = _cache_file(settings, image)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a reader never sees half a page.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ocr-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache costs time on the next sync, nothing else


def recognise(image: PageImage, settings: OcrSettings) -> tuple[str, bool]:
    """The text on ``image`` and whether it came from the cache.

    Raises OcrUnavailable (nothing can be read here) or OcrPageFailed (this page only).
    """
    reason = missing_reason(settings)
    if reason is not None:
        raise OcrUnavailable(reason)
    hit = cached(settings, image)
    if hit is not None:
        return hit, True
    program = shutil.which("tesseract") or "tesseract"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [program, "stdin", "stdout", "-l", settings.languages, "--dpi", str(image.dpi),
             "-c", "page_separator="],
            input=image.pgm(), capture_output=True, timeout=settings.page_seconds, env=env, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrPageFailed(f"OCR took longer than {settings.page_seconds:g} s") from exc
    except MemoryError as exc:
        raise OcrPageFailed("OCR ran out of memory") from exc
    except OSError as exc:
        raise OcrPageFailed(f"OCR could not start ({exc.strerror or exc})") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if done.returncode < 0:
            why = f"OCR crashed (signal {-done.returncode})"
        else:
            why = f"OCR failed ({detail[-1][:120] if detail else f'exit code {done.returncode}'})"
        raise OcrPageFailed(why)
    text = done.stdout.decode("utf-8", "replace")
    _store(settings, image, text)
    return text, False
