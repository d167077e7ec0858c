#!/usr/bin/python3
"""vkae against PyTorch at its best on the same machine, in the same run: training images/s (median step
after warm-up) and inference images/s of the denoising autoencoder `dae`, and the ratio vkae/PyTorch.

Usage: /usr/bin/python3 bench/compare_torch.py [path/to/vkae] [--batch 128] [--warmup 10] [--steps 30]
           [--threads 2] [--infer-images 10000] [--device cpu|cuda] [--rounds R] [--skip-vkae] [--json]
Needs Debian's python3-torch (`bash scripts/setup.sh --bench`); CUDA PyTorch on a GPU machine.

The peer (bench/torch_peer.py) is the same model, batch, loss and optimizer in PyTorch, run every way a user
could pick: eager NCHW, eager channels_last, and on CUDA the step captured in a CUDA graph; each is reported,
and the fastest is the one the ratio is taken against (training and inference apart). Inference is the
`vkae eval` work: noise, forward, BCE, over --infer-images images in batches of --batch.

--rounds R alternates the two sides R times and reports each round and the medians (of every figure, and of
the per-round ratios): on a shared machine whose speed drifts between minutes, the ratio of two runs made
in the same minute is what holds, and its median over rounds is the figure to quote. `vkae bench --compare`
runs this script with --skip-vkae --json for its one round.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

import torch_peer  # noqa: E402


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


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("vkae", nargs="?", default="build/release/vkae")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=torch_peer.MIN_STEPS,
                   help=f"timed training steps, each side (default and least {torch_peer.MIN_STEPS})")
    p.add_argument("--warmup", type=int, default=torch_peer.MIN_WARMUP,
                   help=f"untimed steps first, each side and variant (default and least {torch_peer.MIN_WARMUP})")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2: the same cores)")
    p.add_argument("--infer-images", type=int, default=10000, help="PyTorch inference images (default 10000)")
    p.add_argument("--vkae-infer-images", type=int, default=2048,
                   help="vkae bench --infer-images (default 2048; `vkae eval` does 10000 the same way)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--skip-vkae", action="store_true", help="PyTorch only")
    p.add_argument("--rounds", type=int, default=1, help="alternate vkae and PyTorch this many times (medians)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if args.rounds < 1:
        p.error("--rounds must be >= 1")
    if args.warmup < torch_peer.MIN_WARMUP or args.steps < torch_peer.MIN_STEPS:
        p.error(f"--warmup {args.warmup} --steps {args.steps}: the peer at its best needs at least "
                f"{torch_peer.MIN_WARMUP} warm-up and {torch_peer.MIN_STEPS} timed steps")
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: this PyTorch sees no CUDA device")
    return args


KEYS = ["train_images_per_s", "train_ms_per_step", "infer_images_per_s"]


def median_of(rounds, side):
    if rounds[0][side] is None:
        return None
    m = dict(rounds[0][side])
    for k in KEYS:
        m[k] = statistics.median(r[side][k] for r in rounds)
    return m


def print_report(report, rounds, args):
    vk, pt, load = report["vkae"], report["pytorch"], report["load_avg_1_5_15"]
    print(f"{report['date']}  {report['machine']}  load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"PyTorch {pt['torch']} on {pt['device']}; vkae on {vk['device'] if vk else '-'}; dae, batch {args.batch}; "
          f"{args.warmup} warm-up and {args.steps} timed steps each")
    print("PyTorch, every variant (round 1):")
    for name, t in rounds[0]["pytorch"]["train"].items():
        print(f"  training {name:26s} {t['images_per_s']:9.1f} img/s  {t['ms_per_step']:7.2f} ms/step")
    for name, v in rounds[0]["pytorch"]["infer"].items():
        print(f"  inference {name:25s} {v:9.1f} img/s")
    if args.rounds > 1 and vk:
        print(f"{'round':>5s} {'train vkae':>11s} {'PyTorch':>9s} {'ratio':>7s} {'infer vkae':>11s} {'PyTorch':>9s} "
              f"{'ratio':>7s} {'load':>5s}  peer")
        for i, r in enumerate(rounds, 1):
            print(f"{i:5d} {r['vkae']['train_images_per_s']:11.1f} {r['pytorch']['train_images_per_s']:9.1f} "
                  f"{r['ratio_train']:6.3f}x {r['vkae']['infer_images_per_s']:11.1f} "
                  f"{r['pytorch']['infer_images_per_s']:9.1f} {r['ratio_infer']:6.3f}x {r['load_avg_1']:5.2f}  "
                  f"{r['pytorch']['train_best']}/{r['pytorch']['infer_best']}")
        print(f"medians over {args.rounds} rounds (the ratio rows: median of the per-round ratios):")
    print(f"{'figure':34s} {'vkae':>12s} {'PyTorch best':>13s} {'vkae/PyTorch':>13s}")
    rows = [("training images/s", "train_images_per_s", "ratio_train"),
            ("training ms/step (median)", "train_ms_per_step", None),
            ("inference images/s", "infer_images_per_s", "ratio_infer")]
    for name, key, ratio_key in rows:
        v = vk[key] if vk else float("nan")
        r = report[ratio_key] if vk and ratio_key else (v / pt[key] if vk else float("nan"))
        print(f"{name:34s} {v:12.1f} {pt[key]:13.1f} {r:>12.3f}x")
    if vk:
        print(f"(vkae inference over {vk['infer_images']} images, PyTorch over {pt['infer_images']})")


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    rounds = []
    for _ in range(args.rounds):
        vk, cmd = (None, None) if args.skip_vkae else vkae_bench(args)
        pt = torch_peer.peer(args)
        rounds.append({"vkae": vk, "pytorch": pt, "load_avg_1": round(os.getloadavg()[0], 2)})
    vk, pt = median_of(rounds, "vkae"), median_of(rounds, "pytorch")
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.node()} {os.cpu_count()} cores",
              "load_avg_1_5_15": [round(x, 2) for x in os.getloadavg()], "batch": args.batch,
              "rounds": args.rounds, "pytorch": pt, "vkae_command": cmd, "vkae": vk}
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
    else:
        print_report(report, rounds, args)


if __name__ == "__main__":
    sys.exit(main())
