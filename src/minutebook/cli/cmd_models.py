"""`minutebook models`: every model minutebook uses, where it lives, its size, sha256 and licence."""

from __future__ import annotations

import argparse
from typing import Any

from minutebook.cli.common import echo, emit_json, settings_from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("models", parents=[common], help="the embedding and language models: paths, sizes, checksums")
    p.add_argument("--model", metavar="PATH", help="report on this GGUF instead of the configured one")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from minutebook.models.registry import model_reports

    reports = model_reports(settings_from(args, llm_model=args.model))
    if args.json:
        emit_json({"models": reports})
        return 0
    for i, r in enumerate(reports):
        if i:
            echo()
        echo(f"{r['role']:<10} {r['name']}")
        echo(f"  source   {r['source']}")
        echo(f"  path     {r['path']}")
        echo(f"  size     {_size(r['size_bytes'])}")
        echo(f"  sha256   {r['sha256'] or r['expected_sha256'] or 'unknown'}")
        echo(f"  licence  {r['licence']}")
        echo(f"  status   {r['status']}")
    return 0


def _size(n: object) -> str:
    return f"{n / 1e6:.1f} MB ({n} bytes)" if isinstance(n, int) else "—"
