#!/usr/bin/python3
"""PyTorch original of LstmClassifier.java: an LSTM reads sequences of 10 numbers and a linear layer on its
last output tells whether their sum is positive; Adam, batches of 32.

    /usr/bin/python3 lstm_classifier.py [--export DIR]
"""
import sys

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from twin_io import export

torch.manual_seed(0)
torch.set_num_threads(1)

x = torch.randn(640, 10, 1)
y = (x.sum(dim=(1, 2)) > 0).long()
x_train, y_train, x_test, y_test = x[:512], y[:512], x[512:], y[512:]


class LstmClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):  # (B, T, 1) -> (B, 2)
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


model = LstmClassifier()
inputs = {**{k: v.clone() for k, v in model.state_dict().items()},
          "x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32)
test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=len(x_test))
train_losses, test_losses, test_accuracy = [], [], []
for epoch in range(8):
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
    export(sys.argv[sys.argv.index("--export") + 1], inputs,
           {"train_losses": train_losses, "test_losses": test_losses, "test_accuracy": test_accuracy})
