"""An index folder minutebook may not write: updating says so plainly (exit 3), reading keeps working.

Tests run as root here, and chmod alone does not stop root, so each way is made real for root too:
a read-only bind mount in a private mount namespace (``unshare -m``), ``chmod`` with the capability
that overrides it dropped (``setpriv``), and the immutable attribute (``chattr +i``). A way the machine
does not allow is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import clean_env

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"

# Runs commands in one process, in-process through `minutebook.cli.main`, and prints what each showed.
DRIVER = """
import contextlib, io, json, sys
from minutebook.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except BaseException as exc:  # a traceback is what these tests look for
            import traceback
            traceback.print_exc(file=err)
            code = -1
    results.append({"argv": argv, "code": code, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(results))
"""

WRITES = [["index", str(CORPUS)], ["index", "--rebuild", str(CORPUS)]]
READS = [["search", "--json", "caseloads"], ["status"], ["check"], ["check", "--repair"], ["decisions", "--json"],
         ["timeline", "--json", "caseloads"], ["ask", "--json", "what was said about caseloads?"]]


def _run(prefix: list[str], index: Path, commands: list[list[str]], home: Path) -> list[dict]:
    argvs = [[*argv, "--index", str(index)] for argv in commands]
    cmd = [*prefix, sys.executable, "-c", DRIVER, json.dumps(argvs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=clean_env(home), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fresh_copy(corpus_index: Path, dest: Path) -> Path:
    shutil.copytree(corpus_index, dest)
    wal = dest / "minutebook.sqlite-wal"
    if not wal.exists() or wal.stat().st_size == 0:  # a clean index, as a writer leaves it: no -wal, no -shm
        wal.unlink(missing_ok=True)
        (dest / "minutebook.sqlite-shm").unlink(missing_ok=True)
    return dest


def _allowed(cmd: list[str]) -> bool:
    return shutil.which(cmd[0]) is not None and subprocess.run(cmd, capture_output=True).returncode == 0


def _check(results: list[dict], index: Path, reason: str) -> None:
    by = {" ".join(r["argv"][:-2]): r for r in results}
    for argv in WRITES:
        r = by[" ".join(argv)]
        assert r["code"] == 3, r
        assert "Traceback" not in r["err"], r["err"]
        assert r["err"].startswith(f"minutebook: cannot write to the index folder {index} ({reason})\n"), r["err"]
    for argv in READS:
        r = by[" ".join(argv)]
        assert r["code"] == 0 and not r["err"].strip(), r
    assert json.loads(by["search --json caseloads"]["out"])["results"]
    assert "passages    154" in by["status"]["out"]


def test_a_read_only_filesystem(corpus_index: Path, tmp_path: Path) -> None:
    if not _allowed(["unshare", "-m", "true"]):
        pytest.skip("no private mount namespace here (unshare -m is not permitted)")
    index = _fresh_copy(corpus_index, tmp_path / "index")
    before = sorted(p.name for p in index.iterdir())
    mount = f"mount --bind -o ro {shlex.quote(str(index))} {shlex.quote(str(index))} && exec \"$@\""
    results = _run(["unshare", "-m", "sh", "-c", mount, "sh"], index, [*WRITES, *READS], tmp_path / "home")
    _check(results, index, "read-only")
    assert sorted(p.name for p in index.iterdir()) == before


@pytest.mark.slow  # nine commands in a child process, as the read-only case
def test_a_folder_without_write_permission(corpus_index: Path, tmp_path: Path) -> None:
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not _allowed(["setpriv", "--bounding-set=-dac_override,-dac_read_search", "true"]):
            pytest.skip("running as root and setpriv cannot drop CAP_DAC_OVERRIDE here")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    index = _fresh_copy(corpus_index, tmp_path / "index")
    for path in [index, *index.iterdir()]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        results = _run(prefix, index, [*WRITES, *READS], tmp_path / "home")
    finally:
        for path in [index, *index.iterdir()]:
            path.chmod(path.stat().st_mode | 0o200)
    _check(results, index, "permission denied")


@pytest.mark.slow  # nine commands in a child process, as the read-only case
def test_an_immutable_folder(corpus_index: Path, tmp_path: Path) -> None:
    index = _fresh_copy(corpus_index, tmp_path / "index")
    if os.geteuid() != 0 or not _allowed(["chattr", "+i", str(index)]):
        pytest.skip("chattr +i needs root and a filesystem that supports it")
    try:
        results = _run([], index, [*WRITES, *READS], tmp_path / "home")
    finally:
        subprocess.run(["chattr", "-i", str(index)], check=True)
    _check(results, index, "permission denied")


def test_a_new_index_where_the_folder_cannot_be_made(tmp_path: Path) -> None:
    if not _allowed(["unshare", "-m", "true"]):
        pytest.skip("no private mount namespace here (unshare -m is not permitted)")
    parent = tmp_path / "shared"
    parent.mkdir()
    index = parent / "index"
    mount = f"mount --bind -o ro {shlex.quote(str(parent))} {shlex.quote(str(parent))} && exec \"$@\""
    results = _run(["unshare", "-m", "sh", "-c", mount, "sh"], index, [["index", str(CORPUS)]], tmp_path / "home")
    assert results[0]["code"] == 3, results
    assert results[0]["err"].startswith(f"minutebook: cannot write to the index folder {index} (read-only)\n")
    assert "Traceback" not in results[0]["err"]
