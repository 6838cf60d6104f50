# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,mystnb,-all
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
# # 5. Posterior collapse
#
# The second half of the source story: train the same VAE with the KL term weighted by
# β = 30 {cite:p}`higgins2017betavae`, and the latent code dies. The encoder maps every image to
# (almost) the prior, the decoder learns to ignore $z$ and draws the same average blur for every
# code, and samples from the model are all alike. This is **posterior collapse**
# {cite:p}`bowman2016generating,lucas2019dont`, and this chapter measures it from every side and
# then explains it.
#
# In this chapter you will
#
# - train the VAE of [chapter 4](04_vae_mnist.ipynb) with β = 1, and a twin with β = 30;
# - see the weighted KL term take over the objective;
# - watch the posterior means of all images crowd at the origin, and count the latent dimensions
#   that stay active;
# - look at the samples of the collapsed model, and measure how poor they are with a classifier
#   of digits and a sharpness score;
# - measure what information the latent code kept, in nats and with a simple classifier;
# - derive why a large β switches dimensions off, and check the derivation dimension by dimension.

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
import math

import torch

import vaelib
from vaelib import plots

# %%
vaelib.seed_everything(0)
DEVICE = vaelib.pick_device()

# %%
train_full = vaelib.load_mnist("train")
train = train_full.subset(10_000, seed=0)  # as in chapters 6 and 7, to keep the chapter fast
test = vaelib.load_mnist("test")
print(f"{len(train):,} training and {len(test):,} test images")

# %% [markdown]
# ## 5.1 Two models
#
# The β-VAE objective for one image is the distortion plus β times the rate,
#
# $$
# \mathcal{L}_\beta(x) = \underbrace{\mathbb{E}_{q(z \mid x)}\big[-\log p(x \mid z)\big]}_{D}
#   + \beta \, \underbrace{\operatorname{KL}\big(q(z \mid x) \,\|\, p(z)\big)}_{R},
# $$
#
# in nats per image. β = 1 is the negative ELBO of chapter 4. (As there, $-\log p(x \mid z)$ is
# the Bernoulli decoder's cross-entropy on grey levels, which is not the log of a normalised
# density over grey-level images: these nats compare models trained on the same data, not
# published likelihoods; [chapter 9](09_fashion_mnist.ipynb) works out the consequences.) We
# train two models that differ in β alone: same architecture (784-400-20), same initial weights,
# same batches, same ten epochs. The recipe is chapter 4's; as in chapters 6 and 7, we train on
# 10,000 of the training images, to keep the chapter fast.

# %%
EPOCHS = 10  # as in chapter 4
BETA_LARGE = 30.0  # the source story's β

vaelib.seed_everything(0)
vae_1 = vaelib.VAE()
history_1 = vaelib.fit(
    vae_1, train, test, epochs=EPOCHS, beta=1.0, seed=0, device=DEVICE, progress=False
)

vaelib.seed_everything(0)
vae_30 = vaelib.VAE()
history_30 = vaelib.fit(
    vae_30, train, test, epochs=EPOCHS, beta=BETA_LARGE, seed=0, device=DEVICE, progress=False
)

# %%
D_1, R_1 = history_1.test_reconstruction[-1], history_1.test_kl[-1]
D_30, R_30 = history_30.test_reconstruction[-1], history_30.test_kl[-1]
print("test set, nats per image      D        R    β·R    D + β·R")
print(f"β = 1   {D_1:21.0f} {R_1:8.0f} {R_1:6.0f} {D_1 + R_1:10.0f}")
print(f"β = 30  {D_30:21.0f} {R_30:8.2f} {BETA_LARGE * R_30:6.1f} {D_30 + BETA_LARGE * R_30:10.0f}")

# %% [markdown]
# At β = 30 the rate has fallen from over twenty nats to a few hundredths of a nat, and the
# distortion has more than doubled. In what sense does the KL term "dominate"? Not in the final
# numbers — $\beta R$ ends up tiny — but in the trade the optimiser faces. Keeping the β = 1
# model's code would cost $30 \times R_1$ in the β = 30 objective, more than five times the
# reconstruction that code buys, $D_{30} - D_1$. Throwing the code away is the better deal:

# %%
cost_of_the_code = BETA_LARGE * R_1
value_of_the_code = D_30 - D_1
print(
    f"30 × R(β = 1) = {cost_of_the_code:.0f} nats;  "
    f"D(β = 30) − D(β = 1) = {value_of_the_code:.0f} nats;  "
    f"ratio {cost_of_the_code / value_of_the_code:.0f}"
)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert R_1 > 20, "at β = 1 the rate is over twenty nats"
assert 0.01 <= R_30 < 0.1, "at β = 30 the rate has fallen to a few hundredths of a nat"
assert D_30 > 2 * D_1, "at β = 30 the distortion has more than doubled"
assert cost_of_the_code > 5 * value_of_the_code, (
    "the KL term dominates: keeping the β = 1 code would cost more than five times "
    "the reconstruction it buys"
)

# %% [markdown]
# The loss curves show that the collapse is not a slow drift: the rate is near zero after the
# first epoch and stays there, and the distortion barely moves afterwards — it falls by less than
# 5 % after the first epoch, where the β = 1 model's falls by more than a third.

# %%
plots.plot_loss_curves(
    history_30, title="β = 30: the KL term is crushed at once, the reconstruction never recovers"
)

# %%
print("β = 30, test KL per epoch:", " ".join(f"{r:.2f}" for r in history_30.test_kl))
later_fall = {  # share of the first epoch's test distortion shed in the later epochs
    beta: 1 - history.test_reconstruction[-1] / history.test_reconstruction[0]
    for beta, history in [(1, history_1), (30, history_30)]
}
print(
    f"test D falls after epoch 1 by {later_fall[30]:.0%} at β = 30, by {later_fall[1]:.0%} at β = 1"
)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert max(history_30.test_kl) < 0.1, "the rate is near zero after the first epoch and stays there"
assert later_fall[30] < 0.05, "the distortion falls by less than 5 % after the first epoch"
assert later_fall[1] > 1 / 3, "the β = 1 model's distortion falls by more than a third"

# %% [markdown]
# ## 5.2 The posterior means crowd at the origin
#
# If the code carries information about $x$, $q(z \mid x)$ must change as $x$ moves; in practice
# it is the posterior mean $\mu(x)$ that moves.
# `vaelib.latent_activity` measures exactly that, per dimension: $\operatorname{Var}_x \mu_i(x)$
# over the test set. For a code whose means spread like the prior (chapter 4) it is of order 1;
# we print its square root, the standard deviation of each dimension's mean across images:

# %%
activity_1 = vaelib.latent_activity(vae_1, test)  # (20,) Var_x μ_i(x)
activity_30 = vaelib.latent_activity(vae_30, test)  # (20,)
spread_of_means_1 = activity_1.sqrt()  # (20,) standard deviation of μ_i(x) across test images
spread_of_means_30 = activity_30.sqrt()
mu_1, logvar_1 = vaelib.encode_dataset(vae_1, test)  # (10000, 20) each
mu_30, logvar_30 = vaelib.encode_dataset(vae_30, test)
centre_30 = mu_30.mean(dim=0)  # (20,) where the cloud of β = 30 means sits
print(
    f"std of μ_i(x) across images, β = 1: from {spread_of_means_1.min():.1f} to "
    f"{spread_of_means_1.max():.1f}, mean {spread_of_means_1.mean():.1f}"
)
print(f"std of μ_i(x) across images, β = 30: at most {spread_of_means_30.max():.2f}")
print(f"β = 30: mean of μ_i(x) over images at most {centre_30.abs().max():.3f} from 0")
print(f"β = 30: largest |μ_i(x)| over test images and dimensions {mu_30.abs().max():.2f}")

# %% [markdown]
# At β = 30 the means of the 10,000 test images spread by less than an eighth of a unit (one
# standard deviation) in every dimension, against about one unit at β = 1. And the cloud sits at
# the origin: its centre is within two hundredths of a unit of 0 in every dimension, and no
# image's mean is farther than half a unit from 0 in any coordinate.

# %%
assert spread_of_means_30.max().item() < 1 / 8, (
    "at β = 30 the means spread by less than an eighth of a unit"
)
assert 0.8 < spread_of_means_1.mean().item() < 1.2, "at β = 1 the means spread by about one unit"
assert centre_30.abs().max().item() < 0.02, (
    "the cloud's centre is within two hundredths of a unit of 0"
)
assert mu_30.abs().max().item() < 0.5, "no image's mean is farther than half a unit from 0"

# %% [markdown]
# The two scatter plots share their axes; each shows the two dimensions whose means move most.

# %%
fig = plots.plot_latent_scatter(
    mu_1,
    test.labels,
    dims=tuple(activity_1.argsort(descending=True)[:2].tolist()),
    title="β = 1: the means spread over the prior",
)
fig.axes[0].set(xlim=(-4, 4), ylim=(-4, 4))
fig

# %%
fig = plots.plot_latent_scatter(
    mu_30,
    test.labels,
    dims=tuple(activity_30.argsort(descending=True)[:2].tolist()),
    title="β = 30: every image's mean sits close to the origin",
)
fig.axes[0].set(xlim=(-4, 4), ylim=(-4, 4))
fig

# %% [markdown]
# ## 5.3 KL per dimension and active units
#
# The same story, told by the rate. A dimension is *active* {cite:p}`burda2016importance` when
# $\operatorname{Var}_x \mu_i(x) > 0.01$; the KL of each dimension, averaged over the test set,
# sums to the rate $R$ (an identity of the closed form, which the library's tests check).

# %%
vaelib.show_source(vaelib.latent_activity)

# %%
vaelib.show_source(vaelib.active_units)

# %%
vaelib.show_source(vaelib.kl_per_dimension)

# %%
kl_1 = vaelib.kl_per_dimension(vae_1, test)  # (20,) nats per image
kl_30 = vaelib.kl_per_dimension(vae_30, test)
active_1 = vaelib.active_units(vae_1, test)
active_30 = vaelib.active_units(vae_30, test)
print(f"active units:  β = 1: {active_1} of 20   β = 30: {active_30} of 20")
print(f"rate:          β = 1: {kl_1.sum():.0f} nats   β = 30: {kl_30.sum():.2f} nats")
print(f"smallest KL of one dimension at β = 1: {kl_1.min():.1f} nats")
print(f"largest KL of one dimension at β = 30: {kl_30.max():.3f} nats")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert active_1 == 20, "at β = 1 every dimension is active"
assert kl_1.min().item() > 0.1, "at β = 1 every dimension carries KL (more than 0.1 nats)"
assert kl_30.max().item() < 0.01, "at β = 30 no dimension carries as much as 0.01 nats"

# %%
plots.plot_kl_per_dimension(kl_1, title="β = 1: every dimension carries KL")

# %%
fig = plots.plot_kl_per_dimension(kl_30, title="β = 30: no dimension carries any KL to speak of")
fig.axes[0].set_ylim(0, kl_1.max().item() * 1.05)  # the same scale as the β = 1 figure
fig

# %% [markdown]
# "At most a few active units" is the textbook description of collapse, and the count printed
# above bears it out: at most a couple of the twenty units pass. The count is a threshold on the
# spread of the means — a tenth of a unit, a variance of 0.01 — and section 5.2 found spreads of
# several hundredths of a unit, not far below it, so whether a unit or two cross it changes from
# run to run. The rate is the firmer measure, and it says the collapse is total: no dimension
# carries as much as a hundredth of a nat, and the whole code carries the few hundredths of a nat
# measured in section 5.1.

# %%
assert active_30 <= 2, "at β = 30 at most a couple of the twenty units are active"

# %% [markdown]
# ## 5.4 Samples
#
# A collapsed decoder has learnt to ignore $z$: whatever code it gets, it draws (nearly) the same
# image, the pixel-wise average that minimises the cross-entropy over all digits. So samples from
# the prior are all alike. We draw 1,000 samples from each model and measure their variety by the
# standard deviation of each pixel across the samples, averaged over pixels: at β = 30 it is less
# than a fifth of the β = 1 samples'.

# %%
N_SAMPLES = 1000
samples_1 = vae_1.sample(N_SAMPLES, generator=vaelib.seeded_generator(0))
samples_30 = vae_30.sample(N_SAMPLES, generator=vaelib.seeded_generator(0))
shuffled = test.subset(len(test), seed=0)  # the test set in random order, as in chapter 4
real = shuffled.images[:N_SAMPLES]  # real digits, kept out of the reference set below
image_sets = {"real test digits": real, "β = 1 samples": samples_1, "β = 30 samples": samples_30}
pixel_spread = {name: images.std(dim=0).mean().item() for name, images in image_sets.items()}
print("pixel spread:", ",  ".join(f"{name} {s:.2f}" for name, s in pixel_spread.items()))

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert pixel_spread["β = 30 samples"] < 0.2 * pixel_spread["β = 1 samples"], (
    "the β = 30 samples' pixel spread is less than a fifth of the β = 1 samples'"
)

# %%
plots.plot_image_grid(samples_30[:64], title="β = 30: 64 samples from the prior, all the same blur")

# %% [markdown]
# The source story's verdict is that at β = 30 "the generated images are very poor". That is
# what the eye says; we measure it. A small convolutional classifier of MNIST digits
# (`vaelib.train_classifier`, trained once on the full training set and then read from a cache)
# looks at each set of 1,000 images, and `vaelib.sample_quality` reports its mean *confidence*
# (the largest class probability, from 0.1 for a shape it cannot place to 1), the *class
# coverage* (the effective number of digit classes among its predictions, from 1 to 10) and a
# *Fréchet distance* between Gaussians fitted to its features of the images and of the other
# 9,000 test digits (0 for the same distribution). The last is the idea of the FID
# {cite:p}`heusel2017gans` in this small classifier's feature space: its values are not
# comparable with published FIDs. Real test digits, scored the same way, show what a perfect
# model would reach. `vaelib.sharpness`, the mean squared response to a Laplacian filter, measures
# blur: the lower, the blurrier.

# %%
classifier = vaelib.train_classifier(train_full, device=DEVICE)  # cached after the first run
reference = shuffled.images[N_SAMPLES:]  # the other 9,000 test digits
quality = {
    name: vaelib.sample_quality(classifier, images, reference)
    for name, images in image_sets.items()
}
sharpness = {name: vaelib.sharpness(images).mean().item() for name, images in image_sets.items()}
print(f"{'':18s} confidence  classes  Fréchet distance  sharpness")
for name, q in quality.items():
    print(
        f"{name:18s} {q.confidence:10.2f} {q.class_coverage:8.1f} "
        f"{q.frechet_distance:17.0f} {sharpness[name]:10.3f}"
    )

# %% [markdown]
# The numbers bear the verdict out. The classifier's confidence falls by more than 0.2 from the
# β = 1 samples to the β = 30 samples. Its averaged prediction spreads over fewer of the ten
# digit classes for the β = 30 samples than for the β = 1 samples, which cover more than eight,
# yet still over more than four; for near-identical blurs that number is the classifier's
# uncertainty about one image, not variety, and its hard labels say so: more than half of the
# β = 30 samples get the same one.
# Their Fréchet distance to real digits is more than three times the β = 1 samples' (a squared
# distance, as for the FID); and they are blurrier than the β = 1 samples by more than a factor
# of five. The β = 1 samples are no match for real digits either: their Fréchet distance is more
# than ten times the real digits' own, and they are more than three times blurrier.

# %%
q_real, q_1, q_30 = (quality[name] for name in image_sets)  # real, β = 1, β = 30
assert q_1.confidence - q_30.confidence > 0.2, "the confidence falls by more than 0.2"
assert 4 < q_30.class_coverage < q_1.class_coverage, (
    "the averaged prediction spreads over fewer classes at β = 30, yet over more than four"
)
assert q_1.class_coverage > 8, "the β = 1 samples cover more than eight classes"
assert q_30.frechet_distance > 3 * q_1.frechet_distance, (
    "their Fréchet distance to real digits is more than three times the β = 1 samples'"
)
_, probabilities_30 = classifier.features_and_probabilities(samples_30)  # (1000, 10)
label_counts_30 = probabilities_30.argmax(dim=1).bincount(minlength=10)  # (10,)
print(f"β = 30 samples with the most common label: {label_counts_30.max()} of {N_SAMPLES}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert label_counts_30.max().item() > 0.5 * N_SAMPLES, (
    "more than half of the β = 30 samples get the same label"
)
assert sharpness["β = 30 samples"] < sharpness["β = 1 samples"] / 5, (
    "β = 30 samples are blurrier than β = 1 samples by more than a factor of five"
)
assert q_1.frechet_distance > 10 * q_real.frechet_distance, (
    "the β = 1 samples' Fréchet distance is more than ten times the real digits' own"
)
assert sharpness["β = 1 samples"] < sharpness["real test digits"] / 3, (
    "the β = 1 samples are more than three times blurrier than real digits"
)

# %% [markdown]
# Is that blur really the average digit? The decoder that best ignores $z$ outputs, for every
# pixel, the probability that minimises the summed cross-entropy over the training images: their
# mean grey level. Its distortion on the test set is a number we can compute from the data alone,
# and the collapsed model's distortion matches it to within a nat. Matching distortions could be
# a coincidence, so we also compare the images themselves: the β = 30 samples differ from the
# mean training image by less than two hundredths of a grey level per pixel on average, less than
# a fifth of what separates the β = 1 samples from it.

# %%
mean_image = train.images.mean(dim=0, keepdim=True)  # (1, 1, 28, 28)
D_mean_image = (
    vaelib.reconstruction_loss(
        torch.logit(mean_image, eps=1e-6).expand_as(test.images), test.images
    )
    .mean()
    .item()
)
print(f"D of the mean training image: {D_mean_image:.0f};  D at β = 30: {D_30:.0f} nats per image")
gap_to_mean = {  # mean |sample − mean image| per pixel, in grey levels
    name: (image_sets[name].cpu() - mean_image).abs().mean().item()
    for name in ("β = 1 samples", "β = 30 samples")
}
print("mean |sample − mean training image| per pixel:", end=" ")
print(",  ".join(f"{name} {gap:.3f}" for name, gap in gap_to_mean.items()))

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert abs(D_30 - D_mean_image) < 1, "the collapsed model's distortion matches it to within a nat"
assert gap_to_mean["β = 30 samples"] < 0.02, (
    "the β = 30 samples differ from the mean training image by less than two hundredths"
)
assert gap_to_mean["β = 30 samples"] < 0.2 * gap_to_mean["β = 1 samples"], (
    "less than a fifth of what separates the β = 1 samples from it"
)

# %% [markdown]
# ## 5.5 What information the code kept
#
# The rate bounds the information the code can carry. Write $q(x, z) = p_{\text{data}}(x)\,
# q(z \mid x)$ and $q(z)$ for the aggregate posterior. Then
# {cite:p}`alemi2018fixing`
#
# $$
# R = \mathbb{E}_{x}\,\operatorname{KL}\big(q(z \mid x) \,\|\, p(z)\big)
#   = I_q(x; z) + \operatorname{KL}\big(q(z) \,\|\, p(z)\big) \;\ge\; I_q(x; z),
# $$
#
# so the mutual information between an image and its code is at most the rate. Naming one of ten
# equally likely digit classes takes $\log 10 \approx 2.30$ nats. Because the code is drawn from
# $q(z \mid x)$, which sees only the image, $y \to x \to z$ is a Markov chain, and the
# data-processing inequality gives $I(y; z) \le I(x; z) \le R$; Fano's
# inequality turns that into a floor on the error of *any* classifier that sees only $z$:
#
# $$
# h(P_e) + P_e \log 9 \;\ge\; H(y \mid z) \;\ge\; H(y) - R ,
# $$
#
# with $h$ the binary entropy. We solve it for the smallest error it allows: at β = 30 the rate, a
# few hundredths of a nat (section 5.1), is less than a tenth of $\log 10$, and no classifier of $z$
# can reach twice the chance level of one in ten.

# %%
p_y = torch.bincount(test.labels, minlength=10).double() / len(test)
H_y = -(p_y * p_y.log()).sum().item()  # entropy of the test labels, nats
print(f"H(y) = {H_y:.2f} nats (log 10 = {math.log(10):.2f});  R at β = 30 = {R_30:.2f} nats")
# the smallest P_e with h(P_e) + P_e log 9 >= H(y|z) >= H(y) - R, solved by bisection
max_accuracy_30 = 1 - vaelib.fano_lowest_error(H_y - R_30, n_classes=10)
print(f"Fano: no classifier of z at β = 30 can beat {max_accuracy_30:.2f} accuracy")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert max_accuracy_30 < 0.2, "no classifier of z can reach twice the chance level"

# %% [markdown]
# We compare the bound with a simple classifier: assign a code to the digit class whose mean code
# (over the training set) is nearest.

# %%
train_mu_1, train_logvar_1 = vaelib.encode_dataset(vae_1, train)
train_mu_30, train_logvar_30 = vaelib.encode_dataset(vae_30, train)
noise = vaelib.seeded_generator(0)
z_1 = vaelib.VAE.reparameterize(mu_1, logvar_1, generator=noise)  # one z ~ q(z|x) per image
z_30 = vaelib.VAE.reparameterize(mu_30, logvar_30, generator=noise)
accuracy = {  # each test code gets the class whose mean training code is nearest
    (name, code): vaelib.nearest_class_mean_accuracy(train_mu, train.labels, codes, test.labels)
    for name, code, train_mu, codes in [
        ("β = 1", "z", train_mu_1, z_1),
        ("β = 30", "z", train_mu_30, z_30),
        ("β = 30", "μ", train_mu_30, mu_30),
    ]
}
for (model, code), value in accuracy.items():
    print(f"{model:>6}, from {code}: accuracy {value:.2f}")

# %% [markdown]
# From the sampled code $z$ — what the decoder actually sees — the classifier names more than
# three in four of the β = 1 model's test digits, while at β = 30 it stays close to the chance
# level of one in ten (within five points of it), below Fano's bound, as it must.

# %%
assert accuracy[("β = 1", "z")] > 0.75, "from z, more than three in four β = 1 digits are named"
assert abs(accuracy[("β = 30", "z")] - 0.1) < 0.05, "from z at β = 30 it stays close to chance"
assert accuracy[("β = 30", "z")] <= max_accuracy_30 + 0.02, (
    "at β = 30 it stays below Fano's bound (up to sampling error)"
)

# %% [markdown]
# The posterior *means* at β = 30 tell a different story: from $\mu$ alone the same classifier
# does more than three times better than chance. The means still carry a clear trace of the
# digit, because $\mu(x)$ is a function of the image and Fano's bound does not apply to it. But
# that trace is less than an eighth of a unit (section 5.2), buried under noise of standard
# deviation close to 1 in every sample; the information a code *transmits* is what the rate
# counts, and it is almost nothing.

# %%
sigma_30 = (0.5 * logvar_30).exp().mean().item()  # mean posterior standard deviation at β = 30
print(f"β = 30, from μ: accuracy {accuracy[('β = 30', 'μ')]:.2f};  mean σ_i(x) = {sigma_30:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert accuracy[("β = 30", "μ")] > 0.3, "from μ the classifier does more than three times better"
assert spread_of_means_30.max().item() < 1 / 8, "the trace is less than an eighth of a unit"
assert abs(sigma_30 - 1) < 0.05, "the noise has standard deviation close to 1"
assert accuracy[("β = 30", "z")] < accuracy[("β = 30", "μ")] < accuracy[("β = 1", "z")], (
    "the means carry more than the β = 30 codes and less than the β = 1 codes"
)

# %% [markdown]
# ## 5.6 Why a large β switches the code off
#
# Look at the objective one latent dimension at a time. The rate is a sum over dimensions,
# $R = \sum_i R_i$ with
# $R_i = \mathbb{E}_x \operatorname{KL}(q(z_i \mid x) \,\|\, \mathcal{N}(0, 1))$.
# Switching dimension $i$ off — setting $q(z_i \mid x) = \mathcal{N}(0, 1)$ for every $x$ — makes
# $R_i = 0$ and so lowers $\beta R$ by exactly $\beta R_i$; it raises the distortion by some
# amount $G_i$, the *reconstruction gain* of the dimension. (With the decoder held fixed: a
# decoder retrained for the smaller code can only lower $D$ again, so $G_i$ is an upper bound on
# the true cost.) A dimension is worth keeping only if
#
# $$
# G_i \;\ge\; \beta \, R_i ,
# $$
#
# that is, if each nat of rate it costs buys at least β nats of reconstruction. At
# β = 1 this is easy: information is what reconstruction is made of. At β = 30 every nat in the
# code must pay for itself thirty times over.
#
# `vaelib.reconstruction_gain_per_dimension` measures $G_i$ for a trained model by switching each
# dimension off in turn. For the β = 1 model, every dimension passes the test at β = 1 — and
# every one would fail it at β = 30:

# %%
gain_1 = vaelib.reconstruction_gain_per_dimension(vae_1, test)  # (20,) nats, as kl_1
value_per_nat = gain_1 / kl_1  # G_i / R_i: reconstruction bought per nat of rate
print("G_i / R_i at β = 1:", " ".join(f"{v:.0f}" for v in value_per_nat.sort().values))
print(
    f"from {value_per_nat.min():.0f} to {value_per_nat.max():.0f}, median "
    f"{value_per_nat.median():.0f} nats of reconstruction per nat of KL"
)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert value_per_nat.min().item() > 1, "every dimension passes the test at β = 1"
assert value_per_nat.max().item() < BETA_LARGE, "every one would fail it at β = 30"

# %% [markdown]
# This is the mechanism of collapse at large β, as far as this measurement shows it: at the
# β = 1 solution even the best dimension buys fewer than 30 nats of reconstruction per nat of
# rate, so at β = 30 switching any one of them off pays. Training at β = 30 pulls every
# $\mu_i(x)$ close to 0 and the $\sigma_i$ to about 1 on average (sections 5.2 and 5.5), the
# decoder learns that $z$ carries nothing and settles on the one image that best fits all
# digits, and from there no small change of the encoder pays for itself either. (The argument
# is a heuristic, not a proof: $G_i / R_i$ is an average over all the nats a dimension carries,
# and the reconstruction bought by each extra nat is larger for the first nats than for the
# last, so opening a dimension a little might pay where opening it fully does not. Chapter 6
# traces how the number of active units falls as β grows, and chapter 7 tries ways to keep the
# code alive.)
#
# ## Summary
#
# - At β = 30 the posterior collapses completely: the rate falls from over twenty nats to a few
#   hundredths, no latent dimension carries as much as a hundredth of a nat, the posterior means
#   of all images sit within half a unit of the origin, and samples from the prior are all the
#   same blur, close to the mean training image.
# - The source story's "very poor" samples, measured: a classifier of digits is less confident
#   about them (its mean confidence falls by more than 0.2), its averaged prediction spreads over
#   fewer classes (and more than half of them get the same label), and it gives them
#   more than three times the β = 1 samples' Fréchet distance to real digits; they are also more
#   than five times blurrier.
# - The weighted KL term "dominates" through the trade it sets: the β = 1 code would cost its
#   rate thirty times over in the β = 30 objective, more than five times the reconstruction it
#   buys.
# - The rate bounds the information in the code, $I(x; z) \le R$. At β = 30 that is far below the
#   $\log 10$ nats needed to name a digit, and by Fano's inequality no classifier of $z$ can reach
#   twice the chance level — as a simple one confirms.
# - A dimension is worth keeping only if its reconstruction gain is at least β times its KL. At
#   β = 1 every dimension of our VAE buys more than one nat of reconstruction per nat of KL and
#   none buys thirty, so at β = 30 switching any one of them off pays; the collapse we observe is
#   what this heuristic predicts.
#
# ## Exercises
#
# 1. Section 5.4 claims that the pixel-wise mean image is the best output of a decoder that
#    ignores $z$. Prove it.
#
# ```{admonition} Solution
# :class: dropdown
#
# A decoder that ignores $z$ outputs one image $p$ for everything, and the $p$ that minimises the
# summed cross-entropy over the data set is the pixel-wise mean image $\bar{x}$ (set the
# derivative of $\sum_n \operatorname{BCE}(x_n, p)$ in each $p_j$ to zero):
# $\sum_n \big[-x_{nj} / p_j + (1 - x_{nj}) / (1 - p_j)\big] = 0$ gives
# $p_j = \frac{1}{N} \sum_n x_{nj}$. The loss is convex in each $p_j$, so this is the minimum.
# ```
#
# 2. Train with β = 4 and with β = 8 (ten epochs each) and count the active units. Where between
#    1 and 30 does the code start to die? Compare your answer with the ratios $G_i / R_i$ printed
#    in section 5.6.
#
# ```{admonition} Solution
# :class: dropdown
#
# The heuristic of section 5.6 says that a dimension is switched off once β exceeds its ratio
# $G_i / R_i$. With the ratios printed there, it predicts that the first dimensions go once β
# passes the smallest ratio, that about half are gone once β passes the median, and that all are
# gone beyond the largest — which is below 30. It is only a heuristic: a model trained at β = 4 is
# not the β = 1 model with some units removed, and its decoder adapts. Count in two ways. The
# active-unit criterion $\operatorname{Var}_x \mu_i(x) > 0.01$ is lenient — a dimension can pass
# it while carrying less than a tenth of a nat ([chapter 7](07_keeping_the_code_alive.ipynb)
# shows a model with many such dimensions) — so also count the dimensions whose KL exceeds 0.1
# nats. [Chapter 6](06_beta_landscape.ipynb) counts both across its β sweep, on the same 10,000
# training images but for five epochs rather than ten, and the two answers differ. By the
# active-unit count the code hardly dies before the end of the sweep: more than half of the units
# are still active at β = 16, and none at β = 30. The heuristic's prediction describes the
# informative count better: it falls over several steps, from β = 4 at the latest, up to several
# dimensions at a step, and it drops below half of the dimensions earlier in the sweep than the
# active-unit count does.
# ```
#
# 3. Show that $\mathbb{E}_x \operatorname{KL}(q(z \mid x) \,\|\, p(z)) = I_q(x; z) +
#    \operatorname{KL}(q(z) \,\|\, p(z))$.
#
# ```{admonition} Solution
# :class: dropdown
#
# Write the left side as $\mathbb{E}_{q(x, z)}[\log q(z \mid x) - \log p(z)]$ and add and
# subtract $\log q(z)$: it becomes $\mathbb{E}_{q(x, z)}[\log q(z \mid x) - \log q(z)] +
# \mathbb{E}_{q(z)}[\log q(z) - \log p(z)]$. The first term is the mutual information
# $I_q(x; z)$, since $q(z \mid x) / q(z) = q(x, z) / (p_{\text{data}}(x) q(z))$; the second is
# $\operatorname{KL}(q(z) \,\|\, p(z))$. Both are non-negative, which gives $I_q(x; z) \le R$.
# ```
