"""The read-only operations a service offers, each over one borrowed archive.

Every operation takes the request's parameters as a mapping, checks them (``requests``), and
returns the JSON value the matching CLI command writes (``minutebook.service.results``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minutebook.config import Settings
from minutebook.errors import MinutebookError
from minutebook.server import requests as rq
from minutebook.server.requests import FILTERS, Limits
from minutebook.service import results
from minutebook.service.archive import Archive

Params = Mapping[str, object]


class PassageNotFound(MinutebookError):
    """No passage has that id (a sync may have replaced it): search again."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    run: Callable[[Archive, Params, Limits], Any]
    params: tuple[str, ...]
    uses_llm: Callable[[Settings, Params], bool] = lambda settings, values: False


def _search(archive: Archive, values: Params, limits: Limits) -> dict[str, Any]:
    query = rq.text(values, "query", limits)
    assert query is not None
    k = rq.top_k(values, limits) or archive.settings.top_k
    return results.search_json(archive.searcher, query, rq.filters(values), k)


def _wants_llm(settings: Settings, values: Params) -> bool:
    choice = rq.flag(values, "llm")
    return settings.llm if choice is None else choice


def _ask(archive: Archive, values: Params, limits: Limits) -> dict[str, Any]:
    question = rq.text(values, "question", limits)
    assert question is not None
    return results.ask_json(archive, question, rq.filters(values), llm=_wants_llm(archive.settings, values),
                            top_k=rq.top_k(values, limits))


def _decisions(archive: Archive, values: Params, limits: Limits) -> dict[str, Any]:
    query = rq.text(values, "query", limits, required=False)
    return results.decisions_json(archive, query, rq.filters(values), rq.kinds(values), rq.top_k(values, limits))


def _timeline(archive: Archive, values: Params, limits: Limits) -> dict[str, Any]:
    query = rq.text(values, "query", limits)
    assert query is not None
    return results.timeline_json(archive.searcher, query, rq.filters(values), rq.top_k(values, limits))


def _status(archive: Archive, values: Params, limits: Limits) -> dict[str, Any]:
    return results.status_json(archive, documents=bool(rq.flag(values, "documents")))


def _passage(archive: Archive, values: Params, limits: Limits) -> dict[str, Any]:
    raw = values.get("chunk_id")
    try:
        chunk_id = int(str(raw))
    except ValueError:
        raise rq.UsageError(f"chunk_id must be a whole number, not {raw!r}") from None
    found = results.passage_json(archive, chunk_id)
    if found is None:
        raise PassageNotFound(f"no passage {chunk_id} in the index",
                              "Passage ids change when a paper is re-indexed: search again for a current one.")
    return found


OPERATIONS: dict[str, Operation] = {
    op.name: op for op in (
        Operation("search", _search, ("query", "top_k", *FILTERS)),
        Operation("ask", _ask, ("question", "llm", "top_k", *FILTERS), _wants_llm),
        Operation("decisions", _decisions, ("query", "kind", "top_k", *FILTERS)),
        Operation("timeline", _timeline, ("query", "top_k", *FILTERS)),
        Operation("status", _status, ("documents",)),
        Operation("passage", _passage, ("chunk_id",)),
    )
}


def run(op: Operation, archive: Archive, values: Params, limits: Limits) -> Any:
    """Check the parameter names, then run ``op``."""
    rq.check_names(values, op.params)
    try:
        return op.run(archive, values, limits)
    except Exception as exc:  # a damaged or unwritable index is the caller's to hear about, not a bug
        from minutebook.index.sqlite.failures import index_failure

        failure = index_failure(archive.settings.index, exc) if isinstance(archive.settings.index, Path) else None
        if failure is None:
            raise
        raise failure from exc
