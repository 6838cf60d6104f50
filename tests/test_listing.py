"""`vaelib.show_source`: the listing of the real code that the chapters show."""

import inspect
import textwrap

import pytest

import vaelib
from vaelib.listing import Listing, show_source


def test_the_plain_text_is_the_exact_source():
    listing = show_source(vaelib.gaussian_kl)
    assert repr(listing) + "\n" == inspect.getsource(vaelib.gaussian_kl)


def test_a_method_is_dedented_and_named_by_its_class():
    listing = show_source(vaelib.VAE.encode)
    assert listing.name == "VAE.encode"
    assert listing.path == "vaelib/models/mlp.py"
    assert listing.source == textwrap.dedent(inspect.getsource(vaelib.VAE.encode))
    assert listing.source.startswith("def encode(")


def test_a_static_method_and_a_class_are_listed():
    assert "def reparameterize(" in show_source(vaelib.VAE.reparameterize).source
    assert show_source(vaelib.MLPConfig).source.startswith("@dataclass(frozen=True)\nclass ")


def test_a_bound_method_is_listed_like_its_function():
    vae = vaelib.VAE()
    assert show_source(vae.encode) == show_source(vaelib.VAE.encode)


def test_the_markdown_is_a_python_block_with_a_caption():
    listing = show_source(vaelib.gaussian_kl)
    markdown = listing._repr_markdown_()
    assert markdown.startswith("`gaussian_kl`, from `vaelib/losses/elbo.py`:\n\n```python\n")
    assert markdown.endswith("\n```\n")
    assert listing.source in markdown


def test_a_fence_inside_the_source_cannot_close_the_block():
    listing = Listing("f", "m", "m.py", 'def f():\n    """```python\n    x\n    ```"""\n')
    markdown = listing._repr_markdown_()
    assert "````python\n" in markdown and markdown.endswith("\n````\n")


def test_the_listing_offers_no_html_so_every_renderer_highlights_it_itself():
    assert not hasattr(show_source(vaelib.fit), "_repr_html_")


@pytest.mark.parametrize("obj", [1, "vaelib.fit", len, vaelib.VAE()])
def test_an_object_without_python_source_is_refused_with_the_fix(obj):
    with pytest.raises(TypeError, match=r"show_source needs a function.*show_source\(vaelib"):
        show_source(obj)
