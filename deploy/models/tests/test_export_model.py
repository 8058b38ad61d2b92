"""Tests of export_model.py's parts that need no transformers (python3 -m pytest -q deploy/models/tests)."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import export_model as em  # noqa: E402

BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False}


def tok(post=BYTE_LEVEL):
    return {"post_processor": post, "added_tokens": [{"id": 7, "content": "<|endoftext|>"}],
            "model": {"vocab": {"a": 0, "<eos>": 5}}}


def test_pooling_modes_read_both_formats():
    assert em.pooling_modes({"pooling_mode": "lasttoken"}) == ["lasttoken"]
    assert em.pooling_modes({"pooling_mode": ["cls", "mean"]}) == ["cls", "mean"]
    assert em.pooling_modes({"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}) == ["mean"]


def test_new_pooling_config_gets_legacy_keys():
    out = em.pooling_config_both_formats({"embedding_dimension": 16, "pooling_mode": "cls"})
    assert out["pooling_mode_cls_token"] is True
    assert out["pooling_mode_mean_tokens"] is False and out["pooling_mode_lasttoken"] is False
    assert out["pooling_mode"] == "cls"
    legacy = {"pooling_mode_mean_tokens": True}
    assert em.pooling_config_both_formats(legacy) == legacy
    with pytest.raises(em.ExportError):
        em.pooling_config_both_formats({"pooling_mode": "bogus"})


def test_end_token_appended_after_byte_level():
    t = em.append_end_token(tok(), "<|endoftext|>")
    assert t["post_processor"]["type"] == "Sequence"
    assert t["post_processor"]["processors"][0] == BYTE_LEVEL
    assert em.post_processor_end_token(t) == "<|endoftext|>"
    template = t["post_processor"]["processors"][1]
    assert template["special_tokens"]["<|endoftext|>"]["ids"] == [7]


def test_end_token_appended_to_template_keeps_bos():
    post = {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [], "special_tokens": {"<bos>": {"id": "<bos>", "ids": [2], "tokens": ["<bos>"]}}}
    assert em.post_processor_end_token(tok(post)) is None
    t = em.append_end_token(tok(post), "<eos>")
    single = t["post_processor"]["single"]
    assert single[0] == {"SpecialToken": {"id": "<bos>", "type_id": 0}}
    assert single[-1] == {"SpecialToken": {"id": "<eos>", "type_id": 0}}
    assert t["post_processor"]["special_tokens"]["<eos>"]["ids"] == [5]


def test_unknown_end_token_is_an_error():
    with pytest.raises(em.ExportError):
        em.append_end_token(tok(), "<nope>")


def test_bert_processing_end_token():
    assert em.post_processor_end_token({"post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]}}) == "[SEP]"


def test_max_length_from_tokenizer_config(tmp_path):
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 8192}))
    written = em.settle_max_length(str(tmp_path), None, {"max_position_embeddings": 32768})
    assert written and json.loads((tmp_path / "sentence_bert_config.json").read_text())["max_seq_length"] == 8192
    (tmp_path / "sentence_bert_config.json").unlink()
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 10 ** 30}))
    assert em.settle_max_length(str(tmp_path), None, {"max_position_embeddings": 512}) == []
    assert em.tokenizer_max_length(str(tmp_path), {}) is None
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"model_max_length": 1024}))
    assert em.tokenizer_max_length(str(tmp_path), {"max_position_embeddings": 512}) == 512


def test_settle_end_token_rewrites_file(tmp_path):
    (tmp_path / "tokenizer.json").write_text(json.dumps(tok()))
    assert em.settle_end_token(str(tmp_path), "<|endoftext|>", True)
    assert em.post_processor_end_token(json.loads((tmp_path / "tokenizer.json").read_text())) == "<|endoftext|>"
    assert em.settle_end_token(str(tmp_path), "<|endoftext|>", True) == []


def test_gemma_bidirectional_masks():
    torch = pytest.importorskip("torch")

    class Cfg:
        use_bidirectional_attention = True
        layer_types = ["sliding_attention", "full_attention"]
        sliding_window = 2
        _attn_implementation = "sdpa"

    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.config = Cfg()
            self.w = torch.nn.Linear(2, 2)

        def forward(self, input_ids=None, attention_mask=None):
            return (attention_mask,)

    masks = em.LastHiddenState(M(), False, False).bidirectional_masks(torch.tensor([[1, 1, 1, 0]]))
    assert masks["full_attention"][0, 0].tolist() == [[True, True, True, False]] * 4
    assert masks["sliding_attention"][0, 0, 0].tolist() == [True, True, False, False]
    assert masks["sliding_attention"][0, 0, 2].tolist() == [False, True, True, False]


def test_nv_embed_keeps_its_end_token_out_of_the_tokenizer():
    # its instruction is left out of the mean by the prompt's token count, which an end token in
    # the post-processor would change; last-token families get theirs in the post-processor
    nv_embed = em.family_of("nvidia/NV-Embed-v2", {})
    assert nv_embed["latent_tokens"] and nv_embed["include_prompt"] is False
    assert em.end_token_in_tokenizer(nv_embed) is None
    qwen3 = em.family_of("Qwen/Qwen3-Embedding-8B", {})
    assert em.end_token_in_tokenizer(qwen3) == "<|endoftext|>"
    assert em.end_token_in_tokenizer(em.family_of("BAAI/bge-m3", {})) is None
