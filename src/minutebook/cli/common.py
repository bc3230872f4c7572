"""Helpers shared by the command modules: settings from flags, JSON output, paths."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from minutebook.config import Settings, load_settings


def settings_from(args: argparse.Namespace, **extra: object) -> Settings:
    return load_settings(index=getattr(args, "index", None), **extra)


def emit_json(value: Any) -> None:
    """One JSON document on stdout, UTF-8, keys in a stable order."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def emit_json_line(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def display_path(path: str) -> str:
    """A path relative to the working folder when it lies inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def index_folder(settings: Settings) -> Path:
    return settings.index
