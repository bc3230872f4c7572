"""Reliability bench for the index itself: damaged database files and folders minutebook may not write.

    .venv/bin/python bench/reliability_index.py      # writes its section of bench/RELIABILITY.md

A real index of corpus/ (real MiniLM, FAISS, SQLite) is built once with `minutebook index`. Each
damage case copies it and overwrites whole pages of the database file, as a failing disk does;
each unwritable case makes the folder unwritable in a way that holds for root too. Every command
runs in-process through `minutebook.cli.main` (one process per case, so the model loads once),
and what it printed is recorded: exit code, lines on stderr, a traceback or not.
tests/test_reliability_damaged_index.py and tests/test_reliability_unwritable_index.py check the
same promises in `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
PY = sys.executable
DB = "minutebook.sqlite"
START, END = "<!-- index-damage:start -->", "<!-- index-damage:end -->"

DRIVER = """
import contextlib, io, json, sys, time
from minutebook.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except BaseException:
            import traceback
            traceback.print_exc(file=err)
            code = -1
    results.append({"argv": argv, "code": code, "out": out.getvalue(), "err": err.getvalue(),
                    "seconds": round(time.monotonic() - started, 2)})
print(json.dumps(results))
"""

READS = [["search", "caseloads"], ["search", "--json", "caseloads"], ["ask", "what was said about caseloads?"],
         ["timeline", "caseloads"], ["decisions"], ["status"], ["status", "--json"], ["check"]]
DAMAGED_COMMANDS = [*READS, ["check", "--repair"], ["index", str(CORPUS)], ["index"]]
UNWRITABLE_COMMANDS = [["index", str(CORPUS)], ["index", "--rebuild", str(CORPUS)],
                       *READS, ["check", "--repair"]]


def env(home: Path) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("MINUTEBOOK_")}
    out.update(MINUTEBOOK_HOME=str(home), PYTHONPATH=str(REPO / "src"))
    return out


def drive(prefix: list[str], index: Path, commands: list[list[str]], home: Path) -> list[dict[str, Any]]:
    argvs = [[*argv, "--index", str(index)] for argv in commands]
    proc = subprocess.run([*prefix, PY, "-c", DRIVER, json.dumps(argvs)], capture_output=True, text=True,
                          cwd=REPO, env=env(home), timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


# --- damage --------------------------------------------------------------------------------------


def leaf_pages(db: Path, tables: tuple[str, ...]) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        return [p for t in tables for p, kind in conn.execute(
            "SELECT pageno, pagetype FROM dbstat WHERE name = ? ORDER BY pageno", (t,)) if kind == "leaf"]
    finally:
        conn.close()


def overwrite(db: Path, pages: list[int], fill: bytes = b"\xa5") -> int:
    conn = sqlite3.connect(db)
    size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    conn.close()
    with open(db, "r+b") as fh:
        for page in pages:
            fh.seek((page - 1) * size)
            fh.write(fill * size)
    return len(pages)


def case_passages(db: Path) -> str:
    n = overwrite(db, leaf_pages(db, ("chunks", "documents", "chunks_fts_content"))[::2])
    return f"every 2nd leaf page of the passages, papers and keyword text ({n} of {db.stat().st_size // 4096} pages)"


def case_embeddings(db: Path) -> str:
    n = overwrite(db, leaf_pages(db, ("chunks",))[::2] + leaf_pages(db, ("embeddings",))[::3])
    return f"every 2nd passage page and every 3rd stored-embedding page ({n} pages)"


def case_random(db: Path) -> str:
    pages = db.stat().st_size // 4096
    chosen = sorted(random.Random(7).sample(range(2, pages + 1), max(1, pages // 10)))
    overwrite(db, chosen, fill=b"\0")
    return f"10% of all pages but the first, chosen at random (seed 7), zeroed ({len(chosen)} pages)"


def case_header(db: Path) -> str:
    with open(db, "r+b") as fh:
        fh.write(b"\0" * 100)
    return "the 100-byte file header zeroed (\"file is not a database\")"


CASES = {"passages": case_passages, "embeddings": case_embeddings, "random": case_random, "header": case_header}


def one_line_naming(r: dict[str, Any], index: Path) -> bool:
    lines = r["err"].strip().splitlines()
    return (len(lines) == 1 and str(index) in lines[0]
            and f"minutebook index --rebuild --index {index}" in lines[0])


def damaged_case(name: str, built: Path, work: Path) -> dict[str, Any]:
    index = work / f"damaged-{name}"
    shutil.copytree(built, index)
    total = sqlite3.connect(built / DB).execute("SELECT count(*) FROM embeddings").fetchone()[0]
    what = CASES[name](index / DB)
    results = drive([], index, DAMAGED_COMMANDS, work / "home")
    commands = {" ".join(r["argv"][:-2]): {
        "exit": r["code"], "traceback": "Traceback" in r["err"],
        "one_line_naming_index_and_remedy": one_line_naming(r, index),
        "says": r["err"].strip().splitlines()[0] if r["err"].strip() else r["out"].strip()[-160:],
        "check_repair_says": ([ln for ln in r["out"].splitlines() if ln.startswith("Not repaired")] or [""])[0],
    } for r in results}
    started = time.monotonic()
    rebuild = drive([], index, [["index", "--rebuild", "--json", str(CORPUS)]], work / "home")[0]
    rebuild_seconds = round(time.monotonic() - started, 1)
    after = drive([], index, [["check"], ["search", "--json", "caseloads"]], work / "home")
    report = json.loads(rebuild["out"]) if rebuild["code"] == 0 else {}
    return {
        "damage": what, "commands": commands,
        "rebuild": {
            "exit": rebuild["code"], "traceback": "Traceback" in rebuild["err"], "seconds": rebuild_seconds,
            "kept_as": Path((report.get("damaged_database") or {}).get("kept_as", "")).name,
            "embeddings_stored_before": total,
            "embeddings_read": (report.get("damaged_database") or {}).get("embeddings_read"),
            "reused": report.get("chunks_reused"), "embedded": report.get("chunks_embedded"),
            "papers": len(report.get("added", [])),
            "check_after": after[0]["code"],
            "search_after_results": len(json.loads(after[1]["out"])["results"]) if after[1]["code"] == 0 else 0,
        },
    }


# --- unwritable folders ------------------------------------------------------------------------------


def _allowed(cmd: list[str]) -> bool:
    return shutil.which(cmd[0]) is not None and subprocess.run(cmd, capture_output=True).returncode == 0


def unwritable_case(name: str, built: Path, work: Path) -> dict[str, Any]:
    index = work / f"unwritable-{name}"
    shutil.copytree(built, index)
    for extra in ("-wal", "-shm"):
        (index / (DB + extra)).unlink(missing_ok=True)
    prefix: list[str] = []
    undo: list[list[str]] = []
    quoted = shlex.quote(str(index))
    if name == "read-only mount":
        if not _allowed(["unshare", "-m", "true"]):
            return {"skipped": "unshare -m is not permitted here"}
        prefix = ["unshare", "-m", "sh", "-c", f"mount --bind -o ro {quoted} {quoted} && exec \"$@\"", "sh"]
        how = "`unshare -m` + `mount --bind -o ro` (a read-only filesystem)"
    elif name == "no permission":
        if os.geteuid() == 0:
            if not _allowed(["setpriv", "--bounding-set=-dac_override,-dac_read_search", "true"]):
                return {"skipped": "setpriv cannot drop CAP_DAC_OVERRIDE here"}
            prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
        for path in [index, *index.iterdir()]:
            path.chmod(path.stat().st_mode & ~0o222)
        undo = [["chmod", "-R", "u+w", str(index)]]
        how = "`chmod a-w` on the folder and its files, run without CAP_DAC_OVERRIDE (`setpriv`)"
    else:
        if os.geteuid() != 0 or not _allowed(["chattr", "+i", str(index)]):
            return {"skipped": "chattr +i needs root and a filesystem that supports it"}
        undo = [["chattr", "-i", str(index)]]
        how = "`chattr +i` on the folder (immutable, even to root)"
    before = sorted(p.name for p in index.iterdir())
    try:
        results = drive(prefix, index, UNWRITABLE_COMMANDS, work / "home")
    finally:
        for cmd in undo:
            subprocess.run(cmd, check=True)
    return {
        "how": how,
        "commands": {" ".join(r["argv"][:-2]): {
            "exit": r["code"], "traceback": "Traceback" in r["err"],
            "says": r["err"].strip().splitlines()[0][:200] if r["err"].strip() else "",
            "seconds": r["seconds"]} for r in results},
        "folder_unchanged": sorted(p.name for p in index.iterdir()) == before,
    }


# --- report --------------------------------------------------------------------------------------------


def render(results: dict[str, Any]) -> str:
    import platform

    load = os.getloadavg()[0]
    lines = [START, "## Damaged databases and unwritable index folders", "",
             "Written by `bench/reliability_index.py` (`make bench` runs it after `bench/reliability.py`):", "",
             "    .venv/bin/python bench/reliability_index.py", "",
             f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}; "
             f"run {time.strftime('%Y-%m-%d %H:%M')} under load (1-minute load average {load:.1f}, machine shared). "
             f"Index: corpus/ ({results['built']['papers']} papers, {results['built']['passages']} passages, "
             f"real MiniLM), built in {results['built']['seconds']} s.", "",
             "### Damaged database: what each command says", "",
             "Commands: " + ", ".join(f"`{' '.join(c)}`" for c in DAMAGED_COMMANDS).replace(str(CORPUS), "corpus")
             + ". \"one line\" = exit 3 and a single stderr line naming the index and "
             "`minutebook index --rebuild --index DIR`.", "",
             "| damage | exit 3 | one line (all but `check`) | tracebacks | `check --repair` says | `index --rebuild` |",
             "|---|---|---|---|---|---|"]
    for name, case in results["damaged"].items():
        cmds = case["commands"]
        exit3 = sum(1 for c in cmds.values() if c["exit"] == 3)
        plain = {k: c for k, c in cmds.items() if not k.startswith("check")}
        one = sum(1 for c in plain.values() if c["one_line_naming_index_and_remedy"])
        tracebacks = sum(1 for c in cmds.values() if c["traceback"])
        odd = [f"`{k}` exit {c['exit']}" for k, c in cmds.items() if c["exit"] != 3]
        rb = case["rebuild"]
        rebuild = (f"exit {rb['exit']} in {rb['seconds']} s; kept `{rb['kept_as']}`; "
                   f"{rb['embeddings_read']} of {rb['embeddings_stored_before']} stored embeddings read, "
                   f"{rb['reused']} reused, {rb['embedded']} embedded again; {rb['papers']} papers; "
                   f"`check` after: exit {rb['check_after']}; search after: {rb['search_after_results']} results")
        lines.append(f"| {name}: {case['damage']} | {exit3} of {len(cmds)}" + (f" ({', '.join(odd)})" if odd else "")
                     + f" | {one} of {len(plain)} | {tracebacks} | {cmds['check --repair']['check_repair_says'] or '-'}"
                     f" | {rebuild} |")
    example = next(iter(results["damaged"].values()))["commands"]["search caseloads"]["says"]
    lines += ["", "What `search` says (passages case; every command says the same):", "", f"    {example}", "",
              "`check` on a damaged database prints its report (exit 3) rather than one line: the report is its answer.",
              "", "### Unwritable index folder", "",
              "| how | `index` | `index --rebuild` | reading commands (exit 0) | folder unchanged |", "|---|---|---|---|---|"]
    for name, case in results["unwritable"].items():
        if "skipped" in case:
            lines.append(f"| {name} | skipped: {case['skipped']} | | | |")
            continue
        cmds = case["commands"]
        idx, rb = cmds[f"index {CORPUS}"], cmds[f"index --rebuild {CORPUS}"]
        reads = {k: c for k, c in cmds.items() if not k.startswith("index")}
        ok = sum(1 for c in reads.values() if c["exit"] == 0 and not c["traceback"])
        lines.append(f"| {case['how']} | exit {idx['exit']}: {idx['says']} | exit {rb['exit']} | {ok} of {len(reads)} "
                     f"({', '.join(f'`{k}`' for k in reads)}) | {'yes' if case['folder_unchanged'] else 'NO'} |")
    lines += ["", "Reading a WAL database needs a `-shm` file beside it; where none can be made, the index is "
              "opened immutable (nothing can write it either). Updating takes the writer lock first, so an "
              "unwritable folder is reported before any paper is read.", END]
    return "\n".join(lines) + "\n"


def write_section(markdown: Path, section: str) -> None:
    text = markdown.read_text(encoding="utf-8") if markdown.exists() else "# Reliability\n"
    if START in text and END in text:
        text = text[:text.index(START)] + section.rstrip("\n") + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    markdown.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def preserved_section(markdown: Path) -> str:
    """This bench's section of ``markdown`` (so that bench/reliability.py can keep it when it rewrites the file)."""
    if not markdown.exists():
        return ""
    text = markdown.read_text(encoding="utf-8")
    m = re.search(re.escape(START) + ".*?" + re.escape(END), text, re.S)
    return m.group(0) + "\n" if m else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "work" / "reliability_index.json")
    parser.add_argument("--markdown", type=Path, default=REPO / "bench" / "RELIABILITY.md")
    parser.add_argument("--render-only", action="store_true", help="rewrite the report from the last --out")
    args = parser.parse_args(argv)
    if args.render_only:
        write_section(args.markdown, render(json.loads(args.out.read_text())))
        return 0
    results: dict[str, Any] = {"damaged": {}, "unwritable": {}}
    with tempfile.TemporaryDirectory(prefix="mb-reliability-index-") as tmp:
        work = Path(tmp)
        built = work / "built"
        started = time.monotonic()
        proc = subprocess.run([PY, "-m", "minutebook", "index", str(CORPUS), "--json", "--index", str(built)],
                              capture_output=True, text=True, cwd=REPO, env=env(work / "home"), timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
        report = json.loads(proc.stdout)
        results["built"] = {"papers": len(report["added"]), "passages": report["chunks_embedded"],
                            "seconds": round(time.monotonic() - started, 1)}
        for name in CASES:
            print(f"[reliability-index] damaged: {name} ...", file=sys.stderr, flush=True)
            results["damaged"][name] = damaged_case(name, built, work)
        for name in ("read-only mount", "no permission", "immutable"):
            print(f"[reliability-index] unwritable: {name} ...", file=sys.stderr, flush=True)
            results["unwritable"][name] = unwritable_case(name, built, work)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    write_section(args.markdown, render(results))
    print(f"[reliability-index] report in {args.markdown}, results in {args.out}", file=sys.stderr)
    print(json.dumps(results))  # bench/run.py reads the figures from stdout
    return 0


if __name__ == "__main__":
    sys.exit(main())
