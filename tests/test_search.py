"""Search finds what was said, with filters, phrases, exclusions and an honest weak signal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minutebook.cli import main
from minutebook.errors import QueryError
from minutebook.search.query import make_filters, parse_date_bound, parse_query
from minutebook.types import Filters

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"


def test_caseloads_question_finds_the_passages_that_said_it(searcher) -> None:
    result = searcher.search("what was said about caseloads?", None, 5)
    assert not result.weak
    top = result.hits[0]
    assert "caseload" in top.text.lower()
    assert top.committee and top.date and top.minute
    meetings = {h.date for h in result.hits if "caseload" in h.text.lower()}
    assert len(meetings) >= 2, "caseloads were discussed at several meetings"


def test_paraphrase_sharing_few_words_finds_the_eclipse_passage(searcher) -> None:
    result = searcher.search("problems with the case recording software", None, 5)
    assert any("Eclipse IT system" in h.text for h in result.hits[:3]), [h.text[:60] for h in result.hits]


def test_committee_filter_applies_before_ranking(searcher) -> None:
    filters = make_filters(committee="children and families overview")
    result = searcher.search("social workers", filters, 5)
    assert len(result.hits) == 5, "a filtered search still returns k results when k exist"
    assert {h.committee for h in result.hits} == {"Children and Families Overview and Scrutiny Panel"}


def test_date_filters_accept_the_forms_people_type(searcher) -> None:
    assert parse_date_bound("2021-07-29", end=False) == "2021-07-29"
    assert parse_date_bound("2021-07", end=True) == "2021-07-31"
    assert parse_date_bound("2021", end=False) == "2021-01-01"
    assert parse_date_bound("July 2021", end=True) == "2021-07-31"
    assert parse_date_bound("29 July 2021", end=False) == "2021-07-29"
    result = searcher.search("caseloads", make_filters(since="July 2021", until="July 2021"), 5)
    assert result.hits and {h.date for h in result.hits} == {"2021-07-29"}
    later = searcher.search("caseloads", make_filters(since="2023"), 5)
    assert later.hits and all(h.date >= "2023-01-01" for h in later.hits)


def test_bad_date_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="cannot read the date"):
        make_filters(since="last Tuesday")


def test_exact_phrase_and_exclusion(searcher) -> None:
    result = searcher.search('"family safeguarding"', None, 10)
    assert result.hits
    assert all("family safeguarding" in " ".join(h.text.lower().split()) for h in result.hits)
    excluded = searcher.search("recruitment -agency", None, 10)
    assert excluded.hits
    assert all("agency" not in h.text.lower() for h in excluded.hits)


def test_a_quoted_phrase_no_passage_holds_ranks_by_its_words_with_a_notice(searcher) -> None:
    # A paraphrase typed in quotes: no paper says "problems with the case recording software".
    result = searcher.search('"problems with the case recording software"', None, 5)
    assert result.hits, "a phrase that matches nothing is not an empty result"
    assert result.notice and '"problems with the case recording software"' in result.notice
    assert any("eclipse" in h.text.lower() for h in result.hits)
    held = searcher.search('"family safeguarding"', None, 5)
    assert held.hits and held.notice is None, "a phrase some passage holds stays required, with no notice"
    assert searcher.search('"family safeguarding" -family', None, 5).hits == (), \
        "a phrase that only an excluded word rules out is not loosened"


def test_the_notice_is_in_search_json_and_the_text_output(corpus_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = '"overspend on the transport of looked after pupils"'
    assert main(["search", query, "--index", str(corpus_index), "--json", "-k", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["results"] and "No passage holds the exact phrase" in data["notice"]
    assert main(["search", query, "--index", str(corpus_index), "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert "No passage holds the exact phrase" in " ".join(out.split())
    assert "No passages found" not in out


def test_fts_operators_typed_by_a_person_are_text(searcher) -> None:
    # NEAR, OR, quotes and brackets must not break or change the keyword query.
    result = searcher.search('caseloads OR NEAR( "unbalanced', None, 3)
    assert result.hits


def test_unanswerable_question_is_weak(searcher) -> None:
    result = searcher.search("potholes on the A38 and road resurfacing", None, 5)
    assert result.weak
    answerable = searcher.search("recruitment and retention of social workers", None, 5)
    assert not answerable.weak
    assert answerable.hits[0].score > max(h.score for h in result.hits)


def test_no_passage_is_listed_twice(searcher) -> None:
    result = searcher.search("social workers caseloads recruitment", None, 10)
    spans = [(h.doc_id, h.start_char, h.end_char) for h in result.hits]
    for i, (d, s, e) in enumerate(spans):
        for d2, s2, e2 in spans[i + 1 :]:
            assert not (d == d2 and s < e2 and s2 < e), "overlapping passages listed twice"


def test_query_parsing() -> None:
    q = parse_query('what was said about "agency staff" -covid caseloads')
    assert q.phrases == ("agency staff",)
    assert q.excluded == ("covid",)
    assert "caseloads" in q.terms and "what" not in q.terms
    with pytest.raises(QueryError):
        parse_query("   ")


def test_search_json_schema(corpus_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["search", "caseloads", "--index", str(corpus_index), "--json", "--top-k", "3"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"query", "weak", "notice", "results"}
    assert data["query"] == "caseloads" and data["weak"] is False and data["notice"] is None
    assert [r["rank"] for r in data["results"]] == [1, 2, 3]
    keys = {"rank", "score", "doc_id", "chunk_id", "path", "title", "council", "committee", "date", "doc_type", "page",
            "section", "minute", "start_char", "end_char", "text", "snippet", "citation", "ocr",
            "attributes"}
    for r in data["results"]:
        assert set(r) == keys
        assert 0.0 <= r["score"] <= 1.0
        assert "**" in r["snippet"], "query terms are highlighted in the snippet"
        source = Path(r["path"]).read_text(encoding="utf-8")
        assert source[r["start_char"] : r["end_char"]] == r["text"]
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_batch_queries_one_line_each(corpus_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries = tmp_path / "q.jsonl"
    lines = [{"id": f"q{i}", "query": q} for i, q in enumerate(["caseloads", "agency staff", "Eclipse"])]
    lines.append({"id": "filtered", "query": "social workers", "committee": "Overview and Scrutiny Panel", "top_k": 2})
    lines.append({"id": "bad", "query": "x", "since": "not a date"})
    queries.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    code = main(["search", "--queries", str(queries), "--index", str(corpus_index)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["q0", "q1", "q2", "filtered", "bad"]
    assert all(set(o) == {"id", "weak", "notice", "results"} for o in out[:4])
    assert len(out[3]["results"]) == 2
    assert all("Overview and Scrutiny Panel" in r["committee"] for r in out[3]["results"])
    assert "cannot read the date" in out[4]["error"]
    assert code == 2


def test_human_output_names_committee_date_and_item(corpus_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Eclipse", "--index", str(corpus_index), "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "Children's Scrutiny Committee" in out
    assert "29 Jul 2021" in out
    assert "item 4.1" in out


def test_filters_dataclass_default_is_no_filter() -> None:
    assert make_filters() == Filters()


def test_an_open_searcher_sees_new_papers_under_a_filter_it_has_used(tmp_path: Path, minilm) -> None:
    from minutebook import HybridSearcher, sync

    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "first.txt").write_text(
        "Devon County Council\nCabinet\n12 March 2024\n\nMinutes\n\n"
        "1. Highways\nThe Cabinet noted the report on road maintenance and gritting routes.\n", encoding="utf-8")
    index = tmp_path / "index"
    sync(index, [papers], minilm)
    searcher = HybridSearcher(index, minilm)
    try:
        filters = make_filters(council="Devon")
        assert not any("ferry" in h.text for h in searcher.search("ferry timetable", filters, 5).hits)
        (papers / "second.txt").write_text(
            "Devon County Council\nCabinet\n9 April 2024\n\nMinutes\n\n"
            "1. Transport\nThe Cabinet agreed the new ferry timetable for the Torpoint crossing.\n", encoding="utf-8")
        sync(index, [papers], minilm)
        # No word in common: only meaning can find it, so the filter's passage set must be current.
        hits = searcher.search("boat schedule", filters, 5).hits
        assert any("ferry timetable" in h.text for h in hits), "the filter's passages are those of the latest commit"
    finally:
        searcher.close()



def test_a_council_named_in_a_question_scopes_it_and_does_not_rank_keywords() -> None:
    """Minutes rarely repeat their own council's name; an inspection report says it in every line."""
    from minutebook.search.hybrid import _topic
    from minutebook.search.query import fts_expression

    named = {"West Sussex County Council"}
    assert fts_expression(_topic(parse_query("caseloads in West Sussex"), named)) == '("caseloads")'
    # A question that is only the name still searches for it.
    assert fts_expression(_topic(parse_query("West Sussex"), named)) == '("west" OR "sussex")'
    # Words such as "county" or "council" are not the council's name, and stay.
    assert "council" in fts_expression(_topic(parse_query("county council tax in West Sussex"), named))


def test_search_within_one_paper_by_file_name_path_or_id(searcher, corpus_index: Path) -> None:
    """ "In the minutes of 27 January 2017, what was said about caseloads?" """
    name = "worcestershire-children-families-scrutiny-2017-01-27-minutes.txt"
    by_name = searcher.search("caseloads", make_filters(paper=name), 10)
    assert by_name.hits and {Path(h.path).name for h in by_name.hits} == {name}
    assert "average of 19 per social worker" in " ".join(h.text for h in by_name.hits[:3])
    by_path = searcher.search("caseloads", make_filters(paper=str(CORPUS_DIR / name)), 10)
    by_id = searcher.search("caseloads", make_filters(paper=str(by_name.hits[0].doc_id)), 10)
    assert [h.chunk_id for h in by_path.hits] == [h.chunk_id for h in by_name.hits] == [h.chunk_id for h in by_id.hits]


def test_a_paper_that_is_not_indexed_or_is_ambiguous_is_a_clear_error(searcher) -> None:
    with pytest.raises(QueryError, match=r"no indexed paper is 'minutes-1999\.txt'"):
        searcher.search("caseloads", make_filters(paper="minutes-1999.txt"), 5)
    with pytest.raises(QueryError, match="no indexed paper has the id 99999"):
        searcher.search("caseloads", make_filters(paper="99999"), 5)
    with pytest.raises(QueryError, match="matches 2 indexed papers"):
        searcher.search("caseloads", make_filters(paper="report.txt"), 5)
    with pytest.raises(QueryError, match="--paper is empty"):
        make_filters(paper="  ")


def test_batch_lines_and_the_cli_take_a_paper(corpus_index: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    name = "west-sussex-cyp-scrutiny-2022-06-08-minutes.txt"
    assert main(["search", "recruitment", "--paper", name, "--index", str(corpus_index), "--json"]) == 0
    single = json.loads(capsys.readouterr().out)["results"]
    assert single and {Path(r["path"]).name for r in single} == {name}
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "one", "query": "recruitment", "paper": single[0]["doc_id"]}) + "\n"
                       + json.dumps({"id": "none", "query": "recruitment", "paper": "nowhere.txt"}) + "\n",
                       encoding="utf-8")
    assert main(["search", "--queries", str(queries), "--index", str(corpus_index)]) == 2
    one, none = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert [r["start_char"] for r in one["results"]] == [r["start_char"] for r in single]
    assert "no indexed paper is 'nowhere.txt'" in none["error"]
