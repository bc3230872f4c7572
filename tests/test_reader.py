"""The index as the app reads it: filter choices, a passage, its surroundings, the next passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from minutebook.service.reader import IndexReader
from minutebook.types import DOC_TYPES


@pytest.fixture()
def reader(corpus_index: Path):
    r = IndexReader(corpus_index)
    yield r
    r.close()


def test_facets_offer_the_committees_councils_and_dates_in_the_index(reader: IndexReader) -> None:
    facets = reader.facets()
    assert "Children and Young People's Services Scrutiny Committee" in facets.committees
    assert "West Sussex" in facets.councils  # each council once, by its canonical name
    assert "Devon" in facets.councils
    assert set(facets.doc_types) <= set(DOC_TYPES) and "minutes" in facets.doc_types
    assert facets.first_date == "2017-01-27"
    assert facets.last_date == "2023-07-17"


def test_a_passage_is_shown_in_the_text_around_it(reader: IndexReader, searcher) -> None:
    hit = searcher.search("caseloads").hits[0]
    ctx = reader.context(hit)
    a, b = ctx.highlight
    assert ctx.text[a:b] == hit.text
    assert len(ctx.text) > len(hit.text)  # there is text around it
    assert 1 <= ctx.ordinal <= ctx.passages


def test_passage_by_id_matches_the_search_hit(reader: IndexReader, searcher) -> None:
    hit = searcher.search("Ofsted focused visit").hits[0]
    again = reader.passage(hit.chunk_id)
    assert again is not None and again.doc_id == hit.doc_id and again.path == hit.path
    assert again.text in hit.text  # a merged hit holds this passage and its neighbour
    assert reader.passage(10_000_000) is None


def test_next_and_previous_walk_one_paper_in_order(reader: IndexReader, corpus_index: Path) -> None:
    from minutebook.index.sqlite.store import Store

    store = Store.open(corpus_index, readonly=True)
    doc = store.documents()[0]
    chunks = store.chunks_of(doc.id)
    store.close()
    first = reader.passage(chunks[0].id)
    assert first is not None
    assert reader.neighbour(first, -1) is None
    second = reader.neighbour(first, +1)
    assert second is not None and second.chunk_id == chunks[1].id and second.doc_id == doc.id
    assert reader.neighbour(second, -1) == first
    last = reader.passage(chunks[-1].id)
    assert last is not None and reader.neighbour(last, +1) is None


def test_next_passage_skips_what_a_merged_hit_already_shows(reader: IndexReader, corpus_index: Path) -> None:
    from dataclasses import replace

    from minutebook.index.sqlite.store import Store

    store = Store.open(corpus_index, readonly=True)
    doc = max(store.documents(), key=lambda d: len(store.chunks_of(d.id)))
    chunks = store.chunks_of(doc.id)
    store.close()
    first = reader.passage(chunks[0].id)
    assert first is not None and len(chunks) >= 4
    merged = replace(first, end_char=chunks[1].chunk.end_char)
    nxt = reader.neighbour(merged, +1)
    assert nxt is not None and nxt.chunk_id == chunks[2].id
