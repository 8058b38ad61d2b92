"""Tests of mixed_bfloat16.py on a small random BERT encoder (python3 -m pytest -q deploy/models/tests)."""
import io
import os
import sys
import zipfile

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import mixed_bfloat16  # noqa: E402
import torchscript_from_onnx as ts  # noqa: E402

HIDDEN, HEADS, INNER, LAYERS, VOCAB, POSITIONS = 64, 4, 256, 2, 1200, 40


def _linear(out_features, in_features):
    return torch.randn(out_features, in_features) / in_features ** 0.5, torch.randn(out_features) / 10


def _norm():
    return 1 + torch.randn(HIDDEN) / 10, torch.randn(HIDDEN) / 10, 1e-12


def small_encoder():
    torch.manual_seed(14)
    spec = {
        "inputs": list(ts.INPUT_ORDER),
        "word": torch.randn(VOCAB, HIDDEN) / 4,
        "position": torch.randn(POSITIONS, HIDDEN) / 4,
        "position_ids": torch.arange(POSITIONS).reshape(1, -1),
        "token_type": torch.randn(2, HIDDEN) / 4,
        "norm": _norm(),
        "layers": [{
            "heads": (HEADS, HIDDEN // HEADS),
            "query": _linear(HIDDEN, HIDDEN), "key": _linear(HIDDEN, HIDDEN),
            "value": _linear(HIDDEN, HIDDEN), "attn_out": _linear(HIDDEN, HIDDEN),
            "attn_norm": _norm(), "inter": _linear(INNER, HIDDEN), "out": _linear(HIDDEN, INNER),
            "out_norm": _norm(),
        } for _ in range(LAYERS)],
    }
    return ts.Encoder(spec).eval()


def saved(module):
    archive = io.BytesIO()
    torch.jit.save(module, archive)
    return archive.getvalue()


def code_of(archive):
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".py"))


def test_the_saved_code_chooses_its_kernels_when_loaded():
    code = code_of(saved(mixed_bfloat16.script(small_encoder())))
    # the CPU check stays a call: folded here, it would fix the build machine's answer
    assert "ops.mkldnn._is_mkldnn_bf16_supported()" in code
    assert "ops.mkldnn._reorder_linear_weight(" in code
    assert "ops.mkldnn._linear_pointwise(" in code
    assert "torch.scaled_dot_product_attention(" in code


def test_only_linear_weights_are_bfloat16():
    mixed = mixed_bfloat16.script(small_encoder())
    dtypes = {name: p.dtype for name, p in mixed.named_parameters()}
    linear_weights = {n for n in dtypes if n.endswith(ts.MIXED_LINEAR_WEIGHTS)}
    assert len(linear_weights) == 4 * LAYERS
    assert {dtypes[n] for n in linear_weights} == {torch.bfloat16}
    assert {d for n, d in dtypes.items() if n not in linear_weights} == {torch.float32}


@pytest.mark.parametrize("fused", [True, False])
def test_both_kernel_paths_keep_the_float32_vectors(fused):
    encoder = small_encoder()
    archive = saved(mixed_bfloat16.script(encoder))
    if fused not in ts.kernel_paths():
        pytest.skip("this torch has oneDNN's own ops, and this CPU takes the other path")
    with mixed_bfloat16.stand_in_kernels(fused):
        loaded = torch.jit.load(io.BytesIO(archive))
    batch = ts.sample_batch(VOCAB, [30, 7, 19], 30, pair_row=1)
    args = ts.args_for({"inputs": list(ts.INPUT_ORDER)}, batch)
    with torch.no_grad():
        mixed, reference = loaded(*args), encoder(*args)
    assert mixed.dtype == torch.float32
    mask = batch["attention_mask"]
    cosines = (ts.sentence_vectors(mixed, mask) * ts.sentence_vectors(reference, mask)).sum(-1)
    assert cosines.min().item() >= ts.BF16_MIN_COSINE
    # and bfloat16 really ran: the hidden states are not float32's
    assert ts.masked_max_diff(mixed, reference, mask) > 1e-4


def test_stand_ins_are_installed_once_and_only_where_missing():
    first = mixed_bfloat16.install_missing_ops()
    assert mixed_bfloat16.install_missing_ops() == first
    for name in first:
        namespace, op = name.split("::")
        assert not mixed_bfloat16._op_missing(namespace, op)
