"""vkae's built-in `dae` and `sr` (nn/model/builtin_models.cpp) for C-channel images in PyTorch, with vkae's
initialisation, so bench/photos/ can train and run the same models on both sides.

- Conv2d 3x3 padding=1 is Keras 'same' at stride 1. MaxPool2d(2) and Upsample(nearest, x2) as vkae.
- The sr model's ConvTranspose2d(k 3, stride 2, Keras 'same') is NOT torch's padding=1, output_padding=1:
  TF 'same' puts the odd padding at the end, so it equals torch's padding=0 output cropped to its first
  2H x 2W (derivation in nn/ops/conv_transpose2d.hpp); padding=1/output_padding=1 is the same map shifted
  by one pixel.
- Weights Glorot-uniform (Keras; vkae's limit sqrt(6 / (fan_in + fan_out)) with the kernel area in both
  fans, which is torch's xavier_uniform_ for conv and transposed conv alike), biases zero.
- The models return logits: the sigmoid is inside BCEWithLogitsLoss for training (vkae's BCE also takes the
  logit), `predict` applies it. Parameter names are vkae's checkpoint names (encoder.0.weight, ...), so
  load_vkae_checkpoint can put a vkae checkpoint into the twin.
"""
import json
import struct

import numpy as np
import torch
import torch.nn as nn


def glorot(layer):
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def conv(cin, cout):
    return glorot(nn.Conv2d(cin, cout, 3, padding=1))


class SameConvTranspose2x(nn.Module):
    """Keras Conv2DTranspose(kernel 3, stride 2, padding 'same'): output exactly 2H x 2W."""

    def __init__(self, cin, cout):
        super().__init__()
        self.inner = glorot(nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=0))

    def forward(self, x):
        h, w = x.shape[-2:]
        return self.inner(x)[..., :2 * h, :2 * w]


class Twin(nn.Module):
    """encoder and decoder as vkae numbers them; the decoder's last layer gives logits."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = nn.Sequential(*encoder)
        self.decoder = nn.Sequential(*decoder)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def predict(self, x):
        return torch.sigmoid(self.forward(x))


def make_dae(c):
    return Twin([conv(c, 32), nn.ReLU(), nn.MaxPool2d(2), conv(32, 32), nn.ReLU(), nn.MaxPool2d(2)],
                [conv(32, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
                 conv(32, 32), nn.ReLU(), nn.Upsample(scale_factor=2, mode="nearest"),
                 conv(32, c)])


def make_sr(c):
    return Twin([conv(c, 32), nn.ReLU(), conv(32, 32), nn.ReLU()],
                [SameConvTranspose2x(32, 16), nn.ReLU(), conv(16, c)])


MODELS = {"dae": make_dae, "sr": make_sr}


def read_safetensors(path):
    """{name: float32 numpy array} of a .safetensors file (F32 tensors only, which is what vkae writes)."""
    with open(path, "rb") as f:
        data = f.read()
    size, = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"])
    return tensors


def twin_state_name(vkae_name, model):
    """vkae's 'decoder.0.weight' is the twin's 'decoder.0.inner.weight' where the layer is wrapped; vkae
    counts layers without the activations, the twin's Sequential has them as modules."""
    part, index, leaf = vkae_name.split(".")
    layers = [m for m in getattr(model, part) if not isinstance(m, nn.ReLU)]
    module = layers[int(index)]
    position = list(getattr(model, part)).index(module)
    inner = ".inner" if isinstance(module, SameConvTranspose2x) else ""
    return f"{part}.{position}{inner}.{leaf}"


def load_vkae_checkpoint(model, path):
    """Copies a vkae checkpoint's parameters into the twin (shapes must agree); returns the names copied."""
    state = model.state_dict()
    copied = []
    for name, value in read_safetensors(path).items():
        if not (name.startswith("encoder.") or name.startswith("decoder.")):
            continue
        target = twin_state_name(name, model)
        if tuple(state[target].shape) != value.shape:
            raise ValueError(f"{path}: {name} is {value.shape}, the twin's {target} is {tuple(state[target].shape)}")
        state[target] = torch.from_numpy(value.copy())
        copied.append(name)
    model.load_state_dict(state)
    return copied
