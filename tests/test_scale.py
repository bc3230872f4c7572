"""Large indexes stay fast: exact search while small, an approximate index past a size, and
filters and common words that do not make a million-passage search read everything."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from minutebook.index.sqlite import ann
from minutebook.index.sqlite.store import Store
from minutebook.index.sqlite.vectors import VectorFile, VectorIndex
from minutebook.search.hybrid import HybridSearcher, Ranking
from minutebook.types import Filters
from tests.fake_embedder import HashingEmbedder

DIM = 32
WORDS = ("budget", "housing", "transport", "libraries", "planning", "waste", "parks", "schools")


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    """Clustered unit vectors, like passages on a few dozen topics."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, DIM))
    v = centres[rng.integers(0, 40, n)] + 0.6 * rng.normal(size=(n, DIM))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _exact_top(vecs: np.ndarray, ids: np.ndarray, q: np.ndarray, k: int) -> set[int]:
    return set(ids[np.argsort(-(vecs @ q))[:k]].tolist())


def test_small_index_is_exact_and_outgrowing_the_threshold_makes_it_approximate() -> None:
    vecs = _vectors(5000)
    ids = np.arange(1, 5001, dtype=np.int64)
    vi = VectorIndex.empty(DIM, threshold=3000)
    vi.add(ids[:2000], vecs[:2000])
    assert not ann.is_ann(vi.index), "2,000 vectors under a threshold of 3,000 stay exact"
    got, _ = vi.search(vecs[7], 1)
    assert got.tolist() == [8]
    vi.add(ids[2000:], vecs[2000:])
    assert ann.is_ann(vi.index), "crossing the threshold trains the approximate index"
    assert vi.count == 5000
    hits = [len(_exact_top(vecs, ids, q, 10) & set(vi.search(q, 10)[0].tolist())) / 10 for q in vecs[:50]]
    assert np.mean(hits) >= 0.9, f"recall@10 against exact {np.mean(hits):.2f}"


def test_rebuild_from_the_database_chooses_the_type_by_size(tmp_path: Path) -> None:
    folder = _index(tmp_path, _vectors(4000))
    store = Store.open(folder)
    try:
        assert not ann.is_ann(VectorIndex.from_store(store, DIM, threshold=10_000).index)
        big = VectorIndex.from_store(store, DIM, threshold=1000)
        assert ann.is_ann(big.index) and big.count == 4000
    finally:
        store.close()


def test_removed_passages_never_come_back_from_the_approximate_index() -> None:
    vecs = _vectors(4000, seed=1)
    ids = np.arange(100, 4100, dtype=np.int64)
    vi = VectorIndex.empty(DIM, threshold=1000)
    vi.add(ids, vecs)
    assert ann.is_ann(vi.index)
    removed = ids[::3]
    vi.remove(removed.tolist())
    vi.add(np.arange(5000, 5200, dtype=np.int64), _vectors(200, seed=2))
    assert vi.count == 4000 - len(removed) + 200
    gone = set(removed.tolist())
    for q in vecs[::3][:100]:  # each query is a removed passage's own vector
        got, _ = vi.search(q, 50)
        assert len(got) == 50 and not gone & set(got.tolist())


def test_a_written_and_reloaded_index_searches_as_before(tmp_path: Path) -> None:
    vecs = _vectors(4000, seed=3)
    ids = np.arange(1, 4001, dtype=np.int64)
    vi = VectorIndex.empty(DIM, threshold=1000)
    vi.add(ids, vecs)
    record = vi.write(tmp_path, 1)
    loaded = VectorIndex.load(tmp_path, VectorFile(record.name, record.sha256, record.count), DIM)
    assert ann.is_ann(loaded.index), "the file says which kind of index it is"
    assert loaded.index.nprobe == ann.probes_for(loaded.index.nlist) > 1
    for q in vecs[:30]:
        assert loaded.search(q, 10)[0].tolist() == vi.search(q, 10)[0].tolist()
    # nprobe is passed with every search, so an index left at one probe still searches widely.
    loaded.index.nprobe = 1
    hits = [len(_exact_top(vecs, ids, q, 10) & set(loaded.search(q, 10)[0].tolist())) / 10 for q in vecs[:50]]
    assert np.mean(hits) >= 0.9


def test_filtered_search_over_a_large_allowed_set_uses_faiss_not_the_database(tmp_path: Path) -> None:
    folder = _index(tmp_path, _vectors(4000, seed=4), threshold=1000)
    searcher = HybridSearcher(folder, HashingEmbedder(DIM), Ranking(exact_filter_limit=500))
    read: list[int] = []
    vectors_for = searcher._store.vectors_for

    def counting(ids: list[int], dimension: int) -> np.ndarray:
        read.append(len(ids))
        return vectors_for(ids, dimension)

    searcher._store.vectors_for = counting  # type: ignore[method-assign]
    try:
        result = searcher.search("housing budget", Filters(council="Eastshire"), 10)
        assert ann.is_ann(searcher._vectors.index)  # type: ignore[union-attr]
    finally:
        searcher.close()
    assert len(result.hits) == 10
    assert {h.council for h in result.hits} == {"Eastshire"}
    assert max(read) <= 400, f"read {max(read)} vectors from the database for 2,000 allowed passages"


def test_selector_returns_only_allowed_ids_from_either_index() -> None:
    vecs = _vectors(4000, seed=5)
    ids = np.arange(1, 4001, dtype=np.int64)
    allowed = ids[ids % 4 == 0]
    for threshold in (10_000, 1000):
        vi = VectorIndex.empty(DIM, threshold=threshold)
        vi.add(ids, vecs)
        for q in vecs[:40]:
            got, _ = vi.search(q, 20, allowed)
            assert len(got) == 20 and set(got.tolist()) <= set(allowed.tolist())


def test_common_words_do_not_propose_but_a_rare_word_still_does(tmp_path: Path) -> None:
    folder = _index(tmp_path, _vectors(4000, seed=6))
    searcher = HybridSearcher(folder, HashingEmbedder(DIM), Ranking(mode="keyword", keyword_rows=400))
    try:
        # "budget" is in an eighth of the passages, "zebra" in one: only "zebra" proposes.
        result = searcher.search("budget zebra", None, 5)
        assert "zebra" in result.hits[0].text
        assert searcher._without_common_terms('("budget" OR "zebra")', 400) == '("zebra")'
        common = searcher.search("budget housing", None, 5)
        assert common.hits, "with only common words, the rarest still proposes in keyword mode"
    finally:
        searcher.close()


def _index(tmp_path: Path, vecs: np.ndarray, threshold: int | None = None) -> Path:
    """An index of len(vecs) passages in two councils, with their vectors' file committed."""
    folder = tmp_path / "index"
    store = Store.open(folder, create=True)
    conn = store.conn
    with store.transaction():
        store.set_meta({"dimension": str(DIM), "embed_model_id": HashingEmbedder.model_id, "normalised": "1"})
        for d, council in enumerate(("Eastshire", "Westshire"), start=1):
            conn.execute(
                "INSERT INTO documents (id, path, sha256, format, size, mtime_ns, title, council, committee,"
                " meeting_date, doc_type, page_count, pages, text, indexed_at)"
                " VALUES (?, ?, ?, 'txt', 1, 1, ?, ?, 'Cabinet', '2024-01-01', 'minutes', 1, '[]', '', '')",
                (d, f"/papers/{d}.txt", f"sha{d}", f"{council} Cabinet", council))
        for i, v in enumerate(vecs, start=1):
            text = f"passage {i} about {WORDS[i % len(WORDS)]}" + (" and a zebra" if i == 1234 else "")
            conn.execute(
                "INSERT INTO chunks (id, doc_id, ordinal, start_char, end_char, text, embed_hash)"
                " VALUES (?, ?, ?, 0, 10, ?, ?)", (i, 1 + i % 2, i, text, f"h{i}"))
            conn.execute("INSERT INTO embeddings (hash, vector) VALUES (?, ?)", (f"h{i}", v.tobytes()))
            conn.execute("INSERT INTO chunks_fts (rowid, text, context) VALUES (?, ?, '')", (i, text))
        store.refresh_councils()  # each paper's council identity, as a sync gives it
        vi = VectorIndex.from_store(store, DIM, threshold=threshold)
        store.set_meta({**vi.write(folder, 1).as_meta(), "generation": "1"})
    store.close()
    return folder
