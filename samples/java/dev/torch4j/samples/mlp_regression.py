#!/usr/bin/python3
"""PyTorch original of MlpRegression.java: a 10 -> 20 -> 1 network fitted with SGD and MSE for 1000 epochs.

    /usr/bin/python3 mlp_regression.py            # prints the table
    /usr/bin/python3 mlp_regression.py --export DIR   # also writes the fixture the Java test replays
"""
import sys

import torch
import torch.nn as nn

from twin_io import export

torch.manual_seed(0)
torch.set_num_threads(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 20)
        self.fc2 = nn.Linear(20, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


x = torch.randn(100, 10)
y = x.sum(1, keepdim=True) * 0.5 + 0.1 * torch.randn(100, 1)
net = Net()
inputs = {**{k: v.clone() for k, v in net.state_dict().items()}, "x": x, "y": y}

optimizer = torch.optim.SGD(net.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
losses = []
for epoch in range(1000):
    optimizer.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if (epoch + 1) % 100 == 0:
        print(f"epoch {epoch + 1:4d}  loss {loss.item():.6f}")

if "--export" in sys.argv:
    export(sys.argv[sys.argv.index("--export") + 1], inputs, {"losses": losses})
