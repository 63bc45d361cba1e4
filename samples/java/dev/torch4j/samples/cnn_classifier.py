#!/usr/bin/python3
"""PyTorch original of CnnClassifier.java: Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d -> Dropout -> Linear on
12x12 images with either a horizontal or a vertical bar (plus noise), SGD with momentum, batches of 32.

    /usr/bin/python3 cnn_classifier.py [--export DIR]
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from twin_io import export

torch.manual_seed(0)
torch.set_num_threads(1)


def bars(n):
    labels = torch.randint(0, 2, (n,))
    where = F.one_hot(torch.randint(2, 10, (n,)), 12).float()  # (n, 12)
    horizontal = where[:, :, None].expand(n, 12, 12)
    vertical = where[:, None, :].expand(n, 12, 12)
    bar = torch.where((labels == 0)[:, None, None], horizontal, vertical)
    return (torch.randn(n, 12, 12) * 0.3 + bar).unsqueeze(1), labels


x_train, y_train = bars(256)
x_test, y_test = bars(64)
model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
                      nn.Flatten(), nn.Linear(8 * 6 * 6, 2))
inputs = {**{k: v.clone() for k, v in model.state_dict().items()},
          "x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
torch.manual_seed(0)  # dropout masks from here on: the Java twin reseeds at the same point
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32)
# Evaluated through a DataLoader too, as the Java Trainer does: each DataLoader epoch draws a base seed
# from the global generator, and the dropout masks depend on that sequence.
test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=len(x_test))
train_losses, test_losses, test_accuracy = [], [], []
for epoch in range(5):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    train_losses.append(total / len(x_train))
    model.eval()
    with torch.no_grad():
        for xb, yb in test_loader:
            out = model(xb)
            test_losses.append(loss_fn(out, yb).item())
            test_accuracy.append((out.argmax(1) == yb).float().mean().item())
    print(f"epoch {epoch + 1}  train_loss {train_losses[-1]:.6f}  test_loss {test_losses[-1]:.6f}  accuracy {test_accuracy[-1]:.4f}")

if "--export" in sys.argv:
    state = {k: v for k, v in model.state_dict().items()}
    export(sys.argv[sys.argv.index("--export") + 1], inputs,
           {"train_losses": train_losses, "test_losses": test_losses, "test_accuracy": test_accuracy,
            "final_running_mean": state["1.running_mean"].tolist()})
