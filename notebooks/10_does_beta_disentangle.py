# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 10. Does a large β disentangle?
#
# The book so far shows a $\beta > 1$ destroying the code ([chapter 5](05_posterior_collapse.ipynb),
# [chapter 6](06_beta_landscape.ipynb)). Yet the β-VAE {cite:p}`higgins2017betavae` was proposed
# for the opposite reason: a moderate $\beta > 1$ was reported to give *disentangled* codes, one
# latent dimension per factor of variation of the data. Later work
# {cite:p}`locatello2019challenging` found that such results depend heavily on the random seed.
# This chapter measures both claims.
#
# In this chapter you will
#
# - train VAEs on sprites whose factors of variation — shape, scale, $x$, $y$ — are known;
# - measure disentanglement with the Mutual Information Gap {cite:p}`chen2018isolating`, and
#   see on two reference codes what it rewards;
# - train the VAE over a range of $\beta$, from 1 to past the collapse of the code, each from
#   several random seeds, and plot MIG and distortion against $\beta$ with their spread;
# - split the variation of each measure into the part due to $\beta$ and the part due to the
#   seed;
# - look at latent traversals of the best and the worst model.

# %% tags=["remove-cell"]
# Colab only: install vaelib from the book's repository. Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "vaelib @ git+https://github.com/vae-textbook/vae-textbook",
        ],
        check=True,
    )

# %%
import torch

import vaelib
from vaelib import plots

# %%
vaelib.seed_everything(0)
DEVICE = vaelib.pick_device()
torch.set_num_threads(1)  # small models: one thread is as fast, and gives the same numbers anywhere

# %%
shapes = vaelib.load_shapes()
print(f"{len(shapes)} images, each {tuple(shapes.images.shape[1:])}")
for name, size in zip(shapes.factor_names, shapes.factor_sizes):
    print(f"  factor {name}: {size} values")

# %% [markdown]
# ## 10.1 Data with known factors
#
# To ask whether a latent dimension stands for one factor of variation we need data whose
# factors are known. `vaelib.load_shapes` draws a small version of dSprites
# {cite:p}`matthey2017dsprites`, the data set on which β-VAE's disentanglement was shown: a
# white sprite on black, made by four **factors** $v_1, \dots, v_4$ — its shape (square,
# ellipse, heart), its scale, and the $x$ and $y$ of its centre. Every combination appears
# exactly once, so the factors are independent and uniform, and the data set is the whole
# grid: there is no test set to hold out, and every number below is measured on the 768
# images the models were trained on, as is usual in this literature.

# %%
plots.plot_image_grid(
    shapes.subset(32, seed=0).images, nrow=16, title="Sprites: shape, scale, x and y vary"
)

# %% [markdown]
# ## 10.2 The Mutual Information Gap
#
# {cite:t}`chen2018isolating` measure disentanglement with the mutual information
# $I(z_j; v_k)$ between each latent dimension $z_j$ and each factor $v_k$, in nats. A
# dimension that copies a factor holds all of its entropy $H(v_k)$; a factor is
# *disentangled* when one dimension holds much more about it than any other. The **Mutual
# Information Gap** averages that margin over the $K$ factors:
#
# $$
# \mathrm{MIG} = \frac{1}{K} \sum_{k=1}^{K} \frac{I(z_{(1)}; v_k) - I(z_{(2)}; v_k)}{H(v_k)},
# $$
#
# where $z_{(1)}$ and $z_{(2)}$ are the two dimensions that know most about $v_k$. It lies
# between 0 and 1. Following Chen et al., $z$ is drawn from $q(z \mid x)$ (ten draws per image),
# not taken at its mean $\mu(x)$: a dimension whose mean wiggles with a factor but whose
# posterior is as wide as the prior carries next to no information about it (exercise 1).
#
# Two codes show the scale. The factors themselves, one per dimension, are perfectly
# disentangled. Turning those four axes by a random rotation keeps every bit of information
# (the rotation can be undone) but spreads each factor over all four dimensions.

# %%
ideal = shapes.factors.float()  # (768, 4): one dimension per factor
rotation, _ = torch.linalg.qr(torch.randn(4, 4, generator=torch.Generator().manual_seed(0)))
rotated = (ideal - ideal.mean(0)) / ideal.std(0) @ rotation  # the same code, turned
mig_ideal = vaelib.mutual_information_gap(ideal, shapes.factors)
mig_rotated = vaelib.mutual_information_gap(rotated, shapes.factors)
print(f"MIG of the factors themselves: {mig_ideal:.2f};  of a rotation of them: {mig_rotated:.2f}")
assert mig_ideal > 0.99, "a code that copies each factor into its own dimension has MIG 1"
assert mig_rotated < 0.5 * mig_ideal, "rotating the code must at least halve its MIG"

# %% [markdown]
# MIG thus rewards a code for lining its factors up with its axes, not for holding information.
# That is the property the β-VAE was proposed to deliver.

# %% [markdown]
# ## 10.3 β-VAEs over β and over seeds
#
# {cite:t}`higgins2017betavae` reported that a $\beta$ moderately larger than 1 makes the VAE's
# code disentangled: the KL term's pressure towards the factorised prior
# $\mathcal{N}(0, I)$ would push the encoder to put independent factors on independent axes.
# {cite:t}`locatello2019challenging` trained thousands of models and found that which model
# disentangles depends on the random seed about as much as on $\beta$, and argued that without
# some supervision no unsupervised objective can prefer the disentangled code. Both claims are
# about a family of models, so we train one: every $\beta$ from 1 to 64 (doubling), each from
# three random seeds. The seed sets the initial weights and the order of the batches.
#
# The models are small — one hidden layer of 256 units, a code of $d = 10$ dimensions, more
# than the four factors need — and trained for 30 epochs of batches of 64 images (360 steps),
# enough for the ordering of the models to settle.

# %%
BETAS = [1, 2, 4, 8, 16, 32, 64]
SEEDS = [0, 1, 2]
CONFIG = vaelib.MLPConfig(hidden_dim=256, latent_dim=10)
models = [
    [
        vaelib.train_vae(
            shapes, beta=beta, epochs=30, config=CONFIG, seed=seed, batch_size=64, device=DEVICE
        )[0]
        for seed in SEEDS
    ]
    for beta in BETAS
]
print(f"trained {len(BETAS)} × {len(SEEDS)} = {len(BETAS) * len(SEEDS)} models")

# %% [markdown]
# Each model is measured on the 768 images: its distortion $D$ and rate $R$ in nats per image,
# its number of active units (chapter 6), and its MIG.

# %%
codes = [[vaelib.encode_dataset(model, shapes) for model in row] for row in models]
scores = [[vaelib.evaluate(model, shapes) for model in row] for row in models]
mig = torch.tensor(
    [
        [vaelib.mutual_information_gap(mu, shapes.factors, logvar=logvar) for mu, logvar in row]
        for row in codes
    ]
)  # (β, seeds)
distortion = torch.tensor([[s["reconstruction"] for s in row] for row in scores])  # (β, seeds)
rate = torch.tensor([[s["kl"] for s in row] for row in scores])
active = torch.tensor([[vaelib.active_units(model, shapes) for model in row] for row in models])
print("  β   MIG (each seed)       D (nats)          R (nats)          active units")
for i, beta in enumerate(BETAS):
    print(
        f"{beta:3d}   "
        + " ".join(f"{m:.2f}" for m in mig[i])
        + "    "
        + " ".join(f"{d:5.0f}" for d in distortion[i])
        + "    "
        + " ".join(f"{r:5.1f}" for r in rate[i])
        + "    "
        + " ".join(f"{a:2d}" for a in active[i].tolist())
    )

# %% [markdown]
# Where does the code collapse? With chapter 6's definition — the first $\beta$ at which fewer
# than half of the $d$ dimensions are active — for each seed:

# %%
onsets = [vaelib.collapse_onset(BETAS, active[:, s].tolist(), CONFIG.latent_dim) for s in range(3)]
print("collapse begins at β =", onsets, "(seeds 0, 1, 2)")
assert None not in onsets, "every seed's code collapses inside the sweep"
onset = min(onsets)
alive = BETAS.index(onset)  # models of β < onset keep a code: rows mig[:alive]
print(f"models that keep a code: β = {BETAS[0]} … {BETAS[alive - 1]}")

# %% [markdown]
# ## 10.4 MIG and distortion against β
#
# The figure shows both measures of every model against $\beta$, each seed a dot and the mean
# over seeds a line, with the band from the lowest to the highest seed; the dashed line marks
# where the code collapses.

# %%
plots.plot_measures_against_beta(
    BETAS,
    {"MIG (0 to 1)": mig.tolist(), "distortion D (nats per image)": distortion.tolist()},
    onset=onset,
    title="β sets the distortion; the seed moves MIG as much as β does",
)

# %% [markdown]
# The distortion does what chapter 6 says it must: it rises with $\beta$, for every seed, and
# the seeds hardly differ. MIG does not follow $\beta$ at all until the collapse; it stays
# low everywhere, and after the collapse it is zero, since a code that carries no information
# cannot carry it on one axis.

# %%
print(f"highest MIG of any model: {mig.max():.2f}")
print(f"highest MIG once collapsed (β ≥ {onset}): {mig[alive:].max():.3f}")
assert (distortion.diff(dim=0) > 0).all(), "the distortion rises with β for every seed"
assert mig.max() < 0.1, "no model reaches a tenth of the MIG of a disentangled code"
assert mig[alive:].max() < 0.01, "after the collapse MIG is next to zero"

# %% [markdown]
# How much of each measure's variation is due to $\beta$, and how much to the seed? Among the
# models that keep a code, `vaelib.share_explained_by_setting` gives the share of a measure's
# variance that the differences between the $\beta$s account for ($\eta^2$ of an analysis of
# variance; 1 if the seeds agreed perfectly, about $(B-1)/(BS-1)$ if β did nothing).

# %%
share_d = vaelib.share_explained_by_setting(distortion[:alive])
share_mig = vaelib.share_explained_by_setting(mig[:alive])
spread = vaelib.seed_spread(mig[:alive])  # (β,): max − min over the seeds
means = mig[:alive].mean(dim=1)  # (β,)
print(f"share of the variance that β explains:  distortion {share_d:.3f},  MIG {share_mig:.2f}")
print("spread of MIG over seeds at each β:", " ".join(f"{s:.3f}" for s in spread))
print(f"change of the mean MIG across β:    {means.max() - means.min():.3f}")
assert share_d > 0.99, "β explains nearly all of the variation of the distortion"
assert share_mig < 0.5, "β explains less than half of the variation of MIG"
assert spread.max() > means.max() - means.min(), "the seed moves MIG more than β does"

# %% [markdown]
# And the β-VAE's own claim: does a moderate $\beta > 1$ raise MIG above the plain VAE's?

# %%
gain = means[1:] - means[0]  # (β > 1,) change of the mean MIG against β = 1
print("mean MIG minus that of β = 1:", " ".join(f"{g:+.3f}" for g in gain))
print(f"spread over seeds at β = 1: {spread[0]:.3f}")
assert gain.max() < spread.max(), "no β > 1 raises the mean MIG by more than the seeds scatter it"

# %% [markdown]
# ## 10.5 The best and the worst code
#
# A traversal decodes one code with one dimension swept from $-2.5$ to $2.5$ prior standard
# deviations and the others fixed (`vaelib.latent_traversal`); in a disentangled code each row
# would move one factor, like the rows of the data set sweep $x$ or $y$. We traverse the code
# of one image, a heart in the middle of the picture, for the model with the highest MIG and
# for the model with the lowest MIG among those that keep a code. Each row is labelled with the
# dimension's KL, and rows are sorted by it.

# %%
best = divmod(int(mig.argmax()), len(SEEDS))  # (β index, seed index)
worst = divmod(int(mig[:alive].argmin()), len(SEEDS))
for name, (i, s) in (("best", best), ("worst", worst)):
    print(f"{name}: β = {BETAS[i]}, seed {SEEDS[s]}, MIG {mig[i, s]:.3f}")
heart = shapes.index(shape=2, scale=3, x=4, y=4)

# %%
model = models[best[0]][best[1]]
kl = vaelib.kl_per_dimension(model, shapes)
dims = kl.argsort(descending=True).tolist()
plots.plot_latent_traversal(
    vaelib.latent_traversal(model, codes[best[0]][best[1]][0][heart], dims),
    dims,
    kl=kl,
    title=f"Best MIG (β = {BETAS[best[0]]}): several dimensions move the sprite",
)

# %%
model = models[worst[0]][worst[1]]
kl = vaelib.kl_per_dimension(model, shapes)
dims = kl.argsort(descending=True).tolist()
plots.plot_latent_traversal(
    vaelib.latent_traversal(model, codes[worst[0]][worst[1]][0][heart], dims),
    dims,
    kl=kl,
    title=f"Worst MIG (β = {BETAS[worst[0]]}): the same kind of code",
)

# %% [markdown]
# The information matrix says the same in numbers: the share $I(z_j; v_k) / H(v_k)$ of each
# factor's entropy that each dimension of the best model holds.

# %%
mu, logvar = codes[best[0]][best[1]]
mi = vaelib.mutual_information_matrix(mu, shapes.factors, logvar=logvar)  # (10, 4) nats
entropy = vaelib.factor_entropy(shapes.factors)  # (4,) nats
plots.plot_mutual_information(
    mi, entropy, shapes.factor_names, title="Best model: each factor is spread over dimensions"
)

# %%
share = mi / entropy  # (10, 4)
top2 = share.topk(2, dim=0).values  # (2, 4)
print("factor:               ", "  ".join(f"{n:>7}" for n in shapes.factor_names))
print("best dimension holds: ", "  ".join(f"{v:7.2f}" for v in top2[0]))
print("second best holds:    ", "  ".join(f"{v:7.2f}" for v in top2[1]))

# %% [markdown]
# ## Summary
#
# - TODO
#
# ## Exercises
#
# 1. TODO
#
# ```{admonition} Solution
# :class: dropdown
#
# TODO
# ```
