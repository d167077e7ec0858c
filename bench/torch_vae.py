#!/usr/bin/env python3
"""The `vae` model in PyTorch, for comparing vkae's VAE loss with PyTorch's on the same machine.

Same architecture as vkae's built-in `vae` (784-512 relu-(mu, logvar; Z)-512 relu-784 sigmoid), loss per
image = sum of BCE over the pixels + KL(N(mu, sigma^2) || N(0, I)) (the PyTorch example's loss), Adam 1e-3,
batch 128, shuffled, PyTorch's default initialisation. Prints per epoch the mean training loss per image
and the test loss per image (z sampled, as the example does).

  /usr/bin/python3 bench/torch_vae.py [--epochs 2] [--latent 2] [--seed 0] [--data ~/.cache/vkae/mnist]

Needs Debian's python3-torch (`scripts/setup.sh --bench`) and MNIST (`vkae fetch mnist`).
"""
import argparse
import os
import struct
import time

import torch
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


class Vae(torch.nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 512)
        self.mu = torch.nn.Linear(512, latent)
        self.logvar = torch.nn.Linear(512, latent)
        self.fc3 = torch.nn.Linear(latent, 512)
        self.fc4 = torch.nn.Linear(512, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.fc4(F.relu(self.fc3(z))), mu, logvar


def loss_sum(logits, x, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--latent", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.path.expanduser("~/.cache/vkae/mnist"))
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    train = read_idx(os.path.join(a.data, "train-images-idx3-ubyte")).reshape(-1, 784).float() / 255
    test = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte")).reshape(-1, 784).float() / 255
    model = Vae(a.latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, a.epochs + 1):
        start = time.time()
        model.train()
        perm = torch.randperm(train.shape[0])
        total, images = 0.0, 0
        for i in range(0, train.shape[0] - 127, 128):  # full batches only, as vkae
            x = train[perm[i:i + 128]]
            logits, mu, logvar = model(x)
            loss = loss_sum(logits, x, mu, logvar)
            opt.zero_grad()
            (loss / x.shape[0]).backward()
            opt.step()
            total += loss.item()
            images += x.shape[0]
        train_s = time.time() - start  # before the test pass, so img/s is training only
        model.eval()
        with torch.no_grad():
            test_total = 0.0
            for i in range(0, test.shape[0], 500):
                x = test[i:i + 500]
                logits, mu, logvar = model(x)
                test_total += loss_sum(logits, x, mu, logvar).item()
        print(f"epoch {epoch}: train loss {total / images:.2f} per image, test loss {test_total / test.shape[0]:.2f} "
              f"per image, {time.time() - start:.1f} s, {images / train_s:.0f} img/s (training)", flush=True)


if __name__ == "__main__":
    main()
