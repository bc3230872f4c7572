"""minutebook: local, offline search and cited answers over council committee papers.

Importing this package is cheap: torch, FAISS, llama.cpp and the document readers load only
when a function needs them.
"""

__version__ = "0.1.0"
