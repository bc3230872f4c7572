"""`minutebook mcp`: the archive as Model Context Protocol tools, over stdio.

A council's AI assistant calls ``search``, ``ask``, ``decisions``, ``timeline``, ``status`` and
``fetch_passage``; each returns the JSON the matching CLI command writes, with every passage's
council, committee, meeting date, minute and page for its citations. Every tool only reads.
stdout carries the protocol alone: anything minutebook has to say goes to stderr.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from minutebook.errors import MinutebookError
from minutebook.server.operations import OPERATIONS, run
from minutebook.server.pool import ArchivePool
from minutebook.server.requests import Limits

Council = Annotated[str | None, Field(description="one council, e.g. Devon or 'Devon County Council' (the same; "
                                                   "york is York, not North Yorkshire)")]
Committee = Annotated[str | None, Field(description="committee or body, e.g. Children's Scrutiny (substring)")]
DocType = Annotated[str | None, Field(description="minutes, agenda, report, letter or other")]
Since = Annotated[str | None, Field(description="meetings on or after: 2021-07-29, 2021-07, 2021 or 'July 2021'")]
Until = Annotated[str | None, Field(description="meetings on or before (same forms; a month or year means its end)")]
Speaker = Annotated[str | None, Field(description="what the minutes attribute to this name or title")]
Role = Annotated[str | None, Field(description="member, officer or cabinet: what the minutes attribute to them")]
Where = Annotated[list[str] | None, Field(
    description="tests on the papers' manifest attributes, each NAME=VALUE (or !=, <, <=, >, >=), "
                "e.g. overall_effectiveness_grade=inadequate")]
TopK = Annotated[int | None, Field(description="how many passages (1 to the server's limit, 100 by default)")]


INSTRUCTIONS = (
    "Search and quote a council's committee papers (minutes, agendas, officer reports, inspection letters). "
    "Every result names its council, committee, meeting date, item (minute) and page: cite them when you "
    "answer. `search` finds passages; `ask` returns an answer quoted from the papers, each sentence cited; "
    "`decisions` lists resolutions, recommendations and actions; `timeline` follows a topic meeting by "
    "meeting with the figures stated; `fetch_passage` shows a passage (by the chunk_id a result gives) in "
    "its surrounding text. `weak: true` means nothing in the papers answers well."
)


def make_server(pool: ArchivePool, limits: Limits | None = None) -> Any:
    """An ``mcp`` server whose tools read ``pool``'s index."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp_types import ToolAnnotations

    from minutebook import __version__

    limits = limits or Limits()
    server: Any = MCPServer("minutebook", version=__version__, instructions=INSTRUCTIONS)
    reads = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

    def call(name: str, **values: object) -> dict[str, Any]:
        given = {k: v for k, v in values.items() if v is not None}
        try:
            with pool.archive(limits.wait) as archive:
                result: dict[str, Any] = run(OPERATIONS[name], archive, given, limits)
                return result
        except MinutebookError as exc:
            raise ToolError(f"{exc.message}. {exc.hint}" if exc.hint else exc.message) from exc

    @server.tool(annotations=reads)
    def search(
        query: Annotated[str, Field(description='what to look for; "exact phrases" and -excluded words work')],
        council: Council = None, committee: Committee = None, doc_type: DocType = None, since: Since = None,
        until: Until = None, speaker: Speaker = None, role: Role = None, where: Where = None, top_k: TopK = None,
    ) -> dict[str, Any]:
        """Hybrid keyword and meaning search over the papers: the passages that said it, best first, each with
        its council, committee, meeting date, minute and page. Filters apply before ranking."""
        return call("search", query=query, council=council, committee=committee, doc_type=doc_type, since=since,
                    until=until, speaker=speaker, role=role, where=where, top_k=top_k)

    @server.tool(annotations=reads)
    def ask(
        question: Annotated[str, Field(description="a question about what the papers say")],
        council: Council = None, committee: Committee = None, doc_type: DocType = None, since: Since = None,
        until: Until = None, speaker: Speaker = None, role: Role = None, where: Where = None, top_k: TopK = None,
        llm: Annotated[bool | None, Field(description="have the local model write the answer (slow); default: quote")]
        = None,
    ) -> dict[str, Any]:
        """A cited answer: sentences quoted from the papers (or written by the local model and checked), each
        citing a source [n] listed in `citations`. mode "not_covered" means the papers do not answer it; mode
        "listed" answers a list question ("which councils were judged inadequate in 2023?") from the papers'
        manifest attributes, every matching paper cited."""
        return call("ask", question=question, council=council, committee=committee, doc_type=doc_type,
                    since=since, until=until, speaker=speaker, role=role, where=where, top_k=top_k, llm=llm)

    @server.tool(annotations=reads)
    def decisions(
        query: Annotated[str | None, Field(description="a topic; omit to list every decision, oldest first")] = None,
        kind: Annotated[list[str] | None, Field(description="resolution, recommendation and/or action")] = None,
        council: Council = None, committee: Committee = None, doc_type: DocType = None, since: Since = None,
        until: Until = None, speaker: Speaker = None, role: Role = None, top_k: TopK = None,
    ) -> dict[str, Any]:
        """What was resolved, recommended and promised, with who it falls to and a citation for each."""
        return call("decisions", query=query, kind=kind, council=council, committee=committee, doc_type=doc_type,
                    since=since, until=until, speaker=speaker, role=role, top_k=top_k)

    @server.tool(annotations=reads)
    def timeline(
        query: Annotated[str, Field(description="a topic, e.g. caseloads")],
        council: Council = None, committee: Committee = None, doc_type: DocType = None, since: Since = None,
        until: Until = None, speaker: Speaker = None, role: Role = None, top_k: TopK = None,
    ) -> dict[str, Any]:
        """How a topic moved from meeting to meeting, oldest first, with the figures stated and citations."""
        return call("timeline", query=query, council=council, committee=committee, doc_type=doc_type,
                    since=since, until=until, speaker=speaker, role=role, top_k=top_k)

    @server.tool(annotations=reads)
    def fetch_passage(
        chunk_id: Annotated[int, Field(description="the chunk_id of a search result or decision")],
    ) -> dict[str, Any]:
        """One passage by id, with its citation and the text around it in its paper."""
        return call("passage", chunk_id=chunk_id)

    @server.tool(annotations=reads)
    def status() -> dict[str, Any]:
        """What the archive holds: papers, passages, committees, document types and the last update."""
        return call("status")

    return server


def serve_stdio(pool: ArchivePool, limits: Limits | None = None) -> None:
    """Answer MCP requests on stdin/stdout until the client closes them."""
    make_server(pool, limits).run("stdio")
