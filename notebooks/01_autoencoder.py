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
# - train a plain autoencoder that squeezes each $28 \times 28$ MNIST digit
#   {cite:p}`lecun1998gradient` through a code of
#   $d = 20$ numbers and back;
# - measure how well it reconstructs digits it has never seen, with a digit classifier and a
#   sharpness score;
# - measure what its codes look like, and find that they look nothing like the standard normal
#   $\mathcal{N}(0, I)$;
# - decode draws from $\mathcal{N}(0, I)$, score them, and see why they fail: they land where
#   the decoder was hardly ever trained.
#
# This book is about a *generative* model: one that, after training on images, can produce new
# images like them. An autoencoder is the natural first attempt. Its decoder turns a short code
# $z$ into an image; if we knew which codes to feed it, we could generate digits at will. This
# chapter shows that a plain autoencoder gives us a good decoder but no usable distribution over
# codes, and it measures the problem precisely. The variational autoencoder of
# [chapter 2](02_from_autoencoder_to_vae.ipynb) is built to fix exactly what we find, and
# [chapter 4](04_vae_mnist.ipynb) retrains the model of this chapter, with the same settings, to
# set the VAE beside it.

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
ink_share = (train.images > 0).float().mean().item()  # pixels with any ink at all
grey_of_ink = vaelib.grey_share(train.images) / ink_share  # strictly between 0.05 and 0.95
print(f"pixels exactly 0: {100 * (1 - ink_share):.0f}%")
print(f"grey pixels (0.05 to 0.95) among the others: {100 * grey_of_ink:.0f}%")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert 1 - ink_share > 0.5, "most pixels are exactly 0"
assert 0.4 < grey_of_ink < 0.6, "about half of the pixels that hold ink are grey"

# %% [markdown]
# Each image $x \in [0, 1]^{784}$ is a vector of grey levels. Most pixels are exactly 0, the
# background. The rest hold ink, and about half of those are not black-and-white at all but
# grey, strictly between 0.05 and 0.95: the edges of the strokes, smoothed when the digits were
# scanned and scaled. Those grey levels will matter for what the loss below means.
#
# ## 1.1 The model
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
# Read the decoder's output as the probabilities of 784 independent Bernoulli pixels, and for a
# black-and-white image, every $x_j \in \{0, 1\}$, $\mathcal{L}(x)$ is $-\log p_\theta(x \mid z)$,
# the negative log-likelihood of the image under the decoder. For grey levels that reading is
# only formal: a Bernoulli distribution puts probability on 0 and 1 alone, so on a grey image
# $\mathcal{L}(x)$ is a cross-entropy, not minus the log of a normalised density over images
# {cite:p}`loaizaganem2019continuous`. The book keeps the usual name, "log-likelihood", for this
# score, as the VAE literature does; [chapter 8](08_latent_space.ipynb) measures how far it is
# from a normalised density and [chapter 9](09_fashion_mnist.ipynb) what that changes. The
# likelihood reading is what [chapter 2](02_from_autoencoder_to_vae.ipynb) builds on; here
# $\mathcal{L}(x)$ is simply a loss that is small when $\hat{x}$ is close to $x$. Nothing else
# enters the loss: in particular, nothing about the codes $z$.
#
# Here is the model as `vaelib` writes it, then its decoder (which the VAE of the next chapter
# shares), the loss $\mathcal{L}(x)$ and its mean over a batch, the number `vaelib.fit` minimises.
# Each listing is the library's own source, shown by `vaelib.show_source`: the code that runs.

# %%
vaelib.show_source(vaelib.Autoencoder)

# %%
vaelib.show_source(vaelib.Autoencoder.decode)

# %%
vaelib.show_source(vaelib.reconstruction_loss)

# %%
vaelib.show_source(vaelib.autoencoder_loss)

# %%
vaelib.seed_everything(0)
model = vaelib.Autoencoder()  # MLPConfig(): 784-400-20
n_parameters = sum(p.numel() for p in model.parameters())
print(model)
print(f"{n_parameters:,} parameters")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert n_parameters == (784 * 400 + 400) + (400 * 20 + 20) + (20 * 400 + 400) + (400 * 784 + 784), (
    "the encoder is 784 → 400 → 20 and the decoder 20 → 400 → 784"
)

# %% [markdown]
# ## 1.2 Training
#
# We train with Adam {cite:p}`kingma2015adam` on the full training set of 60,000 images, in
# batches of 128, for **three epochs**. That is all the argument of this chapter needs: by then
# the reconstructions of held-out digits are good (we measure how good below). What we then
# measure about the codes is not a matter of training time: nothing in the loss refers to the
# codes at all, so longer training gives them no reason to move towards $\mathcal{N}(0, I)$.
#
# `vaelib.train_autoencoder` builds the autoencoder from seed 0, the same weights as the model
# above, and trains it with `vaelib.fit`. With `cache=True` it keeps the trained model on disk:
# [chapter 4](04_vae_mnist.ipynb) compares the VAE with this very model, and finds it there
# instead of training it again (training is deterministic, so the copy on disk is the model
# training would give). The test loss after each epoch:

# %%
EPOCHS, BATCH_SIZE = 3, 128
model, history = vaelib.train_autoencoder(
    train, test, epochs=EPOCHS, batch_size=BATCH_SIZE, seed=0, device=DEVICE, cache=True
)
for epoch, loss in zip(history.epoch, history.test_reconstruction):
    print(f"epoch {epoch}: test reconstruction loss {loss:.1f} nats per image")
gains = [a - b for a, b in zip(history.test_reconstruction, history.test_reconstruction[1:])]

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert all(0 < later < earlier for earlier, later in zip(gains, gains[1:])), (
    "the test loss still falls, by less each epoch"
)

# %% [markdown]
# The loss still falls, by less each epoch. How good is the last number? A binary cross-entropy
# on grey levels cannot reach 0: even the perfect reconstruction $\hat{x} = x$ pays the entropy
# of each grey pixel, $H(x_j) = -x_j \log x_j - (1 - x_j)\log(1 - x_j)$, which is positive
# whenever $0 < x_j < 1$. `vaelib.bernoulli_entropy` gives this floor, $\sum_j H(x_j)$, for each
# image:

# %%
floor = vaelib.bernoulli_entropy(test.images).mean().item()
final = history.test_reconstruction[-1]
print(f"entropy floor: {floor:.1f} nats per image")
print(f"autoencoder:   {final:.1f} nats per image, {final - floor:.1f} above the floor")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert final < 2 * floor, "more than half of the loss is the floor that no model can remove"

# %% [markdown]
# So more than half of the loss is the floor that no model can remove; the excess is what the
# bottleneck costs. The floor is the visible sign that grey levels are not Bernoulli outcomes:
# on black-and-white images it would be 0.
#
# Reconstructions of test digits, which the model has never seen:

# %%
x = test.images[:12]
plots.plot_reconstructions(
    x,
    model.reconstruct(x).cpu(),
    labels=["autoencoder"],
    title="The autoencoder redraws unseen test digits from 20 numbers each",
)

# %% [markdown]
# They look blurrier than the originals, but recognisable. Both impressions can be measured, on
# 2,000 test digits drawn at random. For blur, `vaelib.sharpness` is the mean squared response
# of an image to a Laplacian filter (the sum of a pixel's four neighbours minus four times the
# pixel): it is large where grey levels change abruptly and falls when an edge is spread over
# more pixels. For recognisability, the book's digit classifier, a small convolutional network
# that `vaelib.train_classifier` trains on the training images (and keeps on disk, so later
# chapters reuse it), tells us which digit it sees in each reconstruction:

# %%
held_out = test.subset(2000, seed=0)  # 2,000 test digits drawn at random
reconstructions = model.reconstruct(held_out.images).cpu()  # (2000, 1, 28, 28)
classifier = vaelib.train_classifier(train)
accuracy_originals = vaelib.classifier_accuracy(classifier, held_out)
accuracy_reconstructions = vaelib.classifier_accuracy(
    classifier, vaelib.ImageData(reconstructions, held_out.labels, test.classes, "reconstructions")
)
sharpness_ratio = (
    vaelib.sharpness(reconstructions).mean() / vaelib.sharpness(held_out.images).mean()
).item()
print(f"classifier accuracy on the test digits: {100 * accuracy_originals:.0f}%")
print(f"classifier accuracy on their reconstructions: {100 * accuracy_reconstructions:.0f}%")
print(f"sharpness of the reconstructions / of the originals: {sharpness_ratio:.1f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert accuracy_reconstructions > 0.9, "more than nine digits in ten keep their identity"
assert accuracy_originals - accuracy_reconstructions < 0.05, (
    "the classifier recognises nearly as many reconstructions as originals"
)
assert 0.4 < sharpness_ratio < 0.6, "the reconstructions are about half as sharp as the originals"

# %% [markdown]
# The reconstructions are about half as sharp as the originals, but more than nine digits in ten
# keep their identity: the classifier recognises nearly as many reconstructions as originals. The
# 20-number codes carry what makes a digit that digit, and lose detail at the edges.
#
# ## 1.3 What the codes look like
#
# Now we encode all 60,000 training images and look at the cloud of codes
# $\{z^{(n)} = f_\phi(x^{(n)})\}$. If we want to *generate* digits by decoding random codes, the
# question is: from what distribution should the random codes come? The natural candidate,
# and the one the VAE will use, is the standard normal $\mathcal{N}(0, I)$. Is the cloud of codes
# anything like it?

# %%
codes, _ = vaelib.encode_dataset(model, train)  # (60000, 20)
means, stds = codes.mean(dim=0), codes.std(dim=0)  # (20,) each
off_centre = (means.abs() > 1).sum().item()  # centred more than one prior std from 0
far_off_centre = (means.abs() > 2).sum().item()  # more than two
print(f"codes: {tuple(codes.shape)}")
print(f"per-dimension means:               from {means.min():.1f} to {means.max():.1f}")
print(f"per-dimension standard deviations: from {stds.min():.1f} to {stds.max():.1f}")
print(f"dimensions whose mean is more than 1 away from 0: {off_centre} of {codes.shape[1]}")
print(f"dimensions whose mean is more than 2 away from 0: {far_off_centre} of {codes.shape[1]}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert stds.min() > 2, "every coordinate is more than twice as wide as the prior"
assert off_centre > codes.shape[1] / 2, (
    "more than half of the coordinates are centred more than one prior standard deviation from 0"
)
assert far_off_centre > codes.shape[1] / 3, "and more than a third more than two"

# %% [markdown]
# Under $\mathcal{N}(0, I)$ each coordinate would have mean 0 and standard deviation 1 (with
# 60,000 codes, the sample values would be within a few hundredths of those; we check this
# on genuine normal draws below). Every one of the autoencoder's coordinates is instead more
# than twice as wide as the prior, more than half are centred more than one prior standard
# deviation away from 0, and more than a third more than two.
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
normal_draws = torch.randn(codes.shape, generator=vaelib.seeded_generator(0))
ks_reference = vaelib.normal_ks_distance(normal_draws)
print(
    f"KS distance to N(0, 1), autoencoder codes: from {ks_codes.min():.2f} to {ks_codes.max():.2f}"
)
print(f"KS distance to N(0, 1), draws from N(0, 1): at most {ks_reference.max():.3f}")
normal_means, normal_stds = normal_draws.mean(dim=0), normal_draws.std(dim=0)  # (20,) each
print(
    f"draws from N(0, 1): means at most {normal_means.abs().max():.2f} from 0, "
    f"standard deviations at most {(normal_stds - 1).abs().max():.2f} from 1"
)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert normal_means.abs().max() < 0.03 and (normal_stds - 1).abs().max() < 0.03, (
    "with 60,000 normal draws the sample means and deviations are within a few hundredths"
)
assert ks_reference.max() < 0.01, "genuine normal draws stay below 0.01"
assert ks_codes.min() > 10 * ks_reference.max(), (
    "every dimension's distance is more than ten times the largest of genuine normal draws"
)

# %% [markdown]
# Every one of the 20 dimensions is far from the prior, by a margin that no sampling
# fluctuation explains: genuine normal draws stay below 0.01, and even the closest of the
# codes' dimensions is more than ten times farther. The histograms of the first four
# coordinates show the mismatch, with the prior's density drawn on top:

# %%
assert (stds[:4] > 2).all() and 1 <= (means[:4].abs() > 2).sum() < 4, (
    "the plotted coordinates are all wider than the prior, and some but not all are off-centre"
)
plots.plot_latent_marginals(
    codes,
    dims=(0, 1, 2, 3),
    title="Autoencoder codes are wider than the prior N(0, 1), and some are off-centre",
)

# %% [markdown]
# Two coordinates at a time, coloured by the digit each image shows, the cloud spreads far beyond
# the prior's unit scale, with the colours mixed:

# %%
plots.plot_latent_scatter(
    codes[:5000],
    train.labels[:5000],
    dims=(0, 1),
    title="Two of the 20 coordinates: codes spread far beyond N(0, I)'s unit scale",
)

# %% [markdown]
# Two coordinates are a narrow view of a 20-dimensional cloud. Whether the codes of one digit
# gather in a region of their own is better asked of all 20 at once, with a nearest-neighbour
# rule: give each code of a held-out test digit the label of the nearest training code, and count
# how often that label is right (10% by chance). We ask it of the two plotted coordinates too.

# %%
test_codes, _ = vaelib.encode_dataset(model, held_out)  # (2000, 20)
test_labels = held_out.labels
knn_all = vaelib.nearest_neighbour_accuracy(codes, train.labels, test_codes, test_labels)
knn_plotted = vaelib.nearest_neighbour_accuracy(
    codes[:, :2], train.labels, test_codes[:, :2], test_labels
)
print(f"nearest training code shows the same digit, all 20 coordinates: {100 * knn_all:.0f}%")
print(f"nearest training code shows the same digit, the 2 plotted ones: {100 * knn_plotted:.0f}%")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert knn_all > 0.9, (
    "in all 20 coordinates, the nearest training code shows the same digit more than nine times "
    "in ten"
)
assert knn_plotted < 0.5, "in the two plotted coordinates, most nearest codes show another digit"

# %% [markdown]
# In all 20 coordinates the codes are grouped by digit: the nearest training code of a test
# digit's code shows the same digit more than nine times in ten. In the two plotted coordinates
# the groups overlap, and most nearest codes show another digit. That grouping is good for
# reconstruction (similar images get similar codes), but it is not a standard normal.
#
# Why should it be? The loss $\mathcal{L}(x)$ only asks that $g_\theta(f_\phi(x))$ be close to
# $x$. Take any invertible affine map $h(z) = Az + b$ of $\mathbb{R}^d$, a shift, a stretch, a
# rotation: it is absorbed exactly by the encoder's last linear layer and the decoder's first,
# and the pair $(h \circ f_\phi,\; g_\theta \circ h^{-1})$ reconstructs every image exactly as well
# as $(f_\phi, g_\theta)$ does. The loss cannot prefer one placement of the codes over another, so
# where they end up is decided by the initialisation and the optimiser, not by anything we asked
# for.
#
# ## 1.4 Generating: decoding draws from $\mathcal{N}(0, I)$
#
# Suppose we ignore all this and generate the way a VAE will: draw $z \sim \mathcal{N}(0, I)$ and
# decode it. `model.sample(n)` does exactly that. We draw 1,000 and show the first 32.

# %%
N_SAMPLES = 1000
# (1000, 1, 28, 28), on the CPU like the real digits they are compared with
samples = model.sample(N_SAMPLES, generator=vaelib.seeded_generator(0)).cpu()
plots.plot_image_grid(
    samples[:32], nrow=8, title="Decoded draws z ~ N(0, I): few recognisable digits"
)

# %% [markdown]
# Few of them look like a digit, and they look smudged. We measure both impressions as we did
# for the reconstructions. Blur is the draws' sharpness against that of real digits. For the
# rest the classifier turns the impression into numbers: `vaelib.sample_quality` reports its mean
# confidence (the largest class probability, 1 for a certain classification, 0.1 for a guess)
# and the **Fréchet distance** between Gaussians fitted to the classifier's 64 internal features
# of the draws and of real digits: 0 when the two sets vary alike, large when they differ. It is
# the idea of the FID {cite:p}`heusel2017gans` in the small feature space of our classifier, so its
# values are not comparable with published FIDs. The real digits are 3,000 test digits drawn at
# random; as the yardstick, we score 1,000 other test digits the same way. We also count the
# images classified with probability above 0.9.

# %%
scored = test.subset(N_SAMPLES + 3000, seed=1).images  # test digits drawn at random
real = scored[:N_SAMPLES]  # (1000, 1, 28, 28): real digits, the best a generator can do
reference = scored[N_SAMPLES:]  # (3000, 1, 28, 28): the real digits both are compared with
quality_real = vaelib.sample_quality(classifier, real, reference)
quality_samples = vaelib.sample_quality(classifier, samples, reference)
confident_real, confident_samples = (
    vaelib.confident_fraction(classifier, images, threshold=0.9) for images in (real, samples)
)
sharpness_samples = (vaelib.sharpness(samples).mean() / vaelib.sharpness(real).mean()).item()
for name, quality, confident in (
    ("test digits", quality_real, confident_real),
    ("prior draws", quality_samples, confident_samples),
):
    print(
        f"{name}: mean confidence {quality.confidence:.2f}, "
        f"classified with p > 0.9: {100 * confident:.0f}%, "
        f"Fréchet distance {quality.frechet_distance:.0f}"
    )
print(f"sharpness of the prior draws / of test digits: {sharpness_samples:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert sharpness_samples < 0.1, "the draws are smudged: less than a tenth as sharp as real digits"
assert confident_samples < 0.1, "fewer than one draw in ten is recognised with confidence"
assert confident_real > 0.9, (
    "more than nine held-out test digits in ten are recognised with confidence"
)
assert quality_samples.frechet_distance > 100 * quality_real.frechet_distance, (
    "the draws' Fréchet distance is more than a hundred times that of real digits"
)

# %% [markdown]
# The draws are smudged: less than a tenth as sharp as real digits, where the reconstructions
# were about half as sharp. The classifier recognises fewer than one draw in ten with confidence,
# against more than nine held-out test digits in ten, and the draws' Fréchet distance is more
# than a hundred times that of real digits.
# The decoder is good at decoding the codes of real digits; these draws are not such codes. We
# can measure how far from them they land.
#
# In $d = 20$ dimensions the length of a draw from $\mathcal{N}(0, I)$ concentrates around
# $\sqrt{d} \approx 4.5$: its squared length is a sum of 20 independent squares of mean 1. We
# print the band that holds 98% of the draws: it lies within half of $\sqrt{d}$ on either side.
# The autoencoder's codes are much longer:

# %%
prior_draws = torch.randn(10_000, 20, generator=vaelib.seeded_generator(1))
prior_q01, prior_radius_99 = prior_draws.norm(dim=1).quantile(torch.tensor([0.01, 0.99])).tolist()
code_lengths = codes.norm(dim=1)
n_inside = (code_lengths <= prior_radius_99).sum().item()
print(
    f"98% of prior draws have length between {prior_q01:.1f} and {prior_radius_99:.1f}"
    f" (√d = {math.sqrt(20):.1f}); 99% below {prior_radius_99:.1f}"
)
print(f"median length of a training code: {code_lengths.median():.1f}")
print(f"training codes within that radius: {n_inside} of {len(codes):,}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert prior_q01 > 0.5 * math.sqrt(20) and prior_radius_99 < 1.5 * math.sqrt(20), (
    "the band that holds 98% of the draws lies within half of √d on either side"
)
assert code_lengths.median() > 2 * prior_radius_99, (
    "the typical training code is more than twice as long as almost any prior draw"
)
assert n_inside < len(codes) / 1000, "fewer than one training code in a thousand lies in the ball"

# %% [markdown]
# The typical training code is more than twice as long as almost any prior draw, and fewer
# than one training code in a thousand lies in the ball that holds 99% of the prior's draws. The
# region where we sample is one the decoder was hardly ever trained on, so
# what it makes of a prior draw is an extrapolation.
#
# A second, more local measure: how far is a prior draw from the *nearest* training code? We
# compare with the codes of held-out test digits, which the decoder decodes well (we measured
# their reconstructions above): their nearest training code is the yardstick for "close enough".

# %%
prior_queries = prior_draws[:2000]
d_test = vaelib.nearest_code_distance(test_codes, codes)  # (2000,)
d_prior = vaelib.nearest_code_distance(prior_queries, codes)  # (2000,)
print(f"median distance to the nearest training code, test digit:  {d_test.median():.1f}")
print(f"median distance to the nearest training code, prior draw:  {d_prior.median():.1f}")
print(f"ratio: {d_prior.median() / d_test.median():.1f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert d_prior.median() > 1.1 * d_test.median(), (
    "prior draws sit farther from the training codes than the codes of test digits do"
)
assert d_prior.median() < 2 * d_test.median(), "this ratio is modest (less than 2)"

# %% [markdown]
# Prior draws sit farther from the training codes than the codes of real test digits do, but
# by a modest ratio, less than 2: distances in 20 dimensions are large for every point, so a
# nearest-code ratio separates little. [Chapter 2](02_from_autoencoder_to_vae.ipynb) finds a
# ratio of the same size for a VAE, whose prior draws its decoder was trained on, so this
# local measure alone cannot tell a code the prior misses from one it covers. The radius
# measure can, and it is the one that settles the matter: $\mathcal{N}(0, I)$ and the
# autoencoder's codes occupy different parts of the latent space.
#
# ## 1.5 What would fix it
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
# - A plain autoencoder (784-400-20) trained for three epochs reconstructs held-out digits
#   about half as sharp as the originals but almost always recognisable; more than half of its
#   loss is the entropy floor of grey-level pixels, which are not the Bernoulli outcomes its loss
#   formally assumes.
# - Its loss says nothing about the codes. They are spread more than twice as wide as
#   $\mathcal{N}(0, 1)$, mostly off-centre, and grouped by digit in the 20-dimensional space;
#   every dimension is far from the prior by the Kolmogorov–Smirnov distance.
# - Draws from $\mathcal{N}(0, I)$ land in a region of latent space that holds almost no training
#   codes, and decode to images that a digit classifier rarely recognises with confidence. The
#   autoencoder is a compressor, not a generator.
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
# The draws now land where the codes are, so they decode to more digit-like images than draws
# from $\mathcal{N}(0, I)$: in the check below, the classifier's mean confidence rises by more
# than 0.2 and the Fréchet distance falls several-fold. But it stays more than ten times that of
# real digits. The
# fitted Gaussian matches only the first two moments: the codes form digit groups with gaps
# between them, and a Gaussian puts mass in those gaps too, where no training image was mapped.
# Nothing in training made the decoder good on *all* of a Gaussian's typical set; the VAE makes it
# so by training the decoder on noisy codes $z \sim q(z \mid x)$ that, pooled over the data set,
# cover the prior.
# ```

# %% tags=["hide-cell"]
fitted = torch.distributions.MultivariateNormal(means, covariance_matrix=torch.cov(codes.T))
noise = torch.randn(N_SAMPLES, 20, generator=vaelib.seeded_generator(2))  # (1000, 20)
with torch.no_grad():
    fitted_codes = means + noise @ fitted.scale_tril.T  # (1000, 20)
    fitted_samples = torch.sigmoid(model.decode(fitted_codes)).cpu()  # (1000, 1, 28, 28)
quality_fitted = vaelib.sample_quality(classifier, fitted_samples, reference)
for name, quality in (("prior draws", quality_samples), ("fitted Gaussian", quality_fitted)):
    print(
        f"{name}: mean confidence {quality.confidence:.2f}, "
        f"Fréchet distance {quality.frechet_distance:.0f}"
    )
assert quality_fitted.confidence > quality_samples.confidence + 0.2, (
    "the classifier's mean confidence rises by more than 0.2"
)
assert quality_fitted.frechet_distance < quality_samples.frechet_distance / 3, (
    "the Fréchet distance falls several-fold"
)
assert quality_fitted.frechet_distance > 10 * quality_real.frechet_distance, (
    "it stays more than ten times that of real digits"
)

# %% [markdown]
# **2.** Show that standardising the codes, $z_i \mapsto (z_i - m_i)/s_i$ per dimension, makes every
# per-dimension mean 0 and standard deviation 1. Does it make the Kolmogorov–Smirnov distances
# small? Try it with `vaelib.normal_ks_distance`.
#
# ```{admonition} Solution
# :class: dropdown
#
# Standardising fixes the mean and the spread of each coordinate by construction, and it
# shrinks every KS distance, but it leaves the shape: a coordinate whose histogram is skewed or
# has several bumps (one per group of digits) keeps that shape. In the check below the closest
# coordinate comes within twice the largest distance of genuine normal draws, while the farthest
# stays more than five times above it.
# And even coordinates that individually look normal can be correlated with one another, which
# no per-dimension measure sees.
# ```

# %% tags=["hide-cell"]
ks_standardised = vaelib.normal_ks_distance((codes - means) / stds)  # (20,)
print(
    f"KS distance after standardising: from {ks_standardised.min():.3f} "
    f"to {ks_standardised.max():.3f} (genuine draws: at most {ks_reference.max():.3f})"
)
assert (ks_standardised < ks_codes).all(), "standardising shrinks every KS distance"
assert ks_standardised.min() < 2 * ks_reference.max(), (
    "the closest coordinate comes within twice the largest distance of genuine normal draws"
)
assert ks_standardised.max() > 5 * ks_reference.max(), (
    "the farthest stays more than five times above genuine normal draws"
)

# %% [markdown]
# **3.** Train the autoencoder with `MLPConfig(latent_dim=2)` and draw the codes with
# `plots.plot_latent_scatter`. Where is the origin, relative to the cloud? Train again with
# another seed and compare. Decode a few points on a grid with `model.decode` and describe what
# you see between the digit groups.
#
# ```{admonition} Solution
# :class: dropdown
#
# With two dimensions the whole cloud is visible. In the check below (one epoch on 10,000 images,
# seeds 0 and 1) the cloud's centre lies, for both seeds, farther from the origin than the
# cloud's own standard deviation in either coordinate: nothing in the loss draws it to 0. Nor
# does the loss say in which direction it lies; that is left to the initialisation and the
# shuffling, so two seeds may put their centres far apart or, by chance, close together
# (compare the two printed, and try other seeds). The
# digit groups overlap more here than in this chapter's 20-dimensional model (compare the
# nearest-neighbour accuracies), though these 2-D models also had far less training, so the
# comparison does not say how much of the overlap is the smaller code's doing. What the points
# between the groups decode to is for you to look at: no training image was mapped there, so nothing
# in training said what the decoder should draw.
# ```

# %% tags=["hide-cell"]
small_train = train.subset(10_000)
centres, spreads, accuracies = [], [], []
for seed in (0, 1):
    vaelib.seed_everything(seed)
    model_2d = vaelib.Autoencoder(vaelib.MLPConfig(latent_dim=2))
    vaelib.fit(model_2d, small_train, epochs=1, seed=seed, device=DEVICE, progress=False)
    codes_2d, _ = vaelib.encode_dataset(model_2d, small_train)  # (10000, 2)
    centres.append(codes_2d.mean(dim=0))
    spreads.append(codes_2d.std(dim=0).max().item())
    accuracies.append(
        vaelib.nearest_neighbour_accuracy(
            codes_2d[:8000], small_train.labels[:8000], codes_2d[8000:], small_train.labels[8000:]
        )
    )
    print(
        f"seed {seed}: centre ({centres[-1][0]:.1f}, {centres[-1][1]:.1f}), "
        f"largest standard deviation {spreads[-1]:.1f}, "
        f"nearest-neighbour accuracy {100 * accuracies[-1]:.0f}%"
    )
assert all(c.norm() > s for c, s in zip(centres, spreads)), (
    "for both seeds, the cloud's centre lies farther from the origin than the cloud's own "
    "standard deviation"
)
assert max(accuracies) < knn_all, "the digit groups overlap more here than in the 20-D model"
