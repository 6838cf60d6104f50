"""Burda et al.'s model and schedule (vaelib.train.burda), and MLPConfig's depth and activation."""

import pytest
import torch
from torch import nn

import vaelib
from vaelib import VAE, MLPConfig
from vaelib.train.burda import BURDA_CONFIG, BURDA_TABLE1, burda_schedule, train_burda


def test_the_schedule_has_3280_epochs_and_a_learning_rate_falling_tenfold_in_seven_stages():
    schedule = burda_schedule()
    assert sum(epochs for epochs, _ in schedule) == 3280
    assert schedule[0] == (1, 1e-3)
    assert schedule[7][1] == pytest.approx(1e-4)
    assert burda_schedule(2) == schedule[:2]


def test_the_burda_model_is_784_200_200_50_tanh():
    model = VAE(BURDA_CONFIG)
    linears = [m for m in model.encoder if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 200), (200, 200)]
    assert model.to_mu.out_features == 50
    assert sum(isinstance(m, nn.Tanh) for m in model.modules()) == 4
    assert BURDA_TABLE1["IWAE"]["nll"] < BURDA_TABLE1["VAE"]["nll"]


def test_the_default_config_builds_the_same_model_as_before():
    torch.manual_seed(0)
    model = VAE()
    assert [type(m) for m in model.encoder] == [nn.Linear, nn.ReLU]
    assert [type(m) for m in model.decoder] == [nn.Linear, nn.ReLU, nn.Linear]


@pytest.mark.parametrize(
    "kwargs, match",
    [({"hidden_layers": 0}, "hidden_layers"), ({"activation": "sigmoid"}, "activation")],
)
def test_mlp_config_rejects_a_bad_depth_or_activation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLPConfig(**kwargs)


def test_a_deeper_model_round_trips_through_a_checkpoint(tmp_path):
    model = VAE(MLPConfig(hidden_dim=16, latent_dim=3, hidden_layers=3, activation="tanh"))
    loaded = vaelib.load_model(vaelib.save_model(model, tmp_path / "m.pt"))
    assert loaded.config == model.config
    x = torch.rand(2, 1, 28, 28)
    torch.testing.assert_close(loaded.encode(x)[0], model.encode(x)[0])


def test_train_burda_records_the_nll_at_each_stage_and_caches(monkeypatch, tmp_path):
    monkeypatch.setenv("VAELIB_CACHE", str(tmp_path))
    g = torch.Generator().manual_seed(0)
    data = vaelib.ImageData(
        torch.rand(40, 1, 28, 28, generator=g), torch.zeros(40).long(), ["0"], "t"
    )
    evaluation = vaelib.ImageData((data.images[:6] > 0.5).float(), data.labels[:6], ["0"], "e")
    runs = [
        train_burda(
            data, evaluation, iwae_k=2, stages=2, eval_k=10, batch_size=20, cache=True, device="cpu"
        )
        for _ in range(2)
    ]
    (_, curve), (_, again) = runs
    assert curve.epochs == [1, 4]
    assert len(curve.nll) == len(curve.nll_se) == 2 and len(curve.train_loss) == 4
    assert all(se > 0 for se in curve.nll_se)
    assert again == curve  # read back from the cache
    assert len(list((tmp_path / "models").glob("*.pt"))) == 1
