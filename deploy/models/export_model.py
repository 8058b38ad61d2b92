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
SIDE_FILES = ["tokenizer.json", "modules.json", "sentence_bert_config.json",
              "config_sentence_transformers.json", "config.json"]
MODULES_SPARKEMBED_APPLIES = ("Transformer", "Pooling", "Normalize")
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
            os.makedirs(os.path.join(out, folder), exist_ok=True)
            shutil.copyfile(path, os.path.join(out, folder, "config.json"))
            written.append(os.path.join(out, folder, "config.json"))
    others = [m.get("type", "?") for m in modules
              if not m.get("type", "").endswith(MODULES_SPARKEMBED_APPLIES)]
    if others:
        say(f"warning: modules.json also lists {others}; sparkembed applies only Transformer, "
            "Pooling and Normalize, so its vectors will differ from sentence-transformers'")
    return written


def write_tokenizer_json(tokenizer, out):
    """tokenizer.json from the fast tokenizer, for sources that ship only vocab files."""
    if not getattr(tokenizer, "is_fast", False):
        raise ExportError("the source has no tokenizer.json and no fast tokenizer to make one from; "
                          "sparkembed needs tokenizer.json")
    path = os.path.join(out, "tokenizer.json")
    tokenizer.backend_tokenizer.save(path)
    say("wrote tokenizer.json from the fast tokenizer (the source has none)")
    return path


def settle_max_length(out, max_length, config):
    """Writes --max-length into sentence_bert_config.json when it has none; warns otherwise."""
    path = os.path.join(out, "sentence_bert_config.json")
    bert = read_json(path) if os.path.isfile(path) else None
    current = bert.get("max_seq_length") if bert else None
    if current is not None:
        if max_length and max_length != current:
            say(f"note: sentence_bert_config.json keeps max_seq_length {current}; set max_length "
                f"{max_length} in the registry entry to override it")
        return []
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
        if not read_json(path).get("pooling_mode_lasttoken"):
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
    from transformers import AutoModel
    options = {"torchscript": True, "torch_dtype": dtype, "trust_remote_code": args.trust_remote_code}
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

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None and self.uses_types:
            kwargs["token_type_ids"] = token_type_ids
        if self.count_positions:
            kwargs["position_ids"] = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
        if self.no_cache:
            kwargs["use_cache"] = False
        return self.model(**kwargs)[0]


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
    wrapper = LastHiddenState(model, args.decoder, uses_types).eval()
    path = os.path.join(out, "model.pt")
    temp = temp_path(path)
    try:
        with torch.no_grad():
            example = encode(tokenizer, TRACE_TEXTS, names, args.max_length, device)
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
    wrapper = LastHiddenState(model, args.decoder, "token_type_ids" in names).eval()
    folder = os.path.join(out, "onnx")
    path = os.path.join(folder, "model.onnx")
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    temp = temp_path(path)
    axes = {name: {0: "batch", 1: "sequence"} for name in names + ["last_hidden_state"]}
    options = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    try:
        with torch.no_grad():
            example = encode(tokenizer, TRACE_TEXTS, names, args.max_length, "cpu")
            torch.onnx.export(wrapper, example, temp, input_names=names,
                              output_names=["last_hidden_state"], dynamic_axes=axes,
                              opset_version=args.opset, do_constant_folding=True, **options)
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
    model_dir = transformer_folder(src, modules)
    os.makedirs(args.out, exist_ok=True)
    written = copy_side_files(src, model_dir, modules, args.out)
    tokenizer = load_tokenizer(model_dir, args.decoder, args.trust_remote_code)
    if not os.path.isfile(os.path.join(args.out, "tokenizer.json")):
        written.append(write_tokenizer_json(tokenizer, args.out))
    config_path = os.path.join(args.out, "config.json")
    config = read_json(config_path) if os.path.isfile(config_path) else {}
    written += settle_max_length(args.out, args.max_length, config)
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
