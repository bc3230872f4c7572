"""PDF text with page numbers, through pdfium.

Pages are joined with a form feed so that ``Page.start_char``/``end_char`` slice the
document text exactly and a passage can say which page it came from.
"""

from __future__ import annotations

import re
import threading
import warnings
from typing import TYPE_CHECKING

from minutebook.errors import CorruptDocument, EncryptedDocument, NoTextLayer
from minutebook.types import Page

if TYPE_CHECKING:
    import pypdfium2

PAGE_SEPARATOR = "\f"
# Control characters pdfium may emit; \x02 marks a hyphen it removed at a line end.
_CONTROLS = re.compile(r"[\x00\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MIN_LETTERS_PER_PAGE = 10

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


def extract_pdf(data: bytes, path: str) -> tuple[str, tuple[Page, ...]]:
    """Return the PDF's text (pages joined by form feeds) and one Page per PDF page.

    Raises EncryptedDocument, CorruptDocument, or NoTextLayer when the pages carry
    (almost) no text, as with a scan that was never put through OCR.
    """
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK, warnings.catch_warnings():
        # pdfium warns about unsupported features (XFA forms); the text is still there.
        warnings.simplefilter("ignore", pdfium.PdfiumWarning)
        document = _open(data, path)
        try:
            page_texts: list[str] = []
            for index in range(len(document)):
                try:
                    page = document[index]
                except pdfium.PdfiumError as exc:
                    raise CorruptDocument(
                        path, f"damaged PDF (page {index + 1}: {exc})", _CORRUPT_HINT
                    ) from exc
                try:
                    textpage = page.get_textpage()
                    try:
                        page_texts.append(_clean(textpage.get_text_bounded()))
                    finally:
                        textpage.close()
                except pdfium.PdfiumError as exc:
                    raise CorruptDocument(
                        path, f"damaged PDF (page {index + 1}: {exc})", _CORRUPT_HINT
                    ) from exc
                finally:
                    page.close()
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
        raise NoTextLayer(
            path,
            "no text layer (scanned?)",
            "Run OCR on it (for example with ocrmypdf) and index the searchable copy.",
        )

    pages: list[Page] = []
    offset = 0
    for number, text in enumerate(page_texts, start=1):
        pages.append(Page(number=number, start_char=offset, end_char=offset + len(text)))
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(page_texts), tuple(pages)
