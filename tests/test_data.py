import builtins
import gzip
import os
import struct
import urllib.error
from pathlib import Path

import pytest
import torch
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st

import vaelib.data.loading
from vaelib import (
    DATA_ENV_VAR,
    CorruptDataError,
    DataNotFoundError,
    DataPermissionError,
    ImageData,
    default_data_dir,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
)


def _idx_bytes(array: torch.Tensor) -> bytes:
    """The IDX encoding of a uint8 tensor: magic (0, 0, 0x08, ndim), big-endian sizes, data."""
    header = struct.pack(">HBB", 0, 0x08, array.dim()) + struct.pack(
        f">{array.dim()}I", *array.shape
    )
    return header + array.numpy().tobytes()


def _write_split(raw: Path, prefix: str, n: int, compress: bool = False) -> torch.Tensor:
    """Write n random 28×28 images and labels as `{prefix}-*-ubyte`; returns the images."""
    g = torch.Generator().manual_seed(n)
    images = torch.randint(0, 256, (n, 28, 28), generator=g, dtype=torch.uint8)
    labels = torch.randint(0, 10, (n,), generator=g, dtype=torch.uint8)
    raw.mkdir(parents=True, exist_ok=True)
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
        path = raw / f"{prefix}-{kind}-ubyte"
        if compress:
            with gzip.open(path.with_name(path.name + ".gz"), "wb") as f:
                f.write(_idx_bytes(array))
        else:
            path.write_bytes(_idx_bytes(array))
    return images


@pytest.fixture
def small_mnist(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    images = _write_split(raw, "train", 50)
    _write_split(raw, "t10k", 20)
    return tmp_path, images


def test_loads_small_idx_files_as_float_images_and_labels(small_mnist):
    root, raw_images = small_mnist
    data = load_mnist("train", root=root, download=False)
    assert data.images.shape == (50, 1, 28, 28) and data.images.dtype == torch.float32
    assert data.labels.shape == (50,) and data.labels.dtype == torch.int64
    torch.testing.assert_close(data.images[:, 0], raw_images.float() / 255)
    assert len(load_mnist("test", root=root, download=False)) == 20
    assert data.name == "mnist/train" and data.classes[3] == "3"


def test_the_data_variable_is_used_when_no_root_is_given(small_mnist, monkeypatch):
    root, _ = small_mnist
    monkeypatch.setenv(DATA_ENV_VAR, str(root))
    assert default_data_dir() == root
    assert len(load_mnist("test", download=False)) == 20


def test_without_the_variable_the_user_cache_is_searched(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "vaelib"


def test_missing_data_without_download_names_the_folder_and_the_variable(tmp_path):
    with pytest.raises(DataNotFoundError) as error:
        load_mnist("train", root=tmp_path, download=False)
    assert str(tmp_path / "MNIST" / "raw") in str(error.value)
    assert DATA_ENV_VAR in str(error.value)


def test_offline_with_no_data_is_one_clear_error(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(torchvision.datasets.mnist, "download_and_extract_archive", no_network)
    with pytest.raises(DataNotFoundError, match="the download failed") as error:
        load_mnist("train", root=tmp_path, download=True)
    assert DATA_ENV_VAR in str(error.value) and "internet" in str(error.value)


def test_a_truncated_file_is_reported_as_corrupt(small_mnist):
    root, _ = small_mnist
    path = root / "MNIST" / "raw" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(CorruptDataError, match="truncated") as error:
        load_mnist("train", root=root, download=False)
    assert str(path) in str(error.value)


def test_a_file_that_is_not_idx_is_reported_as_corrupt(small_mnist):
    root, _ = small_mnist
    (root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(CorruptDataError, match="not that of an unsigned-byte IDX file"):
        load_mnist("test", root=root, download=False)


def test_images_and_labels_of_different_lengths_are_reported(small_mnist):
    root, _ = small_mnist
    raw = root / "MNIST" / "raw"
    (raw / "t10k-labels-idx1-ubyte").write_bytes(_idx_bytes(torch.zeros(19, dtype=torch.uint8)))
    with pytest.raises(CorruptDataError, match="20 images but .* 19 labels"):
        load_mnist("test", root=root, download=False)


def test_unknown_names_and_splits_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown data set 'cifar'"):
        load_dataset("cifar", root=tmp_path)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist("validation", root=tmp_path)


def test_fashion_mnist_loads_through_the_same_call_from_a_system_copy(tmp_path, monkeypatch):
    system = tmp_path / "system"
    _write_split(system, "t10k", 30, compress=True)
    monkeypatch.setitem(vaelib.data.loading.SYSTEM_COPIES, "fashion-mnist", [system])
    data = load_fashion_mnist("test", root=tmp_path / "empty", download=False)
    assert data.images.shape == (30, 1, 28, 28)
    assert data.classes[9] == "Ankle boot"


def test_subset_takes_the_first_n_or_a_seeded_sample(small_mnist):
    data = load_mnist("train", root=small_mnist[0], download=False)
    assert torch.equal(data.subset(5).images, data.images[:5])
    assert torch.equal(data.subset(5, seed=1).labels, data.subset(5, seed=1).labels)
    with pytest.raises(ValueError, match="between 1 and 50"):
        data.subset(51)


def test_real_mnist_has_the_published_sizes_and_statistics(real_data_root):
    train = load_mnist("train", root=real_data_root, download=False)
    test = load_mnist("test", root=real_data_root, download=False)
    assert train.images.shape == (60_000, 1, 28, 28) and test.images.shape == (10_000, 1, 28, 28)
    assert abs(train.images.mean().item() - 0.1307) < 1e-3
    assert abs(train.images.std().item() - 0.3081) < 1e-3
    digits_per_class = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert torch.bincount(test.labels).tolist() == digits_per_class
    assert test.labels[:5].tolist() == [7, 2, 1, 0, 4]


@pytest.mark.skipif(
    not Path("/usr/share/datasets/fashion-mnist").exists(),
    reason="Debian's dataset-fashion-mnist package is not installed",
)
def test_real_fashion_mnist_from_the_debian_package(tmp_path):
    test = load_fashion_mnist("test", root=tmp_path, download=False)
    assert test.images.shape == (10_000, 1, 28, 28)
    assert abs(test.images.mean().item() - 0.2868) < 2e-3


@pytest.fixture
def deny_read(monkeypatch):
    """Make a file or folder unreadable: by chmod 000 for a normal user; as root, who reads
    anything whatever the mode, by making `open` and `stat` under it raise PermissionError."""
    changed = []

    def deny(path: Path) -> None:
        if os.geteuid() != 0:
            changed.append((path, path.stat().st_mode))
            path.chmod(0)
            return
        real_open, real_stat = builtins.open, Path.stat

        def blocked(target) -> bool:
            target = Path(os.fspath(target))
            return target == path or path in target.parents

        def fake_open(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and blocked(file):
                raise PermissionError(13, "Permission denied", os.fspath(file))
            return real_open(file, *args, **kwargs)

        def fake_stat(self, *args, **kwargs):
            if path in self.parents:  # looking into the folder needs its permission
                raise PermissionError(13, "Permission denied", str(self))
            return real_stat(self, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(Path, "stat", fake_stat)

    yield deny
    for path, mode in changed:
        path.chmod(mode)


def test_an_unreadable_file_is_a_permission_error_not_corruption(small_mnist, deny_read):
    root, _ = small_mnist
    path = root / "MNIST" / "raw" / "train-images-idx3-ubyte"
    deny_read(path)
    with pytest.raises(DataPermissionError) as error:
        load_mnist("train", root=root, download=False)
    message = str(error.value)
    assert isinstance(error.value, PermissionError)
    assert "permission" in message and str(path) in message and "chmod" in message
    assert "corrupt" not in message and "Delete" not in message


def test_an_unreadable_folder_is_a_permission_error(small_mnist, deny_read):
    root, _ = small_mnist
    raw = root / "MNIST" / "raw"
    deny_read(raw)
    with pytest.raises(DataPermissionError, match="permission") as error:
        load_mnist("test", root=root, download=False)
    assert str(raw) in str(error.value) and DATA_ENV_VAR in str(error.value)


def test_a_folder_in_place_of_a_file_is_named(small_mnist):
    root, _ = small_mnist
    path = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    path.unlink()
    path.mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder") as error:
        load_mnist("test", root=root, download=False)
    assert str(path) in str(error.value)


def test_a_file_given_as_root_is_named(tmp_path):
    (tmp_path / "data.txt").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="data.txt is a file"):
        load_mnist("test", root=tmp_path / "data.txt", download=False)


def test_gzipped_files_in_the_data_folder_are_read(tmp_path):
    images = _write_split(tmp_path / "MNIST" / "raw", "t10k", 12, compress=True)
    data = load_mnist("test", root=tmp_path, download=False)
    torch.testing.assert_close(data.images[:, 0], images.float() / 255)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # a truncated download
        lambda b: b[:20] + bytes(200) + b[220:],  # damaged deflate data
        lambda b: b"<html>404</html>",  # not gzip at all
    ],
    ids=["truncated", "bad-deflate", "not-gzip"],
)
def test_a_damaged_gzip_file_is_reported_as_corrupt(tmp_path, damage):
    raw = tmp_path / "MNIST" / "raw"
    _write_split(raw, "t10k", 12, compress=True)
    path = raw / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(CorruptDataError, match="gzip") as error:
        load_mnist("test", root=tmp_path, download=False)
    assert str(path) in str(error.value) and "Delete it" in str(error.value)


def test_a_download_into_a_read_only_folder_is_a_permission_error(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "MNIST"))

    monkeypatch.setattr(torchvision.datasets.mnist, "download_and_extract_archive", read_only)
    with pytest.raises(DataPermissionError, match="permission denied") as error:
        load_mnist("train", root=tmp_path, download=True)
    assert DATA_ENV_VAR in str(error.value)


@pytest.mark.parametrize(
    "kwargs, error, name",
    [
        ({"split": 1}, TypeError, "split"),
        ({"split": ["train"]}, TypeError, "split"),
        ({"root": 3}, TypeError, "root"),
        ({"root": ""}, ValueError, "root"),
        ({"download": "yes"}, TypeError, "download"),
    ],
)
def test_bad_arguments_to_load_are_named(tmp_path, kwargs, error, name):
    with pytest.raises(error, match=name):
        load_mnist(**{"root": tmp_path, "download": False, **kwargs})


@pytest.mark.parametrize(
    "n, seed, error, name",
    [
        (0, None, ValueError, "n must be between 1 and 50"),
        (2.5, None, TypeError, "n must be an integer"),
        (True, None, TypeError, "n must be an integer"),
        (5, -1, ValueError, "seed"),
        (5, "1", TypeError, "seed"),
    ],
)
def test_bad_subset_arguments_are_named(small_mnist, n, seed, error, name):
    data = load_mnist("train", root=small_mnist[0], download=False)
    with pytest.raises(error, match=name):
        data.subset(n, seed=seed)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(-5, 60) | st.floats(0, 60) | st.none(), seed=st.none() | st.integers(-5, 5))
def test_subset_returns_n_distinct_examples_or_names_the_bad_argument(n, seed):
    g = torch.Generator().manual_seed(0)
    data = ImageData(torch.rand(50, 1, 4, 4, generator=g), torch.arange(50), ["x"], "toy")
    try:
        part = data.subset(n, seed=seed)
    except (TypeError, ValueError) as error:
        assert "n " in str(error) or "seed" in str(error), str(error)
        return
    assert len(part) == n and len(set(part.labels.tolist())) == n


def test_image_data_refuses_uint8_images_and_mismatched_labels():
    with pytest.raises(TypeError, match="images must be a floating-point tensor"):
        ImageData(torch.zeros(3, 1, 28, 28, dtype=torch.uint8), torch.zeros(3), ["0"], "x")
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        ImageData(torch.zeros(3, 1, 28, 28), torch.zeros(2, dtype=torch.long), ["0"], "x")


def test_a_relative_data_folder_that_is_missing_says_to_give_an_absolute_path(
    tmp_path, monkeypatch
):
    # A chapter's kernel runs in notebooks/, where VAELIB_DATA=../shared/data points elsewhere.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VAELIB_DATA", "../no-such-data")
    with pytest.raises(DataNotFoundError) as error:
        load_mnist("train", download=False)
    message = str(error.value)
    assert "relative path" in message and str(tmp_path) in message and "absolute" in message
