"""Metadata that people state, which beats anything guessed from the text.

Two sources, strongest first:

* a sidecar ``<file name>.meta.json`` beside the paper (``minutes.txt.meta.json``) with any
  of ``title``, ``council``, ``committee``, ``meeting_date`` (yyyy-mm-dd), ``doc_type``, and
  ``attributes`` (an object of name -> text);
* a manifest CSV in the paper's folder or up to three folders above it: our own
  ``minutebook-manifest.csv`` (columns ``path,title,council,committee,meeting_date,doc_type``,
  ``path`` relative to the manifest's folder) or Ofsted's ``ofsted_csc_ilacs_history.csv``
  (matched on the report's file name and the URN that starts its folder name).

A manifest's other columns become the paper's attributes (``minutebook.ingest.attributes``):
Ofsted's grades, inspection dates, framework and inspector.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import re
from dataclasses import replace
from pathlib import Path

from minutebook.errors import IngestError
from minutebook.ingest.attributes import attribute_name, attribute_value, attributes_from
from minutebook.ingest.metadata import smart_title
from minutebook.types import DOC_TYPES, Metadata

SIDECAR_SUFFIX = ".meta.json"
MANIFEST_NAME = "minutebook-manifest.csv"
OFSTED_MANIFEST_NAME = "ofsted_csc_ilacs_history.csv"
MANIFEST_NAMES = frozenset({MANIFEST_NAME, OFSTED_MANIFEST_NAME})
MANIFEST_LEVELS = 3  # folders above the paper's own that are searched for a manifest
FIELDS = ("title", "council", "committee", "meeting_date", "doc_type")
ATTRIBUTES_KEY = "attributes"  # of a sidecar
# Ofsted manifest columns that are the paper's fields, or say only how the manifest was made.
_OFSTED_NOT_ATTRIBUTES = ("urn", "local_authority", "pdf_filename", "publication_date", "parser_version")

Overrides = dict[str, str]
Attributes = dict[str, str]


def sidecar_path(path: Path) -> Path:
    """The sidecar that belongs to ``path``: its full file name plus ``.meta.json``."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _check_values(values: dict[str, object], source: str, paper: Path) -> Overrides:
    def fail(why: str) -> IngestError:
        return IngestError(
            str(paper),
            f"bad metadata in {source}: {why}",
            f"Fix {source}; it may set {', '.join(FIELDS)}.",
        )

    checked: Overrides = {}
    for key, value in values.items():
        if key not in FIELDS:
            raise fail(f"unknown field {key!r} (say it under {ATTRIBUTES_KEY!r})")
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise fail(f"{key} must be text, not {type(value).__name__}")
        value = value.strip()
        if key == "meeting_date":
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                raise fail(f"meeting_date {value!r} is not a yyyy-mm-dd date") from None
        if key == "doc_type" and value not in DOC_TYPES:
            raise fail(f"doc_type {value!r} is not one of {', '.join(DOC_TYPES)}")
        checked[key] = value
    return checked


def read_sidecar(path: Path) -> Overrides:
    """The overrides in ``path``'s sidecar, or {} when there is none."""
    return _read_sidecar(path)[0]


def _read_sidecar(path: Path) -> tuple[Overrides, Attributes]:
    sidecar = sidecar_path(path)
    try:
        raw = sidecar.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}, {}
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(str(path), f"cannot read metadata sidecar {sidecar.name} ({exc})",
                          "Fix or remove the sidecar file.") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise IngestError(
            str(path),
            f"bad metadata sidecar {sidecar.name}: not valid JSON (line {exc.lineno}: {exc.msg})",
            f"Fix {sidecar} or remove it.",
        ) from exc
    if not isinstance(data, dict):
        raise IngestError(str(path), f"bad metadata sidecar {sidecar.name}: expected a JSON object",
                          'Write it as {"committee": "...", "meeting_date": "yyyy-mm-dd"}.')
    extra = data.pop(ATTRIBUTES_KEY, None) or {}
    if not isinstance(extra, dict) or not all(isinstance(v, str | int | float) for v in extra.values()):
        raise IngestError(str(path), f"bad metadata sidecar {sidecar.name}: {ATTRIBUTES_KEY!r} must map names to text",
                          'Write it as "attributes": {"overall_effectiveness_grade": "good"}.')
    attributes = {attribute_name(str(k)): attribute_value(str(v)) for k, v in extra.items()
                  if str(v).strip() and attribute_name(str(k))}
    return _check_values(data, sidecar.name, path), attributes


# --- manifests -----------------------------------------------------------------------------


def _ofsted_date(raw: str) -> str | None:
    try:
        return dt.datetime.strptime(raw.strip(), "%d/%m/%y").date().isoformat()
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _load_manifest(path: str, mtime_ns: int, size: int) -> dict[str, tuple[Overrides, Attributes]]:
    """Rows of one manifest keyed by the paper they describe; cached until the file changes."""
    manifest = Path(path)
    rows: dict[str, tuple[Overrides, Attributes]] = {}
    try:
        with manifest.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if manifest.name == OFSTED_MANIFEST_NAME:
                for row in reader:
                    urn = (row.get("urn") or "").strip()
                    name = (row.get("pdf_filename") or "").strip()
                    if not urn or not name:
                        continue
                    entry: Overrides = {"committee": "Ofsted", "doc_type": "report"}
                    if row.get("local_authority"):
                        entry["council"] = smart_title(row["local_authority"].strip())
                    date = _ofsted_date(row.get("publication_date") or "")
                    if date:
                        entry["meeting_date"] = date
                    rows[f"{urn}\x00{name}"] = (entry, dict(attributes_from(row, _OFSTED_NOT_ATTRIBUTES)))
            else:
                for row in reader:
                    key = (row.get("path") or "").strip().replace("\\", "/")
                    if key:
                        rows[key] = ({f: (row.get(f) or "").strip() for f in FIELDS if row.get(f)},
                                     dict(attributes_from(row, ("path", *FIELDS))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise IngestError(path, f"cannot read manifest ({exc})", "Fix or remove the manifest.") from exc
    return rows


def _manifest_rows(manifest: Path) -> dict[str, tuple[Overrides, Attributes]]:
    stat = manifest.stat()
    return _load_manifest(str(manifest), stat.st_mtime_ns, stat.st_size)


def read_manifests(path: Path) -> Overrides:
    """Overrides for ``path`` from manifests in its folder and up to three folders above.

    A nearer manifest beats a farther one.
    """
    return _read_manifests(path)[0]


def _read_manifests(path: Path) -> tuple[Overrides, Attributes]:
    path = path.absolute()
    folders = [path.parent, *list(path.parent.parents)[:MANIFEST_LEVELS]]
    merged: Overrides = {}
    attributes: Attributes = {}
    for folder in reversed(folders):
        for name in (OFSTED_MANIFEST_NAME, MANIFEST_NAME):
            manifest = folder / name
            if not manifest.is_file():
                continue
            rows = _manifest_rows(manifest)
            if name == OFSTED_MANIFEST_NAME:
                urn = re.match(r"\d+", path.parent.name)
                entry = rows.get(f"{urn.group(0)}\x00{path.name}") if urn else None
            else:
                try:
                    relative = path.relative_to(folder).as_posix()
                except ValueError:
                    continue
                entry = rows.get(relative)
            if entry:
                merged.update(_check_values(dict(entry[0]), str(manifest), path))
                attributes.update(entry[1])
    return merged, attributes


def apply_overrides(metadata: Metadata, path: Path) -> Metadata:
    """``metadata`` with manifest values, then sidecar values, put over the guesses.

    The manifests' and the sidecar's attributes join the paper's (a sidecar's win).
    """
    values, attributes = _read_manifests(path)
    side_values, side_attributes = _read_sidecar(path)
    values.update(side_values)
    attributes.update(side_attributes)
    if not values and not attributes:
        return metadata
    merged = {**dict(metadata.attributes), **attributes}
    return replace(metadata, **values, attributes=tuple(sorted(merged.items())))
