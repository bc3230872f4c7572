"""Settings, resolved in one place: flag > MINUTEBOOK_* environment variable > config file > default.

The config file is TOML at ``$MINUTEBOOK_HOME/config.toml`` (default ``~/.config/minutebook``)
or ``./minutebook.toml`` in the working folder, whichever is found first. Keys match the
field names below.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from minutebook.errors import UsageError

# Hugging Face libraries read these at import time; setting them here, before any such
# import anywhere in the package, keeps every run offline.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


@dataclass(frozen=True, slots=True)
class Settings:
    index: Path | str = Path("index")  # where the index lives: a folder, or a postgresql:// connection string
    corpus: tuple[Path, ...] = (Path("corpus"),)  # what `minutebook index` syncs by default
    cache: Path = Path.home() / ".cache" / "minutebook"  # assembled GGUF, exported ONNX
    embed_backend: str = "onnx"  # onnx | onnx-int8 | torch (for new indexes; see models.index_embedder)
    llm: bool = False  # answer with the local model by default
    llm_model: Path | None = None  # a GGUF of the council's own; None = bundled Gemma 3 270M
    top_k: int = 10
    ocr: bool = True  # read scanned PDF pages with tesseract (when it is installed)
    ocr_languages: str = "eng"  # Tesseract language codes joined by "+", e.g. "eng+cym"


ENV_PREFIX = "MINUTEBOOK_"
TOP_K_HINT = "Give how many passages you want, 1 or more (leave it out for the default)."


def home() -> Path:
    return Path(os.environ.get("MINUTEBOOK_HOME", Path.home() / ".config" / "minutebook"))


def _config_file() -> Path | None:
    for candidate in (Path("minutebook.toml"), home() / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def _coerce(name: str, raw: object) -> Any:
    if name == "index" and str(raw).startswith(("postgresql://", "postgres://")):
        return str(raw)  # a PostgreSQL database (minutebook.index.postgres), not a folder
    if name in ("index", "cache"):
        return Path(str(raw)).expanduser()
    if name == "llm_model":
        return Path(str(raw)).expanduser() if raw else None
    if name == "corpus":
        items = raw if isinstance(raw, list) else str(raw).split(os.pathsep)
        return tuple(Path(str(p)).expanduser() for p in items if str(p))
    if name in ("llm", "ocr"):
        return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
    if name == "top_k":
        return top_k_value(raw, "top_k")
    return str(raw)


def top_k_value(raw: object, name: str = "top_k") -> int:
    """How many passages: a whole number of at least 1, wherever it is given.

    The same rule for ``--top-k``, ``top_k`` in a ``--queries`` line, ``MINUTEBOOK_TOP_K`` and
    ``top_k`` in the config file: ``0``, negatives, fractions and words are refused.
    """
    if isinstance(raw, bool | float):
        value = None
    elif isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        value = int(text) if text.lstrip("+-").isdigit() else None
    if value is None:
        raise UsageError(f"{name} must be a whole number, not {raw!r}", TOP_K_HINT)
    if value < 1:
        raise UsageError(f"{name} must be at least 1, not {value}", TOP_K_HINT)
    return value


def load_settings(**overrides: object) -> Settings:
    """Resolve settings. ``overrides`` are command-line values; None means "not given"."""
    settings = Settings()
    names = {f.name for f in fields(Settings)}
    path = _config_file()
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"{path}: cannot read config ({exc})", "Fix or remove the file.") from exc
        unknown = set(data) - names
        if unknown:
            raise UsageError(f"{path}: unknown settings {', '.join(sorted(unknown))}",
                             f"Known settings: {', '.join(sorted(names))}.")
        settings = replace(settings, **{k: _coerce(k, v) for k, v in data.items()})
    env = {n: os.environ[ENV_PREFIX + n.upper()] for n in names if ENV_PREFIX + n.upper() in os.environ}
    if env:
        settings = replace(settings, **{k: _coerce(k, v) for k, v in env.items()})
    given = {k: _coerce(k, v) for k, v in overrides.items() if v is not None}
    return replace(settings, **given) if given else settings
