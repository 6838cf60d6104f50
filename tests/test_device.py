"""`pick_device` and the `VAELIB_DEVICE` switch: the best device by default, the named one on
request, and an error that says what to do when the named one is not there.

The GPU is simulated by monkeypatching `torch.cuda.is_available` and `torch.cuda.device_count`,
so these tests mean the same on a laptop and on a machine with CUDA.
"""

import os

import pytest
import torch

from vaelib._support.device import (
    DEVICE_ENV_VAR,
    DeviceNotAvailableError,
    available_devices,
    pick_device,
)


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.fixture
def one_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.mark.parametrize("value", [None, "", "auto", " AUTO "])
def test_unset_or_auto_picks_the_gpu_when_there_is_one(monkeypatch, one_gpu, value):
    if value is None:
        monkeypatch.delenv(DEVICE_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(DEVICE_ENV_VAR, value)
    assert pick_device() == torch.device("cuda")


def test_unset_picks_the_cpu_when_there_is_no_gpu(monkeypatch, no_gpu):
    monkeypatch.delenv(DEVICE_ENV_VAR, raising=False)
    assert pick_device() == torch.device("cpu")


def test_the_variable_can_keep_a_gpu_machine_on_the_cpu(monkeypatch, one_gpu):
    monkeypatch.setenv(DEVICE_ENV_VAR, "cpu")
    assert pick_device() == torch.device("cpu")


@pytest.mark.parametrize("value, expected", [("cuda", "cuda"), ("CUDA:0", "cuda:0")])
def test_the_variable_names_an_available_gpu(monkeypatch, one_gpu, value, expected):
    monkeypatch.setenv(DEVICE_ENV_VAR, value)
    assert pick_device() == torch.device(expected)


def test_an_explicit_argument_overrides_the_variable(monkeypatch, one_gpu):
    monkeypatch.setenv(DEVICE_ENV_VAR, "cpu")
    assert pick_device("cuda") == torch.device("cuda")
    assert pick_device(torch.device("cpu")) == torch.device("cpu")
    assert pick_device("auto") == torch.device("cuda")


def test_a_missing_gpu_is_an_error_naming_the_variable_the_value_and_the_fix(monkeypatch, no_gpu):
    monkeypatch.setenv(DEVICE_ENV_VAR, "cuda")
    with pytest.raises(DeviceNotAvailableError) as error:
        pick_device()
    message = str(error.value)
    assert "VAELIB_DEVICE='cuda'" in message
    assert "available: cpu" in message
    assert "unset VAELIB_DEVICE" in message


def test_a_gpu_index_past_the_last_gpu_is_an_error(monkeypatch, one_gpu):
    monkeypatch.setenv(DEVICE_ENV_VAR, "cuda:1")
    with pytest.raises(DeviceNotAvailableError, match=r"available: cpu, cuda:0"):
        pick_device()


def test_a_missing_mps_is_an_error(monkeypatch, no_gpu):
    monkeypatch.setenv(DEVICE_ENV_VAR, "mps")
    with pytest.raises(DeviceNotAvailableError, match="VAELIB_DEVICE='mps'"):
        pick_device()


@pytest.mark.parametrize("value", ["gpu", "cuda:x", "meta"])
def test_a_value_that_is_not_a_device_is_an_error_listing_the_accepted_ones(monkeypatch, value):
    monkeypatch.setenv(DEVICE_ENV_VAR, value)
    with pytest.raises(ValueError, match=rf"VAELIB_DEVICE='{value}'.*'cuda:N' or 'mps'"):
        pick_device()


def test_a_bad_argument_is_an_error_naming_the_argument():
    with pytest.raises(ValueError, match=r"pick_device\(preferred=...\)='tpu'"):
        pick_device("tpu")


def test_available_devices_lists_every_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert available_devices() == ["cpu", "cuda:0", "cuda:1"]


def test_pytest_runs_on_the_cpu_unless_told_otherwise():
    """The root conftest.py sets VAELIB_DEVICE=cpu (if unset) so nbval's kernels, which inherit
    pytest's environment, reproduce the outputs stored from a CPU run."""
    assert os.environ.get(DEVICE_ENV_VAR), "the root conftest.py did not set VAELIB_DEVICE"


def test_a_kernel_started_by_pytest_inherits_the_switch():
    """What nbval does: start a Jupyter kernel from the pytest process and run code in it."""
    jupyter_client = pytest.importorskip("jupyter_client")
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(
            "", user_expressions={"device": f"__import__('os').environ.get('{DEVICE_ENV_VAR}')"}
        )
        value = reply["content"]["user_expressions"]["device"]["data"]["text/plain"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert value == repr(os.environ[DEVICE_ENV_VAR])
