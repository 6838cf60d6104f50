"""The one training loop of the book: `fit`.

Batches are drawn by indexing one in-memory image tensor with a shuffled permutation, so an
epoch costs only the model's own arithmetic. Every chapter trains through `fit`, with a seed, so
that the numbers the book quotes come out the same on every run. `fit` and `evaluate` draw their
randomness from their own seeded `torch.Generator`s, never from torch's global one, so code that
draws random numbers meanwhile — in this thread or in another — does not change the shuffling or
the noise of a run. That is all the seed promises: two runs at the same time in two threads draw
the same numbers, but their arithmetic may differ in the last bits where the math library splits
a product between its threads differently (PyTorch promises bit-identical results for one run at
a time only), and a model built in a thread from torch's global generator gets whatever numbers
the other threads left. The book trains one model at a time.
"""

from __future__ import annotations

import math

import torch
from tqdm.auto import tqdm

from vaelib._support.checks import (
    NonFiniteError,
    check_batch_size,
    check_bool,
    check_device,
    check_non_negative,
    check_positive_int,
    check_seed,
    check_sequence,
)
from vaelib._support.device import batches, pick_device
from vaelib._support.seeding import seeded_generator, seeded_model
from vaelib.data.binarize import binarize as binarize_images
from vaelib.data.loading import ImageData
from vaelib.losses.elbo import check_objective
from vaelib.losses.objective import compute_loss
from vaelib.models.conditional import ConditionalVAE, model_labels
from vaelib.models.mlp import VAE, Autoencoder, MLPConfig, check_model, eval_mode, model_images
from vaelib.train.divergence import (
    DEFAULT_EXPLODE_FACTOR,
    DivergenceGuard,
    TrainingDivergedError,
    check_explode_factor,
)
from vaelib.train.history import History

__all__ = ["evaluate", "fit", "sweep_beta"]


def _check_iwae_k(
    iwae_k: object, model: object, beta: float, warmup: float, free_bits: float, capacity: object
) -> int:
    iwae_k = check_positive_int(iwae_k, "iwae_k")
    if iwae_k == 1:
        return iwae_k
    if not isinstance(model, VAE) or isinstance(model, ConditionalVAE):
        raise ValueError(
            f"iwae_k={iwae_k} trains a VAE on the IWAE bound, but model is a "
            f"{type(model).__name__}; use iwae_k=1"
        )
    if beta != 1 or warmup > 0 or free_bits > 0 or capacity is not None:
        raise ValueError(
            f"iwae_k={iwae_k} replaces the β-VAE objective, so beta must be 1 and warmup_epochs, "
            f"free_bits and capacity unset; got beta={beta}, warmup_epochs={warmup}, "
            f"free_bits={free_bits}, capacity={capacity}"
        )
    return iwae_k


@torch.no_grad()
def evaluate(
    model: VAE | Autoencoder,
    data: ImageData | torch.Tensor,
    beta: float = 1.0,
    free_bits: float = 0.0,
    capacity: float | None = None,
    batch_size: int = 1000,
    seed: int = 0,
) -> dict[str, float]:
    """The objective and its parts on a whole data set, in nats per image.

    The VAE's reconstruction term uses one sample z ~ q(z|x) per image, drawn from a CPU generator
    seeded with `seed`, so the result is an unbiased single-sample estimate that is the same on
    every call and every device. The model is in eval mode during the pass and back in its own
    mode afterwards, even after an error. Returns {"loss", "reconstruction", "kl"}, each >= 0
    (but a `LinearVAE`'s Gaussian reconstruction term, a density over real pixels, may be < 0).

    Raises `NonFiniteError` if a part is NaN or infinite (weights that are not finite or far too
    large, e.g. after a diverged run), rather than returning it.
    """
    images = model_images(data, model, "data")
    labels = model_labels(data, model, "data")  # None unless the model is conditional
    beta, free_bits, capacity = check_objective(beta, free_bits, capacity)
    batch_size = check_batch_size(batch_size)
    generator = seeded_generator(seed)
    device = next(model.parameters()).device
    sums = {"loss": 0.0, "reconstruction": 0.0, "kl": 0.0}
    with eval_mode(model):
        for x, y in batches(images, batch_size, device, labels):
            parts = compute_loss(model, x, beta, free_bits, capacity, generator, y)
            sums["loss"] += parts.total.item() * len(x)
            sums["reconstruction"] += parts.reconstruction.item() * len(x)
            sums["kl"] += parts.kl.item() * len(x)
    scores = {name: total / len(images) for name, total in sums.items()}
    if not all(math.isfinite(value) for value in scores.values()):
        raise NonFiniteError(
            f"the loss on data is not finite ({', '.join(f'{k} {v}' for k, v in scores.items())} "
            f"nats per image): the model's weights hold NaN or infinite values or are far too "
            f"large (a diverged training?); retrain or reload the model"
        )
    return scores


def fit(
    model: VAE | Autoencoder,
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None = None,
    *,
    epochs: int = 10,
    batch_size: int = 128,
    lr: float = 1e-3,
    beta: float = 1.0,
    warmup_epochs: float = 0,
    free_bits: float = 0.0,
    capacity: float | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
    explode_factor: float = DEFAULT_EXPLODE_FACTOR,
    binarize: bool = False,
    iwae_k: int = 1,
) -> History:
    """Train `model` with Adam on in-memory images and return its per-epoch `History`.

    Args:
        model: a `VAE` or an `Autoencoder` (trained in place; moved to `device`). A
            `ConditionalVAE` also reads the labels of `train` and `test`, then `ImageData`s.
        train, test: `ImageData` or image tensors (n, 1, 28, 28) in [0, 1]; `test` is optional.
            float16/bfloat16/float64 images are converted to float32; all are checked up front.
        epochs: passes over the training set. batch_size: images per step. lr: Adam's step size.
        beta: weight β ≥ 0 of the KL term (ignored by the autoencoder).
        warmup_epochs: if > 0, β rises linearly from 0 to `beta` over this many epochs (KL warm-up).
        free_bits, capacity: see `vaelib.losses.elbo.vae_loss`.
        seed: seeds this run's own generator (`torch.Generator(device)`), which draws the
            shuffling and the reparameterisation noise; torch's global generator is neither
            used nor reseeded. Seed the initial weights with `seed_everything` before building.
        device: default `pick_device()`. progress: show a tqdm progress bar over the epochs.
        explode_factor: a step diverges when its loss is not finite or exceeds `explode_factor`
            times the largest of the run's first loss, the previous epoch's mean loss and 1 nat
            (`math.inf`: only non-finite losses count). The rule is `vaelib.train.divergence`'s.
        binarize: draw every training batch afresh as black-and-white images, each pixel
            Bernoulli of its grey level (dynamic binarisation, `vaelib.binarize`), from this
            run's generator. `test` is scored as given: pass a fixed binarisation of it.
        iwae_k: train a VAE on the importance-weighted bound L_k with k = `iwae_k` samples per
            image (the IWAE of Burda et al. 2016; 1, the default, is the ELBO). It replaces the
            β-VAE objective, so it cannot be combined with β ≠ 1, warm-up, free bits or capacity.
            The history's train loss is then −L_k; its test scores are the ELBO's, as always.

    The model returns to its previous train/eval mode when `fit` ends, even after an error.

    Raises:
        TrainingDivergedError: a step diverged (names epoch, step, loss and the rule). The model's
            weights are restored to those before the diverging optimiser step, and the optimiser
            is discarded, so a retry with a smaller `lr` starts from sane weights. The last step
            of the run is checked too (the loss of the final weights on its batch), and so is
            the test loss of every epoch: a test loss that is not finite, or that the rule calls
            an explosion while the training loss looked fine, stops the run with this error
            (its `restored` is False: the weights are those the test set was scored with).
        TypeError, ValueError: a bad argument, named in the message.
    """
    check_model(model)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_batch_size(batch_size)
    lr = check_non_negative(lr, "lr")
    beta, free_bits, capacity = check_objective(beta, free_bits, capacity)
    warmup_epochs = check_non_negative(warmup_epochs, "warmup_epochs")
    seed = check_seed(seed)
    progress = check_bool(progress, "progress")
    explode_factor = check_explode_factor(explode_factor)
    device = check_device(device) if device is not None else pick_device()
    binarize = check_bool(binarize, "binarize")
    iwae_k = _check_iwae_k(iwae_k, model, beta, warmup_epochs, free_bits, capacity)
    train_images = model_images(train, model, "train")
    test_images = model_images(test, model, "test") if test is not None else None
    train_labels = model_labels(train, model, "train")  # None unless the model is conditional
    test_labels = model_labels(test, model, "test") if test is not None else None

    was_training = model.training
    model.to(device)
    train_images = train_images.to(device)
    train_labels = None if train_labels is None else train_labels.to(device)
    # Shuffling and noise come from one CPU generator, this run's own, and are moved to the
    # device: a GPU draws the same random numbers as the CPU (only the arithmetic differs).
    generator = seeded_generator(seed)
    # The fused kernel makes Adam's update in one pass over the weights: on two CPU cores about
    # a fifth faster per step for the book's 784-400-20 model than a loop over the tensors.
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=device.type in ("cpu", "cuda"))
    steps_per_epoch = -(-len(train_images) // batch_size)  # ceiling division
    guard = DivergenceGuard(model, explode_factor, steps_per_epoch, lr)
    warmup_steps = warmup_epochs * steps_per_epoch
    history = History()

    bar = tqdm(range(1, epochs + 1), desc="training", unit="epoch", disable=not progress)
    step = 0
    try:
        for epoch in bar:
            model.train()
            sums = torch.zeros(3, device=device)  # loss, reconstruction, KL, summed over images
            order = torch.randperm(len(train_images), generator=generator).to(device)
            for batch_number, index in enumerate(order.split(batch_size), start=1):
                step += 1
                beta_now = beta * min(1.0, step / warmup_steps) if warmup_steps > 0 else beta
                x = train_images[index]
                y = None if train_labels is None else train_labels[index]
                # The data were checked once above; a NaN or overflow anywhere in the step
                # shows up in its loss, which the divergence rule checks.
                if binarize:
                    x = binarize_images(x, generator)  # a fresh draw every time
                parts = compute_loss(model, x, beta_now, free_bits, capacity, generator, y, iwae_k)
                loss = parts.total.item()
                guard.check(loss, epoch, batch_number)  # raises, after restoring the weights
                guard.save()  # the weights before this optimiser step
                optimizer.zero_grad(set_to_none=True)
                parts.total.backward()
                optimizer.step()
                parts_now = torch.stack([parts.total, parts.reconstruction, parts.kl])
                sums += parts_now.detach() * len(x)
            if epoch == epochs:  # no later step checks the last one: score its weights now
                with torch.no_grad():
                    final = compute_loss(
                        model, x, beta_now, free_bits, capacity, generator, y, iwae_k
                    )
                guard.check_last_step(final.total.item(), epoch, batch_number)

            means = (sums / len(train_images)).tolist()
            guard.end_epoch(means[0])
            history.epoch.append(epoch)
            history.beta.append(beta_now)
            history.train_loss.append(means[0])
            history.train_reconstruction.append(means[1])
            history.train_kl.append(means[2])
            if test_images is not None:
                test_data = test_images if test_labels is None else test  # keep the labels
                try:
                    scores = evaluate(model, test_data, beta_now, free_bits, capacity, seed=seed)
                except NonFiniteError:
                    scores = {"loss": math.nan}
                guard.check_test_loss(scores["loss"], means[0], epoch)
                history.test_loss.append(scores["loss"])
                history.test_reconstruction.append(scores["reconstruction"])
                history.test_kl.append(scores["kl"])
            bar.set_postfix(loss=f"{means[0]:.1f}", kl=f"{means[2]:.1f}")
    except TrainingDivergedError as error:
        error.history = history
        raise
    finally:
        model.train(was_training)
    return history


def sweep_beta(
    betas: list[float] | tuple[float, ...],
    train: ImageData | torch.Tensor,
    test: ImageData | torch.Tensor | None = None,
    *,
    epochs: int = 5,
    config: MLPConfig | None = None,
    seed: int = 0,
    **fit_kwargs,
) -> list[tuple[VAE, History]]:
    """Train one fresh VAE per β, each from the same seeded initial weights; return them in order.

    For each β: build `VAE(config)` with torch's generator seeded with `seed` — inside
    `torch.random.fork_rng`, so the caller's global random state is left as it was — then
    `fit(model, train, test, epochs=epochs, beta=β, seed=seed, progress=False, **fit_kwargs)`.
    Every model thus starts from identical weights (those of `seed_everything(seed)` followed by
    `VAE(config)`) and sees the same batches, so the models differ only through β (and whatever
    `fit_kwargs`, e.g. `free_bits`, say). All the βs are checked before the first model trains.

    Returns a list of `(model, history)` pairs, one per β, in the order of `betas`.
    """
    betas = [check_non_negative(b, "each value of betas") for b in check_sequence(betas, "betas")]
    if len(betas) == 0:
        raise ValueError("betas must hold at least one value of β, got an empty sequence")
    if config is not None and not isinstance(config, MLPConfig):
        raise TypeError(f"config must be an MLPConfig or None, got {type(config).__name__}")
    seed = check_seed(seed)
    epochs = check_positive_int(epochs, "epochs")
    fit_kwargs.setdefault("progress", False)
    results = []
    for beta in betas:
        model = seeded_model(VAE, seed, config)
        history = fit(model, train, test, epochs=epochs, beta=beta, seed=seed, **fit_kwargs)
        results.append((model, history))
    return results
