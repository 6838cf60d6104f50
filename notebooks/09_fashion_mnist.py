# ---
# jupyter:
#   jupytext:
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
# # 9. Beyond digits: Fashion-MNIST
#
# Everything so far was measured on handwritten digits, nearly black-and-white images. This
# chapter runs the experiments of [chapter 4](04_vae_mnist.ipynb) ($\beta = 1$) and
# [chapter 5](05_posterior_collapse.ipynb) ($\beta = 30$) on Fashion-MNIST, photographs of
# clothes in the same $28 \times 28$ grey-level format, through exactly the same `vaelib` calls.
#
# In this chapter you will
#
# - see how the reconstruction and KL terms, and the number of active units, change when the
#   images are textured and grey rather than inked strokes;
# - compute the *entropy floor* of the Bernoulli reconstruction loss on grey levels, and find how
#   much of the reconstruction loss it accounts for on each data set;
# - see why a VAE with a Bernoulli decoder reconstructs textured items as blurred averages;
# - check that $\beta = 30$ again shuts most of the latent space down.

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
fashion_train = vaelib.load_fashion_mnist("train")
fashion_test = vaelib.load_fashion_mnist("test")
mnist_train = vaelib.load_mnist("train")
mnist_test = vaelib.load_mnist("test")
print(f"Fashion-MNIST: {len(fashion_train)} training, {len(fashion_test)} test images")
print("classes:", ", ".join(fashion_train.classes))

# %% [markdown]
# ## The data
#
# Fashion-MNIST has the shape, size and split of MNIST (60,000 training and 10,000 test images,
# ten balanced classes), so every function of the book runs on it unchanged. The images are
# different in kind: garments fill much of the frame, and their surfaces carry shading, prints
# and knit patterns.

# %%
first_of_class = torch.stack([(fashion_test.labels == c).nonzero()[0, 0] for c in range(10)])
plots.plot_image_grid(
    fashion_test.images[first_of_class],
    nrow=10,
    title="One test image per class, T-shirt/top to ankle boot: filled, shaded shapes",
)

# %% [markdown]
# One way to quantify "grey rather than inked": the share of pixels whose value is neither near 0
# nor near 1, say in $(0.05, 0.95)$.

# %%
grey_fashion = vaelib.grey_share(fashion_test.images, low=0.05, high=0.95)
grey_mnist = vaelib.grey_share(mnist_test.images, low=0.05, high=0.95)
print(f"share of grey pixels: Fashion-MNIST {grey_fashion:.2f}, MNIST {grey_mnist:.2f}")
assert grey_fashion > 3 * grey_mnist

# %% [markdown]
# Several times more of a Fashion-MNIST image is grey. This matters for the loss, as the next
# section shows.
#
# ## The entropy floor of the reconstruction loss
#
# The decoder models each pixel as a Bernoulli variable with mean $p_j = \operatorname{sigmoid}
# (\ell_j)$, and the reconstruction term is the binary cross-entropy summed over pixels,
# $-\sum_j [x_j \log p_j + (1 - x_j) \log (1 - p_j)]$. For a black-or-white pixel, $x_j \in \{0,
# 1\}$, it can be driven to 0. For a grey pixel it cannot: as a function of $p_j$ it is smallest
# at $p_j = x_j$, where it equals the binary entropy
#
# $$
# H(x_j) = -x_j \log x_j - (1 - x_j) \log (1 - x_j),
# $$
#
# so **no decoder, however good, can bring the reconstruction loss of an image $x$ below
# $\sum_j H(x_j)$**, the cross-entropy of the image with itself. This floor is a property of the
# data and of the choice of a Bernoulli likelihood for grey levels, not of any model.
# `vaelib.bernoulli_entropy` computes it in nats per image.

# %%
floor_fashion = vaelib.bernoulli_entropy(fashion_test.images).mean().item()
floor_mnist = vaelib.bernoulli_entropy(mnist_test.images).mean().item()
print(f"entropy floor, test set: Fashion-MNIST {floor_fashion:.0f}, MNIST {floor_mnist:.0f}")
print("nats per image")
assert floor_fashion > 3 * floor_mnist

# %% [markdown]
# Before any model is trained, Fashion-MNIST starts with a reconstruction loss several times
# higher than MNIST's that no model can remove.
#
# ## β = 1: the chapter-4 experiment on both data sets
#
# We train the book's VAE ($784 \to 400 \to 20$, $\beta = 1$, Adam with learning rate $10^{-3}$,
# batch size 128, seed 0) on each data set. To keep the chapter fast we train each model for five
# epochs instead of chapter 4's ten, the same for both data sets, so the comparison is like with
# like; the exercises ask what changes with longer training.

# %%
EPOCHS = 5
fashion_vae, _ = vaelib.train_vae(
    fashion_train, fashion_test, beta=1.0, epochs=EPOCHS, seed=0, device=DEVICE
)
mnist_vae, _ = vaelib.train_vae(
    mnist_train, mnist_test, beta=1.0, epochs=EPOCHS, seed=0, device=DEVICE
)

# %% [markdown]
# We measure each model on its test set: the reconstruction term $D$ and the KL term $R$ (nats per
# image, `vaelib.evaluate`), the number of active units (latent dimensions whose posterior mean
# varies across the test set by more than 0.01, `vaelib.active_units`), and the entropy floor as a
# share of $D$; `vaelib.summarise_vae` collects all four.

# %%
fashion_1 = vaelib.summarise_vae(fashion_vae, fashion_test)
mnist_1 = vaelib.summarise_vae(mnist_vae, mnist_test)
print(f"{'β = 1':16s}{'D':>8s}{'R':>8s}{'D / R':>8s}{'active':>8s}{'floor / D':>11s}")
for name, m in [("MNIST", mnist_1), ("Fashion-MNIST", fashion_1)]:
    D, R = m["reconstruction"], m["kl"]
    print(f"{name:16s}{D:8.1f}{R:8.1f}{D / R:8.1f}{m['active_units']:8d}{m['floor_share']:11.2f}")
assert fashion_1["reconstruction"] > 2 * mnist_1["reconstruction"]
assert fashion_1["floor_share"] > mnist_1["floor_share"] + 0.2
assert fashion_1["reconstruction"] / fashion_1["kl"] > 2 * mnist_1["reconstruction"] / mnist_1["kl"]

# %% [markdown]
# On Fashion-MNIST the reconstruction term is more than twice MNIST's, the entropy floor accounts
# for a clearly larger share of it, and the balance $D / R$ leans much further towards the
# reconstruction term. So the headline "reconstruction loss well above the KL term" holds even
# more strongly on Fashion-MNIST, but largely for a reason that has nothing to do with the model:
# much of $D$ is the floor. Subtracting the floor leaves the part of $D$ that a better model could
# still remove, which is the fair quantity to compare across data sets:

# %%
excess_fashion = fashion_1["reconstruction"] - floor_fashion
excess_mnist = mnist_1["reconstruction"] - floor_mnist
print(
    f"D above the floor: Fashion-MNIST {excess_fashion:.1f}, MNIST {excess_mnist:.1f}",
    "nats per image",
)
print(f"R: Fashion-MNIST {fashion_1['kl']:.1f}, MNIST {mnist_1['kl']:.1f} nats per image")

# %% [markdown]
# ## Why textured items come back blurred
#
# What the figures of this book show as a "reconstruction" is the decoder's mean,
# $\mathbb{E}_{p_\theta(x \mid z)}[x] = \operatorname{sigmoid}(\ell(z))$ at $z = \mu_\phi(x)$.
# Consider all the images whose posteriors put mass near one code $z$. The reconstruction loss of
# that code is smallest when each $p_j$ equals the average of $x_j$ over those images (the
# minimiser of an expected cross-entropy is the mean). A code of 20 numbers pins down the shape,
# the size and the overall brightness of a garment, but not the exact position of each stripe of
# a print or each stitch of a knit; images that differ only in those details share nearly one
# code, and their details, out of phase with each other, average to a flat grey. The blur is not
# a failure to train: under a factorised likelihood it is the optimal answer to the question
# the decoder is asked.
#
# We show, for each class, the test item with the largest total variation (the sum of absolute
# differences between neighbouring pixels, `vaelib.total_variation`), that is, the most textured.

# %%
texture = vaelib.total_variation(fashion_test.images)  # (10000,) grey-level units
most_textured = torch.stack(
    [torch.where(fashion_test.labels == c, texture, -1.0).argmax() for c in range(10)]
)
originals = fashion_test.images[most_textured]
plots.plot_reconstructions(
    originals,
    fashion_vae.reconstruct(originals),
    labels=["VAE, β = 1"],
    title="The most textured test item of each class: prints and knits are averaged away",
)

# %%
reconstructions = fashion_vae.reconstruct(fashion_test.images)
tv_ratio = (vaelib.total_variation(reconstructions).mean() / texture.mean()).item()
tv_ratio_textured = (
    vaelib.total_variation(fashion_vae.reconstruct(originals)).mean()
    / texture[most_textured].mean()
).item()
print(
    f"total variation, reconstruction / original: {tv_ratio:.2f} over the test set,",
    f"{tv_ratio_textured:.2f} for the items above",
)
assert tv_ratio < 0.9
assert tv_ratio_textured < tv_ratio

# %% [markdown]
# ## β = 30: the chapter-5 experiment
#
# In [chapter 5](05_posterior_collapse.ipynb), weighting the KL term by $\beta = 30$ made every
# nat of rate cost thirty nats of reconstruction, and most latent dimensions stopped carrying
# information about $x$: their posteriors collapsed onto the prior. Does the same happen when the
# images hold far more detail to encode? We train the same model with $\beta = 30$ on
# Fashion-MNIST and compare it with the $\beta = 1$ model.

# %%
fashion_vae_30, _ = vaelib.train_vae(
    fashion_train, fashion_test, beta=30.0, epochs=EPOCHS, seed=0, device=DEVICE
)
fashion_30 = vaelib.summarise_vae(fashion_vae_30, fashion_test)
print(f"{'Fashion-MNIST':16s}{'D':>8s}{'R':>8s}{'active':>8s}{'floor / D':>11s}")
for name, m in [("β = 1", fashion_1), ("β = 30", fashion_30)]:
    D, R = m["reconstruction"], m["kl"]
    print(f"{name:16s}{D:8.1f}{R:8.1f}{m['active_units']:8d}{m['floor_share']:11.2f}")
assert fashion_30["active_units"] <= fashion_1["active_units"] // 2
assert fashion_30["kl"] < fashion_1["kl"] / 3
assert fashion_30["reconstruction"] > fashion_1["reconstruction"]

# %%
plots.plot_reconstructions(
    originals,
    fashion_vae.reconstruct(originals),
    fashion_vae_30.reconstruct(originals),
    labels=["β = 1", "β = 30"],
    title="At β = 30 only the silhouette survives",
)

# %%
kl_30 = vaelib.kl_per_dimension(fashion_vae_30, fashion_test)
plots.plot_kl_per_dimension(
    kl_30, title="β = 30 on Fashion-MNIST: the rate is spent on a few dimensions"
)

# %% [markdown]
# ## Summary
#
# - The same `vaelib` calls run unchanged on Fashion-MNIST. Its images are several times greyer
#   than MNIST's, and that alone raises the Bernoulli reconstruction loss: its entropy floor
#   $\sum_j H(x_j)$, the loss of a perfect decoder, is several times MNIST's.
# - At $\beta = 1$ the reconstruction term is more than twice MNIST's and dominates the KL term
#   even more; a larger share of it is the floor. Compare data sets by $D$ minus the floor.
# - Reconstructions are the decoder's mean, which under a factorised likelihood is an average over
#   the images that share a code: textures average away, and the reconstructions have a clearly
#   lower total variation than the originals, most of all for the most textured items.
# - At $\beta = 30$ the posterior collapses here too: far fewer active units, a much smaller rate
#   and a larger reconstruction loss, with only the silhouette surviving.
#
# ## Exercises
#
# 1. **Sampling instead of averaging.** The figures show the decoder's mean. Draw an actual
#    sample $x \sim p_\theta(x \mid z)$ for a few test items with
#    `torch.bernoulli(fashion_vae.reconstruct(originals))` and look at it. What does the sample
#    tell you about the Bernoulli model of grey levels?
#
# ```{admonition} Solution
# :class: dropdown
#
# Every pixel of a sample is exactly 0 or 1, chosen independently with probability
# $\operatorname{sigmoid}(\ell_j)$, so a mid-grey region comes out as salt-and-pepper noise. The
# model has no way to say "this pixel is grey": a Bernoulli variable only takes the values 0 and 1,
# and the grey level of the mean is its probability of being white. That is why VAE papers show
# means, and it is the same mismatch that creates the entropy floor: the data's grey levels are
# treated as if they were probabilities of binary pixels. Likelihoods defined on $[0, 1]$ (a
# continuous Bernoulli, a discretised logistic, or a Gaussian with a learnt variance) remove
# both problems.
# ```
#
# 2. **Where the loss goes with longer training.** Train `fashion_vae` and `mnist_vae` for ten
#    epochs instead of five (as in chapter 4). Which part of $D$ falls: the floor, or the part
#    above it?
#
# ```{admonition} Solution
# :class: dropdown
#
# The floor $\sum_j H(x_j)$ is a property of the test images and cannot change; only the part
# of $D$ above it can fall. Compare `vaelib.summarise_vae(...)["reconstruction"] - floor_fashion`
# after five and after ten epochs: the whole improvement comes out of that excess. Because the
# floor is the larger part of $D$ on Fashion-MNIST, the same absolute improvement is a smaller
# *relative* change of $D$ on Fashion-MNIST than on MNIST, which is one reason not to compare
# reconstruction losses across data sets without subtracting the floor.
# ```
#
# 3. **A fair comparison of the two data sets.** The entropy floor is one of two terms that make
#    Fashion-MNIST's $D$ larger. Using `vaelib.bernoulli_entropy` image by image, find the classes
#    of Fashion-MNIST with the highest and lowest floor, and explain the ordering from the images.
#
# ```{admonition} Solution
# :class: dropdown
#
# Compute `floor = vaelib.bernoulli_entropy(fashion_test.images)` and average it per class with
# `torch.stack([floor[fashion_test.labels == c].mean() for c in range(10)])`. Pullovers and shirts
# come out highest, closely followed by T-shirts, coats and bags: items that cover much of the
# frame with mid-grey fabric. Sandals (thin straps on a black background), sneakers and trousers
# (narrow, often dark or uniformly lit) have the lowest floor, about half that of a pullover.
# The floor grows with the area of the image that is neither black nor white,
# since $H(x_j)$ is largest, $\ln 2$ nats, at $x_j = \tfrac12$ and zero at 0 and 1.
# ```
