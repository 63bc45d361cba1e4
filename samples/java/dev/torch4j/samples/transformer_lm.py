#!/usr/bin/python3
"""PyTorch original of TransformerLM.java: a character-level Transformer encoder language model (causal mask,
multi-head attention, sinusoidal positional encoding), trained with Adam on samples/data/tiny_text.txt.

    /usr/bin/python3 transformer_lm.py [--export DIR]
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from twin_io import export

torch.manual_seed(0)
torch.set_num_threads(1)

here = os.path.dirname(os.path.abspath(__file__))
text = open(os.path.join(here, "../../../../data/tiny_text.txt")).read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text])
D_MODEL, CONTEXT, BATCH = 32, 32, 16


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len):
        super().__init__()
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):  # (B, T, D)
        return x + self.pe[: x.size(1)]


class TransformerLM(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.embed = nn.Embedding(vocab, D_MODEL)
        self.pos = PositionalEncoding(D_MODEL, CONTEXT)
        layer = nn.TransformerEncoderLayer(D_MODEL, 4, 64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(D_MODEL, vocab)

    def forward(self, x):  # (B, T) -> (B, T, vocab)
        t = x.size(1)
        mask = torch.triu(torch.full((t, t), float("-inf")), 1)
        h = self.encoder(self.pos(self.embed(x) * math.sqrt(D_MODEL)), mask=mask)
        return self.head(h)


model = TransformerLM(len(chars))
inputs = {**{k: v.clone() for k, v in model.state_dict().items()}, "data": data}
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
torch.manual_seed(1)  # batch windows from here on; the Java twin reseeds at the same point
losses = []
for step in range(150):
    ix = torch.randint(0, len(data) - CONTEXT - 1, (BATCH,))
    idx = ix.unsqueeze(1) + torch.arange(CONTEXT)
    x, y = data[idx], data[idx + 1]
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x).view(-1, len(chars)), y.view(-1))
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if (step + 1) % 25 == 0:
        print(f"step {step + 1:3d}  loss {loss.item():.4f}")

if "--export" in sys.argv:
    export(sys.argv[sys.argv.index("--export") + 1], inputs, {"losses": losses, "vocab": "".join(chars)})
