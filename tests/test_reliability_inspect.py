"""`minutebook inspect` shows every passage it is given, even one with no text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from minutebook.cli import main


@pytest.mark.parametrize("empty", ["", "   ", "\n\n"])
def test_inspect_shows_a_passage_with_no_text_instead_of_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], empty: str,
) -> None:
    import minutebook.chunking.chunker as chunking

    real = chunking.chunk_document

    def with_an_empty_passage(doc, count):  # type: ignore[no-untyped-def]
        chunks = real(doc, count)
        return [*chunks, dataclasses.replace(chunks[-1], ordinal=len(chunks), text=empty)]

    monkeypatch.setattr(chunking, "chunk_document", with_an_empty_passage)
    paper = tmp_path / "minutes.txt"
    paper.write_text("Children's Scrutiny Committee\n\nThe committee noted the caseloads report.\n", encoding="utf-8")

    assert main(["inspect", str(paper)]) == 0
    out = capsys.readouterr().out
    assert "passages    2" in out
    assert "     Children's Scrutiny Committee" in out.splitlines()  # the first passage, as before
    assert out.rstrip().endswith("(no text)")


def test_inspect_shows_the_first_line_with_words_when_a_passage_opens_blank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import minutebook.chunking.chunker as chunking

    real = chunking.chunk_document
    monkeypatch.setattr(chunking, "chunk_document", lambda doc, count: [
        dataclasses.replace(c, text="\n" + c.text) for c in real(doc, count)])
    paper = tmp_path / "minutes.txt"
    paper.write_text("The committee noted the caseloads report.\n", encoding="utf-8")

    assert main(["inspect", str(paper)]) == 0
    assert "     The committee noted the caseloads report." in capsys.readouterr().out.splitlines()
