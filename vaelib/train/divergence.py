"""When training has diverged, and what `fit` does about it.

The rule, stated once for the whole book. A training step *diverges* when the loss it computes
(the objective being minimised, in nats per image) is

- not finite (NaN or ±inf), or
- larger than `explode_factor` (default 100) times a reference: the largest of the run's first
  loss, the previous epoch's mean training loss, and 1 nat.

The reference only moves at the end of an epoch, so a loss that grows step after step inside an
epoch cannot drag it along; and it is never below the loss the run started from, so the normal
rises of training (a KL warm-up raising β, a capacity target, a large β) stay far below it: those
change the loss by a few times at most, an explosion by orders of magnitude (Adam with too large a
step size takes MNIST's first loss of ~550 nats to 10⁵–10²⁰ within a few steps).

The last step of a run has no later step to compute a loss with its weights, so `fit` scores
the final weights on the last batch once more and applies the same rule. And the test loss of
every epoch must pass the rule too, against the same reference (with this epoch's training loss
in place of the previous one's): a test loss that is NaN, or a hundred times the training loss,
is not a result but a broken model or a broken test set.

Before every optimiser step `fit` keeps a copy of the weights, whose loss has just passed the
check. When a later step diverges, the weights are put back to that copy — the state before the
diverging optimiser step — the optimiser (and its moments) is discarded, and
`TrainingDivergedError` says where it happened and what was restored.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from vaelib._support.checks import check_number

DEFAULT_EXPLODE_FACTOR = 100.0


class TrainingDivergedError(FloatingPointError):
    """The training loss became NaN or infinite, or exploded (see `vaelib.train.divergence`).

    Attributes:
        epoch, step: where it happened (both counted from 1; `step` within the epoch).
        loss: the diverging loss, nats per image (NaN or inf for a non-finite one).
        limit: the largest loss the rule allowed at that step, nats per image.
        restored: True — the model's weights are those before the diverging optimiser step;
            False for a test loss that diverged (the weights are those it was scored with).
        history: the `History` of the epochs completed before the divergence (set by `fit`).
    """

    def __init__(self, message: str, *, epoch: int, step: int, loss: float, limit: float):
        super().__init__(message)
        self.epoch, self.step, self.loss, self.limit = epoch, step, loss, limit
        self.restored = True
        self.history = None


def check_explode_factor(value: object) -> float:
    """Return `explode_factor` as a float > 1 (`math.inf` switches the explosion test off)."""
    return check_number(value, "explode_factor", minimum=1.0, strict_minimum=True, allow_inf=True)


class DivergenceGuard:
    """Applies the divergence rule to one `fit` run and keeps the weights to fall back on.

    Per step: `check(loss, epoch, step)` (raises after restoring), then `save()` just before the
    optimiser step. Per epoch: `end_epoch(mean_loss)`.
    """

    def __init__(self, model: nn.Module, explode_factor: float, steps_per_epoch: int, lr: float):
        self.explode_factor = explode_factor
        self.steps_per_epoch = steps_per_epoch
        self.lr = lr
        self.first_loss: float | None = None
        self.epoch_mean = 0.0
        self.saved_loss: float | None = None  # the loss of the saved weights
        self.tensors = [*model.parameters(), *model.buffers()]
        self.saved: list[torch.Tensor] = []

    def limit(self) -> float:
        """The largest loss a step may have, in nats per image."""
        reference = max(self.first_loss or 0.0, self.epoch_mean, 1.0)
        return self.explode_factor * reference

    def check(self, loss: float, epoch: int, step: int, last: bool = False) -> None:
        """Raise `TrainingDivergedError` (after restoring the weights) if `loss` diverges.

        `last`: `loss` is that of the final weights, scored after the run's last step.
        """
        if self.first_loss is None and math.isfinite(loss):
            self.first_loss = loss
        limit = self.limit()
        if math.isfinite(loss) and loss <= limit:
            self.saved_loss = loss
            return
        self._restore()
        raise TrainingDivergedError(
            self._message(loss, limit, epoch, step, last),
            epoch=epoch,
            step=step,
            loss=loss,
            limit=limit,
        )

    @torch.no_grad()
    def save(self) -> None:
        """Keep a copy of the weights (they just passed `check`) before the optimiser moves them."""
        if not self.saved:
            self.saved = [t.detach().clone() for t in self.tensors]
            return
        for saved, tensor in zip(self.saved, self.tensors):
            saved.copy_(tensor)

    def check_last_step(self, loss: float, epoch: int, step: int) -> None:
        """The rule for the loss of the run's final weights (after its last optimiser step)."""
        self.check(loss, epoch, step, last=True)

    def check_test_loss(self, loss: float, train_loss: float, epoch: int) -> None:
        """The rule for an epoch's test loss; raises without restoring (nothing to go back to)."""
        reference = max(self.first_loss or 0.0, train_loss, 1.0)
        limit = self.explode_factor * reference
        if math.isfinite(loss) and loss <= limit:
            return
        what = (
            "not finite"
            if not math.isfinite(loss)
            else (
                f"more than explode_factor={self.explode_factor:g} times the reference "
                f"{reference:.6g} (the largest of the run's first loss, this epoch's mean training "
                f"loss and 1 nat)"
            )
        )
        error = TrainingDivergedError(
            f"the test loss diverged at the end of epoch {epoch}: it was {loss:.6g} nats per "
            f"image ({what}) while the training loss was {train_loss:.6g}. The model's weights "
            f"are those after epoch {epoch}, which the test set was scored with. Check that the "
            f"test images are like the training images, and try a smaller learning rate than "
            f"lr={self.lr:g}.",
            epoch=epoch,
            step=self.steps_per_epoch,
            loss=loss,
            limit=limit,
        )
        error.restored = False
        raise error

    def end_epoch(self, mean_loss: float) -> None:
        self.epoch_mean = mean_loss

    @torch.no_grad()
    def _restore(self) -> None:
        for tensor, saved in zip(self.tensors, self.saved):
            tensor.copy_(saved)

    def _message(self, loss: float, limit: float, epoch: int, step: int, last: bool) -> str:
        where = f"training diverged at epoch {epoch}, step {step} of {self.steps_per_epoch}"
        if last:
            where += (
                ", the last step of the run (the loss of its final weights, scored once more "
                "on its batch)"
            )
        if math.isfinite(loss):
            what = (
                f"the loss was {loss:.6g} nats per image, more than explode_factor="
                f"{self.explode_factor:g} times the reference {limit / self.explode_factor:.6g} "
                f"(the largest of the run's first loss, the previous epoch's mean loss and 1 nat)"
            )
        else:
            what = f"the loss was {loss} (not finite)"
        if self.saved:
            state = (
                f"The model's weights were restored to their state before the diverging "
                f"optimiser step (their loss was {self.saved_loss:.6g} nats per image); "
                f"the optimiser's state was discarded"
            )
        else:
            state = "No optimiser step had been taken: the model is as it was passed in"
        return (
            f"{where}: {what}. {state}. Try a smaller learning rate than lr={self.lr:g}, or "
            f"check the model's weights, the data and the loss settings (beta, free_bits, "
            f"capacity) for extreme values."
        )
