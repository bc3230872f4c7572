"""Symbolic links are followed once, by real path: no paper skipped, none indexed twice, loops reported."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from minutebook import sync
from minutebook.index.sqlite.store import Store
from tests.fake_embedder import HashingEmbedder

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
reliability = importlib.import_module("reliability")


def stored_paths(index: Path) -> list[str]:
    store = Store.open(index, readonly=True)
    try:
        return [d.path for d in store.documents()]
    finally:
        store.close()


def layout(tmp_path: Path) -> tuple[Path, Path]:
    """papers/ with a paper, a sub-folder and a link to a folder elsewhere; elsewhere/ holds one paper."""
    papers, elsewhere = tmp_path / "papers", tmp_path / "elsewhere"
    reliability.make_papers(papers, range(2))
    reliability.make_papers(papers / "2023", range(2, 4))
    reliability.make_papers(elsewhere, range(4, 6))
    (papers / "shared-drive").symlink_to(elsewhere, target_is_directory=True)
    return papers, elsewhere


def test_a_linked_sub_folder_is_indexed(tmp_path: Path) -> None:
    papers, _ = layout(tmp_path)
    report = sync(tmp_path / "index", [papers], HashingEmbedder())
    assert len(report.added) == 6 and not report.failed
    assert sum("/shared-drive/" in p for p in stored_paths(tmp_path / "index")) == 2


def test_a_linked_root_and_its_folder_are_one_corpus(tmp_path: Path) -> None:
    papers, _ = layout(tmp_path)
    link = tmp_path / "papers-link"
    link.symlink_to(papers, target_is_directory=True)
    index = tmp_path / "index"
    first = sync(index, [link], HashingEmbedder())
    assert len(first.added) == 6
    again = sync(index, [papers, link], HashingEmbedder())  # the same folder by both names
    assert again.added == () and len(again.unchanged) == 6
    paths = stored_paths(index)
    assert len(paths) == 6 and all(p.startswith(str(papers.resolve())) for p in paths)


def test_a_paper_reached_by_two_paths_is_indexed_once_by_its_own_path(tmp_path: Path) -> None:
    papers, _ = layout(tmp_path)
    (papers / "2023-again").symlink_to(papers / "2023", target_is_directory=True)  # a second way in
    (papers / "alias.txt").symlink_to(papers / "paper-00000.txt")
    index = tmp_path / "index"
    report = sync(index, [papers], HashingEmbedder())
    paths = stored_paths(index)
    assert len(report.added) == 6 and len(paths) == len(set(map(os.path.realpath, paths))) == 6
    assert str(papers / "2023" / "paper-00002.txt") in paths and str(papers / "paper-00000.txt") in paths


def test_a_folder_link_loop_is_reported_and_everything_else_indexed(tmp_path: Path) -> None:
    papers, _ = layout(tmp_path)
    (papers / "2023" / "back-up").symlink_to(papers, target_is_directory=True)  # points at its own ancestor
    report = sync(tmp_path / "index", [papers], HashingEmbedder())
    assert len(report.added) == 6
    [loop] = report.failed
    assert loop.path == str(papers / "2023" / "back-up") and "symbolic link loop" in loop.reason


def test_a_paper_first_indexed_through_a_link_is_not_kept_twice(tmp_path: Path) -> None:
    """Indexed by its link path, then met at its own path too: moved to its own path, not copied."""
    papers, elsewhere = layout(tmp_path)
    index = tmp_path / "index"
    sync(index, [papers], HashingEmbedder())
    report = sync(index, [papers, elsewhere], HashingEmbedder())
    paths = stored_paths(index)
    assert len(report.moved) == 2 and report.added == () and report.chunks_embedded == 0
    assert len(paths) == 6 and sum(p.startswith(str(elsewhere)) for p in paths) == 2
