"""Helpers shared by the command modules: settings from flags, JSON output, paths."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from minutebook.cite import display_path  # noqa: F401  (re-exported for the commands)
from minutebook.config import Settings, load_settings


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    return load_settings(index=getattr(args, "index", None), **extra)


def emit_json(value: Any) -> None:
    """One JSON document on stdout, UTF-8, keys in a stable order."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def emit_json_line(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()

