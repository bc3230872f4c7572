"""Start `minutebook serve` as a real process and talk to it over real HTTP (stdlib only)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def clean_env(home: Path) -> dict[str, str]:
    """The environment for a child process: like the tests' settings, nothing from the developer's config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINUTEBOOK_")}
    env["MINUTEBOOK_HOME"] = str(home)
    return env


class Served:
    """A running `minutebook serve` and a tiny client for it."""

    def __init__(self, proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
        self.proc = proc
        self.base = base
        self.log = log

    def get(self, path: str, **params: object) -> Reply:
        query = urllib.parse.urlencode([(k, v) for k, vs in params.items()
                                        for v in (vs if isinstance(vs, list) else [vs])])
        return self._send(urllib.request.Request(self.base + path + ("?" + query if query else "")))

    def post(self, path: str, body: bytes | dict[str, Any]) -> Reply:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self._send(urllib.request.Request(self.base + path, data=data, method="POST",
                                                 headers={"Content-Type": "application/json"}))

    def _send(self, request: urllib.request.Request) -> Reply:
        try:
            with urllib.request.urlopen(request, timeout=300) as r:
                return Reply(r.status, r.read(), dict(r.headers))
        except urllib.error.HTTPError as e:
            return Reply(e.code, e.read(), dict(e.headers))

    def stop(self) -> str:
        """Stop the server as Ctrl-C would; what it wrote to stderr."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(index: Path | str, log: Path, *args: str, env: dict[str, str] | None = None) -> Served:
    """`minutebook serve --index INDEX --port 0 ARGS`, once it says where it listens (stderr to ``log``)."""
    cmd = [sys.executable, "-m", "minutebook", "serve", "--index", str(index), "--port", "0", *args]
    clean = clean_env(log.parent / "mb-home")
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO,
                                env={**clean, **(env or {})})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        m = re.search(r"on (http://[^ ]+)/ ", log.read_text(encoding="utf-8", errors="replace"))
        if m:
            return Served(proc, m.group(1), log)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise AssertionError(f"the server did not start: {log.read_text(encoding='utf-8', errors='replace')}")
