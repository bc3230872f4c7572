"""The embedded engine: a SQLite database with FTS5 keywords, and FAISS vector files beside it."""
