#!/usr/bin/python3
"""Decoding a folder of images and the decode cache: images decoded per second, and the time from starting
`vkae train FOLDER --steps 1` to its first finished step, cold (decode cache emptied), warm (read from the
cache) and with the cache off (VKAE_NO_DECODE_CACHE=1: decoded, not stored).

Usage: /usr/bin/python3 bench/decode_bench.py [path/to/vkae] [--images 20000] [--size 32] [--warm 3]
                                              [--work /tmp/vkae-decode-bench] [--json]
Needs numpy and PIL (Debian's python3-numpy, python3-pil).

The images are made once under --work: RGB, sizes drawn from 64x64 to 200x150, smooth gradients plus noise
(so the files compress like photos, not like flat colour), half JPEG (quality 90) and half PNG, in 10 class
folders. They were just written, so they are read from the page cache: the figures are decoding, not disk.

Method. vkae's stdout is read line by line and each line stamped with the time since the process started:
- the folder note carries decode_images' own wall time and rate ("decoded in 3.10 s (6450 images/s)") or the
  cache read's ("from the decode cache in 0.04 s"); it is printed when both splits are in memory;
- "first step" is the stamp of the first progress line ("epoch 1/... step 1/..."), printed when the first
  submitted step has finished on the device: process start, scan, decode or cache read, device and
  pipelines, upload, one step;
- "wall" is the whole run (it also validates on --val-limit images and writes the run folder).
XDG_CACHE_HOME points into --work for every run, so the decode cache lives there and Mesa's shader cache
too; one run before the measured ones fills the shader cache, so no measured run compiles pipelines.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image


def make_one(args):
    path, seed = args
    rng = np.random.default_rng(seed)
    w, h = int(rng.integers(64, 201)), int(rng.integers(64, 151))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(0, 255, 3) + rng.uniform(-1, 1, 3) * x[..., None] + rng.uniform(-1, 1, 3) * y[..., None]
    pixels = np.clip(base + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    if path.endswith(".jpg"):
        image.save(path, quality=90)
    else:
        image.save(path)


def make_images(folder, count):
    marker = os.path.join(folder, ".made")
    if os.path.exists(marker) and open(marker).read() == str(count):
        return
    shutil.rmtree(folder, ignore_errors=True)
    jobs = []
    for i in range(count):
        cls = os.path.join(folder, f"class{i % 10}")
        os.makedirs(cls, exist_ok=True)
        jobs.append((os.path.join(cls, f"{i:06d}.{'jpg' if i % 2 else 'png'}"), i))
    start = time.time()
    with Pool(os.cpu_count()) as pool:
        pool.map(make_one, jobs, chunksize=64)
    open(marker, "w").write(str(count))
    print(f"made {count} images in {time.time() - start:.0f} s under {folder}", file=sys.stderr)


NOTE = re.compile(r"images \(.*?, (?:decoded in (?P<dec>[\d.]+) s \((?P<rate>\d+) images/s\)"
                  r"|from the decode cache in (?P<hit>[\d.]+) s)")


def run(vkae, folder, out, args, env):
    """One `vkae train --steps 1`: the note's figures and the stamps of its lines."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [vkae, "train", folder, "--size", str(args.size), "--steps", "1", "--batch", "32",
           "--val-limit", "256", "--out", out]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    result = {"first_step_s": None}
    for line in proc.stdout:
        now = time.monotonic() - start
        m = NOTE.search(line)
        if m:
            result["note_s"] = now
            if m.group("hit"):
                result["cache_read_s"] = float(m.group("hit"))
            else:
                result["decode_s"], result["decode_rate"] = float(m.group("dec")), int(m.group("rate"))
        if result["first_step_s"] is None and re.match(r"epoch 1/\d+\s+step 1/", line):
            result["first_step_s"] = now
    err = proc.stderr.read()
    if proc.wait() != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    result["wall_s"] = time.monotonic() - start
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("vkae", nargs="?", default="build/release/vkae")
    p.add_argument("--images", type=int, default=20000)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--warm", type=int, default=3, help="warm runs (and cold and cache-off runs) to make")
    p.add_argument("--work", default="/tmp/vkae-decode-bench")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    vkae = os.path.abspath(args.vkae)
    folder = os.path.join(args.work, f"images{args.images}")
    make_images(folder, args.images)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(args.work, "xdg"))
    env.pop("VKAE_NO_DECODE_CACHE", None)
    decoded = os.path.join(args.work, "xdg", "vkae", "decoded")
    out = os.path.join(args.work, "run")

    load_before = os.getloadavg()[0]
    run(vkae, folder, out, args, env)  # fills Mesa's shader cache (and the decode cache)
    rows = []
    for i in range(args.warm):  # interleaved, so a drift in the machine's speed touches all three alike
        shutil.rmtree(decoded, ignore_errors=True)
        rows.append(("cold", run(vkae, folder, out, args, env)))
        rows.append(("warm", run(vkae, folder, out, args, env)))
        rows.append(("off", run(vkae, folder, out, args, dict(env, VKAE_NO_DECODE_CACHE="1"))))
    load = (load_before, os.getloadavg()[0])  # other work on the machine slows every figure
    cache_bytes = sum(os.path.getsize(os.path.join(decoded, f)) for f in os.listdir(decoded))
    if args.json:
        print(json.dumps({"images": args.images, "size": args.size, "cache_bytes": cache_bytes,
                          "cpus": os.cpu_count(), "load_average": load, "runs": [dict(r, mode=m) for m, r in rows]}, indent=1))
        return
    print(f"{args.images} images -> {args.size}x{args.size}x3, {os.cpu_count()} CPUs, "
          f"cache file {cache_bytes / 2**20:.1f} MiB, load average {load[0]:.1f} before, {load[1]:.1f} after")
    print("| run | decode s | images/s | cache read s | note at s | first step at s | wall s |")
    print("|---|---|---|---|---|---|---|")
    for mode, r in rows:
        cell = lambda k, f="{:.2f}": f.format(r[k]) if r.get(k) is not None else "—"
        print(f"| {mode} | {cell('decode_s')} | {cell('decode_rate', '{}')} | {cell('cache_read_s')} | "
              f"{cell('note_s')} | {cell('first_step_s')} | {cell('wall_s')} |")


if __name__ == "__main__":
    main()
