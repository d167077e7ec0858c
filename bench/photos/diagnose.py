#!/usr/bin/python3
"""The diagnostics behind docs/RESULTS.md's photo section (why the denoising gain misses 6 dB), on a finished
bench/photos/run.sh folder; PyTorch only, no vkae setting involved.

  content RUN [--widths 384,512,1024]
      the run's dae models (PyTorch's, and vkae's checkpoint run through the twin, which gives vkae's output
      to 1 level) on every mate-backgrounds photo resized to each width, noisy at sigma 0.1 (seed 1000 +
      index, as prepare.py): PSNR gain per photo, marked held out or train, and the means.
  steps RUN --model dae|sr [--seed 0] [--steps 6000] [--every 1500]
      trains the PyTorch twin as torch_train.py does and prints the held-out PSNR (dae: gain over the noisy
      input; sr: against bicubic) every --every steps.

  /usr/bin/python3 bench/photos/diagnose.py content runs/photos
  /usr/bin/python3 bench/photos/diagnose.py steps runs/photos --model dae --steps 6000 --every 1500
"""
import argparse
import os
import sys
from types import SimpleNamespace

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate as ev  # noqa: E402
import prepare as pr  # noqa: E402
import torch_models as tm  # noqa: E402
import torch_train as tt  # noqa: E402


def gain(model, clean, noisy):
    return ev.psnr(ev.run_twin(model, "dae", noisy), clean) - ev.psnr(noisy, clean)


def content(args):
    models = {"PyTorch": ev.load_torch("dae", os.path.join(args.run, "torch-dae.pt")),
              "vkae": ev.load_vkae_twin("dae", os.path.join(args.run, "vkae-dae", "checkpoint.safetensors"))}
    held = pr.HOLDOUT.split(",")
    files = sorted(f for f in os.listdir(pr.SOURCE) if f.lower().endswith(".jpg"))
    for width in (int(w) for w in args.widths.split(",")):
        gains = {k: {} for k in models}
        for i, f in enumerate(files):
            name = os.path.splitext(f)[0]
            clean = np.asarray(pr.load_resized(os.path.join(pr.SOURCE, f), width))
            noisy = pr.add_noise(clean, 0.1, 1000 + i)
            for k, m in models.items():
                gains[k][name] = gain(m, clean, noisy)
            print(f"width {width} {name:13s} {'held out' if name in held else 'train':8s} "
                  + "  ".join(f"{k} {g[name]:+.2f}" for k, g in gains.items()), flush=True)
        for k, g in gains.items():
            print(f"width {width} {k}: mean over all {np.mean(list(g.values())):+.2f} dB, over the held out "
                  f"{np.mean([g[n] for n in held]):+.2f} dB")


def heldout_score(model, kind, data):
    """Mean held-out PSNR and its gain over the baseline (noisy input, or bicubic for sr)."""
    scores, bases = [], []
    for name in sorted(os.listdir(os.path.join(data, "heldout", "clean"))):
        clean = ev.load_png(os.path.join(data, "heldout", "clean", name))
        x = ev.load_png(os.path.join(data, "heldout", "noisy" if kind == "dae" else "small", name))
        scores.append(ev.psnr(ev.run_twin(model, kind, x), clean))
        bases.append(ev.psnr(x, clean) if kind == "dae" else ev.psnr(ev.bicubic(x, clean.shape[:2]), clean))
    return np.mean(scores), np.mean(scores) - np.mean(bases)


def steps(args):
    data = os.path.join(args.run, "data")
    torch.manual_seed(args.seed)
    images = tt.load_images(os.path.join(data, "patches", "train"))
    model = tm.MODELS[args.model](images.shape[1])

    def report(step):
        if step % args.every:
            return
        model.eval()
        score, over = heldout_score(model, args.model, data)
        model.train()
        print(f"{args.model} seed {args.seed} step {step}: held-out mean {score:.2f} dB, "
              f"{over:+.2f} dB over {'noisy' if args.model == 'dae' else 'bicubic'}", flush=True)

    schedule = SimpleNamespace(lr=1e-3, batch=32, steps=args.steps, noise=0.1, seed=args.seed)
    tt.train(model, args.model, images, schedule, on_step=report)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    c = sub.add_parser("content")
    c.add_argument("run")
    c.add_argument("--widths", default="384,512,1024")
    s = sub.add_parser("steps")
    s.add_argument("run")
    s.add_argument("--model", choices=sorted(tm.MODELS), default="dae")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--steps", type=int, default=6000)
    s.add_argument("--every", type=int, default=1500)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    content(args) if args.what == "content" else steps(args)


if __name__ == "__main__":
    main()
