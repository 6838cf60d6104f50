"""A switch for `vaelib.fit`'s inner loop: skip the per-call tensor checks it has made already."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

# True inside `tensors_checked_upstream()`: the per-call tensor checks are skipped (see there).
_TENSORS_CHECKED = contextvars.ContextVar("vaelib_tensors_checked", default=False)


@contextmanager
def tensors_checked_upstream() -> Iterator[None]:
    """Skip the per-call *tensor* checks (values, shapes, finiteness) inside this block.

    For the inner loop of `vaelib.fit` only: it checks its data once, up front, and every step's
    loss by the divergence rule, so checking each batch again in the model and the loss (a pass
    over the batch each time) would only slow training down. Argument checks of numbers, seeds
    and devices still run. Local to the current thread (a `ContextVar`).
    """
    token = _TENSORS_CHECKED.set(True)
    try:
        yield
    finally:
        _TENSORS_CHECKED.reset(token)


def tensor_checks_skipped() -> bool:
    """True inside `tensors_checked_upstream()`."""
    return _TENSORS_CHECKED.get()


__all__ = ["tensor_checks_skipped", "tensors_checked_upstream"]
