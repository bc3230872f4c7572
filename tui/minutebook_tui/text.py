"""Text from papers, shown as text: never parsed as markup, never sent to the terminal raw.

Papers can contain anything: ``[bold]`` or ``[@click=app.quit]`` (Rich/Textual markup) and
escape sequences such as ``\\x1b[31m``. Everything the app shows from a paper goes through
``literal``, which builds a ``rich.text.Text`` (never markup) and turns control characters
into visible symbols with ``minutebook.text.safe_text.visible``, the sanitiser the command line uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from minutebook.text.safe_text import visible

__all__ = ["line", "literal", "visible"]

StyleLike = str | Style


def literal(text: str, marks: Sequence[tuple[int, int, StyleLike]] = (), style: StyleLike = "") -> Text:
    """``text`` as a Rich ``Text``, with ``(start, end, style)`` marks applied, shown literally.

    Marks may overlap; later ones win. Offsets index ``text`` as given (before cleaning).
    """
    cuts = sorted({0, len(text), *(p for s, e, _ in marks for p in (max(0, s), min(len(text), e)))})
    out = Text(style=style, no_wrap=False, end="")
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        styles = [Style.parse(st) if isinstance(st, str) else st for s, e, st in marks if s <= a and b <= e]
        out.append(visible(text[a:b]), style=Style.combine(styles) if styles else None)
    return out


def line(*parts: tuple[str, StyleLike] | str) -> Text:
    """A one-line ``Text`` from plain strings and ``(text, style)`` pairs, each shown literally."""
    out = Text(end="")
    for part in parts:
        if isinstance(part, tuple):
            out.append(visible(part[0]).replace("\n", " "), style=part[1] or None)
        else:
            out.append(visible(part).replace("\n", " "))
    return out
