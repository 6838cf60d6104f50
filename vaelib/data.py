"""MNIST-style image data sets as in-memory tensors.

Everything downstream (training, metrics, plots) works on one `ImageData`: a float tensor of
images in [0, 1] shaped (n, 1, 28, 28) and a tensor of integer labels shaped (n,). Keeping the
whole data set in memory as one tensor is what makes training fast on a CPU: a batch is one
indexing operation, with no per-image PIL conversion.

Where the files live, in order of precedence:

1. the `root` argument;
2. the environment variable `VAELIB_DATA`;
3. a per-user cache folder, `$XDG_CACHE_HOME/vaelib` (default `~/.cache/vaelib`).

`root` is the folder that holds `MNIST/raw/` (torchvision's layout). Missing files are downloaded
by torchvision when `download=True` and the network allows.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import torch
import torchvision

DATA_ENV_VAR = "VAELIB_DATA"

# name -> (torchvision class that downloads it, its folder under root, class names)
_DATASETS = {
    "mnist": (torchvision.datasets.MNIST, "MNIST", [str(d) for d in range(10)]),
    "fashion-mnist": (
        torchvision.datasets.FashionMNIST,
        "FashionMNIST",
        [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ],
    ),
}
_FILE_PREFIX = {"train": "train", "test": "t10k"}

# Read-only copies that an operating-system package installs (Debian's dataset-fashion-mnist).
# They are used when the data folder has no copy of its own and nothing can be downloaded.
SYSTEM_COPIES = {"fashion-mnist": [Path("/usr/share/datasets/fashion-mnist")]}


class DataNotFoundError(FileNotFoundError):
    """The data set is not on disk and could not be downloaded."""


class CorruptDataError(ValueError):
    """A data file exists but is truncated or not in the IDX format."""


@dataclass
class ImageData:
    """An image data set held in memory.

    Attributes:
        images: (n, 1, 28, 28) float32, pixel intensities in [0, 1].
        labels: (n,) int64, class indices.
        classes: class names, indexed by label.
        name: e.g. "mnist/train".
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: list[str]
    name: str

    def __len__(self) -> int:
        return self.images.shape[0]

    def subset(self, n: int, seed: int | None = None) -> ImageData:
        """The first `n` examples, or `n` drawn without replacement when `seed` is given."""
        if not 0 < n <= len(self):
            raise ValueError(f"n must be between 1 and {len(self)}, got {n}")
        if seed is None:
            index = torch.arange(n)
        else:
            index = torch.randperm(len(self), generator=torch.Generator().manual_seed(seed))[:n]
        return ImageData(self.images[index], self.labels[index], self.classes, f"{self.name}[:{n}]")


def default_data_dir() -> Path:
    """The folder searched when no `root` is given: `$VAELIB_DATA`, else the user cache."""
    if os.environ.get(DATA_ENV_VAR):
        return Path(os.environ[DATA_ENV_VAR]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "vaelib"


def load_mnist(
    split: str = "train", root: str | Path | None = None, download: bool = True
) -> ImageData:
    """Load the MNIST `split` ("train" or "test") into memory; see `load_dataset`."""
    return load_dataset("mnist", split, root=root, download=download)


def load_fashion_mnist(
    split: str = "train", root: str | Path | None = None, download: bool = True
) -> ImageData:
    """Load the Fashion-MNIST `split` ("train" or "test") into memory; see `load_dataset`."""
    return load_dataset("fashion-mnist", split, root=root, download=download)


def load_dataset(
    name: str, split: str = "train", root: str | Path | None = None, download: bool = True
) -> ImageData:
    """Load an MNIST-format data set ("mnist" or "fashion-mnist") into memory.

    Args:
        name: "mnist" or "fashion-mnist".
        split: "train" or "test" (for MNIST: 60,000 and 10,000 images).
        root: folder holding `MNIST/raw/` (or `FashionMNIST/raw/`); default `default_data_dir()`.
        download: fetch missing files with torchvision.

    Returns:
        An `ImageData` with images (n, 1, 28, 28) in [0, 1] and labels (n,).

    Raises:
        DataNotFoundError: the files are missing and could not be downloaded.
        CorruptDataError: a file is truncated or is not an IDX file of the expected shape.
    """
    if name not in _DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(_DATASETS)}")
    if split not in _FILE_PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    dataset_cls, folder, classes = _DATASETS[name]
    root = Path(root).expanduser() if root is not None else default_data_dir()
    raw = root / folder / "raw"
    files = _split_files(raw, split)

    if not all(path.exists() for path in files):
        system_copy = _find_system_copy(name, split)
        if system_copy is not None:
            files = system_copy
        elif download:
            _download(dataset_cls, root, name, raw)
        else:
            raise DataNotFoundError(_missing_message(name, raw, "download=False was given"))

    images = _read_idx(files[0], image_shape=(28, 28))  # (n, 28, 28) uint8
    labels = _read_idx(files[1], image_shape=())  # (n,) uint8
    if len(labels) != len(images):
        raise CorruptDataError(
            f"{files[0]} holds {len(images)} images but {files[1]} holds {len(labels)} labels"
        )
    if labels.max() >= len(classes):
        raise CorruptDataError(
            f"{files[1]} holds labels up to {labels.max()}, expected < {len(classes)}"
        )
    return ImageData(
        images=images.unsqueeze(1).float().div_(255),  # (n, 1, 28, 28) in [0, 1]
        labels=labels.long(),
        classes=list(classes),
        name=f"{name}/{split}",
    )


def _split_files(raw: Path, split: str) -> tuple[Path, Path]:
    prefix = _FILE_PREFIX[split]
    return raw / f"{prefix}-images-idx3-ubyte", raw / f"{prefix}-labels-idx1-ubyte"


def _find_system_copy(name: str, split: str) -> tuple[Path, Path] | None:
    for folder in SYSTEM_COPIES.get(name, []):
        for candidate in (folder, folder / "raw"):
            files = _split_files(candidate, split)
            if all(path.exists() for path in files):
                return files
            gz = tuple(path.with_name(path.name + ".gz") for path in files)
            if all(path.exists() for path in gz):
                return gz
    return None


def _download(dataset_cls: type, root: Path, name: str, raw: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        dataset_cls(root=str(root), train=True, download=True)
    except Exception as error:  # torchvision raises RuntimeError, URLError or OSError offline
        raise DataNotFoundError(
            _missing_message(name, raw, f"the download failed: {error}")
        ) from None


def _missing_message(name: str, raw: Path, reason: str) -> str:
    return (
        f"{name} is not in {raw} and {reason}. "
        f"Either connect to the internet and call again with download=True, "
        f"or copy the four *-ubyte files into {raw}, "
        f"or set the environment variable {DATA_ENV_VAR} (or pass root=) to the folder that holds "
        f"an existing copy's {raw.parent.name}/ folder."
    )


def _read_idx(path: Path, image_shape: tuple[int, ...]) -> torch.Tensor:
    """Read an unsigned-byte IDX file (the MNIST format) shaped (n, *image_shape).

    The header (magic number, then one big-endian int32 per dimension) is checked against the
    file's length, so a truncated download fails here instead of yielding garbage.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:
        raise CorruptDataError(_corrupt(path, f"it cannot be read ({error})")) from None
    ndim = 1 + len(image_shape)
    if len(data) < 4 + 4 * ndim:
        raise CorruptDataError(_corrupt(path, f"it is only {len(data)} bytes long"))
    zero, dtype_code, file_ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08 or file_ndim != ndim:
        raise CorruptDataError(
            _corrupt(path, f"its header is not that of an unsigned-byte IDX file of {ndim} dims")
        )
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    if shape[1:] != image_shape:
        raise CorruptDataError(_corrupt(path, f"it holds items of shape {shape[1:]}"))
    body = len(data) - 4 - 4 * ndim
    if body != math.prod(shape):
        raise CorruptDataError(
            _corrupt(path, f"it holds {body} data bytes, its header promises {math.prod(shape)}")
        )
    if shape[0] == 0:
        raise CorruptDataError(_corrupt(path, "it holds no items"))
    return torch.frombuffer(bytearray(data), dtype=torch.uint8, offset=4 + 4 * ndim).view(*shape)


def _corrupt(path: Path, reason: str) -> str:
    return (
        f"{path} is corrupt or truncated: {reason}. Delete it and load again to download it anew."
    )


def pixel_interpolation(x_start: torch.Tensor, x_end: torch.Tensor, steps: int = 9) -> torch.Tensor:
    """Blend two sets of images pixel by pixel: (1 − t)·x_start + t·x_end for t evenly in [0, 1].

    The counterpart of `vaelib.models.latent_interpolation` that never leaves pixel space: the
    midpoint of two digits is a double exposure of both, each at half intensity.

    `x_start`, `x_end`: (n, 1, 28, 28) in [0, 1], paired row by row.
    Returns grey levels in [0, 1], (n, steps, 1, 28, 28).
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (the two ends), got {steps!r}")
    if x_start.shape != x_end.shape:
        raise ValueError(
            f"x_start and x_end must have the same shape, got {tuple(x_start.shape)} "
            f"and {tuple(x_end.shape)}"
        )
    t = torch.linspace(0, 1, steps).view(1, steps, *[1] * (x_start.dim() - 1))
    return (1 - t) * x_start.unsqueeze(1).float() + t * x_end.unsqueeze(1).float()
