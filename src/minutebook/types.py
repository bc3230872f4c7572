"""Value objects that cross module boundaries.

Data flows one way: file -> Document -> Chunk -> stored rows + vectors -> Hit -> Answer.
Every object here is frozen; modules exchange these and nothing looser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOC_TYPES = ("minutes", "agenda", "report", "letter", "other")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a document's extracted text: ``text[start_char:end_char]``."""

    number: int  # 1-based, as printed on the paper where known
    start_char: int
    end_char: int
    # How its text was read: "text" (its text layer), "ocr" (recognised from the page image, so it
    # may hold recognition errors) or "unread" (an image page that could not be read; see note).
    source: str = "text"
    note: str | None = None  # why an image page is unread, e.g. "needs OCR: install tesseract-ocr"


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a paper is: guessed from its text and name, overridden by a sidecar or manifest."""

    title: str
    council: str | None = None
    committee: str | None = None
    meeting_date: str | None = None  # ISO 8601 date, yyyy-mm-dd
    doc_type: str = "other"  # one of DOC_TYPES
    # What a manifest says beyond these ("overall_effectiveness_grade", "inadequate"), sorted by name.
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A paper as the indexer sees it: its full extracted text, pages and metadata.

    ``text`` is the decoded file text for .txt/.md (so offsets index the file exactly),
    and the extracted text for PDF, DOCX and HTML, pages joined with form feeds.
    """

    path: str
    sha256: str
    format: str  # pdf, docx, html, txt, md
    text: str
    pages: tuple[Page, ...]
    metadata: Metadata

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page_at(self, offset: int) -> int | None:
        """The page number holding character ``offset``, or None for unpaged text."""
        if len(self.pages) <= 1:
            return self.pages[0].number if self.pages else None
        for page in self.pages:
            if page.start_char <= offset < page.end_char:
                return page.number
        return self.pages[-1].number


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage: ``document.text[start_char:end_char] == text``."""

    ordinal: int
    text: str
    start_char: int
    end_char: int
    page: int | None = None
    section: str | None = None  # the heading the passage sits under
    minute: str | None = None  # minute, item or paragraph number, e.g. "7.4", "266"
    boilerplate: bool = False  # visitor notes, running headers, page furniture
    speaker: str | None = None  # in a verbatim record, who is speaking where the passage begins
    ocr: bool = False  # some of its text was recognised from a page image (may hold recognition errors)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a passage with where it came from and how relevant it is."""

    chunk_id: int
    doc_id: int
    score: float  # 0..1, comparable across queries; see search.WEAK_SCORE
    path: str
    title: str
    council: str | None
    committee: str | None
    date: str | None
    doc_type: str
    page: int | None
    section: str | None
    minute: str | None
    start_char: int
    end_char: int
    text: str
    boilerplate: bool = False
    keyword_rank: int | None = None
    dense_rank: int | None = None
    ocr: bool = False  # the passage was recognised from a scanned page: the quote may hold recognition errors
    attributes: tuple[tuple[str, str], ...] = ()  # the paper's manifest attributes (Metadata.attributes)


@dataclass(frozen=True, slots=True)
class Passage:
    """An indexed passage with its paper's fields, as an index's read view returns it for ranking."""

    chunk_id: int
    doc_id: int
    ordinal: int  # its place in the paper: adjacent passages differ by one
    start_char: int
    end_char: int
    page: int | None
    section: str | None
    minute: str | None
    boilerplate: bool
    text: str
    path: str
    title: str
    council: str | None
    committee: str | None
    date: str | None  # the meeting date, ISO 8601
    doc_type: str
    ocr: bool = False  # recognised from a scanned page


@dataclass(frozen=True, slots=True)
class Condition:
    """A test on a paper attribute, as ``--where`` takes it: ``overall_effectiveness_grade=inadequate``.

    ``op`` is one of ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``; ``name`` and ``value`` are normalised
    (``minutebook.ingest.attributes``).
    """

    name: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions applied before ranking."""

    committee: str | None = None
    council: str | None = None
    doc_type: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    speaker: str | None = None  # a name or title the minutes attribute passages to (substring, any case)
    role: str | None = None  # member | officer | cabinet
    paper: str | None = None  # one paper: its id (as search results give it) or its file's path
    where: tuple[Condition, ...] = ()  # every one must hold for the paper's attributes


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a long job, for a progress bar in the CLI or the TUI."""

    stage: str  # "scan", "extract", "ocr" (scanned pages read / found so far), "embed", "commit", "done"
    done: int
    total: int
    path: str | None = None


@dataclass(frozen=True, slots=True)
class FileFailure:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync did, file by file."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved: tuple[tuple[str, str], ...] = ()  # (old path, new path)
    unchanged: tuple[str, ...] = ()
    failed: tuple[FileFailure, ...] = ()
    chunks_embedded: int = 0
    chunks_reused: int = 0
    seconds: float = 0.0
    ocr_pages: int = 0  # scanned pages read by OCR (or from its cache) in this sync
    notices: tuple[FileFailure, ...] = ()  # papers indexed without some pages, and why
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scope:
    """What a query names that says where or when to look: councils (as the index names them) and years."""

    councils: tuple[str, ...] = ()
    years: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked passages for a query. ``weak`` says nothing relevant was found; ``notice`` says how
    the query was read when not as typed (a quoted phrase no passage holds)."""

    query: str
    weak: bool
    hits: tuple[Hit, ...]
    scope: Scope = Scope()
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """Source ``[n]`` of an answer."""

    n: int
    hit: Hit
    quote: str


@dataclass(frozen=True, slots=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    supported: bool
    reason: str | None = None  # why the checker could not support it


@dataclass(frozen=True, slots=True)
class Answer:
    """A cited answer. ``mode`` is "extractive", "generated" or "not_covered".

    ``fallback`` says why a model answer was asked for and a quoted one is shown instead
    ("model_stopped", "nothing_supported"); ``notice`` is the one line that tells the reader.
    """

    question: str
    mode: str
    text: str
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    weak: bool
    model: str | None = None
    fallback: str | None = None
    notice: str | None = None
