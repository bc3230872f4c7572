"""Decisions: what was resolved, recommended and promised, who it falls to, and where it was said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minutebook import make_filters
from minutebook.council import decisions
from minutebook.index.sqlite.store import Store

REPO = Path(__file__).resolve().parent.parent

RESOLVED = """7.14     The Family Safeguarding Model (FSM) is a nationally recognised approach.

7.15     Resolved – That the Committee:

\xa0

1.   Recognises the progress that has been made on the improvement journey.

\xa0

2.   Raises concerns over some of the staff survey results and requests that the full questions of the survey are shared with the Committee.

\xa0

3.   Requests to have a copy of the Action Plan from the problem solving event held on 13 May, once complete.

Supporting documents:
"""

RECOMMENDATION = """1) Recommendation

That the Committee be asked to:

- (a) accept this report as an accurate record of the issues explored in the meeting.

2) Background / Introduction

The Standing Overview Group meets with the purpose of bringing rigour.
"""

OFSTED = """What needs to improve?
◼ The practice response to children aged 16 and 17 who present as homeless.
◼ The recognition of and response to children who are experiencing neglect over a
prolonged period of time.
The experiences and progress of children who need help and
protection: good
1. When children and their families require additional help, they benefit from support.
"""

DISCUSSION = """Member discussion points:

- Average Caseloads for Social Workers – Members raised concerns about the average cases held by Social Workers. Members wanted a future performance report to include data about the caseloads social workers have across the different types of roles. Officers agreed to do this and stated that caseloads are a real problem.
- Eclipse IT system – Members asked about the robustness of the system. Officers stated they are reviewing how it is working.
- The Director agreed that the review had not been helpful.
"""


def test_each_numbered_resolution_is_one_decision() -> None:
    found = decisions.extract(RESOLVED)
    assert [(f.kind, f.number) for f in found] == [("resolution", "1"), ("resolution", "2"), ("resolution", "3")]
    assert found[2].text.startswith("Requests to have a copy of the Action Plan")
    assert "Supporting documents" not in found[2].text


def test_recommendations_from_a_report_and_from_an_inspection() -> None:
    report = decisions.extract(RECOMMENDATION)
    assert [(f.kind, f.number) for f in report] == [("recommendation", "a")], "'2) Background' is not a second one"
    assert report[0].owners and report[0].owners[0].name == "Committee"
    ofsted = decisions.extract(OFSTED)
    assert [f.text for f in ofsted] == [
        "The practice response to children aged 16 and 17 who present as homeless.",
        "The recognition of and response to children who are experiencing neglect over a prolonged period of time.",
    ]


def test_a_request_and_the_officers_agreement_are_one_action() -> None:
    found = decisions.extract(DISCUSSION)
    assert len(found) == 1, [f.text for f in found]
    action = found[0]
    assert action.kind == "action"
    assert action.text.startswith("Members wanted a future performance report")
    assert [p.name for p in action.raised_by] == ["Members"]
    assert [p.name for p in action.owners] == ["Officers"]


def test_every_kind_in_the_sample_index_with_citations(corpus_index: Path) -> None:
    store = Store.open(corpus_index, readonly=True)
    try:
        found = decisions.from_index(store)
        resolutions = decisions.from_index(store, kinds=("resolution",))
        officers = decisions.from_index(store, make_filters(role="officer"), kinds=("action",))
    finally:
        store.close()
    kinds = {d.kind for d in found}
    assert kinds == {"resolution", "recommendation", "action"}
    dates = [d.hit.date for d in found]
    assert dates == sorted(dates), "oldest meeting first"
    fifth = next(d for d in resolutions if d.text.startswith("Requests to have a copy of the Action Plan"))
    assert fifth.citation == "West Sussex — Children and Young People's Services Scrutiny Committee, 8 Jun 2022, item 7.15(5), p. 1"
    back = next(d for d in found if "bring these details back to the Panel" in d.text)
    assert back.kind == "action"
    assert back.owners[0].position == "Head of Strategic Infrastructure and Financial Recovery"
    assert back.citation == "Worcestershire — Children and Families Overview and Scrutiny Panel, 27 Jan 2017, item 266, p. 1"
    assert officers and all(any(p.role == "officer" for p in (*d.owners, *d.raised_by)) for d in officers)
    assert not any(d.kind != "action" for d in officers)


def test_a_topic_narrows_decisions_by_relevance(searcher, corpus_index: Path) -> None:
    store = Store.open(corpus_index, readonly=True)
    try:
        found = decisions.search(searcher, store, "caseloads")
    finally:
        store.close()
    assert found, "the caseloads request is found"
    assert found[0].text.startswith("Members wanted a future performance report to include data about the caseloads")
    assert found[0].citation == "Devon — Children's Scrutiny Committee, 29 Jul 2021, item 4.1, p. 1"
    assert all("caseload" in d.text.lower() or d.score > 0 for d in found)


@pytest.fixture()
def cli_main(corpus_index: Path, monkeypatch: pytest.MonkeyPatch):
    import minutebook.cli as cli

    for name in ("decisions", "timeline"):
        if name not in cli.COMMANDS:
            monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, name))
    monkeypatch.setenv("MINUTEBOOK_INDEX", str(corpus_index))
    return cli.main


def test_decisions_json_lists_each_kind(cli_main, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["decisions", "--kind", "recommendation", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] is None
    recs = out["decisions"]
    assert len(recs) == 2 and {r["kind"] for r in recs} == {"recommendation"}
    first = recs[0]
    assert set(first) >= {"kind", "text", "number", "citation", "owners", "raised_by", "council", "committee",
                          "date", "minute", "page", "path", "start_char", "end_char", "score"}
    text = Path(first["path"]).read_text(encoding="utf-8")
    assert " ".join(text[first["start_char"]:first["end_char"]].split()) == first["text"]


def test_decisions_bad_kind_is_a_usage_error(cli_main) -> None:
    with pytest.raises(SystemExit) as exc:
        cli_main(["decisions", "--kind", "motion"])
    assert exc.value.code == 2
