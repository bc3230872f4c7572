"""What a request may ask, checked: the same names and rules over HTTP, MCP and ``search --queries``.

Values come as strings from a query string or typed from a JSON body or a tool call; both
are accepted. A bad value is a ``UsageError`` naming the parameter, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from minutebook.errors import UsageError
from minutebook.types import Filters

FILTERS = ("committee", "council", "type", "doc_type", "since", "until", "speaker", "role", "where")
KINDS = ("resolution", "recommendation", "action")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may ask of the server."""

    max_body_bytes: int = 64 * 1024  # a JSON request body
    max_query_chars: int = 1_000  # a query or question
    max_top_k: int = 100  # passages (or decisions) in one answer
    timeout: float = 30.0  # seconds for a search, decisions, timeline, status or passage
    llm_timeout: float = 300.0  # seconds for an answer written by the local model
    wait: float = 10.0  # seconds to wait for a free reader before answering "busy"


def check_names(values: Mapping[str, object], allowed: Sequence[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise UsageError(f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
                         f"Known here: {', '.join(allowed)}.")


def text(values: Mapping[str, object], name: str, limits: Limits, *, required: bool = True) -> str | None:
    """A query or question: a non-empty string of at most ``limits.max_query_chars``."""
    value = values.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise UsageError(f"{name} is missing", f'Give one, e.g. {name}=caseloads.')
        return None
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string")
    if len(value) > limits.max_query_chars:
        raise UsageError(f"{name} is {len(value)} characters long; at most {limits.max_query_chars} are read",
                         "Ask a shorter question.")
    return value


def top_k(values: Mapping[str, object], limits: Limits) -> int | None:
    """``top_k`` between 1 and ``limits.max_top_k``, or None for the command's default."""
    raw = values.get("top_k")
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise UsageError("top_k must be a whole number")
    try:
        k = int(raw) if isinstance(raw, (int, str)) else int(str(raw))
    except ValueError:
        raise UsageError(f"top_k must be a whole number, not {raw!r}") from None
    if not 1 <= k <= limits.max_top_k:
        raise UsageError(f"top_k must be between 1 and {limits.max_top_k}, not {k}")
    return k


def flag(values: Mapping[str, object], name: str) -> bool | None:
    """A yes/no parameter: true/false, 1/0, yes/no, on/off; None when not given."""
    raw = values.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise UsageError(f"{name} must be true or false, not {raw!r}")


def kinds(values: Mapping[str, object]) -> tuple[str, ...]:
    """``kind``: one kind of decision, a comma-separated list, or a JSON list of them."""
    raw = values.get("kind")
    if raw is None or raw == "":
        return ()
    items = raw if isinstance(raw, list) else str(raw).split(",")
    out = tuple(str(k).strip() for k in items if str(k).strip())
    bad = [k for k in out if k not in KINDS]
    if bad:
        raise UsageError(f"unknown kind {bad[0]!r}", f"Use one of: {', '.join(KINDS)}.")
    return out


def filters(values: Mapping[str, object]) -> Filters:
    """The filters applied before ranking, checked as the CLI checks its flags."""
    from minutebook.search.query import make_filters

    def opt(name: str) -> str | None:
        value = values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise UsageError(f"{name} must be a string")
        return value

    where = values.get("where")
    if where is not None and where != "" and not (isinstance(where, str) or (
            isinstance(where, list) and all(isinstance(w, str) for w in where))):
        raise UsageError("where must be a string such as overall_effectiveness_grade=inadequate, or a list of them")
    return make_filters(opt("committee"), opt("council"), opt("type") or opt("doc_type"), opt("since"),
                        opt("until"), opt("speaker"), opt("role"),
                        where=where or None)
