"""Sync: file -> Document -> Chunk -> vectors + index rows, kept in step with folders of papers."""
