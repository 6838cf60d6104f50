"""Property-based tests of the public API (hypothesis): for generated arguments, every public
function either returns finite values in its documented range, or raises a documented exception
(TypeError or ValueError, TrainingDivergedError for `fit`) whose message names the bad argument.

The models' `encode`/`decode` and the losses, which the training loop calls on every batch, check
types and shapes only (free); NaN, infinities and grey levels outside [0, 1] are refused by the
entry points that take data (`fit`, `evaluate`, the measures, `reconstruct`). For those inner
functions a tensor argument with such values may give a result outside the documented range —
never an undocumented exception.

Each example replaces one argument of a valid call by a generated value — a number of any kind
(NaN, ±inf, negative, NumPy scalars), a string, None, a bool, or a tensor of any dtype, shape and
range — and checks the outcome. Models are tiny (4×4 images, 2 latent dimensions) so that the
whole file runs in seconds.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaelib
from vaelib import MLPConfig, TrainingDivergedError

CONFIG = MLPConfig(image_shape=(1, 4, 4), hidden_dim=4, latent_dim=2)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _images(n: int = 6, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, *CONFIG.image_shape, generator=torch.Generator().manual_seed(seed))


def _vae() -> vaelib.VAE:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return vaelib.VAE(CONFIG)


# --- generated values ------------------------------------------------------------------------

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.uint8, torch.int64]
SHAPES = [(3, 1, 4, 4), (1, 1, 4, 4), (0, 1, 4, 4), (3, 16), (3, 2), (3,), (), (3, 1, 4, 5)]


@st.composite
def tensors(draw):
    """A tensor of any dtype and shape, with grey levels, 0–255 values, negatives or a NaN."""
    shape = draw(st.sampled_from(SHAPES))
    scale = draw(st.sampled_from([1.0, 255.0, -1.0, 1e6]))
    x = torch.rand(shape, generator=torch.Generator().manual_seed(draw(st.integers(0, 99))))
    x = x * scale
    if draw(st.booleans()) and x.numel() > 0:
        x.view(-1)[0] = draw(st.sampled_from([float("nan"), float("inf"), 1.0000001]))
    return x.to(draw(st.sampled_from(DTYPES)))


NUMBERS = st.one_of(
    st.integers(-3, 300),
    st.floats(min_value=-1e6, max_value=1e6),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 0.0, 1.0, 0.5]),
    st.integers(-3, 30).map(np.int64),
    st.floats(0, 1).map(np.float32),
)
ANYTHING = st.one_of(
    NUMBERS, st.none(), st.booleans(), st.text(max_size=3), tensors(), st.just([1.0, 2.0])
)


# --- the property ----------------------------------------------------------------------------


def _outcome(call, name: str, valid, documented=(TypeError, ValueError)):
    """Run `call()`: a documented error must name `name`; a result must pass `valid`."""
    try:
        result = call()
    except TrainingDivergedError:
        if TrainingDivergedError not in documented:
            raise
        return
    except documented as error:
        assert name in str(error), f"the error does not name {name!r}: {error}"
        return
    assert valid(result), f"{name}: result out of its documented range: {result!r}"


def _finite(t, low=-math.inf, high=math.inf) -> bool:
    t = torch.as_tensor(t, dtype=torch.float64)
    return bool(torch.isfinite(t).all() and (t >= low).all() and (t <= high).all())


def _call_with(function, valid_kwargs: dict, name: str, value, valid, **options):
    kwargs = dict(valid_kwargs, **{name: value})
    _outcome(lambda: function(**kwargs), name, valid, **options)


def _unscanned(value) -> bool:
    """A float tensor holding NaN, ±inf or values outside [0, 1]: the values that the models'
    and losses' own checks leave to the entry points, so their result may be out of range."""
    if not isinstance(value, torch.Tensor) or not value.is_floating_point() or value.numel() == 0:
        return False
    return not bool(((value >= 0) & (value <= 1)).all())


def _or_unscanned(valid, value):
    return lambda result: _unscanned(value) or valid(result)


def _cases(valid_kwargs: dict):
    return st.tuples(st.sampled_from(sorted(valid_kwargs)), ANYTHING)


# --- losses ----------------------------------------------------------------------------------

MU = torch.randn(3, 2, generator=torch.Generator().manual_seed(1))
LOSS_KWARGS = {
    "logits": torch.randn(3, 1, 4, 4),
    "x": _images(3),
    "mu": MU,
    "logvar": MU.flip(0),
    "beta": 1.0,
    "free_bits": 0.0,
    "capacity": None,
}


@PROPERTY
@given(_cases(LOSS_KWARGS))
def test_vae_loss(case):
    def valid(parts):
        return all(_finite(t, low=-1e-4) for t in (parts.total, parts.reconstruction, parts.kl))

    _call_with(vaelib.vae_loss, LOSS_KWARGS, *case, _or_unscanned(valid, case[1]))


@PROPERTY
@given(st.sampled_from(["mu", "logvar"]), ANYTHING)
def test_gaussian_kl(name, value):
    kwargs = {"mu": MU, "logvar": MU.flip(0)}
    valid = _or_unscanned(lambda kl: _finite(kl, low=-1e-4), value)
    for function in (vaelib.gaussian_kl, vaelib.gaussian_kl_per_dim):
        _call_with(function, kwargs, name, value, valid)


@PROPERTY
@given(st.sampled_from(["logits", "x"]), ANYTHING)
def test_reconstruction_loss(name, value):
    kwargs = {"logits": LOSS_KWARGS["logits"], "x": _images(3)}
    valid = _or_unscanned(lambda r: _finite(r, low=0), value)
    _call_with(vaelib.reconstruction_loss, kwargs, name, value, valid)
    valid = _or_unscanned(lambda p: _finite(p.total, low=0), value)
    _call_with(vaelib.autoencoder_loss, kwargs, name, value, valid)


@PROPERTY
@given(ANYTHING)
def test_bernoulli_entropy(value):
    _outcome(
        lambda: vaelib.bernoulli_entropy(value), "x", lambda h: _finite(h, 0, 16 * math.log(2))
    )


# --- models ----------------------------------------------------------------------------------


@PROPERTY
@given(ANYTHING)
def test_model_methods(value):
    vae, ae = _vae(), vaelib.Autoencoder(CONFIG)
    for method in (vae.encode, vae.forward, vae.reconstruct, ae.encode, ae.reconstruct):
        _outcome(lambda m=method: m(value), "x", lambda out: True)
    _outcome(lambda: vae.reconstruct(value), "x", lambda r: _finite(r, 0, 1))
    _outcome(lambda: vae.decode(value), "z", _or_unscanned(_finite, value))
    _outcome(lambda: vae.sample(value), "n", lambda s: _finite(s, 0, 1))
    _outcome(lambda: vae.sample(2, generator=value), "generator", lambda s: _finite(s, 0, 1))


@PROPERTY
@given(ANYTHING)
def test_reparameterize_names_a_bad_generator(value):
    """z = μ + σ·ε is the mathematics (tests/test_models.py); its one argument check: ε's source."""
    kwargs = {"mu": MU, "logvar": MU.flip(0)}
    _call_with(vaelib.VAE.reparameterize, kwargs, "generator", value, _finite)


@PROPERTY
@given(_cases({"image_shape": (1, 4, 4), "hidden_dim": 4, "latent_dim": 2}))
def test_config_and_model(case):
    kwargs = {"image_shape": (1, 4, 4), "hidden_dim": 4, "latent_dim": 2}
    _call_with(MLPConfig, kwargs, *case, lambda config: True)


@PROPERTY
@given(_cases({"model": None, "x_start": None, "x_end": None, "steps": 3}))
def test_interpolations(case):
    kwargs = {"model": _vae(), "x_start": _images(2), "x_end": _images(2, seed=1), "steps": 3}
    _call_with(vaelib.latent_interpolation, kwargs, *case, lambda p: _finite(p, 0, 1))
    if case[0] != "model":
        kwargs.pop("model")
        _call_with(vaelib.pixel_interpolation, kwargs, *case, lambda p: _finite(p, 0, 1))


# --- training --------------------------------------------------------------------------------

FIT_KWARGS = {
    "model": None,
    "train": None,
    "test": None,
    "epochs": 1,
    "batch_size": 4,
    "lr": 1e-3,
    "beta": 1.0,
    "warmup_epochs": 0,
    "free_bits": 0.0,
    "capacity": None,
    "seed": 0,
    "device": "cpu",
    "progress": False,
    "explode_factor": 100.0,
}


@settings(PROPERTY, max_examples=60)
@given(_cases(FIT_KWARGS))
def test_fit(case):
    name, value = case
    if name == "epochs" and isinstance(value, (int, np.integer)) and value > 3:
        value = 3  # keep the run short: a large epoch count is valid, not interesting
    kwargs = dict(FIT_KWARGS, model=_vae(), train=_images(8), test=_images(4, seed=1))

    def valid(history):
        return len(history) >= 1 and _finite(history.train_loss, low=0)

    documented = (TypeError, ValueError, TrainingDivergedError)
    _call_with(vaelib.fit, kwargs, name, value, valid, documented=documented)


EVALUATE_KWARGS = {
    "model": None,
    "data": None,
    "beta": 1.0,
    "free_bits": 0.0,
    "capacity": None,
    "batch_size": 4,
    "seed": 0,
}


@PROPERTY
@given(_cases(EVALUATE_KWARGS))
def test_evaluate(case):
    kwargs = dict(EVALUATE_KWARGS, model=_vae(), data=_images())
    _call_with(vaelib.evaluate, kwargs, *case, lambda s: _finite(list(s.values()), low=0))


@settings(PROPERTY, max_examples=15)
@given(st.sampled_from(["betas", "epochs", "config", "seed"]), ANYTHING)
def test_sweep_beta(name, value):
    kwargs = {"betas": [0.0, 2.0], "train": _images(8), "epochs": 1, "config": CONFIG, "seed": 0}
    if name == "epochs" and isinstance(value, (int, np.integer)) and value > 2:
        value = 2
    if name == "config" and value is None:
        value = CONFIG  # None is valid too, but means 28×28 images, not these 4×4 ones

    def valid(runs):
        return all(_finite(history.train_loss, low=0) for _, history in runs)

    _call_with(vaelib.sweep_beta, dict(kwargs, device="cpu"), name, value, valid)


@PROPERTY
@given(ANYTHING)
def test_seed_everything(value):
    _outcome(lambda: vaelib.seed_everything(value), "seed", lambda r: r is None)


# --- metrics ---------------------------------------------------------------------------------

MEASURES = {
    "encode_dataset": (vaelib.encode_dataset, {"batch_size": 4}, lambda r: _finite(r[0])),
    "kl_per_dimension": (vaelib.kl_per_dimension, {}, lambda r: _finite(r, low=-1e-5)),
    "latent_activity": (vaelib.latent_activity, {}, lambda r: _finite(r, low=0)),
    "active_units": (vaelib.active_units, {"threshold": 0.01}, lambda r: 0 <= r <= 2),
    "iwae_log_likelihood": (
        vaelib.iwae_log_likelihood,
        {"k": 3, "batch_size": 4, "seed": 0, "proposal": "prior"},
        lambda r: math.isfinite(r),
    ),
    "reconstruction_gain_per_dimension": (
        vaelib.reconstruction_gain_per_dimension,
        {"batch_size": 4, "seed": 0},
        _finite,
    ),
}


@PROPERTY
@given(st.sampled_from(sorted(MEASURES)), st.data())
def test_model_measures(measure, data):
    function, options, valid = MEASURES[measure]
    kwargs = {"model": _vae(), "data": _images(), **options}
    name, value = data.draw(_cases(kwargs))
    if name == "k" and isinstance(value, (int, np.integer)) and value > 50:
        value = 50
    _call_with(function, kwargs, name, value, valid)


@PROPERTY
@given(_cases({"images": None, "reference": None, "batch_size": 2}))
def test_nearest_neighbour_distance(case):
    kwargs = {"images": _images(3), "reference": _images(5, seed=1), "batch_size": 2}
    _call_with(vaelib.nearest_neighbour_distance, kwargs, *case, lambda d: _finite(d, 0, 4))


@PROPERTY
@given(_cases({"queries": None, "codes": None, "batch_size": 2}))
def test_nearest_code_distance(case):
    kwargs = {"queries": MU, "codes": MU.flip(1), "batch_size": 2}
    _call_with(vaelib.nearest_code_distance, kwargs, *case, lambda d: _finite(d, low=0))


@PROPERTY
@given(_cases({"codes": None, "labels": None}))
def test_between_class_variance(case):
    kwargs = {"codes": MU, "labels": torch.tensor([0, 1, 1])}
    _call_with(
        vaelib.between_class_variance,
        kwargs,
        *case,
        lambda r: _finite(r[0], low=0) and _finite(r[1], 0, 1 + 1e-9),
    )


@PROPERTY
@given(ANYTHING)
def test_codes_and_images_measures(value):
    _outcome(lambda: vaelib.normal_ks_distance(value), "codes", lambda d: _finite(d, 0, 1))
    _outcome(lambda: vaelib.total_variation(value), "images", lambda d: _finite(d, low=0))


@PROPERTY
@given(_cases({"betas": None, "active_counts": None, "latent_dim": 4, "fraction": 0.5}))
def test_collapse_onset(case):
    kwargs = {"betas": [0.0, 1.0, 4.0], "active_counts": [4, 3, 1], "latent_dim": 4}
    kwargs["fraction"] = 0.5

    name, value = case
    betas = value if name == "betas" else kwargs["betas"]  # a valid replacement is returned

    def valid(onset):
        return onset is None or any(float(onset) == float(b) for b in betas)

    _call_with(vaelib.collapse_onset, kwargs, *case, valid)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_every_model_measure_accepts_other_float_dtypes(dtype):
    for function, options, valid in MEASURES.values():
        assert valid(function(_vae(), _images().to(dtype), **options))
