"""Builds a tiny random causal decoder and exports it to ONNX, for sparkembed's tests.

The model takes input_ids and attention_mask and returns last_hidden_state, like a decoder
embedder (gte-Qwen2, Qwen3-Embedding) exported from Hugging Face: causal attention that also
skips padded keys, and positions counted over real tokens only, so a text's hidden states are the
same whether the batch pads it on the left or on the right.

usage: python3 tiny_decoder.py OUT.onnx VOCAB_SIZE
Needs only torch and onnx (Debian: python3-torch python3-onnx).
"""
import math
import sys

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(hidden)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.ln2 = nn.LayerNorm(hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, 4 * hidden), nn.GELU(), nn.Linear(4 * hidden, hidden))

    def forward(self, x, bias):
        b, t, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(self.ln1(x)).split(h, dim=2)
        q = q.reshape(b, t, self.heads, d).transpose(1, 2)
        k = k.reshape(b, t, self.heads, d).transpose(1, 2)
        v = v.reshape(b, t, self.heads, d).transpose(1, 2)
        scale = torch.tensor(1.0 / math.sqrt(d), dtype=torch.float32)
        att = torch.softmax(q @ k.transpose(2, 3) * scale + bias, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(b, t, h)
        x = x + self.proj(o)
        return x + self.mlp(self.ln2(x))


class TinyDecoder(nn.Module):
    def __init__(self, vocab, hidden=32, layers=2, heads=4, max_positions=512):
        super().__init__()
        self.tokens = nn.Embedding(vocab, hidden)
        self.positions = nn.Embedding(max_positions, hidden)
        self.blocks = nn.ModuleList([Block(hidden, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(hidden)

    def forward(self, input_ids, attention_mask):
        positions = (torch.cumsum(attention_mask, dim=1) - 1).clamp(min=0)
        x = self.tokens(input_ids) + self.positions(positions)
        t = input_ids.shape[1]
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        allowed = causal.unsqueeze(0) & attention_mask.bool().unsqueeze(1)
        bias = ((~allowed).to(torch.float32) * -1e9).unsqueeze(1)
        for block in self.blocks:
            x = block(x, bias)
        return self.norm(x)


def main():
    out, vocab = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(20261122)
    model = TinyDecoder(vocab).eval()
    ids = torch.randint(0, vocab, (2, 7))
    mask = torch.ones(2, 7, dtype=torch.long)
    torch.onnx.export(
        model,
        (ids, mask),
        out,
        input_names=["input_ids", "attention_mask"],
        output_names=["last_hidden_state"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "last_hidden_state": {0: "batch", 1: "tokens"},
        },
        opset_version=14,
    )


if __name__ == "__main__":
    main()
