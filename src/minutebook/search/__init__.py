"""Search: a query understood, candidates from the index, ranked into hits."""
