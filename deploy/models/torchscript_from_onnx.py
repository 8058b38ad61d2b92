"""Builds a TorchScript copy of a BERT-family ONNX encoder for sparkembed's PyTorch engine.

No TorchScript text model is published on Maven Central, but the ONNX encoders are (MiniLM, BGE,
E5 in the LangChain4j jars). This script rebuilds the encoder in plain PyTorch from the ONNX
file's initializers: embeddings (word + position + token type), LayerNorm, then N layers of
self-attention with the additive mask from attention_mask and an erf-GELU feed-forward block.
The optimised graphs name their MatMul weights anonymously (onnx::MatMul_N), so each weight is
found by following the graph from its named bias; the hidden size, heads, layers and LayerNorm
epsilons are read from the graph too. It makes the PyTorch engine's test fixtures (udfs' build)
and the bfloat16 CPU tier of the built-in models (deploy/models/build_cpu_tiers.sh).

Before tracing, the ONNX graph itself is run by a small op-by-op evaluator written in torch, on
padded batches, and must agree with the rebuilt module to 1e-4 on every real token; the traced
module must then reproduce the eager one on other batch and sequence shapes. The traced module
takes int64 [batch, seq] tensors in the order input_ids, attention_mask[, token_type_ids] (the
last only when the ONNX graph has that input) and returns the last hidden state,
[batch, seq, hidden], in float32. Quantized graphs (the int8 -q models) are refused with
exit status 3 and nothing written; any other failure exits 1.

With --dtype bfloat16 the float32 checks above run first; then the mixed-precision module of
mixed_bfloat16.py is scripted (its Linear products in bfloat16 with float32 accumulation, the
rest in float32; Linear weights saved as bfloat16), saved, loaded back, and checked on each kernel
path this torch can run: its mean-pooled and first-token sentence vectors must have a cosine of
at least BF16_MIN_COSINE with the float32 module's on every row of the check batches, or nothing
is written. The attention stays float32 because in bfloat16 its products cost e5-small-v2 that bar
(worst first-token cosine 0.99900, mean-pooled 0.99968 on the check batches).

usage: python3 torchscript_from_onnx.py --onnx MODEL.onnx --out MODEL.pt [--cache DIR]
                                        [--dtype float32|bfloat16]
With --cache, the result is kept as DIR/<sha256 of the ONNX file>.pt (float32) or
DIR/<sha256>-bfloat16-<12 digits of the SHA-256 of this script and mixed_bfloat16.py>.pt
(bfloat16, so a changed recipe is never served from the cache) and reused when present.
Needs only torch and onnx (Debian: python3-torch python3-onnx).
"""
import argparse
import hashlib
import io
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from typing import Optional

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

import mixed_bfloat16

TOLERANCE = 1e-4
BF16_MIN_COSINE = 0.9999
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
QUANTIZED_OPS = {
    "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger",
    "QLinearMatMul", "ConvInteger", "QLinearConv", "MatMulIntegerToFloat", "QAttention",
    "DynamicQuantizeMatMul", "QGemm",
}
INPUT_ORDER = ("input_ids", "attention_mask", "token_type_ids")
EXIT_QUANTIZED = 3


def fail(message, status=1):
    """Stops with a message and a non-zero exit status."""
    print("torchscript_from_onnx: " + message, file=sys.stderr)
    sys.exit(status)


# ---------------------------------------------------------------------------------------------
# Reading the graph


class Graph:
    """Index over an ONNX graph: tensors by name, producers and consumers of each value."""

    def __init__(self, model):
        self.graph = model.graph
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
        self.inputs = [i.name for i in self.graph.input]
        self.tensors = {t.name: _tensor(t) for t in self.graph.initializer}
        self.producer, self.consumers = {}, {}
        for node in self.graph.node:
            for name in node.output:
                self.producer[name] = node
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)
            if node.op_type == "Constant":
                self.tensors[node.output[0]] = _constant(node)

    def ops(self):
        return {node.op_type for node in self.graph.node}

    def tensor(self, name):
        if name not in self.tensors:
            fail(f"the graph has no tensor named {name}")
        return self.tensors[name]

    def made_by(self, name, op_type):
        node = self.producer.get(name)
        if node is None or node.op_type != op_type:
            fail(f"expected {name} to come from a {op_type} node, found {node and node.op_type}")
        return node

    def used_by(self, name, op_type):
        nodes = [n for n in self.consumers.get(name, []) if n.op_type == op_type]
        if len(nodes) != 1:
            fail(f"expected one {op_type} node reading {name}, found {len(nodes)}")
        return nodes[0]

    def other_input(self, node, name):
        others = [i for i in node.input if i != name]
        if len(others) != 1:
            fail(f"{node.op_type} node {node.name} does not have two distinct inputs")
        return others[0]


def _tensor(proto):
    return torch.from_numpy(numpy_helper.to_array(proto).copy())


def _constant(node):
    attr = {a.name: a for a in node.attribute}
    if "value" not in attr:
        fail(f"Constant node {node.name} uses an unsupported attribute {sorted(attr)}")
    return _tensor(attr["value"].t)


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def refuse_quantized(graph):
    quantized = sorted(graph.ops() & QUANTIZED_OPS)
    if quantized:
        fail(f"quantized graph ({', '.join(quantized)}): only fp32 encoders are supported",
             EXIT_QUANTIZED)
    for name, value in graph.tensors.items():
        if value.dtype in (torch.int8, torch.uint8):
            fail(f"quantized graph (tensor {name} is {value.dtype}): only fp32 encoders are "
                 "supported", EXIT_QUANTIZED)


def linear(graph, bias_name):
    """Weight [out, in] and bias of a Linear whose graph form is Add(bias, MatMul(x, W))."""
    add = graph.used_by(bias_name, "Add")
    matmul = graph.made_by(graph.other_input(add, bias_name), "MatMul")
    weights = [i for i in matmul.input if i in graph.tensors]
    if len(weights) != 1:
        fail(f"MatMul {matmul.name} for {bias_name} does not read exactly one weight")
    return graph.tensor(weights[0]).t().contiguous(), graph.tensor(bias_name)


def layer_norm(graph, prefix):
    """Weight, bias and epsilon of a LayerNorm, fused or in its exported decomposed form."""
    weight_name = prefix + ".weight"
    fused = [n for n in graph.consumers.get(weight_name, []) if n.op_type == "LayerNormalization"]
    if fused:
        eps = _attrs(fused[0]).get("epsilon", 1e-5)
    else:
        scale = graph.used_by(weight_name, "Mul")
        div = graph.made_by(graph.other_input(scale, weight_name), "Div")
        sqrt = graph.made_by(div.input[1], "Sqrt")
        add = graph.made_by(sqrt.input[0], "Add")
        eps_names = [i for i in add.input if i in graph.tensors]
        if len(eps_names) != 1:
            fail(f"cannot find the epsilon of {prefix}")
        eps = float(graph.tensor(eps_names[0]))
    return graph.tensor(weight_name), graph.tensor(prefix + ".bias"), eps


def shape_constants(graph, name):
    """The values of a Reshape shape input, None where computed at run time."""
    if name in graph.tensors:
        return graph.tensor(name).tolist()
    concat = graph.made_by(name, "Concat")
    values = []
    for part in concat.input:
        values += graph.tensor(part).reshape(-1).tolist() if part in graph.tensors else [None]
    return values


def attention_heads(graph, query_bias):
    """Number of heads, from the Reshape that splits the query projection into heads."""
    add = graph.used_by(query_bias, "Add")
    reshape = graph.used_by(add.output[0], "Reshape")
    heads, head_dim = shape_constants(graph, reshape.input[1])[-2:]
    if heads is None or head_dim is None:
        fail(f"cannot read the number of heads from {reshape.name}")
    return int(heads), int(head_dim)


def position_ids(graph, prefix):
    """The position id table the graph slices from, [1, max_positions]."""
    gather = graph.used_by(prefix + "embeddings.position_embeddings.weight", "Gather")
    index = gather.input[1]
    if index in graph.tensors:
        return graph.tensor(index).reshape(1, -1)
    source = graph.made_by(index, "Slice").input[0]
    return graph.tensor(source).reshape(1, -1)


def read_spec(graph):
    """Everything needed to rebuild the encoder, as a plain dict of tensors and numbers."""
    words = [n for n in graph.tensors if n.endswith("embeddings.word_embeddings.weight")]
    if len(words) != 1:
        fail("not a BERT-family graph: no single embeddings.word_embeddings.weight")
    prefix = words[0][: -len("embeddings.word_embeddings.weight")]
    pattern = re.compile(re.escape(prefix) + r"encoder\.layer\.(\d+)\.")
    layers = sorted({int(m.group(1)) for n in graph.tensors for m in [pattern.match(n)] if m})
    if not layers or layers != list(range(len(layers))):
        fail(f"unexpected encoder layer numbering {layers}")
    if "Erf" not in graph.ops():
        fail("the feed-forward activation is not the erf GELU these graphs are expected to use")
    missing = [name for name in INPUT_ORDER[:2] if name not in graph.inputs]
    if missing:
        fail(f"graph inputs {graph.inputs} lack {missing}")
    emb = prefix + "embeddings."
    spec = {
        "inputs": [name for name in INPUT_ORDER if name in graph.inputs],
        "word": graph.tensor(emb + "word_embeddings.weight"),
        "position": graph.tensor(emb + "position_embeddings.weight"),
        "position_ids": position_ids(graph, prefix),
        "token_type": graph.tensors.get(emb + "token_type_embeddings.weight"),
        "norm": layer_norm(graph, emb + "LayerNorm"),
        "layers": [],
    }
    if "token_type_ids" in spec["inputs"] and spec["token_type"] is None:
        fail("the graph takes token_type_ids but has no token_type_embeddings")
    for i in layers:
        p = f"{prefix}encoder.layer.{i}."
        spec["layers"].append({
            "heads": attention_heads(graph, p + "attention.self.query.bias"),
            "query": linear(graph, p + "attention.self.query.bias"),
            "key": linear(graph, p + "attention.self.key.bias"),
            "value": linear(graph, p + "attention.self.value.bias"),
            "attn_out": linear(graph, p + "attention.output.dense.bias"),
            "attn_norm": layer_norm(graph, p + "attention.output.LayerNorm"),
            "inter": linear(graph, p + "intermediate.dense.bias"),
            "out": linear(graph, p + "output.dense.bias"),
            "out_norm": layer_norm(graph, p + "output.LayerNorm"),
        })
    return spec


# ---------------------------------------------------------------------------------------------
# The rebuilt encoder


def _linear_from(weight_bias):
    weight, bias = weight_bias
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.weight.data.copy_(weight)
    layer.bias.data.copy_(bias)
    return layer


def _norm_from(weight_bias_eps):
    weight, bias, eps = weight_bias_eps
    norm = nn.LayerNorm(weight.shape[0], eps=eps)
    norm.weight.data.copy_(weight)
    norm.bias.data.copy_(bias)
    return norm


class Layer(nn.Module):
    """One post-LayerNorm BERT layer: self-attention, then an erf-GELU feed-forward block."""

    def __init__(self, spec):
        super().__init__()
        self.heads, head_dim = spec["heads"]
        # a float32 buffer, not a Python number, so the traced graph divides by a float32 tensor
        # instead of a float64 constant
        self.register_buffer("scale", torch.tensor(math.sqrt(head_dim)))
        self.query = _linear_from(spec["query"])
        self.key = _linear_from(spec["key"])
        self.value = _linear_from(spec["value"])
        self.attn_out = _linear_from(spec["attn_out"])
        self.attn_norm = _norm_from(spec["attn_norm"])
        self.inter = _linear_from(spec["inter"])
        self.out = _linear_from(spec["out"])
        self.out_norm = _norm_from(spec["out_norm"])

    def split(self, x):
        return x.reshape(x.size(0), x.size(1), self.heads, -1).transpose(1, 2)

    def forward(self, x, mask_bias):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(2, 3)) / self.scale + mask_bias
        context = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).flatten(2)
        x = self.attn_norm(self.attn_out(context) + x)
        return self.out_norm(self.out(F.gelu(self.inter(x))) + x)


class Encoder(nn.Module):
    """BERT encoder returning only the last hidden state. Its forward is scriptable too, for
    mixed_bfloat16.script, which swaps its layers."""

    def __init__(self, spec):
        super().__init__()
        self.word = nn.Embedding.from_pretrained(spec["word"], freeze=True)
        self.position = nn.Embedding.from_pretrained(spec["position"], freeze=True)
        self.register_buffer("position_ids", spec["position_ids"].to(torch.int64))
        token_type = spec["token_type"]
        if token_type is None:
            token_type = torch.zeros(1, spec["word"].shape[1])
        self.token_type = nn.Embedding.from_pretrained(token_type, freeze=True)
        self.norm = _norm_from(spec["norm"])
        self.layers = nn.ModuleList([Layer(s) for s in spec["layers"]])
        self.lowest = float(torch.finfo(torch.float32).min)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: Optional[torch.Tensor] = None) -> torch.Tensor:
        if token_type_ids is None:
            types = self.token_type.weight[0]
        else:
            types = self.token_type(token_type_ids)
        positions = self.position(self.position_ids[:, : input_ids.size(1)])
        x = self.norm(self.word(input_ids) + types + positions)
        # 0 on real tokens, float32's lowest value on padding
        padding = attention_mask[:, None, None, :].logical_not()
        mask_bias = torch.zeros_like(padding, dtype=x.dtype).masked_fill(padding, self.lowest)
        for layer in self.layers:
            x = layer(x, mask_bias)
        return x


# ---------------------------------------------------------------------------------------------
# An independent op-by-op evaluator of the ONNX graph, for the check

ONNX_DTYPES = {
    onnx.TensorProto.FLOAT: torch.float32, onnx.TensorProto.DOUBLE: torch.float64,
    onnx.TensorProto.INT64: torch.int64, onnx.TensorProto.INT32: torch.int32,
    onnx.TensorProto.BOOL: torch.bool, onnx.TensorProto.FLOAT16: torch.float16,
}


def _gather(x, idx, axis=0):
    axis = axis % x.dim()
    idx = torch.where(idx < 0, idx + x.shape[axis], idx)
    out = torch.index_select(x, axis, idx.reshape(-1))
    return out.reshape(x.shape[:axis] + idx.shape + x.shape[axis + 1:])


def _reshape(x, shape):
    dims = [x.shape[i] if d == 0 else d for i, d in enumerate(shape.tolist())]
    return x.reshape(dims)


def _unsqueeze(x, axes):
    for axis in sorted(a % (x.dim() + len(axes)) for a in axes):
        x = x.unsqueeze(axis)
    return x


def _slice(x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes.tolist()
    steps = [1] * len(starts) if steps is None else steps.tolist()
    index = [slice(None)] * x.dim()
    for start, end, axis, step in zip(starts.tolist(), ends.tolist(), axes, steps):
        if step != 1:
            fail("Slice with a step other than 1 is not supported")
        size = x.shape[axis]
        start, end = (max(0, min(size, v + size if v < 0 else v)) for v in (start, end))
        index[axis] = slice(start, end)
    return x[tuple(index)]


def _softmax(x, axis, opset):
    if opset >= 13:
        return torch.softmax(x, dim=axis)
    axis = axis % x.dim()
    flat = x.reshape(int(torch.tensor(x.shape[:axis]).prod()), -1)
    return torch.softmax(flat, dim=1).reshape(x.shape)


def _div(a, b):
    if a.is_floating_point() or b.is_floating_point():
        return a / b
    return torch.div(a, b, rounding_mode="trunc")


def _reduce_mean(x, axes, keepdims):
    return x.mean(dim=axes, keepdim=bool(keepdims)) if axes else x.mean()


def _layer_norm(x, scale, bias=None, axis=-1, epsilon=1e-5):
    dims = x.shape[axis % x.dim():]
    return F.layer_norm(x, dims, scale, bias, epsilon)


def run_node(node, args, attrs, opset):
    """Outputs of one node; args are the input tensors (None for an omitted optional input)."""
    op = node.op_type
    binary = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": _div, "Pow": torch.pow,
              "MatMul": torch.matmul, "Equal": torch.eq}
    unary = {"Sqrt": torch.sqrt, "Erf": torch.erf, "Tanh": torch.tanh, "Identity": lambda x: x}
    if op in binary:
        return [binary[op](args[0], args[1])]
    if op in unary:
        return [unary[op](args[0])]
    if op == "Constant":
        return [_constant(node)]
    if op == "Gather":
        return [_gather(args[0], args[1], attrs.get("axis", 0))]
    if op == "Shape":
        return [torch.tensor(args[0].shape, dtype=torch.int64)]
    if op == "Reshape":
        return [_reshape(args[0], args[1])]
    if op == "Transpose":
        return [args[0].permute(attrs.get("perm", list(range(args[0].dim()))[::-1]))]
    if op == "Unsqueeze":
        axes = attrs["axes"] if opset < 13 else args[1].tolist()
        return [_unsqueeze(args[0], axes)]
    if op == "Concat":
        return [torch.cat(list(args), dim=attrs["axis"])]
    if op == "Slice":
        return [_slice(*args)]
    if op == "Cast":
        return [args[0].to(ONNX_DTYPES[attrs["to"]])]
    if op == "Softmax":
        return [_softmax(args[0], attrs.get("axis", 1 if opset < 13 else -1), opset)]
    if op == "ReduceMean":
        axes = attrs.get("axes") if opset < 18 else (args[1].tolist() if len(args) > 1 else None)
        return [_reduce_mean(args[0], axes, attrs.get("keepdims", 1))]
    if op == "Where":
        return [torch.where(args[0], args[1], args[2])]
    if op == "Expand":
        shape = torch.broadcast_shapes(args[0].shape, tuple(args[1].tolist()))
        return [args[0].expand(shape)]
    if op == "ConstantOfShape":
        value = _tensor(attrs["value"]) if "value" in attrs else torch.zeros(1)
        return [value.reshape(()).expand(tuple(args[0].tolist())).clone()]
    if op == "LayerNormalization":
        return [_layer_norm(*args, axis=attrs.get("axis", -1), epsilon=attrs.get("epsilon", 1e-5))]
    fail(f"the ONNX evaluator does not know op {op} (node {node.name})")


def run_onnx(graph, feeds):
    """Evaluates the whole graph on named inputs, returning its first output."""
    values = dict(graph.tensors)
    values.update(feeds)
    for node in graph.graph.node:
        if node.op_type == "Constant":
            continue
        args = [values[name] if name else None for name in node.input]
        while args and args[-1] is None:
            args.pop()
        outputs = run_node(node, args, _attrs(node), graph.opset)
        values.update(zip(node.output, outputs))
    return values[graph.graph.output[0].name]


# ---------------------------------------------------------------------------------------------
# Checking, tracing, writing


def sample_batch(vocab, lengths, seq, pair_row=None):
    """A right-padded batch: [CLS] random tokens [SEP], zeros after each row's length."""
    batch = len(lengths)
    ids = torch.randint(1000, vocab, (batch, seq))
    mask = torch.zeros(batch, seq, dtype=torch.int64)
    types = torch.zeros(batch, seq, dtype=torch.int64)
    for row, length in enumerate(lengths):
        mask[row, :length] = 1
        ids[row, 0], ids[row, length - 1], ids[row, length:] = 101, 102, 0
    if pair_row is not None:
        types[pair_row, lengths[pair_row] // 2: lengths[pair_row]] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def masked_max_diff(a, b, mask):
    """Largest absolute difference over real (unmasked) token positions."""
    keep = mask.bool()
    return (a[keep] - b[keep]).abs().max().item()


def args_for(spec, batch):
    return tuple(batch[name] for name in spec["inputs"])


def check_against_onnx(graph, spec, module, batches):
    worst = 0.0
    for batch in batches:
        feeds = {name: batch[name] for name in spec["inputs"]}
        expected = run_onnx(graph, feeds)
        actual = module(*args_for(spec, batch))
        worst = max(worst, masked_max_diff(expected, actual, batch["attention_mask"]))
    if not worst < TOLERANCE:
        fail(f"rebuilt module differs from the ONNX graph by {worst:.3g} (limit {TOLERANCE})")
    return worst


def check_traced(traced, module, spec, batches):
    worst = 0.0
    for batch in batches:
        actual = traced(*args_for(spec, batch))
        check_output(actual, torch.float32)
        expected = module(*args_for(spec, batch))
        if actual.shape != expected.shape:
            fail(f"traced module returned shape {tuple(actual.shape)}, expected {tuple(expected.shape)}")
        worst = max(worst, masked_max_diff(expected, actual, batch["attention_mask"]))
    if not worst < TOLERANCE:
        fail(f"traced module differs from the eager one by {worst:.3g} (limit {TOLERANCE})")
    return worst


def check_output(actual, dtype):
    if not isinstance(actual, torch.Tensor) or actual.dtype != dtype:
        fail(f"the traced module does not return a {dtype} tensor, it returns "
             f"{getattr(actual, 'dtype', type(actual).__name__)}")


FLOATING = {"Half", "BFloat16", "Float", "Double"}
MIXED_LINEAR_WEIGHTS = tuple(f".{n}.weight" for n in ("qkv", "attn_out", "inter", "out"))


def _tensor_values(traced):
    graph = traced.inlined_graph
    values = list(graph.inputs())
    for node in graph.nodes():
        values += node.outputs()
    return [v for v in values if isinstance(v.type(), torch._C.TensorType)]


def _describe(values):
    return "; ".join(sorted({f"{v.type().scalarType()} {v.debugName()} = {v.node().kind()}"
                             for v in values})[:10])


def check_float32_graph(traced):
    """Every floating tensor the traced graph holds or makes is float32: no constant or cast of
    another floating type that would change the computation."""
    others = [v for v in _tensor_values(traced) if v.type().scalarType() in FLOATING - {"Float"}]
    if others:
        fail(f"the float32 traced graph has tensors of other floating types: {_describe(others)}")
    for name, tensor in list(traced.named_parameters()) + list(traced.named_buffers()):
        if tensor.is_floating_point() and tensor.dtype != torch.float32:
            fail(f"traced module tensor {name} is {tensor.dtype}, expected float32")


def check_mixed_tensors(module):
    """Exactly the Linear weights are stored as bfloat16; every other floating tensor is float32."""
    for name, tensor in list(module.named_parameters()) + list(module.named_buffers()):
        linear_weight = name.endswith(MIXED_LINEAR_WEIGHTS)
        expected = torch.bfloat16 if linear_weight else torch.float32
        if tensor.is_floating_point() and tensor.dtype != expected:
            fail(f"mixed module tensor {name} is {tensor.dtype}, expected {expected}")


def sentence_vectors(hidden, mask):
    """The mask-weighted mean over tokens and the first token's vector, each L2-normalised:
    [2, batch, hidden], so both mean-pooled and CLS-pooled models are checked."""
    weights = mask.to(torch.float32).unsqueeze(-1)
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
    return F.normalize(torch.stack([pooled, hidden[:, 0]]), dim=-1)


def check_mixed(mixed, reference, spec, batches):
    """The mixed-precision module against the float32 eager one: returns the largest absolute
    difference over real tokens and the lowest cosine of the sentence vectors."""
    worst, lowest = 0.0, 1.0
    for batch in batches:
        actual = mixed(*args_for(spec, batch))
        check_output(actual, torch.float32)
        expected = reference(*args_for(spec, batch))
        if actual.shape != expected.shape:
            fail(f"mixed module returned shape {tuple(actual.shape)}, expected {tuple(expected.shape)}")
        mask = batch["attention_mask"]
        worst = max(worst, masked_max_diff(expected, actual, mask))
        cosines = (sentence_vectors(actual, mask) * sentence_vectors(expected, mask)).sum(-1)
        lowest = min(lowest, cosines.min().item())
    if not lowest >= BF16_MIN_COSINE:
        fail(f"bfloat16 sentence vectors have a cosine of {lowest:.6f} with float32's "
             f"(limit {BF16_MIN_COSINE}); max abs diff {worst:.3g}; nothing written")
    return worst, lowest


def save_module(module, out_path):
    archive = io.BytesIO()  # saved from memory, so the bytes do not depend on out_path
    torch.jit.save(module, archive)
    with open(out_path, "wb") as f:
        f.write(archive.getvalue())


def build(onnx_path, out_path, dtype=torch.float32):
    """Rebuilds, checks, traces and saves; returns the one-line summary."""
    start = time.perf_counter()
    graph = Graph(onnx.load(onnx_path))
    refuse_quantized(graph)
    spec = read_spec(graph)
    module = Encoder(spec).eval()
    torch.manual_seed(20261122)
    vocab = spec["word"].shape[0]
    check_batches = [
        sample_batch(vocab, [9, 4, 6], 9, pair_row=0),
        sample_batch(vocab, [16, 1], 16, pair_row=0),
        sample_batch(vocab, [5], 5),
    ]
    other_shapes = [sample_batch(vocab, [11, 3, 7, 11], 11, pair_row=2), sample_batch(vocab, [2], 2)]
    longest = min(256, spec["position"].shape[0])
    long_rows = [sample_batch(vocab, [longest, longest // 3, 40], longest, pair_row=1)]
    with torch.no_grad():
        onnx_diff = check_against_onnx(graph, spec, module, check_batches)
        if dtype == torch.float32:
            traced = torch.jit.trace(module, args_for(spec, check_batches[0]), check_trace=False)
            check_float32_graph(traced)
            save_module(traced, out_path)
            traced_diff = check_traced(torch.jit.load(out_path), module, spec, other_shapes)
            checks = f"max |traced - eager| {traced_diff:.2e}"
        else:
            float32_done = time.perf_counter() - start
            mixed = mixed_bfloat16.script(module)
            check_mixed_tensors(mixed)
            save_module(mixed, out_path)
            mixed_start = time.perf_counter()
            results = []
            for fused in kernel_paths():
                with mixed_bfloat16.stand_in_kernels(fused):
                    loaded = torch.jit.load(out_path)
                check_mixed_tensors(loaded)
                diff, cosine = check_mixed(
                    loaded, module, spec, check_batches + other_shapes + long_rows)
                results.append(f"{'fused' if fused else 'portable'} kernels: max abs diff "
                               f"{diff:.3e}, min sentence cosine {cosine:.6f}")
            checks = (f"float32 checks {float32_done:.1f} s; mixed bfloat16 scripted vs float32 "
                      f"eager: {'; '.join(results)} ({time.perf_counter() - mixed_start:.1f} s)")
    heads = spec["layers"][0]["heads"][0]
    return (f"{os.path.basename(onnx_path)} ({str(dtype)[6:]}): {len(spec['layers'])} layers, "
            f"hidden {spec['word'].shape[1]}, {heads} heads, inputs {','.join(spec['inputs'])}; "
            f"max |onnx - rebuilt| {onnx_diff:.2e}, {checks}; "
            f"{time.perf_counter() - start:.1f} s")


def kernel_paths():
    """The Linear kernels the mixed module's check can run here: both where this torch lacks
    oneDNN's ops and stand-ins run them, else the path oneDNN takes on this CPU."""
    if mixed_bfloat16.stands_in_for_kernels():
        return [True, False]
    return [bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())]


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recipe_digest():
    """SHA-256 over the two files that make the bfloat16 module."""
    digest = hashlib.sha256()
    for path in (__file__, mixed_bfloat16.__file__):
        digest.update(sha256_of(path).encode())
    return digest.hexdigest()


def temp_beside(path):
    """A fresh temporary file name in path's folder, so a rename onto path is atomic."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    return temp


def write_atomically(path, produce):
    """Calls produce(temp) and renames temp onto path; leaves no half file behind."""
    temp = temp_beside(path)
    try:
        result = produce(temp)
        os.replace(temp, path)
        return result
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--onnx", required=True, help="fp32 BERT-family ONNX encoder")
    parser.add_argument("--out", required=True, help="TorchScript file to write")
    parser.add_argument("--cache", help="folder keeping built models by the ONNX file's SHA-256")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32",
                        help="float32, or bfloat16: the mixed recipe (default float32)")
    args = parser.parse_args()
    dtype = DTYPES[args.dtype]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so temp files are removed
    if not os.path.isfile(args.onnx):
        fail(f"no such ONNX file: {args.onnx}")
    if args.cache is None:
        print(write_atomically(args.out, lambda temp: build(args.onnx, temp, dtype)))
        return
    # float32 keeps the name it had before --dtype existed, so caches made then stay valid
    suffix = ".pt" if args.dtype == "float32" else f"-{args.dtype}-{recipe_digest()[:12]}.pt"
    cached = os.path.join(args.cache, sha256_of(args.onnx) + suffix)
    if os.path.isfile(cached):
        print(f"{os.path.basename(args.onnx)} ({args.dtype}): from cache {cached}")
    else:
        print(write_atomically(cached, lambda temp: build(args.onnx, temp, dtype)))
    write_atomically(args.out, lambda temp: shutil.copyfile(cached, temp))


if __name__ == "__main__":
    main()
