"""Figures of the book. Each function draws what the other modules computed and returns a
matplotlib `Figure` that is not registered with pyplot: a notebook shows it by returning it as a
cell's last expression (in Jupyter and Colab alike, with no `%matplotlib` set-up), and a script
saves it with `fig.savefig(...)`. Nothing is drawn twice and no figure is left open.

The modules follow what the figures show: `images` (grids, reconstructions, interpolations),
`training` (loss curves), `latents` (codes and the decoded manifold), `kl` (the KL term),
`sweeps` (one point per model: rate–distortion, active units, the IWAE bound), `spectrum`
(the data's eigenvalues against the linear VAE's collapse thresholds), `traversals`
(disentanglement: latent traversals, information per factor, a measure against β over seeds)
and `seeds` (several measures of one sweep against β, on a shared axis).
Every function checks its arguments first (`_inputs`): images must be float grey levels in
[0, 1], tensors that require grad or live on a GPU are detached and copied to the CPU, and a bad
argument raises a `TypeError` or `ValueError` (`NonFiniteError`, a `ValueError`, for NaN) that
names it.
"""

from vaelib.plots._figure import BookFigure
from vaelib.plots.images import (
    plot_image_grid,
    plot_image_rows,
    plot_interpolations,
    plot_reconstructions,
)
from vaelib.plots.kl import plot_kl_heatmap, plot_kl_landscape, plot_kl_per_dimension
from vaelib.plots.latents import plot_latent_manifold, plot_latent_marginals, plot_latent_scatter
from vaelib.plots.seeds import plot_measures_against_beta
from vaelib.plots.spectrum import plot_eigenvalue_thresholds
from vaelib.plots.sweeps import plot_active_units, plot_iwae_bounds, plot_rate_distortion
from vaelib.plots.training import plot_likelihood_curves, plot_loss_curves, plot_rate_per_epoch
from vaelib.plots.traversals import (
    plot_against_beta,
    plot_latent_traversal,
    plot_mutual_information,
)

__all__ = [
    "BookFigure",
    "plot_active_units",
    "plot_against_beta",
    "plot_eigenvalue_thresholds",
    "plot_image_grid",
    "plot_image_rows",
    "plot_interpolations",
    "plot_iwae_bounds",
    "plot_kl_heatmap",
    "plot_kl_landscape",
    "plot_kl_per_dimension",
    "plot_latent_manifold",
    "plot_latent_marginals",
    "plot_latent_scatter",
    "plot_latent_traversal",
    "plot_likelihood_curves",
    "plot_loss_curves",
    "plot_measures_against_beta",
    "plot_mutual_information",
    "plot_rate_distortion",
    "plot_rate_per_epoch",
    "plot_reconstructions",
]
