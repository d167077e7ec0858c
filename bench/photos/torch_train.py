#!/usr/bin/python3
"""Trains the PyTorch twin of vkae's `dae` or `sr` (torch_models.py) on a folder of patches the way
`vkae train FOLDER` does, for bench/photos/run.sh.

Same as vkae: the PNGs under FOLDER/train read recursively in sorted order, as RGB / 255; full batches of
--batch from a fresh seeded permutation every epoch (the last partial batch dropped); dae input
clip(x + noise N(0,1), 0, 1) drawn anew every step; sr input the 2x2 box mean of the target; BCE with
logits, mean over all elements; Adam(lr, betas 0.9/0.999, eps 1e-7, PyTorch's placement: added to
sqrt(v_hat)), which is vkae's nn/ops/optimizer.hpp; Glorot-uniform weights, zero biases. What differs is
only the random draws (torch's generator, not vkae's Philox) and the float summation order.

After training: the mean BCE on FOLDER/val (dae: noise at a fixed seed), and a JSON line with the loss
curve's last values, wall time and training images/s (steps only).

  /usr/bin/python3 bench/photos/torch_train.py FOLDER --model dae|sr --out model.pt [--noise 0.1]
      [--batch 32] [--steps 1500] [--lr 0.001] [--seed 0] [--threads 2]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import MODELS  # noqa: E402


def load_images(folder):
    """Every PNG under `folder` (sorted paths, as vkae walks it) as a uint8 tensor [N, 3, H, W]."""
    paths = sorted(os.path.join(root, f) for root, _, files in os.walk(folder) for f in files
                   if f.lower().endswith(".png"))
    if not paths:
        sys.exit(f"torch_train.py: no PNG under {folder}")
    images = np.stack([np.asarray(Image.open(p).convert("RGB")) for p in paths])
    return torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()


def batches(count, batch, steps, generator):
    """Index tensors of `steps` full batches, a new permutation each epoch."""
    done = 0
    while done < steps:
        perm = torch.randperm(count, generator=generator)
        for i in range(0, count - batch + 1, batch):
            if done == steps:
                return
            yield perm[i:i + batch]
            done += 1


def model_input(kind, clean, noise, generator):
    if kind == "dae":
        return (clean + noise * torch.randn(clean.shape, generator=generator)).clamp_(0.0, 1.0)
    return F.avg_pool2d(clean, 2)


def train(model, kind, images, args, on_step=None):
    """args: lr, batch, steps, noise, seed. on_step(step), if given, is called after every step."""
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-7)
    shuffle, noise = torch.Generator().manual_seed(args.seed + 1), torch.Generator().manual_seed(args.seed + 2)
    losses, step_seconds = [], 0.0
    for step, idx in enumerate(batches(images.shape[0], args.batch, args.steps, shuffle), 1):
        start = time.perf_counter()
        clean = images[idx].float() / 255.0
        loss = F.binary_cross_entropy_with_logits(model(model_input(kind, clean, args.noise, noise)), clean)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step_seconds += time.perf_counter() - start
        losses.append(loss.item())
        if on_step:
            on_step(step)
        if step % 100 == 0 or step == args.steps:
            print(f"step {step}/{args.steps}  loss {np.mean(losses[-100:]):.4f}  "
                  f"{step * args.batch / step_seconds:.0f} img/s", flush=True)
    return losses, step_seconds


def validation_loss(model, kind, images, noise, seed):
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    with torch.no_grad():
        for i in range(0, images.shape[0], 128):
            clean = images[i:i + 128].float() / 255.0
            logits = model(model_input(kind, clean, noise, generator))
            total += F.binary_cross_entropy_with_logits(logits, clean, reduction="sum").item()
    return total / images.numel()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("folder", help="patches folder with train/ and val/")
    p.add_argument("--model", choices=sorted(MODELS), default="dae")
    p.add_argument("--out", required=True, help="the trained state_dict (.pt)")
    p.add_argument("--noise", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)  # the weights

    wall = time.perf_counter()
    train_images = load_images(os.path.join(args.folder, "train"))
    val_images = load_images(os.path.join(args.folder, "val"))
    model = MODELS[args.model](train_images.shape[1])
    print(f"PyTorch {torch.__version__}, {args.threads} threads: {args.model} on {train_images.shape[0]} train / "
          f"{val_images.shape[0]} val images {tuple(train_images.shape[1:])}, batch {args.batch}, "
          f"{args.steps} steps, lr {args.lr}, noise {args.noise if args.model == 'dae' else '-'}, seed {args.seed}",
          flush=True)
    losses, step_seconds = train(model, args.model, train_images, args)
    val = validation_loss(model, args.model, val_images, args.noise, seed=12345)
    torch.save(model.state_dict(), args.out)
    wall = time.perf_counter() - wall
    print(f"validation BCE {val:.5f}; {wall:.1f} s wall, {args.steps * args.batch / step_seconds:.0f} img/s (steps)")
    print(json.dumps({"model": args.model, "steps": args.steps, "train_loss_last100": float(np.mean(losses[-100:])),
                      "val_bce": val, "wall_s": wall, "train_images_per_s": args.steps * args.batch / step_seconds,
                      "torch": torch.__version__, "threads": args.threads}))


if __name__ == "__main__":
    main()
