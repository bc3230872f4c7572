"""Decide what a file really is from its first bytes; the file name only breaks ties.

Councils' websites hand out HTML error pages saved as ``.pdf`` and Word files renamed to
anything, so the extension is a hint, never the answer.
"""

from __future__ import annotations

import io
import re
import zipfile

from minutebook.errors import CorruptDocument, UnsupportedFormat

CANDIDATE_SUFFIXES = frozenset({".pdf", ".docx", ".html", ".htm", ".txt", ".md", ".markdown"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Where an HTML document may begin once whitespace, BOM and comments are skipped.
_HTML_START = re.compile(rb"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.msg


def _strip_bom(data: bytes) -> bytes:
    for bom in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :]
    return data


def looks_like_html(data: bytes) -> bool:
    """True when the bytes begin like an HTML page (doctype, <html> or <head>)."""
    head = _strip_bom(data[:4096])
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        # UTF-16 HTML: compare on the ASCII bytes only.
        head = head.replace(b"\x00", b"")
    return bool(_HTML_START.match(head.lstrip()))


def _zip_kind(data: bytes) -> str:
    """'docx' for a Word document, 'zip' for another archive, 'broken' if unreadable."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return "broken"
    return "docx" if "word/document.xml" in names else "zip"


def sniff(data: bytes, path: str, suffix: str) -> str:
    """Return the format of ``data``: one of pdf, docx, html, txt, md.

    Raises UnsupportedFormat for archives and binary formats we do not read, and
    CorruptDocument for a Word file that is not a valid zip.
    """
    suffix = suffix.lower()
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kind = _zip_kind(data)
        if kind == "docx":
            return "docx"
        if kind == "broken" and suffix == ".docx":
            raise CorruptDocument(
                path,
                "damaged DOCX (not a valid zip)",
                "Open it in Word and save it again, or download it again.",
            )
        raise UnsupportedFormat(
            path,
            "a zip archive, not a Word document" if kind == "zip" else "a damaged zip archive",
            "Unpack it and index the papers inside.",
        )
    if data.startswith(_OLE_MAGIC):
        raise UnsupportedFormat(
            path,
            "an old Office file (.doc/.xls), not DOCX or PDF",
            "Save it as .docx or PDF and index that.",
        )
    if looks_like_html(data):
        return "html"
    if suffix == ".docx":
        raise CorruptDocument(
            path,
            "damaged DOCX (not a valid zip)",
            "Open it in Word and save it again, or download it again.",
        )
    return "md" if suffix in MARKDOWN_SUFFIXES else "txt"
