"""`minutebook serve`: the CLI's JSON over HTTP, on Starlette and uvicorn.

    GET  /search?query=caseloads&council=Devon&top_k=5     (or POST a JSON object)
    GET  /search?query=care+leavers&where=overall_effectiveness_grade%3Dinadequate   (repeat where for each test)
    GET  /ask?question=...&llm=false
    GET  /decisions?query=...&kind=action
    GET  /timeline?query=...
    GET  /status?documents=true
    GET  /passages/{chunk_id}
    GET  /health

Parameters are the CLI's flags by name (``type``, ``since``, ``until``, ``top_k`` ...). A body
is the same names as one JSON object. The HTTP status follows the CLI's exit code: 200 for 0,
400 for a bad request (2), 503 when the index or a model cannot be used (3, 4) or every reader
is busy (75, with Retry-After), 500 for anything else; 404 for an unknown passage, 413 for a
body over the limit, 504 when a request outlasts its time. Errors are
``{"error": message, "hint": ..., "exit_code": n}``.

Each request runs in a worker thread on a borrowed archive, so the event loop only moves bytes
and a slow answer never holds up a search.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from minutebook import __version__
from minutebook.errors import MinutebookError
from minutebook.server.operations import OPERATIONS, Operation, PassageNotFound, run
from minutebook.server.pool import ArchivePool
from minutebook.server.requests import Limits
from minutebook.service.results import dumps

STATUS_FOR_EXIT = {0: 200, 2: 400, 3: 503, 4: 503, 75: 503}
RETRY_AFTER_SECONDS = "5"


def _json(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(value), status, headers, media_type="application/json; charset=utf-8")


def _error(message: str, status: int, exit_code: int, hint: str | None = None) -> Response:
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if exit_code == 75 else None
    return _json({"error": message, "hint": hint, "exit_code": exit_code}, status, headers)


class _BadBody(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


async def _values(request: Request, limits: Limits) -> dict[str, object]:
    """The request's parameters: the query string, then a JSON object body over it."""
    values: dict[str, object] = {}
    for key, value in request.query_params.multi_items():
        if key in ("kind", "where") and key in values:
            prior = values[key]
            values[key] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            values[key] = value
    values.update(request.path_params)
    if request.method != "POST":
        return values
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise _BadBody(f"the request body is {declared} bytes; at most {limits.max_body_bytes} are read", 413)
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > limits.max_body_bytes:
            raise _BadBody(f"the request body is over {limits.max_body_bytes} bytes", 413)
    if not body.strip():
        return values
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _BadBody(f"the request body is not JSON ({exc})", 400) from None
    if not isinstance(data, dict):
        raise _BadBody("the request body must be a JSON object of parameters", 400)
    values.update(data)
    return values


def make_app(pool: ArchivePool, limits: Limits | None = None) -> Starlette:
    """The ASGI application serving ``pool``'s index."""
    limits = limits or Limits()

    def endpoint(op: Operation) -> Any:
        async def handle(request: Request) -> Response:
            try:
                values = await _values(request, limits)
            except _BadBody as exc:
                return _error(exc.message, exc.status, 2)

            def work() -> Any:
                with pool.archive(limits.wait) as archive:
                    return run(op, archive, values, limits)

            try:
                slow = op.uses_llm(pool.settings, values)
            except MinutebookError as exc:
                return _mapped(exc)
            timeout = limits.llm_timeout if slow else limits.timeout
            try:
                with anyio.fail_after(timeout):
                    data = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
            except TimeoutError:
                return _error(f"the {op.name} took longer than {timeout:g} s and was abandoned", 504, 1,
                              "Narrow it with filters or a smaller top_k, or ask the administrator to raise the limit.")
            except MinutebookError as exc:
                return _mapped(exc)
            except Exception as exc:  # noqa: BLE001 -- a bug: log it, answer 500, keep serving
                traceback.print_exc(file=sys.stderr)
                return _error(f"internal error ({type(exc).__name__}); the server log has the details", 500, 70)
            return _json(data)

        return handle

    async def health(request: Request) -> Response:
        return _json({"ok": True, "version": __version__})

    async def index(request: Request) -> Response:
        return _json({"minutebook": __version__, "endpoints": [
            "/search", "/ask", "/decisions", "/timeline", "/status", "/passages/{chunk_id}", "/health"]})

    ops = OPERATIONS
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        *(Route(f"/{name}", endpoint(ops[name]), methods=["GET", "POST"])
          for name in ("search", "ask", "decisions", "timeline")),
        Route("/status", endpoint(ops["status"]), methods=["GET"]),
        Route("/passages/{chunk_id}", endpoint(ops["passage"]), methods=["GET"]),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        return _error(str(getattr(exc, "detail", "")) or "error", status, 2,
                      "Endpoints: /search, /ask, /decisions, /timeline, /status, /passages/{chunk_id}.")

    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


def _mapped(exc: MinutebookError) -> Response:
    status = 404 if isinstance(exc, PassageNotFound) else STATUS_FOR_EXIT.get(exc.exit_code, 500)
    return _error(exc.message, status, exc.exit_code, exc.hint)


def serve(pool: ArchivePool, *, host: str, port: int, limits: Limits | None = None, access_log: bool = False,
          announce: Any = None) -> None:
    """Serve ``pool`` on ``host:port`` until interrupted (SIGINT or SIGTERM)."""
    import socket

    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=128)
    except OSError as exc:
        from minutebook.errors import UsageError

        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         "Choose another --port, or stop what is using that one.") from exc
    config = uvicorn.Config(
        functools.partial(make_app, pool, limits), factory=True, log_level="warning", access_log=access_log,
        limit_concurrency=max(64, 16 * pool.size), timeout_keep_alive=5, lifespan="off",
    )
    if announce is not None:
        bound = sock.getsockname()
        announce(bound[0], bound[1])
    uvicorn.Server(config).run(sockets=[sock])
