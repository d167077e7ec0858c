#!/usr/bin/python3
"""Writes COUNT seeded RGB PNGs of SIZE x SIZE into FOLDER (train/ and val/ subfolders, 1 in 20 to val):
the synthetic folders bench/large_dataset/run.sh trains on. Smooth colour gradients plus noise, so PNG
compression and decoding do real work. Only numpy and zlib: no image library needed.

usage: make_folder.py FOLDER COUNT [SIZE]"""
import os
import struct
import sys
import zlib

import numpy as np


def png_bytes(rgb):
    """A minimal RGB PNG (8-bit, filter 0 on every row) of an [H, W, 3] uint8 array."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def image(rng, size):
    y, x = np.mgrid[0:size, 0:size] / size
    a = rng.uniform(0, 1, (3, 3))
    planes = [a[c, 0] * x + a[c, 1] * y + a[c, 2] * np.sin(6.28 * (x + y) * (c + 1)) for c in range(3)]
    rgb = np.stack(planes, axis=-1) * 160 + rng.normal(0, 12, (size, size, 3)) + 40
    return np.clip(rgb, 0, 255).astype(np.uint8)


def main():
    folder, count = sys.argv[1], int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    rng = np.random.default_rng(count)
    for split in ("train", "val"):
        os.makedirs(os.path.join(folder, split), exist_ok=True)
    for i in range(count):
        split = "val" if i % 20 == 0 else "train"
        with open(os.path.join(folder, split, f"{i:06d}.png"), "wb") as f:
            f.write(png_bytes(image(rng, size)))


if __name__ == "__main__":
    main()
