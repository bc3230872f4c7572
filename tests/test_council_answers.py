"""Answers name the right council: citations say whose paper, names match by identity, scoping holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from minutebook.answer import CitedAnswerer
from minutebook.answer.cite import format_citation, meeting_label, own_markers
from minutebook.answer.extractive import pick_sentences, topic_terms
from minutebook.answer.furniture import is_furniture
from minutebook.council.briefing import briefing_markdown
from minutebook.council.councils import council_key, display_name, matching, named_in, same_council
from minutebook.council.figures import figures_in
from minutebook.search.highlight import term_spans
from minutebook.text.words import contains_phrase, fold
from minutebook.types import Filters, Hit, Scope, SearchResult
from tests.answer_fakes import ExplodingGenerator


def ofsted(n: int, text: str, council: str, *, date: str = "2026-05-18", minute: str | None = "34",
           page: int | None = 7, score: float = 0.8, title: str | None = None) -> Hit:
    return Hit(chunk_id=n, doc_id=n, score=score, path=f"/ofsted/{n}_{council.lower()}/report.pdf",
               title=title or f"Inspection of {council} local authority children’s services", council=council,
               committee="Ofsted", date=date, doc_type="report", page=page, section=None, minute=minute,
               start_char=0, end_char=len(text), text=text)


class ScopedSearcher:
    """Answers like the real searcher: it reports the councils a question names, and honours --council."""

    def __init__(self, hits: list[Hit], known: list[str]) -> None:
        self.hits, self.known = hits, known
        self.calls: list[Filters | None] = []

    def search(self, query: str, filters: Filters | None = None, top_k: int = 10) -> SearchResult:
        self.calls.append(filters)
        hits = [h for h in self.hits if not (filters and filters.council) or same_council(h.council, filters.council)]
        return SearchResult(query, not hits, tuple(hits[:top_k]), Scope(tuple(named_in(query, self.known))))


# --- citations ----------------------------------------------------------------------------------


def test_an_ofsted_citation_names_the_council_the_report_and_the_paragraph() -> None:
    h = ofsted(1, "Care leavers are well supported.", "Norfolk")
    assert format_citation(h) == "Norfolk — Ofsted inspection, 18 May 2026, para 34, p. 7"
    visit = ofsted(2, "text", "Devon", title="Monitoring visit to Devon children’s services", minute=None, page=None)
    assert format_citation(visit) == "Devon — Ofsted monitoring visit, 18 May 2026"


def test_a_committee_citation_shows_the_canonical_council_name() -> None:
    h = ofsted(1, "text", "Devon County Council")
    h = Hit(**{**{f: getattr(h, f) for f in h.__slots__}, "committee": "Cabinet", "minute": "7.4", "page": 2})
    assert meeting_label(h) == "Devon — Cabinet, 18 May 2026"
    assert format_citation(h) == "Devon — Cabinet, 18 May 2026, item 7.4, p. 2"


def test_a_papers_own_reference_marker_is_shown_unlike_a_citation() -> None:
    text = "Caseloads rose sharply in the spring. [1] Agency staff were hired to cover vacancies."
    h = ofsted(1, text, "Norfolk")
    answer = CitedAnswerer(ScopedSearcher([h], ["Norfolk"]), ExplodingGenerator).answer("caseloads rose")
    assert answer.mode == "extractive"
    assert "⁽¹⁾" in answer.text and "spring. [1]" not in answer.text  # the paper's own mark
    assert answer.text.rstrip().endswith("[1]")  # the citation minutebook adds
    assert all("[1]" not in c.quote for c in answer.citations)
    brief = briefing_markdown(answer)
    assert "⁽¹⁾" in brief and "spring. [1]" not in brief
    assert own_markers("see [2, 3] and [4-6]") == "see ⁽²˒³⁾ and ⁽⁴⁻⁶⁾"


# --- typography ---------------------------------------------------------------------------------


def test_folding_makes_typed_and_printed_spellings_equal() -> None:
    assert fold("children’s “homes” – ﬁnance\u00a0plan") == "children's \"homes\" - finance plan"
    assert fold("a recom-\nmendation") == "a recommendation"
    assert contains_phrase("There are 12 children’s homes.", "children's homes")
    assert contains_phrase("There are 12 children's homes.", "children’s homes")
    assert contains_phrase("a multi\u00addisciplinary team", "multi-disciplinary team")
    text = "The ﬁnancial plan for children’s homes"
    spans = term_spans(text, ["financial"], ["children's homes"])
    assert [text[s:e] for s, e in spans] == ["ﬁnancial", "children’s homes"]


# --- council identity ---------------------------------------------------------------------------


def test_one_identity_per_council_and_near_names_do_not_match() -> None:
    assert council_key("Devon County Council") == council_key("devon") == "devon"
    assert display_name("Devon County Council") == "Devon"
    assert display_name("bournemouth, christchurch & poole") == "Bournemouth, Christchurch and Poole"
    assert display_name("City of York Council") == "York"
    known = ["York", "North Yorkshire", "East Riding of Yorkshire", "Devon"]
    assert matching("york", known) == ["York"]
    assert matching("City of York Council", known) == ["York"]
    assert matching("Devon County Council", known) == ["Devon"]
    assert named_in("caseloads in North Yorkshire", known) == ["North Yorkshire"]
    assert named_in("what did Ofsted say about York's care leavers?", known) == ["York"]
    assert named_in("care leavers in Yorkshire", known) == []


def test_a_council_is_not_guessed_from_incidental_body_text() -> None:
    from minutebook.ingest.metadata import guess_metadata

    body = ("Minutes of the Cabinet\n12 March 2024\n\n1. Rights of the child\n"
            + "Members noted the report. " * 200
            + "The United Nations Human Rights Council published guidance on children's rights. ")
    assert guess_metadata(body, Path("/papers/cabinet-2024-03-12.txt")).council is None


# --- sentence choice ----------------------------------------------------------------------------


def test_council_names_years_and_question_words_are_not_topic_words() -> None:
    hits = [ofsted(1, "text", "Norfolk")]
    assert topic_terms("What was said about caseloads in Norfolk in May 2023?", hits, ["Norfolk"]) == ["caseload"]


def test_the_topic_outweighs_the_council_name_in_sentence_choice() -> None:
    text = ("Norfolk has a comprehensive workforce offer for staff across Norfolk and its partners in Norfolk. "
            "Social workers' caseloads are manageable, which allows them to visit children often.")
    picks = pick_sentences("What was said about caseloads in Norfolk?", [ofsted(1, text, "Norfolk")], named=["Norfolk"])
    assert "caseloads are manageable" in picks[0].sentence.text
    assert all("workforce offer" not in p.sentence.text for p in picks)


@pytest.mark.parametrize("sentence", [
    "© Crown copyright 2026 You may reuse this information (not including logos) free of charge.",
    "Report published: 18 May 2026 Reference no: 80418.",
    "If you would like a copy of this document in a different format, please telephone 0300 123 1231.",
    "Inspection of Norfolk local authority children’s services 17 to 21 March 2026 7",
    "Contents Introduction 2 Summary of findings 3 Caseloads 5 Care leavers 9 Next steps 12",
])
def test_page_furniture_is_never_quoted(sentence: str) -> None:
    assert is_furniture(sentence, ofsted(1, sentence, "Norfolk"))


def test_a_real_sentence_is_not_furniture() -> None:
    s = "Care leavers in Norfolk told inspectors that their personal advisers help them find homes."
    assert not is_furniture(s, ofsted(1, s, "Norfolk"))


# --- scoping ------------------------------------------------------------------------------------


def test_a_named_council_scopes_the_answer_to_its_papers() -> None:
    devon = ofsted(1, "Care leavers in Devon are supported by personal advisers who know them well.", "Devon",
                   score=0.9)
    torbay = ofsted(2, "Care leavers in Torbay live in suitable homes and most are in education.", "Torbay",
                    score=0.6)
    answer = CitedAnswerer(ScopedSearcher([devon, torbay], ["Devon", "Torbay"]), ExplodingGenerator).answer(
        "care leavers in Torbay")
    assert answer.mode == "extractive"
    assert {c.hit.council for c in answer.citations} == {"Torbay"}


def test_when_the_named_councils_papers_do_not_cover_it_the_answer_says_so() -> None:
    devon = ofsted(1, "Care leavers in Devon are supported by personal advisers who know them well.", "Devon")
    searcher = ScopedSearcher([devon], ["Devon", "Torbay"])
    answer = CitedAnswerer(searcher, ExplodingGenerator).answer("care leavers in Torbay")
    assert answer.mode == "not_covered" and answer.sentences == ()
    assert answer.text == "Nothing in Torbay's papers answers this; the closest passages are from Devon."
    assert [c.hit.council for c in answer.citations] == ["Devon"]


# --- timeline figures ---------------------------------------------------------------------------


def test_a_paragraph_cross_reference_is_not_a_timeline_figure() -> None:
    text = ("Caseloads are discussed in paragraphs 58, 59 and 127. We are 100% sure caseloads will fall. "
            "Average caseloads fell to 17 children per social worker.")
    assert [f.phrase for f in figures_in(text)] == ["17 children"]


def test_the_timeline_chart_shows_one_unit_at_a_time() -> None:
    from minutebook.council.figures import Figure
    from minutebook.council.timeline import Timeline, TimelineEntry, TimelineFigure
    from minutebook_tui.widgets.timeline import chart_units

    def entry(date: str, *figures: tuple[float, str]) -> TimelineEntry:
        h = ofsted(1, "text", "Norfolk", date=date)
        figs = tuple(TimelineFigure(Figure(v, u, f"{v} {u}", "text", (0, 1)), "c") for v, u in figures)
        return TimelineEntry(date, "Ofsted", "Norfolk", "c", h, figs, (h,))

    t = Timeline("caseloads", (entry("2021-01-01", (19, "cases"), (93, "%")), entry("2023-01-01", (17, "cases")),
                               entry("2024-01-01", (88, "%"), (12, "children"))), False)
    assert chart_units(t) == ["%", "cases"]  # "children" has one figure: nothing to chart


def test_council_filter_and_phrases_hold_on_a_real_index(tmp_path: Path, minilm) -> None:
    """--council york finds York's paper only; a phrase typed with either apostrophe finds the same passages."""
    from minutebook import HybridSearcher, make_filters, sync

    papers = tmp_path / "papers"
    papers.mkdir()
    for name, council in (("york", "City of York Council"), ("north", "North Yorkshire County Council"),
                          ("east", "East Riding of Yorkshire Council")):
        (papers / f"{name}.txt").write_text(
            f"{council}\nCorporate Parenting Board\n12 March 2024\n\nMinutes\n\n"
            f"1. Sufficiency\nThe Board noted that {council} runs four children’s homes and needs more foster "
            "carers for teenagers.\n", encoding="utf-8")
    index = tmp_path / "index"
    sync(index, [papers], minilm)
    searcher = HybridSearcher(index, minilm)
    try:
        hits = searcher.search("children's homes", make_filters(council="york"), 10).hits
        assert hits and {display_name(h.council) for h in hits} == {"York"}
        curly = {h.chunk_id for h in searcher.search('"children’s homes"', None, 10).hits}
        straight = {h.chunk_id for h in searcher.search('"children\'s homes"', None, 10).hits}
        assert curly == straight and len(curly) == 3
    finally:
        searcher.close()
