"""The local model runs in a process of its own, so a crash, hang or memory blow-up costs one answer.

llama.cpp is native code: on some CPUs a matrix kernel segfaults, a damaged GGUF can hang the
loader, and a large model can exhaust memory. None of that may take down ``ask`` or the app.
``ModelProcess`` satisfies ``protocols.Generator`` by driving a model in a child process:

* the child is a fresh interpreter (``python -c``, never ``fork``: the parent may hold torch,
  FAISS and threads), loads the model once and keeps it warm for every later prompt, so the app
  and batch runs pay the load once;
* it limits its own address space (``RLIMIT_AS``); the parent gives each prompt a time limit for
  the first token, for each later token and for the whole answer, and kills a child that
  overruns; on some machines the memory limit does not fire before the clock does — either
  way the caller sees ``ModelStopped`` with a short reason, and the next prompt starts a
  fresh child;
* tokens stream back one message each as the model writes them; a caller that stops reading
  (the loop guard) cancels the rest, and the child stops between two tokens.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from minutebook.errors import MinutebookError, ModelStopped

_STOP_GRACE_S = 2.0
_HINT = "The quoted answer is shown instead. If this keeps happening, see models.md (“When the model stops”)."


@dataclass(frozen=True, slots=True)
class ModelLimits:
    """What one model process may cost. ``memory_mb=None``: 2 GB plus twice the model file."""

    load_seconds: float = 120.0  # start the interpreter and load the model
    first_token_seconds: float = 120.0  # read the prompt (a 7B model on 2 cores needs a minute)
    token_seconds: float = 30.0  # between two tokens once writing
    answer_seconds: float = 600.0  # the whole answer
    memory_mb: int | None = None


def default_memory_mb(model_bytes: int) -> int:
    """Address space for a model of ``model_bytes``: the mapped file, its context and headroom."""
    return 2048 + 2 * (model_bytes >> 20)


# --- the child ------------------------------------------------------------------------------


def child_main() -> None:
    """Entry point: ``python -c "...; child_main()" FD``.

    First message: ``(memory_mb, parent_pid, sys_path, pickled (factory, kwargs))``; the
    child makes the generator, loads it, and answers ``("ready", model_id, metadata)``. Then requests:
    ``("stream", prompt, max_tokens, stop, options)`` -> ``("token", text)``… ``("done",)``;
    ``("count", text)`` -> ``("count", n)``; ``("reset",)`` -> ``("done",)``; ``None`` ends it.
    A ``("cancel",)`` arriving mid-stream ends that stream early.
    """
    import resource
    import signal
    import sys
    from multiprocessing.connection import Connection

    from minutebook.ingest.workers import watch_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    conn = Connection(int(sys.argv[1]))
    try:
        memory_mb, parent_pid, sys_path, spec = conn.recv()
    except (EOFError, OSError):
        return
    watch_parent(parent_pid)
    sys.path[:] = sys_path
    if memory_mb:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        factory, kwargs = pickle.loads(spec)
        generator = factory(**kwargs)
        load = getattr(generator, "load", None)
        if load is not None:
            load()
    except MemoryError:
        conn.send(("failed", "stopped", "ran out of memory while loading", None))
        return
    except MinutebookError as exc:
        conn.send(("failed", type(exc).__name__, exc.message, exc.hint))
        return
    except Exception as exc:  # noqa: BLE001  (a bad file or a bug: the parent reports it)
        conn.send(("failed", "stopped", f"could not load: {type(exc).__name__}: {exc}", None))
        return
    conn.send(("ready", getattr(generator, "model_id", ""), dict(getattr(generator, "metadata", None) or {})))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            _serve(conn, generator, request)
        except (BrokenPipeError, OSError):
            return
        except MemoryError:
            conn.send(("failed", "stopped", "ran out of memory", None))
            return


def _serve(conn: Any, generator: Any, request: tuple[Any, ...]) -> None:
    kind = request[0]
    if kind == "count":
        conn.send(("count", generator.count_tokens(request[1])))
        return
    if kind == "reset":
        reset = getattr(generator, "reset", None)
        if reset is not None:
            reset()
        conn.send(("done",))
        return
    if kind != "stream":
        return  # a stray "cancel" after its stream already ended
    _, prompt, max_tokens, stop, options = request
    try:
        for piece in generator.stream(prompt, max_tokens, stop, **options):
            conn.send(("token", piece))
            if conn.poll() and _cancelled(conn):
                break
    except MemoryError:
        raise
    except MinutebookError as exc:
        conn.send(("failed", type(exc).__name__, exc.message, exc.hint))
        return
    except Exception as exc:  # noqa: BLE001
        conn.send(("failed", "stopped", f"{type(exc).__name__}: {exc}", None))
        return
    conn.send(("done",))


def _cancelled(conn: Any) -> bool:
    message = conn.recv()
    return message is not None and message[0] == "cancel"


# --- the parent -------------------------------------------------------------------------------


@dataclass
class _Child:
    process: Any
    conn: Any
    model_id: str = ""
    memory_mb: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    dead: bool = field(default=False)


class ModelProcess:
    """A generator running in its own process; satisfies ``protocols.Generator``.

    ``factory(**kwargs)`` is called in the child and must return an object with
    ``stream(prompt, max_tokens, stop, **options)`` (and optionally ``load``, ``count_tokens``,
    ``reset``); it is passed by reference, so it must be importable by name.
    """

    def __init__(self, factory: Callable[..., Any], kwargs: dict[str, Any], model_id: str,
                 limits: ModelLimits | None = None) -> None:
        self.factory = factory
        self.kwargs = kwargs
        self.model_id = model_id
        self.limits = limits or ModelLimits()
        self._child: _Child | None = None
        self._lock = threading.RLock()

    # -- life cycle --

    def load(self) -> None:
        """Start the process and load the model now (otherwise on the first prompt)."""
        with self._lock:
            self._ensure()

    def close(self) -> None:
        """Stop the process (politely, then by force)."""
        with self._lock:
            child, self._child = self._child, None
            if child is None:
                return
            try:
                child.conn.send(None)
                child.process.wait(timeout=_STOP_GRACE_S)
            except Exception:  # noqa: BLE001  (busy or gone: killed below)
                pass
            _kill(child)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    @property
    def metadata(self) -> dict[str, str]:
        """The model file's metadata, as the model process read it (starts the process if needed)."""
        with self._lock:
            return dict(self._ensure().metadata)

    @property
    def pid(self) -> int | None:
        """The model process's id, while one is running."""
        return self._child.process.pid if self._child is not None else None

    def _ensure(self) -> _Child:
        if self._child is not None and self._child.process.poll() is None:
            return self._child
        if self._child is not None:
            _kill(self._child)
            self._child = None
        child = self._start()
        message = self._receive(child, self.limits.load_seconds, "loading")
        if message[0] == "failed":
            _kill(child)
            raise _failure(message)
        child.model_id = message[1]
        child.metadata = message[2] if len(message) > 2 else {}
        self._child = child
        return child

    def _start(self) -> _Child:
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        memory_mb = self.limits.memory_mb
        if memory_mb is None:
            path = self.kwargs.get("path")
            size = os.path.getsize(path) if path and os.path.exists(path) else 0
            memory_mb = default_memory_mb(size)
        parent_sock, child_sock = socket.socketpair()
        with child_sock:
            process = subprocess.Popen(
                [sys.executable, "-c", "from minutebook.models.llm_process import child_main; child_main()",
                 str(child_sock.fileno())],
                pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, close_fds=True,
                # Few malloc arenas: each reserves address space that counts against RLIMIT_AS.
                env={**os.environ, "MALLOC_ARENA_MAX": "2"},
            )
        conn = Connection(parent_sock.detach())
        child = _Child(process, conn, memory_mb=memory_mb)
        try:
            conn.send((memory_mb, os.getpid(), list(sys.path), pickle.dumps((self.factory, self.kwargs))))
        except (BrokenPipeError, ConnectionResetError):
            pass  # died at once: the first receive reports how
        return child

    # -- talking to it --

    def _receive(self, child: _Child, seconds: float, doing: str) -> tuple[Any, ...]:
        """The child's next message, or ``ModelStopped`` saying how it died or that it hung."""
        try:
            ready = child.conn.poll(max(0.0, seconds))
        except (EOFError, OSError):
            ready = True
        if not ready:
            _kill(child)
            self._forget(child)
            raise ModelStopped(f"no reply for {seconds:g} s while {doing}", _HINT)
        try:
            return child.conn.recv()
        except (EOFError, OSError):
            pass
        try:
            code = child.process.wait(timeout=_STOP_GRACE_S)
        except Exception:  # noqa: BLE001
            code = None
        _kill(child)
        self._forget(child)
        raise ModelStopped(_death(code), _HINT)

    def _forget(self, child: _Child) -> None:
        if self._child is child:
            self._child = None

    def _request(self, request: tuple[Any, ...], seconds: float, doing: str) -> tuple[Any, ...]:
        child = self._ensure()
        try:
            child.conn.send(request)
        except (BrokenPipeError, OSError):
            pass  # the receive below says how it died
        message = self._receive(child, seconds, doing)
        if message[0] == "failed":
            _kill(child)
            self._forget(child)
            raise _failure(message)
        return message

    def count_tokens(self, text: str) -> int:
        """How many tokens ``text`` takes in this model."""
        with self._lock:
            return int(self._request(("count", text), self.limits.first_token_seconds, "counting tokens")[1])

    def reset(self) -> None:
        """Forget the cached prompt (benchmarks use it so no run reuses another's)."""
        with self._lock:
            self._request(("reset",), self.limits.token_seconds, "resetting")

    def stream(self, prompt: str, max_tokens: int, stop: Sequence[str],
               grammar: str | None = None) -> Iterator[str]:
        """Yield the model's continuation of ``prompt`` as it is written; see the module docstring."""
        options = {"grammar": grammar} if grammar else {}
        with self._lock:
            child = self._ensure()
            try:
                child.conn.send(("stream", prompt, max_tokens, tuple(stop), options))
            except (BrokenPipeError, OSError):
                pass
            limits = self.limits
            end = time.monotonic() + limits.answer_seconds
            wait, doing = limits.first_token_seconds, "reading the prompt"
            finished = False
            try:
                while True:
                    left = end - time.monotonic()
                    if wait >= left:
                        wait, doing = left, "writing the answer"
                    message = self._receive(child, wait, doing)
                    if message[0] == "token":
                        yield message[1]
                        wait, doing = limits.token_seconds, "writing the answer"
                    elif message[0] == "done":
                        finished = True
                        return
                    else:
                        finished = True
                        _kill(child)
                        self._forget(child)
                        raise _failure(message)
            finally:
                if not finished and self._child is child:
                    self._cancel(child)

    def _cancel(self, child: _Child) -> None:
        """The caller stopped reading: stop the child's stream and drain it, or replace the child."""
        try:
            child.conn.send(("cancel",))
            deadline = time.monotonic() + self.limits.token_seconds
            while True:
                message = self._receive(child, deadline - time.monotonic(), "stopping")
                if message[0] != "token":
                    return
        except (ModelStopped, BrokenPipeError, OSError):
            _kill(child)
            self._forget(child)


def _kill(child: _Child) -> None:
    if child.process.poll() is None:
        child.process.kill()
    try:
        child.process.wait(timeout=5)
    except Exception:  # noqa: BLE001  (stuck in the kernel: no longer ours to wait for)
        pass
    try:
        child.conn.close()
    except OSError:
        pass


def _death(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code == -9:
        return "signal 9, probably out of memory"
    if code == -6:
        return "signal 6, probably out of memory"
    if code < 0:
        return f"signal {-code}"
    return f"exit code {code}"


def _failure(message: tuple[Any, ...]) -> MinutebookError:
    """The error the child reported: its own kind (a missing file stays ModelMissing), else stopped."""
    from minutebook import errors

    _, kind, text, hint = message
    cls = getattr(errors, kind, None)
    if isinstance(cls, type) and issubclass(cls, MinutebookError) and cls is not ModelStopped:
        try:
            return cls(text, hint)
        except TypeError:
            pass
    return ModelStopped(text, hint or _HINT)
