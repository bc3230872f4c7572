"""PDF text with page numbers, through pdfium.

Pages are joined with a form feed so that ``Page.start_char``/``end_char`` slice the
document text exactly and a passage can say which page it came from. Each page is read
from its text layer or, when it is a scanned image, by OCR (``ingest.ocr``); ``Page.source``
says which.
"""

from __future__ import annotations

import re
import threading
import warnings
from typing import TYPE_CHECKING

from minutebook.errors import CorruptDocument, EncryptedDocument, NoTextLayer
from minutebook.ingest.ocr import (
    OcrPageFailed,
    OcrSettings,
    OcrUnavailable,
    PageImage,
    missing_reason,
    observe,
    recognise,
)
from minutebook.types import Page

if TYPE_CHECKING:
    import pypdfium2

PAGE_SEPARATOR = "\f"
# Control characters pdfium may emit; \x02 marks a hyphen it removed at a line end.
_CONTROLS = re.compile(r"[\x00\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MIN_LETTERS_PER_PAGE = 10
# A page with fewer letters than this in its text layer and an image over this share of its area
# is a scan (perhaps with a stamped page number or a reference): it is read by OCR.
_OCR_BELOW_LETTERS = 40
_MIN_IMAGE_SHARE = 0.3

# pdfium is not thread-safe; a sync that reads files on worker threads must take turns here.
_PDFIUM_LOCK = threading.Lock()

_CORRUPT_HINT = "Open it in a PDF reader and save or print it to a new PDF, or download it again."


# Symbol and Wingdings glyphs land in the private use area; they are list bullets and dashes.
_SYMBOL_FONT = re.compile(r"[\uf000-\uf0ff]")
_SYMBOL_DASHES = {"\uf02d": "-", "\uf0be": "—"}


def _clean(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-")
    text = _SYMBOL_FONT.sub(lambda m: _SYMBOL_DASHES.get(m.group(0), "•"), text)
    return _CONTROLS.sub("", text)


def _open(data: bytes, path: str) -> pypdfium2.PdfDocument:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedDocument(
                path, "password-protected PDF", "Save an unprotected copy and index that instead."
            ) from exc
        raise CorruptDocument(path, f"damaged PDF ({exc})", _CORRUPT_HINT) from exc


def extract_pdf(data: bytes, path: str, ocr: OcrSettings | None = None) -> tuple[str, tuple[Page, ...]]:
    """Return the PDF's text (pages joined by form feeds) and one Page per PDF page.

    Each page is read from its text layer; a page with (almost) no text layer but an image
    on it is read by OCR (``ocr``, default: on, English, no cache) and marked ``source="ocr"``.
    An image page that OCR cannot read (not installed, turned off, timed out) is kept empty,
    ``source="unread"`` with a ``note`` saying why, and the paper keeps its other pages.

    Raises EncryptedDocument, CorruptDocument, or NoTextLayer when no page yields any text
    (a scan that could not be read by OCR here).
    """
    import pypdfium2 as pdfium

    settings = ocr or OcrSettings()
    with _PDFIUM_LOCK, warnings.catch_warnings():
        # pdfium warns about unsupported features (XFA forms); the text is still there.
        warnings.simplefilter("ignore", pdfium.PdfiumWarning)
        document = _open(data, path)
        try:
            page_texts: list[str] = []
            scanned: list[int] = []  # pages to read by OCR
            for index in range(len(document)):
                text, image = _read_page(document, index, path)
                page_texts.append(text)
                if image:
                    scanned.append(index)
            reads = _ocr_pages(document, scanned, page_texts, settings, path)
        finally:
            document.close()

    if not page_texts:
        raise CorruptDocument(path, "damaged PDF (no pages)", _CORRUPT_HINT)
    needed = max(20, _MIN_LETTERS_PER_PAGE * len(page_texts))
    letters = 0
    for text in page_texts:  # counting stops once there are enough
        letters += sum(map(str.isalnum, text))
        if letters >= needed:
            break
    if letters < needed:
        notes = {note for _source, note in reads.values() if note}
        if scanned and notes:
            raise NoTextLayer(path, f"scanned, no text layer: {'; '.join(sorted(notes))}", _scan_hint(settings))
        if scanned:
            raise NoTextLayer(path, "scanned, and OCR found no text on its pages",
                              "Check the scan is legible, or give ocr_languages the paper's languages.")
        raise NoTextLayer(
            path,
            "no text layer (scanned?)",
            "Run OCR on it (for example with ocrmypdf) and index the searchable copy.",
        )

    pages: list[Page] = []
    offset = 0
    for number, text in enumerate(page_texts, start=1):
        source, note = reads.get(number - 1, ("text", None))
        pages.append(Page(number=number, start_char=offset, end_char=offset + len(text), source=source, note=note))
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(page_texts), tuple(pages)


def _scan_hint(settings: OcrSettings) -> str:
    if not settings.enabled:
        return "Index it with OCR on (leave out --no-ocr; ocr = true in the config)."
    return "Install the OCR engine, then sync again: the paper is read again on every sync until then."


def _read_page(document: pypdfium2.PdfDocument, index: int, path: str) -> tuple[str, bool]:
    """A page's text layer, and whether it should be read by OCR instead (little text, a large image)."""
    import pypdfium2 as pdfium

    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(path, f"damaged PDF (page {index + 1}: {exc})", _CORRUPT_HINT) from exc
    try:
        textpage = page.get_textpage()
        try:
            text = _clean(textpage.get_text_bounded())
        finally:
            textpage.close()
        scanned = sum(map(str.isalnum, text)) < _OCR_BELOW_LETTERS and _has_large_image(page)
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(path, f"damaged PDF (page {index + 1}: {exc})", _CORRUPT_HINT) from exc
    finally:
        page.close()
    return text, scanned


def _has_large_image(page: pypdfium2.PdfPage) -> bool:
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    area = max(width * height, 1.0)
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) >= _MIN_IMAGE_SHARE * area:
            return True
    return False


def render_page(page: pypdfium2.PdfPage, dpi: int) -> PageImage:
    """The page as 8-bit grey pixels at ``dpi``, as OCR reads it."""
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    try:
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        buffer = memoryview(bitmap.buffer).cast("B")
        if stride == width:
            pixels = bytes(buffer[: width * height])
        else:
            pixels = b"".join(bytes(buffer[row * stride: row * stride + width]) for row in range(height))
    finally:
        bitmap.close()
    return PageImage(width=width, height=height, pixels=pixels, dpi=dpi)


def _ocr_pages(
    document: pypdfium2.PdfDocument, scanned: list[int], page_texts: list[str], settings: OcrSettings, path: str,
) -> dict[int, tuple[str, str | None]]:
    """Read the ``scanned`` pages by OCR in place in ``page_texts``; ``{index: (source, note)}``."""
    import pypdfium2 as pdfium

    reads: dict[int, tuple[str, str | None]] = {}
    unavailable = missing_reason(settings)
    for done, index in enumerate(scanned):
        if unavailable is not None:
            reads[index] = ("unread", unavailable)
            continue
        observe(done, len(scanned))
        try:
            page = document[index]
            try:
                image = render_page(page, settings.dpi)
            finally:
                page.close()
            text, _hit = recognise(image, settings)
        except pdfium.PdfiumError as exc:
            raise CorruptDocument(path, f"damaged PDF (page {index + 1}: {exc})", _CORRUPT_HINT) from exc
        except OcrUnavailable as exc:
            unavailable = exc.reason
            reads[index] = ("unread", unavailable)
            continue
        except OcrPageFailed as exc:
            reads[index] = ("unread", exc.reason)
            continue
        text = _clean(text).strip()
        # A page whose few words of text layer OCR cannot better keeps them.
        if sum(map(str.isalnum, text)) > sum(map(str.isalnum, page_texts[index])):
            page_texts[index] = text
            reads[index] = ("ocr", None)
    if scanned and unavailable is None:
        observe(len(scanned), len(scanned))
    return reads
