"""Training throughput of `vaelib.fit` against the classic PyTorch-example data pipeline, and
against a bare loop that shows what eager PyTorch allows.

Trains the same 784-400-20 VAE (same initial weights, Adam with lr 1e-3, batch size 128, seed)
three times in one run:

- `vaelib`: `vaelib.fit`, which draws batches from one in-memory tensor;
- `bare`: the least a training loop can do: the same in-memory batches and fused Adam, the loss
  written inline (the PyTorch example's), no input checks, no NaN check, no history;
- `reference`: a loop written the way the PyTorch VAE example does it, with its default
  (unfused) Adam and a `DataLoader` over `torchvision.datasets.MNIST` with the `ToTensor`
  transform, which builds every image from a PIL image, one at a time.

Each is timed on training alone, then scored with the same `vaelib.evaluate` on the test set
(the negative ELBO, nats per image). `speedup` is reference time / vaelib time; `overhead` is
vaelib time / bare time, how far `fit` is from the limit of eager PyTorch (1.00 = none).

    VAELIB_DATA=../shared/data python benchmarks/train_speed.py --epochs 10 [--repeats 3]

It runs on the CPU and, when there is one, on the GPU too; for each device the last line reads
`<device>: speedup=<ratio> overhead=<ratio> vaelib_test_loss=<a> reference_test_loss=<b>`.
"""

from __future__ import annotations

import argparse
import copy
import math
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

import vaelib


def _elapsed(start: float, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)  # the GPU's queued work is part of the time
    return time.perf_counter() - start


def _example_loss(model: vaelib.VAE, x: torch.Tensor) -> torch.Tensor:
    """The PyTorch example's loss, per image: summed over pixels and latent dimensions."""
    logits, mu, logvar = model(x)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return (bce + kld) / len(x)


def train_with_vaelib(
    model: vaelib.VAE, train: vaelib.ImageData, epochs: int, seed: int, device: torch.device
) -> float:
    start = time.perf_counter()
    vaelib.fit(
        model,
        train,
        epochs=epochs,
        batch_size=128,
        lr=1e-3,
        seed=seed,
        device=device,
        progress=False,
    )
    return _elapsed(start, device)


def train_bare(
    model: vaelib.VAE, train: vaelib.ImageData, epochs: int, seed: int, device: torch.device
) -> float:
    """Batches drawn as `fit` draws them (shuffled indices into one in-memory tensor), and the
    least a training step needs: no input checks, no divergence guard, no history."""
    model.to(device)
    images = train.images.to(device)
    torch.manual_seed(seed)
    shuffle = torch.Generator().manual_seed(seed)
    # fused, as in `fit`: the bare loop is the limit of eager PyTorch, so it gets the fastest Adam
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=device.type in ("cpu", "cuda"))
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for index in torch.randperm(len(images), generator=shuffle).split(128):
            loss = _example_loss(model, images[index.to(device)])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return _elapsed(start, device)


def train_like_the_pytorch_example(
    model: vaelib.VAE, root: str, epochs: int, seed: int, device: torch.device
) -> float:
    model.to(device)
    dataset = datasets.MNIST(root, train=True, download=False, transform=transforms.ToTensor())
    torch.manual_seed(seed)
    loader = DataLoader(dataset, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for x, _ in loader:
            loss = _example_loss(model, x.to(device))  # summed over the batch, then / len(x)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return _elapsed(start, device)


def benchmark(
    device: torch.device,
    train: vaelib.ImageData,
    test: vaelib.ImageData,
    epochs: int,
    seed: int,
    repeats: int = 1,
) -> None:
    """Train the three loops on `device` from the same initial weights and print the results.

    With `repeats` > 1 each loop is timed that many times, the loops taking turns, and the
    fastest time of each counts: other processes on the machine can only slow a run down.
    """
    root = str(vaelib.default_data_dir())
    vaelib.seed_everything(seed)
    initial = vaelib.VAE()
    loops = {  # name: (training function, its data)
        "vaelib": (train_with_vaelib, train),
        "bare": (train_bare, train),
        "reference": (train_like_the_pytorch_example, root),
    }
    seconds = {name: math.inf for name in loops}
    models = {}
    for _ in range(repeats):
        # `fit` goes first, so any warm-up of the process counts against it, not for it.
        for name, (train_loop, data) in loops.items():
            models[name] = copy.deepcopy(initial)  # the same initial weights
            elapsed = train_loop(models[name], data, epochs, seed, device)
            seconds[name] = min(seconds[name], elapsed)
    images = epochs * len(train)
    threads = f"{torch.get_num_threads()} threads" if device.type == "cpu" else str(device)
    print(
        f"{device.type}: torch {torch.__version__}, {threads}, {epochs} epochs "
        f"of {len(train)} images, batch size 128, best of {repeats}"
    )
    loss = {}
    for name, model in models.items():
        loss[name] = vaelib.evaluate(model, test)["loss"]
        print(
            f"{name:>9}: {images / seconds[name]:8.0f} images/s, "
            f"test loss {loss[name]:.2f} nats per image"
        )
    print(
        f"{device.type}: speedup={seconds['reference'] / seconds['vaelib']:.2f} "
        f"overhead={seconds['vaelib'] / seconds['bare']:.2f} "
        f"vaelib_test_loss={loss['vaelib']:.2f} reference_test_loss={loss['reference']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="time each loop this many times")
    args = parser.parse_args()

    train, test = vaelib.load_mnist("train"), vaelib.load_mnist("test")
    devices = [torch.device("cpu")]
    if torch.cuda.is_available():
        devices.append(torch.device("cuda"))
    for device in devices:
        benchmark(device, train, test, args.epochs, args.seed, args.repeats)


if __name__ == "__main__":
    main()
