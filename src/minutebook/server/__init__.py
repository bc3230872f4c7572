"""minutebook as a service: an HTTP/JSON API (``minutebook serve``) and an MCP server (``minutebook mcp``).

Both answer with the JSON the CLI writes (``minutebook.service.results``), read the index read-only,
and lend each request one of a few open archives, so one slow request never holds up another.
"""

from __future__ import annotations

from minutebook.errors import ExtraMissing, require_extra

__all__ = ["ExtraMissing", "require"]


def require(*modules: str, extra: str = "serve") -> None:
    """Raise ExtraMissing naming ``minutebook[serve]`` when any of ``modules`` is absent."""
    require_extra(extra, *modules)
