"""Page furniture in a sentence: text that is on the paper but answers nothing.

Copyright and licence lines, contact details, "Report published …", inspection date lines,
contents lists with dot leaders and page numbers, and running headers (the paper's own
title repeated at the top of a page) are never quoted as an answer.
"""

from __future__ import annotations

import re

from minutebook.text.words import fold
from minutebook.types import Hit

_FURNITURE = re.compile(
    r"""
      ©|\bcrown\ copyright\b|\bcopyright\b|\ball\ rights\ reserved\b
    | \bopen\ government\ licen[cs]e\b|\breuse\ this\ information\b|\bnationalarchives\b
    | \breport\ published\b|\bpublished:\s|\bdate\ of\ publication\b|\bdate\ of\ issue\b
    | \binspection\ dates?:|\blead\ inspector:|\breference\ no\b|\burn:\s
    | \b(?:tel|telephone|phone|fax|e-?mail|textphone|minicom)\s*:|\b[\w.+-]+@[\w-]+\.[\w.]+
    | \bwww\.|https?://|\.gov\.uk\b|\.org\.uk\b
    | \bpiccadilly\ gate\b|\bstore\ street\b|\bm1\ 2wd\b|\bfollow\ us\ on\b
    | \bthis\ (?:publication|document|report)\ is\ available\b|\bif\ you\ would\ like\ a\ copy\b
    | \bregulates\ and\ inspects\ to\ achieve\ excellence\b|\bofsted\ will\ be\ pleased\b
    | \bin\ an\ alternative\ format\b|\bto\ receive\ regular\ email\ alerts\b
    | ^\W*(?:table\ of\ )?contents\b
    | (?:\.\s?){4,}|…{2,}|_{4,}
    """,
    re.IGNORECASE | re.VERBOSE,
)
_PAGE_REFS = re.compile(r"(?:\b\d{1,3}\b\D{0,40}){4,}$")  # "Introduction 2 Summary 3 Findings 5 …"


def _flat(text: str) -> str:
    return " ".join(fold(text).split()).lower()


def is_furniture(sentence: str, hit: Hit | None = None) -> bool:
    """Whether ``sentence`` (from ``hit``) is page furniture rather than something the paper says."""
    if _FURNITURE.search(fold(sentence)):
        return True
    flat = _flat(sentence)
    if hit is not None and hit.title:
        title = _flat(hit.title).rstrip("…")
        # A running header: the paper's title again, with a date or page number after it.
        if len(title) >= 12 and flat.startswith(title[: max(12, len(title) - 2)]):
            rest = flat[len(title):]
            if len(rest.split()) <= 8:
                return True
    words = flat.split()
    # A contents list flattened into one "sentence".
    return len(words) >= 8 and bool(_PAGE_REFS.search(flat)) and sum(w.isdigit() for w in words) * 4 >= len(words)
