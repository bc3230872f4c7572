"""The vocabulary of council papers: words people type, and the words the papers use instead.

A councillor asks about "the case recording software"; the minutes say "Eclipse IT system".
A general-purpose embedding model does not know that Eclipse, Mosaic and Liquidlogic are
children's social care case management systems, or that "LAC" and "children we care for"
mean children in care. Each group below lists terms used interchangeably in English local
government papers; a query that uses one is widened with the others (at a lower weight).
"""

from __future__ import annotations

import re
from functools import lru_cache

from minutebook.text.words import stem

GROUPS: tuple[tuple[str, ...], ...] = (
    ("software", "it system", "ict", "case recording", "case management system", "recording system",
     "eclipse", "mosaic", "liquidlogic", "database", "digital system"),
    ("caseload", "caseloads", "cases held", "workload", "workloads", "case load"),
    ("agency staff", "agency social workers", "locum", "interim staff", "temporary staff"),
    ("recruitment", "retention", "turnover", "vacancies", "vacant posts", "staff leaving", "workforce stability"),
    ("children in care", "looked after children", "children looked after", "lac", "cla",
     "children we care for", "care experienced"),
    ("care leavers", "care leaver", "leaving care", "pathway plan", "personal adviser", "personal advisers"),
    ("send", "special educational needs", "ehcp", "education health and care plan", "ehcps"),
    ("mash", "multi-agency safeguarding hub", "front door", "referrals", "contacts"),
    ("iro", "iros", "independent reviewing officer", "independent reviewing officers"),
    ("ofsted", "inspection", "inspectors", "monitoring visit", "focused visit", "ilacs"),
    ("budget", "overspend", "overspent", "funding", "finance", "spending", "cost"),
    ("fostering", "foster carers", "foster care", "carers"),
    ("child protection", "child protection plans", "section 47", "strategy discussions", "strategy meetings"),
    ("early help", "prevention", "family support", "targeted support"),
    ("unregistered placements", "unregulated placements", "placement sufficiency", "placements"),
    ("staff survey", "morale", "wellbeing", "resilience"),
    ("exploitation", "county lines", "child sexual exploitation", "criminal exploitation", "missing children"),
    ("domestic abuse", "domestic violence"),
    ("adoption", "adopters", "special guardianship", "permanence"),
)


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[tuple[str, ...], int], ...]:
    """Each term as a tuple of stems, with its group number."""
    out = []
    for g, group in enumerate(GROUPS):
        for term in group:
            out.append((tuple(stem(w) for w in term.split()), g))
    return tuple(out)


def expansions(query: str) -> tuple[str, ...]:
    """Terms from the glossary groups the query touches, not already in the query."""
    words = [stem(w) for w in re.findall(r"[\w'’-]+", query.lower())]
    joined = " " + " ".join(words) + " "
    groups: list[int] = []
    for stems, g in _index():
        if " " + " ".join(stems) + " " in joined and g not in groups:
            groups.append(g)
    extra: list[str] = []
    for g in groups:
        for term in GROUPS[g]:
            spelled = " " + " ".join(stem(w) for w in term.split()) + " "
            if spelled not in joined and term not in extra:
                extra.append(term)
    return tuple(extra)
