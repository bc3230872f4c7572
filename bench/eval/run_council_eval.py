"""Answers that name the right council: right-council rate, on-topic rate and answering-sentence recall.

    python bench/eval/run_council_eval.py --index bench/work/ofsted-index [--json-stdout]

Each question in ``council_questions.jsonl`` names a council (and sometimes a committee or a
year); the extractive answer is scored on three things, for the tuned and the held-aside
questions separately:

* **right council** — of the passages the answer quotes, the share from the council named;
* **on topic** — of the sentences quoted, the share that mention the topic (any of the
  question's ``topic`` words, typography folded, any ending);
* **answer recall** — the share of questions whose answer quotes one of the answering
  sentences (at least six consecutive words of it, or all of it when shorter).

An answer that says the named council's papers do not cover the question quotes nothing: it
counts against recall, not against the two rates.

List questions (``council_lists.jsonl``: "Which councils were judged inadequate in 2023?", each
with the papers and councils Ofsted's manifest says, judged by the inspection's last day) are scored
apart, against the expected papers the index holds:
**listed** (the share answered from the papers' attributes, mode ``listed``), **precision** (of the
councils the answer lists, the share expected) and **recall** (of the expected councils, the
share listed), over all questions of a split together.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
TARGETS = {"right_council": 0.98, "on_topic": 0.9}


def _norm(text: str) -> list[str]:
    from minutebook.text.words import fold

    return re.findall(r"\w+", fold(text).lower())


def quotes_answer(sentence: str, answer: str, run: int = 6) -> bool:
    """Whether ``sentence`` holds ``answer`` (``run`` consecutive words of it, or all of it)."""
    s, a = " ".join(_norm(sentence)), _norm(answer)
    if len(a) <= run:
        return " ".join(a) in s
    return any(" ".join(a[i:i + run]) in s for i in range(len(a) - run + 1))


def on_topic(sentence: str, topic: list[str]) -> bool:
    from minutebook.text.words import fold

    low = " ".join(fold(sentence).lower().split())
    return any(re.search(r"\b" + re.escape(" ".join(fold(t).lower().split())), low) for t in topic)


def score(question: dict, answer) -> dict:
    from minutebook.council.councils import same_council

    cited = {c.n: c.hit for c in answer.citations}
    quoted = [s for s in answer.sentences if s.citations] if answer.mode == "extractive" else []
    used = sorted({n for s in quoted for n in s.citations if n in cited})
    return {
        "id": question["id"], "split": question["split"], "mode": answer.mode,
        "citations": len(used),
        "right": sum(1 for n in used if same_council(cited[n].council, question["council"])),
        "sentences": len(quoted),
        "on_topic": sum(1 for s in quoted if on_topic(s.text, question["topic"])),
        "answered": any(quotes_answer(s.text, a) for s in quoted for a in question["answers"]),
        "wrong": sorted({cited[n].council or "?" for n in used
                         if not same_council(cited[n].council, question["council"])}),
    }


def summarise(rows: list[dict]) -> dict:
    c = sum(r["citations"] for r in rows)
    s = sum(r["sentences"] for r in rows)
    return {
        "n": len(rows),
        "right_council": round(sum(r["right"] for r in rows) / c, 3) if c else None,
        "on_topic": round(sum(r["on_topic"] for r in rows) / s, 3) if s else None,
        "answer_recall": round(sum(r["answered"] for r in rows) / len(rows), 3) if rows else None,
        "not_covered": sum(1 for r in rows if r["mode"] != "extractive"),
        "citations": c, "sentences": s,
    }


def score_list(question: dict, answer, indexed: list[str]) -> dict:
    """Scored against the expected papers the index holds (a paper that failed to read cannot be listed)."""
    from minutebook.council.councils import same_council

    listed = sorted({c.hit.council or "?" for c in answer.citations}) if answer.mode == "listed" else []
    held = [p for p in question["papers"] if any(p in path for path in indexed)]
    expected = sorted({p.split("/", 1)[0].split("_", 1)[1] for p in held})
    return {
        "id": question["id"], "split": question["split"], "mode": answer.mode,
        "listed": len(listed), "expected": len(expected),
        "right": sum(1 for c in listed if any(same_council(c, e) for e in expected)),
        "found": sum(1 for e in expected if any(same_council(c, e) for c in listed)),
        "missing": [e for e in expected if not any(same_council(c, e) for c in listed)],
        "expected_in_manifest": len(question["councils"]),
        "extra": [c for c in listed if not any(same_council(c, e) for e in expected)],
    }


def summarise_lists(rows: list[dict]) -> dict:
    listed, expected = sum(r["listed"] for r in rows), sum(r["expected"] for r in rows)
    return {
        "n": len(rows),
        "answered_from_attributes": round(sum(r["mode"] == "listed" for r in rows) / len(rows), 3) if rows else None,
        "precision": round(sum(r["right"] for r in rows) / listed, 3) if listed else None,
        "recall": round(sum(r["found"] for r in rows) / expected, 3) if expected else None,
        "councils_listed": listed, "councils_expected": expected,
    }


def lists_markdown(groups: dict[str, dict]) -> str:
    lines = ["| list questions | n | answered from attributes | precision | recall |", "|---|---|---|---|---|"]
    for name, g in groups.items():
        lines.append(f"| {name} | {g['n']} | {g['answered_from_attributes']} | {g['precision']} "
                     f"({g['councils_listed']} listed) | {g['recall']} ({g['councils_expected']} expected) |")
    return "\n".join(lines)


def markdown(groups: dict[str, dict]) -> str:
    lines = ["| questions | n | right council | on topic | answer recall | not covered |", "|---|---|---|---|---|---|"]
    for name, g in groups.items():
        lines.append(f"| {name} | {g['n']} | {g['right_council']} ({g['citations']} passages) | "
                     f"{g['on_topic']} ({g['sentences']} sentences) | {g['answer_recall']} | {g['not_covered']} |")
    lines.append("")
    lines.append(f"Targets: right council >= {TARGETS['right_council']}, on topic >= {TARGETS['on_topic']}.")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=REPO / "bench" / "work" / "ofsted-index")
    ap.add_argument("--questions", type=Path, default=HERE / "council_questions.jsonl")
    ap.add_argument("--lists", type=Path, default=HERE / "council_lists.jsonl", help="list questions")
    ap.add_argument("--json-stdout", action="store_true", help="print results as JSON (for bench/run.py)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print each question's misses")
    args = ap.parse_args()

    sys.path.insert(0, str(REPO / "src"))
    from minutebook import HybridSearcher, index_embedder
    from minutebook.answer import CitedAnswerer
    from minutebook.config import load_settings

    questions = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    searcher = HybridSearcher(args.index, index_embedder(load_settings(index=args.index)))
    answerer = CitedAnswerer(searcher)
    rows = []
    for q in questions:
        answer = answerer.answer(q["question"])
        row = score(q, answer)
        rows.append(row)
        if args.verbose and (row["wrong"] or not row["answered"] or row["on_topic"] < row["sentences"]):
            print(f"{q['id']} {q['question']!r}: {row}", file=sys.stderr)
            for s in answer.sentences:
                print(f"    {'+' if on_topic(s.text, q['topic']) else '-'} {s.text[:140]}", file=sys.stderr)
    list_rows = []
    indexed = [d.path for d in searcher._store.documents()]
    if args.lists.exists():
        for q in (json.loads(line) for line in args.lists.read_text(encoding="utf-8").splitlines() if line.strip()):
            row = score_list(q, answerer.answer(q["question"]), indexed)
            list_rows.append(row)
            if args.verbose and (row["missing"] or row["extra"] or row["mode"] != "listed"):
                print(f"{q['id']} {q['question']!r}: {row}", file=sys.stderr)
    searcher.close()
    by_split: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_split[r["split"]].append(r)
    groups = {"all": summarise(rows), **{f"split:{k}": summarise(v) for k, v in sorted(by_split.items())}}
    lists_by_split: dict[str, list[dict]] = defaultdict(list)
    for r in list_rows:
        lists_by_split[r["split"]].append(r)
    list_groups = {"all": summarise_lists(list_rows),
                   **{f"split:{k}": summarise_lists(v) for k, v in sorted(lists_by_split.items())}}
    text = markdown(groups) + ("\n\n" + lists_markdown(list_groups) if list_rows else "")
    if args.json_stdout:
        print(json.dumps({"markdown": text, "groups": groups, "lists": list_groups,
                          "list_rows": list_rows}, indent=2))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
