"""Text from papers and file names, made safe to show on a terminal.

A paper, a title or a file name can hold anything: ``ESC[2J`` (clear the screen),
``ESC]0;…BEL`` (retitle the window), OSC 8 hyperlinks, colour codes, C1 controls such as
CSI (U+009B), or bidirectional overrides (U+202E) that reorder what is shown. Every text
renderer (the command line and the app) passes such text through ``visible`` or
``one_line``; JSON output keeps the data as it is (``json_safe`` only spells the few
characters a terminal could act on as ``\\uXXXX`` escapes, which parse to the same string).
"""

from __future__ import annotations

# C0 controls become their Unicode "control picture" (␛ for ESC); newline and tab stay.
_VISIBLE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"}
_VISIBLE[0x0D] = ""  # carriage returns from CRLF files
_VISIBLE[0x0C] = "\n"  # form feeds join pages in extracted PDF text
_VISIBLE[0x7F] = "␡"
_VISIBLE.update({code: f"\\x{code:02x}" for code in range(0x80, 0xA0)})  # C1 controls, e.g. CSI \x9b
# Bidirectional embeddings, overrides and isolates can reorder what is shown: show their escapes.
BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_VISIBLE.update({code: f"\\u{code:04x}" for code in BIDI_CONTROLS})
# Line and paragraph separators end a line on some terminals.
_VISIBLE.update({0x2028: "\\u2028", 0x2029: "\\u2029"})

_ONE_LINE = {**_VISIBLE, 0x0A: "␊", 0x0C: "␌", 0x0D: "␍", 0x09: " "}

# Characters a JSON encoder leaves raw (with ensure_ascii=False) that a terminal could act on.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0), *BIDI_CONTROLS, 0x2028, 0x2029)}


def visible(text: str) -> str:
    """``text`` with every control character replaced by a visible form (newlines and tabs kept)."""
    return text.translate(_VISIBLE)


def one_line(text: str) -> str:
    """``text`` for a one-line field (a file name, a title): newlines shown as ␊, not obeyed."""
    return text.translate(_ONE_LINE)


def json_safe(encoded: str) -> str:
    """A JSON document with DEL, C1 controls, bidi controls and line separators written as ``\\uXXXX``.

    Those characters can only occur inside JSON strings, so the parsed value is unchanged.
    """
    return encoded.translate(_JSON_ESCAPES)
