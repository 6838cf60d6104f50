"""Interactive figures that run in the reader's browser (chapters 3, 6 and 8).

Each function returns an `InteractiveFigure`: self-contained HTML and JavaScript (no CDN, no
kernel, no network) that a notebook shows as a cell's output and the built book shows as part
of the page. The static figures of the chapters stay; these add a way to move things.

- `kl_explorer()`: sliders for μ and σ of q = N(μ, σ²) against N(0, 1), with the KL and its parts;
- `latent_explorer(model, codes, labels)`: a 2-D decoder run in the page over the latent plane;
- `beta_explorer(betas, samples, …)`: one slider over a β sweep's images and measurements
  (`sweep_images(models, originals)` computes the images).
"""

from vaelib.interactive._html import InteractiveFigure, figure_data
from vaelib.interactive.beta_explorer import beta_explorer, sweep_images
from vaelib.interactive.decoder_export import ExportedDecoder, export_decoder
from vaelib.interactive.kl_explorer import kl_explorer
from vaelib.interactive.latent_explorer import LatentExplorer, latent_explorer

__all__ = [
    "ExportedDecoder",
    "InteractiveFigure",
    "LatentExplorer",
    "beta_explorer",
    "export_decoder",
    "figure_data",
    "kl_explorer",
    "latent_explorer",
    "sweep_images",
]
