"""Which FAISS index holds the chunk vectors, chosen by how many there are.

Below ``EXACT_LIMIT`` vectors the index is exact: ``IndexIDMap2(IndexFlatIP)``, every query
compared with every vector. Above it, an inverted file with 8-bit scalar quantisation
(``IndexIVFScalarQuantizer``, storing chunk ids itself) compares a query with the vectors of
the ``nprobe`` lists nearest to it, in a quarter of the memory: at a million passages the exact
index needs 1.5 GB and ~220 ms per query, the quantised one 0.4 GB and ~10 ms.
Both support adding and removing vectors by chunk id, which sync needs; HNSW does not remove.

The index type is part of the serialized file, so a loaded file says what it is; ``nprobe``
is not always kept by serialization, so it is set after loading (``configure``) and passed
with every search. Figures behind the constants: ``bench/bench_search.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# Exact search is used below this many vectors. Measured with `bench/bench_search.py --faiss-only`
# (FAISS alone, one query, k=100, 2 cores shared with other work): exact took 36-52 ms p50 from
# 10k to 100k vectors (mostly waiting on its second thread; ~0.35 ms per 1,000 vectors on one),
# 88 ms at 300k and 220 ms at 1M; the quantised index 0.1-1.4 ms at recall@10 >= 0.95 and a
# quarter of the memory. Small indexes stay exact (recall 1, nothing to train, < 75 MB); by
# 50k the exact scan costs as much as the rest of a search and the lists train well
# (over 40 points each).
EXACT_LIMIT = 50_000
# Training sample: enough points per list for k-means to place the centroids, and a cap so
# training a million vectors takes seconds, not minutes.
TRAIN_PER_LIST = 50
MAX_TRAIN = 200_000
# Lists a query visits, chosen so that recall@10 against exact is >= 0.95: measured 0.951 at
# 64 of 346 lists (30k), 0.958 at 64 of 632 (100k), 0.951 at 128 of 1095 (300k), 0.965 at
# 128 of 2000 (1M); nlist/8 with at least 64 stays at or above those.
PROBE_SHARE = 1 / 8
MIN_PROBES = 64
# A filtered search visits more lists, since only a share of each list's vectors may be returned.
MAX_FILTER_WIDENING = 16


def wants_ann(count: int, threshold: int = EXACT_LIMIT) -> bool:
    """Whether ``count`` vectors belong in the approximate index."""
    return count >= threshold


def lists_for(count: int) -> int:
    """Number of inverted lists for ``count`` vectors (about 2·√n, so lists hold ~√n/2 each)."""
    return max(16, int(2 * math.sqrt(max(count, 1))))


def probes_for(nlist: int) -> int:
    """Lists visited per query for an index with ``nlist`` lists."""
    return min(nlist, max(MIN_PROBES, int(nlist * PROBE_SHARE)))


def exact_index(dimension: int) -> Any:
    """An empty exact index keyed by chunk id."""
    import faiss

    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def build_ann(ids: np.ndarray, vectors: np.ndarray, dimension: int, *, nlist: int | None = None) -> Any:
    """A trained IVF + SQ8 index holding ``vectors`` under ``ids`` (unit vectors, inner product)."""

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    nlist = nlist or lists_for(len(vectors))
    index = untrained_ann(dimension, nlist)
    index.train(training_sample(vectors, nlist))
    add_in_batches(index, ids, vectors)
    configure(index)
    return index


def untrained_ann(dimension: int, nlist: int) -> Any:
    """An empty IVF + SQ8 index for unit vectors; train it before adding."""
    import faiss

    # The index keeps the chunk ids itself: an IDMap around an IVF would remove wrongly,
    # since it assumes the inner index renumbers its vectors on removal.
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    # Keep the quantizer alive with the index (SWIG does not own it otherwise).
    index.own_fields = True
    quantizer.this.disown()
    return index


def sample_size(count: int, nlist: int) -> int:
    """How many of ``count`` vectors to train ``nlist`` lists on."""
    return min(count, max(nlist * TRAIN_PER_LIST, 10_000), MAX_TRAIN)


def training_sample(vectors: np.ndarray, nlist: int, seed: int = 0) -> np.ndarray:
    """An evenly random sample of ``vectors`` to train ``nlist`` lists on."""
    size = sample_size(len(vectors), nlist)
    if size >= len(vectors):
        return vectors
    pick = np.sort(np.random.default_rng(seed).choice(len(vectors), size, replace=False))
    return np.ascontiguousarray(vectors[pick])


def add_in_batches(index: Any, ids: np.ndarray, vectors: np.ndarray, batch: int = 65_536) -> None:
    for i in range(0, len(ids), batch):
        index.add_with_ids(
            np.ascontiguousarray(vectors[i : i + batch], dtype=np.float32),
            np.ascontiguousarray(ids[i : i + batch], dtype=np.int64),
        )


def is_ann(index: Any) -> bool:
    import faiss

    return isinstance(index, faiss.IndexIVF)


def configure(index: Any) -> None:
    """Set what serialization may not keep (``nprobe``) on a built or loaded index."""
    if is_ann(index):
        index.nprobe = probes_for(index.nlist)


def exact_contents(index: Any) -> tuple[np.ndarray, np.ndarray]:
    """The (ids, vectors) of an exact index, to train an approximate one when it outgrows it."""
    import faiss

    ids = faiss.vector_to_array(index.id_map).astype(np.int64)
    vectors = index.index.reconstruct_n(0, index.ntotal) if len(ids) else np.empty((0, index.d), np.float32)
    return ids, np.asarray(vectors, dtype=np.float32)


def bitmap_selector(allowed: np.ndarray) -> Any:
    """A FAISS selector admitting exactly the chunk ids in ``allowed``.

    A bitmap over ids costs one bit per id up to the largest (125 kB per million) and is built
    with numpy in a millisecond, where a hash set of half a million ids takes tens.
    """
    import faiss

    allowed = np.asarray(allowed, dtype=np.int64)
    top = int(allowed.max()) + 1 if len(allowed) else 1
    mask = np.zeros(top, dtype=bool)
    mask[allowed] = True
    return faiss.IDSelectorBitmap(np.packbits(mask, bitorder="little"))


def search_params(index: Any, selector: Any | None, share: float = 1.0) -> Any:
    """Search parameters for ``index``: its ``nprobe``, widened when only ``share`` of it may match."""
    import faiss

    if is_ann(index):
        nprobe = probes_for(index.nlist)
        if share < 1.0:
            # Only `share` of each visited list may be returned: visit more lists so that about as
            # many admissible vectors are compared as in an unfiltered search (up to a limit).
            widen = min(MAX_FILTER_WIDENING, 1.0 / max(share, 1e-9))
            nprobe = min(index.nlist, math.ceil(nprobe * widen))
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        if selector is not None:
            params.sel = selector
        return params
    return faiss.SearchParameters(sel=selector) if selector is not None else None
