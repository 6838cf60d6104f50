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
# # 12. The convolutional VAE
#
# Every practical VAE text a reader will compare this book with — the TensorFlow CVAE tutorial,
# the Keras example, the UvA notebooks, pyprobml, pythae — trains a *convolutional* VAE on
# images. Chapters 4–11 used a 784-400-20 multilayer perceptron, which sees an image as 784
# unrelated numbers. Their samples were blurred, many times less sharp than real digits
# (chapters 4–6 measured it). So a reader may ask: is that blur the MLP's fault, or the
# likelihood's? This chapter trains a convolutional VAE with the same likelihood, the same prior,
# the same data and the same `fit`, and measures the answer. It then retells the source story:
# does a stronger decoder collapse at β = 30 as the MLP does?
#
# In this chapter you will
#
# - read the convolutional encoder and transposed-convolution decoder of `vaelib.ConvVAE`;
# - compare it with the 784-400-20 MLP VAE at equal epochs and at equal training time:
#   reconstruction, the classifier's scores of samples, the Fréchet distance, sharpness and the
#   number of parameters;
# - find that the convolutional decoder does not make the samples sharper, and see why the blur
#   belongs to the likelihood, not to the architecture;
# - train it at β = 30 and watch the stronger decoder collapse as the MLP did, and compare with
#   what Bowman et al. and later work predict for strong decoders.

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
import time

import vaelib
from vaelib import plots

# %%
vaelib.seed_everything(0)
DEVICE = vaelib.pick_device()

# %%
train_full = vaelib.load_mnist("train")
train = train_full.subset(10_000, seed=0)  # as in chapters 5–7, to keep the chapter fast
test = vaelib.load_mnist("test")
print(f"{len(train):,} training and {len(test):,} test images")

# %% [markdown]
# ## 12.1 The model
#
# The probabilistic model is the book's VAE, unchanged: $q(z \mid x) = \mathcal{N}(\mu(x),
# \operatorname{diag} \sigma^2(x))$, $p(z) = \mathcal{N}(0, I)$ and a Bernoulli decoder
# $p(x \mid z)$ whose pixels are independent given $z$. Only the networks change. The encoder
# reads the image with two stride-2 convolutions, each halving the resolution (28 → 14 → 7), as
# the TensorFlow tutorial's does, and maps the 7×7 feature maps to $\mu$ and $\log \sigma^2$;
# the decoder mirrors it with two stride-2 *transposed* convolutions (7 → 14 → 28), the last of
# which writes one channel of Bernoulli logits. A convolution shares its 4×4 filter across the
# image, so the decoder draws a stroke the same way wherever it lies — the prior knowledge about
# images that the MLP lacks. `ConvVAE` is a `VAE`: `fit`, `evaluate`, `train_vae`, `sample` and
# every measure of the book take it as they are.

# %%
vaelib.show_source(vaelib.ConvVAE)

# %% [markdown]
# We train it with half the tutorial's widths (16 and 32 channels), so that the chapter runs in
# two minutes on a laptop's CPU, and with the recipe of chapters 5–7: 10,000 training images,
# batches of 128, Adam, here for five epochs (as in chapter 6). The MLP VAE of chapters 4–11 is
# trained on the same images from the same seed, for the same five epochs and for ten.
# `train_vae(..., cache=True)` keeps the models on disk, so a second run reads them back.
#
# First the cost. The convolutional model has less than a fifth of the MLP's parameters — a
# filter is shared across the whole image — but each image costs it more arithmetic, because
# every filter is applied at every position. We time one epoch of each on 2,000 images, after a
# first, untimed epoch that pays the one-off costs (memory, kernels) a first call to `fit` has:

# %%
CONV = vaelib.ConvConfig(channels=(16, 32))  # half the TensorFlow tutorial's widths; d = 20
EPOCHS = 5  # as in chapter 6
n_parameters = {
    "MLP VAE": sum(p.numel() for p in vaelib.VAE().parameters()),
    "conv VAE": sum(p.numel() for p in vaelib.ConvVAE(CONV).parameters()),
}
print("parameters:", ",  ".join(f"{name} {n:,}" for name, n in n_parameters.items()))

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert n_parameters["conv VAE"] < n_parameters["MLP VAE"] / 5, (
    "the convolutional model has less than a fifth of the MLP's parameters"
)

# %%
# NBVAL_IGNORE_OUTPUT
# (times vary from run to run and from machine to machine)
timing_set = train.subset(2000, seed=1)
vaelib.fit(vaelib.VAE(), timing_set, epochs=1, seed=0, device=DEVICE, progress=False)  # warm-up
seconds_per_epoch = {}
for name, model in [("MLP VAE", vaelib.VAE()), ("conv VAE", vaelib.ConvVAE(CONV))]:
    start = time.perf_counter()
    vaelib.fit(model, timing_set, epochs=1, seed=0, device=DEVICE, progress=False)
    seconds_per_epoch[name] = time.perf_counter() - start
for name, seconds in seconds_per_epoch.items():
    print(f"{name}: {len(timing_set) / seconds:,.0f} images per second")
cost_ratio = seconds_per_epoch["conv VAE"] / seconds_per_epoch["MLP VAE"]
print(f"an epoch of the conv VAE costs {cost_ratio:.1f} epochs of the MLP VAE")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert cost_ratio > 1 or DEVICE.type != "cpu", (
    "on a CPU, each image costs the convolutional model more than the MLP"
)

# %% [markdown]
# The ratio varies with the machine (on a GPU both are fast), but on a CPU an epoch of the
# convolutional VAE costs more than one of the MLP. So an *equal-time* comparison gives the MLP
# more epochs than the convolutional model; we come back to it below.

# %%
conv_1, _ = vaelib.train_vae(
    train, beta=1.0, epochs=EPOCHS, config=CONV, seed=0, device=DEVICE, cache=True
)
mlp_5, _ = vaelib.train_vae(train, beta=1.0, epochs=EPOCHS, seed=0, device=DEVICE, cache=True)
mlp_10, _ = vaelib.train_vae(train, beta=1.0, epochs=10, seed=0, device=DEVICE, cache=True)
models = {"conv, 5 epochs": conv_1, "MLP, 5 epochs": mlp_5, "MLP, 10 epochs": mlp_10}

# %% [markdown]
# ## 12.2 At equal epochs
#
# On the test set, `summarise_vae` gives each model's distortion $D$ (the reconstruction term)
# and rate $R$ (the KL term), in nats per image, and its active units. We also draw 1,000 samples
# from each and score them as chapter 5 does: the book's digit classifier's confidence and class
# coverage, the Fréchet distance of its features to those of 9,000 real test digits (the lower,
# the closer; not comparable with published FIDs), and `vaelib.sharpness`, the mean squared
# Laplacian (the lower, the blurrier). 1,000 real test digits, scored the same way, show what a
# perfect model would reach.

# %%
classifier = vaelib.train_classifier(train_full, device=DEVICE)  # cached after the first run
shuffled = test.subset(len(test), seed=0)
real, reference = shuffled.images[:1000], shuffled.images[1000:]
summary = {name: vaelib.summarise_vae(model, test) for name, model in models.items()}
samples = {"real digits": real}
samples.update(
    (name, m.sample(1000, generator=vaelib.seeded_generator(0))) for name, m in models.items()
)
quality = {name: vaelib.sample_quality(classifier, x, reference) for name, x in samples.items()}
sharp = {name: vaelib.sharpness(x).mean().item() for name, x in samples.items()}
grey = {name: vaelib.grey_share(x) for name, x in samples.items()}
print(f"{'':15s}     D      R  active  confidence  classes  Fréchet  sharpness  grey share")
for name in samples:
    s = summary.get(name)
    scores = f"{s['reconstruction']:6.1f} {s['kl']:6.1f} {s['active_units']:7d}" if s else " " * 21
    q = quality[name]
    print(
        f"{name:15s}{scores} {q.confidence:11.2f} {q.class_coverage:8.1f} "
        f"{q.frechet_distance:8.0f} {sharp[name]:10.3f} {grey[name]:11.2f}"
    )

# %% [markdown]
# After five epochs each, the two models reconstruct the test digits about equally well: their
# distortions are within a tenth of each other, and both use all twenty latent dimensions. But the
# convolutional model's samples are no better. They are *not sharper* than the MLP's — their
# sharpness score is at most a tenth above the MLP's — and the classifier finds them no closer
# to real digits: their Fréchet distance is higher than the MLP's.

# %%
D_conv, D_mlp = (
    summary["conv, 5 epochs"]["reconstruction"],
    summary["MLP, 5 epochs"]["reconstruction"],
)
print(f"D, conv / MLP at five epochs: {D_conv / D_mlp:.2f}")
sharpness_ratio = sharp["conv, 5 epochs"] / sharp["MLP, 5 epochs"]
print(f"sharpness, conv / MLP at five epochs: {sharpness_ratio:.1f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert abs(D_conv / D_mlp - 1) < 0.1, "their distortions are within a tenth of each other"
assert (
    summary["conv, 5 epochs"]["active_units"] == summary["MLP, 5 epochs"]["active_units"] == 20
), "both use all twenty latent dimensions"
assert sharpness_ratio < 1.1, "not sharper: a sharpness score at most a tenth above the MLP's"
assert quality["conv, 5 epochs"].frechet_distance > quality["MLP, 5 epochs"].frechet_distance, (
    "their Fréchet distance is higher than the MLP's"
)

# %% [markdown]
# Chapter 9 found that `sharpness` also rewards pixel noise, so a higher score need not mean a
# sharper image; here no score is higher by enough to need that caution. The grey share (the
# share of pixels neither near black nor near white, chapter 9), which blur raises and faint
# noise does not, puts the two side by side as well: their grey shares lie within a tenth of
# each other, so neither model's samples are clearly less blurred.

# %%
grey_ratio = grey["conv, 5 epochs"] / grey["MLP, 5 epochs"]
print(f"grey share, conv / MLP at five epochs: {grey_ratio:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert abs(grey_ratio - 1) < 0.1, "their grey shares lie within a tenth of each other"

# %%
plots.plot_image_grid(
    samples["conv, 5 epochs"][:64], title="Conv VAE, 5 epochs: 64 samples, as blurred as the MLP's"
)

# %%
plots.plot_image_grid(samples["MLP, 5 epochs"][:64], title="MLP VAE, 5 epochs: 64 samples")

# %% [markdown]
# ## 12.3 At equal training time
#
# At equal time on a CPU the MLP gets more epochs than the convolutional model, since each of
# its epochs costs less there (section 12.1). It therefore stands at least where its five-epoch
# model stands, whose samples were already closer to real digits — and more training only helps
# it: the MLP trained for ten epochs (chapter 5's recipe) has a lower distortion, sharper
# samples and a lower Fréchet distance than the five-epoch one. So at equal time the MLP is
# ahead on every score of the samples, and ahead on reconstruction as well.

# %%
for name in ("conv, 5 epochs", "MLP, 5 epochs", "MLP, 10 epochs"):
    print(
        f"{name:15s} D {summary[name]['reconstruction']:6.1f}  "
        f"Fréchet {quality[name].frechet_distance:5.0f}  sharpness {sharp[name]:.3f}"
    )

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert summary["MLP, 10 epochs"]["reconstruction"] < summary["MLP, 5 epochs"]["reconstruction"], (
    "the MLP trained for ten epochs has a lower distortion"
)
assert sharp["MLP, 10 epochs"] > sharp["MLP, 5 epochs"], "… sharper samples"
assert quality["MLP, 10 epochs"].frechet_distance < quality["MLP, 5 epochs"].frechet_distance, (
    "… and a lower Fréchet distance than the five-epoch one"
)
assert summary["MLP, 10 epochs"]["reconstruction"] < D_conv, "ahead on reconstruction as well"

# %% [markdown]
# ## 12.4 Whose blur is it?
#
# Neither architecture comes near real digits: every model's samples have less than a quarter of
# the real digits' sharpness. Swapping the MLP for convolutions closes none of that gap. The blur
# is the likelihood's. A Bernoulli decoder with independent pixels draws, for a code $z$, the
# *mean* image $\mathbb{E}[x \mid z]$; wherever the code leaves a stroke's position or
# thickness uncertain, the best mean under the cross-entropy is the average over the
# possibilities, a grey smear, whatever network computes it. A better network can only make the
# code more informative (a lower distortion), and at equal epochs the convolutional one does
# not. What would remove the blur is a different likelihood — a decoder that models the
# dependence between pixels given $z$, such as PixelCNN {cite:p}`salimans2017pixelcnn` — and
# that brings its own problem, the subject of the next section.

# %%
best_model_sharpness = max(sharp[name] for name in models)
print(f"sharpest model samples / real digits: {best_model_sharpness / sharp['real digits']:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert best_model_sharpness < sharp["real digits"] / 4, (
    "every model's samples have less than a quarter of the real digits' sharpness"
)

# %% [markdown]
# ## 12.5 Does the stronger decoder collapse at β = 30?
#
# {cite:t}`bowman2016generating` found that a VAE whose decoder is an LSTM over words ignores
# its code even at β = 1: an autoregressive decoder can model the data well on its own, so the
# KL term is not worth paying. {cite:t}`chen2017variational` made the argument precise — a
# decoder that can represent $p(x)$ without $z$ will use $z$ only for what it cannot model
# itself — and {cite:t}`gulrajani2017pixelvae` saw PixelCNN decoders ignore the code unless
# their receptive field was kept small. Strong *autoregressive* decoders collapse. Our
# convolutional decoder is strong in the sense of having the right prior for images, but it is
# not autoregressive: its pixels are still independent given $z$, so without the code it can
# draw nothing but the average digit. At β = 1 it uses all twenty dimensions (section 12.2).
# At β = 30 the trade of chapter 5 — a nat of rate must buy thirty nats of reconstruction — does
# not depend on the network, and the convolutional VAE collapses just as the MLP did:

# %%
conv_30, _ = vaelib.train_vae(
    train, beta=30.0, epochs=EPOCHS, config=CONV, seed=0, device=DEVICE, cache=True
)
summary_30 = vaelib.summarise_vae(conv_30, test)
samples_30 = conv_30.sample(1000, generator=vaelib.seeded_generator(0))
quality_30 = vaelib.sample_quality(classifier, samples_30, reference)
sharp_30 = vaelib.sharpness(samples_30).mean().item()
print(
    f"conv VAE, β = 30: D {summary_30['reconstruction']:.0f}, R {summary_30['kl']:.2f} nats, "
    f"{summary_30['active_units']} active units"
)
print(
    f"samples: Fréchet {quality_30.frechet_distance:.0f} (β = 1: "
    f"{quality['conv, 5 epochs'].frechet_distance:.0f}), sharpness {sharp_30:.3f} "
    f"(β = 1: {sharp['conv, 5 epochs']:.3f})"
)

# %% [markdown]
# The rate falls below a tenth of a nat and no latent dimension stays active; the distortion is
# more than one and a half times the β = 1 model's; the samples' Fréchet distance is more than
# one and a half times the β = 1 samples', and they have less than half their sharpness: the
# same average blur for every code.

# %%
assert summary_30["kl"] < 0.1, "the rate falls below a tenth of a nat"
assert summary_30["active_units"] == 0, "no latent dimension stays active"
assert summary_30["reconstruction"] > 1.5 * D_conv, (
    "the distortion is more than one and a half times the β = 1 model's"
)
assert quality_30.frechet_distance > 1.5 * quality["conv, 5 epochs"].frechet_distance, (
    "the samples' Fréchet distance is more than one and a half times the β = 1 samples'"
)
assert sharp_30 < sharp["conv, 5 epochs"] / 2, "they have less than half their sharpness"

# %%
plots.plot_image_grid(samples_30[:64], title="Conv VAE, β = 30: the code has collapsed")

# %% [markdown]
# ## Summary
#
# - `vaelib.ConvVAE` keeps the VAE's model and swaps its networks for two stride-2 convolutions
#   each way; `fit`, `train_vae` and every measure of the book take it unchanged. With half the
#   TensorFlow tutorial's widths it has less than a fifth of the MLP's parameters, but each image
#   costs it more time on a CPU.
# - Trained as the MLP is (10,000 images, five epochs), it reconstructs about as well (within a
#   tenth), and its samples are not sharper (a sharpness score at most a tenth above the
#   MLP's) and no closer to real digits (a higher Fréchet distance). At equal training time
#   on a CPU the MLP gets more epochs and is further ahead.
# - Every model's samples have less than a quarter of real digits' sharpness. The blur is the
#   likelihood's: a decoder with independent pixels given $z$ draws the mean image, an average
#   over what the code leaves open, whatever network computes it.
# - At β = 30 the convolutional VAE collapses as the MLP does: the rate falls below a tenth of a
#   nat and no unit stays active. Strong *autoregressive* decoders collapse even at β = 1
#   {cite:p}`bowman2016generating,chen2017variational`; a non-autoregressive decoder collapses
#   when β makes the code too expensive, whatever its architecture.
#
# ## Exercises
#
# 1. Count the convolutional VAE's parameters layer by layer (a convolution with $c_{in}$ input
#    and $c_{out}$ output channels and 4×4 kernels has $16\, c_{in} c_{out} + c_{out}$). Where
#    are most of them?
#
# ```{admonition} Solution
# :class: dropdown
#
# Encoder: $16 \cdot 1 \cdot 16 + 16 = 272$ and $16 \cdot 16 \cdot 32 + 32 = 8{,}224$; the two
# linear maps from the $32 \cdot 7 \cdot 7 = 1{,}568$ features to μ and log σ²,
# $2 \times (1{,}568 \cdot 20 + 20) = 62{,}760$. Decoder: the linear layer back to the grid,
# $20 \cdot 1{,}568 + 1{,}568 = 32{,}928$, and the transposed convolutions, $16 \cdot 32 \cdot 16
# + 16 = 8{,}208$ and $16 \cdot 16 \cdot 1 + 1 = 257$. The total, 112,649, is the number printed in
# section 12.1. The linear layers to and from the 7×7 grid hold 95,688 of them, 85 %: the
# convolutions themselves are tiny, because each filter is shared across the image.
# ```
#
# 2. Draw Bernoulli samples $x \sim p(x \mid z)$ instead of the means: `torch.bernoulli(samples
#    ["conv, 5 epochs"])`. Are they blurred? What does this say about where the blur comes from?
#
# ```{admonition} Solution
# :class: dropdown
#
# No: every pixel of such a sample is exactly 0 or 1, so there is no grey at all, but the
# strokes are ragged and the background is speckled wherever the mean was grey, because each
# pixel is drawn independently of its neighbours. The blur of the mean and the speckle of the
# sample are the same fact seen twice: the decoder models each pixel alone given $z$, so it cannot
# say "this stroke is here *or* there, but whole"; it can only give each pixel its own probability.
# ```
#
# 3. The argument of section 12.5 says that a decoder whose pixels are independent given $z$
#    cannot gain from ignoring the code at β = 1. Why, in terms of the rate–distortion trade of
#    chapter 5?
#
# ```{admonition} Solution
# :class: dropdown
#
# Without the code, the best such decoder draws one image for every $z$, the mean training image,
# with the distortion chapter 5 computed (over 200 nats per image), while the β = 1 models here
# reach about a hundred with some twenty nats of rate. Each nat of rate buys several nats
# of distortion, far more than the one nat it costs at β = 1, so the code is used. An
# autoregressive decoder can reach a low distortion without $z$ by predicting each pixel from
# the ones before it, so for it the same nat of rate buys little, and the code is dropped
# {cite:p}`chen2017variational`. At β = 30 each nat must buy thirty, and the independent-pixel
# decoder, too, finds the code not worth its price.
# ```
