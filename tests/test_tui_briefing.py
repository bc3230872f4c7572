"""The Markdown briefing the app exports (library code in minutebook.council.briefing)."""

from __future__ import annotations

from datetime import date

from minutebook.council.briefing import briefing_filename, briefing_markdown
from minutebook.types import Answer, AnswerSentence, Citation, Filters, Hit

HIT = Hit(chunk_id=1, doc_id=1, score=0.9, path="corpus/devon.txt", title="Report of the <SOG>",
          council="Devon County Council", committee="Children's Scrutiny Committee", date="2021-07-29",
          doc_type="report", page=2, section=None, minute="4.1", start_char=0, end_char=10,
          text="Caseloads rose to 30.")


def test_file_name_is_made_from_the_question_and_the_day() -> None:
    assert briefing_filename("what was said about caseloads?", date(2026, 11, 23)) == \
        "briefing-caseloads-2026-11-23.md"
    assert briefing_filename("Ofsted focused visit findings", date(2026, 1, 2)) == \
        "briefing-ofsted-focused-visit-findings-2026-01-02.md"
    assert briefing_filename("???", date(2026, 1, 2)) == "briefing-2026-01-02.md"


def test_briefing_quotes_sources_with_full_citations_and_flags_unsupported_sentences() -> None:
    answer = Answer(
        question="What about caseloads?", mode="generated",
        text="Caseloads rose to 30 [1]. They fell later [1].",
        sentences=(AnswerSentence("Caseloads rose to 30 [1].", (1,), True),
                   AnswerSentence("They fell later [1].", (1,), False, "source does not say this")),
        citations=(Citation(1, HIT, "Caseloads rose to 30."),), weak=False, model="gemma-3-270m")
    md = briefing_markdown(answer, Filters(committee="Children", since="2021-01-01"), date(2026, 11, 23))
    assert md.startswith("# What about caseloads?\n")
    assert "Prepared 23 Nov 2026" in md
    assert "Searched: committee Children, from 1 Jan 2021." in md
    assert "[1] **Devon — Children's Scrutiny Committee, 29 Jul 2021, item 4.1, p. 2**" in md
    assert "> Caseloads rose to 30." in md
    assert "- They fell later [1]. (source does not say this)" in md
    assert "Report of the &lt;SOG&gt;" in md  # paper text cannot inject HTML into the note
    assert "gemma-3-270m" in md
