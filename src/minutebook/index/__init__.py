"""The index engines: SQLite + FAISS on disk, or PostgreSQL + pgvector on a server."""
