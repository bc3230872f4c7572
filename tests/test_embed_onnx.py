"""The ONNX backends: the same MiniLM vectors as torch, without torch at run time, from verified files.

The ONNX files are built once per test run into a temporary cache (about 3 s on two cores).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minutebook import default_embedder
from minutebook.config import Settings
from minutebook.errors import IndexMismatch, ModelChecksumMismatch, UsageError
from minutebook.models.embed import MINILM_ID
from minutebook.models.embed_onnx import (
    INT8_NAME,
    ONNX_INT8_MODEL_ID,
    ONNX_MODEL_ID,
    OnnxMiniLMEmbedder,
    ensure_onnx,
    onnx_export,
)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


def council_passages() -> list[str]:
    """Real paragraphs from the sample corpus, short to long, plus one past the 256-token limit."""
    paragraphs: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        paragraphs += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
    picked = paragraphs[::max(1, len(paragraphs) // 40)][:40]
    return [*picked, "Social worker caseloads", " ".join(paragraphs[:30])]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("model-cache")
    ensure_onnx(cache, progress=None)
    return cache


@pytest.fixture(scope="session")
def torch_vectors(minilm) -> np.ndarray:
    return minilm.embed(council_passages())


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def test_fp32_vectors_match_torch(onnx_cache: Path, torch_vectors: np.ndarray) -> None:
    vectors = OnnxMiniLMEmbedder(quantized=False, cache=onnx_cache).embed(council_passages())
    assert vectors.dtype == np.float32 and vectors.shape == torch_vectors.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Measured: min cosine 0.99999 (rounding only), including the passage cut at 256 tokens.
    assert cosines(vectors, torch_vectors).min() > 0.999


def test_int8_vectors_stay_close_to_torch(onnx_cache: Path, torch_vectors: np.ndarray) -> None:
    vectors = OnnxMiniLMEmbedder(quantized=True, cache=onnx_cache).embed(council_passages())
    cos = cosines(vectors, torch_vectors)
    # Measured on 2,000 indexed passages: mean 0.993, min 0.980. Per-tensor int8 would give mean ~0.96.
    assert cos.mean() > 0.985
    assert cos.min() > 0.97


@pytest.mark.parametrize("batching", [{"batch_size": 8}, {"batch_tokens": 100}], ids=["rows", "word-pieces"])
def test_fp32_vector_does_not_depend_on_batch_mates(onnx_cache: Path, batching: dict[str, int]) -> None:
    texts = council_passages()
    embedder = OnnxMiniLMEmbedder(quantized=False, cache=onnx_cache, **batching)
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts[:6] + texts[-2:]])
    assert np.allclose(together[:6], alone[:6], atol=1e-5)
    assert np.allclose(together[-2:], alone[-2:], atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_each_backend_has_its_own_model_id(onnx_cache: Path) -> None:
    ids = {MINILM_ID, OnnxMiniLMEmbedder(quantized=False, cache=onnx_cache).model_id,
           OnnxMiniLMEmbedder(quantized=True, cache=onnx_cache).model_id}
    assert ids == {"sentence-transformers/all-MiniLM-L6-v2", ONNX_MODEL_ID, ONNX_INT8_MODEL_ID}


def test_settings_pick_the_backend(onnx_cache: Path) -> None:
    int8 = default_embedder(Settings(embed_backend="onnx-int8", cache=onnx_cache))
    assert isinstance(int8, OnnxMiniLMEmbedder) and int8.quantized
    assert int8.model_id == ONNX_INT8_MODEL_ID and int8.model_path.name == INT8_NAME
    fp32 = default_embedder(Settings(embed_backend="onnx", cache=onnx_cache))
    assert isinstance(fp32, OnnxMiniLMEmbedder) and not fp32.quantized
    assert default_embedder(Settings(embed_backend="torch")).model_id == MINILM_ID
    with pytest.raises(UsageError, match="onnx-int8"):
        default_embedder(Settings(embed_backend="tensorflow"))


def test_embedding_with_an_existing_export_never_imports_torch(onnx_cache: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from minutebook.config import Settings\n"
        "from minutebook.models.registry import default_embedder\n"
        f"e = default_embedder(Settings(embed_backend='onnx-int8', cache=Path({str(onnx_cache)!r})))\n"
        "v = e.embed(['Members asked about social worker caseloads.'])\n"
        "assert v.shape == (1, 384), v.shape\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'onnx') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert "building" not in done.stderr  # the export was reused, not rebuilt


def test_building_the_onnx_files_never_imports_torch(tmp_path: Path, onnx_cache: Path) -> None:
    """An install without torch builds the same files: a fresh cache, built in a clean interpreter."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from minutebook.models.embed_onnx import ensure_onnx\n"
        f"ensure_onnx(Path({str(tmp_path)!r}), progress=None)\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    texts = council_passages()
    for quantized in (False, True):
        built = OnnxMiniLMEmbedder(quantized=quantized, cache=tmp_path, progress=None).embed(texts)
        again = OnnxMiniLMEmbedder(quantized=quantized, cache=onnx_cache, progress=None).embed(texts)
        np.testing.assert_array_equal(built, again)  # the build is deterministic


def test_an_index_refuses_vectors_from_another_backend(onnx_cache: Path, minilm, tmp_path: Path) -> None:
    from minutebook import sync

    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(CORPUS / "west-sussex-cyp-scrutiny-2022-06-08-minutes.txt", papers)
    sync(tmp_path / "index", [papers], OnnxMiniLMEmbedder(quantized=True, cache=onnx_cache))
    with pytest.raises(IndexMismatch, match="onnx-int8"):
        sync(tmp_path / "index", [papers], minilm)


def test_a_tampered_model_file_is_refused_then_rebuilt(onnx_cache: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(onnx_cache, cache)
    model = onnx_export(cache).int8
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))

    with pytest.raises(ModelChecksumMismatch) as refused:
        OnnxMiniLMEmbedder(quantized=True, cache=cache).embed(["caseloads"])
    assert str(model) in refused.value.message and "altered" in refused.value.message
    assert refused.value.hint is not None and f"Delete {model.parent}" in refused.value.hint

    # Doing what the hint says: the next use rebuilds the files, saying so once on stderr.
    shutil.rmtree(model.parent)
    vectors = OnnxMiniLMEmbedder(quantized=True, cache=cache).embed(["caseloads", "foster carers"])
    assert vectors.shape == (2, 384)
    assert capsys.readouterr().err.count("building the ONNX embedding model, once") == 1


def test_a_missing_checksum_file_is_refused(onnx_cache: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(onnx_cache, cache)
    model = onnx_export(cache).fp32
    model.with_name(model.name + ".sha256").unlink()
    with pytest.raises(ModelChecksumMismatch, match="recorded checksum"):
        OnnxMiniLMEmbedder(quantized=False, cache=cache).embed(["caseloads"])


def test_models_report_shows_the_onnx_file_and_its_state(onnx_cache: Path, tmp_path: Path) -> None:
    from minutebook.models.registry import model_reports

    built = model_reports(Settings(embed_backend="onnx-int8", cache=onnx_cache))
    onnx = [r for r in built if r["name"] == ONNX_INT8_MODEL_ID]
    assert len(onnx) == 1 and onnx[0]["status"] == "verified"
    assert onnx[0]["path"] == str(onnx_export(onnx_cache).int8) and onnx[0]["sha256"]
    fresh = model_reports(Settings(embed_backend="onnx", cache=tmp_path))
    assert next(r["status"] for r in fresh if r["name"] == ONNX_MODEL_ID).startswith("not yet built")
    assert not any(r["name"].startswith(ONNX_MODEL_ID) for r in model_reports(Settings(embed_backend="torch", cache=onnx_cache)))
