"""Property-based tests of the figures: for generated arguments, each `plot_*` function either
returns a figure that renders, or raises a TypeError/ValueError whose message names the bad
argument. Each argument is drawn valid or invalid, so the test knows which names to expect."""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from vaelib import History, plots

SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
NOT_A_NUMBER = st.sampled_from([float("nan"), float("inf"), "1", None, True, [1.0]])


def good(strategy):
    return strategy.map(lambda value: (value, True))


def bad(strategy):
    return strategy.map(lambda value: (value, False))


def either(valid, invalid):
    """(value, is_valid): drawn from `valid` or from `invalid`."""
    return st.one_of(good(valid), bad(invalid))


def check_call(function, render: bool = True, **arguments):
    """Call `function` with the values of `arguments` ({name: (value, is_valid)}): it must
    return a figure that renders if every argument is valid, else raise naming a bad one."""
    kwargs = {name: value for name, (value, _) in arguments.items()}
    invalid = [name for name, (_, ok) in arguments.items() if not ok]
    if not invalid:
        fig = function(**kwargs)
        assert isinstance(fig, Figure)
        if render:
            assert fig._repr_png_().startswith(b"\x89PNG")
        return
    with pytest.raises((TypeError, ValueError)) as error:
        function(**kwargs)
    assert any(name in str(error.value) for name in invalid), (invalid, str(error.value))


@st.composite
def image_tensors(draw, n=None, shape=None):
    """Valid images: float tensors (n, 1 or 3, h, w) in [0, 1], maybe requiring grad."""
    n = n if n is not None else draw(st.integers(1, 6))
    shape = shape or (
        draw(st.sampled_from([1, 3])),
        draw(st.integers(2, 9)),
        draw(st.integers(2, 9)),
    )
    seed = draw(st.integers(0, 2**16))
    x = torch.rand(n, *shape, generator=torch.Generator().manual_seed(seed))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    return x.to(dtype).requires_grad_(draw(st.booleans()))


@st.composite
def bad_image_tensors(draw):
    """Invalid images: uint8, empty, out of [0, 1], NaN, flat, two channels, or not a tensor."""
    x = torch.rand(3, 1, 5, 5)
    kind = draw(st.sampled_from(["uint8", "empty", "logits", "nan", "flat", "2ch", "numpy"]))
    return {
        "uint8": (x * 255).to(torch.uint8),
        "empty": x[:0],
        "logits": 4 * x - 2,
        "nan": x.masked_fill(x > 0.5, float("nan")),
        "flat": x.flatten(1),
        "2ch": torch.rand(3, 2, 5, 5),
        "numpy": x.numpy(),
    }[kind]


def text(max_size: int = 12):
    """Plain text (no mathtext): Latin and Greek letters, digits, punctuation."""
    characters = st.characters(
        min_codepoint=32, max_codepoint=0x3FF, exclude_categories=("Cc",), exclude_characters="$\\"
    )
    return st.text(characters, max_size=max_size)


TITLES = either(st.none() | text(), st.integers() | st.sampled_from([b"t", "$x^$", r"$\foo$"]))


@SETTINGS
@given(
    images=either(image_tensors(), bad_image_tensors()),
    nrow=either(st.integers(1, 12), st.sampled_from([0, -3, 2.0, True, "4", None])),
    title=TITLES,
)
def test_image_grid_draws_or_names_the_bad_argument(images, nrow, title):
    check_call(plots.plot_image_grid, images=images, nrow=nrow, title=title)


@SETTINGS
@given(data=st.data())
def test_image_rows_and_interpolations_draw_or_name_the_bad_argument(data):
    n, shape = data.draw(st.integers(1, 5)), (1, 6, 6)
    count = data.draw(st.integers(1, 3))
    rows = [data.draw(image_tensors(n=n, shape=shape)) for _ in range(count)]
    rows_arg = data.draw(
        either(st.just(rows), st.sampled_from([[], [rows[0], rows[0][:0]], "rows", rows[0][0]]))
    )
    labels = data.draw(
        either(
            st.lists(text(5), min_size=count, max_size=count),
            st.sampled_from([["a"] * (count + 1), [1] * count, "a" * count]),
        )
    )
    function = data.draw(st.sampled_from([plots.plot_image_rows, plots.plot_interpolations]))
    check_call(function, render=False, rows=rows_arg, labels=labels)


@SETTINGS
@given(data=st.data())
def test_reconstructions_draw_or_name_the_bad_argument(data):
    originals = data.draw(image_tensors())
    same = image_tensors(n=len(originals), shape=tuple(originals.shape[1:]))
    recon = data.draw(either(same, bad_image_tensors() | image_tensors(n=len(originals) + 1)))
    labels = data.draw(either(st.lists(text(4), max_size=1), st.just(["a", "b"])))

    def plot(originals, reconstruction, labels):
        return plots.plot_reconstructions(originals, reconstruction, labels=labels)

    check_call(plot, originals=(originals, True), reconstruction=recon, labels=labels)


@SETTINGS
@given(data=st.data())
def test_latent_scatter_and_marginals_draw_or_name_the_bad_argument(data):
    n, d = data.draw(st.integers(1, 40)), data.draw(st.integers(1, 4))
    seed = data.draw(st.integers(0, 1000))
    generator = torch.Generator().manual_seed(seed)
    codes = torch.randn(n, d, generator=generator)
    codes_arg = data.draw(
        either(
            st.sampled_from([codes, codes.clone().requires_grad_(True), codes.double()]),
            st.sampled_from([codes[:0], codes.numpy(), codes.masked_fill(codes > 1, math.inf)]),
        )
    )
    labels = data.draw(
        either(
            st.just(torch.randint(0, 10, (n,), generator=generator)),
            st.sampled_from([torch.rand(n), torch.zeros(n + 1, dtype=torch.long), [0] * n]),
        )
    )
    dims = data.draw(
        either(
            st.lists(st.integers(0, d - 1), min_size=2, max_size=2).map(tuple),
            st.sampled_from([(0, d), (-1, 0), (0,), "01", (0.0, 1.0)]),
        )
    )
    check_call(plots.plot_latent_scatter, render=False, codes=codes_arg, labels=labels, dims=dims)
    marginal_dims = data.draw(
        either(st.lists(st.integers(0, d - 1), min_size=1, max_size=d), st.just([d]) | st.just([]))
    )
    check_call(plots.plot_latent_marginals, render=False, codes=codes_arg, dims=marginal_dims)


FINITE = st.floats(-1e6, 1e6, allow_nan=False)
POSITIVE = st.floats(0, 1e4, allow_nan=False)


@SETTINGS
@given(data=st.data())
def test_kl_figures_draw_or_name_the_bad_argument(data):
    models, d = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 8))
    kl = torch.rand(models, d) * data.draw(st.floats(0, 100))
    labels = data.draw(
        either(
            st.lists(text(4) | POSITIVE, min_size=models, max_size=models),
            st.sampled_from([[None] * models, ["a"] * (models + 1), [math.nan] * models]),
        )
    )
    matrix = data.draw(
        either(st.just(kl), st.sampled_from([kl[0], kl.masked_fill(kl >= 0, -math.inf), "kl"]))
    )
    threshold = data.draw(either(st.floats(1e-6, 10), st.sampled_from([0, -1.0, math.nan, "0"])))
    check_call(
        plots.plot_kl_heatmap,
        kl_matrix=matrix,
        labels=labels,
        threshold=threshold,
        title=(None, True),
    )
    bars = data.draw(either(st.just(kl[0]), st.sampled_from([kl, kl[0, :0], kl[0].long(), [1.0]])))
    check_call(plots.plot_kl_per_dimension, render=False, kl=bars)


@SETTINGS
@given(
    mu_max=either(st.floats(1e-3, 100), st.sampled_from([0.0, -1.0, 1e3, math.inf, "3"])),
    sigma=either(
        st.tuples(st.floats(1e-3, 50), st.floats(1.01, 2)).map(lambda t: (t[0], t[0] * t[1])),
        st.sampled_from([(0.0, 1.0), (2.0, 1.0), (1.0,), (1e-9, 1.0), (1.0, math.nan), "ab"]),
    ),
    n=either(st.integers(2, 25), st.sampled_from([1, 0, 2001, 20.0, None])),
)
def test_kl_landscape_draws_or_names_the_bad_argument(mu_max, sigma, n):
    check_call(plots.plot_kl_landscape, mu_max=mu_max, sigma_range=sigma, n=n)


@SETTINGS
@given(data=st.data())
def test_sweep_figures_draw_or_name_the_bad_argument(data):
    size = data.draw(st.integers(1, 6))
    rates = data.draw(
        either(
            st.lists(POSITIVE, min_size=size, max_size=size),
            st.sampled_from([[-1.0] * size, [math.nan] * size, [1.0] * (size + 1), "r", []]),
        )
    )
    distortions = data.draw(
        either(st.lists(FINITE, min_size=size, max_size=size), st.just([None] * size))
    )
    labels = data.draw(
        either(
            st.lists(POSITIVE | text(3), min_size=size, max_size=size),
            st.sampled_from([[None] * size, [math.nan] * size, "ab", None]),
        )
    )
    check_call(plots.plot_rate_distortion, rates=rates, distortions=distortions, labels=labels)

    betas = sorted(set(data.draw(st.lists(POSITIVE, min_size=size, max_size=size))))
    dim = data.draw(st.integers(1, 30))
    counts = data.draw(
        either(
            st.lists(st.integers(0, dim), min_size=len(betas), max_size=len(betas)),
            st.sampled_from([[dim + 1] * len(betas), [-1] * len(betas), [0.5] * len(betas)]),
        )
    )
    onset = data.draw(either(st.none() | st.sampled_from(betas), st.sampled_from([-2.0, "b"])))
    check_call(
        plots.plot_active_units,
        render=False,
        betas=(betas, True),
        counts=counts,
        latent_dim=(dim, True),
        onset=onset,
    )

    ks = data.draw(
        either(
            st.lists(st.integers(1, 10_000), min_size=1, max_size=5, unique=True).map(sorted),
            st.sampled_from([[0], [-5, 1], [1.5], [True]]),
        )
    )
    bounds = [-100.0 + i for i in range(len(ks[0]))]
    elbo = data.draw(either(st.none() | FINITE, NOT_A_NUMBER.filter(lambda v: v is not None)))
    check_call(plots.plot_iwae_bounds, render=False, ks=ks, bounds=(bounds, True), elbo=elbo)


@SETTINGS
@given(data=st.data())
def test_training_figures_draw_or_name_the_bad_argument(data):
    epochs = data.draw(st.integers(1, 5))
    values = st.lists(st.floats(1e-3, 1e3), min_size=epochs, max_size=epochs)
    with_test = data.draw(st.booleans())
    history = History(
        epoch=list(range(1, epochs + 1)),
        train_reconstruction=data.draw(values),
        train_kl=data.draw(values),
        test_loss=[1.0] * epochs * with_test,
        test_reconstruction=data.draw(values) if with_test else [],
        test_kl=data.draw(values) if with_test else [],
    )
    broken = History(epoch=[1, 2], train_reconstruction=[1.0], train_kl=[1.0, math.nan])
    history_arg = data.draw(either(st.just(history), st.sampled_from([History(), broken, {}])))
    check_call(plots.plot_loss_curves, render=False, history=history_arg, title=(None, True))
    histories = data.draw(
        either(st.just([history, history]), st.sampled_from([[History()], [history, None], []]))
    )
    labels = data.draw(either(st.just(["a", "b"]), st.sampled_from([["a"], [1, 2], "ab"])))
    check_call(plots.plot_rate_per_epoch, render=False, histories=histories, labels=labels)


def test_the_property_helpers_catch_a_function_that_ignores_a_bad_argument():
    def ignores(x):
        return plots.plot_kl_per_dimension(torch.rand(3))

    with pytest.raises(pytest.fail.Exception):
        check_call(ignores, x=(np.zeros(2), False))
