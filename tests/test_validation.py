"""The validation layer (`vaelib._support.checks`) and the bad inputs of issue 8, one test each:
every bad argument gets a TypeError or ValueError that names it, shows the value and says the
fix."""

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import vaelib
from vaelib import (
    VAE,
    Autoencoder,
    MLPConfig,
    active_units,
    evaluate,
    fit,
    iwae_log_likelihood,
    nearest_neighbour_distance,
    pixel_interpolation,
    reconstruction_gain_per_dimension,
    total_variation,
)
from vaelib._support.checks import (
    NonFiniteError,
    check_batch_size,
    check_bool,
    check_class_labels,
    check_device,
    check_images,
    check_number,
    check_positive_int,
    check_probability,
    check_seed,
    check_sequence,
    check_threshold,
)

SMALL = MLPConfig(hidden_dim=16, latent_dim=3)


@pytest.fixture
def vae():
    torch.manual_seed(0)
    return VAE(SMALL)


# --- dtypes: other floats are converted once, integers and bools are refused -----------------


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_other_float_images_are_converted_to_float32(vae, random_images, dtype):
    x = random_images[:8]
    converted = check_images(x.to(dtype), "x", (1, 28, 28))
    assert converted.dtype == torch.float32
    mu, _ = vae.encode(x.to(dtype))
    assert mu.dtype == torch.float32
    expected = evaluate(vae, x.to(dtype).float())  # the same rounding, then float32
    assert evaluate(vae, x.to(dtype)) == expected


def test_fit_accepts_a_float64_test_set(vae, random_images):
    history = fit(
        vae, random_images[:64], random_images[64:96].double(), epochs=1, progress=False,
        device="cpu",
    )  # fmt: skip
    assert math.isfinite(history.test_loss[0])


def test_a_bad_test_set_fails_before_any_training(vae, random_images):
    before = [p.clone() for p in vae.parameters()]
    with pytest.raises(ValueError, match=r"test must hold pixel intensities in \[0, 1\]"):
        fit(vae, random_images, random_images * 255, epochs=1, progress=False, device="cpu")
    assert all(torch.equal(a, b) for a, b in zip(before, vae.parameters()))


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int64, torch.bool])
def test_integer_and_bool_images_are_refused_with_the_fix(vae, dtype):
    with pytest.raises(TypeError, match=re.escape("x.float() / 255")):
        vae.encode(torch.zeros(2, 1, 28, 28, dtype=dtype))


# --- value ranges: the offending value printed exactly ----------------------------------------


def test_a_pixel_just_above_one_is_refused_with_its_exact_value(vae, random_images):
    x = random_images[:4].double()
    x[2, 0, 5, 7] = 1.0000001
    with pytest.raises(ValueError, match=re.escape("got 1.0000001 at index (2, 0, 5, 7)")):
        vae.reconstruct(x)
    x32 = x.float()  # float32 cannot hold 1.0000001: the message shows what it does hold
    with pytest.raises(ValueError, match=re.escape(repr(x32.max().item()))):
        evaluate(vae, x32)


def test_a_negative_pixel_is_refused_with_its_value(random_images):
    x = random_images[:2].clone()
    x[1, 0, 0, 3] = -0.5
    with pytest.raises(ValueError, match=re.escape("got -0.5 at index (1, 0, 0, 3)")):
        check_images(x, "x")


def test_nan_pixels_are_counted_and_located(random_images):
    x = random_images[:2].clone()
    x[1, 0, 4, 4] = float("nan")
    with pytest.raises(NonFiniteError, match=re.escape("1 of 1568, the first nan at index")):
        check_images(x, "x")


def test_the_entry_points_refuse_0_255_images():
    x = torch.full((1, 1, 28, 28), 255.0)
    with pytest.raises(
        ValueError, match=r"data must hold pixel intensities in \[0, 1\], got 255.0"
    ):
        evaluate(VAE(SMALL), x)
    with pytest.raises(ValueError, match=r"train must hold pixel intensities in \[0, 1\]"):
        fit(VAE(SMALL), x, epochs=1, progress=False, device="cpu")


def test_total_variation_refuses_uint8_and_0_255_images():
    with pytest.raises(TypeError, match=re.escape("/ 255")):
        total_variation(torch.full((1, 1, 4, 4), 200, dtype=torch.uint8))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        total_variation(torch.full((1, 1, 4, 4), 200.0))


def test_pixel_interpolation_and_nearest_neighbour_refuse_0_255_images(random_images):
    x = random_images[:2] * 255
    with pytest.raises(ValueError, match=r"x_start must hold pixel intensities in \[0, 1\]"):
        pixel_interpolation(x, random_images[:2])
    with pytest.raises(ValueError, match=r"images must hold pixel intensities"):
        nearest_neighbour_distance(x, random_images)
    with pytest.raises(ValueError, match=r"reference must hold pixel intensities"):
        nearest_neighbour_distance(random_images[:2], random_images * 255)


# --- batch sizes, k, thresholds, counts -------------------------------------------------------


@pytest.mark.parametrize("batch_size", [-1, 0])
def test_measures_refuse_batch_sizes_below_one(vae, random_images, batch_size):
    message = f"batch_size must be a positive integer, got {batch_size}"
    for measure in (evaluate, iwae_log_likelihood, reconstruction_gain_per_dimension):
        with pytest.raises(ValueError, match=message):
            measure(vae, random_images[:8], batch_size=batch_size)


@pytest.mark.parametrize("batch_size", [2.5, "8", True, None])
def test_batch_sizes_of_the_wrong_type_are_type_errors(batch_size):
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        check_batch_size(batch_size)


def test_numpy_integers_count_as_integers():
    assert check_batch_size(np.int64(8)) == 8 and type(check_batch_size(np.int32(8))) is int
    assert check_positive_int(np.uint8(3), "k") == 3


def test_active_units_needs_two_images_and_a_non_negative_threshold(vae, random_images):
    with pytest.raises(ValueError, match="at least 2 images"):
        active_units(vae, random_images[:1])
    with pytest.raises(ValueError, match="threshold must be >= 0, got -1.0"):
        active_units(vae, random_images, threshold=-1)
    with pytest.raises(ValueError, match="threshold"):
        check_threshold(float("nan"))


def test_iwae_k_must_be_a_positive_integer(vae, random_images):
    with pytest.raises(TypeError, match=r"k must be an integer, got float 10.0; pass int\(10.0\)"):
        iwae_log_likelihood(vae, random_images[:4], k=10.0)


# --- numbers, seeds, devices, flags, sequences ------------------------------------------------


@pytest.mark.parametrize("value", [True, "1", None, torch.tensor(1.0), [1.0]])
def test_numbers_of_the_wrong_type_are_type_errors(value):
    with pytest.raises(TypeError, match="beta must be a number"):
        check_number(value, "beta")


def test_number_ranges_are_stated_in_the_message():
    with pytest.raises(ValueError, match=r"fraction must be finite and >= 0 and <= 1, got 1.5"):
        check_probability(1.5, "fraction")
    assert check_number(np.float32(0.5), "lr") == 0.5


@pytest.mark.parametrize("seed", [0, 2**63 - 1, np.int64(7), np.uint32(3)])
def test_seeds_are_integers_in_0_to_2_to_the_63(seed):
    assert check_seed(seed) == int(seed)


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (2**63, ValueError), (1.0, TypeError), (True, TypeError)]
)
def test_bad_seeds_are_refused(seed, error):
    with pytest.raises(error, match="seed"):
        check_seed(seed)


def test_seed_everything_accepts_seeds_beyond_numpy_range():
    vaelib.seed_everything(2**40)
    vaelib.seed_everything(np.int64(3))


def test_devices_are_checked_by_name_and_availability():
    assert check_device("cpu") == torch.device("cpu")
    with pytest.raises(ValueError, match="'gpu' is not a device name"):
        check_device("gpu")
    with pytest.raises(TypeError, match="device must be a string"):
        check_device(0)
    with pytest.raises(ValueError, match="not supported"):
        check_device("meta")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda' is not available on this machine"):
            check_device("cuda")


def test_fit_names_a_bad_device(vae, random_images):
    with pytest.raises(ValueError, match="device 'gpu'"):
        fit(vae, random_images, device="gpu", progress=False)


def test_flags_and_sequences_are_typed():
    assert check_bool(np.bool_(True), "progress") is True
    with pytest.raises(TypeError, match="progress must be True or False"):
        check_bool("no", "progress")
    assert check_sequence(np.array([1, 2]), "betas") == [1, 2]
    with pytest.raises(TypeError, match="betas must be a list or tuple"):
        check_sequence(iter([1, 2]), "betas")


# --- shapes, empty inputs, models -------------------------------------------------------------


def test_empty_and_misshapen_inputs_are_named(vae, random_images):
    with pytest.raises(ValueError, match=r"data is empty \(shape \(0, 1, 28, 28\)\)"):
        evaluate(vae, random_images[:0])
    with pytest.raises(ValueError, match=r"data must have shape \(batch, 1, 28, 28\)"):
        evaluate(vae, random_images.view(-1, 784))
    with pytest.raises(TypeError, match="data must be an ImageData or a tensor"):
        evaluate(vae, random_images.numpy())


def test_models_and_configs_are_typed(random_images):
    with pytest.raises(TypeError, match="config must be an MLPConfig"):
        VAE(20)
    with pytest.raises(ValueError, match="image_shape must be"):
        MLPConfig(image_shape=(28, 28))
    with pytest.raises(TypeError, match="needs a VAE"):
        iwae_log_likelihood(Autoencoder(SMALL), random_images[:2])
    with pytest.raises(TypeError, match="model must be a vaelib VAE or Autoencoder"):
        evaluate(torch.nn.Linear(784, 1), random_images[:2])


@given(
    st.lists(st.integers(-3, 12), min_size=1, max_size=20),
    st.sampled_from([torch.int64, torch.int32, torch.int16]),
)
def test_class_labels_are_accepted_exactly_when_they_index_the_classes(values, dtype):
    labels = torch.tensor(values, dtype=dtype)
    if 0 <= min(values) and max(values) < 10:
        assert check_class_labels(labels, n=len(values), num_classes=10) is labels
    else:
        got = rf"got values in \[{min(values)}, {max(values)}\]"
        with pytest.raises(ValueError, match=rf"labels must lie in \[0, 10\), {got}"):
            check_class_labels(labels, n=len(values), num_classes=10)


def test_class_labels_of_the_wrong_kind_or_length_are_named():
    with pytest.raises(TypeError, match=r"y must hold integer class indices.*y\.long\(\)"):
        check_class_labels(torch.tensor([0.0, 1.0]), "y")
    with pytest.raises(TypeError, match="integer class indices"):
        check_class_labels(torch.tensor([True, False]))
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\), one label per code"):
        check_class_labels(torch.tensor([0, 1]), n=3, per="code")
    with pytest.raises(ValueError, match="labels is empty"):
        check_class_labels(torch.zeros(0, dtype=torch.int64))
