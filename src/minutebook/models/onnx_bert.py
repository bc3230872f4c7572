"""A BERT encoder written straight to ONNX from its safetensors weights: no torch, no transformers.

MiniLM is a plain BERT (absolute positions, GELU, post-layer-norm). Its forward pass is written
here once, node by node, with exactly the operations transformers' eager ``BertModel`` runs, so
ONNX Runtime computes the same ``last_hidden_state`` (to float rounding) as the model in torch.
Each linear layer is a ``MatMul`` by its transposed weight plus an ``Add``, the form
``onnxruntime.quantization.quantize_dynamic`` turns into int8.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


@dataclass(frozen=True, slots=True)
class BertConfig:
    """The fields of a Hugging Face ``config.json`` that shape the graph."""

    hidden_size: int
    num_attention_heads: int
    num_hidden_layers: int
    layer_norm_eps: float

    @classmethod
    def read(cls, folder: Path) -> BertConfig:
        raw = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if raw.get("model_type") != "bert" or raw.get("hidden_act") != "gelu" \
                or raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{folder}: not a BERT model with GELU and absolute positions")
        return cls(int(raw["hidden_size"]), int(raw["num_attention_heads"]), int(raw["num_hidden_layers"]),
                   float(raw["layer_norm_eps"]))


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor in a ``.safetensors`` file (an 8-byte header length, a JSON header, raw little-endian data)."""
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = memoryview(data)[8 + size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        stored = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        values = np.frombuffer(body[start:end], dtype=stored).reshape(info["shape"])
        tensors[name] = values.astype(stored.newbyteorder("="))
    return tensors


class _Graph:
    """Nodes and weights under construction, each given a unique name."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper = helper
        self.numpy_helper = numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, *inputs: str, out: str | None = None, **attrs: Any) -> str:
        self._n += 1
        out = out or f"{op_type.lower()}_{self._n}"
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], name=f"{op_type}_{self._n}", **attrs))
        return out

    def linear(self, x: str, weights: dict[str, np.ndarray], prefix: str) -> str:
        w = self.const(f"{prefix}.weight.T", weights[f"{prefix}.weight"].T)
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("Add", self.op("MatMul", x, w), b)

    def layer_norm(self, x: str, weights: dict[str, np.ndarray], prefix: str, eps: float) -> str:
        scale = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"])
        bias = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("LayerNormalization", x, scale, bias, axis=-1, epsilon=eps)


def export_bert(folder: Path, out: Path, *, opset: int = 17) -> None:
    """Write ``folder``'s BERT (``config.json`` + ``model.safetensors``) to ``out`` as an ONNX model.

    Inputs ``input_ids``, ``attention_mask`` and ``token_type_ids`` (int64, batch x sequence); output
    ``last_hidden_state`` (float32, batch x sequence x hidden). Both axes are dynamic.
    """
    import onnx
    from onnx import TensorProto, helper

    config = BertConfig.read(folder)
    weights = read_safetensors(folder / "model.safetensors")
    heads = config.num_attention_heads
    head_size = config.hidden_size // heads
    eps = config.layer_norm_eps
    g = _Graph()

    # Embeddings: word + token type + absolute position, then layer norm.
    # Positions 0 .. sequence-1 sliced from a stored row and looked up with Gather, as BertModel does
    # (so quantisation treats the position table like the other two).
    seq_len = g.op("Shape", "input_ids", start=1, end=2)  # [sequence], 1-D
    table = weights["embeddings.position_embeddings.weight"]
    position_ids = g.const("position_ids", np.arange(table.shape[0], dtype=np.int64)[None, :])
    positions = g.op("Slice", position_ids, g.const("zero_i", np.array([0], dtype=np.int64)), seq_len,
                     g.const("axis_1", np.array([1], dtype=np.int64)))
    words = g.op("Gather", g.const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids")
    types = g.op("Gather", g.const("token_type_embeddings", weights["embeddings.token_type_embeddings.weight"]),
                 "token_type_ids")
    places = g.op("Gather", g.const("position_embeddings", table), positions)
    hidden = g.layer_norm(g.op("Add", g.op("Add", words, types), places), weights, "embeddings.LayerNorm", eps)

    # The additive attention mask, batch x 1 x 1 x sequence: 0 where attended, the float minimum elsewhere.
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    inverted = g.op("Sub", g.const("one_f", np.array(1.0, dtype=np.float32)), mask)
    additive = g.op("Mul", inverted, g.const("float_min", np.array(np.finfo(np.float32).min, dtype=np.float32)))
    additive = g.op("Unsqueeze", additive, g.const("axes_1_2", np.array([1, 2], dtype=np.int64)))

    split_heads = g.const("split_heads", np.array([0, 0, heads, head_size], dtype=np.int64))
    merge_heads = g.const("merge_heads", np.array([0, 0, config.hidden_size], dtype=np.int64))
    scaling = g.const("scaling", np.array(1.0 / math.sqrt(head_size), dtype=np.float32))
    sqrt_half = g.const("sqrt_half", np.array(1.0 / math.sqrt(2.0), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))

    for i in range(config.num_hidden_layers):
        p = f"encoder.layer.{i}"

        def heads_of(x: str) -> str:
            return g.op("Transpose", g.op("Reshape", x, split_heads), perm=[0, 2, 1, 3])

        query = heads_of(g.linear(hidden, weights, f"{p}.attention.self.query"))
        key = heads_of(g.linear(hidden, weights, f"{p}.attention.self.key"))
        value = heads_of(g.linear(hidden, weights, f"{p}.attention.self.value"))
        scores = g.op("Mul", g.op("MatMul", query, g.op("Transpose", key, perm=[0, 1, 3, 2])), scaling)
        probs = g.op("Softmax", g.op("Add", scores, additive), axis=-1)
        context = g.op("Reshape", g.op("Transpose", g.op("MatMul", probs, value), perm=[0, 2, 1, 3]), merge_heads)
        attended = g.linear(context, weights, f"{p}.attention.output.dense")
        hidden = g.layer_norm(g.op("Add", attended, hidden), weights, f"{p}.attention.output.LayerNorm", eps)

        inner = g.linear(hidden, weights, f"{p}.intermediate.dense")
        # GELU, exactly: x * 0.5 * (1 + erf(x / sqrt 2)); ONNX Runtime fuses the pattern.
        gelu = g.op("Mul", g.op("Mul", inner, half), g.op("Add", g.op("Erf", g.op("Mul", inner, sqrt_half)), "one_f"))
        projected = g.linear(gelu, weights, f"{p}.output.dense")
        out_name = "last_hidden_state" if i == config.num_hidden_layers - 1 else None
        summed = g.op("Add", projected, hidden)
        scale = g.const(f"{p}.output.LayerNorm.weight", weights[f"{p}.output.LayerNorm.weight"])
        bias = g.const(f"{p}.output.LayerNorm.bias", weights[f"{p}.output.LayerNorm.bias"])
        hidden = g.op("LayerNormalization", summed, scale, bias, axis=-1, epsilon=eps, out=out_name)

    ids = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
           for name in ("input_ids", "attention_mask", "token_type_ids")]
    result = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT,
                                           ["batch", "sequence", config.hidden_size])
    graph = helper.make_graph(g.nodes, "bert", ids, [result], initializer=g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="minutebook")
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
