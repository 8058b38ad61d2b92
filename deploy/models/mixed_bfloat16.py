"""The module of the bfloat16 CPU tier: a BERT encoder in the mixed recipe, scripted for libtorch.

Numbers: every Linear layer multiplies bfloat16 inputs by bfloat16 weights and accumulates in
float32; its output is rounded to bfloat16 once. Embeddings, layer norms, the attention (scores,
mask, softmax, weighted sum), the residual stream and the output stay float32.

Kernels, chosen when libtorch loads the module (__setstate__), by what oneDNN can do on the CPU
(torch.ops.mkldnn._is_mkldnn_bf16_supported(): AVX-512 BW/VL/DQ or AVX-NE-CONVERT; AMX and
AVX-512-BF16 make it fast):
- fused: each Linear is one oneDNN inner product on weights packed once at load, with the bias
  and, for the intermediate layer, the erf GELU applied in float32 before the one rounding; except
  the query/key/value product, whose bias is added in float32 after the rounding: e5-small-v2's
  large query and key biases, rounded with their products, cost it the fidelity bar (bench
  --dtypes on the first 1,500 unarXive paragraphs: worst cosine 0.99980, 0.99995 with the bias
  after);
- portable (an AVX2-only CPU, where oneDNN refuses to pack bfloat16 weights): a bfloat16 matmul,
  rounded, then the float32 bias and GELU, the recipe's first form.
The attention is torch's scaled_dot_product_attention in float32, a fused kernel in libtorch 2.x
that never writes the scores out.

DJL's libtorch (2.x) has every op used here. Debian's torch 1.13, which builds the tier, has
neither the oneDNN Linear ops nor scaled_dot_product_attention: install_missing_ops() registers
stand-ins with the same schemas that do the same arithmetic in plain torch, so the module can be
scripted and checked on both kernel paths here, while the saved code calls the ops by name and
libtorch runs its own kernels. Bfloat16TierTest checks the result in libtorch itself.
"""
import contextlib
import copy

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from typing import Tuple

# what the stand-in of mkldnn::_is_mkldnn_bf16_supported answers: which kernel path a module
# loaded here takes
_stand_in_fused = [True]
_libraries = []
_installed = []


def _op_missing(namespace, name):
    try:
        getattr(getattr(torch.ops, namespace), name)
        return False
    except (AttributeError, RuntimeError):
        return True


def _linear_pointwise(x, weight, bias, attr, scalars, algorithm):
    y = F.linear(x.float(), weight.float(), bias)
    if attr == "gelu":
        y = F.gelu(y, approximate=algorithm if algorithm == "tanh" else "none")
    elif attr != "none":
        raise NotImplementedError(f"stand-in _linear_pointwise: attr {attr}")
    return y.to(x.dtype)


def _scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                  is_causal=False, scale=None, enable_gqa=False):
    if dropout_p != 0.0 or is_causal or enable_gqa:
        raise NotImplementedError("stand-in scaled_dot_product_attention: dropout, causal or gqa")
    factor = query.size(-1) ** -0.5 if scale is None else scale
    scores = torch.matmul(query.float(), key.float().transpose(-2, -1)) * factor
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask
    return torch.matmul(torch.softmax(scores, dim=-1), value.float()).to(query.dtype)


def install_missing_ops():
    """Registers a stand-in for each op this torch lacks; returns their names."""
    stand_ins = [
        ("mkldnn", "_linear_pointwise",
         "_linear_pointwise(Tensor X, Tensor W, Tensor? B, str attr, Scalar?[] scalars, "
         "str? algorithm) -> Tensor Y", "CPU", _linear_pointwise, ""),
        ("mkldnn", "_reorder_linear_weight",
         "_reorder_linear_weight(Tensor self, int? batch_size=None) -> Tensor Y", "CPU",
         lambda weight, batch_size=None: weight.clone(), ""),
        # CONSERVATIVE, so that scripting here does not fold the answer into the saved code
        ("mkldnn", "_is_mkldnn_bf16_supported", "_is_mkldnn_bf16_supported() -> bool",
         "CompositeImplicitAutograd", lambda: _stand_in_fused[0], "CONSERVATIVE"),
        ("aten", "scaled_dot_product_attention",
         "scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, "
         "Tensor? attn_mask=None, float dropout_p=0.0, bool is_causal=False, *, "
         "float? scale=None, bool enable_gqa=False) -> Tensor", "CPU",
         _scaled_dot_product_attention, ""),
    ]
    for namespace, name, schema, key, kernel, alias in stand_ins:
        if not _op_missing(namespace, name):
            continue
        library = torch._C._dispatch_library("FRAGMENT", namespace, "", __file__, 0)
        library.define(schema, alias)
        library.impl(name, key, kernel)
        _libraries.append(library)
        _installed.append(f"{namespace}::{name}")
    return list(_installed)


def stands_in_for_kernels():
    """Whether the kernel path of modules loaded here is the stand-in's to choose."""
    return "mkldnn::_is_mkldnn_bf16_supported" in _installed


@contextlib.contextmanager
def stand_in_kernels(fused):
    """Modules loaded inside take the fused (True) or portable (False) path; only where
    install_missing_ops() stood in for mkldnn::_is_mkldnn_bf16_supported."""
    before = _stand_in_fused[0]
    _stand_in_fused[0] = fused
    try:
        yield
    finally:
        _stand_in_fused[0] = before


class Bf16Linear(nn.Module):
    """y = x W^T + b (then erf GELU when gelu) for bfloat16 x and W and float32 b. Returns
    bfloat16 on the fused path, unless bias_after_rounding, and float32 on the portable one."""

    def __init__(self, weight, bias, gelu: bool, bias_after_rounding: bool = False):
        super().__init__()
        if gelu and bias_after_rounding:
            raise ValueError("the GELU of a Linear whose bias follows the rounding is not fused")
        self.weight = nn.Parameter(weight.detach().to(torch.bfloat16).contiguous(),
                                   requires_grad=False)
        self.bias = nn.Parameter(bias.detach().to(torch.float32).contiguous(),
                                 requires_grad=False)
        self.gelu = gelu
        self.bias_after_rounding = bias_after_rounding
        self.fused = False
        self.packed = self.weight.detach()
        self.prepare()

    @torch.jit.export
    def prepare(self):
        # oneDNN's ops are CPU ops: a module loaded onto a GPU takes the portable kernels
        self.fused = self.weight.device.type == "cpu" and bool(
            torch.ops.mkldnn._is_mkldnn_bf16_supported())
        if self.fused:
            self.packed = torch.ops.mkldnn._reorder_linear_weight(self.weight, None)
        else:
            self.packed = self.weight

    def forward(self, x: Tensor) -> Tensor:
        if self.fused and self.bias_after_rounding:
            product = torch.ops.mkldnn._linear_pointwise(x, self.packed, None, "none", [], None)
            return product.float() + self.bias
        if self.fused:
            if self.gelu:
                return torch.ops.mkldnn._linear_pointwise(
                    x, self.packed, self.bias, "gelu", [], "none")
            return torch.ops.mkldnn._linear_pointwise(x, self.packed, self.bias, "none", [], None)
        y = F.linear(x, self.weight) + self.bias
        if self.gelu:
            y = F.gelu(y)
        return y

    @torch.jit.export
    def __getstate__(self) -> Tuple[Tensor, Tensor, bool, bool, bool]:
        return (self.weight, self.bias, self.gelu, self.bias_after_rounding, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[Tensor, Tensor, bool, bool, bool]):
        self.weight = state[0]
        self.bias = state[1]
        self.gelu = state[2]
        self.bias_after_rounding = state[3]
        self.training = state[4]
        self.prepare()


class MixedLayer(nn.Module):
    """One post-LayerNorm BERT layer (a torchscript_from_onnx.Layer) in the mixed recipe."""

    def __init__(self, layer):
        super().__init__()
        self.heads = layer.heads
        # query, key and value are one product; the query part absorbs 1/sqrt(head_dim), so the
        # attention takes a scale of 1
        q = 1.0 / layer.scale.item()
        self.qkv = Bf16Linear(
            torch.cat([layer.query.weight * q, layer.key.weight, layer.value.weight]),
            torch.cat([layer.query.bias * q, layer.key.bias, layer.value.bias]), False,
            bias_after_rounding=True)
        self.attn_out = Bf16Linear(layer.attn_out.weight, layer.attn_out.bias, False)
        self.inter = Bf16Linear(layer.inter.weight, layer.inter.bias, True)
        self.out = Bf16Linear(layer.out.weight, layer.out.bias, False)
        self.attn_norm = copy.deepcopy(layer.attn_norm)
        self.out_norm = copy.deepcopy(layer.out_norm)

    def split_heads(self, x: Tensor) -> Tensor:
        return x.reshape(x.size(0), x.size(1), self.heads, -1).transpose(1, 2)

    def forward(self, x: Tensor, mask_bias: Tensor) -> Tensor:
        q, k, v = self.qkv(x.to(torch.bfloat16)).float().chunk(3, dim=-1)
        context = torch.ops.aten.scaled_dot_product_attention(
            self.split_heads(q), self.split_heads(k), self.split_heads(v), mask_bias, 0.0, False,
            scale=1.0)
        context = context.transpose(1, 2).flatten(2).to(torch.bfloat16)
        x = self.attn_norm(self.attn_out(context) + x)
        inner = self.inter(x.to(torch.bfloat16)).to(torch.bfloat16)
        return self.out_norm(self.out(inner) + x)


def script(encoder):
    """A scripted copy of a float32 torchscript_from_onnx.Encoder whose layers are MixedLayers."""
    install_missing_ops()
    mixed = copy.deepcopy(encoder)
    mixed.layers = nn.ModuleList([MixedLayer(layer) for layer in encoder.layers])
    return torch.jit.script(mixed.eval())
