"""The interactive figures, Python side: self-contained, deterministic HTML and a faithful
decoder export. (That the page's JavaScript computes what Python says is checked in a real
browser by tests/test_interactive_browser.py.)"""

import base64
import re

import numpy as np
import pytest
import torch

import vaelib
from vaelib import VAE, Autoencoder, MLPConfig, interactive
from vaelib.interactive import (
    InteractiveFigure,
    beta_explorer,
    export_decoder,
    kl_explorer,
    latent_explorer,
    sweep_images,
)
from vaelib.interactive._html import asset
from vaelib.interactive.decoder_export import max_grey_error, torch_decode, z_grid

GREY = 1 / 255


@pytest.fixture(scope="module")
def vae_2d():
    """A random-weight 784-400-2 VAE whose logits span about ±10, like a trained decoder's."""
    torch.manual_seed(0)
    model = VAE(MLPConfig(latent_dim=2)).eval()
    with torch.no_grad():
        model.decoder[2].weight.mul_(8)
    return model


@pytest.fixture(scope="module")
def codes():
    generator = torch.Generator().manual_seed(0)
    return torch.randn(5000, 2, generator=generator), torch.randint(
        0, 10, (5000,), generator=generator
    )


def _beta_figure(**overrides):
    generator = torch.Generator().manual_seed(0)
    arguments = dict(
        betas=[0, 1, 4],
        samples=torch.rand(3, 8, 1, 28, 28, generator=generator),
        reconstructions=torch.rand(3, 4, 1, 28, 28, generator=generator),
        originals=torch.rand(4, 1, 28, 28, generator=generator),
        active_units=[20, 15, 4],
        rates=[30.0, 20.0, 5.0],
        distortions=[80.0, 90.0, 120.0],
    )
    return beta_explorer(**(arguments | overrides))


@pytest.fixture(scope="module")
def figures(vae_2d, codes):
    return [kl_explorer(), latent_explorer(vae_2d, *codes), _beta_figure()]


# --------------------------------------------------------------------------- the wrapper


def test_figures_are_self_contained(figures):
    for figure in figures:
        text = figure._repr_html_()
        assert not re.search(r"https?://|//cdn|require\(|import\(|fetch\(|XMLHttpRequest", text)
        assert not re.search(r"<(script|img|link|iframe)[^>]*\s(src|href)=\"(?!data:)", text)
        assert text.count("<script") == 1 and text.count("</script>") == 1
        assert text.startswith(f'<div class="vaelib-fig vaelib-{figure.kind}" id="{figure.id}"')


def test_javascript_and_css_cannot_end_the_script_element_early():
    for name in ("common.js", "kl_explorer.js", "latent_explorer.js", "beta_explorer.js"):
        assert not re.search(r"</script|<!--", asset(name), re.IGNORECASE), name
    assert "vfStart" in asset("common.js")


def test_html_and_ids_are_the_same_for_the_same_input(vae_2d, codes):
    assert kl_explorer().html == kl_explorer().html
    assert latent_explorer(vae_2d, *codes).html == latent_explorer(vae_2d, *codes).html
    assert _beta_figure().html == _beta_figure().html
    assert re.fullmatch(r"vaelib-kl-explorer-[0-9a-f]{12}", kl_explorer().id)
    assert kl_explorer(mu=0.5).id != kl_explorer().id


def test_text_form_is_a_fixed_sentence_without_addresses(figures):
    for figure in figures:
        assert repr(figure) == repr(figure) and " at 0x" not in repr(figure)
        assert figure.title in repr(figure)


def test_save_writes_a_standalone_page(tmp_path):
    figure = kl_explorer()
    page = figure.save(tmp_path / "kl.html", theme="dark").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en" data-theme="dark">' in page
    assert figure.html in page
    with pytest.raises(ValueError, match="theme must be"):
        figure.save(tmp_path / "x.html", theme="blue")


def test_figures_have_labelled_keyboard_controls(figures):
    kl, latent, beta = (figure.html for figure in figures)
    assert re.search(r"<label[^>]*><span>mean μ</span><input type=\"range\" name=\"mu\"", kl)
    assert re.search(r"<label[^>]*><span>KL weight β</span><input type=\"range\"", beta)
    assert re.search(r'<canvas class="vf-plane"[^>]*tabindex="0" aria-label="', latent)
    assert 'html[data-theme="dark"] .vaelib-fig' in kl and "prefers-color-scheme: dark" in kl


# --------------------------------------------------------------------------- KL explorer


def test_kl_explorer_rejects_a_start_outside_its_slider():
    with pytest.raises(ValueError, match=r"sigma must lie in its slider's range \[0.1, 3\]"):
        kl_explorer(sigma=0.05)
    with pytest.raises(ValueError, match="sigma_range must be finite"):
        kl_explorer(sigma_range=(0, 2))
    with pytest.raises(TypeError, match="mu must be a number"):
        kl_explorer(mu="1")


def test_kl_explorer_names_the_two_parts_the_chapter_derives():
    text = kl_explorer().html
    assert "offset part ½μ²" in text and "sharpness part ½(σ² − 1 − log σ²)" in text


# --------------------------------------------------------------------------- decoder export


def test_float16_export_decodes_within_half_a_grey_level_of_pytorch(vae_2d):
    exported = export_decoder(vae_2d, "float16")
    grid = z_grid(4.0)
    assert max_grey_error(exported, vae_2d, grid) < 0.5 * GREY
    assert exported.w2_stored.dtype == np.float16 and exported.w2_scale is None


def test_float32_export_is_the_decoder_itself(vae_2d):
    exported = export_decoder(vae_2d, "float32")
    assert max_grey_error(exported, vae_2d, z_grid(4.0)) < 1e-5  # float32 round-off
    assert exported.checksum == pytest.approx(
        sum(p.abs().double().sum().item() for p in vae_2d.decoder.parameters()), rel=1e-9
    )


def test_int8_export_stores_one_scale_per_row(vae_2d):
    exported = export_decoder(vae_2d, "int8")
    w2 = vae_2d.decoder[2].weight.detach().double().numpy()
    assert exported.w2_stored.dtype == np.int8 and exported.w2_scale.shape == (784,)
    assert np.abs(exported.w2_stored).max(axis=1).min() == 127  # each row uses the full range
    assert np.abs(exported.w2 - w2).max() <= exported.w2_scale.max() / 2 + 1e-9


def test_auto_picks_the_smallest_precision_within_half_a_grey_level(vae_2d):
    torch.manual_seed(0)
    faint = VAE(MLPConfig(latent_dim=2)).eval()
    with torch.no_grad():  # logits within ±1: the int8 step is fine enough
        faint.decoder[2].weight.mul_(0.25)
    assert export_decoder(faint).precision == "int8"
    # Logits of ±10, as a trained decoder has them: int8's step is too coarse, float16 is not.
    assert max_grey_error(export_decoder(vae_2d, "int8"), vae_2d, z_grid(4.0)) > 0.5 * GREY
    assert export_decoder(vae_2d).precision == "float16"


def test_payload_holds_every_weight_in_its_precision(vae_2d):
    for precision, itemsize in (("int8", 1), ("float16", 2), ("float32", 4)):
        payload = export_decoder(vae_2d, precision).to_payload()
        assert len(base64.b64decode(payload["w2"])) == 784 * 400 * itemsize
        assert len(base64.b64decode(payload["w1"])) == 400 * 2 * 4
        assert ("w2Scale" in payload) == (precision == "int8")


def test_decode_takes_one_code_or_a_batch(vae_2d):
    exported = export_decoder(vae_2d, "float32")
    one, batch = exported.decode((0.5, -1.0)), exported.decode(torch.tensor([[0.5, -1.0]] * 3))
    assert one.shape == (28, 28) and batch.shape == (3, 28, 28)
    np.testing.assert_allclose(batch[2], one)
    with pytest.raises(ValueError, match=r"z must be finite with shape \(2,\) or \(n, 2\)"):
        exported.decode(np.zeros(3))


def test_export_rejects_a_latent_space_that_is_not_a_plane():
    with pytest.raises(ValueError, match="latent_dim 2, got 20"):
        export_decoder(VAE(MLPConfig(latent_dim=20)))
    with pytest.raises(ValueError, match="precision must be one of"):
        export_decoder(Autoencoder(MLPConfig(latent_dim=2)), "int4")


# --------------------------------------------------------------------------- latent explorer


def test_latent_explorer_gives_what_the_chapter_asserts(vae_2d, codes):
    figure = latent_explorer(vae_2d, *codes, precision="float16")
    z0 = np.zeros((1, 2))
    assert np.abs(figure.decode(z0[0]) - torch_decode(vae_2d, z0)[0]).max() <= GREY
    assert figure.max_grey_error < 0.5 * GREY
    assert figure.size_bytes < 1_000_000  # the real 784-400-2 decoder in float16
    assert figure.weights_checksum == pytest.approx(
        sum(p.abs().double().sum().item() for p in vae_2d.decoder.parameters()), rel=1e-3
    )
    assert isinstance(figure, InteractiveFigure) and figure.precision == "float16"


def test_latent_explorer_draws_at_most_3000_codes(vae_2d, codes):
    figure = latent_explorer(vae_2d, *codes, precision="int8")
    payload = re.search(r'"codes":"([A-Za-z0-9+/=]*)"', figure.html).group(1)
    assert len(base64.b64decode(payload)) == 3000 * 2 * 2  # float16 pairs
    assert len(base64.b64decode(re.search(r'"labels":"([^"]*)"', figure.html).group(1))) == 3000


def test_latent_explorer_checks_codes_and_labels(vae_2d, codes):
    with pytest.raises(ValueError, match=r"codes must have shape \(n, 2\)"):
        latent_explorer(vae_2d, torch.zeros(10, 3))
    with pytest.raises(ValueError, match=r"labels must have shape \(10,\)"):
        latent_explorer(vae_2d, torch.zeros(10, 2), torch.zeros(9, dtype=torch.long))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\), got values in \[12, 12\]"):
        latent_explorer(vae_2d, torch.zeros(10, 2), torch.full((10,), 12))


# --------------------------------------------------------------------------- β explorer


def test_beta_explorer_embeds_one_png_pair_per_beta_and_starts_at_beta_one():
    text = _beta_figure().html
    assert (
        text.count("data:image/png;base64,") == 3 * 2 + 3
    )  # the states; the first pair; originals
    assert 'value="1"' in text and '<output class="vf-num" data-vf="active">15</output>' in text
    assert text.count('<circle class="vf-point"') == 3


def test_beta_explorer_checks_that_every_list_has_one_entry_per_beta():
    with pytest.raises(ValueError, match=r"rates must have one value per β \(3\), got 2"):
        _beta_figure(rates=[1.0, 2.0])
    with pytest.raises(ValueError, match="samples must hold one set of images per β"):
        _beta_figure(samples=torch.rand(2, 8, 1, 28, 28))
    with pytest.raises(ValueError, match=r"grey levels in \[0, 1\]"):
        _beta_figure(originals=torch.full((4, 1, 28, 28), 2.0))
    with pytest.raises(ValueError, match="start must be an index into betas, 0 to 2"):
        _beta_figure(start=3)


def test_sweep_images_decodes_the_same_codes_with_every_model():
    torch.manual_seed(0)
    small = MLPConfig(hidden_dim=16, latent_dim=3)
    first, other = VAE(small), VAE(small)
    originals = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    samples, reconstructions = sweep_images([first, other, first], originals, n_samples=6)
    assert samples.shape == (3, 6, 1, 28, 28) and reconstructions.shape == (3, 4, 1, 28, 28)
    assert torch.equal(samples[0], samples[2]) and not torch.equal(samples[0], samples[1])
    assert torch.allclose(reconstructions[1], other.reconstruct(originals))


def test_a_pages_decoder_reads_back_exactly_as_exported():
    """What the book's browser test relies on: the page's data gives back the same decoder."""
    torch.manual_seed(0)
    model = vaelib.VAE(vaelib.MLPConfig(latent_dim=2))
    codes = torch.randn(50, 2, generator=torch.Generator().manual_seed(0))
    figure = interactive.latent_explorer(model, codes)
    payload = interactive.figure_data(figure._repr_html_())["decoder"]
    decoder = interactive.ExportedDecoder.from_payload(payload)
    z = np.array([[0.3, -1.2], [0.0, 0.0]])
    assert np.array_equal(decoder.decode(z), figure.decode(z))


def test_figure_data_refuses_html_without_a_figure():
    with pytest.raises(ValueError, match="no vaelib interactive figure"):
        interactive.figure_data("<p>nothing here</p>")
