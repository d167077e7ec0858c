#!/usr/bin/python3
"""vkae against PyTorch on the same machine, back to back: training images/s (median step after warm-up)
and inference images/s of the denoising autoencoder `dae` (nn/model/spec.cpp), and the ratio vkae/PyTorch.

Usage: /usr/bin/python3 bench/compare_torch.py [path/to/vkae] [--batch 128] [--steps 10] [--threads 2]
                                               [--infer-images 10000] [--device cpu|cuda] [--rounds R] [--json]
Needs Debian's python3-torch (`bash scripts/setup.sh --bench`); CUDA PyTorch on a GPU machine.

The PyTorch side is the same model, batch, loss and optimizer: Conv2d 3x3 padding=1 (Keras 'same' for stride 1)
+ ReLU, MaxPool2d(2) (exact on 28 and 14), Upsample(nearest, x2), BCEWithLogits (mean), Adam(lr 1e-3,
eps 1e-7), glorot-uniform weights and zero biases; noisy input clip(x + 0.5 N(0,1), 0, 1) made each step,
as vkae does on the device. Inputs are synthetic uint8 images like `vkae bench` uses (speed does not depend
on pixel values). Inference is the `vkae eval` work: noise, forward, BCE, over --infer-images images in
batches of 128 (no autograd).

--rounds R alternates the two sides R times and reports each round and the medians (of every figure, and of
the per-round ratios): on a shared machine whose speed drifts between minutes, the ratio of two runs made
in the same minute is what holds, and its median over rounds is the figure to quote.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn


def make_dae():
    def conv(cin, cout):
        c = nn.Conv2d(cin, cout, 3, padding=1)
        nn.init.xavier_uniform_(c.weight)  # Keras glorot_uniform
        nn.init.zeros_(c.bias)
        return c

    return nn.Sequential(
        conv(1, 32), nn.ReLU(), nn.MaxPool2d(2),
        conv(32, 32), nn.ReLU(), nn.MaxPool2d(2),
        conv(32, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
        conv(32, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
        conv(32, 1),  # logits; the sigmoid is inside BCEWithLogits
    )


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def torch_bench(args):
    torch.manual_seed(0)
    device = torch.device(args.device)
    model = make_dae().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    steps_total = args.warmup + args.steps
    images = torch.randint(0, 256, (args.batch * steps_total, 1, 28, 28), dtype=torch.uint8, device=device)

    def step(i):
        clean = images[i * args.batch:(i + 1) * args.batch].float() / 255.0
        noisy = (clean + 0.5 * torch.randn_like(clean)).clamp_(0.0, 1.0)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(noisy), clean)
        loss.backward()
        opt.step()
        return loss

    times = []
    for i in range(steps_total):
        sync(device)
        t = time.perf_counter()
        step(i)
        sync(device)
        if i >= args.warmup:
            times.append(time.perf_counter() - t)
    ms = statistics.median(times) * 1e3

    model.eval()
    test = torch.randint(0, 256, (args.infer_images, 1, 28, 28), dtype=torch.uint8, device=device)
    with torch.no_grad():
        for b in range(0, min(2 * args.batch, args.infer_images), args.batch):  # warm-up
            model(test[b:b + args.batch].float() / 255.0)
        sync(device)
        t = time.perf_counter()
        total = 0.0
        for b in range(0, args.infer_images, args.batch):
            clean = test[b:b + args.batch].float() / 255.0
            noisy = (clean + 0.5 * torch.randn_like(clean)).clamp_(0.0, 1.0)
            total += float(loss_fn(model(noisy), clean))
        sync(device)
        infer_s = time.perf_counter() - t
    return {"train_ms_per_step": ms, "train_ms_min": min(times) * 1e3, "train_ms_max": max(times) * 1e3,
            "train_images_per_s": args.batch / (ms / 1e3), "infer_images": args.infer_images,
            "infer_seconds": infer_s, "infer_images_per_s": args.infer_images / infer_s,
            "device": torch.cuda.get_device_name() if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads",
            "torch": torch.__version__}


def vkae_bench(args):
    cmd = [args.vkae, "bench", "--model", "dae", "--batch", str(args.batch), "--steps", str(args.steps),
           "--warmup", str(args.warmup), "--infer-images", str(args.vkae_infer_images), "--json"]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit(f"compare_torch.py: {args.vkae}: no such program (build it, or pass the path to vkae)")
    except subprocess.CalledProcessError as e:
        last = (e.stderr or "").strip().splitlines()
        sys.exit(f"compare_torch.py: {' '.join(cmd)} failed with exit {e.returncode}: {last[-1] if last else ''}")
    return json.loads(out.strip().splitlines()[-1]), " ".join(cmd)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("vkae", nargs="?", default="build/release/vkae")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2: the same cores)")
    p.add_argument("--infer-images", type=int, default=10000, help="PyTorch inference images (default 10000)")
    p.add_argument("--vkae-infer-images", type=int, default=2048,
                   help="vkae bench --infer-images (default 2048; `vkae eval` does 10000 the same way)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--skip-vkae", action="store_true", help="PyTorch only")
    p.add_argument("--rounds", type=int, default=1, help="alternate vkae and PyTorch this many times (medians)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    if args.rounds < 1:
        p.error("--rounds must be >= 1")
    rounds = []
    for _ in range(args.rounds):
        vk, cmd = (None, None) if args.skip_vkae else vkae_bench(args)
        pt = torch_bench(args)
        rounds.append({"vkae": vk, "pytorch": pt, "load_avg_1": round(os.getloadavg()[0], 2)})
    keys = ["train_images_per_s", "train_ms_per_step", "infer_images_per_s"]

    def median_of(side):
        first = rounds[0][side]
        if first is None:
            return None
        m = dict(first)
        for k in keys:
            m[k] = statistics.median(r[side][k] for r in rounds)
        return m

    vk, pt = median_of("vkae"), median_of("pytorch")
    load = os.getloadavg()
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.node()} {os.cpu_count()} cores",
              "load_avg_1_5_15": [round(x, 2) for x in load], "batch": args.batch, "rounds": args.rounds,
              "pytorch": pt, "vkae_command": cmd, "vkae": vk}
    if vk:
        for r in rounds:
            r["ratio_train"] = r["vkae"]["train_images_per_s"] / r["pytorch"]["train_images_per_s"]
            r["ratio_infer"] = r["vkae"]["infer_images_per_s"] / r["pytorch"]["infer_images_per_s"]
        report["ratio_train"] = statistics.median(r["ratio_train"] for r in rounds)
        report["ratio_infer"] = statistics.median(r["ratio_infer"] for r in rounds)
    if args.rounds > 1:
        report["per_round"] = rounds
    if args.json:
        print(json.dumps(report))
        return
    print(f"{report['date']}  {report['machine']}  load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"PyTorch {pt['torch']} on {pt['device']}; vkae on {vk['device'] if vk else '-'}; dae, batch {args.batch}")
    if args.rounds > 1 and vk:
        print(f"{'round':>5s} {'train vkae':>11s} {'PyTorch':>9s} {'ratio':>7s} {'infer vkae':>11s} {'PyTorch':>9s} "
              f"{'ratio':>7s} {'load':>5s}")
        for i, r in enumerate(rounds, 1):
            print(f"{i:5d} {r['vkae']['train_images_per_s']:11.1f} {r['pytorch']['train_images_per_s']:9.1f} "
                  f"{r['ratio_train']:6.3f}x {r['vkae']['infer_images_per_s']:11.1f} "
                  f"{r['pytorch']['infer_images_per_s']:9.1f} {r['ratio_infer']:6.3f}x {r['load_avg_1']:5.2f}")
        print(f"medians over {args.rounds} rounds (the ratio rows: median of the per-round ratios):")
    print(f"{'figure':34s} {'vkae':>12s} {'PyTorch':>12s} {'vkae/PyTorch':>13s}")
    rows = [("training images/s", "train_images_per_s", "{:.1f}", "ratio_train"),
            ("training ms/step (median)", "train_ms_per_step", "{:.1f}", None),
            ("inference images/s", "infer_images_per_s", "{:.1f}", "ratio_infer")]
    for name, key, f, ratio_key in rows:
        v = vk[key] if vk else float("nan")
        r = report[ratio_key] if vk and ratio_key else (v / pt[key] if vk else float("nan"))
        print(f"{name:34s} {f.format(v):>12s} {f.format(pt[key]):>12s} {r:>12.3f}x")
    if vk:
        print(f"(vkae inference over {vk['infer_images']} images, PyTorch over {pt['infer_images']})")


if __name__ == "__main__":
    sys.exit(main())
