"""Training throughput of `vaelib.fit` against the classic PyTorch-example data pipeline.

Trains the same 784-400-20 VAE (same initial weights, Adam with lr 1e-3, batch size 128, seed)
twice in one run: once with `vaelib.fit`, which draws batches from one in-memory tensor, and once
with a reference loop written the way the PyTorch VAE example does it: a `DataLoader` over
`torchvision.datasets.MNIST` with the `ToTensor` transform, which builds every image from a PIL
image, one at a time. Both are timed on training alone, then scored with the same
`vaelib.evaluate` on the test set (the negative ELBO, nats per image).

    VAELIB_DATA=../shared/data python benchmarks/train_speed.py --epochs 10

The last line reads `speedup=<ratio> vaelib_test_loss=<a> reference_test_loss=<b>`.
"""

from __future__ import annotations

import argparse
import copy
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

import vaelib


def train_with_vaelib(model: vaelib.VAE, train: vaelib.ImageData, epochs: int, seed: int) -> float:
    start = time.perf_counter()
    vaelib.fit(
        model,
        train,
        epochs=epochs,
        batch_size=128,
        lr=1e-3,
        seed=seed,
        device="cpu",
        progress=False,
    )
    return time.perf_counter() - start


def train_like_the_pytorch_example(model: vaelib.VAE, root: str, epochs: int, seed: int) -> float:
    dataset = datasets.MNIST(root, train=True, download=False, transform=transforms.ToTensor())
    torch.manual_seed(seed)
    loader = DataLoader(dataset, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for x, _ in loader:
            logits, mu, logvar = model(x)
            # the example's loss: summed over pixels, latent dimensions and the batch
            bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum")
            kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            loss = (bce + kld) / len(x)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    root = str(vaelib.default_data_dir())
    train, test = vaelib.load_mnist("train"), vaelib.load_mnist("test")
    vaelib.seed_everything(args.seed)
    ours = vaelib.VAE()
    reference = copy.deepcopy(ours)  # the same initial weights

    seconds = {
        "vaelib": train_with_vaelib(ours, train, args.epochs, args.seed),
        "reference": train_like_the_pytorch_example(reference, root, args.epochs, args.seed),
    }
    images = args.epochs * len(train)
    loss = {
        "vaelib": vaelib.evaluate(ours, test)["loss"],
        "reference": vaelib.evaluate(reference, test)["loss"],
    }
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.epochs} epochs "
        f"of {len(train)} images, batch size 128"
    )
    for name in seconds:
        print(
            f"{name:>9}: {images / seconds[name]:8.0f} images/s, "
            f"test loss {loss[name]:.2f} nats per image"
        )
    speedup = seconds["reference"] / seconds["vaelib"]
    print(
        f"speedup={speedup:.2f} vaelib_test_loss={loss['vaelib']:.2f} "
        f"reference_test_loss={loss['reference']:.2f}"
    )


if __name__ == "__main__":
    main()
