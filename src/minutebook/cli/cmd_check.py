"""`minutebook check [--repair]`: verify an index, and rebuild its derived files."""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import echo, emit_json, field, settings_from

EXIT_HEALTHY = 0
EXIT_PROBLEMS = 3


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "check", parents=[common], help="verify the index; --repair rebuilds the keyword and vector files",
        description="Check the index database (SQLite integrity), its keyword index, its vector file "
        "(checksum, count, passages) and its manifest. With --repair, rebuild the keyword index and the "
        "vector file from the database, without re-reading papers or re-embedding. "
        "Exit code 0: healthy (or repaired); 3: problems remain.",
    )
    p.add_argument("--repair", action="store_true", help="rebuild damaged derived files from the database")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.index.check import check_index, repair_index

    folder = settings_from(args).index
    report = repair_index(folder) if args.repair else check_index(folder)
    if args.json:
        emit_json({
            "index": report.folder, "healthy": report.healthy, "checked": list(report.checked),
            "documents": report.documents, "passages": report.chunks,
            "problems": [{"part": p.part, "message": p.message, "repairable": p.repairable} for p in report.problems],
            "repaired": list(report.repaired),
        })
    else:
        echo(f"index     {field(report.folder)}")
        echo(f"holds     {report.documents} documents, {report.chunks} passages")
        bad = {p.part for p in report.problems}
        for part in report.checked:
            echo(f"{part:<9} {'PROBLEM' if part in bad else 'ok'}")
        for part in report.repaired:
            echo(f"repaired  {part} (rebuilt from the database)")
        for problem in report.problems:
            echo(f"  {problem.part}: {field(problem.message)}")
        if report.problems:
            fixable = any(p.repairable for p in report.problems)
            rebuild = ("Rebuild the index from the papers with "
                       f"`minutebook index --rebuild --index {field(report.folder)}` (a damaged database is kept "
                       "beside it, renamed; the embeddings it can still read are reused).")
            if args.repair and any(not p.repairable for p in report.problems):
                echo("Not repaired: --repair rebuilds only the keyword index and the vector file; it cannot mend the "
                     + " or the ".join(sorted({p.part for p in report.problems if not p.repairable})) + ".")
            if fixable and not args.repair:
                echo("Run `minutebook check --repair` to rebuild the keyword index and vector file from the database.")
            else:
                echo(rebuild)
    return EXIT_HEALTHY if report.healthy else EXIT_PROBLEMS
