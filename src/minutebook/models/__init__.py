"""Models minutebook runs: the embedding model and the local language model."""
