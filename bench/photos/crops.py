#!/usr/bin/python3
"""The side-by-side picture of docs/RESULTS.md from a finished bench/photos/run.sh folder: one crop of a
held-out photo at its own pixels, top row clean | noisy | vkae dae | PyTorch dae, bottom row
clean | bicubic | vkae sr | PyTorch sr.

  /usr/bin/python3 bench/photos/crops.py RUN_FOLDER OUT.png [--photo LadyBird] [--box X Y SIZE]
"""
import argparse
import os

from PIL import Image


def crop(path, box):
    return Image.open(path).convert("RGB").crop(box)


def panels(run, photo, box):
    name = photo + ".png"
    held = os.path.join(run, "data", "heldout")
    clean = os.path.join(held, "clean", name)
    small = Image.open(os.path.join(held, "small", name)).convert("RGB")
    size = Image.open(clean).size
    bicubic = small.resize(size, Image.Resampling.BICUBIC).crop(box)
    out = os.path.join(run, "outputs")
    return [[crop(clean, box), crop(os.path.join(held, "noisy", name), box),
             crop(os.path.join(out, "dae-" + name), box), crop(os.path.join(out, "torch-dae-" + name), box)],
            [crop(clean, box), bicubic, crop(os.path.join(out, "sr-" + name), box),
             crop(os.path.join(out, "torch-sr-" + name), box)]]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("run")
    p.add_argument("out")
    p.add_argument("--photo", default="LadyBird")
    p.add_argument("--box", type=int, nargs=3, default=[150, 60, 128], metavar=("X", "Y", "SIZE"))
    a = p.parse_args()
    x, y, s = a.box
    rows = panels(a.run, a.photo, (x, y, x + s, y + s))
    sheet = Image.new("RGB", (4 * s + 3 * 2, 2 * s + 2), "white")
    for r, row in enumerate(rows):
        for c, im in enumerate(row):
            sheet.paste(im, (c * (s + 2), r * (s + 2)))
    sheet.save(a.out, optimize=True)


if __name__ == "__main__":
    main()
