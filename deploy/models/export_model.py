"""Exports a Hugging Face / sentence-transformers model to a folder sparkembed reads.

The output folder has the sentence-transformers layout: tokenizer.json, and when the source has
them modules.json, sentence_bert_config.json, the pooling module's config.json (1_Pooling/),
config_sentence_transformers.json (prompts) and config.json, next to the weights in one or both
of sparkembed's formats:

  model.pt          TorchScript (torch.jit.trace) for sparkembed's PyTorch engine; takes
                    input_ids, attention_mask, token_type_ids by position, int64 [batch, seq]
                    (token_type_ids is ignored by models that have none), returns the last
                    hidden state [batch, seq, hidden]
  onnx/model.onnx   ONNX (float32) for ONNX Runtime; inputs named input_ids, attention_mask
                    [, token_type_ids], output last_hidden_state, dynamic batch and sequence axes

In the ONNX file, token_type_ids is an input only when the model uses it (BERT does, RoBERTa and
decoders do not).
Each exported model is checked against the eager model on two sentences (largest difference over
real tokens), and the SHA-256 of every file written is printed for conf/models.yaml
(files.<role>.location and sha256). Any failure exits non-zero.

Known families (FAMILIES: Qwen3-Embedding, gte-Qwen2-instruct, NV-Embed-v2, KaLM-Embedding-Gemma3,
jina-code-embeddings, EmbeddingGemma, bge-m3, bge-large-en-v1.5, e5-large-v2) are exported with
their own conventions: the attention they were trained with is checked on the loaded model (a
bidirectional model loaded causal is refused), tokenizer.json's post-processor is made to append
the end token the family pools, and sentence-transformers Dense modules are carried as
N_Dense/config.json + N_Dense/model.safetensors (safetensors written without the safetensors
package when the source has only pytorch_model.bin). An unknown decoder, and a modules.json with
modules other than Transformer, Pooling, Dense and Normalize, are refused.

--decoder is for causal language models used as embedders (gte-Qwen2, Qwen3-Embedding): they are
served left-padded with last_token pooling, and their positions are counted over real tokens so
that left and right padding give the same vectors.

usage: python3 export_model.py MODEL --out DIR [--format torchscript|onnx|both]
           [--dtype float32|float16|bfloat16] [--device auto|cpu|cuda] [--max-length N]
           [--decoder] [--attention eager|sdpa|auto] [--opset N] [--revision REV]
           [--trust-remote-code]
MODEL is a local folder, or a Hugging Face hub id (downloaded on this machine).
Needs: pip install torch transformers onnx (and onnxruntime to check the ONNX file's values).
"""
import argparse
import hashlib
import inspect
import json
import os
import re
import shutil
import sys
import tempfile
import traceback

import torch

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
SIDE_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json",
              "sentence_bert_config.json", "config_sentence_transformers.json", "config.json"]
# sentence-transformers 2.x-5.x write 1_Pooling/config.json with one boolean per mode; 6.x writes
# {"pooling_mode": "mean"}. The exported folder carries both, so that readers of either find it.
LEGACY_POOLING_KEYS = {"cls": "pooling_mode_cls_token", "max": "pooling_mode_max_tokens",
                       "mean": "pooling_mode_mean_tokens",
                       "mean_sqrt_len_tokens": "pooling_mode_mean_sqrt_len_tokens",
                       "weightedmean": "pooling_mode_weightedmean_tokens",
                       "lasttoken": "pooling_mode_lasttoken"}
# a tokenizer's model_max_length at or above this means "no limit" (transformers' VERY_LARGE_INTEGER)
NO_MAX_LENGTH = 10 ** 9
TRACE_TEXTS = ["hello world",
               "a somewhat longer sentence, only used as the example input for tracing the model"]
CHECK_TEXTS = ["This is an example sentence.",
               "Each sentence is converted into a vector, and the vectors of sentences that mean "
               "similar things lie close together."]
# largest allowed |exported - eager| over real tokens, relative to max(1, max |eager|)
TOLERANCE = {torch.float32: 1e-3, torch.float16: 2e-2, torch.bfloat16: 5e-2}


class ExportError(Exception):
    """A failure with a message meant for the user."""


def say(message):
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# The source folder and the files copied from it


def source_folder(model, revision):
    """The local folder of MODEL, downloading a hub id (weights in PyTorch formats only)."""
    if os.path.isdir(model):
        return model
    if os.path.exists(model) or model.startswith((".", "/")):
        raise ExportError(f"{model} is not a folder")
    from huggingface_hub import snapshot_download
    say(f"downloading {model} from the Hugging Face hub")
    return snapshot_download(
        model, revision=revision,
        ignore_patterns=["onnx/*", "openvino/*", "*.onnx", "*.h5", "*.msgpack", "*.ot", "*.tflite"])


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def st_modules(src):
    """The sentence-transformers modules of the source, [] when it has no modules.json."""
    path = os.path.join(src, "modules.json")
    return read_json(path) if os.path.isfile(path) else []


def transformer_folder(src, modules):
    """Where the Hugging Face model itself lives (old sentence-transformers: 0_Transformer/)."""
    for module in modules:
        if module.get("type", "").endswith(".Transformer") and module.get("path"):
            folder = os.path.join(src, module["path"])
            if os.path.isdir(folder):
                return folder
    return src


def find_side_file(name, folders):
    for folder in folders:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def copy_side_files(src, model_dir, modules, out):
    """Copies the files sparkembed reads besides the weights; returns the paths written."""
    written = []
    for name in SIDE_FILES:
        path = find_side_file(name, [src, model_dir])
        if path:
            shutil.copyfile(path, os.path.join(out, name))
            written.append(os.path.join(out, name))
    pooling_paths = [m.get("path", "") for m in modules if m.get("type", "").endswith(".Pooling")]
    for folder in pooling_paths or ["1_Pooling"]:
        path = os.path.join(src, folder, "config.json")
        if os.path.isfile(path):
            target = os.path.join(out, folder, "config.json")
            write_json(target, pooling_config_both_formats(read_json(path)))
            written.append(target)
    return written


def pooling_modes(config):
    """The pooling modes a pooling config.json asks for, in either format (see LEGACY_POOLING_KEYS)."""
    mode = config.get("pooling_mode")
    if mode:
        return [mode] if isinstance(mode, str) else list(mode)
    return [name for name, key in LEGACY_POOLING_KEYS.items() if config.get(key)]


def pooling_config_both_formats(config):
    """A pooling config with the one-boolean-per-mode keys added when it has only pooling_mode."""
    if not config.get("pooling_mode"):
        return dict(config)
    modes = pooling_modes(config)
    unknown = [m for m in modes if m not in LEGACY_POOLING_KEYS]
    if unknown:
        raise ExportError(f"pooling config names unknown pooling modes {unknown}")
    result = dict(config)
    for name, key in LEGACY_POOLING_KEYS.items():
        result[key] = name in modes
    return result


def post_processor_end_token(tokenizer_json):
    """The special token the tokenizer.json post-processor puts at the end of a single text, or
    None (a ByteLevel post-processor only fixes offsets and adds nothing)."""
    processor = tokenizer_json.get("post_processor") or {}
    kind = processor.get("type")
    if kind == "Sequence":
        ends = [post_processor_end_token({"post_processor": p}) for p in processor.get("processors", [])]
        ends = [e for e in ends if e is not None]
        return ends[-1] if ends else None
    if kind == "TemplateProcessing":
        single = processor.get("single") or []
        last = single[-1] if single else {}
        return last["SpecialToken"]["id"] if "SpecialToken" in last else None
    if kind in ("BertProcessing", "RobertaProcessing"):
        return processor["sep"][0]
    return None


def token_id(tokenizer_json, token):
    for added in tokenizer_json.get("added_tokens", []):
        if added.get("content") == token:
            return added["id"]
    vocab = tokenizer_json.get("model", {}).get("vocab")
    if isinstance(vocab, dict) and token in vocab:
        return vocab[token]
    raise ExportError(f"tokenizer.json has no token {token!r} to append")


def append_end_token(tokenizer_json, token):
    """tokenizer.json with a post-processor that ends every text with TOKEN (kept processors first).

    Qwen3-Embedding, gte-Qwen2 and other last-token embedders read the vector at an end token that
    their older tokenizer.json files do not add; a reader that follows the post-processor (as
    sparkembed's tokenizer does) then gets it without any model-specific code.
    """
    ident = token_id(tokenizer_json, token)
    result = dict(tokenizer_json)
    processor = tokenizer_json.get("post_processor")
    special = {token: {"id": token, "ids": [ident], "tokens": [token]}}
    if processor and processor.get("type") == "TemplateProcessing":
        template = dict(processor)
        template["single"] = list(processor["single"]) + [{"SpecialToken": {"id": token, "type_id": 0}}]
        if processor.get("pair"):
            template["pair"] = list(processor["pair"]) + [{"SpecialToken": {"id": token, "type_id": 1}}]
        template["special_tokens"] = dict(processor.get("special_tokens") or {}, **special)
        result["post_processor"] = template
        return result
    if processor and processor.get("type") not in ("ByteLevel", "Sequence"):
        raise ExportError(f"cannot add an end token to a {processor.get('type')} post-processor")
    template = {
        "type": "TemplateProcessing",
        "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": token, "type_id": 0}}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": token, "type_id": 0}},
                 {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": token, "type_id": 1}}],
        "special_tokens": special,
    }
    if processor is None:
        result["post_processor"] = template
    elif processor["type"] == "Sequence":
        result["post_processor"] = dict(processor, processors=list(processor["processors"]) + [template])
    else:
        result["post_processor"] = {"type": "Sequence", "processors": [processor, template]}
    return result


def settle_end_token(out, append, decoder):
    """--append-eos: makes tokenizer.json end every text with the token; for --decoder, warns when
    no end token is added at all (last-token pooling would read the text's last word instead)."""
    path = os.path.join(out, "tokenizer.json")
    tokenizer_json = read_json(path)
    end = post_processor_end_token(tokenizer_json)
    if append:
        if end == append:
            say(f"tokenizer.json already ends every text with {append}")
            return []
        write_json(path, append_end_token(tokenizer_json, append))
        say(f"tokenizer.json: post-processor now ends every text with {append}")
        return [path]
    if decoder and end is None:
        say("warning: tokenizer.json adds no end token; last-token embedders (Qwen3-Embedding, "
            "gte-Qwen2) need one: pass --append-eos TOKEN (for Qwen: '<|endoftext|>')")
    return []


def write_tokenizer_json(tokenizer, out):
    """tokenizer.json from the fast tokenizer, for sources that ship only vocab files."""
    if not getattr(tokenizer, "is_fast", False):
        raise ExportError("the source has no tokenizer.json and no fast tokenizer to make one from; "
                          "sparkembed needs tokenizer.json")
    path = os.path.join(out, "tokenizer.json")
    tokenizer.backend_tokenizer.save(path)
    say("wrote tokenizer.json from the fast tokenizer (the source has none)")
    return path


def tokenizer_max_length(out, config):
    """The max length sentence-transformers 6 uses when sentence_bert_config.json has none: the
    tokenizer's model_max_length (tokenizer_config.json), capped at max_position_embeddings."""
    path = os.path.join(out, "tokenizer_config.json")
    value = read_json(path).get("model_max_length") if os.path.isfile(path) else None
    if not isinstance(value, (int, float)) or value <= 0 or value >= NO_MAX_LENGTH:
        return None
    limit = config.get("max_position_embeddings")
    return int(min(value, limit)) if isinstance(limit, int) and limit > 0 else int(value)


def settle_max_length(out, max_length, config):
    """Writes the max length into sentence_bert_config.json when it has none: --max-length, else
    the tokenizer's (sentence-transformers 6 keeps it there only); warns when neither is known."""
    path = os.path.join(out, "sentence_bert_config.json")
    bert = read_json(path) if os.path.isfile(path) else None
    current = bert.get("max_seq_length") if bert else None
    if current is not None:
        if max_length and max_length != current:
            say(f"note: sentence_bert_config.json keeps max_seq_length {current}; set max_length "
                f"{max_length} in the registry entry to override it")
        return []
    if not max_length:
        max_length = tokenizer_max_length(out, config)
        if max_length:
            say(f"max length {max_length}: the tokenizer's model_max_length, written into "
                "sentence_bert_config.json")
    if max_length:
        write_json(path, dict(bert or {}, max_seq_length=max_length))
        return [path]
    fallback = config.get("max_position_embeddings")
    say(f"warning: no max_seq_length anywhere: sparkembed will use max_position_embeddings "
        f"({fallback}); pass --max-length with the model's own convention")
    return []


def settle_decoder_pooling(out, modules, hidden):
    """For --decoder: last_token pooling, written when the source has no pooling config."""
    pooling_paths = [m.get("path", "") for m in modules if m.get("type", "").endswith(".Pooling")]
    path = os.path.join(out, (pooling_paths or ["1_Pooling"])[0], "config.json")
    if os.path.isfile(path):
        if pooling_modes(read_json(path)) != ["lasttoken"]:
            say(f"warning: {path} does not ask for last-token pooling; decoders need "
                "pooling: last_token in the registry entry")
        return []
    write_json(path, {
        "word_embedding_dimension": hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_lasttoken": True,
    })
    if modules:
        say(f"warning: wrote {path}, but modules.json lists no Pooling module to point at it; "
            "set pooling: last_token in the registry entry")
    return [path]


# ---------------------------------------------------------------------------------------------
# Model families: the conventions sparkembed exports faithfully, and the files that carry them.
# Everything below except load-time checks runs without transformers (tested by sparkembed).

# hub id (lowercase) -> attention the model was trained with, the token every text must end with
# (None: none appended), and whether the family needs its own modelling code. latent_tokens: the
# graph returns the latent-attention layer's token vectors, which sentence-transformers mean-pools;
# include_prompt False: that mean leaves the instruction's tokens out, so the end token is left to
# sparkembed (registry append_eos) rather than put into the post-processor, where it would change
# the prompt's token count sentence-transformers masks
FAMILIES = {
    "qwen/qwen3-embedding-0.6b": {"attention": "causal", "eos": "<|endoftext|>"},
    "qwen/qwen3-embedding-4b": {"attention": "causal", "eos": "<|endoftext|>"},
    "qwen/qwen3-embedding-8b": {"attention": "causal", "eos": "<|endoftext|>"},
    "alibaba-nlp/gte-qwen2-1.5b-instruct": {"attention": "bidirectional", "eos": "<|endoftext|>",
                                            "remote_code": True},
    "alibaba-nlp/gte-qwen2-7b-instruct": {"attention": "bidirectional", "eos": "<|endoftext|>",
                                          "remote_code": True},
    "nvidia/nv-embed-v2": {"attention": "bidirectional", "eos": "</s>", "remote_code": True,
                           "latent_tokens": True, "include_prompt": False},
    "tencent/kalm-embedding-gemma3-12b-2511": {"attention": "bidirectional", "eos": "<eos>"},
    "jinaai/jina-code-embeddings-1.5b": {"attention": "causal", "eos": "<|endoftext|>"},
    "google/embeddinggemma-300m": {"attention": "bidirectional", "eos": None},
    "baai/bge-m3": {"attention": "bidirectional", "eos": None},
    "baai/bge-large-en-v1.5": {"attention": "bidirectional", "eos": None},
    "intfloat/e5-large-v2": {"attention": "bidirectional", "eos": None},
}
# sentence-transformers modules sparkembed applies (the others change vectors in ways it does not)
MODULES_SPARKEMBED_CARRIES = ("Transformer", "Pooling", "Dense", "Normalize")
# architectures that are decoders: exported only when the family is known (causal or not)
DECODER_ARCHITECTURES = ("ForCausalLM", "Qwen2Model", "Qwen3Model", "MistralModel", "LlamaModel",
                         "Gemma2Model", "Gemma3TextModel", "Gemma3Model", "NVEmbedModel")


def family_of(model_id, config):
    """The family of a hub id or folder (by its config's _name_or_path); refuses an unknown
    decoder, since nothing in its files says whether it was trained causal or bidirectional."""
    names = [model_id.lower().rstrip("/"), str(config.get("_name_or_path", "")).lower()]
    for name in names:
        for known, family in FAMILIES.items():
            if name == known or name.endswith("/" + known.split("/")[1]) or name == known.split("/")[1]:
                return dict(family, id=known)
    architectures = config.get("architectures") or []
    if config.get("is_decoder") or any(a.endswith(DECODER_ARCHITECTURES) for a in architectures):
        raise ExportError(
            f"{model_id} is a decoder ({', '.join(architectures) or 'is_decoder'}) that "
            "sparkembed does not know: whether it embeds with causal or bidirectional attention, "
            "and which end token it pools, are not in its files; known decoders: "
            + ", ".join(k for k, f in FAMILIES.items() if f["eos"]))
    return None


def end_token_in_tokenizer(family):
    """The end token the exported tokenizer.json's post-processor appends: the family's last-token
    pooling reads it; None for a family that pools no end token or leaves its prompt out of the
    pooling (its end token is appended by sparkembed, after the prompt's tokens are counted)."""
    return family["eos"] if family.get("include_prompt", True) else None


def refuse_unknown_modules(modules):
    """A sentence-transformers module sparkembed does not apply would change the vectors."""
    others = [m.get("type", "?") for m in modules
              if not m.get("type", "").endswith(MODULES_SPARKEMBED_CARRIES)]
    if others:
        raise ExportError(f"modules.json lists {others}; sparkembed applies only "
                          f"{', '.join(MODULES_SPARKEMBED_CARRIES)}, so it would embed differently")


SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def write_safetensors(path, tensors):
    """Writes {name: tensor} in the safetensors layout (8-byte little-endian header length, JSON
    header of dtype, shape and byte offsets, raw little-endian data), which sparkembed reads in
    Java; needs only torch."""
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().cpu().contiguous()
        if tensor.dtype not in SAFETENSORS_DTYPES:
            tensor = tensor.float()
        raw = (tensor.view(torch.int16) if tensor.dtype == torch.bfloat16 else tensor).numpy()
        blob = raw.astype(raw.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def carry_dense_modules(src, modules, out):
    """Copies each Dense module's config.json, and its weights as model.safetensors (converting a
    pytorch_model.bin, which Java cannot read); returns the paths written."""
    written = []
    for module in modules:
        if not module.get("type", "").endswith(".Dense"):
            continue
        folder = module["path"]
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        shutil.copyfile(os.path.join(src, folder, "config.json"),
                        os.path.join(out, folder, "config.json"))
        target = os.path.join(out, folder, "model.safetensors")
        source = os.path.join(src, folder, "model.safetensors")
        if os.path.isfile(source):
            shutil.copyfile(source, target)
        else:
            state = torch.load(os.path.join(src, folder, "pytorch_model.bin"), map_location="cpu")
            write_safetensors(target, {k: v for k, v in state.items() if k.startswith("linear.")})
        written += [os.path.join(out, folder, "config.json"), target]
    return written


def append_eos_in_post_processor(tokenizer_json, eos):
    """Makes tokenizer.json end every text with EOS (older Qwen3-Embedding files do not), unless
    its post-processor already does; returns whether it changed the file."""
    with open(tokenizer_json, encoding="utf-8") as f:
        tokenizer = json.load(f)
    ids = [t["id"] for t in tokenizer.get("added_tokens", []) if t["content"] == eos]
    if not ids:
        ids = [tokenizer["model"].get("vocab", {}).get(eos)] if isinstance(
            tokenizer["model"].get("vocab"), dict) else []
    if not ids or ids[0] is None:
        raise ExportError(f"tokenizer.json has no token {eos!r}, which this model ends every text "
                          "with: it is not this model's tokenizer")
    processor = tokenizer.get("post_processor")
    if eos in json.dumps(processor or {}):
        return False
    template = {"type": "TemplateProcessing",
                "single": [{"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": eos, "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 1}},
                         {"SpecialToken": {"id": eos, "type_id": 1}}],
                "special_tokens": {eos: {"id": eos, "ids": [ids[0]], "tokens": [eos]}}}
    tokenizer["post_processor"] = template if processor is None else {
        "type": "Sequence", "processors": [processor, template]}
    with open(tokenizer_json, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    return True


def attention_kind(forward, input_ids, attention_mask):
    """'causal' when no token's hidden state depends on the tokens after it, else
    'bidirectional': changes the last token and compares the hidden states before it."""
    changed = input_ids.clone()
    changed[0, -1] = (changed[0, -1] + 1) % 100 + 1
    with torch.no_grad():
        before = forward(input_ids[:1], attention_mask[:1]).float()[0, :-1]
        after = forward(changed[:1], attention_mask[:1]).float()[0, :-1]
    scale = max(1e-6, before.abs().max().item())
    return "causal" if (before - after).abs().max().item() <= 1e-4 * scale else "bidirectional"


def check_family_attention(wrapper, tokenizer, family, device):
    """Refuses an export whose attention is not the one the family was trained with (gte-Qwen2
    loaded by stock transformers is causal; its own code is bidirectional)."""
    inputs = encode(tokenizer, TRACE_TEXTS[1:], ["input_ids", "attention_mask"], 64, device)
    kind = attention_kind(lambda i, m: wrapper(i, m), *inputs)
    if kind != family["attention"]:
        raise ExportError(f"the loaded model attends {kind}, but {family['id']} embeds with "
                          f"{family['attention']} attention"
                          + (" (pass --trust-remote-code to load its own code)"
                             if family.get("remote_code") else ""))
    say(f"attention: {kind}, as {family['id']} was trained")


# ---------------------------------------------------------------------------------------------
# Loading and wrapping the model


def load_tokenizer(model_dir, decoder, trust_remote_code):
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    if decoder:
        tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        if tokenizer.eos_token is None:
            raise ExportError("the tokenizer has neither a pad nor an eos token to pad with")
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(model_dir, dtype, device, args):
    import transformers
    from transformers import AutoModel
    options = {"trust_remote_code": args.trust_remote_code}
    if int(transformers.__version__.split(".")[0]) >= 5:
        options["dtype"] = dtype  # transformers 5 renamed torch_dtype and dropped torchscript
    else:
        options.update(torchscript=True, torch_dtype=dtype)
    if args.attention != "auto":
        options["attn_implementation"] = args.attention
    model = AutoModel.from_pretrained(model_dir, **options)
    return model.to(device).eval()


class LastHiddenState(torch.nn.Module):
    """Takes input_ids, attention_mask[, token_type_ids] by position; returns last_hidden_state.

    For decoders, positions are counted over real tokens (cumulative sum of the mask), so a
    left-padded text gets the same positions, and the same vectors, as a right-padded one.
    """

    def __init__(self, model, decoder, uses_types):
        super().__init__()
        self.model = model
        self.uses_types = uses_types
        params = inspect.signature(model.forward).parameters
        self.count_positions = decoder and "position_ids" in params
        self.no_cache = "use_cache" in params
        config = getattr(model, "config", None)
        # Gemma3 with use_bidirectional_attention (EmbeddingGemma) builds its masks with vmap,
        # which torch.jit.trace cannot record: the same masks are built here from plain ops
        self.bidirectional_window = None
        if getattr(config, "use_bidirectional_attention", False) and hasattr(config, "layer_types"):
            self.bidirectional_window = int(config.sliding_window or 0) or None
            self.additive_mask = getattr(config, "_attn_implementation", "eager") != "sdpa"

    def bidirectional_masks(self, attention_mask):
        keys = attention_mask.bool()[:, None, None, :]
        width = attention_mask.shape[1]
        full = keys.expand(-1, 1, width, width)
        index = torch.arange(width, device=attention_mask.device)
        near = (index[:, None] - index[None, :]).abs() < self.bidirectional_window
        masks = {"full_attention": full, "sliding_attention": full & near[None, None]}
        if self.additive_mask:
            dtype = next(self.model.parameters()).dtype
            low = torch.finfo(dtype).min
            zero = torch.zeros((), dtype=dtype, device=attention_mask.device)
            masks = {k: torch.where(m, zero, torch.full_like(zero, low)) for k, m in masks.items()}
        return masks

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if self.bidirectional_window is not None:
            kwargs["attention_mask"] = self.bidirectional_masks(attention_mask)
        if token_type_ids is not None and self.uses_types:
            kwargs["token_type_ids"] = token_type_ids
        if self.count_positions:
            kwargs["position_ids"] = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
        if self.no_cache:
            kwargs["use_cache"] = False
        return self.model(**kwargs)[0]


class LatentTokenStates(torch.nn.Module):
    """NV-Embed-v2: takes input_ids and attention_mask by position and returns the latent-attention
    layer's vector for every token, [batch, seq, hidden], as sentence-transformers runs the model
    (no pool_mask: its own code then skips the masked mean). sparkembed mean-pools them with
    include_prompt: false, leaving the instruction's tokens out as the authors' pool_mask does."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=True)
        return out["sentence_embeddings"] if "sentence_embeddings" in out else out[0]


def wrap(model, args, uses_types):
    family = getattr(args, "family", None)
    if family and family.get("latent_tokens"):
        return LatentTokenStates(model).eval()
    return LastHiddenState(model, args.decoder, uses_types).eval()


def traceable_class_names(model):
    """Renames the Python modules of classes loaded with --trust-remote-code for TorchScript.

    transformers imports a hub model's own code as transformers_modules.<folder>.<hash>.<file>;
    torch.jit.save writes that path as the class's TorchScript name, and torch.jit.load refuses a
    name part that starts with a digit or holds '-' (the hash, 'gte-Qwen2-...')."""
    renamed = {}
    for module in model.modules():
        cls = type(module)
        parts = cls.__module__.split(".")
        clean = [p if p.isidentifier() else "_" + re.sub(r"\W", "_", p) for p in parts]
        if clean != parts:
            renamed[cls.__module__] = ".".join(clean)
            cls.__module__ = ".".join(clean)
    if renamed:
        say(f"note: renamed the remote code's module paths for TorchScript: {sorted(renamed.values())}")


def input_names(model, tokenizer, decoder):
    """input_ids, attention_mask, and token_type_ids when both the model and tokenizer use it."""
    names = ["input_ids", "attention_mask"]
    uses_types = ("token_type_ids" in inspect.signature(model.forward).parameters
                  and "token_type_ids" in tokenizer.model_input_names)
    return names + ["token_type_ids"] if uses_types and not decoder else names


def encode(tokenizer, texts, names, max_length, device):
    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length or 512,
                      return_tensors="pt")
    if "token_type_ids" in names and "token_type_ids" not in batch:
        batch["token_type_ids"] = torch.zeros_like(batch["input_ids"])
    return tuple(batch[name].to(device=device, dtype=torch.int64) for name in names)


# ---------------------------------------------------------------------------------------------
# Checking


def compare(reference, actual, mask, dtype, what):
    """Largest difference over real tokens; raises when above the tolerance for dtype."""
    keep = mask.bool().cpu()
    reference = reference.float().cpu()[keep]
    actual = torch.as_tensor(actual).float().cpu()[keep]
    if reference.shape != actual.shape:
        raise ExportError(f"{what}: output shape differs from the eager model's")
    diff = (reference - actual).abs().max().item()
    scale = max(1.0, reference.abs().max().item())
    if not diff <= TOLERANCE[dtype] * scale:
        raise ExportError(f"{what} differs from the eager model by {diff:.3g} "
                          f"(largest |value| {scale:.3g}, limit {TOLERANCE[dtype]} relative)")
    say(f"{what}: max |exported - eager| over real tokens {diff:.3g} (largest |value| {scale:.3g})")
    return diff


def check_padding_sides(wrapper, tokenizer, names, max_length, device):
    """For decoders: last-token vectors of left- and right-padded batches should agree."""
    last = {}
    for side in ("left", "right"):
        tokenizer.padding_side = side
        inputs = encode(tokenizer, CHECK_TEXTS, names, max_length, device)
        with torch.no_grad():
            hidden = wrapper(*inputs).float()
        mask = inputs[1]
        index = mask.shape[1] - 1 if side == "left" else mask.sum(dim=1) - 1
        rows = torch.arange(mask.shape[0], device=mask.device)
        last[side] = hidden[rows, index].cpu()
    tokenizer.padding_side = "left"
    diff = (last["left"] - last["right"]).abs().max().item()
    scale = max(1.0, last["right"].abs().max().item())
    say(f"decoder: last-token vectors, left vs right padding: max difference {diff:.3g}")
    if diff > 1e-2 * scale:
        say("warning: left and right padding give different vectors with this model; serve it "
            "with padding: left, the way it was checked here")


def fixed_devices(traced):
    """Devices the traced graph names as constants (tensors it creates itself)."""
    graph = str(traced.inlined_graph)
    return sorted(set(re.findall(r'Device = prim::Constant\[value="([^"]+)"\]', graph)))


# ---------------------------------------------------------------------------------------------
# Exporting


def temp_path(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=os.path.dirname(path))
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
    return temp


def trace_device(args, dtype):
    if args.device == "cuda" and not torch.cuda.is_available():
        raise ExportError("--device cuda, but torch sees no CUDA device")
    if args.device != "auto":
        return torch.device(args.device)
    half = dtype != torch.float32
    return torch.device("cuda" if half and torch.cuda.is_available() else "cpu")


def export_torchscript(model_dir, tokenizer, args, out):
    dtype = DTYPES[args.dtype]
    device = trace_device(args, dtype)
    say(f"TorchScript: tracing in {args.dtype} on {device.type}")
    if dtype != torch.float32 and device.type == "cpu":
        say(f"warning: {args.dtype} on CPU is slow and not every op supports it; use a CUDA "
            "machine to trace half precision for GPUs")
    model = load_model(model_dir, dtype, device, args)
    uses_types = "token_type_ids" in input_names(model, tokenizer, args.decoder)
    # sparkembed passes all three by position; a model without token types ignores the third
    names = ["input_ids", "attention_mask", "token_type_ids"]
    traceable_class_names(model)
    wrapper = wrap(model, args, uses_types)
    path = os.path.join(out, "model.pt")
    temp = temp_path(path)
    try:
        with torch.no_grad():
            example = encode(tokenizer, TRACE_TEXTS, names, args.max_length, device)
            if getattr(args, "family", None):
                check_family_attention(wrapper, tokenizer, args.family, device)
            traced = torch.jit.trace(wrapper, example, check_trace=False)
            torch.jit.save(traced, temp)
            check = encode(tokenizer, CHECK_TEXTS, names, args.max_length, device)
            loaded = torch.jit.load(temp, map_location=device)
            compare(wrapper(*check), loaded(*check), check[1], dtype, "TorchScript model.pt")
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    devices = fixed_devices(traced)
    if devices:
        say(f"note: the traced graph creates tensors on fixed devices {devices}: model.pt runs on "
            f"{' / '.join(devices)} only (trace with --device matching where it will run)")
    if args.decoder:
        check_padding_sides(wrapper, tokenizer, names, args.max_length, device)
    say(f"TorchScript inputs, by position: {', '.join(names)}")
    del model, wrapper, traced, loaded
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return [path]


def export_onnx(model_dir, tokenizer, args, out):
    say("ONNX: exporting in float32 on cpu")
    model = load_model(model_dir, torch.float32, torch.device("cpu"), args)
    names = input_names(model, tokenizer, args.decoder)
    wrapper = wrap(model, args, "token_type_ids" in names)
    if getattr(args, "family", None):
        check_family_attention(wrapper, tokenizer, args.family, "cpu")
    folder = os.path.join(out, "onnx")
    path = os.path.join(folder, "model.onnx")
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    temp = temp_path(path)
    axes = {name: {0: "batch", 1: "sequence"} for name in names + ["last_hidden_state"]}
    options = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    try:
        with torch.no_grad():
            example = encode(tokenizer, TRACE_TEXTS, names, args.max_length, "cpu")
            try:
                torch.onnx.export(wrapper, example, temp, input_names=names,
                                  output_names=["last_hidden_state"], dynamic_axes=axes,
                                  opset_version=args.opset, do_constant_folding=True, **options)
            except Exception as e:
                if not options:
                    raise
                # torch versions that dropped the TorchScript-based exporter: torch.export's
                say(f"note: the TorchScript-based ONNX exporter failed ({type(e).__name__}: "
                    f"{str(e)[:200]}); exporting with dynamo=True")
                params = inspect.signature(torch.onnx.export).parameters
                extra = {"external_data": False} if "external_data" in params else {}
                torch.onnx.export(wrapper, example, temp, input_names=names,
                                  output_names=["last_hidden_state"], dynamic_axes=axes,
                                  opset_version=max(args.opset, 18), dynamo=True, **extra)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    extra = sorted(set(os.listdir(folder)) - before - {"model.onnx"})
    if extra:
        say(f"warning: the export wrote external data files {extra[:5]}: the model is over 2 GB, "
            "and sparkembed reads onnx/model.onnx alone; use the TorchScript format for it")
    check_onnx(path, wrapper, tokenizer, names, args)
    return [path] + [os.path.join(folder, name) for name in extra]


def check_onnx(path, wrapper, tokenizer, names, args):
    import onnx
    onnx.checker.check_model(path)
    graph_inputs = [i.name for i in onnx.load(path, load_external_data=False).graph.input]
    if graph_inputs != names:
        raise ExportError(f"onnx/model.onnx has inputs {graph_inputs}, expected {names}")
    try:
        import onnxruntime
    except ImportError:
        say("warning: onnxruntime is not installed: onnx/model.onnx was checked for structure, "
            "not values (pip install onnxruntime to compare it with the eager model)")
        return
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    check = encode(tokenizer, CHECK_TEXTS, names, args.max_length, "cpu")
    outputs = session.run(["last_hidden_state"], {n: t.numpy() for n, t in zip(names, check)})
    with torch.no_grad():
        compare(wrapper(*check), outputs[0], check[1], torch.float32, "ONNX onnx/model.onnx")
    say(f"ONNX inputs, by name: {', '.join(names)}")


# ---------------------------------------------------------------------------------------------
# Report


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def report(out, written, args):
    """sha256sum-style lines for every file written, and the registry entry's files block."""
    hashes = {path: sha256_of(path) for path in sorted(set(written))}
    say("\nfiles written (sha256):")
    for path, digest in hashes.items():
        say(f"{digest}  {os.path.relpath(path, out)}")
    roles = {"tokenizer": "tokenizer.json", "model": os.path.join("onnx", "model.onnx"),
             "torchscript": "model.pt"}
    say("\nfor conf/models.yaml (set location to where the files will live):")
    say("    engine: " + ("onnxruntime" if args.format != "torchscript" else "pytorch"))
    say("    files:")
    for role, name in roles.items():
        path = os.path.join(out, name)
        if path in hashes:
            say(f"      {role}: {{location: {os.path.abspath(path)}, sha256: {hashes[path]}}}")
    if args.decoder:
        say("    pooling: last_token\n    padding: left")


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Run where torch, transformers and onnx are installed (pip install torch "
               "transformers onnx onnxruntime).")
    parser.add_argument("model", help="a local model folder, or a Hugging Face hub id")
    parser.add_argument("--out", required=True, help="folder to write (created if missing)")
    parser.add_argument("--format", choices=["torchscript", "onnx", "both"], default="both")
    parser.add_argument("--dtype", choices=list(DTYPES), default="float32",
                        help="TorchScript precision (ONNX is always float32); half precision "
                             "traces on CUDA when available")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                        help="where to trace TorchScript (auto: cuda for half precision when "
                             "available, else cpu)")
    parser.add_argument("--max-length", type=int,
                        help="tokens per text, written into sentence_bert_config.json when missing")
    parser.add_argument("--decoder", action="store_true",
                        help="a causal LM embedder: left padding, last-token pooling")
    parser.add_argument("--append-eos", metavar="TOKEN",
                        help="make tokenizer.json end every text with TOKEN (last-token embedders "
                             "whose tokenizer file adds none, e.g. '<|endoftext|>' for Qwen)")
    parser.add_argument("--attention", choices=["eager", "sdpa", "auto"], default="eager",
                        help="attention implementation to export (default eager, the most "
                             "portable; auto: the model's default)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    parser.add_argument("--revision", help="hub revision (branch, tag or commit) of a hub id")
    parser.add_argument("--trust-remote-code", action="store_true",
                        help="allow the model's own Python code from the hub (read it first)")
    return parser.parse_args()


def export(args):
    if args.max_length is not None and args.max_length < 1:
        raise ExportError("--max-length must be positive")
    if args.format == "onnx" and args.dtype != "float32":
        say("note: --dtype applies to TorchScript only; the ONNX file is float32")
    src = source_folder(args.model, args.revision)
    modules = st_modules(src)
    refuse_unknown_modules(modules)
    model_dir = transformer_folder(src, modules)
    source_config = os.path.join(model_dir, "config.json")
    args.family = family_of(args.model, read_json(source_config) if os.path.isfile(source_config)
                            else {})
    if args.family:
        say(f"family: {args.family['id']} ({args.family['attention']} attention"
            + (f", every text ends with {args.family['eos']}" if args.family["eos"] else "") + ")")
        if args.family.get("remote_code") and not args.trust_remote_code:
            raise ExportError(f"{args.family['id']} embeds through its own modelling code: pass "
                              "--trust-remote-code (read the code first)")
        args.decoder = args.decoder or end_token_in_tokenizer(args.family) is not None
    os.makedirs(args.out, exist_ok=True)
    written = copy_side_files(src, model_dir, modules, args.out)
    written += carry_dense_modules(src, modules, args.out)
    tokenizer = load_tokenizer(model_dir, args.decoder, args.trust_remote_code)
    if not os.path.isfile(os.path.join(args.out, "tokenizer.json")):
        written.append(write_tokenizer_json(tokenizer, args.out))
    if args.family and end_token_in_tokenizer(args.family):
        if append_eos_in_post_processor(os.path.join(args.out, "tokenizer.json"),
                                        args.family["eos"]):
            say(f"tokenizer.json: its post-processor now appends {args.family['eos']}")
    config_path = os.path.join(args.out, "config.json")
    config = read_json(config_path) if os.path.isfile(config_path) else {}
    written += settle_max_length(args.out, args.max_length, config)
    written += settle_end_token(args.out, args.append_eos, args.decoder)
    if args.decoder:
        written += settle_decoder_pooling(args.out, modules, config.get("hidden_size"))
        say("decoder: serve with pooling: last_token and padding: left (registry entry)")
    if args.format in ("torchscript", "both"):
        written += export_torchscript(model_dir, tokenizer, args, args.out)
    if args.format in ("onnx", "both"):
        written += export_onnx(model_dir, tokenizer, args, args.out)
    report(args.out, written, args)


def main():
    args = parse_args()
    try:
        export(args)
    except ExportError as e:
        sys.exit(f"export_model: error: {e}")
    except ImportError as e:
        sys.exit(f"export_model: error: {e} (pip install torch transformers onnx onnxruntime)")
    except Exception as e:  # anything from transformers or torch: show where, then say it failed
        traceback.print_exc()
        sys.exit(f"export_model: error: export failed: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
