"""minutebook as a service: an HTTP/JSON API (``minutebook serve``) and an MCP server (``minutebook mcp``).

Both answer with the JSON the CLI writes (``minutebook.service.results``), read the index read-only,
and lend each request one of a few open archives, so one slow request never holds up another.
"""

from __future__ import annotations

import importlib.util

from minutebook.errors import MinutebookError


class ExtraMissing(MinutebookError):
    """A part of minutebook that needs packages not installed."""


def require(*modules: str, extra: str = "serve") -> None:
    """Raise ExtraMissing naming the install command when any of ``modules`` is absent."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ExtraMissing(f"this needs {', '.join(missing)}, which is not installed",
                           f"Install it with: pip install 'minutebook[{extra}]'")
