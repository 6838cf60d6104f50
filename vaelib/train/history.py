"""`History`: what `vaelib.fit` records, epoch by epoch."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class History:
    """Per-epoch record of a `fit` run; every loss is in nats per image.

    `*_loss` is the objective being minimised (reconstruction + β·KL, with free bits or a capacity
    target if set); `*_reconstruction` and `*_kl` are its two parts (the KL is the true KL).
    Training numbers are averages over the epoch's batches; test numbers are measured on the whole
    test set at the end of the epoch.
    """

    epoch: list[int] = field(default_factory=list)
    beta: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_reconstruction: list[float] = field(default_factory=list)
    train_kl: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_reconstruction: list[float] = field(default_factory=list)
    test_kl: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.epoch)

    def to_dict(self) -> dict[str, list]:
        return asdict(self)

    def last(self) -> dict[str, float]:
        """The final epoch's numbers, as {name: value}."""
        return {name: values[-1] for name, values in asdict(self).items() if values}
