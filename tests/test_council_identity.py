"""One identity per council in the index, and what the manifest knows kept as paper attributes.

Real components throughout: the real MiniLM, FAISS and SQLite (PostgreSQL in test_postgres.py).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import minutebook.models.registry
from minutebook.cli import main
from minutebook.errors import QueryError
from minutebook.ingest.attributes import attribute_value, describe, parse_condition, value_key
from minutebook.types import Condition

OFSTED_COLUMNS = ("urn,local_authority,inspection_link,pdf_filename,publication_date,inspection_framework,"
                  "inspector_name,inspection_start_date,inspection_end_date,overall_effectiveness_grade,"
                  "impact_of_leaders_grade,help_and_protection_grade,in_care_grade,care_leavers_grade,parser_version")
# (urn, local authority, file, published, start, end, overall, care leavers)
REPORTS = (
    ("80461", "devon", "inspection - 13 may 2023.txt", "13/05/23", "27/03/2023", "06/04/2023", "good", "good"),
    ("80572", "torbay", "inspection - 18 may 2023.txt", "18/05/23", "06/03/2023", "17/03/2023", "inadequate",
     "requires improvement"),
    ("80530", "north yorkshire", "inspection - 18 august 2023.txt", "18/08/23", "19/06/2023", "30/06/2023",
     "inadequate", "inadequate"),
    ("80453", "york", "inspection - 04 may 2022.txt", "04/05/22", "21/03/2022", "01/04/2022", "inadequate",
     "data_unreadable"),
)


def write_papers(root: Path) -> Path:
    """Four Ofsted reports with Ofsted's manifest, and a Devon committee paper that says "Devon County Council"."""
    root.mkdir(parents=True, exist_ok=True)
    rows = [OFSTED_COLUMNS]
    for urn, la, name, published, start, end, overall, leavers in REPORTS:
        folder = root / f"{urn}_{la}"
        folder.mkdir()
        place = la.title()
        (folder / name).write_text(
            f"Inspection of {place} local authority children’s services\n\nInspection dates: {start} to {end}\n\n"
            f"Judgement Grade\nThe impact of leaders on social work practice with children and families\n\n"
            f"1. Care leavers in {place} are supported by personal advisers who know them well. "
            f"Leaders in {place} have improved the help given to care leavers with housing.\n\n"
            f"2. Caseloads for social workers in {place} are manageable and supervision is regular.\n",
            encoding="utf-8")
        rows.append(f"{urn},{la},https://files.ofsted.gov.uk/v1/file/{urn},{name},{published},standard,A Inspector,"
                    f"{start},{end},{overall},good,good,good,{leavers},1")
    (root / "ofsted_csc_ilacs_history.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (root / "devon-scrutiny-2023-06-01-minutes.txt").write_text(
        "Devon County Council\nChildren's Scrutiny Committee\n1 June 2023\n\nMinutes\n\n"
        "4. Care leavers\nThe Committee heard that Devon County Council has opened two new homes for care "
        "leavers and that personal advisers now see each young person monthly.\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def council_index(tmp_path_factory: pytest.TempPathFactory, minilm) -> Path:
    from minutebook.pipeline.syncer import sync

    base = tmp_path_factory.mktemp("councils")
    report = sync(base / "index", [write_papers(base / "papers")], minilm)
    assert len(report.added) == 5 and not report.failed
    return base / "index"


@pytest.fixture()
def real_model(monkeypatch: pytest.MonkeyPatch, minilm) -> None:
    monkeypatch.setattr(minutebook.models.registry, "index_embedder", lambda settings: minilm)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# --- one identity per council ---------------------------------------------------------------


def test_a_council_named_two_ways_is_one_council_listed_once(council_index: Path, minilm) -> None:
    from minutebook.index.ops import index_status
    from minutebook.search.hybrid import HybridSearcher
    from minutebook.search.query import make_filters
    from minutebook.service.reader import IndexReader

    reader = IndexReader(council_index)
    try:
        councils = reader.facets().councils
    finally:
        reader.close()
    assert councils == ("Devon", "North Yorkshire", "Torbay", "York")  # not "Devon" and "Devon County Council"
    devon = next(c for c in index_status(council_index).councils if c.name == "Devon")
    assert devon.papers == 2 and devon.aliases == ("Devon County Council",)

    searcher = HybridSearcher(council_index, minilm)
    try:
        for typed in ("Devon County Council", "devon", "DEVON"):
            hits = searcher.search("care leavers", make_filters(council=typed), 10).hits
            assert {h.council for h in hits} == {"Devon"}
            assert {h.committee for h in hits} == {"Ofsted", "Children's Scrutiny Committee"}
        york = searcher.search("care leavers", make_filters(council="york"), 10).hits
        assert york and {h.council for h in york} == {"York"}  # never North Yorkshire
    finally:
        searcher.close()


def test_status_json_lists_each_council_once_with_its_other_names(
        council_index: Path, real_model: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "--index", str(council_index), "--json")
    assert code == 0
    data = json.loads(out)
    assert [c["name"] for c in data["councils"]] == ["Devon", "North Yorkshire", "Torbay", "York"]
    assert data["councils"][0]["aliases"] == ["Devon County Council"]
    assert data["attributes"]["overall_effectiveness_grade"] == 4
    assert "care_leavers_grade" in data["attributes"] and data["attributes"]["care_leavers_grade"] == 3


def test_an_index_of_the_previous_schema_gets_council_identities(tmp_path: Path) -> None:
    from minutebook.index.sqlite.store import MIGRATIONS, SCHEMA_VERSION, Store

    folder = tmp_path / "index"
    folder.mkdir()
    conn = sqlite3.connect(folder / "minutebook.sqlite")
    conn.executescript(f"{MIGRATIONS[0]} {MIGRATIONS[1]} PRAGMA user_version = 2;")
    for n, council in enumerate(("Devon County Council", "Devon", "City of York Council")):
        conn.execute("INSERT INTO documents (path, sha256, format, size, mtime_ns, title, council, doc_type,"
                     " page_count, pages, text, indexed_at) VALUES (?, 'x', 'txt', 1, 1, 't', ?, 'report', 1, '[]',"
                     " '', 'now')", (f"/p/{n}.txt", council))
    conn.commit()
    conn.close()
    store = Store.open(folder, create=True)
    try:
        assert store.schema_version() == SCHEMA_VERSION == 4
        assert [(name, aliases, papers) for _k, name, aliases, papers in store.councils()] == [
            ("Devon", ("Devon County Council",), 2), ("York", ("City of York Council",), 1)]
        rows = store.conn.execute("SELECT council, council_key, size FROM documents ORDER BY path").fetchall()
        assert rows == [("Devon", "devon", -1), ("Devon", "devon", -1), ("York", "york", -1)]  # re-read next sync
    finally:
        store.close()


# --- manifest attributes --------------------------------------------------------------------


def test_an_ofsted_grade_is_kept_filterable_and_shown(council_index: Path, minilm) -> None:
    from minutebook.search.hybrid import HybridSearcher
    from minutebook.search.query import make_filters
    from minutebook.service.results import hit_json

    searcher = HybridSearcher(council_index, minilm)
    try:
        inadequate = searcher.search("care leavers", make_filters(where="overall_effectiveness_grade=inadequate"),
                                     10).hits
        assert {h.council for h in inadequate} == {"Torbay", "North Yorkshire", "York"}
        assert all(dict(h.attributes)["overall_effectiveness_grade"] == "inadequate" for h in inadequate)
        # Two tests together; a year against a date attribute; a grade typed with underscores.
        both = searcher.search("care leavers", make_filters(where=[
            "overall_effectiveness_grade=Inadequate", "inspection_end_date=2023"]), 10).hits
        assert {h.council for h in both} == {"Torbay", "North Yorkshire"}
        ri = searcher.search("care leavers", make_filters(where="care_leavers_grade=requires_improvement"), 10).hits
        assert {h.council for h in ri} == {"Torbay"}
        # "!=" holds only for papers that have the attribute: the committee paper has no grade.
        not_good = searcher.search("care leavers", make_filters(where="overall_effectiveness_grade!=good"), 10).hits
        assert {h.council for h in not_good} == {"Torbay", "North Yorkshire", "York"}
        since = searcher.search("care leavers", make_filters(where="inspection_start_date>=2023-03-10"), 10).hits
        assert {h.council for h in since} == {"Devon", "North Yorkshire"}
        # A value the manifest could not read is no value: York's care leavers grade is absent.
        york = next(h for h in inadequate if h.council == "York")
        assert "care_leavers_grade" not in dict(york.attributes)
        data = hit_json(1, inadequate[0], "care leavers")
        assert data["attributes"]["overall_effectiveness_grade"] == "inadequate"
        assert data["attributes"]["inspection_start_date"].count("-") == 2  # stored as yyyy-mm-dd
    finally:
        searcher.close()


def test_the_cli_filters_on_where_and_shows_the_grades(council_index: Path, tmp_path: Path, real_model: None,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    index = str(council_index)
    code, out, _ = run(capsys, "search", "care leavers", "--where", "overall_effectiveness_grade=inadequate",
                       "--where", "inspection_end_date=2023", "--index", index, "-k", "10")
    assert code == 0
    assert "Torbay — Ofsted inspection" in out and "North Yorkshire — Ofsted inspection" in out
    assert "York — Ofsted" not in out.replace("North Yorkshire — Ofsted", "")
    assert "overall effectiveness: inadequate" in out
    code, out, _ = run(capsys, "ask", "what support do care leavers get?", "--where",
                       "overall_effectiveness_grade=good", "--index", index, "--json")
    answer = json.loads(out)
    assert code == 0 and answer["citations"]
    assert {c["council"] for c in answer["citations"]} == {"Devon"}
    assert all(c["attributes"]["overall_effectiveness_grade"] == "good" for c in answer["citations"])
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1, "query": "caseloads", "where": "overall_effectiveness_grade=good"}\n'
                     '{"id": 2, "query": "caseloads", "where": ["care_leavers_grade=inadequate"]}\n'
                     '{"id": 3, "query": "caseloads", "where": "grade"}\n', encoding="utf-8")
    code, out, _ = run(capsys, "search", "--queries", str(batch), "--index", index)
    first, second, third = (json.loads(line) for line in out.splitlines())
    assert {r["council"] for r in first["results"]} == {"Devon"}
    assert {r["council"] for r in second["results"]} == {"North Yorkshire"}
    assert "cannot read --where 'grade'" in third["error"] and code == 2
    code, out, err = run(capsys, "search", "caseloads", "--where", "overall_effectiveness_grade", "--index", index)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 2 and "NAME=VALUE" in err


def test_a_sidecar_and_our_manifest_give_attributes_too(tmp_path: Path) -> None:
    from minutebook.ingest.overrides import apply_overrides
    from minutebook.types import Metadata

    paper = tmp_path / "budget.txt"
    paper.write_text("text", encoding="utf-8")
    (tmp_path / "minutebook-manifest.csv").write_text(
        "path,committee,Decision Status,Ward\nbudget.txt,Cabinet,Approved,Exeter North\n", encoding="utf-8")
    m = apply_overrides(Metadata("t"), paper)
    assert m.committee == "Cabinet" and m.attributes == (("decision_status", "Approved"), ("ward", "Exeter North"))
    (tmp_path / "budget.txt.meta.json").write_text('{"attributes": {"Ward": "Exeter South", "Published": '
                                                   '"03/02/2024"}}', encoding="utf-8")
    m = apply_overrides(Metadata("t"), paper)
    assert dict(m.attributes) == {"decision_status": "Approved", "ward": "Exeter South", "published": "2024-02-03"}


def test_conditions_and_values_are_read_as_a_person_means_them() -> None:
    assert parse_condition("Overall effectiveness grade = inadequate") == Condition(
        "overall_effectiveness_grade", "=", "inadequate")
    assert parse_condition("inspection_end_date>=17/03/2025") == Condition("inspection_end_date", ">=", "2025-03-17")
    assert parse_condition('care_leavers_grade!="requires improvement"').value == "requires improvement"
    for bad in ("grade", "=good", "grade=", ""):
        with pytest.raises(QueryError):
            parse_condition(bad)
    assert value_key("Requires_Improvement") == value_key("requires-improvement") == "requires improvement"
    assert attribute_value("09/05/25") == "2025-05-09" and attribute_value("2532283") == "2532283"
    line = describe((("care_leavers_grade", "inspection_pre_dates_judgement"), ("inspection_link", "https://x"),
                     ("overall_effectiveness_grade", "good")))
    assert line == "overall effectiveness: good; care leavers: not judged (the inspection predates this judgement)"


# --- list questions -------------------------------------------------------------------------


def test_a_list_question_is_answered_from_the_attributes_completely(council_index: Path, minilm) -> None:
    from minutebook.answer import CitedAnswerer, answer_to_dict
    from minutebook.search.hybrid import HybridSearcher

    searcher = HybridSearcher(council_index, minilm)
    try:
        answerer = CitedAnswerer(searcher, top_k=1)  # one passage could never list two councils
        answer = answerer.answer("Which councils were judged inadequate in 2023?")
        assert answer.mode == "listed" and not answer.weak
        assert answer.text.splitlines()[0].startswith("2 councils were judged inadequate for overall effectiveness"
                                                      " in 2023")
        assert [c.hit.council for c in answer.citations] == ["North Yorkshire", "Torbay"]  # not York (2022)
        assert all(dict(c.hit.attributes)["overall_effectiveness_grade"] == "inadequate" for c in answer.citations)
        assert "North Yorkshire — Ofsted inspection" in answer.text and "[1]" in answer.text and "[2]" in answer.text
        assert answer_to_dict(answer)["citations"][0]["attributes"]["inspection_end_date"] == "2023-06-30"
        leavers = answerer.answer("which councils had care leavers judged inadequate?")
        assert leavers.mode == "listed" and [c.hit.council for c in leavers.citations] == ["North Yorkshire"]
        none = answerer.answer("Which councils were judged good in 2022?")  # Devon was, in 2023
        assert none.mode == "listed" and none.citations == ()
        assert none.text == "No council was judged good for overall effectiveness in 2022, by the papers' own records."
        # No attribute answers it: quoted from passages, and the answer says the list may be incomplete.
        passages = CitedAnswerer(searcher).answer("Which councils said caseloads are manageable?")
        assert passages.mode == "extractive" and passages.notice and "only what the passages found" in passages.notice
        plain = CitedAnswerer(searcher).answer("How are care leavers supported in Torbay?")
        assert plain.mode == "extractive" and plain.notice is None
    finally:
        searcher.close()
