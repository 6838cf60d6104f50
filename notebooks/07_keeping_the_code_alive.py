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
# # 7. Keeping the latent code alive
#
# [Chapter 6](06_beta_landscape.ipynb) showed that a large $\beta$ switches the latent code
# off, dimension by dimension. The literature offers several changes to the objective that are
# meant to stop this. This chapter tests three of them, at one large $\beta$, against the plain
# β-VAE, and reports what each one buys and what it costs.
#
# In this chapter you will
#
# - state three remedies for posterior collapse as changes to the loss: **KL warm-up**
#   {cite:p}`bowman2016generating`, **free bits** {cite:p}`kingma2016improved` and a
#   **capacity target** {cite:p}`burgess2018understanding`;
# - train each of them and the plain β-VAE from the same initial weights at $\beta = 16$,
#   where the plain model has lost most of its code;
# - compare active units, informative dimensions, rate, distortion, reconstructions and
#   samples side by side, and reach a verdict that the numbers check.

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
# ## Three remedies, as losses
#
# Write $R_i(x) = \mathrm{KL}\big(q(z_i \mid x)\,\|\,\mathcal{N}(0, 1)\big)$ for the KL of
# latent dimension $i$, $R = \sum_{i=1}^{d} R_i$ for the rate and $D$ for the distortion
# (reconstruction), as in chapter 6, and let a bar denote the mean over a batch. The plain
# β-VAE minimises
#
# $$
# \mathcal{J}_\text{plain} = \bar D + \beta\,\bar R .
# $$
#
# **KL warm-up** (also called KL annealing, {cite:t}`bowman2016generating`) keeps the loss but
# lets $\beta$ rise linearly from $0$ to its final value over the first $T$ epochs
# (`fit(..., warmup_epochs=T)`). The idea: let the decoder learn to use the code while it is
# still cheap, before the KL term starts to press.
#
# **Free bits** {cite:p}`kingma2016improved` stop charging for the first $\lambda$ nats of
# each dimension:
#
# $$
# \mathcal{J}_\text{free bits} = \bar D + \beta \sum_{i=1}^{d} \max\big(\lambda, \bar R_i\big)
# $$
#
# (`fit(..., free_bits=λ)`). A dimension whose batch-mean KL is below $\lambda$ contributes a
# constant: the optimiser gains nothing by silencing it, and the reconstruction term is free to
# use it up to $\lambda$ nats.
#
# **A capacity target** {cite:p}`burgess2018understanding` replaces the rate by its distance
# from a target $C$:
#
# $$
# \mathcal{J}_\text{capacity} = \bar D + \beta\,\big|\bar R - C\big|
# $$
#
# (`fit(..., capacity=C)`). With a large $\beta$ this pins the rate near $C$ nats from above
# *and* from below. (Burgess et al. raise $C$ gradually during training; we keep it fixed,
# which is enough to show the mechanism.)
#
# We choose $\lambda = 0.5$ nats per dimension, so that free bits leave at most
# $d\lambda = 10$ nats uncharged, and $C = 15$ nats; warm-up runs over the first half of
# training.

# %%
BETA = 16
EPOCHS = 10
LATENT_DIM = 20
SETTINGS = {
    "plain": {},
    "warm-up": {"warmup_epochs": EPOCHS // 2},
    "free bits (λ = 0.5)": {"free_bits": 0.5},
    "capacity (C = 15)": {"capacity": 15.0},
}

# %% [markdown]
# Every run starts from the same initial weights and sees the same batches; only the loss
# differs. As in chapter 6 we train on 10,000 training images to keep the chapter fast.

# %%
runs = {}
for name, options in SETTINGS.items():
    vaelib.seed_everything(0)
    model = vaelib.VAE()
    history = vaelib.fit(
        model, train, epochs=EPOCHS, beta=BETA, seed=0, device=DEVICE, progress=False, **options
    )
    runs[name] = (model, history)
print(f"trained {len(runs)} models at β = {BETA}")

# %% [markdown]
# ## The numbers
#
# For each model we measure, on the 10,000 test images, the true rate $R$ (the plain KL, not
# the modified term the optimiser saw), the distortion $D$, the negative ELBO $D + R$, and the
# active units.

# %%
table = {}
for name, (model, _) in runs.items():
    scores = vaelib.evaluate(model, test)
    table[name] = {
        "R": scores["kl"],
        "D": scores["reconstruction"],
        "active": vaelib.active_units(model, test),
        "kl_per_dim": vaelib.kl_per_dimension(model, test),
    }
print(f"{'':22s} {'R':>6s} {'D':>7s} {'D + R':>7s} {'active':>7s}")
for name, row in table.items():
    r, d = row["R"], row["D"]
    print(f"{name:22s} {r:6.1f} {d:7.1f} {d + r:7.1f} {row['active']:7d}")

# %% [markdown]
# First, the baseline: at $\beta = 16$ the plain β-VAE's code has collapsed in the sense that
# matters — its rate, the number of nats the code carries about an image, is below one.

# %%
plain = table["plain"]
print(f"plain β-VAE at β = {BETA}: R = {plain['R']:.1f} nats per image")
assert plain["R"] < 1, "β = 16 should collapse the plain model's rate"

# %% [markdown]
# Yet the table counts most of its dimensions as *active*. This is a caveat about the
# criterion $\mathrm{Var}_x(\mu_i(x)) > 0.01$ {cite:p}`burda2016importance`, not a contradiction:
# since $R_i \ge \tfrac12 \mathbb{E}_x[\mu_i(x)^2] \ge \tfrac12 \mathrm{Var}_x(\mu_i(x))$, a
# dimension can pass the threshold while carrying only a few hundredths of a nat. In this short
# run the KL term has squeezed every dimension at once rather than switching some off, and the
# 0.01 threshold is too low to see it. In this chapter we therefore also count the
# **informative dimensions**, those with $R_i > 0.1$ nats, the second criterion of chapter 6.

# %%
for row in table.values():
    row["informative"] = int((row["kl_per_dim"] > 0.1).sum())
print({name: row["informative"] for name, row in table.items()})
assert plain["informative"] < plain["active"], "the two criteria should disagree here"

# ### Warm-up only delays the collapse
#
# The curves of the rate during training tell the story of warm-up. While $\beta$ is still
# small, the warm-up run has a much higher rate than the plain run; once $\beta$ reaches its
# final value, the KL term squeezes the code just as hard as before and the rate falls back
# towards the plain run's.

# %%
plots.plot_rate_per_epoch(
    [history for _, history in runs.values()],
    list(runs),
    title="Warm-up keeps the rate high only while β is still small",
)

# %%
plain_history = runs["plain"][1]
warm_history = runs["warm-up"][1]
early = 0  # after the first epoch, β has only reached a fifth of its final value
print(
    f"after epoch 1: rate {warm_history.train_kl[early]:.1f} (warm-up) "
    f"vs {plain_history.train_kl[early]:.1f} (plain) nats per image"
)
print(
    f"after epoch {EPOCHS}: rate {warm_history.train_kl[-1]:.1f} (warm-up) "
    f"vs {plain_history.train_kl[-1]:.1f} (plain) nats per image"
)
warm = table["warm-up"]
print(f"test rate at the end: {warm['R']:.1f} (warm-up) vs {plain['R']:.1f} (plain) nats")
assert warm_history.train_kl[early] > 3 * plain_history.train_kl[early]
assert warm_history.train_kl[-1] < 0.2 * warm_history.train_kl[early]
assert warm["R"] < 2, "warm-up alone did not prevent the collapse"

# %% [markdown]
# So warm-up, on its own, does not keep the code alive at a large fixed $\beta$: the objective
# it ends with is the plain one, and its rate ends, like the plain model's, below a couple of
# nats. Warm-up was proposed for a different failure — a *powerful* decoder (an RNN
# language model in {cite:t}`bowman2016generating`) that learns to ignore the code before the
# encoder has learned anything — and at $\beta = 1$ it helps there; it does not change where
# $D + \beta R$ has its minimum.
#
# ### Free bits and a capacity target keep the code alive
#
# The other two remedies change the minimum itself.

# %%
free = table["free bits (λ = 0.5)"]
capacity = table["capacity (C = 15)"]
for name in ("free bits (λ = 0.5)", "capacity (C = 15)"):
    row = table[name]
    print(
        f"{name}: {row['active']} active units (plain {plain['active']}), "
        f"R = {row['R']:.1f} (plain {plain['R']:.1f}), D = {row['D']:.1f} (plain {plain['D']:.1f})"
    )
for row in (free, capacity):
    assert row["informative"] > plain["informative"]
    assert row["R"] > 10 * plain["R"]
    assert row["D"] < plain["D"]

# %% [markdown]
# Both keep more informative dimensions and a rate more than ten times that of the plain
# model, and **both reach a lower distortion**: at a fixed architecture, more nats in the code
# means a better reconstruction.
# The "cost" of these remedies is not paid in distortion; it is paid in the β-VAE objective
# $D + \beta R$ they no longer minimise. If one chose $\beta = 16$ *because* one wanted a code
# of few nats (for compression, or disentanglement in the sense of
# {cite:t}`higgins2017betavae`), free bits and a capacity target override that choice: they
# set the rate by $\lambda$ and $C$ instead of by $\beta$.
#
# Each remedy lands its rate where its loss says it should. The capacity target pins the rate
# near $C$; free bits give a rate of at least about $d\lambda$ whenever the decoder can use
# every uncharged nat.

# %%
print(f"capacity: R = {capacity['R']:.1f} nats per image, target C = 15")
print(f"free bits: R = {free['R']:.1f} nats per image, d·λ = {LATENT_DIM * 0.5:.0f}")
assert abs(capacity["R"] - 15) < 3
assert free["R"] > 0.8 * LATENT_DIM * 0.5

# %% [markdown]
# The per-dimension view shows *how* they differ. The plain and warm-up models have almost no
# KL left in any dimension; free bits spread the rate over many dimensions, each near
# $\lambda$; the capacity target lets the optimiser allocate its $C$ nats among as many
# dimensions as it likes.

# %%
names = list(table)
plots.plot_kl_heatmap(
    torch.stack([table[name]["kl_per_dim"] for name in names]),
    names,
    title="Free bits and a capacity target keep more dimensions carrying information",
)

# %% [markdown]
# On the rate–distortion plane, the four models at the same $\beta$ sit at quite different
# points: the remedies move the model along the frontier of chapter 6 towards higher rate and
# lower distortion, and so (here) towards a better ELBO.

# %%
plots.plot_rate_distortion(
    [table[name]["R"] for name in names],
    [table[name]["D"] for name in names],
    names,
    connect=False,
    title=f"At β = {BETA}, free bits and capacity buy rate and lower distortion",
)

# %%
neg_elbo = {name: table[name]["D"] + table[name]["R"] for name in names}
print({name: f"{v:.1f}" for name, v in neg_elbo.items()})
assert neg_elbo["free bits (λ = 0.5)"] < neg_elbo["plain"]
assert neg_elbo["capacity (C = 15)"] < neg_elbo["plain"]

# %% [markdown]
# ## Reconstructions and samples
#
# The same eight test digits, reconstructed by each model from its posterior mean, and eight
# samples $x \sim p(x \mid z)$, $z \sim \mathcal{N}(0, I)$ from each model, drawn with the same
# $z$ for every model (the decoder's mean grey levels are shown).

# %%
originals = test.images[:8]
reconstructions = [runs[name][0].reconstruct(originals.to(DEVICE)).cpu() for name in names]
plots.plot_reconstructions(
    originals,
    *reconstructions,
    labels=names,
    title="A code that carries nats gives faithful reconstructions",
)

# %%
samples = [
    runs[name][0].sample(8, generator=torch.Generator().manual_seed(0)).cpu() for name in names
]
plots.plot_image_rows(samples, names, title=f"Samples from p(z) = N(0, I) at β = {BETA}")

# %% [markdown]
# The reconstructions back the distortion numbers: the plain and warm-up models, whose codes carry
# about a nat, return nearly the same blurred digit whatever the input;
# free bits and the capacity target return digits much closer to the originals. The samples are
# a different matter. A model whose rate is pinned to $C$ nats by force is not trained to make
# its aggregate posterior match the prior, so its samples are not guaranteed to be better: look
# at them before trusting a single number. We check one number: the distortion gap between the
# remedies and the plain model is large, not a rounding effect.

# %%
gap_free = plain["D"] - free["D"]
gap_capacity = plain["D"] - capacity["D"]
print(
    f"distortion gained over plain: free bits {gap_free:.1f}, capacity {gap_capacity:.1f} "
    "nats per image"
)
assert min(gap_free, gap_capacity) > 5

# %% [markdown]
# ## Verdict
#
# At $\beta = 16$, on our MLP VAE:
#
# - **Warm-up** keeps the rate high only while $\beta$ is small; its rate ends, like the
#   plain model's, below two nats per image. It delays collapse; it does not prevent it.
# - **Free bits** and a **capacity target** keep many more informative dimensions, a rate more
#   than ten times the plain model's, and a lower distortion and a better ELBO. They do so by
#   overriding what $\beta$ was meant to do: the rate is set by $\lambda$ or $C$.
#
# The remedies are best read as ways to choose the rate directly. If the goal of a large
# $\beta$ is a compact code, they defeat it; if the goal is a VAE whose code is used, they are
# a more direct tool than $\beta$ itself.
#
# ## Summary
#
# - Warm-up, free bits and a capacity target are small changes to the loss, already in
#   `vaelib.vae_loss` and `vaelib.fit`.
# - At a large fixed $\beta$, warm-up only delays collapse, because the final objective is
#   unchanged.
# - Free bits ($\max(\lambda, R_i)$ per dimension) and a capacity target ($|R - C|$) change the
#   minimum of the objective; they keep more informative dimensions, a higher rate and a
#   lower distortion than the plain β-VAE at the same $\beta$.
#
# ## Exercises
#
# 1. **Warm-up at β = 1.** Repeat the plain and warm-up runs at $\beta = 1$. Does warm-up
#    change the number of active units there?
#
# ```{admonition} Solution
# :class: dropdown
#
# At $\beta = 1$ the MLP decoder is too weak to model MNIST without the code, so the plain
# model already uses many dimensions and warm-up changes little: a unit or two, and slightly
# different rate and distortion. Warm-up matters where the decoder is strong enough to ignore
# the code early in training (autoregressive decoders), which is the case Bowman et al.
# studied.
# ```
#
# 2. **Free bits, per dimension or in total.** Our free bits apply $\max(\lambda, \bar R_i)$ to
#    each dimension. A variant applies $\max(d\lambda, \bar R)$ to the total rate. Predict how
#    the two differ in the number of active units. (Hint: compare the variant with the capacity
#    target, which also acts on the total rate only.)
#
# ```{admonition} Solution
# :class: dropdown
#
# The total version only asks that the code carry $d\lambda$ nats in all; it leaves the
# optimiser free to put them into a few dimensions, as the capacity target does, and so it keeps
# the rate up but not necessarily the number of active units. The per-dimension version forbids
# that: each dimension is individually free up to $\lambda$ nats, so silencing any one of them
# gains nothing, and the decoder has every reason to use all of them. This is why
# {cite:t}`kingma2016improved` apply the constraint per group of latent variables.
# ```
#
# 3. **Choosing C.** Train the capacity model with $C \in \{5, 15, 30\}$ at $\beta = 16$ and
#    place the three models on the rate–distortion plane with `plots.plot_rate_distortion`.
#    What does $C$ control?
#
# ```{admonition} Solution
# :class: dropdown
#
# With a large $\beta$ the rate lands close to $C$ in each case, and the distortion falls as $C$
# rises, tracing the same frontier as the β sweep of chapter 6. $C$ plays the role of a
# constraint $R = C$ whose Lagrange multiplier is set automatically, where $\beta$ set the slope
# and let the rate follow.
# ```
