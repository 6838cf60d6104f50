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
# # 1. The autoencoder and its latent space
#
# In this chapter you will:
#
# - train a plain autoencoder that squeezes each $28 \times 28$ MNIST digit through a code of
#   $d = 20$ numbers and back;
# - see that it reconstructs digits it has never seen;
# - measure what its codes look like, and find that they look nothing like the standard normal
#   $\mathcal{N}(0, I)$;
# - decode draws from $\mathcal{N}(0, I)$ and see why they fail: they land where the decoder
#   has never been.
#
# This book is about a *generative* model: one that, after training on images, can produce new
# images like them. An autoencoder is the natural first attempt. Its decoder turns a short code
# $z$ into an image; if we knew which codes to feed it, we could generate digits at will. This
# chapter shows that a plain autoencoder gives us a good decoder but no usable distribution over
# codes, and it measures the problem precisely. Every later chapter compares with the model
# trained here, and the variational autoencoder of [chapter 2](02_from_autoencoder_to_vae.ipynb)
# is built to fix exactly what we find.

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
# %matplotlib inline
import math

import torch

import vaelib
from vaelib import plots

# %%
vaelib.seed_everything(0)
DEVICE = vaelib.pick_device()

# %%
train = vaelib.load_mnist("train")
test = vaelib.load_mnist("test")
print(f"train: {tuple(train.images.shape)}, test: {tuple(test.images.shape)}")
print(f"grey levels in [{train.images.min():.0f}, {train.images.max():.0f}]")

# %% [markdown]
# Each image $x \in [0, 1]^{784}$ is a vector of grey levels. Most pixels are exactly 0
# (background) or close to 1 (ink), with grey levels along the edges of the strokes.
#
# ## The model
#
# An autoencoder is two networks trained together. The **encoder** $f_\phi$ maps an image to a
# code, and the **decoder** $g_\theta$ maps a code back to an image:
#
# $$
# z = f_\phi(x) \in \mathbb{R}^{d},
# \qquad
# \hat{x} = \operatorname{sigmoid}\big(g_\theta(z)\big) \in (0, 1)^{784}.
# $$
#
# Ours are the multilayer perceptrons of the rest of the book, $784 \to 400 \to 20$ and
# $20 \to 400 \to 784$ with a ReLU in between; the decoder outputs one logit per pixel and the
# sigmoid turns it into a grey level $\hat{x}_j$. The code is a *bottleneck*: 20 numbers must
# carry what the decoder needs to redraw 784 pixels.
#
# The training loss of one image is the binary cross-entropy between the image and its
# reconstruction, **summed** over the 784 pixels:
#
# $$
# \mathcal{L}(x) = -\sum_{j=1}^{784}
#   \Big[ x_j \log \hat{x}_j + (1 - x_j) \log\big(1 - \hat{x}_j\big) \Big]
# \quad \text{nats per image.}
# $$
#
# Read the decoder's output as the probabilities of 784 independent Bernoulli pixels, and
# $\mathcal{L}(x)$ is $-\log p_\theta(x \mid z)$, the negative log-likelihood of the image under
# the decoder. That reading will matter in [chapter 2](02_from_autoencoder_to_vae.ipynb); here
# it is simply a loss that is small when $\hat{x}$ is close to $x$. Nothing else enters the
# loss: in particular, nothing about the codes $z$.

# %%
vaelib.seed_everything(0)
model = vaelib.Autoencoder()  # MLPConfig(): 784-400-20
n_parameters = sum(p.numel() for p in model.parameters())
print(model)
print(f"{n_parameters:,} parameters")
assert n_parameters == (784 * 400 + 400) + (400 * 20 + 20) + (20 * 400 + 400) + (400 * 784 + 784)

# %% [markdown]
# ## Training
#
# We train with Adam on the full training set of 60,000 images, in batches of 128, for **three
# epochs**. That is all the argument of this chapter needs: by then the reconstructions of
# held-out digits are good, and what we then measure about the codes cannot be cured by
# training longer, because nothing in the loss refers to the codes at all. The test loss after
# each epoch:

# %%
history = vaelib.fit(model, train, test, epochs=3, seed=0, device=DEVICE, progress=False)
for epoch, loss in zip(history.epoch, history.test_reconstruction):
    print(f"epoch {epoch}: test reconstruction loss {loss:.1f} nats per image")
assert history.test_reconstruction[-1] < history.test_reconstruction[0]
assert history.test_reconstruction[-1] < 80

# %% [markdown]
# How good is that number? A binary cross-entropy on grey levels cannot reach 0: even the
# perfect reconstruction $\hat{x} = x$ pays the entropy of each grey pixel,
# $H(x_j) = -x_j \log x_j - (1 - x_j)\log(1 - x_j)$, which is positive whenever $0 < x_j < 1$.
# `vaelib.bernoulli_entropy` gives this floor, $\sum_j H(x_j)$, for each image:

# %%
floor = vaelib.bernoulli_entropy(test.images).mean().item()
final = history.test_reconstruction[-1]
print(f"entropy floor: {floor:.1f} nats per image")
print(f"autoencoder:   {final:.1f} nats per image, {final - floor:.1f} above the floor")
assert floor < final < 2 * floor

# %% [markdown]
# So more than half of the loss is the floor that no model can remove; the excess is what the
# bottleneck costs. (This floor is also why losses on grey-level MNIST look large next to the
# numbers quoted for binarised MNIST.)
#
# Reconstructions of test digits, which the model has never seen, confirm it:

# %%
x = test.images[:12]
plots.plot_reconstructions(
    x,
    model.reconstruct(x.to(DEVICE)).cpu(),
    labels=["autoencoder"],
    title="The autoencoder redraws unseen test digits from 20 numbers each",
)

# %% [markdown]
# The reconstructions are slightly blurred, but every digit keeps its identity and most of
# its style. The 20-number codes carry the essentials.
#
# ## What the codes look like
#
# Now we encode all 60,000 training images and look at the cloud of codes
# $\{z^{(n)} = f_\phi(x^{(n)})\}$. If we want to *generate* digits by decoding random codes, the
# question is: from what distribution should the random codes come? The natural candidate,
# and the one the VAE will use, is the standard normal $\mathcal{N}(0, I)$. Is the cloud of codes
# anything like it?

# %%
codes, _ = vaelib.encode_dataset(model, train)  # (60000, 20)
means, stds = codes.mean(dim=0), codes.std(dim=0)  # (20,) each
print(f"codes: {tuple(codes.shape)}")
print(f"per-dimension means:               from {means.min():.1f} to {means.max():.1f}")
print(f"per-dimension standard deviations: from {stds.min():.1f} to {stds.max():.1f}")
assert (means.abs() > 2).sum() >= 2  # N(0, 1) would give means within a few hundredths of 0
assert stds.min() > 2  # ... and standard deviations within a few hundredths of 1

# %% [markdown]
# Under $\mathcal{N}(0, I)$ each coordinate would have mean 0 and standard deviation 1 (with
# 60,000 codes, the sample values would be within a few hundredths of those; we check this
# on genuine normal draws below). Every one of the autoencoder's coordinates is instead more
# than twice as wide as the prior, and some are centred more than two prior standard deviations
# away from 0.
#
# Matching the mean and standard deviation is not enough for two distributions to agree, so we
# also measure the *shape* with the **Kolmogorov–Smirnov distance**: the largest vertical gap
# between the codes' empirical distribution function and the standard normal's,
#
# $$
# D_i = \sup_t \big| \hat{F}_i(t) - \Phi(t) \big|,
# $$
#
# where $\hat{F}_i(t)$ is the fraction of codes whose $i$-th coordinate is below $t$ and $\Phi$ is
# the standard normal CDF. $D_i$ is a probability between 0 and 1: $D_i = 0.3$ means that for some
# threshold $t$, the codes and $\mathcal{N}(0, 1)$ disagree by 30 percentage points about how much
# mass lies below $t$. For comparison we compute it for 60,000 genuine draws from
# $\mathcal{N}(0, I)$ too.

# %%
ks_codes = vaelib.normal_ks_distance(codes)  # (20,)
reference = torch.randn(codes.shape, generator=torch.Generator().manual_seed(0))
ks_reference = vaelib.normal_ks_distance(reference)
print(
    f"KS distance to N(0, 1), autoencoder codes: from {ks_codes.min():.2f} to {ks_codes.max():.2f}"
)
print(f"KS distance to N(0, 1), draws from N(0, 1): at most {ks_reference.max():.3f}")
assert ks_reference.max() < 0.01
assert reference.mean(dim=0).abs().max() < 0.03 and (reference.std(dim=0) - 1).abs().max() < 0.03
assert ks_codes.min() > 0.15  # every single dimension is far from the prior

# %% [markdown]
# Every one of the 20 dimensions is far from the prior, by a margin that no sampling
# fluctuation explains: genuine normal draws stay below 0.01. The histograms of the first four
# coordinates show the mismatch, with the prior's density drawn on top:

# %%
plots.plot_latent_marginals(
    codes,
    dims=(0, 1, 2, 3),
    title="Autoencoder codes are wider than the prior N(0, 1) and off-centre",
)

# %% [markdown]
# Two coordinates at a time, coloured by the digit each image shows, the cloud of codes has
# structure: the codes of one digit class tend to gather in a region of their own. That is good for
# reconstruction
# (similar images get similar codes) but it is not a standard normal.

# %%
plots.plot_latent_scatter(
    codes[:5000],
    train.labels[:5000],
    dims=(0, 1),
    title="Codes spread far beyond N(0, I)'s unit scale, grouped by digit",
)

# %% [markdown]
# Why should they be? The loss $\mathcal{L}(x)$ only asks that $g_\theta(f_\phi(x))$ be close to
# $x$. Take any invertible map $h$ of $\mathbb{R}^d$, a shift, a stretch, a rotation: the pair
# $(h \circ f_\phi,\; g_\theta \circ h^{-1})$ reconstructs every image exactly as well as
# $(f_\phi, g_\theta)$ does. The loss cannot prefer one placement of the codes over another, so
# where they end up is decided by the initialisation and the optimiser, not by anything we asked
# for.
#
# ## Generating: decoding draws from $\mathcal{N}(0, I)$
#
# Suppose we ignore all this and generate the way a VAE will: draw $z \sim \mathcal{N}(0, I)$ and
# decode it. `model.sample(n)` does exactly that.

# %%
samples = model.sample(32, generator=torch.Generator().manual_seed(0))
plots.plot_image_grid(
    samples, nrow=8, title="Decoded draws z ~ N(0, I): tangled strokes, few recognisable digits"
)

# %% [markdown]
# A few draws resemble a digit; most are smudges, blends of several digits, or strokes that no
# writer would make. The decoder is good at decoding the codes of real digits; these draws are
# not such codes. We can measure how far from them they land.
#
# In $d = 20$ dimensions, a draw from $\mathcal{N}(0, I)$ almost always has length close to
# $\sqrt{d} \approx 4.5$: its squared length is a sum of 20 independent squares of mean 1. The
# prior's mass sits in a thin shell around that radius. The autoencoder's codes are much longer:

# %%
prior_draws = torch.randn(10_000, 20, generator=torch.Generator().manual_seed(1))
prior_radius_99 = prior_draws.norm(dim=1).quantile(0.99).item()
code_lengths = codes.norm(dim=1)
inside = (code_lengths <= prior_radius_99).float().mean().item()
print(f"99% of prior draws have length below {prior_radius_99:.1f} (√d = {math.sqrt(20):.1f})")
print(f"median length of a training code: {code_lengths.median():.1f}")
print(f"training codes within that radius: {100 * inside:.1f}%")
assert code_lengths.median() > 2 * prior_radius_99
assert inside < 0.001

# %% [markdown]
# The typical training code is more than twice as long as almost any prior draw, and fewer
# than one training code in a thousand lies in the ball that holds 99% of the prior's draws. The
# region where we sample is one the decoder was hardly ever trained on, so
# what it makes of a prior draw is an extrapolation.
#
# A second, more local measure: how far is a prior draw from the *nearest* training code? We
# compare with the codes of held-out test digits, which the decoder decodes well (we saw their
# reconstructions above): their nearest training code is the yardstick for "close enough".

# %%
test_codes, _ = vaelib.encode_dataset(model, test.subset(2000))  # (2000, 20)
prior_queries = prior_draws[:2000]
d_test = vaelib.nearest_code_distance(test_codes, codes)  # (2000,)
d_prior = vaelib.nearest_code_distance(prior_queries, codes)  # (2000,)
print(f"median distance to the nearest training code, test digit:  {d_test.median():.1f}")
print(f"median distance to the nearest training code, prior draw:  {d_prior.median():.1f}")
print(f"ratio: {d_prior.median() / d_test.median():.2f}")
assert d_prior.median() > 1.1 * d_test.median()

# %% [markdown]
# Prior draws sit farther from every training code than the codes of real test digits do.
# (Distances in 20 dimensions are large for every point, so this ratio understates
# the difference in density that the radius measure shows.) Both measures say the same thing:
# $\mathcal{N}(0, I)$ and the autoencoder's codes occupy different parts of the latent space.
#
# ## What would fix it
#
# The autoencoder has a good decoder and no known distribution of codes. To generate, we need
# both: a distribution $p(z)$ we can sample, and a decoder trained on codes that look like draws
# from it. The variational autoencoder {cite:p}`kingma2014autoencoding,rezende2014stochastic`
# gets both by adding one term to the loss, a KL divergence that pulls the distribution of codes
# towards $p(z) = \mathcal{N}(0, I)$. [Chapter 2](02_from_autoencoder_to_vae.ipynb) derives it,
# [chapter 3](03_kl_derivation.ipynb) computes it, and
# [chapter 4](04_vae_mnist.ipynb) repeats this chapter's measurements on a trained VAE.
#
# ## Summary
#
# - A plain autoencoder (784-400-20) trained for three epochs reconstructs held-out digits well;
#   more than half of its loss is the entropy floor of grey-level pixels.
# - Its loss says nothing about the codes. They are spread several times wider than
#   $\mathcal{N}(0, 1)$, off-centre, and grouped by class; every dimension is far from the
#   prior by the Kolmogorov–Smirnov distance.
# - Draws from $\mathcal{N}(0, I)$ land in a region of latent space that holds almost no training
#   codes, and decode to poor images. The autoencoder is a compressor, not a generator.
#
# ## Exercises
#
# **1.** The codes are not $\mathcal{N}(0, I)$, but we can fit a Gaussian to them: compute their
# mean vector $m$ and covariance matrix $C$, draw $z \sim \mathcal{N}(m, C)$ with
# `torch.distributions.MultivariateNormal` and decode with `model.decode`. What do you expect, and
# why is this not a full solution?
#
# ```{admonition} Solution
# :class: dropdown
#
# The draws now land where the codes are, so they decode to much more digit-like images than
# draws from $\mathcal{N}(0, I)$. But the fitted Gaussian matches only the first two moments: the
# codes form class clusters with gaps between them, and a Gaussian puts mass in those gaps too,
# where the decoder produces blends. Nothing in training made the decoder good on *all* of a
# Gaussian's typical set; the VAE makes it so by training the decoder on noisy codes
# $z \sim q(z \mid x)$ that, pooled over the data set, cover the prior.
# ```
#
# **2.** Show that standardising the codes, $z_i \mapsto (z_i - m_i)/s_i$ per dimension, makes every
# per-dimension mean 0 and standard deviation 1. Does it make the Kolmogorov–Smirnov distances
# small? Try it with `vaelib.normal_ks_distance`.
#
# ```{admonition} Solution
# :class: dropdown
#
# Standardising fixes the mean and the spread of each coordinate by construction, and it
# shrinks the KS distances, but it leaves the shape: a coordinate whose histogram is skewed or
# has several bumps (one per cluster of digits) keeps that shape, so its distance stays clearly
# above that of genuine normal draws. And even coordinates that individually look normal can be
# correlated with one another, which no per-dimension measure sees.
# ```
#
# **3.** Train the autoencoder with `MLPConfig(latent_dim=2)` and draw the codes with
# `plots.plot_latent_scatter`. Where is the origin, relative to the cloud? Decode a few points on a
# grid with `model.decode` and describe what you see between the clusters.
#
# ```{admonition} Solution
# :class: dropdown
#
# With two dimensions the whole cloud is visible. You will typically see elongated arms or
# blobs, roughly one per digit class, at a scale that has nothing to do with 1. Points between
# the arms decode to blends or to blurs, because no training image was mapped there. The
# placement and scale change with the random seed, illustrating that the loss does not pin them
# down.
# ```
