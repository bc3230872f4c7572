"""Paper attributes: what a manifest says about a paper beyond its title, council, committee and date.

Ofsted's manifest gives each inspection report ``overall_effectiveness_grade``,
``care_leavers_grade``, ``inspection_start_date``, ``inspection_framework`` and more; a
``minutebook-manifest.csv`` may carry any extra column. Each becomes an attribute of the paper,
kept in the index, shown beside its citations and tested with ``--where``.

Names are lower case with underscores (``"Care leavers grade"`` -> ``care_leavers_grade``).
Values are kept as given, except dates, which are stored as yyyy-mm-dd (``17/03/2025`` ->
``2025-03-17``). A value is compared by its **key**: typography folded, any case, and
underscores, hyphens (except a date's) and spaces alike, so ``requires_improvement``,
``Requires improvement`` and ``requires-improvement`` are one grade.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from minutebook.errors import QueryError
from minutebook.text.words import fold
from minutebook.types import Condition

OPERATORS = ("!=", "<=", ">=", "=", "<", ">")  # longest first, for parsing
_CONDITION = re.compile(r"^\s*([A-Za-z][\w .-]*?)\s*(!=|<=|>=|=|<|>)\s*(.*?)\s*$")
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")
_PERIOD = re.compile(r"^\d{4}(?:-\d{2})?$")  # a year or a month, as a date attribute's value
# Ofsted's sentinel for a judgement the inspection framework did not yet make.
_SENTINELS = {"inspection_pre_dates_judgement": "not judged (the inspection predates this judgement)"}
# Values that say the manifest does not know: the paper has no such attribute.
_UNKNOWN = frozenset({"data unreadable", "unknown", "n/a", "na", "-", "none", "null"})


def attribute_name(raw: str) -> str:
    """``"Care leavers grade"`` -> ``"care_leavers_grade"``."""
    return re.sub(r"[^\w]+", "_", fold(raw).strip().lower()).strip("_")


def attribute_value(raw: str) -> str:
    """A value as stored: whitespace collapsed; a date as yyyy-mm-dd."""
    value = " ".join(raw.split())
    if re.fullmatch(r"[\d/ a-zA-Z-]{6,20}", value) and any(ch.isdigit() for ch in value):
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(value, fmt).date().isoformat()
            except ValueError:
                continue
    return value


def value_key(value: str) -> str:
    """How a value is compared: ``"Requires_Improvement"`` -> ``"requires improvement"``."""
    s = re.sub(r"_+|(?<!\d)-+|-+(?!\d)", " ", fold(value).lower())  # a date's hyphens stay
    return " ".join(s.split())


def attributes_from(row: Mapping[str, str | None], skip: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """The attributes of one manifest row: every non-empty column not in ``skip``, sorted by name."""
    skipped = {attribute_name(s) for s in skip}
    found: dict[str, str] = {}
    for column, raw in row.items():
        if column is None or raw is None or not str(raw).strip():
            continue
        name = attribute_name(column)
        if name and name not in skipped and value_key(str(raw)) not in _UNKNOWN:
            found[name] = attribute_value(str(raw))
    return tuple(sorted(found.items()))


def shown_name(name: str) -> str:
    """``"overall_effectiveness_grade"`` -> ``"overall effectiveness"`` (a grade's name says what is graded)."""
    return name.removesuffix("_grade").replace("_", " ")


def shown_value(value: str) -> str:
    """A value as a reader sees it: Ofsted's sentinels spelled out, underscores as spaces."""
    return _SENTINELS.get(value, value.replace("_", " ") if " " not in value else value)


def _order(item: tuple[str, str]) -> tuple[int, str]:
    name = item[0]
    return (0 if name.startswith("overall") else 1 if name.endswith("_grade") else 2), name


def describe(attributes: Iterable[tuple[str, str]], *, brief: bool = False) -> str:
    """One line beside a citation: ``"overall effectiveness: inadequate; care leavers: good; …"``.

    Judgements come first, overall before the rest; links are left out. ``brief`` keeps only the
    judgements (``*_grade``) when there are any, for a line under each search result.
    """
    items = sorted(((n, v) for n, v in attributes if "://" not in v), key=_order)
    if brief and any(n.endswith("_grade") for n, _ in items):
        items = [(n, v) for n, v in items if n.endswith("_grade")]
    return "; ".join(f"{shown_name(n)}: {shown_value(v)}" for n, v in items)


def parse_condition(text: str) -> Condition:
    """``"overall_effectiveness_grade=inadequate"`` -> a ``Condition``; a clear error otherwise."""
    match = _CONDITION.match(text or "")
    if match is None or not match.group(3):
        raise QueryError(
            f"cannot read --where {text!r}",
            "Write NAME=VALUE (or !=, <, <=, >, >=), e.g. --where overall_effectiveness_grade=inadequate; "
            "`minutebook status` lists the attributes the index holds.",
        )
    value = match.group(3).strip().strip("\"'")
    return Condition(attribute_name(match.group(1)), match.group(2), attribute_value(value))


def condition_sql(condition: Condition, mark: str = "?") -> tuple[str, list[object]]:
    """SQL over ``documents d`` that holds when the paper's attribute passes ``condition``.

    ``=`` with a year or month (``2023``, ``2023-05``) also matches the dates in it; ``!=`` and
    the comparisons hold only for papers that have the attribute. Values are compared by their
    key, as text (dates as yyyy-mm-dd compare in time order).
    """
    key = value_key(condition.value)
    test = f"a.value_key {condition.op} {mark}"
    args: list[object] = [condition.name, key]
    if condition.op == "=" and _PERIOD.match(key):
        test = f"(a.value_key = {mark} OR a.value_key LIKE {mark})"
        args.append(key + "-%")
    elif condition.op == "!=":
        test = f"a.value_key <> {mark}"
    return f"EXISTS (SELECT 1 FROM attributes a WHERE a.doc_id = d.id AND a.name = {mark} AND {test})", args
