"""Start-up stays instant and the library stays independent of its front ends."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src" / "minutebook"
HEAVY = ("torch", "sentence_transformers", "faiss", "llama_cpp", "textual", "pypdfium2", "docx", "transformers")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    return set(out.stdout.split())


def test_importing_the_library_and_cli_loads_no_heavy_module() -> None:
    loaded = _loaded_after("import minutebook, minutebook.cli, minutebook.search.hybrid, minutebook.pipeline.syncer")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_help_and_argument_errors_load_no_heavy_module() -> None:
    code = (
        "import contextlib, io\nfrom minutebook.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
        "    try:\n        main(['search', '--since', 'x'])\n    except SystemExit:\n        pass\n"
    )
    loaded = _loaded_after(code)
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_library_never_imports_its_front_ends() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if "cli" in path.relative_to(SRC).parts or path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith(("textual", "minutebook_tui", "minutebook.cli", "click")):
                    offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert offenders == []


def test_argument_error_is_a_message_not_a_traceback() -> None:
    out = subprocess.run([sys.executable, "-m", "minutebook", "search", "caseloads", "--since", "last week"],
                         capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 2
    assert "cannot read the date 'last week'" in out.stderr
    assert "Traceback" not in out.stderr


def test_import_contracts_hold() -> None:
    """The contracts in pyproject.toml: front ends, council code and the engine stay in their places."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO / "tui")])}
    code = "import sys\nfrom importlinter.cli import lint_imports\nsys.exit(lint_imports(no_cache=True))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
