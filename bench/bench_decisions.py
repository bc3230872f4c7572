"""Precision and recall of decision extraction and speaker attribution on the sample corpus.

    python bench/bench_decisions.py [--corpus DIR] [--details]

Gold: bench/eval/decisions.jsonl and bench/eval/speakers.jsonl, annotated by hand from the five
papers in corpus/ (each line: the paper, an exact quote, the kind or speaker, the role). A found
decision matches a gold one when its span holds the quote and the kind agrees; an attribution
matches when its statement holds the quote and the role (and, for the speaker figures, the
name or title) agrees. Matching is one to one. Prints one JSON object with a "markdown" table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
EVAL = REPO / "bench" / "eval"


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _prf(tp_sys: int, n_sys: int, tp_gold: int, n_gold: int) -> dict[str, float | int]:
    p = tp_sys / n_sys if n_sys else 1.0
    r = tp_gold / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "found": n_sys, "gold": n_gold,
            "matched": tp_gold}


def _papers(corpus: Path):  # type: ignore[no-untyped-def]
    from minutebook import read_document

    return {p.name: read_document(p) for p in sorted(corpus.glob("*.txt")) if p.name != "README.md"}


def eval_decisions(corpus: Path, details: bool) -> dict:
    from minutebook.chunking.chunker import chunk_document
    from minutebook.chunking.tokens import word_piece_counter
    from minutebook.council.decisions import KINDS, extract

    gold = _load("decisions.jsonl")
    docs = _papers(corpus)
    counter = word_piece_counter()
    found: list[tuple[str, object, str | None]] = []  # (paper, Found, minute)
    for name, doc in docs.items():
        chunks = chunk_document(doc, counter)
        for f in extract(doc.text, doc.metadata.committee):
            minute = next((c.minute for c in chunks if c.start_char <= f.start < c.end_char), None)
            found.append((name, f, minute))
    used: set[int] = set()
    matched: list[tuple[dict, object, str | None]] = []
    missed: list[dict] = []
    for g in gold:
        pos = docs[g["doc"]].text.index(g["quote"])
        k = next((i for i, (name, f, _m) in enumerate(found) if i not in used and name == g["doc"]
                  and f.kind == g["kind"] and f.start <= pos < f.end), None)  # type: ignore[attr-defined]
        if k is None:
            missed.append(g)
            continue
        used.add(k)
        matched.append((g, found[k][1], found[k][2]))
    out: dict = {"all": _prf(len(used), len(found), len(matched), len(gold))}
    for kind in KINDS:
        n_sys = sum(1 for _n, f, _m in found if f.kind == kind)  # type: ignore[attr-defined]
        tp_sys = sum(1 for i in used if found[i][1].kind == kind)  # type: ignore[attr-defined]
        n_gold = sum(1 for g in gold if g["kind"] == kind)
        tp_gold = sum(1 for g, _f, _m in matched if g["kind"] == kind)
        out[kind] = _prf(tp_sys, n_sys, tp_gold, n_gold)
    with_owner = [(g, f) for g, f, _m in matched if g["owner"]]
    right = sum(1 for g, f in with_owner if any(g["owner"].casefold() in f"{p.name or ''} {p.position or ''}".casefold()
                                                for p in f.owners))  # type: ignore[attr-defined]
    out["owner_accuracy"] = {"right": right, "of": len(with_owner),
                             "accuracy": round(right / len(with_owner), 3) if with_owner else None}
    minutes = sum(1 for g, _f, m in matched if m == g["minute"])
    out["minute_accuracy"] = {"right": minutes, "of": len(matched),
                              "accuracy": round(minutes / len(matched), 3) if matched else None}
    if details:
        out["missed"] = missed
        out["extra"] = [{"doc": n, "kind": f.kind, "text": f.text[:160]}  # type: ignore[attr-defined]
                        for i, (n, f, _m) in enumerate(found) if i not in used]
    return out


def eval_speakers(corpus: Path, details: bool) -> dict:
    from minutebook.council.speakers import attributions_in

    gold = _load("speakers.jsonl")
    docs = _papers(corpus)
    found = [(name, a) for name, doc in docs.items() for a in attributions_in(doc.text, doc.metadata.committee)]
    out: dict = {}
    for level in ("role", "speaker"):
        used: set[int] = set()
        missed = []
        for g in gold:
            pos = docs[g["doc"]].text.index(g["quote"])
            key = g["speaker"].casefold()
            k = next((i for i, (name, a) in enumerate(found) if i not in used and name == g["doc"]
                      and a.start <= pos < a.end and a.role == g["role"]
                      and (level == "role" or key in f"{a.speaker} {a.position or ''}".casefold())), None)
            if k is None:
                missed.append(g)
            else:
                used.add(k)
        out[level] = _prf(len(used), len(found), len(gold) - len(missed), len(gold))
        if details:
            out[level]["missed"] = missed
            out[level]["extra"] = [{"doc": n, "speaker": a.speaker, "role": a.role,
                                    "text": docs[n].text[a.start:a.end][:120]}
                                   for i, (n, a) in enumerate(found) if i not in used]
    return out


def markdown(dec: dict, spk: dict) -> str:
    rows = ["| what | precision | recall | F1 | found | gold |", "|---|---|---|---|---|---|"]
    for label, m in [("decisions, all kinds", dec["all"]), *((f"decisions: {k}", dec[k]) for k in
                     ("resolution", "recommendation", "action")),
                     ("speaker attribution: role", spk["role"]), ("speaker attribution: who", spk["speaker"])]:
        rows.append(f"| {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} "
                    f"| {m['found']} | {m['gold']} |")
    oa, ma = dec["owner_accuracy"], dec["minute_accuracy"]
    rows += ["", f"Who a matched decision falls to: {oa['right']} of {oa['of']} right; "
             f"its minute number: {ma['right']} of {ma['of']} right.",
             "Gold: bench/eval/decisions.jsonl and speakers.jsonl, hand-annotated from corpus/."]
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    ap.add_argument("--details", action="store_true", help="list what was missed and what was extra")
    args = ap.parse_args()
    dec = eval_decisions(args.corpus, args.details)
    spk = eval_speakers(args.corpus, args.details)
    result = {"decisions": dec, "speakers": spk, "markdown": markdown(dec, spk)}
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
