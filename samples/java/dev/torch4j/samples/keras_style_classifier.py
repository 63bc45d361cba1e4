#!/usr/bin/python3
"""PyTorch original of KerasStyleClassifier.java, the classic Keras model in PyTorch:
Dense(64, relu) -> Dense(64, relu) -> Dense(10, softmax), Adam, sparse categorical cross-entropy on the
softmax probabilities, batches of 32, 5 epochs, on ten Gaussian blobs in 20 dimensions (last 200 rows held out).

    /usr/bin/python3 keras_style_classifier.py [--export DIR]
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from twin_io import export

torch.manual_seed(0)
torch.set_num_threads(1)

centers = torch.randn(10, 20) * 3
y = torch.randint(0, 10, (1000,))
x = centers[y] + torch.randn(1000, 20)
x_train, y_train, x_val, y_val = x[:800], y[:800], x[800:], y[800:]

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))
inputs = {**{k: v.clone() for k, v in model.state_dict().items()},
          "x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val}


def sparse_categorical_crossentropy(probs, target):
    return F.nll_loss(torch.log(probs), target)


optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32)
train_losses, val_losses, val_accuracy = [], [], []
for epoch in range(5):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = sparse_categorical_crossentropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    train_losses.append(total / len(x_train))
    model.eval()
    with torch.no_grad():
        probs = model(x_val)
        val_losses.append(sparse_categorical_crossentropy(probs, y_val).item())
        val_accuracy.append((probs.argmax(1) == y_val).float().mean().item())
    print(f"epoch {epoch + 1}  loss {train_losses[-1]:.6f}  val_loss {val_losses[-1]:.6f}  val_accuracy {val_accuracy[-1]:.4f}")

if "--export" in sys.argv:
    export(sys.argv[sys.argv.index("--export") + 1], inputs,
           {"train_losses": train_losses, "val_losses": val_losses, "val_accuracy": val_accuracy})
