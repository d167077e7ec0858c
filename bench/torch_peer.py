"""PyTorch at its best on the denoising autoencoder `dae` (nn/model/spec.cpp): the peer compare_torch.py and
`vkae bench --compare` measure vkae against.

The same model, batch, loss and optimizer as vkae: Conv2d 3x3 padding=1 (Keras 'same' for stride 1) + ReLU,
MaxPool2d(2) (exact on 28 and 14), Upsample(nearest, x2), BCEWithLogits (mean), Adam(lr 1e-3, eps 1e-7),
glorot-uniform weights and zero biases; the noisy input clip(x + 0.5 N(0,1), 0, 1) made each step, as vkae
does on the device. Inputs are synthetic uint8 images like `vkae bench` uses (speed does not depend on pixel
values).

Every variant a user could pick is run and reported, and the fastest is the peer: eager NCHW and eager
channels_last for training and for inference (the `vkae eval` work: noise, forward, BCE, no autograd, in
inference_mode), and on CUDA the training step captured whole in a CUDA graph (torch.cuda.graph, Adam with
capturable=True) in both memory formats. Each training variant takes its own warm-up steps (>= 10) before
its timed steps (>= 30, the median is reported); each inference variant a warm-up pass over 2 batches.
"""
import statistics
import time

import torch
import torch.nn as nn

MIN_WARMUP = 10
MIN_STEPS = 30
FORMATS = {"nchw": torch.contiguous_format, "channels_last": torch.channels_last}


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


def setup(device, memory_format, capturable=False):
    torch.manual_seed(0)
    model = make_dae().to(device).to(memory_format=memory_format)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7, capturable=capturable)
    return model, opt, nn.BCEWithLogitsLoss()


def noisy_of(clean):
    return (clean + 0.5 * torch.randn_like(clean)).clamp_(0.0, 1.0)


def timed(device, steps, warmup, run_step):
    """run_step(i) for warmup + steps steps; the timed steps' seconds (each synchronised)."""
    times = []
    for i in range(warmup + steps):
        sync(device)
        t = time.perf_counter()
        run_step(i)
        sync(device)
        if i >= warmup:
            times.append(time.perf_counter() - t)
    return times


def train_eager(args, device, memory_format, images):
    model, opt, loss_fn = setup(device, memory_format)

    def step(i):
        clean = (images[i * args.batch:(i + 1) * args.batch].float() / 255.0).contiguous(
            memory_format=memory_format)
        opt.zero_grad(set_to_none=True)
        loss_fn(model(noisy_of(clean)), clean).backward()
        opt.step()

    return timed(device, args.steps, args.warmup, step)


def train_graph(args, device, memory_format, images):
    """The whole step (noise, forward, loss, backward, Adam) replayed from one CUDA graph; only the copy of
    the step's batch into the graph's input runs outside it."""
    model, opt, loss_fn = setup(device, memory_format, capturable=True)
    clean = torch.empty((args.batch, 1, 28, 28), device=device).contiguous(memory_format=memory_format)

    def body():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(noisy_of(clean)), clean).backward()
        opt.step()

    clean.copy_(images[:args.batch].float() / 255.0)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # PyTorch's recipe: a few eager steps on a side stream before capture
        for _ in range(3):
            body()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        body()

    def step(i):
        clean.copy_(images[i * args.batch:(i + 1) * args.batch].float() / 255.0)
        graph.replay()

    return timed(device, args.steps, args.warmup, step)


def infer(args, device, memory_format):
    model, _, loss_fn = setup(device, memory_format)
    model.eval()
    test = torch.randint(0, 256, (args.infer_images, 1, 28, 28), dtype=torch.uint8, device=device)

    def batch(b):
        clean = (test[b:b + args.batch].float() / 255.0).contiguous(memory_format=memory_format)
        return loss_fn(model(noisy_of(clean)), clean)

    with torch.inference_mode():
        for b in range(0, min(2 * args.batch, args.infer_images), args.batch):  # warm-up
            batch(b)
        sync(device)
        t = time.perf_counter()
        total = torch.zeros((), device=device)
        for b in range(0, args.infer_images, args.batch):
            total += batch(b)
        float(total)
        sync(device)
        return args.infer_images / (time.perf_counter() - t)


def peer(args):
    """Every variant's figures and the fastest of each kind: {"train": {name: {...}}, "infer": {name: img/s},
    "train_images_per_s", "train_ms_per_step", "train_best", "infer_images_per_s", "infer_best", ...}."""
    device = torch.device(args.device)
    images = torch.randint(0, 256, (args.batch * (args.warmup + args.steps), 1, 28, 28), dtype=torch.uint8,
                           device=device)
    train = {}
    for name, fmt in FORMATS.items():
        train[name] = train_eager(args, device, fmt, images)
        if device.type == "cuda":
            train[name + "+cuda_graph"] = train_graph(args, device, fmt, images)
    train = {name: {"ms_per_step": statistics.median(t) * 1e3, "ms_min": min(t) * 1e3, "ms_max": max(t) * 1e3,
                    "images_per_s": args.batch / statistics.median(t)} for name, t in train.items()}
    inference = {name: infer(args, device, fmt) for name, fmt in FORMATS.items()}
    best_train = max(train, key=lambda n: train[n]["images_per_s"])
    best_infer = max(inference, key=inference.get)
    return {"train": train, "infer": inference,
            "train_best": best_train, "train_images_per_s": train[best_train]["images_per_s"],
            "train_ms_per_step": train[best_train]["ms_per_step"],
            "infer_best": best_infer, "infer_images_per_s": inference[best_infer],
            "infer_images": args.infer_images, "warmup": args.warmup, "steps": args.steps,
            "device": torch.cuda.get_device_name() if device.type == "cuda"
            else f"CPU, {torch.get_num_threads()} threads",
            "torch": torch.__version__}
