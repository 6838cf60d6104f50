# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6. The β landscape
#
# The source story looks at two values of the KL weight: $\beta = 1$, where the VAE works, and
# $\beta = 30$, where its code collapses ([chapter 5](05_posterior_collapse.ipynb)). Between
# and around them lies a whole family of models. This chapter trains that family and maps it.
#
# In this chapter you will
#
# - train one VAE for each of nine values of $\beta$, from $0$ to $30$, all from the same
#   initial weights on the same batches;
# - place every model on the **rate–distortion plane** of {cite:t}`alemi2018fixing`, and read
#   the ELBO off it as a family of straight lines;
# - watch the latent dimensions switch off one by one as $\beta$ grows, in a heat map of the KL
#   of each dimension and a count of active units;
# - define precisely where posterior collapse begins, and compute it.

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

# %%
train = vaelib.load_mnist("train").subset(10_000, seed=0)
test = vaelib.load_mnist("test")
print(f"{len(train)} training and {len(test)} test images, each {tuple(train.images.shape[1:])}")

# %% [markdown]
# ## Rate and distortion
#
# Write the two terms of the negative ELBO, averaged over the data, with the names that
# {cite:t}`alemi2018fixing` give them:
#
# $$
# D = \mathbb{E}_{x}\,\mathbb{E}_{q(z \mid x)}\big[-\log p(x \mid z)\big], \qquad
# R = \mathbb{E}_{x}\,\mathrm{KL}\big(q(z \mid x)\,\|\,p(z)\big),
# $$
#
# the **distortion** (our reconstruction term) and the **rate** (our KL term), both in nats per
# image. The β-VAE {cite:p}`higgins2017betavae` minimises $D + \beta R$, and $-\mathrm{ELBO} =
# D + R$. The rate has a meaning of its own: it is an upper bound on the mutual information
# between $x$ and $z$ under the encoder, the number of nats the code carries about the image.
# A model with $R = 0$ has a code that says nothing about $x$: $q(z \mid x) = p(z)$ for every
# image, which is posterior collapse.
#
# For a fixed architecture, every pair $(R, D)$ that some encoder–decoder pair can reach lies
# on or above a convex frontier. Minimising $D + \beta R$ picks the point of that frontier
# where its slope is $-\beta$: a small $\beta$ buys low distortion with a high rate, a large
# $\beta$ buys a low rate at a high distortion. Sweeping $\beta$ traces the frontier.

# %% [markdown]
# ## The sweep
#
# We train nine VAEs (784-400-20, as in [chapter 4](04_vae_mnist.ipynb)) with
# $\beta \in \{0, 0.25, 0.5, 1, 2, 4, 8, 16, 30\}$. `vaelib.sweep_beta` seeds every model
# identically, so they start from the same weights, see the same batches and differ only by
# $\beta$. To keep the chapter fast we train on 10,000 of the 60,000 training images for six
# epochs. The models are not fully trained, and their numbers are not those of a long run; but
# the *shape* of the landscape — which way rate and distortion move with $\beta$, and where the
# code switches off — is what this chapter is about, and that shape is already there (exercise 1
# asks you to check it with a longer run).

# %%
BETAS = [0, 0.25, 0.5, 1, 2, 4, 8, 16, 30]
LATENT_DIM = 20
runs = vaelib.sweep_beta(BETAS, train, epochs=6, seed=0, device=DEVICE)
models = [model for model, _ in runs]
print(f"trained {len(models)} models")

# %% [markdown]
# Each model is measured on the 10,000 test images: its distortion and rate (one sample
# $z \sim q(z \mid x)$ per image for $D$, the closed form for $R$), the KL of each latent
# dimension, and its number of active units, the dimensions $i$ with
# $\mathrm{Var}_x\big(\mathbb{E}_{q(z \mid x)}[z_i]\big) > 0.01$ {cite:p}`burda2016importance`.

# %%
scores = [vaelib.evaluate(model, test) for model in models]
rates = [s["kl"] for s in scores]
distortions = [s["reconstruction"] for s in scores]
kl_matrix = torch.stack([vaelib.kl_per_dimension(model, test) for model in models])  # (9, d)
active = [vaelib.active_units(model, test) for model in models]
print(" β      R (nats)   D (nats)   D + R   active units")
for beta, r, d, a in zip(BETAS, rates, distortions, active):
    print(f"{beta:5g} {r:9.1f} {d:10.1f} {d + r:8.1f} {a:8d}")

# %% [markdown]
# ## The rate–distortion plane
#
# Each model is a point $(R, D)$. The dashed lines are the ELBO's level sets: $D + R$ is
# constant along lines of slope $-1$, so two models on one line have the same ELBO, and lines
# closer to the origin are better ELBOs.

# %%
plots.plot_rate_distortion(
    rates,
    distortions,
    BETAS,
    title="Raising β trades rate for distortion along a convex frontier",
)

# %% [markdown]
# The points run from the upper left of the frontier to its lower right in the order of
# $\beta$: as $\beta$ rises, the rate falls at every step and the distortion rises at every
# step.

# %%
rate_steps = [r1 - r0 for r0, r1 in zip(rates, rates[1:])]
distortion_steps = [d1 - d0 for d0, d1 in zip(distortions, distortions[1:])]
print("change of R between neighbouring β:", [f"{s:.1f}" for s in rate_steps])
print("change of D between neighbouring β:", [f"{s:.1f}" for s in distortion_steps])
assert all(step < 0 for step in rate_steps), "the rate must fall as β rises"
assert all(step > 0 for step in distortion_steps), "the distortion must rise as β rises"

# %% [markdown]
# How much distortion does one nat of rate buy? The slope of the chord between neighbouring
# points, $-\Delta D / \Delta R$, is the exchange rate. The frontier is convex, so the exchange
# rate grows along the sweep: at small $\beta$ the code carries hundreds of nats that the
# decoder hardly uses (giving them up costs almost no distortion), while at large $\beta$ each
# remaining nat is worth many nats of distortion. At an exact optimum the slope at the point of
# $\beta$ is $-\beta$, so each chord's exchange rate should lie between its two $\beta$s
# (exercise 2 proves it for exact optima). Here every chord does.

# %%
exchange = [-dd / dr for dd, dr in zip(distortion_steps, rate_steps)]
for (b0, b1), e in zip(zip(BETAS, BETAS[1:]), exchange):
    print(f"β {b0:g} → {b1:g}: {e:.2f} nats of distortion per nat of rate")
assert exchange[-1] > 10 * exchange[0], "the exchange rate must grow along the frontier"
assert all(b0 <= e <= b1 for (b0, b1), e in zip(zip(BETAS, BETAS[1:]), exchange))

# %% [markdown]
# The ELBO itself, $-(D + R)$, is best near $\beta = 1$: the only value of $\beta$ for which the
# training objective *is* the negative ELBO. Smaller $\beta$ spends rate that the ELBO charges
# for; larger $\beta$ throws away information the decoder could have used.

# %%
neg_elbo = [d + r for d, r in zip(distortions, rates)]
best = BETAS[min(range(len(BETAS)), key=neg_elbo.__getitem__)]
print(f"best test ELBO at β = {best:g}: D + R = {min(neg_elbo):.1f} nats per image")
assert best in (0.5, 1, 2), "the ELBO should be best at β near 1"

# %% [markdown]
# ## The code switches off, one dimension at a time
#
# The rate is a sum over the $d = 20$ latent dimensions, $R = \sum_i R_i$ with
# $R_i = \mathbb{E}_x \mathrm{KL}\big(q(z_i \mid x)\,\|\,\mathcal{N}(0, 1)\big)$. The heat map
# shows $R_i$ for every model (one row per $\beta$), with each row sorted from the largest
# dimension to the smallest. The colour scale is logarithmic, and dimensions below 0.01 nats
# are drawn at its bottom.

# %%
plots.plot_kl_heatmap(
    kl_matrix, BETAS, title="As β rises, the latent dimensions fall silent one by one"
)

# %% [markdown]
# At $\beta = 0$ nothing charges for rate, and every dimension carries many nats. As $\beta$
# grows, the rate does not shrink evenly across the dimensions: whole dimensions drop to
# (almost) zero KL, while the survivors keep a substantial share. A dimension at zero KL has
# $q(z_i \mid x) = \mathcal{N}(0, 1)$ for every $x$: the decoder learns to ignore it, and the
# optimiser gains $\beta R_i$ by silencing it. Counting the active units turns this into one
# number per model.

# %%
onset = vaelib.collapse_onset(BETAS, active, LATENT_DIM)
first_off = vaelib.collapse_onset(BETAS, active, LATENT_DIM, fraction=1.0)
print(f"all {LATENT_DIM} units active up to β = {BETAS[BETAS.index(first_off) - 1]:g}")
print(f"first unit switched off at β = {first_off:g}")
print(f"collapse begins (fewer than {LATENT_DIM // 2} active units) at β = {onset:g}")
print(f"active units at β = {BETAS[-1]:g}: {active[-1]}")

# %% [markdown]
# We say that **collapse begins** at the smallest $\beta$ of the sweep at which fewer than half
# of the $d$ latent dimensions are active (`vaelib.collapse_onset`, with `fraction=0.5`). The
# choice of "half" is a convention; what matters is that it is stated and computed, and that it
# separates the models that still use most of their code from those that use little of it.
# Past that point the count of active units never rises again.

# %%
past = active[BETAS.index(onset) :]
assert active[0] == LATENT_DIM, "at β = 0 every unit should be active"
assert 1 <= BETAS.index(onset) < len(BETAS), "collapse should begin inside the sweep"
assert all(a1 <= a0 for a0, a1 in zip(past, past[1:])), "active units rose past the onset"
assert active[-1] < LATENT_DIM // 2

# %%
plots.plot_active_units(
    BETAS,
    active,
    latent_dim=LATENT_DIM,
    onset=onset,
    title=f"Fewer than half of the units are active from β = {onset:g} on",
)

# %% [markdown]
# Two measures of "is this dimension used?" are in play, and here they **disagree**. The
# active-unit criterion looks at how much the posterior mean $\mu_i(x)$ moves across images;
# the per-dimension KL $R_i$ at how far $q(z_i \mid x)$ is from the prior. Since
# $R_i \ge \tfrac12 \mathrm{Var}_x(\mu_i(x))$, a dimension that passes the 0.01 variance
# threshold may still carry only a few hundredths of a nat. Count instead the *informative*
# dimensions, those with $R_i > 0.1$ nats: they fall one by one from $\beta = 2$ on, as the heat
# map shows, while the active-unit count stays at $d$ until $\beta = 16$ and then drops all at
# once. By the informative count, more than half the code is silent several steps earlier.

# %%
informative = (kl_matrix > 0.1).sum(dim=1).tolist()
onset_informative = vaelib.collapse_onset(BETAS, informative, LATENT_DIM)
print("active units:              ", active)
print("dimensions with > 0.1 nats:", informative)
print(f"fewer than {LATENT_DIM // 2} informative dimensions from β = {onset_informative:g} on")
assert all(k <= a for a, k in zip(active, informative))
assert all(k1 <= k0 for k0, k1 in zip(informative, informative[1:])), "not one by one"
assert BETAS.index(onset_informative) < BETAS.index(onset)

# %% [markdown]
# ## What the landscape says about the source
#
# The source story compares $\beta = 1$ and $\beta = 30$ as two separate experiments. The sweep
# shows they are two points on one curve. Nothing special happens at $\beta = 30$: the rate has
# been falling and the distortion rising at every step, and the code has been losing dimensions
# all along. "Posterior collapse" is not a cliff but the far end of a trade-off that the
# objective $D + \beta R$ sets on purpose. [Chapter 7](07_keeping_the_code_alive.ipynb) asks
# whether the loss can be changed so that a large $\beta$ no longer silences the code.
#
# ## Summary
#
# - The β-VAE objective $D + \beta R$ selects a point on a convex rate–distortion frontier,
#   where the frontier's slope is $-\beta$; sweeping $\beta$ traces the frontier.
# - Along our sweep the rate falls and the distortion rises at every step; the exchange rate
#   between them grows with $\beta$, and the ELBO $-(D + R)$ is best near $\beta = 1$.
# - The rate is not shrunk evenly: latent dimensions switch off one at a time in the
#   per-dimension KL; the active-unit count (variance > 0.01) lags and drops late and abruptly,
#   so say which criterion a collapse claim uses.
# - We defined the onset of collapse as the first $\beta$ with fewer than $d/2$ active units,
#   computed it, and checked that the count never rises past it.
#
# ## Exercises
#
# 1. **A longer run.** Train the sweep on all 60,000 training images for 20 epochs
#    (`vaelib.sweep_beta(BETAS, vaelib.load_mnist("train"), epochs=20)`). Which numbers move,
#    and does the shape of the landscape — monotone $R$ and $D$, the onset of collapse — change?
#
# ```{admonition} Solution
# :class: dropdown
#
# Longer training lowers the distortion of every model by a few nats and moves the points a
# little, but the ordering does not change: the rate still falls and the distortion still rises
# with $\beta$, because that is what minimising $D + \beta R$ for a larger $\beta$ means (if a
# model at $\beta_2 > \beta_1$ had both a higher rate and a lower distortion than the one at
# $\beta_1$, the latter would not be optimal). The onset of collapse may move by one step of the
# sweep: a longer run lets the optimiser silence dimensions that were still slowly dying.
# ```
#
# 2. **Why the rate must fall.** Suppose the models at $\beta_1 < \beta_2$ are exact minimisers
#    of $D + \beta_1 R$ and $D + \beta_2 R$, with rates $R_1, R_2$ and distortions $D_1, D_2$.
#    Show that $R_2 \le R_1$ and $D_2 \ge D_1$.
#
# ```{admonition} Solution
# :class: dropdown
#
# Optimality gives $D_1 + \beta_1 R_1 \le D_2 + \beta_1 R_2$ and
# $D_2 + \beta_2 R_2 \le D_1 + \beta_2 R_1$. Adding the two inequalities,
# $\beta_1 R_1 + \beta_2 R_2 \le \beta_1 R_2 + \beta_2 R_1$, that is
# $(\beta_2 - \beta_1)(R_2 - R_1) \le 0$, so $R_2 \le R_1$. Then the first inequality gives
# $D_1 - D_2 \le \beta_1 (R_2 - R_1) \le 0$, so $D_2 \ge D_1$. Trained networks are only
# approximate minimisers, which is why the chapter *checks* the monotonicity on the numbers
# rather than taking it for granted.
# ```
#
# 3. **A different definition of the onset.** Use `vaelib.collapse_onset(BETAS, active, 20,
#    fraction=0.25)` (fewer than 5 active units). Where does collapse begin now, and which is
#    the more useful definition for choosing $\beta$ in practice?
#
# ```{admonition} Solution
# :class: dropdown
#
# A smaller fraction moves the onset to a larger $\beta$ (or past the end of the sweep, in
# which case the function returns `None`). Neither definition is "right": the active-unit count
# falls gradually, so any threshold is a convention. In practice one picks $\beta$ from the
# rate–distortion plane by the rate one wants the code to carry, and uses the active-unit
# count to check how many dimensions carry it.
# ```
