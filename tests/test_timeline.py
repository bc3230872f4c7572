"""Timelines: a topic meeting by meeting, with the figures stated and a citation for each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minutebook import make_filters
from minutebook.council import timeline
from minutebook.council.figures import Topic, figures_in


def test_figures_keep_their_units_and_qualifiers() -> None:
    text = ("Caseloads have increased from 55 to 65 children, which is towards the higher end of the 50-70 "
            "caseload outlined in the IRO handbook.")
    found = figures_in(text)
    assert [(f.value, f.unit, f.previous, f.upper) for f in found] == [(65, "children", 55, None),
                                                                       (50, "caseload", None, 70)]
    assert found[0].phrase == "from 55 to 65 children"
    avg = figures_in("Caseloads were variable with a current average of 19 per social worker.")[0]
    assert (avg.value, avg.unit, avg.qualifier) == (19, "per social worker", "average")


def test_dates_item_numbers_and_names_are_not_figures() -> None:
    text = ("The event held on 13 May 2021 under item 7.15 considered the 2022/23 budget during the COVID-19 "
            "pandemic at 2.02pm, and £11 million of investment.")
    assert [(f.value, f.unit) for f in figures_in(text)] == [(11, "£ million")]


def test_only_sentences_on_the_topic_give_figures() -> None:
    text = "Caseloads stood at 21 per worker. The Directorate audits 6 files per month."
    assert [f.value for f in figures_in(text, topic=Topic(["caseloads"]))] == [21]


def test_caseloads_timeline_runs_oldest_first_with_the_figures(searcher) -> None:
    t = timeline.build(searcher, "caseloads")
    assert not t.weak
    dates = [e.date for e in t.entries]
    assert dates == sorted(dates) and len(dates) == len(set(dates)), "one entry per meeting, oldest first"
    by_date = {e.date: e for e in t.entries}
    phrases = {d: [f.figure.phrase for f in e.figures] for d, e in by_date.items()}
    assert "a current average of 19 per social worker" in phrases["2017-01-27"]
    assert "more than 30 cases" in phrases["2021-07-29"]
    assert "from 55 to 65 children" in phrases["2023-07-17"]
    assert by_date["2021-07-29"].citation == "Devon — Children's Scrutiny Committee, 29 Jul 2021, item 4.1, p. 1"
    assert "2022-06-08" not in by_date, "West Sussex never mentions caseloads"
    worcester = by_date["2017-01-27"]
    fig = next(f for f in worcester.figures if f.figure.value == 19).figure
    source = Path(worcester.hit.path).read_text(encoding="utf-8")
    assert " ".join(source[fig.span[0]:fig.span[1]].split()) == fig.phrase, "spans index the paper"


def test_timeline_respects_filters(searcher) -> None:
    devon = timeline.build(searcher, "caseloads", make_filters(council="Devon", since="2022"))
    assert [e.date for e in devon.entries] == ["2022-04-06", "2023-07-17"]


@pytest.fixture()
def cli_main(corpus_index: Path, monkeypatch: pytest.MonkeyPatch):
    import minutebook.cli as cli

    for name in ("decisions", "timeline"):
        if name not in cli.COMMANDS:
            monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, name))
    monkeypatch.setenv("MINUTEBOOK_INDEX", str(corpus_index))
    return cli.main


def test_timeline_json_schema(cli_main, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["timeline", "caseloads", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"] == "caseloads" and out["weak"] is False
    entry = out["entries"][0]
    assert set(entry) >= {"date", "council", "committee", "citation", "title", "path", "minute", "page",
                          "start_char", "end_char", "quote", "passages", "figures"}
    figure = entry["figures"][0]
    assert figure == {**figure, "value": 19.0, "unit": "per social worker", "qualifier": "average"}
    assert set(figure) == {"value", "unit", "phrase", "qualifier", "previous", "upper", "sentence",
                           "start_char", "end_char", "citation"}
