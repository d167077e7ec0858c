#!/usr/bin/python3
"""PSNR on the whole held-out photos of bench/photos/prepare.py: colour denoising (noisy input, vkae's `dae`,
the PyTorch twin) and 2x super-resolution (PIL bicubic, vkae's `sr`, the PyTorch twin), for run.sh.

vkae runs through its own commands (`vkae denoise`, `vkae upscale`) on the saved PNGs; the twin runs the
whole image as vkae does: edge-padded (last row and column repeated) to a multiple of the model's pooling
factor (4 for dae, 1 for sr), sigmoid, cropped back, rounded to 8 bits. PSNR = 10 log10(255^2 / MSE) over
all pixels and channels of the 8-bit images against heldout/clean; the table's mean row is the mean of the
photos' dB.

Also a twin check: each vkae checkpoint loaded into the PyTorch twin and run on the same inputs; its output
must match vkae's PNG to a level or so (float summation order), which shows the two are the same model.

  /usr/bin/python3 bench/photos/evaluate.py DATA --vkae BIN --vkae-dae CKPT --vkae-sr CKPT
      --torch-dae PT --torch-sr PT --work DIR [--json FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import MODELS, load_vkae_checkpoint  # noqa: E402

POOLING_FACTOR = {"dae": 4, "sr": 1}
SCALE = {"dae": 1, "sr": 2}


def load_png(path):
    return np.asarray(Image.open(path).convert("RGB"))


def psnr(image, reference):
    mse = np.mean((image.astype(np.float64) - reference.astype(np.float64)) ** 2)
    return 10.0 * np.log10(255.0 ** 2 / mse)


def run_vkae(vkae, verb, checkpoint, source, target):
    """`vkae denoise|upscale` on one file; returns the output image and the command's seconds."""
    start = time.perf_counter()
    subprocess.run([vkae, verb, "--checkpoint", checkpoint, source, target], check=True, capture_output=True)
    return load_png(target), time.perf_counter() - start


def run_twin(model, kind, image):
    """The twin over the whole image: edge-pad to the pooling factor, forward, crop, 8 bits."""
    h, w, _ = image.shape
    f = POOLING_FACTOR[kind]
    padded = np.pad(image, ((0, -h % f), (0, -w % f), (0, 0)), mode="edge")
    x = torch.from_numpy(padded).permute(2, 0, 1)[None].float() / 255.0
    with torch.no_grad():
        y = model.predict(x)[0].permute(1, 2, 0).numpy()
    s = SCALE[kind]
    return np.floor(np.clip(y[:h * s, :w * s], 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def load_torch(kind, path):
    model = MODELS[kind](3)
    model.load_state_dict(torch.load(path))
    return model.eval()


def load_vkae_twin(kind, checkpoint):
    model = MODELS[kind](3)
    load_vkae_checkpoint(model, checkpoint)
    return model.eval()


def bicubic(small, size_hw):
    return np.asarray(Image.fromarray(small).resize((size_hw[1], size_hw[0]), Image.Resampling.BICUBIC))


def twin_difference(ours, theirs):
    d = np.abs(ours.astype(int) - theirs.astype(int))
    return {"max_levels": int(d.max()), "values_differing": int(np.sum(d > 0)), "values": int(d.size)}


def evaluate_photo(name, args, models, work):
    clean = load_png(os.path.join(args.data, "heldout", "clean", name))
    noisy_path = os.path.join(args.data, "heldout", "noisy", name)
    small_path = os.path.join(args.data, "heldout", "small", name)
    noisy, small = load_png(noisy_path), load_png(small_path)
    vk_dae, dae_s = run_vkae(args.vkae, "denoise", args.vkae_dae, noisy_path, os.path.join(work, "dae-" + name))
    vk_sr, sr_s = run_vkae(args.vkae, "upscale", args.vkae_sr, small_path, os.path.join(work, "sr-" + name))
    pt_dae, pt_sr = run_twin(models["torch_dae"], "dae", noisy), run_twin(models["torch_sr"], "sr", small)
    Image.fromarray(pt_dae).save(os.path.join(work, "torch-dae-" + name))
    Image.fromarray(pt_sr).save(os.path.join(work, "torch-sr-" + name))
    return {
        "photo": os.path.splitext(name)[0], "size": f"{clean.shape[1]}x{clean.shape[0]}",
        "noisy": psnr(noisy, clean), "vkae_dae": psnr(vk_dae, clean), "torch_dae": psnr(pt_dae, clean),
        "bicubic": psnr(bicubic(small, clean.shape[:2]), clean), "vkae_sr": psnr(vk_sr, clean),
        "torch_sr": psnr(pt_sr, clean), "vkae_denoise_s": dae_s, "vkae_upscale_s": sr_s,
        "twin_dae": twin_difference(run_twin(models["twin_dae"], "dae", noisy), vk_dae),
        "twin_sr": twin_difference(run_twin(models["twin_sr"], "sr", small), vk_sr),
    }


def mean_row(rows):
    keys = ["noisy", "vkae_dae", "torch_dae", "bicubic", "vkae_sr", "torch_sr"]
    return {"photo": "mean", "size": "", **{k: float(np.mean([r[k] for r in rows])) for k in keys}}


def print_tables(rows):
    print("Denoising, sigma 0.1 (PSNR dB against the clean photo)")
    print(f"{'photo':14s} {'size':8s} {'noisy':>7s} {'vkae':>7s} {'gain':>6s} {'PyTorch':>8s} {'gain':>6s} "
          f"{'vkae-PT':>8s}")
    for r in rows:
        print(f"{r['photo']:14s} {r['size']:8s} {r['noisy']:7.2f} {r['vkae_dae']:7.2f} "
              f"{r['vkae_dae'] - r['noisy']:+6.2f} {r['torch_dae']:8.2f} {r['torch_dae'] - r['noisy']:+6.2f} "
              f"{r['vkae_dae'] - r['torch_dae']:+8.2f}")
    print("Super-resolution 2x (PSNR dB against the original)")
    print(f"{'photo':14s} {'bicubic':>8s} {'vkae sr':>8s} {'gain':>6s} {'PyTorch':>8s} {'gain':>6s} {'vkae-PT':>8s}")
    for r in rows:
        print(f"{r['photo']:14s} {r['bicubic']:8.2f} {r['vkae_sr']:8.2f} {r['vkae_sr'] - r['bicubic']:+6.2f} "
              f"{r['torch_sr']:8.2f} {r['torch_sr'] - r['bicubic']:+6.2f} {r['vkae_sr'] - r['torch_sr']:+8.2f}")


def print_twin_check(rows):
    for r in rows:
        print(f"twin check {r['photo']}: vkae's checkpoints run in PyTorch vs vkae's output: dae max "
              f"{r['twin_dae']['max_levels']} level(s), {r['twin_dae']['values_differing']} of {r['twin_dae']['values']} "
              f"values differ; sr max {r['twin_sr']['max_levels']}, {r['twin_sr']['values_differing']} of "
              f"{r['twin_sr']['values']}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("data", help="prepare.py's output folder")
    for name in ("--vkae", "--vkae-dae", "--vkae-sr", "--torch-dae", "--torch-sr", "--work"):
        p.add_argument(name, required=True)
    p.add_argument("--json", help="write the rows here too")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    models = {"torch_dae": load_torch("dae", args.torch_dae), "torch_sr": load_torch("sr", args.torch_sr),
              "twin_dae": load_vkae_twin("dae", args.vkae_dae), "twin_sr": load_vkae_twin("sr", args.vkae_sr)}
    names = sorted(os.listdir(os.path.join(args.data, "heldout", "clean")))
    rows = [evaluate_photo(n, args, models, args.work) for n in names]
    rows.append(mean_row(rows))
    print_tables(rows)
    print_twin_check(rows[:-1])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
