"""HTML pages as committee systems (ModernGov and the like) publish them.

Keeps the paper's words and drops the website around them: scripts, styles, navigation,
headers, footers, forms, cookie banners and breadcrumbs. Uses only the standard library.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

_SKIP_TAGS = frozenset(
    {"script", "style", "nav", "header", "footer", "noscript", "form", "template", "svg", "iframe",
     "select", "button", "object"}
)
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
     "track", "wbr"}
)
_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
     "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
     "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "ul", "br", "title",
     "head", "html"}
)
_NEVER_SKIP = frozenset({"html", "body", "main", "article"})
# Blocks that end a paragraph: a blank line after them, as in the plain-text papers.
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
                             "blockquote", "pre", "section", "article"})
# id/class words that mark page furniture rather than the paper.
_FURNITURE_WORDS = frozenset(
    {"nav", "navbar", "navigation", "menu", "menus", "breadcrumb", "breadcrumbs", "crumb", "crumbs",
     "cookie", "cookies", "skiplink", "sidebar", "masthead"}
)
_TOKEN_SPLIT = re.compile(r"[\s_-]+|(?<=[a-z])(?=[A-Z])")


def _is_furniture(value: str) -> bool:
    """"mgMenu", "cookie-banner", "breadcrumbs", "skip-link": page furniture by its name."""
    tokens = [t.lower() for t in _TOKEN_SPLIT.split(value) if t]
    pairs = (a + b for a, b in zip(tokens, tokens[1:], strict=False))
    return any(t in _FURNITURE_WORDS for t in tokens) or any(p in _FURNITURE_WORDS for p in pairs)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False
        self._h1_done = False
        self._pre = 0
        self._cell_index: list[int] = []

    # -- skipping furniture ------------------------------------------------------------
    def _starts_skip(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in _SKIP_TAGS:
            return True
        if tag in _NEVER_SKIP:
            return False  # <body class="has-nav"> describes the page, not a menu
        for name, value in attrs:
            if value and name in ("id", "class", "role") and (
                _is_furniture(value) or (name == "role" and value in ("navigation", "banner"))
            ):
                return True
        return False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if tag not in _VOID_TAGS and self._starts_skip(tag, attrs):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag == "h1" and not self._h1_done:
            self._in_h1 = True
        if tag == "pre":
            self._pre += 1
        if tag == "tr":
            # One line per row: a break before it, none after, so rows sit on adjacent lines.
            self._cell_index.append(0)
            self.parts.append("\n")
            return
        if tag in ("td", "th"):
            if self._cell_index:
                if self._cell_index[-1]:
                    self.parts.append(" | ")
                self._cell_index[-1] += 1
            return
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is None and tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if tag == "title":
            self._in_title = False
            return
        if tag == "h1" and self._in_h1:
            self._in_h1 = False
            self._h1_done = True
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag == "tr":
            if self._cell_index:
                self._cell_index.pop()
            return
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip_tag is not None:
            return
        if self._in_h1:
            self.h1_parts.append(data)
        if self._pre:
            self.parts.append(data)
        else:
            self.parts.append(_SPACES.sub(" ", data.replace("\n", " ")))


def _tidy(raw: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in raw.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def decode_html(data: bytes) -> str:
    """Decode HTML bytes: BOM, then the page's own <meta charset>, then UTF-8, then cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if data[:1] == b"\x00":
        return data.decode("utf-16-be", errors="replace")
    if data[1:2] == b"\x00":
        return data.decode("utf-16-le", errors="replace")
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared = match.group(1).decode("ascii", "ignore").lower()
        try:
            codecs.lookup(declared)
        except LookupError:
            pass
        else:
            if declared not in ("utf-8", "utf8"):
                # Pages that say iso-8859-1 almost always mean windows-1252 (as browsers assume).
                declared = "cp1252" if declared in ("iso-8859-1", "latin-1", "latin1", "us-ascii",
                                                   "ascii") else declared
                return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def extract_html(data: bytes) -> tuple[str, str | None]:
    """Return ``(text, title)``: the page's readable text and its <title> or first <h1>."""
    parser = _TextExtractor()
    parser.feed(decode_html(data))
    parser.close()
    text = _tidy("".join(parser.parts))
    title = " ".join("".join(parser.title_parts).split()) or " ".join("".join(parser.h1_parts).split())
    return text, title or None


_ERROR_TITLE = re.compile(
    r"\b(?:not found|page not found|404|403|410|500|error|no longer (?:exists|available)|"
    r"access denied|forbidden|unavailable|sign in|log in)\b",
    re.I,
)


def is_error_page(text: str, title: str | None) -> bool:
    """True for a web error page or an empty shell: nothing a committee paper would say."""
    words = len(text.split())
    if words < 20:
        return True
    return words < 250 and bool(_ERROR_TITLE.search(title or ""))
