"""minutebook: local, offline search and cited answers over council committee papers.

The names below are the library's public API; everything else is internal and may move.
Importing this package is cheap: each name loads its module on first use, so torch, FAISS,
llama.cpp and the document readers load only when a function needs them.

    import minutebook

    settings = minutebook.load_settings()
    minutebook.sync(settings.index, [Path("papers")], minutebook.index_embedder(settings))
    with minutebook.Archive(settings) as archive:
        for hit in archive.searcher.search("caseloads", None, 5).hits:
            print(hit.title, hit.page)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # settings
    "Settings": "minutebook.config",
    "load_settings": "minutebook.config",
    # an open index, as the command line and the servers use it
    "Archive": "minutebook.service.archive",
    "open_reader": "minutebook.service.archive",
    # indexing and checking
    "sync": "minutebook.pipeline.syncer",
    "index_status": "minutebook.index.ops",
    "check_index": "minutebook.index.check",
    "read_document": "minutebook.ingest",
    # searching and answering
    "HybridSearcher": "minutebook.search.hybrid",
    "open_searcher": "minutebook.search.hybrid",
    "Ranking": "minutebook.search.ranking",
    "make_filters": "minutebook.search.query",
    "parse_query": "minutebook.search.query",
    "CitedAnswerer": "minutebook.answer.answerer",
    # models
    "default_embedder": "minutebook.models.registry",
    "index_embedder": "minutebook.models.registry",
    "MiniLMEmbedder": "minutebook.models.embed",
    "OnnxMiniLMEmbedder": "minutebook.models.embed_onnx",
    # what flows between them: file -> Document -> Chunk -> Hit -> Answer
    **dict.fromkeys(
        ("Page", "Metadata", "Document", "Chunk", "Hit", "Filters", "Progress", "FileFailure", "SyncReport",
         "Scope", "SearchResult", "Citation", "AnswerSentence", "Answer"),
        "minutebook.types",
    ),
    # the seams a caller can fill
    **dict.fromkeys(("Embedder", "Generator", "Searcher", "Answerer"), "minutebook.protocols"),
    # the errors a caller can meet
    **dict.fromkeys(
        ("MinutebookError", "UsageError", "ExtraMissing", "IngestError", "IndexMissing", "IndexMismatch",
         "IndexCorrupt", "IndexWriteFailed", "IndexLocked", "ModelMissing", "ModelChecksumMismatch",
         "ModelStopped", "QueryError"),
        "minutebook.errors",
    ),
}

__all__ = [
    "Answer",
    "AnswerSentence",
    "Answerer",
    "Archive",
    "Chunk",
    "Citation",
    "CitedAnswerer",
    "Document",
    "Embedder",
    "ExtraMissing",
    "FileFailure",
    "Filters",
    "Generator",
    "Hit",
    "HybridSearcher",
    "IndexCorrupt",
    "IndexLocked",
    "IndexMismatch",
    "IndexMissing",
    "IndexWriteFailed",
    "IngestError",
    "Metadata",
    "MiniLMEmbedder",
    "MinutebookError",
    "ModelChecksumMismatch",
    "ModelMissing",
    "ModelStopped",
    "OnnxMiniLMEmbedder",
    "Page",
    "Progress",
    "QueryError",
    "Ranking",
    "Scope",
    "SearchResult",
    "Searcher",
    "Settings",
    "SyncReport",
    "UsageError",
    "__version__",
    "check_index",
    "default_embedder",
    "index_embedder",
    "index_status",
    "load_settings",
    "make_filters",
    "open_reader",
    "open_searcher",
    "parse_query",
    "read_document",
    "sync"
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'minutebook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads them
    from minutebook.answer.answerer import CitedAnswerer
    from minutebook.config import Settings, load_settings
    from minutebook.errors import (
        ExtraMissing,
        IndexCorrupt,
        IndexLocked,
        IndexMismatch,
        IndexMissing,
        IndexWriteFailed,
        IngestError,
        MinutebookError,
        ModelChecksumMismatch,
        ModelMissing,
        ModelStopped,
        QueryError,
        UsageError,
    )
    from minutebook.index.check import check_index
    from minutebook.index.ops import index_status
    from minutebook.ingest import read_document
    from minutebook.models.embed import MiniLMEmbedder
    from minutebook.models.embed_onnx import OnnxMiniLMEmbedder
    from minutebook.models.registry import default_embedder, index_embedder
    from minutebook.pipeline.syncer import sync
    from minutebook.protocols import Answerer, Embedder, Generator, Searcher
    from minutebook.search.hybrid import HybridSearcher, open_searcher
    from minutebook.search.query import make_filters, parse_query
    from minutebook.search.ranking import Ranking
    from minutebook.service.archive import Archive, open_reader
    from minutebook.types import (
        Answer,
        AnswerSentence,
        Chunk,
        Citation,
        Document,
        FileFailure,
        Filters,
        Hit,
        Metadata,
        Page,
        Progress,
        Scope,
        SearchResult,
        SyncReport,
    )
