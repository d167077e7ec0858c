#!/usr/bin/python3
"""The Keras denoising-autoencoder tutorial, with vkae in place of Keras.

The tutorial's steps: MNIST scaled to [0, 1]; Gaussian noise of factor 0.5, clipped to [0, 1]; the
convolutional denoising model (vkae's built-in "dae" is the tutorial's model); batch 128 with the test images
as validation data; then the loss curves and the test digits before and after, drawn with matplotlib.

One difference from Keras: vkae trains a denoising model with its own noise (noise=0.5), drawn afresh on the
device for every step from the seed, instead of one fixed noisy copy of x_train made up front, and validates
on noisy copies of x_test it makes from the same seed. So `fit(x_train, noise=0.5, ...)` here is the CLI's
`vkae train mnist --noise 0.5` (same seed, same losses), and the pictures below add noise in numpy as the
tutorial does.

    /usr/bin/python3 examples/python/denoising_autoencoder.py --epochs 1 --out tutorial
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files, no display needed
import matplotlib.pyplot as plt
import numpy as np

import vkae


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=1, help="epochs to train (the tutorial: 100; 1 is the CLI check)")
    p.add_argument("--limit", type=int, default=0, help="train on the first N training images only (0: all)")
    p.add_argument("--val-limit", type=int, default=0, help="validate on the first N test images only (0: all)")
    p.add_argument("--noise", type=float, default=0.5, help="the noise factor")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None, help="the folder holding MNIST's IDX files (default: vkae's cache)")
    p.add_argument("--out", default="denoising_autoencoder", help="folder for loss.png, digits.png, model")
    p.add_argument("--verbose", type=int, default=1, help="0 silent, 1 a bar per epoch, 2 a line per epoch")
    return p.parse_args()


def load_mnist(args):
    (x_train, _), (x_test, _) = vkae.load_data("mnist", data=args.data)
    x_train = x_train.astype("float32") / 255.0  # in [0, 1]
    x_test = x_test.astype("float32") / 255.0
    x_train = np.reshape(x_train, (len(x_train), 28, 28, 1))  # N x H x W x C, as the tutorial (N x H x W works)
    x_test = np.reshape(x_test, (len(x_test), 28, 28, 1))
    if args.limit:
        x_train = x_train[: args.limit]
    if args.val_limit:
        x_test = x_test[: args.val_limit]
    return x_train, x_test


def noisy(x, factor, seed):
    rng = np.random.default_rng(seed)
    return np.clip(x + factor * rng.normal(0.0, 1.0, x.shape), 0.0, 1.0).astype("float32")


def plot_losses(history, path):
    plt.figure(figsize=(5, 3.5))
    epochs = np.arange(1, len(history["loss"]) + 1)
    plt.plot(epochs, history["loss"], "o-", label="loss")
    plt.plot(epochs, history["val_loss"], "o-", label="val_loss")
    plt.xticks(epochs)
    plt.xlabel("epoch")
    plt.ylabel("binary cross-entropy")
    plt.legend()
    plt.tight_layout()
    plt.savefig(path)
    plt.close()


def plot_digits(noisy_test, denoised, path, n=10):
    plt.figure(figsize=(2 * n / 2, 2.2))
    for i in range(n):
        for row, images in enumerate((noisy_test, denoised)):
            ax = plt.subplot(2, n, row * n + i + 1)
            ax.imshow(images[i].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
            ax.axis("off")
    plt.tight_layout()
    plt.savefig(path)
    plt.close()


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    x_train, x_test = load_mnist(args)

    autoencoder = vkae.Model("dae")
    history = autoencoder.fit(x_train, x_train, epochs=args.epochs, batch_size=128, shuffle=True,
                              noise=args.noise, seed=args.seed, validation_data=(x_test, x_test),
                              verbose=args.verbose)
    print(autoencoder.summary())
    test_loss = autoencoder.evaluate(x_test, seed=args.seed)
    print(f"test loss {test_loss:.4f} (val_loss per epoch: "
          + ", ".join(f"{v:.4f}" for v in history.history["val_loss"]) + ")")

    x_test_noisy = noisy(x_test[:10], args.noise, args.seed)
    denoised = autoencoder.predict(x_test_noisy)
    plot_losses(history.history, os.path.join(args.out, "loss.png"))
    plot_digits(x_test_noisy, denoised, os.path.join(args.out, "digits.png"))
    autoencoder.save(os.path.join(args.out, "model.safetensors"))
    print(f"wrote {args.out}/loss.png, {args.out}/digits.png and {args.out}/model.safetensors")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ValueError, RuntimeError) as e:  # vkae's one-line messages
        print(f"denoising_autoencoder: {e}", file=sys.stderr)
        sys.exit(1)
