"""A question that names a council, a committee or a year is answered from those papers only.

"What was said about caseloads in Norfolk?" quotes Norfolk's papers. When they do not cover
the question the answer says so — "Nothing in Torbay's papers answers this; the closest
passages are from Devon and Cornwall." — instead of presenting another council's sentence
under the question. Filters the person set (``--council``) are never widened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from minutebook.council.councils import display_name, same_council
from minutebook.protocols import Searcher
from minutebook.types import Filters, Hit, SearchResult


@dataclass(frozen=True, slots=True)
class Scoped:
    """The passages an answer may quote, and what the question named.

    ``covered`` is False when the named council's papers hold nothing relevant; ``hits`` are
    then the closest passages from elsewhere, to be listed, not quoted as the answer.
    """

    hits: tuple[Hit, ...]
    weak: bool
    councils: tuple[str, ...] = ()
    covered: bool = True


def _in(hit: Hit, councils: Sequence[str]) -> bool:
    return any(same_council(hit.council, c) for c in councils)


def scoped_search(searcher: Searcher, question: str, filters: Filters | None, top_k: int) -> Scoped:
    """Search for ``question``, keeping only the papers of the council(s) it names.

    The searcher reports the councils a question names (``SearchResult.scope``). When the best
    passages are not from them, the search is repeated restricted to the first one named; if
    that finds nothing relevant either, the result is "not covered" with the closest passages.
    """
    result = searcher.search(question, filters, top_k)
    councils = result.scope.councils
    if not councils or (filters is not None and filters.council):
        return Scoped(_of_years(result.hits, result.scope.years, filters), result.weak, councils)
    inside = tuple(h for h in result.hits if _in(h, councils))
    if inside and not result.weak:
        return Scoped(_of_years(inside, result.scope.years, filters), False, councils)
    narrowed: SearchResult = searcher.search(question, replace(filters or Filters(), council=councils[0]), top_k)
    kept = tuple(h for h in narrowed.hits if _in(h, councils))
    if kept and not narrowed.weak:
        return Scoped(kept, False, councils)
    outside = tuple(h for h in result.hits if not _in(h, councils))
    return Scoped(outside, True, councils, covered=False)


def _of_years(hits: tuple[Hit, ...], years: Sequence[str], filters: Filters | None) -> tuple[Hit, ...]:
    """The passages from papers dated in a year the question names (or the year after, since papers
    report on the year before), when there are any; otherwise all of them."""
    if not years or (filters is not None and (filters.since or filters.until)):
        return hits
    wanted = {*years, *(str(int(y) + 1) for y in years)}
    dated = tuple(h for h in hits if (h.date or "")[:4] in wanted)
    return dated or hits


def not_in_papers(councils: Sequence[str], closest: Sequence[Hit]) -> str:
    """ "Nothing in Torbay's papers answers this; the closest passages are from Devon and Cornwall." """
    names = [display_name(c) or c for c in councils]
    whose = _join(names)
    text = f"Nothing in {whose}'s papers answers this"
    elsewhere: list[str] = []
    for h in closest:
        name = display_name(h.council) or h.title
        if name not in elsewhere:
            elsewhere.append(name)
    if elsewhere:
        return f"{text}; the closest passages are from {_join(elsewhere)}."
    return f"{text}, and nothing close was found elsewhere."


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
