# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
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
# - watch the latent dimensions fall silent as $\beta$ grows, in a heat map of the KL of each
#   dimension, and see two counts of the dimensions in use disagree about when;
# - define precisely where posterior collapse begins, and compute it;
# - score the samples of every model with a classifier, and move along the sweep with a slider.

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
from vaelib import interactive, plots

# %%
vaelib.seed_everything(0)
DEVICE = vaelib.pick_device()

# %%
train_full = vaelib.load_mnist("train")  # the classifier that scores samples trains on all of it
train = train_full.subset(10_000, seed=0)
test = vaelib.load_mnist("test")
print(f"{len(train)} of the {len(train_full)} training images and {len(test)} test images")

# %% [markdown]
# ## 6.1 Rate and distortion
#
# Write the two terms of the negative ELBO, averaged over the data, with the names that
# {cite:t}`alemi2018fixing` give them:
#
# $$
# D = \mathbb{E}_{x}\,\mathbb{E}_{q(z \mid x)}\big[-\log p(x \mid z)\big], \qquad
# R = \mathbb{E}_{x}\,\operatorname{KL}\big(q(z \mid x)\,\|\,p(z)\big),
# $$
#
# the **distortion** (our reconstruction term) and the **rate** (our KL term), both in nats per
# image. The β-VAE {cite:p}`higgins2017betavae` minimises $D + \beta R$, and $-\operatorname{ELBO} =
# D + R$. The rate has a meaning of its own: it is an upper bound on the mutual information
# between $x$ and $z$ under the encoder, the number of nats the code carries about the image.
# A model with $R = 0$ has a code that says nothing about $x$: $q(z \mid x) = p(z)$ for every
# image, which is posterior collapse.
#
# For a fixed architecture, every pair $(R, D)$ that some encoder–decoder pair can reach lies
# on or above a frontier, the least distortion reachable at each rate. Minimising
# $D + \beta R$ picks the point where a line of slope $-\beta$ touches the reachable set from
# below: a point of the frontier's lower convex hull, where the frontier's slope is $-\beta$ if
# it is smooth there ({cite:t}`alemi2018fixing` show that the frontier is convex when the
# encoder and decoder families are unrestricted). A small $\beta$ buys low distortion with a
# high rate, a large $\beta$ buys a low rate at a high distortion. Sweeping $\beta$ traces the
# frontier.

# %% [markdown]
# ## 6.2 The sweep
#
# We train nine VAEs (784-400-20, as in [chapter 4](04_vae_mnist.ipynb)) with
# $\beta \in \{0, 0.25, 0.5, 1, 2, 4, 8, 16, 30\}$. `vaelib.sweep_beta` seeds every model
# identically, so they start from the same weights, see the same batches and differ only by
# $\beta$. To keep the chapter fast we train on 10,000 of the 60,000 training images for five
# epochs. The models are not fully trained, and their numbers are not those of a long run. What
# this chapter is about is the *shape* of the landscape — which way rate and distortion move with
# $\beta$, and where the code switches off — and the cells below check that shape on these
# models; exercise 1 asks you to check it again with a longer run.

# %%
vaelib.show_source(vaelib.sweep_beta)

# %%
BETAS = [0, 0.25, 0.5, 1, 2, 4, 8, 16, 30]
LATENT_DIM = 20
EPOCHS = 5
runs = vaelib.sweep_beta(BETAS, train, epochs=EPOCHS, seed=0, device=DEVICE)
models = [model for model, _ in runs]
print(f"trained {len(models)} models")

# %% [markdown]
# Each model is measured on the 10,000 test images: its distortion and rate (one sample
# $z \sim q(z \mid x)$ per image for $D$, the closed form for $R$), the KL of each latent
# dimension, and its number of active units, the dimensions $i$ with
# $\operatorname{Var}_x\big(\mathbb{E}_{q(z \mid x)}[z_i]\big) > 0.01$
# {cite:p}`burda2016importance`.

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
# ## 6.3 The rate–distortion plane
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
# In the order of $\beta$ the points run along the frontier from the lower right of the plane
# (high rate, low distortion) to its upper left: as $\beta$ rises, the rate falls at every step
# and the distortion rises at every step.

# %%
rate_steps = [r1 - r0 for r0, r1 in zip(rates, rates[1:])]
distortion_steps = [d1 - d0 for d0, d1 in zip(distortions, distortions[1:])]
print("change of R between neighbouring β:", [f"{s:.1f}" for s in rate_steps])
print("change of D between neighbouring β:", [f"{s:.1f}" for s in distortion_steps])

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert all(step < 0 for step in rate_steps), "as β rises, the rate falls at every step"
assert all(step > 0 for step in distortion_steps), "as β rises, the distortion rises at every step"

# %% [markdown]
# How much distortion does one nat of rate buy? The slope of the chord between neighbouring
# points, $-\Delta D / \Delta R$, is the exchange rate. At exact optima it grows along the sweep,
# and so it does here: at $\beta = 0$ the code carries hundreds of nats that the decoder
# hardly uses (giving most of them up, on the way to $\beta = 0.25$, costs less than a tenth of
# a nat of distortion per nat), while over the last two steps, from $\beta = 8$ on, each nat
# given up costs more than ten nats of distortion. At an exact optimum the slope at the point
# of $\beta$ is $-\beta$, so each chord's exchange rate should lie between its two $\beta$s
# (exercise 2 proves it for exact optima). Here every chord does, and because neighbouring
# chords share a $\beta$, that alone makes the exchange rate grow.

# %%
exchange = [-dd / dr for dd, dr in zip(distortion_steps, rate_steps)]
for (b0, b1), e in zip(zip(BETAS, BETAS[1:]), exchange):
    print(f"β {b0:g} → {b1:g}: {e:.2f} nats of distortion per nat of rate")
print(f"rate at β = 0: {rates[0]:.0f} nats per image")
print(f"given up between β = 0 and 0.25: {-rate_steps[0] / rates[0]:.0%} of it")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert rates[0] > 200, "at β = 0 the code carries hundreds of nats"
assert -rate_steps[0] > 0.5 * rates[0], "most of them are given up on the way to β = 0.25"
assert exchange[0] < 0.1, "giving them up costs less than a tenth of a nat of distortion per nat"
assert min(exchange[-2:]) > 10, "over the last two steps each nat costs more than ten nats of D"
assert all(b0 <= e <= b1 for (b0, b1), e in zip(zip(BETAS, BETAS[1:]), exchange)), (
    "each chord's exchange rate lies between its two βs (and so grows along the sweep)"
)

# %% [markdown]
# The ELBO itself, $-(D + R)$, is best near $\beta = 1$: the only value of $\beta$ for which the
# training objective *is* the negative ELBO. Smaller $\beta$ spends rate that the ELBO charges
# for; larger $\beta$ throws away information the decoder could have used.

# %%
neg_elbo = [d + r for d, r in zip(distortions, rates)]
best = BETAS[min(range(len(BETAS)), key=neg_elbo.__getitem__)]
print(f"best test ELBO at β = {best:g}: D + R = {min(neg_elbo):.1f} nats per image")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert best in (0.5, 1, 2), "the ELBO itself, −(D + R), is best near β = 1"

# %% [markdown]
# ## 6.4 The code falls silent, several dimensions at a time
#
# The rate is a sum over the $d = 20$ latent dimensions, $R = \sum_i R_i$ with
# $R_i = \mathbb{E}_x \operatorname{KL}\big(q(z_i \mid x)\,\|\,\mathcal{N}(0, 1)\big)$. The heat map
# shows $R_i$ for every model (one row per $\beta$), with each row sorted from the largest
# dimension to the smallest. The colour scale is logarithmic, and dimensions below 0.01 nats
# are drawn at its bottom.

# %%
plots.plot_kl_heatmap(
    kl_matrix, BETAS, title="As β rises, more and more latent dimensions fall silent"
)

# %% [markdown]
# At $\beta = 0$ nothing charges for rate, and every dimension carries several nats. As $\beta$
# grows, the rate does not shrink evenly across the dimensions: from $\beta = 4$ to $\beta = 8$
# some dimensions have already fallen below 0.1 nats while the largest still carries more than
# twice that. A dimension at zero KL has $q(z_i \mid x) = \mathcal{N}(0, 1)$ for every $x$: the
# decoder learns to ignore it, and the optimiser gains $\beta R_i$ by silencing it.

# %%
print(f"smallest R_i at β = 0: {kl_matrix[0].min():.1f} nats")
assert kl_matrix[0].min() > 3, "at β = 0 every dimension carries several nats"
for beta in (4, 8):
    row = kl_matrix[BETAS.index(beta)]  # (d,) nats
    print(f"β = {beta}: {(row < 0.1).sum()} dimensions below 0.1 nats, largest {row.max():.2f}")
    assert (row < 0.1).any() and row.max() > 0.2, (
        "some dimensions have fallen below 0.1 nats while the largest carries more than twice that"
    )

# %% [markdown]
# Counting the active units turns this into one number per model.

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
# Along the sweep the count never rises, and at $\beta = 30$, the source's setting, no unit is
# active at all. Here the choice of "half" hardly matters: the count falls from most of the
# units straight to none in the last step of the sweep, so a quarter (exercise 3) gives the same
# onset.

# %%
assert all(a1 <= a0 for a0, a1 in zip(active, active[1:])), "along the sweep the count never rises"
assert active[-1] == 0, "at β = 30 no unit is active at all"
assert active[-2] > LATENT_DIM / 2, "the count falls from most of the units straight to none"
onset_quarter = vaelib.collapse_onset(BETAS, active, LATENT_DIM, fraction=0.25)
print(f"collapse begins at β = {onset_quarter:g} with fewer than a quarter of the units active")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert onset_quarter == onset, "a quarter (exercise 3) gives the same onset"

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
# $R_i \ge \tfrac12 \operatorname{Var}_x(\mu_i(x))$, a dimension that passes the 0.01 variance
# threshold may still carry less than a tenth of a nat. Count instead the *informative*
# dimensions, those with $R_i > 0.1$ nats. The two counts fall at different times and at
# different speeds: the informative count falls over several steps of the sweep, up to several
# dimensions at a step (not one by one), while the active-unit count stays above half of $d$
# until the last step of the sweep and then falls to zero. By the informative count, more than
# half the code is silent earlier in the sweep.

# %%
informative = (kl_matrix > 0.1).sum(dim=1).tolist()
onset_informative = vaelib.collapse_onset(BETAS, informative, LATENT_DIM)
print("active units:              ", active)
print("dimensions with > 0.1 nats:", informative)
print(f"fewer than {LATENT_DIM // 2} informative dimensions from β = {onset_informative:g} on")
falling = {  # the steps of the sweep at which each count falls
    name: [b1 for b1, c0, c1 in zip(BETAS[1:], counts, counts[1:]) if c1 < c0]
    for name, counts in [("active", active), ("informative", informative)]
}
print(f"the active-unit count falls at β = {falling['active']}")
print(f"the informative count falls at β = {falling['informative']}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert any(a > k for a, k in zip(active, informative)), (
    "a dimension that passes the 0.01 variance threshold may still carry less than 0.1 nats"
)
assert all(k1 <= k0 for k0, k1 in zip(informative, informative[1:])), (
    "the informative count never rises along the sweep"
)
assert len(falling["informative"]) >= 3, "the informative count falls over several steps"
assert max(k0 - k1 for k0, k1 in zip(informative, informative[1:])) >= 3, (
    "up to several dimensions at a step, not one by one"
)
assert active[-2] > LATENT_DIM / 2 and active[-1] == 0, (
    "the active-unit count stays above d/2 until the last step and then falls to zero"
)
assert BETAS.index(onset_informative) < BETAS.index(onset), (
    "by the informative count, more than half the code is silent earlier in the sweep"
)

# %% [markdown]
# ## 6.5 What the samples say
#
# The source judges its two models by their samples: at $\beta = 30$ "the generated images are
# very poor". The sweep lets us put that judgement in numbers for every $\beta$. The book's MNIST
# classifier (`vaelib.train_classifier`, cached after its first training) scores 1,000 samples
# $x = \operatorname{sigmoid}(\ell(z))$, $z \sim \mathcal{N}(0, I)$, of each model
# (`vaelib.sample_quality`): the **confidence** is its mean largest class probability (1 when
# every sample is clearly some digit, 0.1 when it cannot tell), the **class coverage** the
# effective number of digits the samples fall into (from 1 to 10), and the **Fréchet distance**
# compares the classifier's features of the samples with those of 9,000 real test digits, the
# same reference set as in chapters 4 and 5 (the idea of the FID {cite:p}`heusel2017gans`, in the
# 64 features of our small classifier: its values are not comparable with published FIDs). The
# other 1,000 real test digits, scored the same way, show what a perfect model would reach (the
# ceiling of the confidence, the floor of the Fréchet distance). `vaelib.sharpness` (the mean
# squared Laplacian) measures blur.

# %%
classifier = vaelib.train_classifier(train_full)  # cached after its first training
print(f"classifier accuracy on the test digits: {vaelib.classifier_accuracy(classifier, test):.3f}")
N_SAMPLES = 1000
shuffled = test.subset(len(test), seed=0)  # the test set in random order, as in chapters 4 and 5
reference = shuffled.images[N_SAMPLES:]  # the other 9,000 test digits
real = vaelib.sample_quality(classifier, shuffled.images[:N_SAMPLES], reference)
sharp_real = vaelib.sharpness(shuffled.images[:N_SAMPLES]).mean().item()
model_samples = [model.sample(N_SAMPLES, vaelib.seeded_generator(0)) for model in models]
quality = [vaelib.sample_quality(classifier, x, reference) for x in model_samples]
sharp = [vaelib.sharpness(x).mean().item() for x in model_samples]
print("     β   confidence   coverage   Fréchet   sharpness")
print(
    f"  real {real.confidence:12.2f} {real.class_coverage:10.1f} {real.frechet_distance:9.0f}"
    f" {sharp_real:11.3f}"
)
for beta, q, h in zip(BETAS, quality, sharp):
    print(
        f"{beta:6g} {q.confidence:12.2f} {q.class_coverage:10.1f} {q.frechet_distance:9.0f}"
        f" {h:11.3f}"
    )

# %% [markdown]
# The samples are best at $\beta$ = 1–2, next to where the ELBO is best (printed above), and they
# are poor at both ends of the sweep. At $\beta = 30$ they are the furthest from real digits and
# classified with the least confidence of the sweep, and they fall into the fewest classes or
# nearly (at most one other $\beta$ gives fewer); they are as blurry as the blurriest set of the
# sweep, to within a tenth, with less than two fifths of the sharpness of the $\beta = 1$
# samples. Past its best $\beta$ the Fréchet distance rises at every step; the largest step, from
# $\beta = 8$ to 16, carries about half of the rise, and the last, to the source's $\beta = 30$,
# less than two thirds as much as that. At $\beta = 0$ the samples are poor for the opposite
# reason, and their Fréchet distance is about twice that of $\beta = 1$; the next cell measures
# why. Even the best samples are far from real digits, at more than forty times the real digits'
# own Fréchet distance, and real digits are many times sharper.

# %%
frechet = [q.frechet_distance for q in quality]
i_best = min(range(len(BETAS)), key=frechet.__getitem__)
i1, i30 = BETAS.index(1), BETAS.index(30)
rise = [f1 - f0 for f0, f1 in zip(frechet[i_best:], frechet[i_best + 1 :])]
i_steepest = i_best + rise.index(max(rise))  # the largest step runs from BETAS[i_steepest]
print(f"lowest Fréchet distance at β = {BETAS[i_best]:g}")
print(
    f"largest step of its rise after that, β = {BETAS[i_steepest]:g} → "
    f"{BETAS[i_steepest + 1]:g}: {max(rise) / sum(rise):.0%} of the whole rise; "
    f"the last step {rise[-1] / max(rise):.0%} of the largest"
)
print(f"Fréchet distance, β = 0 over β = 1: {frechet[0] / frechet[i1]:.1f}")
print(f"blurriest samples at β = {BETAS[min(range(len(BETAS)), key=sharp.__getitem__)]:g}")
print(f"sharpness, β = 30 over β = 1: {sharp[i30] / sharp[i1]:.2f}")
assert BETAS[i_best] in (1, 2), "the samples are best at β = 1–2"
assert max(range(len(BETAS)), key=[q.confidence for q in quality].__getitem__) in (
    BETAS.index(0.5),
    i1,
    BETAS.index(2),
), "the samples are classified most confidently near β = 1"
assert frechet[i30] == max(frechet), "at β = 30 the samples are the furthest from real digits"
coverage = [q.class_coverage for q in quality]

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert quality[i30].class_coverage <= sorted(coverage)[1], (
    "at β = 30 the samples fall into the fewest classes or nearly (at most one β gives fewer)"
)
assert quality[i30].confidence == min(q.confidence for q in quality), (
    "at β = 30 the samples are classified with the least confidence"
)
assert sharp[i30] < 1.1 * min(sharp), "at β = 30 as blurry as the blurriest, within a tenth"
assert sharp[i30] < 0.4 * sharp[i1], "less than two fifths of the sharpness of the β = 1 samples"
assert all(step > 0 for step in rise), "past its best β the Fréchet distance rises at every step"
assert (BETAS[i_steepest], BETAS[i_steepest + 1]) == (8, 16), "the largest step, from β = 8 to 16"
assert 0.4 < max(rise) / sum(rise) < 0.6, "the largest step carries about half of the rise"
assert rise[-1] < 2 / 3 * max(rise), "the last, to β = 30, less than two thirds as much as that"
assert 1.6 < frechet[0] / frechet[i1] < 2.4, "at β = 0 about twice the Fréchet distance of β = 1"
assert min(frechet) > 40 * real.frechet_distance, (
    "even the best samples are at more than forty times the real digits' Fréchet distance"
)
assert sharp_real > 5 * max(sharp), "real digits are many times sharper than any model's samples"

# %% [markdown]
# Why are the $\beta = 0$ samples poor? At $\beta = 0$ nothing in the objective pulls the codes
# towards the prior. As [chapter 1](01_autoencoder.ipynb) did for the plain autoencoder, we
# compare where the codes the decoder was trained on lie — one $z \sim q(z \mid x)$ per training
# image — with the ball that holds 99% of the draws from $\mathcal{N}(0, I)$.

# %%
prior_draws = torch.randn((10_000, LATENT_DIM), generator=vaelib.seeded_generator(1))
prior_lengths = prior_draws.norm(dim=1)  # (10000,)
prior_radius_99 = torch.quantile(prior_lengths, 0.99).item()
code_length, inside = {}, {}
for beta in (0, 1):
    mu, logvar = vaelib.encode_dataset(models[BETAS.index(beta)], train)  # (10000, d) each
    z = vaelib.VAE.reparameterize(mu, logvar, generator=vaelib.seeded_generator(0))
    code_length[beta] = z.norm(dim=1).median().item()
    inside[beta] = int((z.norm(dim=1) < prior_radius_99).sum())
print(
    f"prior draws: median length {prior_lengths.median():.1f}, "
    f"99% within radius {prior_radius_99:.1f}"
)
for beta in (0, 1):
    print(
        f"β = {beta}: median length of a training code {code_length[beta]:.1f}, "
        f"{inside[beta]:,} of {len(train):,} codes inside that radius"
    )

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert code_length[0] > 3 * prior_lengths.median(), (
    "at β = 0 the typical training code is more than three times as long as a prior draw"
)
assert inside[0] < len(train) / 1000, (
    "fewer than one training code in a thousand lies in the ball of 99% of the prior's draws"
)
assert inside[1] > len(train) / 2, "at β = 1 most of them do"

# %% [markdown]
# At $\beta = 0$ the typical training code is more than three times as long as a prior draw, and
# fewer than one training code in a thousand lies in the ball that holds 99% of the prior's
# draws, where at $\beta = 1$ most of them do. Codes drawn from $\mathcal{N}(0, I)$ land where the
# $\beta = 0$ decoder was hardly ever trained, as chapter 1 found for the plain autoencoder.

# %% [markdown]
# ## 6.6 The sweep, one model at a time
#
# The figure below puts the chapter's measurements side by side for one $\beta$ at a time: move
# the slider to see that model's samples, its reconstructions of the same eight test digits, its
# number of active units and its point on the rate–distortion plane.

# %%
# NBVAL_IGNORE_OUTPUT
originals = test.images[:8]
samples, recons = interactive.sweep_images(models, originals)
beta_fig = interactive.beta_explorer(
    BETAS, samples, recons, originals, active, rates, distortions, latent_dim=LATENT_DIM
)
assert beta_fig.size_bytes < 1_000_000, "the β explorer stays small enough for the page"
beta_fig

# %% [markdown]
# ## 6.7 What the landscape says about the source
#
# The source story compares $\beta = 1$ and $\beta = 30$ as two separate experiments. The sweep
# shows they are two points on one curve. Nothing special happens at $\beta = 30$: the rate has
# been falling and the distortion rising at every step, the code has been losing informative
# dimensions since $\beta = 4$ at the latest, and the samples have been getting worse at every
# step past their best. Only the active-unit count, with its low threshold, makes posterior
# collapse look like a cliff; by the rate it is the far end of a trade-off that the objective
# $D + \beta R$ sets on purpose. [Chapter 7](07_keeping_the_code_alive.ipynb) asks whether the
# loss can be changed so that a large $\beta$ no longer silences the code.

# %%
first_silent = next(b for b, k in zip(BETAS, informative) if k < LATENT_DIM)
print(f"first β with an uninformative dimension: {first_silent:g}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert first_silent <= 4, (
    "the code has been losing informative dimensions since β = 4 at the latest"
)

# %% [markdown]
# ## Summary
#
# - The β-VAE objective $D + \beta R$ selects a point on a convex rate–distortion frontier,
#   where the frontier's slope is $-\beta$; sweeping $\beta$ traces the frontier.
# - Along our sweep the rate falls and the distortion rises at every step; the exchange rate
#   between them grows with $\beta$, and the ELBO $-(D + R)$ is best near $\beta = 1$.
# - The rate is not shrunk evenly: by the per-dimension KL, dimensions fall silent over several
#   steps of the sweep, up to several at a step; the active-unit count (variance > 0.01) lags
#   and drops late and abruptly, so say which criterion a collapse claim uses.
# - We defined the onset of collapse as the first $\beta$ with fewer than $d/2$ active units,
#   computed it, and checked that the count never rises along the sweep.
# - Scored by a classifier, the samples are best near $\beta = 1$ and worst at $\beta = 30$,
#   where they are also about the blurriest: the source's "very poor" holds, as the end of a decline
#   that runs over every step past the best $\beta$.
#
# ## Exercises
#
# 1. **A longer run.** Train the sweep twice as long, 10 epochs on the same images
#    (`vaelib.sweep_beta(BETAS, train, epochs=10, seed=0, device=DEVICE)`), and measure it as
#    above. Which numbers move, and does the shape of the landscape — monotone $R$ and $D$, the
#    onset of collapse — change?
#
# ```{admonition} Solution
# :class: dropdown
#
# What cannot change, if the models are close to optimal, is the ordering: the rate falls and
# the distortion rises with $\beta$, because that is what minimising $D + \beta R$ for a larger
# $\beta$ means (exercise 2: exact minimisers at $\beta_2 > \beta_1$ cannot have a higher rate or
# a lower distortion than at $\beta_1$). And so it is: after 10 epochs the rate still falls and
# the distortion still rises at every step of the sweep. What moves is everything that depends
# on how far from optimal five epochs leave the models. The distortion falls at every $\beta$
# that keeps a code. The active-unit count falls over at least as many steps of the sweep as
# after five epochs, and by that count collapse begins at the same $\beta$ or earlier: training
# longer does not rescue the code at a large $\beta$, it only lets the models that keep one use
# it better.
# ```
#
# 2. **Why the rate must fall.** Suppose the models at $\beta_1 < \beta_2$ are exact minimisers
#    of $D + \beta_1 R$ and $D + \beta_2 R$, with rates $R_1, R_2$ and distortions $D_1, D_2$.
#    Show that $R_2 \le R_1$ and $D_2 \ge D_1$, and that when $R_2 < R_1$ the chord's exchange
#    rate $(D_2 - D_1)/(R_1 - R_2)$ lies between $\beta_1$ and $\beta_2$.
#
# ```{admonition} Solution
# :class: dropdown
#
# Optimality gives $D_1 + \beta_1 R_1 \le D_2 + \beta_1 R_2$ and
# $D_2 + \beta_2 R_2 \le D_1 + \beta_2 R_1$. Adding the two inequalities,
# $\beta_1 R_1 + \beta_2 R_2 \le \beta_1 R_2 + \beta_2 R_1$, that is
# $(\beta_2 - \beta_1)(R_2 - R_1) \le 0$, so $R_2 \le R_1$. Then the first inequality gives
# $D_1 - D_2 \le \beta_1 (R_2 - R_1) \le 0$, so $D_2 \ge D_1$. When $R_1 > R_2$, dividing each
# inequality by $R_1 - R_2$ gives $\beta_1 \le (D_2 - D_1)/(R_1 - R_2) \le \beta_2$: the
# chord's exchange rate lies between the two $\beta$s. Trained networks are only
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
# In general a smaller fraction can only leave the onset where it is or move it to a larger
# $\beta$, or past the end of the sweep (the function then returns `None`). Here it does not
# move at all: the active-unit count falls from most of the units straight to none in the last
# step of the sweep (the onset cell of the chapter checks it), so every fraction of $d$ up to
# the count just before that step gives the same onset. That is the weakness of the active-unit
# count as a guide: it says almost nothing until it is too late.
# In practice one picks $\beta$ from the rate–distortion plane by the rate one wants the code to
# carry, and uses the per-dimension KL (or the informative count) to see how many dimensions
# carry it.
# ```

# %% tags=["remove-cell"]
# Checks the solution of exercise 1 (hidden in the book): the sweep trained for 10 epochs.
long_models = [m for m, _ in vaelib.sweep_beta(BETAS, train, epochs=10, seed=0, device=DEVICE)]
long_scores = [vaelib.evaluate(model, test) for model in long_models]
long_rates = [s["kl"] for s in long_scores]
long_distortions = [s["reconstruction"] for s in long_scores]
long_active = [vaelib.active_units(model, test) for model in long_models]
long_falling = [b1 for b1, c0, c1 in zip(BETAS[1:], long_active, long_active[1:]) if c1 < c0]
long_onset = vaelib.collapse_onset(BETAS, long_active, LATENT_DIM)
keeps_code = [a > 0 for a in active]  # the models of the chapter's sweep with an active unit
assert all(r1 < r0 for r0, r1 in zip(long_rates, long_rates[1:])), (
    "after 10 epochs the rate still falls at every step"
)
assert all(d1 > d0 for d0, d1 in zip(long_distortions, long_distortions[1:])), (
    "and the distortion still rises at every step"
)
assert all(d1 < d0 for d0, d1, k in zip(distortions, long_distortions, keeps_code) if k), (
    "the distortion falls at every β that keeps a code"
)
assert len(long_falling) >= len(falling["active"]), (
    "the active-unit count falls over at least as many steps of the sweep as after five epochs"
)
assert long_onset is not None and BETAS.index(long_onset) <= BETAS.index(onset), (
    "by that count collapse begins at the same β or earlier"
)
