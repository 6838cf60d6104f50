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
# # 4. Training a VAE on MNIST
#
# This chapter retells the first half of the book's source story. We train the variational
# autoencoder of {cite:t}`kingma2014autoencoding` — an encoder and a decoder with one hidden
# layer of 400 units and a 20-dimensional latent code, "784-400-20" — on MNIST with the plain
# ELBO, that is with $\beta = 1$, and look at what it has learned from every side that
# [chapter 5](05_posterior_collapse.ipynb) will need.
#
# In this chapter you will
#
# - train the VAE and follow its two loss terms, reconstruction and KL, epoch by epoch;
# - measure how large the reconstruction term is compared with the KL term, and see how much of
#   it is a floor set by the data rather than by the model;
# - put the VAE's reconstructions next to those of the plain autoencoder of
#   [chapter 1](01_autoencoder.ipynb);
# - compare the latent codes of the training set with the prior $p(z) = \mathcal{N}(0, I)$, for
#   the VAE and for the autoencoder, and check a moment identity that says what "matching the
#   prior" means for a VAE;
# - draw new digits from the prior;
# - count the active latent dimensions and the KL each one carries: the baseline that
#   chapter 5 compares against.

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
train = vaelib.load_mnist("train")
test = vaelib.load_mnist("test")
print(
    f"{len(train):,} training and {len(test):,} test images, each {tuple(train.images.shape[1:])}"
)

# %% [markdown]
# ## 4.1 Training with the ELBO
#
# For one image $x$ the VAE minimises the negative ELBO, the sum of a *reconstruction* term
# (the distortion $D$) and a *KL* term (the rate $R$):
#
# $$
# -\operatorname{ELBO}(x)
#   = \underbrace{\mathbb{E}_{q(z \mid x)}\big[-\log p(x \mid z)\big]}_{D \text{ (reconstruction)}}
#   + \beta \, \underbrace{\operatorname{KL}\big(q(z \mid x) \,\|\, p(z)\big)}_{R \text{ (KL)}},
#   \qquad \beta = 1 .
# $$
#
# The reconstruction term is the binary cross-entropy between the image and the decoder's pixel
# probabilities, **summed over the 784 pixels**; the KL term is the closed form derived in
# [chapter 3](03_kl_derivation.ipynb), **summed over the 20 latent dimensions**. Both are
# averaged over images, so every number below is in nats per image and the two terms add up to
# exactly $-\text{ELBO}$. The expectation over $q(z \mid x)$ is estimated with one
# reparameterised sample $z = \mu + \sigma \odot \varepsilon$ per image
# {cite:p}`kingma2014autoencoding,rezende2014stochastic`.
#
# Ten passes over the 60,000 training images are enough for everything this chapter shows.

# %%
EPOCHS = 10

vaelib.seed_everything(0)
vae = vaelib.VAE()  # 784-400-20, the default MLPConfig
history = vaelib.fit(
    vae, train, test, epochs=EPOCHS, beta=1.0, seed=0, device=DEVICE, progress=False
)
final = history.last()
print(
    f"after {EPOCHS} epochs, on the test set: reconstruction {final['test_reconstruction']:.1f}, "
    f"KL {final['test_kl']:.1f}, -ELBO {final['test_loss']:.1f} (nats per image)"
)
assert final["test_loss"] < 115 and history.test_loss[-1] < history.test_loss[0]

# %% [markdown]
# The two terms live on different scales, so the figure below gives each its own panel. The
# reconstruction term falls throughout training. The KL term does the opposite of what a
# penalty "should" do: it *rises* in the first epochs, because the encoder learns to spend
# information on the code — every nat of KL is information about $x$ that the decoder can use —
# and then it levels off once the extra reconstruction a further nat buys is worth less than the
# nat costs. The cell after the figure checks both trends on the test set.

# %%
plots.plot_loss_curves(
    history, title="β = 1: the reconstruction term keeps falling, the KL term rises and levels off"
)

# %%
recon_drop = history.test_reconstruction[0] - history.test_reconstruction[-1]
kl_rise = history.test_kl[-1] - history.test_kl[0]
kl_late_change = history.test_kl[-1] - history.test_kl[EPOCHS // 2 - 1]
print(f"test reconstruction fell by {recon_drop:.1f} nats from epoch 1 to {EPOCHS}")
print(f"test KL rose by {kl_rise:.1f} nats, and moved by {kl_late_change:+.1f} over the last half")
assert recon_drop > 5 and kl_rise > 0 and abs(kl_late_change) < kl_rise

# %% [markdown]
# ## 4.2 How the two terms compare
#
# The source story says that at β = 1 the reconstruction loss is well above the KL term —
# "an order of magnitude". In our units, the ones in which the two terms add up to the
# negative ELBO, the first half of that is true and the second is not: the reconstruction term
# is a few times the KL term.

# %%
ratio = final["test_reconstruction"] / final["test_kl"]
print(f"reconstruction / KL on the test set: {ratio:.1f}")
assert 2.5 < ratio < 5

# %% [markdown]
# A ratio of two loss terms depends on how each is reduced. Averaging the cross-entropy over
# pixels instead of summing it would divide the reconstruction term by 784; summing the KL but
# averaging over a batch of a different size, or reporting per-pixel bits, changes the ratio
# again. We do not know the source's reduction, so we do not try to reproduce its figure; we
# report the one reduction in which $D + R = -\text{ELBO}$, the quantity the model is trained on.
#
# Part of the reconstruction term is not the model's doing at all. MNIST pixels are grey levels
# $x_j \in [0, 1]$, not black-or-white, and for a grey level the cross-entropy
# $-[x_j \log p_j + (1 - x_j) \log (1 - p_j)]$ is smallest at $p_j = x_j$, where it equals the
# binary entropy $H(x_j) > 0$. So no decoder, however good, brings $D$ below
# $\sum_j H(x_j)$ — the *entropy floor* of the data, which `vaelib.bernoulli_entropy` computes.

# %%
floor = vaelib.bernoulli_entropy(test.images).mean().item()
excess = final["test_reconstruction"] - floor
print(f"entropy floor of the reconstruction term: {floor:.1f} nats per image")
print(f"reconstruction above the floor: {excess:.1f} nats = {excess / final['test_kl']:.1f} x KL")
assert 0.3 * final["test_reconstruction"] < floor < final["test_reconstruction"]
assert 0.5 < excess / final["test_kl"] < 2.5

# %% [markdown]
# The floor is a large share of the reconstruction term, and what lies above it — the part the
# model can still reduce — is of the same order as the KL term. That is the honest reading of
# "reconstruction well above KL": the model spends a few tens of nats on its code and still
# loses a comparable number of nats to imperfect reconstruction, on top of a floor that measures
# the grey levels of the data.
#
# ## 4.3 Reconstructions: VAE against autoencoder
#
# The plain autoencoder of [chapter 1](01_autoencoder.ipynb) has the same 784-400-20 shape but a
# deterministic code and no KL term. We train it here with chapter 1's settings (three epochs,
# seed 0), so it is the same model.

# %%
AE_EPOCHS = 3  # as in chapter 1, so this is the same model

vaelib.seed_everything(0)
autoencoder = vaelib.Autoencoder()
ae_history = vaelib.fit(
    autoencoder, train, test, epochs=AE_EPOCHS, seed=0, device=DEVICE, progress=False
)
ae_reconstruction = ae_history.test_reconstruction[-1]
print(
    f"test reconstruction (nats per image): autoencoder {ae_reconstruction:.1f}, "
    f"VAE {final['test_reconstruction']:.1f}"
)
assert ae_reconstruction < final["test_reconstruction"]

# %% [markdown]
# The autoencoder reconstructs better: it pays nothing for its code, so it can spend as much
# information on it as 20 real numbers hold, while the VAE pays one nat of KL per nat of
# information. The difference is visible but small. The VAE row below decodes the posterior mean
# $z = \mu(x)$, the autoencoder row its code $z = f(x)$.

# %%
originals = test.images[:12].to(DEVICE)
plots.plot_reconstructions(
    originals,
    autoencoder.reconstruct(originals),
    vae.reconstruct(originals),
    labels=["autoencoder", "VAE (β = 1)"],
    title="Both models reconstruct the digits; the VAE's are slightly blurrier",
)

# %% [markdown]
# ## 4.4 The codes of the training set against the prior
#
# This is the source story's key observation. Encode every training image; for the VAE take the
# posterior mean $\mu(x)$, for the autoencoder its code. Then histogram single coordinates and lay
# the prior's density $\mathcal{N}(0, 1)$ over them. For the VAE we show the four dimensions whose
# means move most across the data (the others are nearly constant, see section 4.6).

# %%
vae_mu, vae_logvar = vaelib.encode_dataset(vae, train)  # (60000, 20) each
ae_codes, _ = vaelib.encode_dataset(autoencoder, train)  # (60000, 20)
SHOWN = vaelib.latent_activity(vae, train).argsort(descending=True)[:4].tolist()
print("VAE dimensions shown:", [i + 1 for i in SHOWN])

# %%
plots.plot_latent_marginals(
    ae_codes, title="Autoencoder: the codes spread several times wider than the prior"
)

# %%
plots.plot_latent_marginals(
    vae_mu, dims=SHOWN, title="VAE: the posterior means sit close to the prior"
)

# %% [markdown]
# The autoencoder's codes have an arbitrary location and scale: nothing in its loss refers to
# $\mathcal{N}(0, I)$. The VAE's means are centred on 0 with a spread close to 1, on average a
# little below it. The next cell puts numbers on both.

# %%
for name, codes in [("VAE mu", vae_mu), ("AE code", ae_codes)]:
    means, stds = codes.mean(dim=0), codes.std(dim=0)
    print(
        f"{name:>7}: largest |mean| {means.abs().max():.2f}, "
        f"std from {stds.min():.2f} to {stds.max():.2f} across the 20 dimensions "
        f"(average {stds.mean():.2f})"
    )
vae_stds = vae_mu.std(dim=0)
assert vae_mu.mean(dim=0).abs().max() < 0.2
assert 0.7 < vae_stds.min() and vae_stds.max() < 1.2 and vae_stds.mean() < 1
assert ae_codes.std(dim=0).min() > 2  # far wider than the prior in every dimension

# %% [markdown]
# Why, on average, a little *below* 1? The distribution the VAE's codes actually follow is not the
# set of
# means but the **aggregate posterior**, the mixture of all the encoder's Gaussians,
# $q(z) = \frac1N \sum_{n=1}^{N} q(z \mid x_n)$. By the law of total variance, in each dimension
# $i$
#
# $$
# \operatorname{Var}_{q(z)}[z_i]
#   = \underbrace{\operatorname{Var}_n\big[\mu_i(x_n)\big]}_{\text{spread of the means}}
#   + \underbrace{\mathbb{E}_n\big[\sigma_i^2(x_n)\big]}_{\text{average posterior variance}} ,
# $$
#
# and the KL term pushes $q(z)$ towards $p(z)$: its average over the data splits exactly as
# $\mathbb{E}_x \operatorname{KL}(q(z \mid x) \,\|\, p(z)) = I_q(x; z) +
# \operatorname{KL}(q(z) \,\|\, p(z))$ (Hoffman and Johnson's "ELBO surgery", 2016), where the
# first part is the information the code carries about the image. If $q(z)$ matches the prior,
# the left-hand side is 1, so the means can only spread by $\operatorname{Var}[\mu_i] = 1 -
# \mathbb{E}[\sigma_i^2] < 1$. The next cell checks the identity's prediction dimension by
# dimension: the aggregate variance should be close to 1 everywhere.

# %%
var_mu = vae_mu.var(dim=0)  # (20,) spread of the means
mean_sigma2 = vae_logvar.exp().mean(dim=0)  # (20,) average posterior variance
aggregate_var = var_mu + mean_sigma2
print("Var[mu_i]     ", " ".join(f"{v:.2f}" for v in var_mu))
print("E[sigma_i^2]  ", " ".join(f"{v:.2f}" for v in mean_sigma2))
print("Var_q(z)[z_i] ", " ".join(f"{v:.2f}" for v in aggregate_var))
print(f"aggregate variance: from {aggregate_var.min():.2f} to {aggregate_var.max():.2f}")
assert ((aggregate_var - 1).abs() < 0.25).all() and abs(aggregate_var.mean() - 1) < 0.1

# %% [markdown]
# Every dimension's aggregate variance is within a quarter of 1, and their average is within a
# tenth of it, though the split between the two parts varies from dimension to dimension: where
# $\mathbb{E}[\sigma_i^2]$ is large the means spread less. After ten epochs the match is not
# perfect — a few dimensions are slightly wider than the prior — but it is close. A draw from the
# aggregate posterior — one
# $z \sim q(z \mid x)$ per training image — should therefore look like the prior itself, not just
# a narrower version of it. The Kolmogorov–Smirnov distance (the largest gap between the
# empirical CDF and the normal CDF, `vaelib.normal_ks_distance`) measures how well.

# %%
z = vae.reparameterize(vae_mu, vae_logvar, generator=torch.Generator().manual_seed(0))
ks_vae = vaelib.normal_ks_distance(z)
ks_ae = vaelib.normal_ks_distance(ae_codes)
print(
    f"KS distance to N(0, 1): VAE samples at most {ks_vae.max():.2f}, "
    f"AE codes at least {ks_ae.min():.2f}"
)
assert ks_vae.max() < 0.1 and ks_ae.min() > 0.2

# %%
plots.plot_latent_marginals(
    z, dims=SHOWN, title="VAE: one z ~ q(z|x) per training image follows N(0, 1) closely"
)

# %% [markdown]
# ## 4.5 Samples from the prior
#
# Because the aggregate posterior matches the prior, a code drawn from $p(z) = \mathcal{N}(0, I)$
# lands where the decoder has seen codes of real images, and decoding it gives a new digit. The
# grid shows the decoder's pixel means $\operatorname{sigmoid}(\ell(z))$ for 64 draws.

# %%
vae_samples = vae.sample(64, generator=torch.Generator().manual_seed(0))
plots.plot_image_grid(
    vae_samples, title="VAE (β = 1): samples from the prior are varied, mostly legible digits"
)

# %% [markdown]
# The same draws through the autoencoder's decoder fall in a small region near the centre of its
# codes, which spread several times wider, so they decode to few distinct, smudged shapes. One
# rough measure of variety: the standard deviation of each pixel across the 64 images, averaged
# over pixels.

# %%
ae_samples = autoencoder.sample(64, generator=torch.Generator().manual_seed(0))
spread = {
    "64 test images": test.images[:64].std(dim=0).mean().item(),
    "VAE samples": vae_samples.std(dim=0).mean().item(),
    "AE samples": ae_samples.std(dim=0).mean().item(),
}
print(", ".join(f"{name} {value:.3f}" for name, value in spread.items()))
assert spread["AE samples"] < spread["VAE samples"] < spread["64 test images"]

# %%
plots.plot_image_grid(
    ae_samples, title="Autoencoder: the same prior draws decode to less varied shapes"
)

# %% [markdown]
# The VAE's samples vary less than real images partly because they are pixel *means*,
# grey where the decoder is unsure, while real digits are nearly black and white.
#
# ## 4.6 Active units and the KL of each dimension
#
# Finally, where does the KL go? `vaelib.kl_per_dimension` averages each dimension's
# $\operatorname{KL}(q(z_i \mid x) \,\|\, \mathcal{N}(0, 1))$ over the test set; the values sum to
# the KL term. A dimension is *active* {cite:p}`burda2016importance` when its posterior mean
# moves across the data, $\operatorname{Var}_x \mathbb{E}_{q}[z_i \mid x] > 0.01$.

# %%
kl_dims = vaelib.kl_per_dimension(vae, test)  # (20,) nats per image
n_active = vaelib.active_units(vae, test)
print(f"active units: {n_active} of {vae.config.latent_dim}")
print(
    f"KL of all dimensions: {kl_dims.sum():.1f} nats per image; "
    f"per dimension from {kl_dims.min():.2f} to {kl_dims.max():.2f}"
)
assert n_active == vae.config.latent_dim  # every dimension is in use at β = 1
assert abs(kl_dims.sum().item() - final["test_kl"]) < 0.05
assert kl_dims.min() > 0.5  # and each one carries at least half a nat

# %%
plots.plot_kl_per_dimension(kl_dims, title="β = 1: every one of the 20 dimensions carries KL")

# %% [markdown]
# At β = 1 this VAE uses all 20 dimensions, each for a different share of the 25 or so nats: no
# dimension is left at the prior. (Wider latent spaces, or longer training, often do leave some
# dimensions unused even at β = 1 — the mild end of the phenomenon of the next chapter.) With
# β = 30, as we will see, the count falls to none.
#
# ## Summary
#
# - With β = 1 the reconstruction term ends a few times larger than the KL term on the test set
#   (in nats per image, BCE summed over pixels, KL over dimensions) — several-fold, not the
#   order of magnitude of the source story, and a large share of it is the entropy floor of
#   grey-level data, which no decoder can remove.
# - The VAE reconstructs a little worse than an autoencoder of the same size, because it pays
#   for the information in its code.
# - The VAE's codes match the prior: the posterior means are centred with a spread close to,
#   on average a little below, 1, and the law of total variance,
#   $\operatorname{Var}[\mu_i] + \mathbb{E}[\sigma_i^2] \approx 1$,
#   explains the gap; a sample from the aggregate posterior is close to $\mathcal{N}(0, 1)$. The
#   autoencoder's codes are nowhere near it, and so its decoder turns prior draws into poor images,
#   while the VAE's turns them into digits.
# - All 20 latent dimensions are active at β = 1, each carrying at least half a nat of KL.
#
# ## Exercises
#
# 1. A common way to write the VAE loss is `F.binary_cross_entropy(x_hat, x)` (which *averages*
#    over pixels) plus the KL *summed* over dimensions. Which β-VAE objective does that minimise,
#    in the book's units? What would you expect it to do to the model?
#
# ```{admonition} Solution
# :class: dropdown
#
# Averaging over the 784 pixels divides the reconstruction term by 784:
# $\frac{1}{784} D + R = \frac{1}{784}\,(D + 784\,R)$. Up to a constant factor, which only
# rescales the learning rate, that is the β-VAE objective with β = 784 — far beyond the β = 30 of
# [chapter 5](05_posterior_collapse.ipynb), where the posterior already collapses. Expect almost
# every latent dimension to be switched off and samples that all look alike.
# ```
#
# 2. Show that if the aggregate posterior $q(z)$ equals $\mathcal{N}(0, I)$, then in every
#    dimension $\operatorname{Var}_x[\mu_i(x)] = 1 - \mathbb{E}_x[\sigma_i^2(x)]$. What does this
#    say about a dimension whose posterior mean does not move at all?
#
# ```{admonition} Solution
# :class: dropdown
#
# Draw $n$ uniformly from the data and $z \sim q(z \mid x_n)$. The law of total variance gives
# $\operatorname{Var}[z_i] = \operatorname{Var}_n(\mathbb{E}[z_i \mid n])
# + \mathbb{E}_n(\operatorname{Var}[z_i \mid n])
# = \operatorname{Var}_n[\mu_i(x_n)] + \mathbb{E}_n[\sigma_i^2(x_n)]$. If $z$ follows
# $\mathcal{N}(0, I)$, the left side is 1. A dimension with constant mean has
# $\operatorname{Var}[\mu_i] = 0$, so its average posterior variance must be 1; with $\mu_i = 0$
# (which the mean of $z_i$ being 0 forces) and $\sigma_i^2 = 1$, its posterior is the prior, and
# its KL is 0: an inactive unit.
# ```
#
# 3. Show that the binary cross-entropy $-[x \log p + (1 - x) \log(1 - p)]$ of a grey level
#    $x \in (0, 1)$ is smallest at $p = x$, with value $H(x)$. What is the entropy floor of a
#    binarised MNIST image?
#
# ```{admonition} Solution
# :class: dropdown
#
# The derivative in $p$ is $-x/p + (1 - x)/(1 - p)$, which is 0 at $p = x$, negative below and
# positive above, so $p = x$ is the minimum, and the value there is
# $-x \log x - (1 - x) \log(1 - x) = H(x)$. For a black-and-white image every $x_j \in \{0, 1\}$
# has $H(x_j) = 0$: the floor is 0, and the reconstruction term of binarised MNIST measures the
# model's errors alone. This is one reason likelihoods on binarised and on grey-level MNIST are
# not comparable.
# ```
