"""Reading papers: one file in, one ``Document`` out, or an ``IngestError`` saying why not.

The format is decided by the file's content, not its name (see ``detect``); metadata is
guessed from the text (``metadata``) and then overridden by a sidecar or manifest
(``overrides``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from minutebook.errors import CorruptDocument, ExtractionLimit, IngestError, UnsupportedFormat
from minutebook.ingest.detect import CANDIDATE_SUFFIXES, sniff
from minutebook.ingest.metadata import guess_metadata
from minutebook.ingest.ocr import OcrSettings
from minutebook.ingest.overrides import MANIFEST_NAMES, SIDECAR_SUFFIX, apply_overrides
from minutebook.types import Document, Page

__all__ = ["MAX_FILE_BYTES", "is_candidate", "read_bytes_document", "read_document"]

MAX_FILE_BYTES = 512 * 1024 * 1024


def is_candidate(path: Path) -> bool:
    """Whether a folder walk should offer ``path`` to ``read_document``.

    True for .pdf .docx .html .htm .txt .md .markdown files that are not hidden, not a
    metadata sidecar (``*.meta.json``), not a manifest CSV and not a folder's README.
    """
    name = path.name
    if not name or name.startswith((".", "~$")):  # hidden files and Word's lock files
        return False
    if name.endswith(SIDECAR_SUFFIX) or name in MANIFEST_NAMES:
        return False
    if path.stem.lower() == "readme":  # a folder's own description, not a paper
        return False
    return path.suffix.lower() in CANDIDATE_SUFFIXES


def read_document(path: Path, *, ocr: OcrSettings | None = None) -> Document:
    """Read one paper: its text, pages, metadata and the sha256 of its bytes.

    Scanned PDF pages are read by OCR as ``ocr`` says (default: on, English, no cache).

    Raises an ``IngestError`` subclass (UnsupportedFormat, NoTextLayer, EncryptedDocument,
    CorruptDocument, ExtractionLimit) naming the file and the reason; never anything else.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ExtractionLimit(
                str(path),
                f"file is {size // (1024 * 1024)} MB (limit {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                "Split it into smaller files.",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file ({exc.strerror or exc})",
                          "Check that the file exists and is readable.") from exc
    return read_bytes_document(path, data, ocr=ocr)


def read_bytes_document(path: Path, data: bytes, *, ocr: OcrSettings | None = None) -> Document:
    """``read_document`` for bytes already in memory; ``path`` names them and finds overrides."""
    name = str(path)
    try:
        fmt, text, pages, title_hint = _extract(path, data, ocr)
        metadata = apply_overrides(guess_metadata(text, path, title_hint), path)
    except IngestError:
        raise
    except MemoryError as exc:
        raise ExtractionLimit(name, "ran out of memory while reading it",
                              "Split or simplify the file.") from exc
    except RecursionError as exc:
        raise CorruptDocument(name, "damaged file (structure nested too deeply)",
                              "Re-save or re-export the file.") from exc
    except Exception as exc:  # a parser's own failure on a damaged file
        raise CorruptDocument(name, f"could not be read ({type(exc).__name__}: {exc})",
                              "Re-save or re-export the file, or download it again.") from exc
    return Document(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        text=text,
        pages=pages,
        metadata=metadata,
    )


def _whole(text: str) -> tuple[Page, ...]:
    return (Page(number=1, start_char=0, end_char=len(text)),)


def _extract(path: Path, data: bytes, ocr: OcrSettings | None) -> tuple[str, str, tuple[Page, ...], str | None]:
    """Return ``(format, text, pages, title_hint)``."""
    name = str(path)
    if not data:
        raise UnsupportedFormat(name, "empty file", "Nothing to index; remove it or replace it.")
    suffix = path.suffix.lower()
    fmt = sniff(data, name, suffix)
    if fmt == "pdf":
        from minutebook.ingest.pdf import extract_pdf

        text, pages = extract_pdf(data, name, ocr)
        return fmt, text, pages, None
    if fmt == "docx":
        from minutebook.ingest.docx import extract_docx

        text, title = extract_docx(data, name)
        if not text.strip():
            raise UnsupportedFormat(name, "a Word document with no text", "Nothing to index.")
        return fmt, text, _whole(text), title
    if fmt == "html":
        from minutebook.ingest.html import extract_html, is_error_page

        text, title = extract_html(data)
        if is_error_page(text, title):
            reason = "an HTML page with no paper text"
            if suffix == ".pdf":
                reason = f"not a PDF: {reason}"
            if title:
                reason = f"{reason} ({title[:80]})"
            raise UnsupportedFormat(name, reason,
                                    "It is probably a web error page saved by mistake; download the paper again.")
        return fmt, text, _whole(text), title

    from minutebook.ingest.text import decode_text

    try:
        text, _encoding = decode_text(data, name)
    except UnsupportedFormat as exc:
        if suffix == ".pdf" and exc.reason == "binary data, not text":
            raise CorruptDocument(name, "damaged PDF (no %PDF- header)",
                                  "Download the paper again.") from exc
        raise
    if not text.strip():
        raise UnsupportedFormat(name, "a text file with only blank space", "Nothing to index.")
    if suffix == ".pdf" and len(text.split()) < 20:
        # A few words named .pdf is a failed download, not a paper saved as text.
        raise CorruptDocument(name, "damaged PDF (no %PDF- header)", "Download the paper again.")
    return fmt, text, _whole(text), None
