"""The data files on disk: whether one can be used, and reading the IDX format (MNIST's).

Each way a file can be unusable raises its own error, naming the path and the fix: missing
(`DataNotFoundError`), not readable by this user (`DataPermissionError`, never called
corruption), a folder where the file should be (`IsADirectoryError`), a file where a folder
should be (`NotADirectoryError`), and truncated, not gzip or not IDX (`CorruptDataError`).
The three error classes are public: `vaelib.DataNotFoundError`, `vaelib.DataPermissionError`,
`vaelib.CorruptDataError`.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import struct
import zlib
from pathlib import Path

import torch

DATA_ENV_VAR = "VAELIB_DATA"


class DataNotFoundError(FileNotFoundError):
    """The data set is not on disk and could not be downloaded."""


class DataPermissionError(PermissionError):
    """A data file or folder exists but this user may not read it (or write the download)."""


class CorruptDataError(ValueError):
    """A data file exists but is truncated, not valid gzip, or not in the IDX format."""


def is_data_file(path: Path) -> bool:
    """True if `path` is a file, False if nothing is there; raise if it cannot be a data file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        blocker = next((p for p in reversed(path.parents) if p.is_file()), path.parent)
        raise NotADirectoryError(
            f"{blocker} is a file, but the data path {path} needs it to be a folder; pass as root "
            f"(or set {DATA_ENV_VAR} to) the folder that holds MNIST/raw/, not a file"
        ) from None
    except PermissionError:
        raise DataPermissionError(permission_message(path)) from None
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(
            f"{path} is a folder, but the data file of that name should be there; remove or "
            f"rename the folder, then load again (with download=True) or copy the file in"
        )
    return True


def permission_message(path: Path) -> str:
    """The message for a permission error on `path` or on a folder above it: which one, and how
    to fix it (the word "permission" is in it, "corrupt" is not)."""
    blocked = next((p for p in reversed(path.parents) if not os.access(p, os.R_OK | os.X_OK)), None)
    if blocked is None and os.path.lexists(path) and not os.access(path, os.R_OK):
        blocked = path
    culprit = blocked or path
    return (
        f"permission denied: {culprit} is not readable by this user, so {path} cannot be loaded. "
        f"Fix the permissions (e.g. chmod -R u+rX {culprit}) or ask its owner, or set "
        f"{DATA_ENV_VAR} (or pass root=) to a copy you can read"
    )


def read_idx(path: Path, image_shape: tuple[int, ...]) -> torch.Tensor:
    """Read an unsigned-byte IDX file (the MNIST format), plain or gzipped, as (n, *image_shape).

    The header (magic number, then one big-endian int32 per dimension) is checked against the
    file's length, so a truncated download fails here instead of yielding garbage.
    """
    compressed = path.suffix == ".gz"
    try:
        with (gzip.open if compressed else open)(path, "rb") as f:
            data = f.read()
    except PermissionError:
        raise DataPermissionError(permission_message(path)) from None
    except IsADirectoryError:
        is_data_file(path)  # raises the message for a folder in place of the file
        raise
    except (OSError, EOFError, zlib.error) as error:  # gzip: BadGzipFile, EOFError, zlib.error
        what = "valid gzip" if compressed else "readable"
        raise CorruptDataError(corrupt_message(path, f"it is not {what} ({error})")) from None
    ndim = 1 + len(image_shape)
    if len(data) < 4 + 4 * ndim:
        raise CorruptDataError(corrupt_message(path, f"it is only {len(data)} bytes long"))
    zero, dtype_code, file_ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08 or file_ndim != ndim:
        raise CorruptDataError(
            corrupt_message(
                path, f"its header is not that of an unsigned-byte IDX file of {ndim} dims"
            )
        )
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    if shape[1:] != image_shape:
        raise CorruptDataError(corrupt_message(path, f"it holds items of shape {shape[1:]}"))
    body = len(data) - 4 - 4 * ndim
    if body != math.prod(shape):
        raise CorruptDataError(
            corrupt_message(
                path, f"it holds {body} data bytes, its header promises {math.prod(shape)}"
            )
        )
    if shape[0] == 0:
        raise CorruptDataError(corrupt_message(path, "it holds no items"))
    return torch.frombuffer(bytearray(data), dtype=torch.uint8, offset=4 + 4 * ndim).view(*shape)


def corrupt_message(path: Path, reason: str) -> str:
    return (
        f"{path} is corrupt or truncated: {reason}. Delete it and load again to download it anew."
    )
