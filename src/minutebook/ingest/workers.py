"""Reading papers in worker processes, so that a bad file costs only itself.

A parser that hangs, swallows memory or crashes (pdfium is C++) must not take the sync
with it. Each file is read in a small pool of long-lived worker processes:

* started as fresh interpreters (``python -c``, like multiprocessing's ``spawn``), never
  by ``fork``: the parent may hold torch, FAISS and threads, which a forked child would
  inherit half-locked. Unlike ``spawn`` they do not re-import the caller's ``__main__``,
  so a script, the TUI or ``python -c`` can all sync safely;
* each worker limits its own address space with ``RLIMIT_AS``, so a file that needs more
  than the limit fails with ``MemoryError`` (or kills only that worker);
* the parent gives every file a wall-clock limit, kills a worker that overruns or dies,
  and starts a fresh one;
* workers also cut each document into passages, which costs more than reading it (about
  a second per megabyte of text) and so belongs under the same limits, off the parent;
* a thread in the parent dispatches files and collects results while the caller embeds,
  so reading overlaps embedding, and results come back in the order the paths were given;
* a scanned page read by OCR (``ingest.ocr``) is announced to the parent before it starts,
  which restarts the file's clock: the time limit applies to each such page, so a long
  scanned paper is not cut off, and the announcements feed the sync's progress.

Starting a worker costs about 0.15 s, so every sync reads this way, however small:
there is no in-process shortcut that would quietly drop the time and memory limits.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minutebook.types import Chunk, Document

Reader = Callable[[Path], Document]
# Told (from the dispatching thread) as a paper's scanned pages are read: (path, pages done, pages to read).
PageFn = Callable[[Path, int, int], None]

# How long the parent waits for a worker to acknowledge a stop before killing it.
_STOP_GRACE_S = 1.0
# How long a new worker may take to start (import, load the tokenizer) before its first file's
# own clock starts: a busy machine must not make a good file look like a hanging one.
_START_ALLOWANCE_S = 60.0
# How often the dispatcher wakes with nothing else to do (to notice a closed pool).
_TICK_S = 0.5
# Papers read ahead of the caller: more than one embedding batch (pipeline.EMBED_BATCH passages),
# so readers keep working while the model embeds and the next batch is ready when it is done.
READ_AHEAD = 16


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """What one file may cost to read."""

    seconds: float = 60.0  # wall-clock time per file
    memory_mb: int = 2048  # address space of the worker reading it
    workers: int = 2  # processes reading side by side (at least 1)


@dataclass(frozen=True, slots=True)
class ReadOutcome:
    """One file's result: a document, or the plain reason it could not be read."""

    path: Path
    document: Document | None
    reason: str | None
    chunks: tuple[Chunk, ...] | None = None  # None: not cut into passages here


def describe_limit_seconds(seconds: float) -> str:
    return f"took longer than {seconds:g} s to read"


def describe_limit_memory(memory_mb: int) -> str:
    amount = f"{memory_mb / 1024:g} GB" if memory_mb >= 1024 else f"{memory_mb} MB"
    return f"needed more than {amount} of memory to read"


# --- the worker process -------------------------------------------------------------------


def worker_main() -> None:
    """Entry point of a worker process: ``python -c "...; worker_main()" FD``.

    First message: ``(memory_mb, parent_pid, sys_path, pickled reader)``. Then a loop:
    receive ``(index, path)``, send ``("start", index)``, then ``("page", index, done, total)``
    before each page read by OCR, then ``("done", index, document, chunks, reason, retire)``.
    """
    import pickle
    import resource
    import signal
    import sys
    from multiprocessing.connection import Connection

    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn = Connection(int(sys.argv[1]))
    try:
        memory_mb, parent_pid, sys_path, reader_bytes = conn.recv()
    except (EOFError, OSError):
        return
    watch_parent(parent_pid)
    sys.path[:] = sys_path  # so a reader passed by name imports as it did in the parent
    reader: Reader = pickle.loads(reader_bytes)
    _warm_up()
    from minutebook.ingest.ocr import set_page_observer

    current: list[int] = [-1]

    def announce(done: int, total: int) -> None:
        conn.send(("page", current[0], done, total))

    set_page_observer(announce)
    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        index, path_str = job
        current[0] = index
        try:
            conn.send(("start", index))  # the file's time limit runs from here
        except (BrokenPipeError, OSError):
            return
        document, reason, retire = _read_one(reader, Path(path_str), memory_mb)
        chunks = None
        if document is not None:
            chunks, reason, retire = _chunk_one(document, memory_mb)
            if reason is not None:
                document = None
        try:
            conn.send(("done", index, document, chunks, reason, retire))
        except MemoryError:
            conn.send(("done", index, None, None, describe_limit_memory(memory_mb), True))
            return
        except (BrokenPipeError, OSError):
            return
        if retire:
            return  # memory may be fragmented or a C library left in a bad state


def _warm_up() -> None:
    """Load the tokenizer before the first file, so its load time is not charged to that file."""
    from minutebook.chunking.tokens import word_piece_counter
    from minutebook.errors import ModelMissing

    try:
        word_piece_counter()("warm up")
    except ModelMissing:
        pass  # the parent chunks instead, and reports what is missing


def watch_parent(parent_pid: int) -> None:
    """Exit when the parent dies (even by SIGKILL), instead of lingering as an orphan."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _chunk_one(document: Document, memory_mb: int) -> tuple[tuple[Chunk, ...] | None, str | None, bool]:
    """Cut a document into passages; returns ``(chunks, reason, retire_worker)``.

    Without the tokenizer the parent chunks instead (and reports the missing piece).
    """
    from minutebook.chunking.chunker import chunk_document
    from minutebook.chunking.tokens import word_piece_counter
    from minutebook.errors import ModelMissing

    try:
        return tuple(chunk_document(document, word_piece_counter())), None, False
    except ModelMissing:
        return None, None, False
    except MemoryError:
        return None, describe_limit_memory(memory_mb), True
    except Exception as exc:  # noqa: BLE001 - a chunker bug must still cost only this file
        return None, f"could not be cut into passages ({type(exc).__name__}: {exc})", True


def _read_one(reader: Reader, path: Path, memory_mb: int) -> tuple[Document | None, str | None, bool]:
    """Read one file; returns ``(document, reason, retire_worker)``. Never raises."""
    import stat

    from minutebook.errors import ExtractionLimit, IngestError

    try:
        for _attempt in range(3):
            before = os.stat(path)
            if not stat.S_ISREG(before.st_mode):
                return None, "not a regular file (a folder, pipe or device)", False
            document = reader(path)
            try:
                after = os.stat(path)
            except FileNotFoundError:
                return None, "was deleted while it was being read", False
            if (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino):
                return document, None, False
        return None, "kept changing while it was being read; it will be read again on the next sync", False
    except MemoryError:
        return None, describe_limit_memory(memory_mb), True
    except ExtractionLimit as exc:
        if isinstance(exc.__cause__, MemoryError):
            return None, describe_limit_memory(memory_mb), True
        return None, exc.reason, False
    except IngestError as exc:
        return None, exc.reason, False
    except FileNotFoundError:
        return None, "was deleted before it could be read", False
    except OSError as exc:
        return None, f"cannot read file ({exc.strerror or exc})", False
    except RecursionError:
        return None, "damaged file (structure nested too deeply)", True
    except Exception as exc:  # noqa: BLE001 - a reader's own bug must still cost only this file
        return None, f"could not be read ({type(exc).__name__}: {exc})", True


# --- the parent side ------------------------------------------------------------------------


@dataclass
class _Worker:
    process: Any
    conn: Any
    job: int | None = None
    deadline: float = 0.0
    started: bool = False  # has been given a file before


class ReaderPool:
    """Worker processes reading files under ``limits``; see the module docstring.

    ``reader`` must be importable by name (a module-level function): spawn workers
    receive it by reference. Tests pass readers that hang, allocate or crash.
    """

    def __init__(
        self, limits: ReadLimits | None = None, reader: Reader | None = None, on_page: PageFn | None = None,
    ) -> None:
        from minutebook.ingest import read_document

        self.limits = limits or ReadLimits()
        self.reader: Reader = reader or read_document
        self.on_page = on_page
        self._workers: list[_Worker] = []
        self._cond = threading.Condition()
        self._closed = False

    # -- workers --

    def _start_worker(self) -> _Worker:
        import pickle
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        parent_sock, child_sock = socket.socketpair()
        with child_sock:
            process = subprocess.Popen(
                [sys.executable, "-c", "from minutebook.ingest.workers import worker_main; worker_main()",
                 str(child_sock.fileno())],
                pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                # Few malloc arenas: each reserves address space that counts against RLIMIT_AS.
                env={**os.environ, "MALLOC_ARENA_MAX": "2"},
                # Parsers print warnings about damaged files; the reason reaches the sync summary.
                stderr=subprocess.DEVNULL, close_fds=True,
            )
        conn = Connection(parent_sock.detach())
        try:
            conn.send((self.limits.memory_mb, os.getpid(), list(sys.path), pickle.dumps(self.reader)))
        except (BrokenPipeError, ConnectionResetError):
            pass  # it died at once; its first file reports that
        return _Worker(process, conn)

    @staticmethod
    def _kill(worker: _Worker) -> None:
        if worker.process.poll() is None:
            worker.process.kill()
        try:
            worker.process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - see below
            pass  # unkillable (stuck in the kernel); it is no longer ours to wait for
        worker.conn.close()

    def _stop_all(self) -> None:
        for worker in self._workers:
            if worker.job is None:
                try:
                    worker.conn.send(None)
                except (BrokenPipeError, OSError):
                    pass
        deadline = time.monotonic() + _STOP_GRACE_S
        for worker in self._workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - see below
                pass  # busy or stuck: killed below
            self._kill(worker)
        self._workers.clear()

    # -- reading --

    def read(self, paths: Sequence[Path]) -> Iterator[ReadOutcome]:
        """Read ``paths``, yielding one outcome per path, in the order given. Never raises
        for a file's sake; closing the iterator early stops the workers."""
        paths = list(paths)
        if not paths:
            return
        state = _Run(paths, window=READ_AHEAD)
        dispatcher = threading.Thread(target=self._dispatch, args=(state,), name="minutebook-dispatch", daemon=True)
        dispatcher.start()
        try:
            for index, path in enumerate(paths):
                with self._cond:
                    while index not in state.results and state.error is None:
                        self._cond.wait(_TICK_S)
                    if index in state.results:
                        document, chunks, reason = state.results.pop(index)
                    else:
                        document, chunks = None, None
                        reason = f"could not be read (reader pool failed: {state.error})"
                    state.next_yield = index + 1
                    self._cond.notify_all()
                yield ReadOutcome(path, document, reason, chunks)
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            dispatcher.join(timeout=10)

    def _dispatch(self, state: _Run) -> None:
        try:
            for _ in range(max(1, min(self.limits.workers, len(state.paths)))):
                self._workers.append(self._start_worker())
            self._dispatch_loop(state)
        except BaseException as exc:  # noqa: BLE001 - never leave the reader waiting forever
            with self._cond:
                state.error = f"{type(exc).__name__}: {exc}"
                self._cond.notify_all()
        finally:
            self._stop_all()

    def _dispatch_loop(self, state: _Run) -> None:
        from multiprocessing.connection import wait

        total = len(state.paths)
        while True:
            with self._cond:
                if self._closed:
                    return
                for worker in self._workers:
                    if worker.job is None and state.next_send < min(total, state.next_yield + state.window):
                        self._send(worker, state.next_send, state.paths[state.next_send])
                        state.next_send += 1
                busy = [w for w in self._workers if w.job is not None]
                if not busy:
                    if state.next_send >= total:
                        return
                    self._cond.wait(_TICK_S)  # the reader has not caught up with the window yet
                    continue
            now = time.monotonic()
            timeout = max(0.0, min(min(w.deadline for w in busy) - now, _TICK_S))
            # A worker that dies closes its end of the socket, which wakes this wait too.
            ready = set(wait([w.conn for w in busy], timeout))
            for worker in busy:
                if worker.conn in ready:
                    self._collect(worker, state)
                elif time.monotonic() > worker.deadline:
                    self._finish(worker, state, describe_limit_seconds(self.limits.seconds), replace=True)

    def _send(self, worker: _Worker, index: int, path: Path) -> None:
        worker.job = index
        # Until the worker says it has started on the file: its own start-up, then the file.
        worker.deadline = time.monotonic() + self.limits.seconds + (0.0 if worker.started else _START_ALLOWANCE_S)
        worker.started = True
        try:
            worker.conn.send((index, str(path)))
        except (BrokenPipeError, OSError):
            pass  # it died idle; its closed socket wakes the next wait

    def _collect(self, worker: _Worker, state: _Run) -> None:
        """Take a worker's answer, or find out how it died."""
        if worker.conn.poll():
            try:
                # Blocks until the whole message is in, however large the document.
                message = worker.conn.recv()
            except (EOFError, OSError):
                pass  # it died, perhaps part-way through sending
            else:
                if message[0] == "start" and message[1] == worker.job:
                    worker.deadline = time.monotonic() + self.limits.seconds
                    return
                if message[0] == "page" and message[1] == worker.job:
                    worker.deadline = time.monotonic() + self.limits.seconds  # each scanned page gets the limit
                    if self.on_page is not None:
                        self.on_page(state.paths[message[1]], message[2], message[3])
                    return
                if message[0] == "done" and message[1] == worker.job:
                    _, _, document, chunks, reason, retire = message
                    self._finish(worker, state, reason, document=document, chunks=chunks, replace=retire)
                    return
        try:
            code = worker.process.wait(timeout=_STOP_GRACE_S)
        except Exception:  # noqa: BLE001 - whatever stops the wait, the exit code is unknown
            code = None
        if code == -6:
            # Native libraries (pdfium, the Rust tokenizer) abort when an allocation fails.
            reason = f"the reader crashed (signal 6), probably {describe_limit_memory(self.limits.memory_mb)}"
        elif code is not None and code < 0:
            reason = f"the reader crashed (signal {-code})"
        else:
            reason = f"the reader stopped unexpectedly (exit code {code})"
        self._finish(worker, state, reason, replace=True)

    def _finish(
        self, worker: _Worker, state: _Run, reason: str | None, *, document: Document | None = None,
        chunks: tuple[Chunk, ...] | None = None, replace: bool = False,
    ) -> None:
        index = worker.job
        worker.job = None
        if replace:
            self._kill(worker)
            position = self._workers.index(worker)
            if self._closed:
                self._workers.pop(position)
            else:
                self._workers[position] = self._start_worker()
        if index is not None:
            if document is None and not reason:
                reason = "could not be read"
            with self._cond:
                state.results[index] = (document, chunks, None if document is not None else reason)
                self._cond.notify_all()


@dataclass
class _Run:
    paths: list[Path]
    window: int  # how far reading may run ahead of the caller
    next_send: int = 0
    next_yield: int = 0
    error: str | None = None
    results: dict[int, tuple[Document | None, tuple[Chunk, ...] | None, str | None]] = field(default_factory=dict)


def read_files(
    paths: Sequence[Path], limits: ReadLimits | None = None, reader: Reader | None = None,
    on_page: PageFn | None = None,
) -> Iterator[ReadOutcome]:
    """Read ``paths`` in worker processes; one outcome per path, in order (see ReaderPool)."""
    yield from ReaderPool(limits, reader, on_page).read(paths)
