#!/usr/bin/python3
"""PyTorch original of IrisClassifier.java: a 4 -> 10 -> 10 -> 3 MLP trained with Adam on Iris, evaluated on a
held-out split (the 30 last rows of a seeded permutation), features standardised with the training statistics.

    /usr/bin/python3 iris_classifier.py [--export DIR]
The CSV is samples/data/iris.csv (from Debian's python3-sklearn data files).
"""
import csv
import os
import sys

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from twin_io import export

torch.manual_seed(0)
torch.set_num_threads(1)

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "../../../../data/iris.csv")) as f:
    rows = list(csv.reader(f))[1:]
features = torch.tensor([[float(v) for v in r[:4]] for r in rows])
labels = torch.tensor([int(r[4]) for r in rows])

perm = torch.randperm(len(rows))
train_idx, test_idx = perm[:120], perm[120:]
mean, std = features[train_idx].mean(0), features[train_idx].std(0)
x_train, y_train = (features[train_idx] - mean) / std, labels[train_idx]
x_test, y_test = (features[test_idx] - mean) / std, labels[test_idx]

model = nn.Sequential(nn.Linear(4, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 3))
inputs = {**{k: v.clone() for k, v in model.state_dict().items()},
          "x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=16)

train_losses, test_losses, test_accuracy = [], [], []
for epoch in range(50):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    train_losses.append(total / len(x_train))
    model.eval()
    with torch.no_grad():
        out = model(x_test)
        test_losses.append(loss_fn(out, y_test).item())
        test_accuracy.append((out.argmax(1) == y_test).float().mean().item())
    if (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1:3d}  train_loss {train_losses[-1]:.6f}  test_loss {test_losses[-1]:.6f}  "
              f"accuracy {test_accuracy[-1]:.4f}")

if "--export" in sys.argv:
    export(sys.argv[sys.argv.index("--export") + 1], inputs,
           {"train_losses": train_losses, "test_losses": test_losses, "test_accuracy": test_accuracy})
