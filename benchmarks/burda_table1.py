"""Burda et al. (2016), Table 1, one stochastic layer: train the VAE (k = 1) and the IWAE (k = 5)
through their schedule and print the test NLL (−L_5000) after every stage, beside theirs.

    python benchmarks/burda_table1.py --stages 8          # their 3,280 epochs (hours, on a GPU)
    python benchmarks/burda_table1.py --stages 2 --eval-images 100   # a smoke run on a CPU

Stage i runs 3^i epochs at the learning rate 0.001 · 10^(−i/7) (`vaelib.train.burda`); the training
images are binarised afresh in every batch, the test images once (seed 0). The NLL is measured
on `--eval-images` test images drawn at random (seed 0), with its standard error, and the
active units on the same images. Runs on the GPU when there is one (`VAELIB_DEVICE` overrides).
"""

from __future__ import annotations

import argparse
import json
import time

import vaelib
from vaelib.data.binarize import binarized
from vaelib.train.burda import BURDA_TABLE1, burda_schedule, train_burda


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=int, default=8, help="stages of the schedule (8: all)")
    parser.add_argument("--batch-size", type=int, default=20, help="theirs: 20")
    parser.add_argument("--eval-images", type=int, default=1000, help="test images scored")
    parser.add_argument("--eval-k", type=int, default=5000, help="samples of L_k; theirs: 5000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the curves to this file")
    args = parser.parse_args()

    device = vaelib.pick_device()
    train = vaelib.load_mnist("train")
    evaluation = binarized(vaelib.load_mnist("test"), seed=0).subset(args.eval_images, seed=0)
    epochs = sum(e for e, _ in burda_schedule(args.stages))
    print(f"device {device}, {args.stages} stages = {epochs} epochs, batch {args.batch_size}")
    results = {}
    for name, spec in BURDA_TABLE1.items():
        start = time.perf_counter()
        model, curve = train_burda(
            train,
            evaluation,
            iwae_k=spec["k"],
            stages=args.stages,
            eval_k=args.eval_k,
            batch_size=args.batch_size,
            seed=args.seed,
            device=device,
        )
        units = vaelib.active_units(model, evaluation)
        seconds = time.perf_counter() - start
        for e, nll, se in zip(curve.epochs, curve.nll, curve.nll_se):
            print(f"{name:5s} epoch {e:5d}: NLL {nll:7.2f} ± {se:.2f} nats")
        print(
            f"{name:5s} (k = {spec['k']}): NLL {curve.nll[-1]:.2f} ± {curve.nll_se[-1]:.2f} nats, "
            f"{units} active units after {epochs} epochs ({seconds:.0f} s); Burda et al.: "
            f"{spec['nll']} nats, {spec['active_units']} active units after 3280 epochs"
        )
        results[name] = {**curve.__dict__, "active_units": units, "seconds": seconds}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "device": str(device), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
