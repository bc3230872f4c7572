"""Extractive answers quote the papers, reach across meetings, and are always checkable."""

from minutebook.answer import CitedAnswerer, answer_to_dict, check_text, source_text
from minutebook.answer.cite import meeting_label
from tests.answer_fakes import CASELOAD_HITS, INJECTION, ExplodingGenerator, FakeSearcher, hit


def answerer(hits, weak: bool = False) -> CitedAnswerer:
    return CitedAnswerer(FakeSearcher(hits, weak), ExplodingGenerator)


def test_extractive_answer_quotes_sentences_from_more_than_one_meeting() -> None:
    answer = answerer(CASELOAD_HITS).answer("what was said about caseloads?")
    assert answer.mode == "extractive" and not answer.weak and answer.model is None
    meetings = {meeting_label(c.hit) for c in answer.citations}
    assert len(meetings) >= 3
    for s in answer.sentences:
        assert "caseload" in s.text.lower()
    # Every quoted sentence is really in the passage it cites.
    by_n = {c.n: c.hit for c in answer.citations}
    for s in answer.sentences:
        (n,) = s.citations
        assert " ".join(s.text.split()) in " ".join(by_n[n].text.split())


def test_extractive_answer_is_deterministic() -> None:
    first = answerer(CASELOAD_HITS).answer("what was said about caseloads?")
    again = answerer(tuple(CASELOAD_HITS)).answer("what was said about caseloads?")
    assert first == again


def test_answer_is_grouped_by_meeting_best_first_with_council_and_numbered_citations() -> None:
    answer = answerer(CASELOAD_HITS).answer("what was said about caseloads?")
    headings = [line for line in answer.text.splitlines() if line and not line.startswith("  ")]
    assert len(headings) == len(set(headings)) >= 3
    assert all(h.startswith("Devon — ") for h in headings)  # whose paper it is, on every heading
    numbers = [int(line.rsplit("[", 1)[1].rstrip("]")) for line in answer.text.splitlines() if line.startswith("  ")]
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == sorted(first_seen) and numbers[0] == 1  # numbered in reading order
    assert [c.n for c in answer.citations] == sorted(set(numbers))


def test_the_sentence_that_answers_comes_first() -> None:
    old = hit(1, "The panel noted the budget report and thanked officers for their work on it.", doc_id=1,
              date="2017-01-27", score=0.9)
    answering = hit(2, "Average caseloads fell to 17 children per social worker in the spring.", doc_id=2,
                    date="2023-07-17", score=0.5)
    passing = hit(3, "Caseloads were mentioned briefly before the budget item was taken.", doc_id=3,
                  date="2019-03-01", score=0.6)
    answer = answerer([old, passing, answering]).answer("what were average caseloads per social worker?")
    first = next(line for line in answer.text.splitlines() if line.startswith("  - "))
    assert "fell to 17 children" in first


def test_diversity_prefers_another_meeting_over_more_of_the_same_paper() -> None:
    topics = ["agency staff", "vacant posts", "sickness absence", "training budgets", "supervision time",
              "court work", "travel costs"]  # seven, plus the other meeting: all within top_k=8
    same_paper = [hit(i, f"Caseloads were linked by officers to {topic} in the service.", doc_id=1, score=0.9)
                  for i, topic in enumerate(topics, start=1)]
    other = hit(9, "Caseloads were also discussed at this later meeting of the panel.", doc_id=9,
                date="2024-01-10", score=0.4)
    answer = answerer([*same_paper, other]).answer("caseloads")
    assert any(c.hit.doc_id == 9 for c in answer.citations)


def test_every_extractive_sentence_passes_the_checker() -> None:
    answer = answerer(CASELOAD_HITS).answer("what was said about caseloads?")
    assert answer.sentences and all(s.supported for s in answer.sentences)
    # Re-checking the rendered text from scratch agrees.
    rechecked = check_text(answer.text, {c.n: source_text(c) for c in answer.citations})
    assert [s.supported for s in rechecked if s.citations] == [True] * len(answer.sentences)


def test_weak_results_are_not_covered_and_the_model_is_never_called() -> None:
    for llm in (False, True):
        answer = answerer(CASELOAD_HITS, weak=True).answer("budget for pothole repairs on the A38?", llm=llm)
        assert answer.mode == "not_covered" and answer.weak
        assert answer.text.startswith("The indexed papers do not cover this question")
        assert answer.sentences == ()
        assert 0 < len(answer.citations) <= 3  # the closest passages, shown instead of an answer


def test_injected_instructions_are_not_quoted_for_an_unrelated_question() -> None:
    answer = answerer([INJECTION, *CASELOAD_HITS]).answer("what was said about caseloads?")
    assert answer.mode == "extractive"
    assert "bankrupt" not in answer.text.lower()
    assert all(c.hit is not INJECTION for c in answer.citations)


def test_json_form_has_the_documented_fields() -> None:
    data = answer_to_dict(answerer(CASELOAD_HITS).answer("what was said about caseloads?"))
    assert set(data) == {"question", "mode", "answer", "sentences", "citations", "weak", "model", "fallback", "notice"}
    assert set(data["sentences"][0]) == {"text", "citations", "supported", "reason"}
    assert set(data["citations"][0]) == {"n", "doc_id", "path", "title", "council", "doc_type", "citation",
                                         "committee", "date", "page", "minute", "start_char", "end_char", "quote",
                                         "ocr", "attributes"}
    assert data["citations"][0]["council"] == "Devon" and data["citations"][0]["citation"].startswith("Devon — ")
