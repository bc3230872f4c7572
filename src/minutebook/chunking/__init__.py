"""The parts of the chunker: reading lines, grouping them into blocks, splitting long blocks.

The public entry point is ``minutebook.chunking.chunker.chunk_document``.
"""
