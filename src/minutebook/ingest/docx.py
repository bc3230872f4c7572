"""Word documents: paragraphs and tables in the order they appear.

A DOCX has no fixed pages, so the whole text is one page. The zip is checked before
python-docx opens it, because a small file can declare gigabytes of XML.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from minutebook.errors import CorruptDocument, ExtractionLimit

if TYPE_CHECKING:
    from docx.table import Table

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes of XML and media we agree to inflate
MAX_RATIO = 200  # real Word XML compresses 5-30x; far beyond that is a zip bomb
_RATIO_FLOOR = 10 * 1024 * 1024  # small files may compress absurdly well (runs of spaces)

_CORRUPT_HINT = "Open it in Word and save it again, or download it again."


def check_zip_limits(data: bytes, path: str) -> None:
    """Refuse a DOCX whose declared uncompressed size is too large or implausibly compressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise CorruptDocument(path, "damaged DOCX (not a valid zip)", _CORRUPT_HINT) from exc
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise ExtractionLimit(
            path,
            f"DOCX would expand to {total // (1024 * 1024)} MB (limit {MAX_UNCOMPRESSED // (1024 * 1024)} MB)",
            "This looks like a zip bomb or an oversized file; it was not opened.",
        )
    if total > _RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
        raise ExtractionLimit(
            path,
            f"DOCX compression ratio {total // max(packed, 1)}:1 is not plausible (zip bomb?)",
            "It was not opened. Re-save the document from Word if it is genuine.",
        )


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; keep it once.
            if any(cell._tc is other for other in seen):
                continue
            seen.append(cell._tc)
            cell_text = " ".join(cell.text.split())
            cells.append(cell_text)
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def extract_docx(data: bytes, path: str) -> tuple[str, str | None]:
    """Return ``(text, title)``: blocks separated by blank lines, tables as " | " rows.

    The title is the document's own Title property when it has one.
    """
    check_zip_limits(data, path)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocument(path, f"damaged DOCX ({exc})", _CORRUPT_HINT) from exc

    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            lines = _table_lines(item)
            if lines:
                blocks.append("\n".join(lines))
            continue
        text = item.text.replace("\r", "\n").strip()
        if text:
            blocks.append(text)
    title = (document.core_properties.title or "").strip() or None
    return "\n\n".join(blocks), title
