"""MNIST-style image data sets as in-memory tensors.

Everything downstream (training, metrics, plots) works on one `ImageData`: a float tensor of
images in [0, 1] shaped (n, 1, 28, 28) and a tensor of integer labels shaped (n,). Keeping the
whole data set in memory as one tensor is what makes training fast on a CPU: a batch is one
indexing operation, with no per-image PIL conversion.

Where the files live, in order of precedence:

1. the `root` argument;
2. the environment variable `VAELIB_DATA`;
3. a per-user cache folder, `$XDG_CACHE_HOME/vaelib` (default `~/.cache/vaelib`).

`root` is the folder that holds `MNIST/raw/` (torchvision's layout), with the files plain or
gzipped (`*-ubyte.gz`). Missing files are downloaded by torchvision when `download=True` and the
network allows. Each way a file can be unusable has its own error: missing (`DataNotFoundError`),
not readable by this user (`DataPermissionError`), a folder where a file should be
(`IsADirectoryError`) or under a file where a folder should be (`NotADirectoryError`), and
truncated, not gzip or not IDX (`CorruptDataError`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

from vaelib._support.checks import (
    check_bool,
    check_images,
    check_int,
    check_same_shape,
    check_seed,
    check_tensor,
)
from vaelib._support.seeding import seeded_generator
from vaelib.data.files import (
    DATA_ENV_VAR,
    CorruptDataError,
    DataNotFoundError,
    DataPermissionError,
    is_data_file,
    read_idx,
)

# name -> (name of the torchvision class that downloads it, its folder under root, class names).
# torchvision is imported only to download: importing it costs seconds that reading needs not.
_DATASETS = {
    "mnist": ("MNIST", "MNIST", [str(d) for d in range(10)]),
    "fashion-mnist": (
        "FashionMNIST",
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

    def __post_init__(self):  # shapes and dtypes only: a scan of the values would cost a pass
        check_tensor(self.images, "images", ndim=4, finite=False)
        check_tensor(self.labels, "labels", ndim=1, floating=False)
        if self.labels.is_floating_point() or self.labels.is_complex():
            raise TypeError(f"labels must be integer class indices, got dtype {self.labels.dtype}")
        if len(self.labels) != len(self.images):
            raise ValueError(f"got {len(self.images)} images but {len(self.labels)} labels")

    def __len__(self) -> int:
        return self.images.shape[0]

    def subset(self, n: int, seed: int | None = None) -> ImageData:
        """The first `n` examples, or `n` drawn without replacement when `seed` is given.

        `n`: an integer in 1 … len(self); `seed`: None or an integer in [0, 2⁶³).
        """
        n = check_int(n, "n")
        if not 0 < n <= len(self):
            raise ValueError(
                f"n must be between 1 and {len(self)} (the size of {self.name}), got {n}"
            )
        if seed is None:
            index = torch.arange(n)
        else:
            seed = check_seed(seed)
            index = torch.randperm(len(self), generator=seeded_generator(seed))[:n]
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
        TypeError, ValueError: a bad `name`, `split`, `root` or `download`.
        DataNotFoundError: the files are missing and could not be downloaded.
        DataPermissionError: a file or folder is not readable (or, to download, not writable).
        IsADirectoryError, NotADirectoryError: a folder stands where a file should, or a file
            where a folder should.
        CorruptDataError: a file is truncated, not valid gzip, or not an IDX file of the
            expected shape.
    """
    for arg, value in (("name", name), ("split", split)):
        if not isinstance(value, str):
            raise TypeError(f"{arg} must be a string, got {type(value).__name__} {value!r}")
    if name not in _DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(_DATASETS)}")
    if split not in _FILE_PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    download = check_bool(download, "download")
    downloader, folder, classes = _DATASETS[name]
    root = _root_folder(root)
    raw = root / folder / "raw"
    files = _find_files(raw, split)
    if files is None:
        files = next((f for c in _system_candidates(name) if (f := _find_files(c, split))), None)
    if files is None:
        if not download:
            raise DataNotFoundError(_missing_message(name, raw, "download=False was given"))
        _download(downloader, root, name, raw)
        files = _find_files(raw, split) or _split_files(raw, split)

    images = read_idx(files[0], image_shape=(28, 28))  # (n, 28, 28) uint8
    labels = read_idx(files[1], image_shape=())  # (n,) uint8
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


def _root_folder(root: object) -> Path:
    if root is None:
        return default_data_dir()
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or Path) or None, got {root!r}")
    if str(root) == "":
        raise ValueError("root is an empty string; pass the folder that holds MNIST/raw/ or None")
    return Path(root).expanduser()


def _split_files(raw: Path, split: str) -> tuple[Path, Path]:
    prefix = _FILE_PREFIX[split]
    return raw / f"{prefix}-images-idx3-ubyte", raw / f"{prefix}-labels-idx1-ubyte"


def _find_files(folder: Path, split: str) -> tuple[Path, Path] | None:
    """The split's two files in `folder`, plain or else gzipped, or None if either is missing."""
    files = _split_files(folder, split)
    for candidate in (files, tuple(p.with_name(p.name + ".gz") for p in files)):
        if all([is_data_file(path) for path in candidate]):
            return candidate
    return None


def _system_candidates(name: str) -> list[Path]:
    return [c for folder in SYSTEM_COPIES.get(name, []) for c in (folder, folder / "raw")]


def _download(downloader: str, root: Path, name: str, raw: Path) -> None:
    """Fetch the data set's files into root/<folder>/raw: `torchvision.datasets.<downloader>`."""
    import torchvision.datasets  # imported here: it takes seconds, and only a download needs it

    try:
        root.mkdir(parents=True, exist_ok=True)
        getattr(torchvision.datasets, downloader)(root=str(root), train=True, download=True)
    except PermissionError as error:
        raise DataPermissionError(
            f"cannot download {name} into {raw}: permission denied ({error}). Make the folder "
            f"writable (chmod u+w), or set {DATA_ENV_VAR} (or pass root=) to a folder you own"
        ) from None
    except Exception as error:  # torchvision raises RuntimeError, URLError or OSError offline
        raise DataNotFoundError(
            _missing_message(name, raw, f"the download failed: {error}")
        ) from None


def _missing_message(name: str, raw: Path, reason: str) -> str:
    message = (
        f"{name} is not in {raw} and {reason}. "
        f"Either connect to the internet and call again with download=True, "
        f"or copy the four *-ubyte files into {raw}, "
        f"or set the environment variable {DATA_ENV_VAR} (or pass root=) to the folder that holds "
        f"an existing copy's {raw.parent.name}/ folder."
    )
    if not raw.is_absolute():  # e.g. VAELIB_DATA=../shared/data, read from a notebook's folder
        message += (
            f" Note that {raw} is a relative path, read from the current folder {Path.cwd()}; "
            f"a chapter's kernel runs in notebooks/, so give an absolute path, e.g. "
            f'export {DATA_ENV_VAR}="$(cd .. && pwd)/shared/data" at the repository root.'
        )
    return message


def pixel_interpolation(x_start: torch.Tensor, x_end: torch.Tensor, steps: int = 9) -> torch.Tensor:
    """Blend two sets of images pixel by pixel: (1 − t)·x_start + t·x_end for t evenly in [0, 1].

    The counterpart of `vaelib.models.latent_interpolation` that never leaves pixel space: the
    midpoint of two digits is a double exposure of both, each at half intensity.

    `x_start`, `x_end`: (n, 1, 28, 28) in [0, 1], paired row by row (float16, bfloat16 and
    float64 are converted to float32). Returns grey levels in [0, 1], (n, steps, 1, 28, 28).
    """
    steps = check_int(steps, "steps", minimum=2)
    x_start = check_images(x_start, "x_start")
    x_end = check_images(x_end, "x_end")
    check_same_shape(x_start, x_end, "x_start and x_end")
    t = torch.linspace(0, 1, steps, device=x_start.device)
    t = t.view(1, steps, *[1] * (x_start.dim() - 1))  # (1, steps, 1, 1, 1)
    blend = (1 - t) * x_start.unsqueeze(1) + t * x_end.unsqueeze(1).to(x_start.device)
    return blend.clamp(0, 1)  # float32 round-off can put a blend of two 1s at 1 + 1 ulp
