#!/usr/bin/python3
"""The photo data set for bench/photos/run.sh: training patches and whole held-out photos, made the same way
every time (no randomness but the noise, at a fixed seed).

The photos (--collection):
  - mate (run 1): Debian's mate-backgrounds, /usr/share/backgrounds/mate/nature/*.jpg, 12 photos; held out by
    default Dune, LadyBird, YellowFlower;
  - mate+plasma (run 2): those 12 and the 10 photographs among plasma-workspace-wallpapers' 30 wallpapers
    (the largest image of each of PLASMA_PHOTOS; the rest are drawings and renders), 22 photos; held out by
    default a seeded draw of 6 (numpy default_rng(--holdout-seed).choice over the sorted names).
Then:
  - the held-out photos are resized to 384 px wide (height rounded
    to an even number) and written whole to heldout/clean/; heldout/noisy/ holds clip(x + 0.1 N(0,1), 0, 1)
    of each (numpy's default_rng, seed --noise-seed + index, saved as 8-bit PNG: PSNR is measured on
    what was saved), heldout/small/ the 2x2 box mean of each (for super-resolution, rounded to 8 bits);
  - the other photos are resized to 512 px wide and cut into 32x32 patches at stride 16, written as PNGs
    to patches/train/ and, for a seeded random 5 % of them, patches/val/ (validation patches overlap
    training patches of the same photo; they only monitor training, the held-out photos measure quality).
Resizing is PIL's Lanczos (antialiased). Prints the counts.

  /usr/bin/python3 bench/photos/prepare.py --out runs/photos/data [--collection mate|mate+plasma]
      [--holdout Dune,LadyBird,...] [--holdout-draw K --holdout-seed S]
"""
import argparse
import os
import shutil
import sys

import numpy as np
from PIL import Image

MATE = "/usr/share/backgrounds/mate/nature"
MATE_HOLDOUT = "Dune,LadyBird,YellowFlower"
PLASMA = "/usr/share/wallpapers"
PLASMA_PHOTOS = ("BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow", "FallenLeaf", "Grey",
                 "OneStandsOut", "Path", "summer_1am")


def load_resized(path, width):
    """The photo as RGB resized to `width` px wide, keeping the aspect ratio, height rounded to even."""
    im = Image.open(path).convert("RGB")
    height = 2 * round(width * im.height / im.width / 2)
    return im.resize((width, height), Image.Resampling.LANCZOS)


def to_uint8(x):
    """[0, 1] floats to 8 bits, rounding half up (as vkae writes its outputs)."""
    return np.floor(np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def add_noise(clean, sigma, seed):
    """clip(x + sigma N(0,1), 0, 1) of an 8-bit image, back to 8 bits."""
    x = clean.astype(np.float64) / 255.0
    noise = np.random.default_rng(seed).standard_normal(x.shape)
    return to_uint8(x + sigma * noise)


def box_down2(clean):
    """The 2x2 box mean (the input vkae's sr model is trained on), rounded to 8 bits."""
    x = clean.astype(np.float64) / 255.0
    h, w, c = x.shape
    return to_uint8(x.reshape(h // 2, 2, w // 2, 2, c).mean(axis=(1, 3)))


def cut_patches(image, size, stride):
    """Every size x size window at the given stride, as (y, x, patch)."""
    h, w, _ = image.shape
    return [(y, x, image[y:y + size, x:x + size]) for y in range(0, h - size + 1, stride)
            for x in range(0, w - size + 1, stride)]


def write_heldout(photos, out, width, sigma, noise_seed):
    for sub in ("clean", "noisy", "small"):
        os.makedirs(os.path.join(out, "heldout", sub))
    for i, (name, path) in enumerate(photos):
        clean = np.asarray(load_resized(path, width))
        Image.fromarray(clean).save(os.path.join(out, "heldout", "clean", name + ".png"))
        Image.fromarray(add_noise(clean, sigma, noise_seed + i)).save(os.path.join(out, "heldout", "noisy", name + ".png"))
        Image.fromarray(box_down2(clean)).save(os.path.join(out, "heldout", "small", name + ".png"))
        print(f"held out {name}: {clean.shape[1]}x{clean.shape[0]}")


def write_patches(photos, out, width, size, stride, val_share, seed):
    """Patches of every photo; a seeded random val_share of them go to val/. Returns (train, val) counts."""
    train_dir, val_dir = os.path.join(out, "patches", "train"), os.path.join(out, "patches", "val")
    os.makedirs(train_dir)
    os.makedirs(val_dir)
    rng = np.random.default_rng(seed)
    counts = [0, 0]
    for name, path in photos:
        image = np.asarray(load_resized(path, width))
        patches = cut_patches(image, size, stride)
        is_val = rng.random(len(patches)) < val_share
        for (y, x, patch), val in zip(patches, is_val):
            folder = val_dir if val else train_dir
            Image.fromarray(patch).save(os.path.join(folder, f"{name}_{y:03d}_{x:03d}.png"))
            counts[int(val)] += 1
        print(f"patches of {name} ({image.shape[1]}x{image.shape[0]}): {len(patches)}, {int(is_val.sum())} to val")
    return counts


def mate_photos():
    files = sorted(f for f in os.listdir(MATE) if f.lower().endswith(".jpg")) if os.path.isdir(MATE) else []
    if not files:
        sys.exit(f"prepare.py: no .jpg under {MATE} (apt-get install mate-backgrounds)")
    return [(os.path.splitext(f)[0], os.path.join(MATE, f)) for f in files]


def plasma_photos():
    """The largest image (by the WxH of its file name) of each wallpaper in PLASMA_PHOTOS."""
    photos = []
    for name in PLASMA_PHOTOS:
        folder = os.path.join(PLASMA, name, "contents", "images")
        if not os.path.isdir(folder):
            sys.exit(f"prepare.py: {folder} not found (apt-get install plasma-workspace-wallpapers)")
        pixels = lambda f: int(f.split("x")[0]) * int(f.split("x")[1].split(".")[0])
        photos.append((name, os.path.join(folder, max(os.listdir(folder), key=pixels))))
    return photos


def choose_holdout(a, names):
    """The held-out names: --holdout, else the collection's fixed list (mate) or its seeded draw."""
    if a.holdout:
        held = a.holdout.split(",")
    elif a.collection == "mate":
        held = MATE_HOLDOUT.split(",")
    else:
        held = sorted(str(n) for n in np.random.default_rng(a.holdout_seed).choice(sorted(names), a.holdout_draw, replace=False))
    missing = set(held) - set(names)
    if missing:
        sys.exit(f"prepare.py: --holdout names not in the collection: {', '.join(sorted(missing))}")
    return held


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="runs/photos/data", help="output folder (replaced)")
    p.add_argument("--collection", choices=("mate", "mate+plasma"), default="mate")
    p.add_argument("--holdout", help="comma-separated photo names kept whole (default: the collection's)")
    p.add_argument("--holdout-draw", type=int, default=6, help="mate+plasma: how many photos the draw holds out")
    p.add_argument("--holdout-seed", type=int, default=0)
    p.add_argument("--heldout-width", type=int, default=384)
    p.add_argument("--train-width", type=int, default=512)
    p.add_argument("--patch", type=int, default=32)
    p.add_argument("--stride", type=int, default=16)
    p.add_argument("--val-share", type=float, default=0.05)
    p.add_argument("--sigma", type=float, default=0.1)
    p.add_argument("--noise-seed", type=int, default=1000)
    p.add_argument("--split-seed", type=int, default=0)
    a = p.parse_args()

    photos = mate_photos() + (plasma_photos() if a.collection == "mate+plasma" else [])
    photos.sort()
    held = choose_holdout(a, [n for n, _ in photos])
    if os.path.exists(a.out):
        shutil.rmtree(a.out)

    write_heldout([ph for ph in photos if ph[0] in held], a.out, a.heldout_width, a.sigma, a.noise_seed)
    train, val = write_patches([ph for ph in photos if ph[0] not in held], a.out, a.train_width, a.patch,
                               a.stride, a.val_share, a.split_seed)
    print(f"{len(photos) - len(held)} training photos: {train} training patches, {val} validation patches "
          f"({a.patch}x{a.patch}, stride {a.stride}); {len(held)} held out whole: {', '.join(held)}")


if __name__ == "__main__":
    main()
