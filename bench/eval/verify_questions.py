"""Check the retrieval evaluation set in questions.jsonl against the corpus.

Every answer must name exactly one corpus file (its `path` is a substring of
that file's path) and carry a `quote` that occurs exactly once in the file's
text, so the relevant span is unambiguous. Text is read the way the indexer
reads it: .txt as UTF-8, PDFs page by page with pypdfium2 joined by "\\n".

Usage:
    python bench/eval/verify_questions.py [--questions FILE] [--corpus DIR ...]

Prints one line per problem, then counts by kind and split; exits 1 when any
problem is found.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_QUESTIONS = HERE / "questions.jsonl"
DEFAULT_CORPUS = (
    Path("/work/main/corpus"),
    Path("/work/shared/corpus/ofsted-ilacs"),
)
KINDS = {"paraphrase", "keyword", "council", "date", "number", "unanswerable"}
SPLITS = {"tune", "heldout", "aside"}
TEXT_SUFFIXES = {".txt"}
MIN_WORDS, MAX_WORDS = 5, 25


def list_corpus(roots: list[Path]) -> list[Path]:
    """Return every readable document under the roots, each file once."""
    seen: dict[Path, Path] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES | {".pdf"}:
                seen.setdefault(path.resolve(), path)
    return list(seen.values())


def extract_text(path: Path) -> str:
    """Return the document text exactly as the indexer sees it."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8")
    import pypdfium2 as pdfium  # heavy: only when a PDF is actually checked

    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def check_record(record: dict, line_no: int, files: list[Path], texts: dict[Path, str]) -> list[str]:
    """Return the problems found in one question record."""
    where = f"line {line_no} ({record.get('id', '?')})"
    problems: list[str] = []
    for key in ("id", "query", "split", "kinds", "answers"):
        if key not in record:
            problems.append(f"{where}: missing key {key!r}")
    if problems:
        return problems
    if not str(record["query"]).strip():
        problems.append(f"{where}: empty query")
    if record["split"] not in SPLITS:
        problems.append(f"{where}: split {record['split']!r} is not one of {sorted(SPLITS)}")
    kinds = record["kinds"]
    if not kinds or not set(kinds) <= KINDS:
        problems.append(f"{where}: kinds {kinds!r} must be a non-empty subset of {sorted(KINDS)}")
    unanswerable = "unanswerable" in kinds
    if unanswerable and (record["answers"] or len(kinds) != 1):
        problems.append(f"{where}: an unanswerable question has kinds ['unanswerable'] and no answers")
    if not unanswerable and not record["answers"]:
        problems.append(f"{where}: no answers but not marked unanswerable")
    for n, answer in enumerate(record["answers"], 1):
        problems.extend(check_answer(answer, f"{where} answer {n}", files, texts))
    return problems


def check_answer(answer: dict, where: str, files: list[Path], texts: dict[Path, str]) -> list[str]:
    """Return the problems with one answer: its path must be unique, its quote exact and unique."""
    path_part, quote = answer.get("path", ""), answer.get("quote", "")
    if not path_part or not quote:
        return [f"{where}: answer needs both 'path' and 'quote'"]
    problems: list[str] = []
    if "\n" in quote:
        problems.append(f"{where}: quote spans a line break")
    words = len(quote.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"{where}: quote has {words} words, want {MIN_WORDS}-{MAX_WORDS}")
    matches = [f for f in files if path_part in f.as_posix()]
    if len(matches) != 1:
        shown = ", ".join(f.name for f in matches[:3])
        return problems + [f"{where}: path {path_part!r} matches {len(matches)} files {shown}".rstrip()]
    doc = matches[0]
    if doc not in texts:
        texts[doc] = extract_text(doc)
    count = texts[doc].count(quote)
    if count != 1:
        problems.append(f"{where}: quote found {count} times in {doc.name}: {quote!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Verify the question file; print problems and counts; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--corpus", type=Path, action="append", help="corpus folder (repeatable)")
    args = parser.parse_args(argv)
    roots = args.corpus or list(DEFAULT_CORPUS)
    files = list_corpus(roots)
    texts: dict[Path, str] = {}
    problems: list[str] = []
    records: list[dict] = []
    for line_no, line in enumerate(args.questions.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {line_no}: not JSON ({exc})")
            continue
        records.append(record)
        problems.extend(check_record(record, line_no, files, texts))
    for name, count in Counter(r.get("id") for r in records).items():
        if count > 1:
            problems.append(f"id {name!r} used {count} times")
    for name, count in Counter(str(r.get("query", "")).strip().lower() for r in records).items():
        if count > 1:
            problems.append(f"query {name!r} used {count} times")
    for problem in problems:
        print(problem)
    print(f"{len(records)} questions, {len(files)} corpus files, {len(problems)} problems")
    print("by split:", dict(sorted(Counter(r.get("split") for r in records).items())))
    kinds = Counter(k for r in records for k in r.get("kinds", []))
    print("by kind:", dict(sorted(kinds.items())))
    for split in sorted(SPLITS):
        per = Counter(k for r in records if r.get("split") == split for k in r.get("kinds", []))
        print(f"  {split}:", dict(sorted(per.items())))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
