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
# # 11. The conditional VAE
#
# Every MNIST image comes with its label, and so far the VAE has thrown the label away: to draw a 7
# you sample from the prior until a 7 comes out. A **conditional VAE** gives the label $y$ to both
# halves of the model. The name comes from {cite:t}`sohn2015learning`, who condition on an input (an
# image to segment, say) to generate a structured output, and let the prior of $z$ depend on that
# input too; the model of this chapter, with a label as the condition and the prior kept at
# $\mathcal{N}(0, I)$, is the generative model "M2" of {cite:t}`kingma2014semisupervised`, trained
# here on labelled images only. The encoder reads the image *and* its label, the decoder reads the
# code *and* the label. Since the decoder is told which digit to draw, the code $z$ no longer needs
# to say it, and it is free to hold what the label does not say: the style of the handwriting. This
# chapter trains one, asks it for chosen digits, separates style from content, and measures in
# nats what the label saves — which turns out to be a small, benign cousin of the posterior
# collapse of [chapter 5](05_posterior_collapse.ipynb).
#
# In this chapter you will
#
# - train a conditional VAE next to a plain one, from the same seed on the same batches;
# - ask it for a chosen digit, and let the book's digit classifier check that it drew it;
# - decode one test digit's code with each of the ten labels — the same style, written as every
#   digit;
# - measure how much the code still knows about the digit, with two different classifiers;
# - see the bound fall by more than eight times what the label is worth and the rate by a
#   fraction of it, and read the conditional model's rate and active units as a split of information
#   between the label and $z$.

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
train = vaelib.load_mnist("train")
test = vaelib.load_mnist("test")
print(f"{len(train):,} training and {len(test):,} test images, with their labels")

# %% [markdown]
# ## 11.1 A VAE that is told the label
#
# The conditional VAE keeps the prior $p(z) = \mathcal{N}(0, I)$ and conditions the other two
# distributions on the label: the encoder is $q_\phi(z \mid x, y)$ and the decoder
# $p_\theta(x \mid z, y)$. In `vaelib.ConditionalVAE` the label enters as a one-hot vector of
# ten numbers, appended to the image at the encoder's input and to the code at the decoder's
# input; everything else is the 784-400 network of [chapter 4](04_vae_mnist.ipynb). The
# objective is the negative ELBO of $x$ given $y$, with the same two parts, in nats per image:
#
# $$
# -\operatorname{ELBO}(x \mid y) =
#   \underbrace{\mathbb{E}_{q_\phi(z \mid x, y)}\big[-\log p_\theta(x \mid z, y)\big]}_{D}
#   + \underbrace{\operatorname{KL}\big(q_\phi(z \mid x, y) \,\|\, p(z)\big)}_{R}
#   \;\ge\; -\log p_\theta(x \mid y).
# $$
#
# We train it and a plain VAE side by side: same seed, same batches, one epoch each over the
# full training set (enough for what this chapter measures, and short enough for the chapter to
# run in minutes on a CPU, as the book's Versions and run times page records; chapter 4 trains
# for ten epochs). `vaelib.fit` reads the labels from the data set when the model is
# conditional.
#
# Both models get a **two-dimensional** code, the size of the maps of
# [chapter 8](08_latent_space.ipynb), not chapter 4's twenty dimensions. The reason is part of
# the story. Nothing forbids a code to carry the digit even when the label is there; only the
# KL term charges it for doing so. Two dimensions leave no room to spare, so whatever the label
# can say, the code has every reason to leave to it. A roomy code can afford the digit as well:
# exercise 4 asks what a twenty-dimensional one does with it after brief training.
#
# The conditional encoder and decoder, as `vaelib.ConditionalVAE` writes them:

# %%
vaelib.show_source(vaelib.ConditionalVAE.encode)

# %%
vaelib.show_source(vaelib.ConditionalVAE.decode)

# %%
EPOCHS = 1
CONFIG = vaelib.MLPConfig(latent_dim=2)  # 784-400-2

# the plain VAE is chapter 4's two-dimensional one, kept on disk there (cache=True)
vae, history = vaelib.train_vae(
    train, test, epochs=EPOCHS, config=CONFIG, seed=0, device=DEVICE, cache=True
)

vaelib.seed_everything(0)
cvae = vaelib.ConditionalVAE(CONFIG)
history_c = vaelib.fit(cvae, train, test, epochs=EPOCHS, seed=0, device=DEVICE, progress=False)

D, R = history.test_reconstruction[-1], history.test_kl[-1]
D_c, R_c = history_c.test_reconstruction[-1], history_c.test_kl[-1]
print("test set, nats per image        D        R    D + R")
print(f"VAE,             −ELBO(x)   {D:7.2f} {R:8.2f} {D + R:8.2f}")
print(f"conditional VAE, −ELBO(x|y) {D_c:7.2f} {R_c:8.2f} {D_c + R_c:8.2f}")

# %% [markdown]
# The two bounds are not bounds on the same thing. The plain VAE bounds $-\log p(x)$, the
# conditional one $-\log p(x \mid y)$, the cost of describing an image to someone who already
# knows its digit. For MNIST the label is a function of the image, $p(y \mid x) = 1$ for the
# image's own label, so
# $p(x \mid y) = p(x)\,p(y \mid x) / p(y) = p(x) / p(y)$: for the *true* likelihoods, knowing the
# digit saves $-\log p(y)$ nats, on average the entropy $H(y)$ of the labels. The ten digits are
# about equally common, so $H(y)$ is $\log 10 \approx 2.30$ nats to two decimals:

# %%
LABEL_NATS = math.log(10)  # what naming one of ten equally likely digits is worth
p_y = torch.bincount(train.labels, minlength=10).double() / len(train)
H_y = -(p_y * p_y.log()).sum().item()  # entropy of the training labels, nats
print(f"H(y) = {H_y:.3f} nats, log 10 = {LABEL_NATS:.3f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert abs(H_y - LABEL_NATS) < 0.005, "H(y) is log 10 ≈ 2.30 nats to two decimals"

# %% [markdown]
# Our bounds fall by more than eight times that. They are bounds of small models, not the true
# likelihoods, and a two-dimensional code cannot describe a digit well: the plain decoder often
# has to guess which digit it is drawing, and a wrong guess costs many nats of reconstruction.
# The label removes the guess (section 11.2 checks this with a classifier). So almost all of the
# fall is in the distortion, and the rate changes little next to it:

# %%
elbo_drop = (D + R) - (D_c + R_c)
rate_drop, distortion_drop = R - R_c, D - D_c
print(f"−ELBO falls by {elbo_drop:.2f} nats (log 10 = {LABEL_NATS:.2f})")
print(f"of which the rate {rate_drop:.2f}, the distortion {distortion_drop:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert elbo_drop > 8 * LABEL_NATS, "the bounds fall by more than eight times log 10"
assert abs(rate_drop) < 0.1 * elbo_drop, (
    "almost all of the fall is in the distortion, and the rate changes little next to it"
)

# %% [markdown]
# ## 11.2 Asking for a chosen digit
#
# To draw a digit of class $k$, sample $z \sim \mathcal{N}(0, I)$ and decode it with the label
# $k$. Below, each column asks for one digit, 0 to 9, and each row uses a fresh set of codes.

# %%
requested = torch.arange(10).repeat(100)  # 0 … 9, a hundred times: 1,000 requests
generator = vaelib.seeded_generator(0)
samples = cvae.sample(requested, generator=generator).cpu()  # (1000, 1, 28, 28)
plots.plot_image_grid(
    samples[:80], nrow=10, title="Asked for 0 … 9 column by column, the conditional VAE obliges"
)

# %% [markdown]
# Does each column hold the digit we asked for? We let the book's digit classifier judge, the
# small convolutional network that chapter 1 introduced (`vaelib.train_classifier`: two
# convolutions and a hidden layer, trained once on the training images and then read from a
# cache on disk). We give
# it the 1,000 samples and count how often its answer is the digit we asked for.

# %%
classifier = vaelib.train_classifier(train, device=DEVICE)  # cached after the first training
test_accuracy = vaelib.classifier_accuracy(classifier, test)
asked = vaelib.ImageData(samples, requested, train.classes, "conditional VAE samples")
sample_accuracy = vaelib.classifier_accuracy(classifier, asked)
_, probabilities = classifier.features_and_probabilities(samples)  # (1000, 10)
hits = probabilities.argmax(dim=1) == requested  # (1000,)
per_digit = torch.stack([hits[requested == k].float().mean() for k in range(10)])  # (10,)
print(f"classifier on real test digits: {test_accuracy:.1%}")
print(f"classifier on the samples, against the requested digit: {sample_accuracy:.1%}")
print("per requested digit:", " ".join(f"{k}: {a:.2f}" for k, a in enumerate(per_digit)))

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert 1 - test_accuracy < 0.03, (
    "the classifier labels almost every real test digit correctly, missing fewer than 3 in 100"
)
assert sample_accuracy > 0.8, (
    "the classifier reads the requested digit in over four samples in five"
)
assert per_digit.min() > 2 / 3, (
    "every digit, even the hardest, comes out right in more than two samples in three"
)

# %% [markdown]
# The same classifier checks the explanation of section 11.1 for the fall of the bound: that the
# plain decoder, working from a two-dimensional code, often draws another digit than the one it
# was given. We give it the reconstructions of the 10,000 test digits, each decoded from its
# posterior mean, by the plain VAE and by the conditional VAE told the true label.

# %%
reconstructed = vae.reconstruct(test.images).cpu()  # (10000, 1, 28, 28)
reconstructed_c = cvae.reconstruct(test.images, test.labels).cpu()
rec_accuracy = vaelib.classifier_accuracy(
    classifier, vaelib.ImageData(reconstructed, test.labels, test.classes, "VAE reconstructions")
)
rec_accuracy_c = vaelib.classifier_accuracy(
    classifier,
    vaelib.ImageData(reconstructed_c, test.labels, test.classes, "conditional reconstructions"),
)
print("classifier reads the original's digit in the reconstructions:", end=" ")
print(f"VAE {rec_accuracy:.1%}, conditional VAE {rec_accuracy_c:.1%}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert 1 - rec_accuracy > 0.4, (
    "in over two in five of the plain VAE's reconstructions the classifier reads another digit"
)
assert 1 - rec_accuracy_c < 0.02, (
    "in fewer than one in fifty of the conditional VAE's does it read another digit"
)

# %% [markdown]
# The guess is real and often wrong: in over two in five of the plain VAE's reconstructions the
# classifier reads another digit than the original's, in fewer than one in fifty of the
# conditional VAE's. A plain VAE cannot be asked for a digit at all; the best it can
# do is draw and throw away. The conditional model turns the label into a control.
#
# ## 11.3 Style and content apart
#
# Now the other direction. Take a test digit, encode it with its own label, $z = \mu(x, y)$, and
# decode that one code ten times, with the labels 0 to 9. If the label carries the digit and
# the code carries the rest, each row writes one person's handwriting as every digit: the
# "analogies" of {cite:t}`kingma2014semisupervised`. `vaelib.class_analogies` does exactly
# this.

# %%
originals, own_labels = test.images[:8], test.labels[:8]
analogies = vaelib.class_analogies(cvae, originals, own_labels)  # (8, 10, 1, 28, 28)
plots.plot_image_rows(
    [torch.cat([x[None], row]) for x, row in zip(originals, analogies)],
    labels=[f"test {y}" for y in own_labels.tolist()],
    title="One code, ten labels: the test digit (left), then its style written as 0 … 9",
)

# %% [markdown]
# Two things must hold for the picture to mean what it seems to. First, the label sets the
# digit: the classifier should read each decoded image as the label it was decoded with, not as
# the digit it was encoded from. Second, the code keeps the style: a heavy-handed writer's
# digits should stay heavy in all ten versions. We check both on 1,000 test digits (10,000
# decoded images). For style we take the simplest measure there is, the ink of an image (its
# mean grey level, which grows with stroke thickness and size), and correlate the ink of each
# original with the mean ink of its nine versions decoded with another label (the tenth, decoded
# with its own label, is just its reconstruction). Ink also depends on the digit — of these test
# digits, the 1s carry the least and the 0s the most — and the code still knows the digit in
# part (section 11.4), so a correlation could come from the digit alone. We therefore correlate
# *within* each digit, after subtracting from each of the two inks its mean over the test digits
# of the same class (`vaelib.within_class_correlation`).

# %%
subset = test.subset(1000, seed=0)
swapped = vaelib.class_analogies(cvae, subset.images, subset.labels)  # (1000, 10, 1, 28, 28)
swapped_labels = torch.arange(10).repeat(len(subset))  # the label each image was decoded with
as_data = vaelib.ImageData(swapped.flatten(0, 1), swapped_labels, train.classes, "analogies")
analogy_accuracy = vaelib.classifier_accuracy(classifier, as_data)
_, swapped_probabilities = classifier.features_and_probabilities(as_data.images)  # (10000, 10)
read_as = swapped_probabilities.argmax(dim=1)  # (10000,)
encoded_labels = subset.labels.repeat_interleave(10)  # the digit each analogy was encoded from
relabelled = swapped_labels != encoded_labels  # (10000,): the 9,000 decoded with another label
read_as_encoded = (read_as[relabelled] == encoded_labels[relabelled]).float().mean().item()
ink_original = subset.images.mean(dim=(1, 2, 3))  # (1000,) mean grey level
ink_by_digit = torch.stack([ink_original[subset.labels == k].mean() for k in range(10)])  # (10,)
other_label = relabelled.view(len(subset), 10)  # (1000, 10): False at the own label
ink_swapped = swapped.mean(dim=(2, 3, 4))[other_label].view(len(subset), 9).mean(dim=1)  # (1000,)
ink_correlation = vaelib.within_class_correlation(ink_original, ink_swapped, subset.labels)
print(f"classifier reads the decoding label in {analogy_accuracy:.1%} of the analogies")
print(f"... and the digit it was encoded from in {read_as_encoded:.1%} of the re-labelled ones")
print(f"least ink: the {ink_by_digit.argmin()}s; most ink: the {ink_by_digit.argmax()}s")
print(
    f"correlation of the original's ink with its analogies', within digits: {ink_correlation:.2f}"
)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert analogy_accuracy > 0.8, "the classifier reads the decoding label in over four in five"
assert read_as_encoded < 0.1, (
    "the label, not the encoded digit, sets the digit drawn: the encoded digit is read in fewer "
    "than one in ten of the analogies decoded with another label"
)
assert ink_by_digit.argmin() == 1 and ink_by_digit.argmax() == 0, (
    "of these test digits, the 1s carry the least ink and the 0s the most"
)
assert 1 / 3 < ink_correlation < 2 / 3, (
    "within each digit, heavier originals give heavier analogies: a clear positive correlation, "
    "between a third and two thirds, though far from perfect"
)

# %% [markdown]
# The classifier reads the decoding label in over four analogies in five, and the digit the
# code was encoded from in fewer than one in ten of those that were decoded with another label:
# the label, not the code, decides the digit. And the ink carries over: within each digit,
# originals with more ink than most of their digit give analogies with more ink than most, a clear
# positive correlation (the value printed above; between a third and two thirds in every run we
# made), though far from perfect, since two numbers of code cannot hold all of a writer's
# style.
#
# ## 11.4 What the code still knows about the digit
#
# If the code held style and nothing else, it should say little about which digit was encoded.
# We test that much as [chapter 5](05_posterior_collapse.ipynb) did (there from sampled codes,
# here from the posterior means): encode the training and test
# images (each model with its own encoder, the conditional one with the true labels), and
# classify each test code from the training codes. We use two classifiers of the posterior means
# $\mu$ (`vaelib.nearest_class_mean_accuracy` and `vaelib.nearest_neighbour_accuracy`):
#
# - **nearest class mean**: a test code gets the digit whose mean training code is closest — it
#   succeeds if the ten digits sit in ten separate regions of the code space;
# - **1-nearest neighbour**: a test code gets the digit of the single closest training code — it
#   succeeds whenever codes of the same digit lie close together, however tangled the regions.
#
# Guessing gets one digit in ten right.

# %%
train_mu, _ = vaelib.encode_dataset(vae, train)  # (60000, 2)
test_mu, _ = vaelib.encode_dataset(vae, test)  # (10000, 2)
train_mu_c, _ = vaelib.encode_dataset(cvae, train)  # encoded with their labels
test_mu_c, _ = vaelib.encode_dataset(cvae, test)
probe = {}
for name, a, b in [("VAE", train_mu, test_mu), ("conditional VAE", train_mu_c, test_mu_c)]:
    probe[name] = (
        vaelib.nearest_class_mean_accuracy(a, train.labels, b, test.labels),
        vaelib.nearest_neighbour_accuracy(a, train.labels, b, test.labels),
    )
print(f"{'accuracy from μ':<17} nearest class mean   1-nearest neighbour")
for name, (class_mean, neighbour) in probe.items():
    print(f"{name:<17} {class_mean:18.2f} {neighbour:21.2f}")
(mean_vae, nn_vae), (mean_cvae, nn_cvae) = probe["VAE"], probe["conditional VAE"]

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert mean_cvae < 0.6 * mean_vae and nn_cvae < 0.6 * nn_vae, (
    "by either classifier, the conditional code tells the digit less than three fifths as often"
)
assert min(mean_cvae, nn_cvae) > 0.15, "yet both still read it clearly more often than guessing"
assert 0.4 < min(mean_vae, nn_vae) and max(mean_vae, nn_vae) < 0.6, (
    "from the plain two-dimensional code, both classifiers miss about half of the digits"
)

# %% [markdown]
# Both classifiers agree: read from the conditional code, the digit is right less than three
# fifths as often as from the plain code. The ten digits no longer sit in regions of their own,
# because the decoder never needed them to. The plain two-dimensional code did not know the digit
# perfectly either: with two numbers per image, the digits overlap, and both classifiers miss
# about half of them.
#
# The conditional code is not label-free, though: both classifiers still do clearly better than
# guessing. Why should a code that the decoder does not need for the label keep any of it? Not
# because it must. The encoder knows the label, so it could learn to move each digit's codes to
# a common centre, subtracting $c_y - \bar c$, where $c_y$ is the mean code of digit $y$ and
# $\bar c$ the mean of all codes (it reads the label only before a nonlinearity, so it would have
# to learn that shift with its hidden units). The decoder's first layer reads $z$ and the one-hot
# label linearly, $W_z z + W_y e_y$, so adding $W_z (c_y - \bar c)$ to its label column undoes
# the shift exactly: every reconstruction stays the same, and the KL term falls by half the
# *between-class variance* $\sum_y p(y)\, \lVert c_y - \bar c \rVert^2$
# (`vaelib.between_class_variance`). So the KL term keeps pulling the ten centres together, and
# nothing the decoder needs holds them apart; once they meet, the nearest-class-mean classifier
# is left guessing. (Subtler dependence, such as digits whose styles spread differently, is not
# free to remove, and only the nearest-neighbour rule can read it.) After one epoch the centres
# have not met yet:

# %%
between, between_share = vaelib.between_class_variance(train_mu, train.labels)
between_c, between_share_c = vaelib.between_class_variance(train_mu_c, train.labels)
print(f"share of the code's variance between digit centres: VAE {between_share:.2f}", end=", ")
print(f"conditional VAE {between_share_c:.2f}")
print(f"KL the conditional encoder could still save by centring them: {between_c / 2:.2f} nats")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert between_share_c < 0.5 * between_share, (
    "the conditional code's digit centres lie much closer together than the plain code's"
)
assert between_share_c > 0.05, "after one epoch the centres do not coincide yet"

# %% [markdown]
# ## 11.5 Where the nats went: the label, the code, and collapse
#
# The rate bounds the information in the code, $R \ge I(x; z)$ (chapter 5). Since the label is a
# function of the image, the information in a plain VAE's code splits into two parts by the chain
# rule of mutual information,
#
# $$
# I(x; z) = I(y; z) + I(x; z \mid y), \qquad I(y; z) \le H(y) \le \log 10 ,
# $$
#
# the digit and everything else. The conditional VAE gets the first part from the label for
# free, so a code that keeps the same style information, the same $I(x; z \mid y)$, needs to
# carry less information by $I(y; z)$, at most $\log 10 \approx 2.30$ nats, and by less than that
# for a plain code that knew the digit only in part (section 11.4). That is a ceiling on the
# *information* the label can save, not on the rate: the rate is the information plus a
# non-negative remainder (in chapter 5's identity, $\operatorname{KL}(q(z) \,\|\, p(z))$), and
# the two models need not leave the same remainder, nor keep exactly the same style. So we
# expect, without a theorem to guarantee it, the rate to fall by something below $\log 10$.
# Section 11.1 measured the fall. It is a fraction of what the label is worth, between a fifth
# and three fifths of it in every run we made:

# %%
print(f"R(VAE) − R(conditional VAE) = {rate_drop:.2f} nats; the label is worth {LABEL_NATS:.2f}")
print(f"the fall as a share of log 10: {rate_drop / LABEL_NATS:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert 0.2 < rate_drop / LABEL_NATS < 0.6, (
    "the rate falls by a fraction of what the label is worth, between a fifth and three fifths"
)

# %% [markdown]
# Why not the whole $\log 10$? Section 11.4 gives two reasons, and both push the fall below it.
# The plain code knew the digit only in part — from its posterior means, both classifiers miss
# about half of the digits — so its $I(y; z)$, all that the label can take over, is below
# $\log 10$. And the conditional code has not given all of that up: it still tells the digit
# better than guessing. This chapter does not estimate $I(y; z)$ itself, so these reasons explain
# why the fall is smaller than $\log 10$, not how much smaller. The fraction changes from one
# realisation to the next (rerun the chapter with another `VAELIB_SEED` to see it move), as it
# may for one epoch of one small model.

# %% [markdown]
# This is the mechanism of posterior collapse at work, on a small scale. Chapter 5 showed that
# the KL term removes from the code whatever the decoder can do without, and at β = 30 that was
# everything. Here the decoder can do without one thing, the digit, because the label gives it;
# so the KL term presses the code to drop the digit, and section 11.4 showed it largely has. Unlike
# collapse, no latent dimension switches off — by the active-unit criterion of chapter 5, here
# $\operatorname{Var}_{x,y}\, \mu_i(x, y) > 0.01$ — and the code keeps most of its rate:

# %%
kl = vaelib.kl_per_dimension(vae, test)  # (2,) nats per image
kl_c = vaelib.kl_per_dimension(cvae, test)  # (2,) nats per image
active = vaelib.active_units(vae, test)
active_c = vaelib.active_units(cvae, test)
print(f"active units: VAE {active} of 2, conditional VAE {active_c} of 2")
print("KL of each dimension, nats: VAE", " ".join(f"{v:.2f}" for v in kl), end=", ")
print("conditional VAE", " ".join(f"{v:.2f}" for v in kl_c))
print(f"rate: VAE {R:.2f}, conditional VAE {R_c:.2f} nats")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert active_c == active == CONFIG.latent_dim, "no dimension switches off when the label is given"
assert R_c > 0.5 * R, "the conditional code keeps most of its rate"

# %%
fig = plots.plot_kl_per_dimension(
    kl_c, title="Conditional VAE: every dimension still carries KL, the code stays alive"
)
fig.axes[0].set_ylim(0, max(kl.max(), kl_c.max()).item() * 1.05)
fig

# %% [markdown]
# So the conditional model's rate and active units say the same thing from two sides:
# the rate fell, as it should if the label took over some of the code's nats, and the code kept
# every dimension and most of its nats, largely those of style (it still knows the digit better
# than chance, section 11.4). Had the decoder been told more — the whole image, as a powerful
# autoregressive decoder in effect is {cite:p}`bowman2016generating` — the same logic would have
# left the code with nothing to carry, which is posterior collapse. Conditioning on a label is the
# controlled version: we choose what the decoder gets for free, and the KL term presses the code
# to give up what it spent on it.
#
# ## Summary
#
# - A conditional VAE gives the label to the encoder and the decoder, and bounds
#   $-\log p(x \mid y)$. For the true likelihoods the label is worth $\log 10$ nats; for our
#   small two-dimensional models the bound falls by more than eight times that, almost all of it
#   in the distortion, because the plain decoder had to guess the digit from a code too small to
#   say it: the classifier reads another digit in over two in five of its reconstructions.
# - Asked for a digit, it draws that digit: the book's classifier reads the requested digit in
#   over four samples in five, and in more than two in three for every digit.
# - Decoding one code with each of the ten labels writes the same style as every digit: the
#   classifier reads the new label in over four analogies in five and the encoded digit in fewer
#   than one in ten, and, within each digit, the ink of the original carries over in part.
# - The code keeps little of the digit: by nearest class mean and by nearest neighbour alike it
#   tells the digit less than three fifths as often as the plain code, though still more often than
#   guessing: after one epoch the digits' centres in the code have not met, though the encoder,
#   which knows the label, could learn to bring them together at no cost to the reconstructions
#   (the decoder can undo that shift exactly).
# - The rate falls by a fraction of $\log 10$, while every latent dimension stays active and the
#   code keeps most of its rate: the KL term presses the code to drop what the decoder gets for
#   free — the mechanism of posterior collapse, confined to the label.
#
# ## Exercises
#
# 1. Show that when the label $y$ is a function of the image $x$,
#    $I(x; z) = I(y; z) + I(x; z \mid y)$, and conclude that conditioning the decoder on $y$ can
#    lower the information the code must carry by at most $H(y)$.
#
# ```{admonition} Solution
# :class: dropdown
#
# The chain rule gives $I(x, y; z) = I(y; z) + I(x; z \mid y)$. Since $y$ is a function of
# $x$, the pair $(x, y)$ carries exactly the information of $x$, so $I(x, y; z) = I(x; z)$. The
# part of the code's information that a label can replace is $I(y; z)$, which is at most
# $H(y)$ (a variable cannot tell more about $y$ than $y$'s own entropy); for ten equally likely
# digits, $H(y) = \log 10 \approx 2.30$ nats. So a conditional code that keeps the same
# $I(x; z \mid y)$ needs at most that much less information. The rate is that information plus
# the non-negative $\operatorname{KL}(q(z) \,\|\, p(z))$, which the two models may leave at
# different sizes, so the ceiling holds for the rates only to the extent that those remainders
# agree — which is why section 11.5 compares the fall of the rate with $\log 10$ as an
# expectation, not a law.
# ```
#
# 2. Train a fresh conditional VAE with β = 30, as in chapter 5 (`cvae = vaelib.ConditionalVAE(
#    CONFIG)`, then `history_30 = vaelib.fit(cvae, train, test, epochs=3, beta=30.0, seed=0,
#    progress=False)`).
#    What do its samples look like, and what does the classifier say about them?
#
# ```{admonition} Solution
# :class: dropdown
#
# Check first whether the code collapsed as in chapter 5: print the rate
# (`history_30.test_kl[-1]`) and the active units (`vaelib.active_units`). If it did,
# the decoder still has the label, so instead of one average blur it can draw ten: for each
# label, close to the pixel-wise mean image of that digit (the argument of exercise 1 in
# chapter 5, applied per class). The classifier should then read the samples as the requested
# digit, while all samples of one digit look alike: the label survives collapse, the style does
# not. Measure both with the cells of section 11.2, and compare the distortion with that of
# chapter 5's collapsed model.
# ```
#
# 3. A conditional VAE needs the label to encode an image. How could you use it to *classify*
#    an image whose label you do not know?
#
# ```{admonition} Solution
# :class: dropdown
#
# Score the image under every label and pick the best: with equally likely digits,
# $p(y \mid x) \propto p(x \mid y)$, and $-\operatorname{ELBO}(x \mid y)$ is a bound on
# $-\log p(x \mid y)$, so predict the $y$ with the lowest negative ELBO. For a batch of images
# `x`, and each label `k` in turn with `y = torch.full((len(x),), k)`: encode
# `mu, logvar = cvae.encode(x, y)`, and score each image by
# `vaelib.reconstruction_loss(cvae.decode(mu, y), x) + vaelib.gaussian_kl(mu, logvar)`, in nats
# per image (decoding the mean $\mu$ rather than a sample keeps the score deterministic). Stack
# the ten scores and take the argmin over $k$. The semi-supervised model M2 of
# {cite:t}`kingma2014semisupervised` uses the same generative model but classifies differently:
# it trains a classifier $q(y \mid x)$ alongside (with an extra classification loss on the
# labelled images), treats the label of an unlabelled image as a latent variable, averaging the
# ten bounds $-\operatorname{ELBO}(x \mid y)$ (each with the $-\log p(y)$ of its label) with the
# weights $q(y \mid x)$ and subtracting the entropy of $q(y \mid x)$, and at test time predicts
# with $q(y \mid x)$. Scoring every label, as here, needs ten passes per image at test time,
# which is what that classifier saves.
# ```
#
# 4. Train the conditional VAE with chapter 4's twenty-dimensional code instead
#    (`vaelib.ConditionalVAE()`, one epoch, as here), and repeat sections 11.2 and 11.3. How
#    often does the classifier now read the requested digit, in the samples and in the
#    analogies, and why?
#
# ```{admonition} Solution
# :class: dropdown
#
# Far less often: the classifier reads the requested digit in fewer than two samples in five
# (against over four in five with $d = 2$), and fewer than one analogy in four is read as the
# label it was decoded with; more than seven in ten are read as the digit they were *encoded*
# from. The twenty-dimensional model spends more than four times the two-dimensional one's
# rate, and its code holds the digit as well as the style; the decoder, trained for one epoch,
# takes the digit from $z$ and hardly looks at the label. Only the KL term pushes the digit out
# of the code, and all it can save by doing so is at most $\log 10 \approx 2.30$ nats per image
# (exercise 1), small next to a rate of some twenty nats. With two dimensions the code has no
# room to spare, so the label is the cheaper way to the digit. (A hidden cell measures these
# shares.)
# ```

# %% tags=["remove-cell"]
# Checks the solution of exercise 4 (hidden in the book): the conditional VAE with d = 20.
vaelib.seed_everything(0)
cvae_20 = vaelib.ConditionalVAE()
history_20 = vaelib.fit(cvae_20, train, test, epochs=EPOCHS, seed=0, device=DEVICE, progress=False)
samples_20 = cvae_20.sample(requested, generator=vaelib.seeded_generator(0)).cpu()
asked_20 = vaelib.ImageData(samples_20, requested, train.classes, "d = 20 samples")
sample_accuracy_20 = vaelib.classifier_accuracy(classifier, asked_20)
swapped_20 = vaelib.class_analogies(cvae_20, subset.images, subset.labels)  # (1000, 10, 1, 28, 28)
as_data_20 = vaelib.ImageData(swapped_20.flatten(0, 1), swapped_labels, train.classes, "d = 20")
analogy_accuracy_20 = vaelib.classifier_accuracy(classifier, as_data_20)
_, probabilities_20 = classifier.features_and_probabilities(as_data_20.images)  # (10000, 10)
read_as_20 = probabilities_20.argmax(dim=1)  # (10000,)
read_as_encoded_20 = (read_as_20[relabelled] == encoded_labels[relabelled]).float().mean().item()
assert sample_accuracy_20 < 0.4, (
    "with d = 20, the requested digit in fewer than two samples in five"
)
assert analogy_accuracy_20 < 0.25, "fewer than one analogy in four is read as its label"
assert read_as_encoded_20 > 0.7, (
    "more than seven in ten are read as the digit they were encoded from"
)
assert history_20.test_kl[-1] > 4 * history_c.test_kl[-1], (
    "the twenty-dimensional model spends more than four times the two-dimensional one's rate"
)
