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
# # 8. Exploring the latent space
#
# The previous chapters judged a VAE by two numbers, the reconstruction term and the KL term.
# This chapter looks at the space the encoder maps images into, and at the number the ELBO only
# bounds: the log-likelihood $\log p_\theta(x)$.
#
# In this chapter you will
#
# - train a VAE with a two-dimensional latent space, decode a grid of codes laid out at the
#   prior's quantiles (the manifold figure of {cite:t}`kingma2014autoencoding`), and see where
#   the training images land in that plane;
# - walk between two digits along a straight line in latent space and along a straight line in
#   pixel space, and measure which path stays close to real images;
# - estimate the test log-likelihood of the [chapter 4](04_vae_mnist.ipynb) model with the
#   importance-weighted bound $\mathcal{L}_k$ {cite:p}`burda2016importance`, and watch it rise
#   above the ELBO and settle as the number of samples $k$ grows.

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
print(f"{len(train)} training and {len(test)} test images, each {tuple(train.images.shape[1:])}")

# %% [markdown]
# ## A latent space you can see
#
# With $d = 2$ the whole latent space fits on a page. We train the book's VAE with its latent
# layer cut down to two units, $784 \to 400 \to 2 \to 400 \to 784$, with the same objective
# ($\beta = 1$), optimiser, learning rate and batch size as in [chapter 4](04_vae_mnist.ipynb).
# Two units are a severe bottleneck and the model settles quickly, so five epochs are enough for
# the pictures of this section.

# %%
vaelib.seed_everything(0)
vae_2d = vaelib.VAE(vaelib.MLPConfig(latent_dim=2))
history_2d = vaelib.fit(vae_2d, train, test, epochs=5, seed=0, device=DEVICE, progress=False)
last_2d = history_2d.last()
print(
    f"2-D VAE, test set: reconstruction {last_2d['test_reconstruction']:.0f}, "
    f"KL {last_2d['test_kl']:.1f} nats per image"
)

# %% [markdown]
# ### The decoded manifold
#
# The generative model is $z \sim p(z) = \mathcal{N}(0, I)$, then $x \sim p_\theta(x \mid z)$.
# To see what the decoder has learnt, we decode a $15 \times 15$ grid of codes. Following
# {cite:t}`kingma2014autoencoding` (their Fig. 4), the grid is not evenly spaced in $z$ but in
# probability: its coordinates are $\Phi^{-1}(p)$ for $p = \tfrac{1}{30}, \tfrac{3}{30}, \dots,
# \tfrac{29}{30}$, where $\Phi$ is the standard normal CDF. Each cell of the grid then covers
# the same prior mass, so the figure shows the generative model the way the prior sees it.
# Each tile is the decoder's mean, $\operatorname{sigmoid}(\ell(z))$, not a sample.

# %%
plots.plot_latent_manifold(
    vae_2d, n=15, title="Decoded prior quantiles: neighbouring codes decode to similar digits"
)

# %% [markdown]
# Digits change gradually from tile to tile, and every digit class has a region of its own. The
# grid runs from $\Phi^{-1}(\tfrac{1}{30})$ to $\Phi^{-1}(\tfrac{29}{30})$ in each coordinate; if
# the codes of the training images follow the prior, the square it spans holds about
# $(\tfrac{28}{30})^2 \approx 0.87$ of them. We encode the training set (each image to its
# posterior mean $\mu_\phi(x)$) and count.

# %%
codes_2d, logvar_2d = vaelib.encode_dataset(vae_2d, train)  # (60000, 2) each
edge = torch.distributions.Normal(0.0, 1.0).icdf(torch.tensor(29 / 30)).item()
inside = (codes_2d.abs() < edge).all(dim=1).float().mean().item()
print(f"grid edge ±{edge:.2f}; share of training codes inside the grid: {inside:.2f}")
print(f"mean of the codes: ({codes_2d[:, 0].mean():.2f}, {codes_2d[:, 1].mean():.2f})")
print(f"std of the codes:  ({codes_2d[:, 0].std():.2f}, {codes_2d[:, 1].std():.2f})")
prior_share = (28 / 30) ** 2  # the share of N(0, I) inside the square
assert 0.5 < inside < prior_share  # most codes are inside, but fewer than the prior puts there
assert codes_2d.mean(dim=0).abs().max() < 0.5
assert (codes_2d.std(dim=0) > 1).all() and (codes_2d.std(dim=0) < 1.6).all()

# %% [markdown]
# Most training codes fall inside the decoded square, and they are centred near 0 — but fewer
# of them than the prior would put there, because the means spread *wider* than
# $\mathcal{N}(0, 1)$, by up to half as much again. This is the opposite of the 20-dimensional
# model of [chapter 4](04_vae_mnist.ipynb), whose means spread a little less than the prior.
# With only two dimensions to hold ten digit classes apart, the encoder buys reconstruction by
# pushing the classes outwards, and the KL term — which acts on each $q_\phi(z \mid x)$, not
# directly on their aggregate — does not hold them in completely after five epochs. So the
# manifold figure shows the region where most of the data lives, while the outermost codes of
# the data lie beyond its edge.
#
# ### Where the digits live
#
# Colouring each training code by its label shows how the encoder has arranged the classes,
# although it never saw a label.

# %%
shown = torch.randperm(len(train), generator=torch.Generator().manual_seed(0))[:10_000]
plots.plot_latent_scatter(
    codes_2d[shown],
    train.labels[shown],
    title="Training codes (10,000 of 60,000): digits form regions",
)

# %% [markdown]
# To put a number on "the digits form regions", we classify each test image by the label of the
# training image whose code is nearest to its own (a 1-nearest-neighbour rule in the
# two-dimensional latent space). With ten balanced classes, chance is about 10 %.

# %%
test_codes_2d, _ = vaelib.encode_dataset(vae_2d, test)  # (10000, 2)
# each test image takes the label of the training image whose code is nearest to its own
accuracy_2d = vaelib.nearest_neighbour_accuracy(codes_2d, train.labels, test_codes_2d, test.labels)
print(f"1-NN accuracy from the 2-D codes: {accuracy_2d:.2f}")
assert accuracy_2d > 0.5  # five times chance

# %% [markdown]
# Two numbers per image, learnt without labels, predict the digit far better than chance. The
# classes are not perfectly separated, however: the regions of similar digits (4 and 9, 3, 5
# and 8) touch and overlap, and those are where the manifold figure shows hybrids.

# %% [markdown]
# ## Walking between two digits
#
# A two-dimensional code is easy to look at but loses much of the image. For the rest of the
# chapter we return to the model of [chapter 4](04_vae_mnist.ipynb): $784 \to 400 \to 20$,
# $\beta = 1$, trained for ten epochs on the full training set with batch size 128 and learning
# rate $10^{-3}$, seed 0.

# %%
vaelib.seed_everything(0)
vae = vaelib.VAE(vaelib.MLPConfig(latent_dim=20))
history = vaelib.fit(vae, train, test, epochs=10, seed=0, device=DEVICE, progress=False)
last = history.last()
print(
    f"20-D VAE, test set: reconstruction {last['test_reconstruction']:.1f}, "
    f"KL {last['test_kl']:.1f} nats per image"
)

# %% [markdown]
# Take two images $x_a$ and $x_b$ of different digits. There are two obvious ways to move from one
# to the other in $t \in [0, 1]$:
#
# - in **pixel space**, blend the images: $x_t = (1 - t)\, x_a + t\, x_b$;
# - in **latent space**, blend the codes and decode: $z_t = (1 - t)\, \mu_\phi(x_a) + t\,
#   \mu_\phi(x_b)$, and show the decoder's mean $\operatorname{sigmoid}(\ell(z_t))$.
#
# `vaelib.pixel_interpolation` and `vaelib.latent_interpolation` compute the two paths. The ends of
# the latent path are the model's reconstructions of $x_a$ and $x_b$, not the images themselves.

# %%
pairs = test.subset(600, seed=1)  # 300 random pairs of test images: image i with image 300 + i
first, second = pairs.images[:300], pairs.images[300:]
different = pairs.labels[:300] != pairs.labels[300:]
x_a, x_b = first[different], second[different]  # keep pairs of two different digits
labels_a, labels_b = pairs.labels[:300][different], pairs.labels[300:][different]
latent_paths = vaelib.latent_interpolation(vae, x_a, x_b, steps=9)  # (pairs, 9, 1, 28, 28)
pixel_paths = vaelib.pixel_interpolation(x_a, x_b, steps=9)  # (pairs, 9, 1, 28, 28)
print(f"{len(x_a)} pairs of different digits, 9 steps each")

# %%
rows, names = [], []
for i in range(3):
    pair = f"{labels_a[i].item()} → {labels_b[i].item()}"
    rows += [latent_paths[i], pixel_paths[i]]
    names += [f"latent, {pair}", f"pixel, {pair}"]
plots.plot_interpolations(
    rows, names, title="Latent paths pass through digit-like shapes; pixel paths cross-fade"
)

# %% [markdown]
# The pixel path is a cross-fade: half-way along, both digits are on the page at half intensity,
# a *double exposure* that does not look like any handwritten digit. The latent path morphs one
# stroke pattern into another, and its midpoint is a single, if blurred, character.
#
# Is the latent midpoint closer to real data, or does it only look so? A measure we can defend
# without a classifier: the Euclidean distance, over the 784 grey levels, from an image to its
# **nearest training image**, $\min_{x' \in \text{train}} \lVert x - x' \rVert_2$. We compute it
# for the midpoints ($t = \tfrac12$) of every pair, and, as a control, for the reconstructions at
# the ends of the latent path. The control matters: every decoded image is the decoder's *mean*,
# which is blurred (chapter 4), and blur alone puts an image some distance from every training
# image. A fair verdict compares the latent midpoints with the decoder's own reconstructions.

# %%
middle = 4  # t = 4/8 = 0.5
d_latent = vaelib.nearest_neighbour_distance(latent_paths[:, middle], train)  # (pairs,)
d_pixel = vaelib.nearest_neighbour_distance(pixel_paths[:, middle], train)
d_reconstruction = vaelib.nearest_neighbour_distance(latent_paths[:, 0], train)
d_image = vaelib.nearest_neighbour_distance(x_a, train)
for name, d in [
    ("test image x_a", d_image),
    ("its reconstruction (latent path, t = 0)", d_reconstruction),
    ("latent midpoint (t = 0.5)", d_latent),
    ("pixel midpoint (t = 0.5)", d_pixel),
]:
    print(f"{name:40s} median distance to nearest training image {d.median():.2f}")
closer = (d_latent < d_pixel).float().mean().item()
print(
    f"share of pairs with the latent midpoint nearer to the data than the pixel one: {closer:.2f}"
)
assert d_latent.median() < 0.9 * d_pixel.median()
assert closer > 0.75
assert d_latent.median() < 1.3 * d_reconstruction.median()

# %% [markdown]
# By this measure the latent midpoints lie nearer to the training data than the pixel blends, for
# most pairs and by a clear margin in the median, and they are about as near as the decoder's own
# reconstructions of real test images: the straight line between two codes stays in the region
# the decoder maps to digit-like images. The pixel midpoint, by contrast, is a point of
# $[0,1]^{784}$ that no training image resembles. This is what it means for the VAE to have
# learnt a representation in which *distances and averages are meaningful*: linear structure in
# $z$ is data-like structure in $x$, which is not true of $x$ itself.
#
# ## How good is the model? The importance-weighted bound
#
# The ELBO is a lower bound on $\log p_\theta(x)$, and the gap is
# $\operatorname{KL}\big(q_\phi(z \mid x) \,\|\, p_\theta(z \mid x)\big)$. To compare models by
# likelihood we need an estimate of $\log p_\theta(x)$ itself. Importance sampling with the encoder
# as proposal gives one {cite:p}`burda2016importance`: with $z_1, \dots, z_k \sim q_\phi(z \mid x)$,
#
# $$
# \mathcal{L}_k(x) = \mathbb{E}\left[\log \frac{1}{k} \sum_{s=1}^{k}
#   \frac{p_\theta(x \mid z_s)\, p(z_s)}{q_\phi(z_s \mid x)}\right].
# $$
#
# Three facts about $\mathcal{L}_k$ organise what follows:
#
# 1. $\mathcal{L}_1 = \mathbb{E}_{q}\big[\log p_\theta(x \mid z) + \log p(z) - \log q_\phi(z \mid
#    x)\big]$ is exactly the ELBO: its single-sample estimate estimates the same number as the
#    reconstruction-plus-KL estimate of `vaelib.evaluate`, only with the KL term sampled instead of
#    computed in closed form.
# 2. $\mathcal{L}_1 \le \mathcal{L}_k \le \mathcal{L}_{m} \le \log p_\theta(x)$ for $k \le m$
#    (by Jensen's inequality applied to an average of $m$ weights over random subsets of size $k$).
# 3. $\mathcal{L}_k \to \log p_\theta(x)$ as $k \to \infty$, since the average of the weights
#    converges to $\mathbb{E}_q[p_\theta(x, z) / q_\phi(z \mid x)] = p_\theta(x)$.
#
# `vaelib.iwae_log_likelihood` returns the average of the single estimate
# $\log \frac1k \sum_s w_s$ over a data set, in nats per image. Because $k$ samples per image
# cost $k$ decoder passes, we use a fixed random subset of 1,000 test images, the same for
# every $k$.

# %%
subset = test.subset(1000, seed=0)
elbo = -vaelib.evaluate(vae, subset)["loss"]  # ELBO = −(reconstruction + KL), nats per image
ks = [1, 5, 50, 500]
bounds = [vaelib.iwae_log_likelihood(vae, subset, k=k, batch_size=max(1, 5000 // k)) for k in ks]
print(f"ELBO (closed-form KL)        {elbo:8.2f} nats per image")
for k, bound in zip(ks, bounds):
    print(f"L_k, k = {k:<4d}                {bound:8.2f} nats per image")

# %% [markdown]
# The first check is fact 1: $\mathcal{L}_1$ and the ELBO are two Monte Carlo estimates of one
# number, so on a thousand images they must agree to within the noise of the estimates, well under
# a nat per image.

# %%
print(f"L_1 − ELBO = {bounds[0] - elbo:.2f} nats per image")
assert abs(bounds[0] - elbo) < 1.0

# %% [markdown]
# Then fact 2: the estimates rise with $k$. And because they approach a limit, the increments
# should shrink: each tenfold increase of $k$ should buy less than the last.

# %%
gains = [b - a for a, b in zip(bounds, bounds[1:])]
print("increments:", ", ".join(f"{g:.2f}" for g in gains), "nats per image")
print(f"total gain of L_500 over the ELBO: {bounds[-1] - elbo:.2f} nats per image")
assert all(g > 0 for g in gains)  # monotone in k
assert gains[-1] < gains[-2]  # the increments shrink ...
assert gains[-1] < 1.0  # ... and the last tenfold increase of k buys less than a nat

# %%
plots.plot_iwae_bounds(
    ks,
    bounds,
    elbo=elbo,
    title=r"$\mathcal{L}_k$ rises above the ELBO and settles by $k = 500$",
)

# %% [markdown]
# So $\mathcal{L}_{500}$ is our estimate of the test log-likelihood of the chapter-4 model, and
# the ELBO falls short of it by the total gain printed above. Since
# $\log p_\theta(x) - \operatorname{ELBO}(x) = \operatorname{KL}\big(q_\phi(z \mid x) \,\|\,
# p_\theta(z \mid x)\big)$ and $\mathcal{L}_{500} \le \log p_\theta(x)$, that gain is a lower
# bound on the average KL divergence from the encoder's diagonal Gaussian to the true posterior:
# the price of the Gaussian approximation, as measured on this model.
#
# A word on what these numbers are. The decoder is a Bernoulli distribution evaluated at grey
# levels $x_j \in [0, 1]$, which is not a normalised probability distribution over grey-level
# images ([chapter 9](09_fashion_mnist.ipynb) looks at the consequences). Published MNIST
# log-likelihoods, such as those of {cite:t}`burda2016importance`, are measured on *binarised*
# images, where the Bernoulli likelihood is a proper probability. Our values are comparable with
# each other, across $k$ and across models trained and evaluated on the same grey-level data,
# but not with those tables.
#
# ## Summary
#
# - With a two-dimensional latent space the decoder's manifold can be drawn whole. Decoding codes
#   at the prior's quantiles shows digits that change smoothly from tile to tile. Most training
#   codes fall in the same square, centred like the prior but somewhat wider, and grouped by
#   digit without any label.
# - Straight lines in latent space decode to images that stay close to the data: by the distance
#   to the nearest training image, latent midpoints beat pixel blends for most pairs and are about
#   as close as the model's own reconstructions. Pixel blends are double exposures.
# - The importance-weighted bound $\mathcal{L}_k$ turns the VAE into a likelihood estimator:
#   $\mathcal{L}_1$ is the ELBO, $\mathcal{L}_k$ grows with $k$ and settles, and the settled
#   value bounds $\log p_\theta(x)$ from below more tightly than the ELBO.
#
# ## Exercises
#
# 1. **Spherical interpolation.** Under $p(z) = \mathcal{N}(0, I)$ in $d = 20$ dimensions, typical
#    codes have norm near $\sqrt{d}$, but the midpoint of two such codes has a smaller norm.
#    Compare the norm of $z_{1/2}$ with those of the ends for the pairs above, and explain why
#    some authors interpolate along great circles instead.
#
# ```{admonition} Solution
# :class: dropdown
#
# For independent $z_a, z_b \sim \mathcal{N}(0, I_d)$, $\lVert z_a \rVert^2 \approx d$ while
# $z_{1/2} = \tfrac12 (z_a + z_b) \sim \mathcal{N}(0, \tfrac12 I_d)$, so
# $\lVert z_{1/2} \rVert \approx \sqrt{d/2}$, a factor $1/\sqrt2$ shorter. In high dimensions that
# shell is rarely visited by the prior. Compute it with
# `mu_a, _ = vae.encode(x_a); mu_b, _ = vae.encode(x_b)` and compare
# `((mu_a + mu_b) / 2).norm(dim=1)` with `mu_a.norm(dim=1)`. (The posterior means are not
# prior samples, so the ratio is not exactly $1/\sqrt2$, but the midpoints are clearly shorter.)
# Spherical linear interpolation (slerp) keeps the norm roughly constant by moving along the arc
# between the two directions, $z_t = \frac{\sin((1-t)\Omega)}{\sin\Omega} z_a +
# \frac{\sin(t\Omega)}{\sin\Omega} z_b$ with $\cos\Omega = \hat z_a \cdot \hat z_b$.
# ```
#
# 2. **The ELBO gap per image.** $\mathcal{L}_{500}(x) - \operatorname{ELBO}(x)$ is not the same
#    for every image. Which test images have the largest gap, and why might the diagonal Gaussian
#    $q_\phi(z \mid x)$ fit their true posterior worst?
#
# ```{admonition} Solution
# :class: dropdown
#
# Call `vaelib.iwae_log_likelihood` on one image at a time (a tensor of shape `(1, 1, 28, 28)`)
# with `k=500` and with `k=1` averaged over many seeds, or compare `k=500` with the closed-form
# ELBO of `vaelib.evaluate` on that image. The largest gaps tend to belong to ambiguous digits
# (a 4 that could be a 9): their true posterior $p_\theta(z \mid x)$ has mass in two regions of
# latent space, and a single Gaussian can cover only one of them, so the KL from $q$ to the true
# posterior, which the gap bounds from below, is large.
# ```
#
# 3. **Interpolation in an autoencoder.** `vaelib.latent_interpolation` also accepts a plain
#    `vaelib.Autoencoder`. Train one as in [chapter 1](01_autoencoder.ipynb) and repeat the
#    nearest-training-image comparison. Is the advantage of latent over pixel interpolation a
#    property of the VAE, or of any autoencoder?
#
# ```{admonition} Solution
# :class: dropdown
#
# Train with `ae = vaelib.Autoencoder(vaelib.MLPConfig(latent_dim=20))` and
# `vaelib.fit(ae, train, epochs=10, seed=0, progress=False)`, then compute
# `vaelib.nearest_neighbour_distance(vaelib.latent_interpolation(ae, x_a, x_b)[:, 4], train)`
# and compare it, as above, with the pixel midpoints and with the autoencoder's own
# reconstructions. Whatever you find, the reasoning to check it against is this: any decoder
# produces images like those it was trained on *near the codes it has seen*, so an autoencoder
# also interpolates better than pixel blending wherever the straight line between two codes stays
# near other training codes. What the VAE adds is a guarantee that the space between codes is
# used: the KL term pulls every posterior towards the same $\mathcal{N}(0, I)$ and gives each a
# width $\sigma_\phi(x)$, so the posteriors overlap and fill the region, and the decoder is
# trained on codes all over it. An autoencoder's codes carry no such pressure; check with
# `vaelib.encode_dataset(ae, test)` how far they spread, and whether the midpoints whose pixel
# distance is worst are those whose path crosses an empty region.
# ```
