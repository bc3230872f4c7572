"""Sentence splitting copes with the way council papers are written."""

from minutebook.answer.cite import format_citation, format_date, trim_quote
from minutebook.answer.sentences import split_sentences
from tests.answer_fakes import hit


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_titles_abbreviations_and_decimals_do_not_end_sentences() -> None:
    text = ("Cllr. Smith asked about caseloads, e.g. in the Children in Care team. The Director (Mr. J. Jones) "
            "said the average was 24.5 per worker; see para. 3.2 of the report. Members were concerned!")
    assert texts(text) == [
        "Cllr. Smith asked about caseloads, e.g. in the Children in Care team.",
        "The Director (Mr. J. Jones) said the average was 24.5 per worker; see para. 3.2 of the report.",
        "Members were concerned!",
    ]


def test_numbered_minutes_bullets_and_headings_start_new_sentences() -> None:
    text = ("4. Social Care Caseloads\n4.1 Members noted the report\n- Recruitment of 12 social workers by Sept. 2022\n"
            "• Review at 7 p.m. The meeting closed.\n\nRESOLVED: that the report be noted.")
    assert texts(text) == [
        "Social Care Caseloads",
        "Members noted the report",
        "Recruitment of 12 social workers by Sept. 2022",
        "Review at 7 p.m.",
        "The meeting closed.",
        "RESOLVED: that the report be noted.",
    ]


def test_offsets_point_back_into_the_text_and_wrapped_lines_join() -> None:
    text = "The Director said the average was 24 per\nworker in July. Next sentence here."
    first, second = split_sentences(text)
    assert first.text == "The Director said the average was 24 per worker in July."
    assert text[first.start:first.end] == "The Director said the average was 24 per\nworker in July."
    assert text[second.start:second.end] == "Next sentence here."


def test_a_citation_after_the_full_stop_stays_with_its_sentence() -> None:
    assert texts("Caseloads rose. [2] Agency staff were hired. [1][3]") == [
        "Caseloads rose. [2]", "Agency staff were hired. [1][3]"]


def test_citation_reads_as_people_quote_it() -> None:
    h = hit(1, "text", committee="Children's Scrutiny Committee", date="2021-07-29", minute="4.1", page=2)
    assert format_citation(h) == "Devon — Children's Scrutiny Committee, 29 Jul 2021, item 4.1, p. 2"
    assert format_date("2017-01-27") == "27 Jan 2017"
    bare = hit(2, "text", committee=None, date=None, minute=None, page=None)  # type: ignore[arg-type]
    assert format_citation(bare) == "Devon — Paper 2"


def test_trimmed_quote_keeps_the_cited_words_and_marks_cuts() -> None:
    text = "word " * 200 + "THE CITED SENTENCE." + " word" * 200
    start = text.index("THE CITED")
    quote = trim_quote(text, start, start + len("THE CITED SENTENCE."), max_chars=120)
    assert "THE CITED SENTENCE." in quote
    assert quote.startswith("… ") and quote.endswith(" …")
    assert len(quote) <= 130
