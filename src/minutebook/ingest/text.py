"""Plain text and Markdown: decode the bytes, and change nothing else.

``Document.text`` for these formats is exactly the decoded file, so every character
offset the index stores points at the same character in the file a person opens.
"""

from __future__ import annotations

import codecs
import unicodedata

from minutebook.errors import UnsupportedFormat

_BINARY_HINT = "minutebook reads PDF, DOCX, HTML, plain text and Markdown."
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a")  # \x1a: old DOS end-of-file marker


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(
        1
        for ch in sample
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
    )
    return bad / len(sample)


def _looks_like_text(text: str) -> bool:
    """Few control characters, and not mostly accented letters or symbols."""
    if _control_ratio(text) > 0.005:
        return False
    sample = text[:20000]
    non_ascii = sum(1 for ch in sample if ord(ch) > 127)
    return not sample or non_ascii / len(sample) < 0.3


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 from the zero bytes that ASCII text leaves at every other position."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even_zero = sample[0::2].count(0) / (len(sample) / 2)
    odd_zero = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zero > 0.6 and even_zero < 0.05:
        encoding = "utf-16-le"
    elif even_zero > 0.6 and odd_zero < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """Decode file bytes to text; returns ``(text, encoding)``.

    Order: byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32), strict UTF-8, Windows-1252 when
    the result reads like text, then charset_normalizer's best guess. Raises
    UnsupportedFormat("binary data, not text") when none of these gives text.
    """
    if not data:
        raise UnsupportedFormat(path, "empty file", "Nothing to index; remove it or replace it.")
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                break  # a BOM followed by junk: fall through to the binary checks
            if _control_ratio(text) > 0.01:
                break
            return text, encoding

    if b"\x00" in data:
        text16 = _utf16_without_bom(data)
        if text16 is not None and _looks_like_text(text16):
            return text16, "utf-16"
        raise UnsupportedFormat(path, "binary data, not text", _BINARY_HINT)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_ratio(text) > 0.01:
            raise UnsupportedFormat(path, "binary data, not text", _BINARY_HINT)
        return text, "utf-8"

    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            return text, "cp1252"

    from charset_normalizer import from_bytes  # only for the rare file the above cannot read

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        decoded: str | None
        try:
            decoded = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            decoded = None
        if decoded is not None and _looks_like_text(decoded):
            return decoded, best.encoding
    raise UnsupportedFormat(path, "binary data, not text", _BINARY_HINT)
