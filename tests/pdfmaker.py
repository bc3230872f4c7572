"""Write small, valid text PDFs by hand, so tests need no PDF-writing library.

Each page gets one content stream drawing its lines in Helvetica; the cross-reference
table carries the real byte offset of every object.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def _escape(text: str) -> bytes:
    raw = text.encode("latin-1")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: Sequence[str]) -> bytes:
    if not lines:
        return b""
    ops = [b"BT", b"/F1 12 Tf", b"14 TL", b"72 720 Td"]
    for i, line in enumerate(lines):
        if i:
            ops.append(b"T*")
        ops.append(b"(" + _escape(line) + b") Tj")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def make_pdf(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF with one page per item of ``pages``, each item the lines drawn on that page.

    An empty list of lines gives a page with an empty content stream (no text at all).
    """
    objects: list[bytes] = []
    page_count = len(pages)
    first_page = 4  # 1 catalog, 2 page tree, 3 font, then page/content pairs
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(page_count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {page_count} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        content_number = first_page + 2 * i + 1
        objects.append(
            (
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_number} 0 R >>"
            ).encode()
        )
        stream = _content(lines)
        objects.append(
            f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"endstream"
        )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return bytes(out)


def write_pdf(path: Path, pages: Sequence[Sequence[str]]) -> Path:
    """Write ``make_pdf(pages)`` to ``path`` and return the path."""
    path.write_bytes(make_pdf(pages))
    return path


def scanned_pdf(source: Path, scan: Sequence[int] | None = None, dpi: int = 150) -> bytes:
    """``source`` with pages rendered to images, as a scanner would give them.

    ``scan`` lists the 0-based pages to replace by an image of themselves (None: every page);
    the others keep their text layer. The image pages have no text at all.
    """
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source)
    out = pdfium.PdfDocument.new()
    try:
        chosen = set(range(len(src)) if scan is None else scan)
        for index in range(len(src)):
            if index not in chosen:
                out.import_pages(src, [index])
                continue
            page = src[index]
            width, height = page.get_size()
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            new = out.new_page(width, height)
            image = pdfium.PdfImage.new(out)
            image.set_bitmap(bitmap)
            image.set_matrix(pdfium.PdfMatrix().scale(width, height))
            new.insert_obj(image)
            new.gen_content()
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        src.close()
