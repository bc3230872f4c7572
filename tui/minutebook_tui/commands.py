"""The command palette (Ctrl+P): every action of the app by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (name, action, help). Actions are the app's; the palette runs them like a key would.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Ask the question", "ask", "Answer the question in the search box, with citations (F2)"),
    ("Switch answer mode", "toggle_model", "Quoted sentences, or written by the local model (F3)"),
    ("Export briefing", "export", "Write the answer and its sources to a Markdown file (F4)"),
    ("Re-sync index", "resync", "Bring the index in step with the folders it was built from (F5)"),
    ("Index status", "status", "Papers, passages, last sync and failed files (F6)"),
    ("Timeline", "timeline", "The topic in the search box meeting by meeting, with its figures (F7)"),
    ("Next passage", "next_passage", "The next passage of the paper being read (])"),
    ("Previous passage", "previous_passage", "The previous passage of the paper being read ([)"),
    ("Clear filters", "clear_filters", "Search every committee, council, type and date (F8)"),
    ("Focus search", "focus_search", "Back to the search box (/)"),
    ("Toggle light and dark", "toggle_dark", "Switch between the light and the dark theme"),
    ("Help", "help", "Every key (F1)"),
)


class MinutebookCommands(Provider):
    """Offers the app's actions by name."""

    async def discover(self) -> Hits:
        for name, action, help_text in COMMANDS:
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=help_text)

    async def _run(self, action: str) -> None:
        await self.app.run_action(action)
