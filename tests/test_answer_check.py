"""The checker flags what the cited passages do not back."""

from minutebook.answer import check_sentence, check_text, citation_markers
from minutebook.answer.check import strip_markers

SOURCES = {
    1: "Caseloads were variable with a current average of nineteen per social worker at Worcester.\n"
       "Children and Families Overview and Scrutiny Panel\n2017-01-27\n27 Jan 2017\n27 January 2017",
    2: "Members raised concerns about caseloads, with some social workers holding more than 30 cases.\n"
       "Children's Scrutiny Committee\n2021-07-29\n29 Jul 2021\n29 July 2021",
}


def test_a_sentence_backed_by_its_source_is_supported() -> None:
    s = check_sentence("Some social workers held more than 30 cases in July 2021.", (2,), SOURCES)
    assert s.supported and s.reason is None
    # Number words and digits meet: the passage says "nineteen".
    assert check_sentence("The average caseload was 19 at Worcester.", (1,), SOURCES).supported


def test_a_number_missing_from_the_cited_passage_is_flagged() -> None:
    s = check_sentence("Some social workers held more than 45 cases.", (2,), SOURCES)
    assert not s.supported and s.reason == "45 is not in [2]"


def test_a_number_from_another_passage_does_not_count() -> None:
    s = check_sentence("Some social workers held more than 30 cases at Worcester.", (1,), SOURCES)
    assert not s.supported and "30 is not in [1]" in (s.reason or "")


def test_a_name_missing_from_the_cited_passage_is_flagged() -> None:
    s = check_sentence("Caseloads were discussed by the panel in Birmingham.", (1,), SOURCES)
    assert not s.supported and "Birmingham is not in [1]" in (s.reason or "")


def test_a_citation_to_a_passage_not_retrieved_is_flagged() -> None:
    s = check_sentence("Members raised concerns about caseloads.", (9,), SOURCES)
    assert not s.supported and s.reason == "cites [9], which was not retrieved"


def test_a_sentence_without_a_citation_is_flagged() -> None:
    s = check_sentence("Members raised concerns about caseloads.", (), SOURCES)
    assert not s.supported and s.reason == "cites no passage"


def test_words_unrelated_to_the_passage_are_flagged() -> None:
    s = check_sentence("the weather was pleasant and sunny throughout the afternoon", (2,), SOURCES)
    assert not s.supported and "most of its words" in (s.reason or "")


def test_check_text_splits_and_reads_markers() -> None:
    text = ("Members raised concerns about caseloads [2]. Caseloads averaged 19 [1]. "
            "The council is bankrupt [9]. Caseloads rose to 45 [2].")
    result = check_text(text, SOURCES)
    assert [s.supported for s in result] == [True, True, False, False]
    assert result[0].text == "Members raised concerns about caseloads." and result[0].citations == (2,)
    assert result[2].reason == "cites [9], which was not retrieved"
    assert (result[3].reason or "").startswith("45 is not in [2]")


def test_marker_parsing() -> None:
    assert citation_markers("a [1][3, 4] b [1]") == [1, 3, 4]
    assert strip_markers("Caseloads rose [2].") == "Caseloads rose."


def test_a_refusal_fails_when_the_question_is_answerable_and_passes_when_not() -> None:
    refusal = check_sentence("The papers do not say.", (), SOURCES, answerable=True)
    assert not refusal.supported and "quoted answer answers this" in (refusal.reason or "")
    assert check_sentence("The papers do not say.", (), SOURCES, answerable=False).supported


def test_an_echoed_instruction_is_never_supported_even_when_it_cites() -> None:
    s = check_sentence("You answer questions about council committee papers.", (2,), SOURCES)
    assert not s.supported and s.reason == "repeats the instructions, not the papers"


def test_a_sentence_is_supported_only_when_most_of_its_words_are_in_what_it_cites() -> None:
    # Three of its seven content words are in [2]: a third was enough once, "most" means more than half.
    s = check_sentence("Members raised concerns about pay, pensions, parking and holidays.", (2,), SOURCES)
    assert not s.supported and "most of its words are not in [2]" in (s.reason or "")
    assert check_sentence("Members raised concerns about caseloads of social workers.", (2,), SOURCES).supported


def test_talk_about_the_evidence_is_not_an_answer() -> None:
    s = check_sentence("This is a summary of the papers.", (2,), SOURCES)
    assert not s.supported and s.reason == "says nothing about what the papers say"
    # Words about the papers are ignored, not counted against a sentence that says something.
    assert check_sentence("The papers say members raised concerns about caseloads.", (2,), SOURCES).supported


def test_a_refusal_in_other_words_fails_when_answerable_even_with_a_citation() -> None:
    for refusal in ("The sentences do not mention caseloads.", "There is no information about caseloads.",
                    "I cannot answer questions about caseloads."):
        s = check_sentence(refusal, (2,), SOURCES, answerable=True)
        assert not s.supported and "quoted answer answers this" in (s.reason or ""), refusal


def test_the_summary_instructions_echoed_are_never_supported() -> None:
    for echo in ("Answer the question from these sentences only, in one to three short sentences.",
                 "Numbered sentences quoted from council committee papers, each with its meeting."):
        s = check_sentence(echo, (2,), SOURCES)
        assert not s.supported and s.reason == "repeats the instructions, not the papers", echo
