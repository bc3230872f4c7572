"""Ranking over what an index's read view returns: fusion, boosts, confidence, weak signal, merging.

No index here: a fake view holds two papers' text and their passages, and each test states what
the view returned for a query (cosines, BM25 scores, how rare the words are).
"""

from __future__ import annotations

from dataclasses import replace

from minutebook import parse_query
from minutebook.search.ranking import Evidence, Ranking, idf, named_years, rank
from minutebook.types import Passage

MINUTES = (
    "Members asked about caseloads. "
    "The average caseload was 19 children per worker. "
    "Agency staff covered the vacancies. "
    "Any other business: none."
)
LETTER = "Inspectors found that supervision was regular and reflective. Leaders know their services well."


class FakeView:
    """The reads ranking needs of a view, over papers held in memory."""

    def __init__(self) -> None:
        self.papers = {1: MINUTES, 2: LETTER}
        self.asked: list[tuple[int, int, int]] = []

    def paper_text(self, doc_id: int, start: int, end: int) -> str:
        self.asked.append((doc_id, start, end))
        return self.papers[doc_id][start:end]


def _passages(doc_id: int, text: str, first_id: int, **paper: object) -> dict[int, Passage]:
    out: dict[int, Passage] = {}
    start = 0
    for ordinal, sentence in enumerate(s + "." for s in text.split(". ") if s):
        sentence = sentence.removesuffix("..") + ("" if sentence.endswith(".") else ".")
        at = text.index(sentence.rstrip("."), start)
        end = at + len(sentence.rstrip("."))
        fields = {"council": "Devon County Council", "committee": "Children's Scrutiny", "date": "2021-07-29",
                  "doc_type": "minutes", "title": "Minutes", "boilerplate": False, **paper}
        out[first_id + ordinal] = Passage(
            chunk_id=first_id + ordinal, doc_id=doc_id, ordinal=ordinal, start_char=at, end_char=end, page=1,
            section=None, minute=None, text=text[at:end], path=f"/papers/{doc_id}.txt", **fields)  # type: ignore[arg-type]
        start = end
    return out


MINUTE_PASSAGES = _passages(1, MINUTES, 10)  # 10 asked, 11 the figure, 12 agency staff, 13 AOB
LETTER_PASSAGES = _passages(2, LETTER, 20, council="Norfolk County Council", date="2023-03-01",
                            doc_type="ofsted", title="Inspection letter")
ALL = {**MINUTE_PASSAGES, **LETTER_PASSAGES}
RARE = {"caseloads": idf(2, 1000), "supervision": idf(5, 1000), "children": idf(600, 1000)}
NO_MERGE = Ranking(merge_adjacent=False)


def test_the_fake_passages_are_the_papers_sentences() -> None:
    assert MINUTE_PASSAGES[11].text == "The average caseload was 19 children per worker"
    assert LETTER_PASSAGES[21].text == "Leaders know their services well"


def test_a_passage_both_rankers_like_beats_one_only_either_likes() -> None:
    q = parse_query("caseloads")
    # 20: the closest in meaning, no keyword; 11: the best keywords, the furthest in meaning; 10: both good.
    ev = Evidence({k: ALL[k] for k in (10, 11, 20)}, cosines={10: 0.85, 11: 0.5, 20: 0.9},
                  keyword={10: 8.0, 11: 10.0}, idf=RARE)
    assert rank(q, ev, NO_MERGE, 3, FakeView()).hits[0].chunk_id == 10
    heavier = replace(NO_MERGE, dense_weight=0.9)
    assert [h.chunk_id for h in rank(q, ev, heavier, 3, FakeView()).hits] == [20, 10, 11]


def test_dense_and_keyword_modes_use_one_score_each() -> None:
    q = parse_query("caseloads")
    ev = Evidence({k: ALL[k] for k in (10, 11)}, cosines={10: 0.9, 11: 0.5}, keyword={10: 1.0, 11: 9.0}, idf=RARE)
    assert rank(q, ev, Ranking(mode="dense", merge_adjacent=False), 2, FakeView()).hits[0].chunk_id == 10
    keyword_only = replace(ev, cosines=None)
    assert rank(q, keyword_only, Ranking(mode="keyword", merge_adjacent=False), 2, FakeView()).hits[0].chunk_id == 11


def test_glossary_terms_count_for_less_than_the_words_typed() -> None:
    q = parse_query("caseloads")
    ev = Evidence({k: ALL[k] for k in (11, 20)}, cosines={11: 0.5, 20: 0.5}, keyword={11: 1.0}, expansion={20: 3.0},
                  idf=RARE)
    assert rank(q, ev, NO_MERGE, 2, FakeView()).hits[0].chunk_id == 11  # 0.3 x 3.0 < 1.0
    ev = replace(ev, expansion={20: 4.0})
    assert rank(q, ev, NO_MERGE, 2, FakeView()).hits[0].chunk_id == 20  # 0.3 x 4.0 > 1.0


def test_a_council_or_year_named_in_the_question_ranks_its_passages_up() -> None:
    q = parse_query("supervision in Norfolk")
    ev = Evidence({k: ALL[k] for k in (11, 20, 21)}, cosines={11: 0.62, 20: 0.6, 21: 0.2},
                  keyword={11: 2.0, 20: 2.0}, idf=RARE)
    assert rank(q, ev, NO_MERGE, 2, FakeView()).hits[0].chunk_id == 11
    named = rank(q, replace(ev, named=frozenset({"Norfolk County Council"})), NO_MERGE, 2, FakeView())
    assert named.hits[0].chunk_id == 20
    assert named.scope.councils == ("Norfolk County Council",)
    years = named_years("supervision reported in 2022")
    by_year = rank(q, replace(ev, years=years), NO_MERGE, 2, FakeView())
    assert by_year.hits[0].chunk_id == 20, "papers of the year after the one named report on it"
    assert by_year.scope.years == ("2022",)
    no_after = rank(q, replace(ev, years=years), replace(NO_MERGE, year_after=0.0), 2, FakeView())
    assert no_after.hits[0].chunk_id == 11


def test_boilerplate_ranks_below_substance() -> None:
    q = parse_query("any other business")
    aob = replace(ALL[13], boilerplate=True)
    ev = Evidence({13: ALL[13], 20: ALL[20], 21: ALL[21]}, cosines={13: 0.7, 20: 0.65, 21: 0.2},
                  keyword={13: 3.0, 20: 2.5}, idf=RARE)
    assert [h.chunk_id for h in rank(q, ev, NO_MERGE, 2, FakeView()).hits] == [13, 20]
    furniture = rank(q, replace(ev, passages={**ev.passages, 13: aob}), NO_MERGE, 2, FakeView())
    assert [h.chunk_id for h in furniture.hits] == [20, 13]
    assert furniture.hits[1].boilerplate


def test_phrases_and_exclusions_drop_passages_whatever_their_scores() -> None:
    ev = Evidence({k: ALL[k] for k in (10, 11, 12)}, cosines={10: 0.9, 11: 0.8, 12: 0.7},
                  keyword={10: 5.0, 11: 4.0, 12: 3.0}, idf=RARE)
    phrase = rank(parse_query('"average caseload"'), ev, NO_MERGE, 3, FakeView())
    assert [h.chunk_id for h in phrase.hits] == [11]
    excluded = rank(parse_query("caseloads -agency"), ev, NO_MERGE, 3, FakeView())
    assert [h.chunk_id for h in excluded.hits] == [10, 11]


def test_adjacent_passages_nearly_as_relevant_are_one_hit_with_the_text_between() -> None:
    q = parse_query("caseloads")
    ev = Evidence({k: ALL[k] for k in (10, 11, 12, 20)}, cosines={10: 0.8, 11: 0.85, 12: 0.2, 20: 0.6},
                  keyword={10: 4.0, 11: 4.5}, idf=RARE)
    view = FakeView()
    result = rank(q, ev, Ranking(), 3, view)
    first = result.hits[0]
    assert (first.chunk_id, first.start_char) == (11, ALL[10].start_char), "joined, starting where 10 starts"
    assert first.text == MINUTES[ALL[10].start_char:ALL[11].end_char]
    assert view.asked == [(1, ALL[10].start_char, ALL[11].end_char)]
    assert [h.chunk_id for h in result.hits] == [11, 20, 12], \
        "12 is next to a shown passage, far less relevant: listed on its own, not joined and not dropped"
    apart = rank(q, ev, NO_MERGE, 3, FakeView())
    assert [h.chunk_id for h in apart.hits] == [11, 10, 20]


def test_a_weaker_neighbour_is_never_dropped_and_results_stay_bounded() -> None:
    q = parse_query("caseloads")
    # 10..13 are one paper's consecutive passages, all nearly as relevant as each other.
    ev = Evidence({k: ALL[k] for k in (10, 11, 12, 13, 20)},
                  cosines={10: 0.8, 11: 0.85, 12: 0.79, 13: 0.78, 20: 0.1},
                  keyword={10: 4.0, 11: 4.0, 12: 3.9, 13: 3.9}, idf=RARE)
    hits = rank(q, ev, Ranking(), 5, FakeView()).hits
    first = hits[0]
    assert first.chunk_id == 11 and first.end_char - first.start_char < ALL[13].end_char - ALL[10].start_char, \
        "a result joins at most two passages, however many neighbours are as relevant"
    for k in (10, 11, 12, 13):
        assert any(h.doc_id == 1 and h.start_char <= ALL[k].start_char < h.end_char for h in hits), \
            f"passage {k} is shown, joined or on its own"
    wide = rank(q, ev, Ranking(merge_parts=4), 5, FakeView()).hits
    assert (wide[0].start_char, wide[0].end_char) == (ALL[10].start_char, ALL[13].end_char)


def test_a_passage_mostly_inside_a_listed_result_is_not_listed_again() -> None:
    q = parse_query("caseloads")
    a, b = ALL[10], ALL[11]
    # A window overlapping 11 by most of its length (a transcript's overlapping windows) and one barely.
    mostly = replace(b, chunk_id=30, ordinal=2, start_char=b.start_char + 2, end_char=b.end_char + 3,
                     text=MINUTES[b.start_char + 2:b.end_char + 3])
    barely = replace(a, chunk_id=31, ordinal=0, start_char=a.start_char, end_char=b.start_char + 3,
                     text=MINUTES[a.start_char:b.start_char + 3])
    ev = Evidence({11: b, 30: mostly, 31: barely, 20: ALL[20]}, cosines={11: 0.9, 30: 0.6, 31: 0.5, 20: 0.1},
                  keyword={11: 4.0}, idf=RARE)
    assert [h.chunk_id for h in rank(q, ev, NO_MERGE, 4, FakeView()).hits] == [11, 31, 20]


def test_a_speaker_named_in_the_question_ranks_their_turns_up() -> None:
    q = parse_query("What did the Project Manager say about caseloads?")
    said = {10: [("Marketing", ALL[10].start_char, ALL[10].end_char)],
            11: [("Project Manager", ALL[11].start_char, ALL[11].end_char)]}
    ev = Evidence({k: ALL[k] for k in (10, 11, 20)}, cosines={10: 0.8, 11: 0.7, 20: 0.1},
                  keyword={10: 4.0, 11: 3.5}, idf=RARE, said=said)
    assert rank(q, ev, replace(NO_MERGE, speaker_boost=0.0), 2, FakeView()).hits[0].chunk_id == 10
    preferring = NO_MERGE  # the default prefers them
    assert rank(q, ev, preferring, 2, FakeView()).hits[0].chunk_id == 11
    other = parse_query("What was said about caseloads?")
    assert rank(other, ev, preferring, 2, FakeView()).hits[0].chunk_id == 10, "no speaker named, no preference"


def test_scores_are_comparable_across_queries_and_a_weak_set_says_so() -> None:
    q = parse_query("caseloads")
    sure = Evidence({k: ALL[k] for k in (10, 20, 21)}, cosines={10: 0.7, 20: 0.3, 21: 0.1}, keyword={10: 5.0},
                    idf=RARE)
    result = rank(q, sure, NO_MERGE, 2, FakeView())
    assert not result.weak
    assert result.hits[0].score == 1.0, "a close, keyword-matching passage is full confidence"
    assert 0 < result.hits[1].score < result.hits[0].score
    vague = Evidence({k: ALL[k] for k in (20, 21)}, cosines={20: 0.25, 21: 0.2}, idf=RARE)
    weak = rank(q, vague, NO_MERGE, 2, FakeView())
    assert weak.weak and weak.hits, "passages are shown, flagged as weak"
    assert weak.hits[0].score < 0.55
    common = rank(parse_query("children caseloads"), replace(vague, cosines={20: 0.25, 21: 0.2}),
                  NO_MERGE, 2, FakeView())
    assert common.weak


def test_a_common_word_matching_says_little_and_a_rare_one_a_lot() -> None:
    ev = Evidence({11: ALL[11]}, cosines={11: 0.35}, keyword={11: 2.0}, idf=RARE)
    common_only = rank(parse_query("children precept"), replace(ev, idf={**RARE, "precept": idf(1, 1000)}),
                       NO_MERGE, 1, FakeView())
    rare = rank(parse_query("caseloads children"), ev, NO_MERGE, 1, FakeView())
    assert common_only.weak
    assert not rare.weak
    assert rare.hits[0].score > common_only.hits[0].score


def test_an_empty_pool_is_weak_with_no_hits() -> None:
    result = rank(parse_query("caseloads"), Evidence({}, cosines={}), Ranking(), 5, FakeView())
    assert result.weak and result.hits == ()


def test_a_speaker_is_named_by_their_label_or_a_word_only_they_have() -> None:
    from minutebook.search.query import named_speakers

    labels = {"Grad C", "PhD F", "PhD A", "Professor B", "Cllr Hughes", "Cllr Ahmed"}
    assert named_speakers("What did F think about the XML format?", labels) == {"PhD F"}
    assert named_speakers("what did the professor say about hiring", labels) == set(), \
        "a word alone is matched as the label writes it"
    assert named_speakers("What did the Professor say about hiring?", labels) == {"Professor B"}
    assert named_speakers("what did cllr hughes say", labels) == {"Cllr Hughes"}
    assert named_speakers("A budget was agreed", labels) == set(), "a capital opening the question names nobody"
    assert named_speakers("What did PhD students say", labels) == set(), "a word two labels share names nobody"
