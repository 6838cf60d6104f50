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
# # 2. From autoencoder to VAE
#
# In this chapter you will:
#
# - turn the autoencoder into a generative model, with a prior $p(z) = \mathcal{N}(0, I)$ over
#   codes and a decoder $p_\theta(x \mid z)$ over images;
# - meet the probabilistic encoder $q_\phi(z \mid x) = \mathcal{N}(\mu,
#   \operatorname{diag}\sigma^2)$,
#   which outputs a mean $\mu$ and a log-variance $\log\sigma^2$ for every image;
# - derive the evidence lower bound (ELBO), reconstruction minus KL, and see that it is a lower
#   bound on $\log p_\theta(x)$;
# - see why sampling $z = \mu + \sigma \varepsilon$ lets gradients reach the encoder, watch
#   them flow, and measure how much noisier the alternative is;
# - weight the KL term with $\beta$, train for one epoch and watch the ELBO rise, and
#   generate digits by decoding $z \sim \mathcal{N}(0, I)$, scoring them with a digit classifier.
#
# [Chapter 1](01_autoencoder.ipynb) ended with a good decoder and an unknown distribution of
# codes: draws from $\mathcal{N}(0, I)$ landed where the decoder had hardly ever been trained. The
# variational autoencoder (VAE) of {cite:t}`kingma2014autoencoding` and
# {cite:t}`rezende2014stochastic` starts from the other end. It *declares* the distribution of
# codes, $p(z) = \mathcal{N}(0, I)$, and then asks for the decoder under which real images are
# most probable. The encoder comes back, but with a new job, and the loss acquires a second term.

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
import copy
import math

import torch
from torch.distributions import Normal

import vaelib
from vaelib import plots

# %%
vaelib.seed_everything(0)
DEVICE = vaelib.pick_device()

# %%
train = vaelib.load_mnist("train")
test = vaelib.load_mnist("test")
x = test.images[:64]  # one batch of test images, (64, 1, 28, 28)
print(f"train: {len(train):,} images, test: {len(test):,} images, batch: {tuple(x.shape)}")

# %% [markdown]
# ## 2.1 A generative model
#
# A generative model of images says how to *make* one. Ours makes an image in two steps:
#
# $$
# z \sim p(z) = \mathcal{N}(0, I_d),
# \qquad
# x \sim p_\theta(x \mid z) = \prod_{j=1}^{784} \operatorname{Bernoulli}\big(x_j;\,
#   \operatorname{sigmoid}(\ell_j(z))\big),
# $$
#
# where the logits $\ell(z) = g_\theta(z)$ come from the same decoder network as in chapter 1.
# The log-likelihood $\log p_\theta(x \mid z)$ is minus the binary cross-entropy summed over
# pixels, so chapter 1's reconstruction loss was already $-\log p_\theta(x \mid z)$.
#
# One caution, as in chapter 1. MNIST's pixels are grey levels, not 0/1 values, and on grey
# levels the Bernoulli formula is not a normalised density: over one pixel's grey levels,
# $\int_0^1 p^{x}(1 - p)^{1 - x}\,dx \le \tfrac12$, so over all grey-level images it integrates
# to at most $2^{-784}$ {cite:p}`loaizaganem2019continuous`. Everything below (the evidence
# $p_\theta(x)$, the posterior, the ELBO and the bound between them) is still exact mathematics for
# this unnormalised score, and we keep the usual names. But its values are scores, not
# log-probabilities of grey-level images: they compare models with the same decoder on the same
# data, not models with different decoders, and not with published numbers for binarised MNIST.
# [Chapter 8](08_latent_space.ipynb) measures the missing mass and
# [chapter 9](09_fashion_mnist.ipynb) what it changes.
#
# To fit $\theta$ by maximum likelihood we need the probability of an image under the model,
#
# $$
# p_\theta(x) = \int p_\theta(x \mid z)\, p(z)\, dz ,
# $$
#
# an integral over all of $\mathbb{R}^{20}$. For most $z$, $p_\theta(x \mid z)$ is vanishingly
# small: only codes near the few that "explain" $x$ contribute. Drawing $z$ from the prior and
# averaging would almost never hit them (section 2.8 measures by how much it misses). What we
# would like is to draw $z$ from the **posterior**
# $p_\theta(z \mid x) = p_\theta(x \mid z) p(z) / p_\theta(x)$, the codes that explain $x$, but it
# contains $p_\theta(x)$, the very integral we cannot compute.
#
# ## 2.2 The probabilistic encoder
#
# The VAE's answer is to *learn* an approximation to that posterior: an encoder network that
# maps each image to a Gaussian over codes,
#
# $$
# q_\phi(z \mid x) = \mathcal{N}\big(z;\, \mu_\phi(x),\, \operatorname{diag}\sigma^2_\phi(x)\big).
# $$
#
# The network's shared hidden layer feeds two linear heads: one outputs the mean $\mu$, the other
# the log-variance $\log\sigma^2$ ([chapter 3](03_kl_derivation.ipynb) explains why the log). In
# the autoencoder an image had one code; here it has a *cloud* of plausible codes, centred at
# $\mu$ with width $\sigma$ in each dimension.
#
# Here is the whole model as `vaelib` writes it; its decoder and `decode` are chapter 1's.
# `forward` is one pass: encode, draw $z \sim q(z \mid x)$, decode.

# %%
vaelib.show_source(vaelib.VAE)

# %%
vaelib.seed_everything(0)
vae = vaelib.VAE()  # MLPConfig(): 784-400-20
mu, logvar = vae.encode(x)
spread = mu.std(dim=0).mean()  # how much μ differs from image to image
print(f"μ: {tuple(mu.shape)}, log σ²: {tuple(logvar.shape)}")
print(f"untrained: mean |μ| = {mu.abs().mean():.2f}, mean σ = {torch.exp(0.5 * logvar).mean():.2f}")
print(f"standard deviation of μ across the 64 images: {spread:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert mu.abs().mean() < 0.2 and (torch.exp(0.5 * logvar).mean() - 1).abs() < 0.1, (
    "before training, means are close to 0 and widths close to 1"
)
assert spread < 0.1, "before training, every image gets nearly the same cloud"

# %% [markdown]
# Before training, every image gets nearly the same cloud: means close to 0 (and differing
# little from image to image) and widths close to 1, close to the prior. The encoder has not
# yet learnt to tell images apart.
#
# ## 2.3 The evidence lower bound
#
# How do we train $q_\phi$ and $p_\theta$ together? Start from the quantity we want, the log
# evidence $\log p_\theta(x)$. It does not depend on $z$, so it equals its own expectation under
# any distribution over $z$, in particular under $q_\phi(z \mid x)$ (we write $q$ for short). Then
# use $p_\theta(x) = p_\theta(x, z) / p_\theta(z \mid x)$, and multiply and divide by $q$:
#
# $$
# \begin{aligned}
# \log p_\theta(x)
#   &= \mathbb{E}_{q}\big[\log p_\theta(x)\big]
#    = \mathbb{E}_{q}\left[\log \frac{p_\theta(x, z)}{p_\theta(z \mid x)}\right]
#    = \mathbb{E}_{q}\left[\log \frac{p_\theta(x, z)}{q(z \mid x)}
#      + \log \frac{q(z \mid x)}{p_\theta(z \mid x)}\right] \\
#   &= \underbrace{
#        \mathbb{E}_{q}\left[\log \frac{p_\theta(x, z)}{q(z \mid x)}\right]
#      }_{\operatorname{ELBO}(x)}
#    \;+\; \underbrace{\operatorname{KL}\big(q(z \mid x) \,\|\, p_\theta(z \mid x)\big)}_{\ge\, 0}.
# \end{aligned}
# $$
#
# A KL divergence is never negative, so the first term is a lower bound on the log evidence:
# the **evidence lower bound**, $\operatorname{ELBO}(x) \le \log p_\theta(x)$. The gap is
# exactly how far the encoder's $q$ is from the true posterior. Maximising the ELBO over
# $\theta$ and $\phi$ together therefore does two things at once: it pushes the likelihood up,
# and it pulls $q$ towards the true posterior, which tightens the bound.
#
# Splitting $p_\theta(x, z) = p_\theta(x \mid z)\, p(z)$ gives the form we compute:
#
# $$
# \operatorname{ELBO}(x)
#   = \underbrace{
#       \mathbb{E}_{q(z \mid x)}\big[\log p_\theta(x \mid z)\big]
#     }_{-\text{reconstruction}}
#   \;-\; \underbrace{\operatorname{KL}\big(q_\phi(z \mid x) \,\|\, p(z)\big)}_{\text{KL term}} .
# $$
#
# - The **reconstruction** term is chapter 1's loss, with one change: the code is not one point
#   but a draw from $q(z \mid x)$. To reconstruct well from a *noisy* code, the decoder must
#   decode well over a whole neighbourhood of $\mu$, not at a single point.
# - The **KL term** compares each image's cloud of codes with the prior. It has the closed form
#   $-\tfrac12 \sum_i (1 + \log\sigma_i^2 - \mu_i^2 - \sigma_i^2)$, derived in
#   [chapter 3](03_kl_derivation.ipynb); it is smallest when $q(z \mid x) = \mathcal{N}(0, I)$.
#   This is the term the autoencoder lacked: it keeps the codes where the prior can reach them.
#
# The loss we minimise is the negative ELBO, reconstruction + KL, in nats per image;
# `vaelib.vae_loss` returns it with its two parts. The reconstruction term's expectation is
# estimated with one draw $z \sim q(z \mid x)$ per image, which is unbiased.
#
# Here it is, with the options of later chapters (β, free bits, a capacity target):

# %%
vaelib.show_source(vaelib.vae_loss)

# %%
logits, mu, logvar = vae(x)  # one forward pass: encode, sample z ~ q(z|x), decode
parts = vaelib.vae_loss(logits, x, mu, logvar)
coin_flips = 784 * math.log(2)  # nats: every pixel predicted with probability ½
print(
    f"reconstruction {parts.reconstruction:.1f} + KL {parts.kl:.2f}"
    f" = {parts.total:.1f} nats per image"
)
print(f"784 · ln 2 = {coin_flips:.1f} nats; mean |logit| = {logits.abs().mean():.1f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert logits.abs().mean() < 0.5, "the untrained decoder's logits are close to 0"
assert abs(parts.reconstruction.item() / coin_flips - 1) < 0.1, (
    "the untrained reconstruction term is about 784 ln 2 nats"
)
assert parts.kl < 0.01 * parts.reconstruction, "the untrained KL term is small"

# %% [markdown]
# The untrained numbers make sense. The decoder's logits are close to 0, so every pixel is
# predicted as nearly a coin flip with probability ½, and each of the 784 pixels costs about
# $\ln 2$ nats, whatever its grey level: about $784 \ln 2$ nats in all. The KL term is small,
# less than a hundredth of the reconstruction term, because the untrained encoder's clouds are
# already close to the prior.
#
# ## 2.4 Sampling that gradients can pass through
#
# To train the encoder we need the gradient of the reconstruction term,
# $\mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)]$, with respect to $\phi$. The
# difficulty is that $\phi$ sits in the *distribution* we average over, not in the function
# being averaged. A sample $z$ drawn by a random number generator is just a number: nothing
# records how it would have changed had $\mu$ or $\sigma$ been different.
#
# The **reparameterisation trick** {cite:p}`kingma2014autoencoding,rezende2014stochastic` moves the
# randomness out of the way. Draw noise that does not depend on $\phi$, and build $z$ from it
# with a differentiable function of $\mu$ and $\sigma$:
#
# $$
# \varepsilon \sim \mathcal{N}(0, I),
# \qquad
# z = \mu + \sigma \odot \varepsilon
# \quad\Longrightarrow\quad
# z \sim \mathcal{N}(\mu, \operatorname{diag}\sigma^2),
# $$
#
# so that an expectation under $q_\phi$ becomes an expectation under the fixed noise,
#
# $$
# \mathbb{E}_{q_\phi(z \mid x)}[f(z)]
#   = \mathbb{E}_{\varepsilon}\big[f(\mu + \sigma \odot \varepsilon)\big],
# $$
#
# and the gradient can move inside the expectation,
#
# $$
# \nabla_\phi\, \mathbb{E}_\varepsilon\big[f(\mu + \sigma \odot \varepsilon)\big]
#   = \mathbb{E}_\varepsilon\big[\nabla_\phi f(\mu + \sigma \odot \varepsilon)\big].
# $$
#
# Averaging that gradient over a few draws of $\varepsilon$ (one per image, in practice) gives an
# unbiased estimate that ordinary backpropagation computes. By the chain rule, for
# each coordinate,
#
# $$
# \frac{\partial z}{\partial \mu} = 1,
# \qquad
# \frac{\partial z}{\partial \log\sigma^2}
#   = \frac{\partial}{\partial \log\sigma^2} \Big(\mu + e^{\frac12 \log\sigma^2}\, \varepsilon\Big)
#   = \tfrac12\, \sigma\, \varepsilon .
# $$
#
# `VAE.reparameterize` implements $z = \mu + \exp(\tfrac12 \log\sigma^2)\, \varepsilon$. It is
# the library's one reparameterisation: the model's `forward` and every measure of the book that
# samples $q(z \mid x)$ call it.

# %%
vaelib.show_source(vaelib.VAE.reparameterize)

# %% [markdown]
# Here is a draw from a two-dimensional $q$, with the gradient of $z_1 + z_2$ sent back:

# %%
mu_demo = torch.tensor([[0.5, -1.0]], requires_grad=True)  # (1, 2)
logvar_demo = torch.tensor([[0.0, -2.0]], requires_grad=True)  # σ = 1 and σ = e^{-1}
z = vaelib.VAE.reparameterize(mu_demo, logvar_demo, generator=vaelib.seeded_generator(0))
z.sum().backward()
sigma_demo = torch.exp(0.5 * logvar_demo.detach())
eps = (z.detach() - mu_demo.detach()) / sigma_demo  # the noise that was drawn
print("z            =", [f"{v:.3f}" for v in z[0].tolist()])
print("∂z/∂μ        =", [f"{v:.3f}" for v in mu_demo.grad[0].tolist()])
print("∂z/∂log σ²   =", [f"{v:.3f}" for v in logvar_demo.grad[0].tolist()])
print("½ σ ε        =", [f"{v:.3f}" for v in (0.5 * sigma_demo * eps)[0].tolist()])

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert torch.allclose(mu_demo.grad, torch.ones(1, 2)), "∂z/∂μ = 1, as the chain rule predicts"
assert torch.allclose(logvar_demo.grad, 0.5 * sigma_demo * eps), (
    "∂z/∂log σ² = ½ σ ε, as the chain rule predicts"
)

# %% [markdown]
# The gradients are exactly the ones the chain rule predicts. Compare with drawing the same
# sample the way one draws from a distribution in `torch.distributions`, with `.sample()`:

# %%
q = Normal(mu_demo, torch.exp(0.5 * logvar_demo))
z_sampled = q.sample()
print(f"requires_grad: {z_sampled.requires_grad}, grad_fn: {z_sampled.grad_fn}")
try:
    z_sampled.sum().backward()
    backward_failed = False
except RuntimeError:
    backward_failed = True
print("backward() through .sample() fails:", backward_failed)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert not z_sampled.requires_grad and backward_failed, (
    ".sample() cuts the draw from the graph: no gradient can reach μ or σ"
)

# %% [markdown]
# `.sample()` draws under `torch.no_grad()`: the result is cut from the graph, and no gradient
# can reach $\mu$ or $\sigma$. (Its sibling `.rsample()`, "reparameterised sample", is the same
# trick as `VAE.reparameterize`.) Without the trick one falls back on the score-function
# estimator $\mathbb{E}_q[f(z)\, \nabla_\phi \log q_\phi(z \mid x)]$, which is unbiased too but,
# as we measure after training below, has a far higher variance.
#
# ## 2.5 Weighting the KL term: $\beta$
#
# The β-VAE of {cite:t}`higgins2017betavae` puts a weight on the KL term and minimises
#
# $$
# \text{reconstruction} + \beta \cdot \operatorname{KL},
# $$
#
# which `vae_loss(..., beta=β)` computes. $\beta = 1$ is the negative ELBO. $\beta = 0$ drops the KL
# term and leaves an autoencoder with noisy codes; large $\beta$ makes the codes hug the prior at
# the expense of reconstruction. Only `total` depends on $\beta$; the parts are the same:

# %%
for beta in (0.0, 1.0, 30.0):
    parts_beta = vaelib.vae_loss(logits, x, mu, logvar, beta=beta)
    print(
        f"β = {beta:4.0f}: reconstruction {parts_beta.reconstruction:.1f}, "
        f"KL {parts_beta.kl:.2f}, total {parts_beta.total:.1f}"
    )
    assert torch.equal(parts_beta.reconstruction, parts.reconstruction), "the parts are the same"
    assert torch.equal(parts_beta.kl, parts.kl), "the parts are the same"
    assert torch.isclose(parts_beta.total, parts.reconstruction + beta * parts.kl), (
        "only total depends on β: reconstruction + β · KL"
    )

# %% [markdown]
# The short blog post this book retells {cite:p}`sourcepost`, its *source story*, trains the
# same model with $\beta = 1$ and with $\beta = 30$;
# [chapter 4](04_vae_mnist.ipynb) and [chapter 5](05_posterior_collapse.ipynb) retell it, and
# [chapter 6](06_beta_landscape.ipynb) maps the whole range of $\beta$.
#
# ## 2.6 One epoch of training
#
# Everything is in place. One step of training takes a batch, runs the model forward, computes
# the loss, sends its gradient back to every weight of the decoder and, through
# $z = \mu + \sigma \odot \varepsilon$, of the encoder, and lets the optimiser, Adam
# {cite:p}`kingma2015adam`, move the weights a little. Here is one step written out, on a copy
# of the model (so that the epoch below starts from the weights above), with the loss of its
# batch before and after the step, for the same noise $\varepsilon$:

# %%
vae_step = copy.deepcopy(vae)
optimizer = torch.optim.Adam(vae_step.parameters(), lr=1e-3)
batch = train.images[:128]  # (128, 1, 28, 28)
logits_b, mu_b, logvar_b = vae_step(batch, vaelib.seeded_generator(0))  # z ~ q(z|x)
loss_before = vaelib.vae_loss(logits_b, batch, mu_b, logvar_b).total  # nats per image
optimizer.zero_grad()
loss_before.backward()  # ∂loss/∂θ and ∂loss/∂φ, through z = μ + σ·ε
optimizer.step()  # θ and φ move one Adam step
with torch.no_grad():
    logits_b, mu_b, logvar_b = vae_step(batch, vaelib.seeded_generator(0))
    loss_after = vaelib.vae_loss(logits_b, batch, mu_b, logvar_b).total
print(f"loss of the batch: {loss_before:.2f} before, {loss_after:.2f} nats per image after")

# %% mystnb={"code_prompt_show": "Show the check of the claim"} tags=["hide-input"]
assert loss_after < loss_before, "one step of Adam lowers the loss of the batch it was computed on"

# %% [markdown]
# `vaelib.fit` ([chapter 4](04_vae_mnist.ipynb) lists it) repeats this step over shuffled
# batches and checks every loss on the way. We measure the ELBO on 2,000 test images, train for
# one epoch on the 60,000 training images in batches of 128 (the number of Adam steps is
# printed), and measure again. One epoch is enough to see the objective move;
# [chapter 4](04_vae_mnist.ipynb) trains properly.

# %%
EPOCHS, BATCH_SIZE = 1, 128
test_batch = test.subset(2000)
before = vaelib.evaluate(vae, test_batch)
history = vaelib.fit(
    vae,
    train,
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    beta=1.0,
    seed=0,
    device=DEVICE,
    progress=False,
)
after = vaelib.evaluate(vae, test_batch)
print(f"{EPOCHS * math.ceil(len(train) / BATCH_SIZE)} steps of Adam")
for name, scores in (("before", before), ("after", after)):
    print(
        f"{name:6}: ELBO {-scores['loss']:7.1f} = −(reconstruction {scores['reconstruction']:.1f}"
        f" + KL {scores['kl']:.1f}) nats per image"
    )
elbo_rise = before["loss"] - after["loss"]
reconstruction_drop = before["reconstruction"] - after["reconstruction"]

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert elbo_rise > 200, "the ELBO of held-out images rose by hundreds of nats"
assert reconstruction_drop > elbo_rise, "the reconstruction term improved by more than the ELBO"
assert after["kl"] > before["kl"] + 5, "the KL term grew"

# %% [markdown]
# The ELBO of held-out images rose by hundreds of nats, all of it through the reconstruction
# term, which improved by even more than the ELBO did, because the KL term *grew*: to
# reconstruct, the encoder had to give images distinguishable clouds of codes, moved away from
# the prior, and it pays for that in KL. This
# trade between the two terms is the subject of the rest of the book.
#
# ## 2.7 Two gradient estimators, measured
#
# Now that the decoder has learnt something, we can measure what the reparameterisation trick
# buys. Take one test image, its $q(z \mid x)$, and $f(z) = \log p_\theta(x \mid z)$, the
# reconstruction term. Both estimators of $\nabla_\mu \mathbb{E}_q[f(z)]$ use one draw
# $z = \mu + \sigma \odot \varepsilon$ each: the reparameterised one is $\nabla_z f(z)$ (because
# $\partial z / \partial \mu = 1$), the score-function one is $f(z)\, \nabla_\mu \log q(z \mid x) =
# f(z)\, \varepsilon / \sigma$. Both average to the same gradient; we compare their variances over
# 1,000 draws, per latent coordinate, averaged over the 20.

# %%
x_one = test.images[:1]  # (1, 1, 28, 28)
with torch.no_grad():
    mu_one, logvar_one = (t.cpu() for t in vae.encode(x_one))  # (1, 20) each
sigma_one = torch.exp(0.5 * logvar_one)
eps_draws = torch.randn(1000, 20, generator=vaelib.seeded_generator(0))  # (1000, 20)
z_draws = (mu_one + sigma_one * eps_draws).requires_grad_()  # 1,000 draws from q(z|x)
logits_draws = vae.decode(z_draws)  # (1000, 1, 28, 28); gradients flow back to z_draws
f = -vaelib.reconstruction_loss(logits_draws, x_one.expand(1000, -1, -1, -1)).cpu()  # (1000,)
reparameterised = torch.autograd.grad(f.sum(), z_draws)[0]  # ∇_z f, one row per draw
score_function = f.detach()[:, None] * eps_draws / sigma_one  # f(z) ε / σ, (1000, 20)
with_baseline = (f.detach() - f.detach().mean())[:, None] * eps_draws / sigma_one  # (1000, 20)
variance_ratio = (score_function.var(dim=0).mean() / reparameterised.var(dim=0).mean()).item()
baseline_ratio = (with_baseline.var(dim=0).mean() / reparameterised.var(dim=0).mean()).item()
print(f"log p(x|z) over the draws: {f.mean():.0f} ± {f.std():.0f} nats")
print(f"variance of the score-function estimator / the reparameterised one: {variance_ratio:.0e}")
print(f"the same with the mean of f subtracted: {baseline_ratio:.0f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert variance_ratio > 100, (
    "the score-function estimator's variance is more than a hundred times higher"
)
assert -f.mean() > 10 and f.std() < -f.mean() / 10, (
    "f(z) is tens of nats, and varies over the draws by much less than its size"
)
assert 10 < baseline_ratio < variance_ratio / 10, (
    "a baseline narrows the gap more than tenfold, "
    "but the variance stays more than ten times higher"
)

# %% [markdown]
# The score-function estimator's variance is more than a hundred times that of the
# reparameterised one, so it would need more than a hundred times as many draws for the same
# precision. The reason is visible in its formula: it multiplies the noise $\varepsilon / \sigma$ by
# the whole value $f(z)$, tens of nats, where the reparameterised estimator uses only how $f$
# changes with $z$, and over the draws $f$ varies by less than a tenth of its size. Subtracting
# the mean of $f$ first (a constant *baseline*, the simplest remedy) narrows the gap by more than
# a factor of ten, but the score-function variance stays more than ten times higher: the
# reparameterised estimator also knows in which direction $f$ changes,
# and the score function can only find that out by correlating $f$ with the noise.
#
# ## 2.8 The bound is a bound
#
# The derivation says $\operatorname{ELBO}(x) \le \log p_\theta(x)$, with a gap equal to
# $\operatorname{KL}(q \,\|\, p_\theta(z \mid x))$. We cannot compute $\log p_\theta(x)$ exactly,
# but the importance-weighted bound $\mathcal{L}_k$ of {cite:t}`burda2016importance` lies between
# the two, $\operatorname{ELBO} \le \mathcal{L}_k \le \log p_\theta(x)$ (our one-sample and
# $k$-sample estimates obey this on average), and approaches
# $\log p_\theta(x)$ as the number of samples $k$ grows. So a gap between $\mathcal{L}_{100}$ and
# the ELBO is a lower bound on the average posterior gap.

# %%
small = test.subset(500)
elbo = -vaelib.evaluate(vae, small)["loss"]
iwae = vaelib.iwae_log_likelihood(vae, small, k=100)
print(f"ELBO {elbo:.1f} ≤ 𝓛_100 {iwae:.1f} nats per image (gap {iwae - elbo:.1f})")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert iwae > elbo + 1, "ELBO ≤ 𝓛_100, with a gap"

# %% [markdown]
# After one epoch, the encoder's $q$ is still not the true posterior, and the gap shows it: the
# ELBO undershoots $\log p_\theta(x)$ (the unnormalised score above) by at least the printed
# amount, on average.
#
# Section 2.1 claimed that averaging $p_\theta(x \mid z)$ over draws from the prior would
# almost never hit the codes that explain $x$. The same estimator with $z$ drawn from
# $p(z)$ instead of $q$ (`proposal="prior"`, the plain Monte-Carlo average of the integral)
# measures it: even a thousand prior draws per image fall short of $\mathcal{L}_{100}$ by more
# than twenty nats, so, averaged over images in log terms, their estimate of $p_\theta(x)$ falls
# short by a factor of more than $e^{20} \approx 5 \times 10^8$.

# %%
naive = vaelib.iwae_log_likelihood(vae, small, k=1000, proposal="prior")
print(f"1,000 draws from the prior: {naive:.0f} nats per image, {iwae - naive:.0f} below 𝓛_100")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert iwae - naive > 20, "a thousand prior draws fall short of 𝓛_100 by more than twenty nats"

# %% [markdown]
# ## 2.9 Generating
#
# Generating from the VAE is what chapter 1 tried with the autoencoder: draw $z \sim \mathcal{N}(0,
# I)$
# and decode it, with `model.sample(n)`. The difference is that this decoder was trained on
# codes drawn from clouds that the KL term keeps close to the prior.

# %%
N_SAMPLES = 1000
# (1000, 1, 28, 28), on the CPU like the real digits they are compared with
samples = vae.sample(N_SAMPLES, generator=vaelib.seeded_generator(0)).cpu()
plots.plot_image_grid(
    samples[:32], nrow=8, title="Decoded draws z ~ N(0, I) after one epoch: blurry, digit-like"
)

# %% [markdown]
# The images look blurry but digit-like. We measure both as chapter 1 did: the
# sharpness of the samples against that of real test digits, and the book's digit classifier's
# scores (mean confidence, the share classified with probability above 0.9, and the Fréchet
# distance of its features to those of real digits, the idea of the FID {cite:p}`heusel2017gans`
# but not comparable with published FIDs), with 1,000 other test digits as the yardstick. One
# more score matters here: `class_coverage`, the effective number of classes in the classifier's
# averaged prediction: 10 when its probabilities, averaged over the samples, are uniform over the
# ten digits, 1 when every sample is put in the same class with certainty. Uncertain predictions
# also raise it, so it measures spread over the digits only together with the confidence.

# %%
classifier = vaelib.train_classifier(train)  # the book's digit classifier, kept on disk
scored = test.subset(N_SAMPLES + 3000, seed=1).images  # test digits drawn at random
real = scored[:N_SAMPLES]  # (1000, 1, 28, 28): real digits, the best a generator can do
reference = scored[N_SAMPLES:]  # (3000, 1, 28, 28): the real digits both sets are compared with
quality_real = vaelib.sample_quality(classifier, real, reference)
quality_samples = vaelib.sample_quality(classifier, samples, reference)
confident_real, confident_samples = (
    vaelib.confident_fraction(classifier, images, threshold=0.9) for images in (real, samples)
)
sharpness_ratio = (vaelib.sharpness(samples).mean() / vaelib.sharpness(real).mean()).item()
for name, quality, confident in (
    ("test digits", quality_real, confident_real),
    ("VAE samples", quality_samples, confident_samples),
):
    print(
        f"{name}: mean confidence {quality.confidence:.2f}, "
        f"classified with p > 0.9: {100 * confident:.0f}%, "
        f"classes {quality.class_coverage:.1f}, Fréchet distance {quality.frechet_distance:.0f}"
    )
print(f"sharpness of the samples / of test digits: {sharpness_ratio:.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert sharpness_ratio < 0.2, "the samples are less than a fifth as sharp as test digits"
assert quality_samples.confidence > 0.5, "on average the classifier is more confident than not"
assert quality_samples.class_coverage > 9, (
    "the classifier's averaged prediction spreads over nearly all ten digits"
)
assert confident_samples < 0.5, "but most are not recognised with confidence"
assert quality_samples.frechet_distance > 10 * quality_real.frechet_distance, (
    "their features are still far from those of real digits"
)

# %% [markdown]
# The samples are blurry, less than a fifth as sharp as test digits, and their features are still
# far from those of real digits (a Fréchet distance more than ten times that of held-out
# digits). Are they digit-like? Partly: the classifier's mean confidence is above one half, far
# from the 0.1 of a guess, and its averaged prediction spreads over nearly all ten digits,
# although most samples are not recognised with a confidence above 0.9. Exercise 3 measures what
# the KL term bought, by training the same model without it. Chapter 1's measurement tells us
# why decoding
# prior draws can work here. There, fewer than one training code in a thousand lay inside the
# radius that holds 99% of the prior's draws. For the VAE, the codes the decoder is trained on
# are the draws $z \sim q(z \mid x)$:

# %%
mu_train, logvar_train = vaelib.encode_dataset(vae, train.subset(10_000))
codes = vaelib.VAE.reparameterize(
    mu_train, logvar_train, generator=vaelib.seeded_generator(0)
)  # (10000, 20), one draw per image
prior_draws = torch.randn(10_000, 20, generator=vaelib.seeded_generator(1))
radius_99 = prior_draws.norm(dim=1).quantile(0.99).item()
inside = (codes.norm(dim=1) <= radius_99).float().mean().item()
print(
    f"training codes z ~ q(z|x) within the prior's 99% radius ({radius_99:.1f}):"
    f" {100 * inside:.0f}%"
)
d_prior = vaelib.nearest_code_distance(prior_draws[:2000], codes[:8000])  # (2000,)
d_codes = vaelib.nearest_code_distance(codes[8000:], codes[:8000])  # (2000,)
print(
    f"median distance to the nearest training code: from a prior draw {d_prior.median():.2f}, "
    f"from another training code {d_codes.median():.2f}"
)
assert inside > 0.5, (
    "most of the codes the decoder sees in training lie where the prior puts its mass"
)
print(f"ratio: {d_prior.median() / d_codes.median():.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert 1.1 * d_codes.median() < d_prior.median() < 1.5 * d_codes.median(), (
    "a prior draw lands less than one and a half times as far from its nearest training code, "
    "a ratio of the same size as chapter 1's for the autoencoder (between 1.1 and 2 there)"
)

# %% [markdown]
# Most of the codes the VAE's decoder sees in training lie where the prior puts its mass, where
# in chapter 1 fewer than one autoencoder code in a thousand did. The nearest-code distances say
# less: a draw from the prior lands less than one and a half times as far from its nearest
# training code as training codes lie from one another (medians, printed above), a ratio of the
# same size as chapter 1's for the autoencoder. In 20 dimensions every point is far from its
# nearest neighbour, so that ratio separates little; the radius does, and by it decoding prior
# draws is close to what the decoder was trained to do. [Chapter
# 4](04_vae_mnist.ipynb) trains this VAE for ten epochs and repeats chapter 1's main measurements on
# it: the reconstructions, the codes against the prior, and the samples scored by the classifier.
#
# ## Summary
#
# - The VAE is a generative model: $z \sim \mathcal{N}(0, I)$, then $x \sim p_\theta(x \mid z)$. Its
#   likelihood $p_\theta(x)$ is an intractable integral, and so is the posterior $p_\theta(z \mid
#   x)$.
# - A probabilistic encoder $q_\phi(z \mid x) = \mathcal{N}(\mu, \operatorname{diag}\sigma^2)$
#   approximates the posterior, and
#   $\log p_\theta(x) = \operatorname{ELBO}(x) + \operatorname{KL}(q \,\|\, p_\theta(z \mid x)) \ge
#   \operatorname{ELBO}(x)$.
# - $\operatorname{ELBO} = \mathbb{E}_q[\log p_\theta(x \mid z)] - \operatorname{KL}(q(z \mid x)
#   \,\|\, p(z))$:
#   a reconstruction term on noisy codes and a KL term towards the prior; $\beta$ weights the
#   latter.
# - Writing $z = \mu + \sigma \odot \varepsilon$ makes the sample a differentiable function of
#   $\mu$ and $\log \sigma^2$; `torch.distributions`' `.sample()` is not. The score-function
#   estimator that does without the trick has more than a hundred times its variance.
# - On grey-level images the Bernoulli "likelihood" is an unnormalised score: the bound holds,
#   but its values are not log-probabilities of images.
# - Untrained, the reconstruction term is about $784 \ln 2$ nats; one epoch raises the
#   ELBO by hundreds of nats, and the KL term grows as the code starts to carry information.
#   After that one epoch the samples are blurry but digit-like, and the classifier's averaged
#   prediction spreads over nearly all ten digits.
#
# ## Exercises
#
# **1.** Show that, for a fixed decoder $\theta$, maximising the ELBO over the encoder $\phi$ is the
# same as minimising $\operatorname{KL}(q_\phi(z \mid x) \,\|\, p_\theta(z \mid x))$.
#
# ```{admonition} Solution
# :class: dropdown
#
# From $\log p_\theta(x) = \operatorname{ELBO}(x) + \operatorname{KL}(q_\phi(z \mid x) \,\|\,
# p_\theta(z \mid x))$: the left side does not depend on $\phi$. So any change of $\phi$ that raises
# the ELBO lowers the posterior KL by exactly the same amount. The encoder is trained to
# approximate the true posterior, even though that posterior is never computed.
# ```
#
# **2.** With $z = \mu + \sigma\varepsilon$ in one dimension, compute $\nabla_{(\mu, \sigma)}
# \mathbb{E}[z^2]$ twice: from the closed form $\mathbb{E}[z^2] = \mu^2 + \sigma^2$, and as
# $\mathbb{E}_\varepsilon[\nabla (\mu + \sigma\varepsilon)^2]$. Then check it numerically with
# `VAE.reparameterize` and a large batch of draws.
#
# ```{admonition} Solution
# :class: dropdown
#
# The closed form gives $(2\mu, 2\sigma)$. Inside the expectation,
# $\partial_\mu (\mu + \sigma\varepsilon)^2 = 2(\mu + \sigma\varepsilon)$, with mean $2\mu$, and
# $\partial_\sigma (\mu + \sigma\varepsilon)^2 = 2(\mu + \sigma\varepsilon)\varepsilon$, with mean
# $2\sigma$ (because $\mathbb{E}[\varepsilon] = 0$, $\mathbb{E}[\varepsilon^2] = 1$). Numerically:
# repeat $\mu$ and $\log\sigma^2$ over a batch of $10^5$ rows, call `reparameterize`, take
# `z.pow(2).mean().backward()`, and compare the summed gradients with $2\mu$ and, via
# $\partial/\partial \log\sigma^2 = \tfrac{\sigma}{2}\,\partial/\partial\sigma$, with $\sigma^2$.
# The check below does it for $\mu = 0.5$, $\sigma = 2$: both agree to within a few per cent.
# ```

# %% tags=["hide-cell"]
n_draws = 100_000
mu_check = torch.full((n_draws, 1), 0.5, requires_grad=True)
logvar_check = torch.full((n_draws, 1), math.log(4.0), requires_grad=True)  # σ = 2
z_check = vaelib.VAE.reparameterize(mu_check, logvar_check, generator=vaelib.seeded_generator(0))
z_check.pow(2).mean().backward()
grad_mu, grad_logvar = mu_check.grad.sum().item(), logvar_check.grad.sum().item()
print(f"∂E[z²]/∂μ: {grad_mu:.2f} (2μ = 1.00); ∂E[z²]/∂log σ²: {grad_logvar:.2f} (σ² = 4.00)")
assert abs(grad_mu / 1.0 - 1) < 0.05 and abs(grad_logvar / 4.0 - 1) < 0.05, (
    "the reparameterised gradients agree with 2μ and σ² to within a few per cent"
)

# %% [markdown]
# **3.** What does the VAE become at $\beta = 0$? Predict what training does to $\sigma$, and to the
# distribution of the codes.
#
# ```{admonition} Solution
# :class: dropdown
#
# With no KL term, the only objective is to reconstruct from a noisy code. Noise can only hurt
# reconstruction, so the encoder learns to shrink $\sigma$ towards 0 (it can do so freely, since
# nothing penalises small $\sigma$) and the model becomes chapter 1's deterministic autoencoder.
# Nothing keeps the means near the prior either, so the codes drift away from $\mathcal{N}(0, I)$
# and decoding prior draws fails as it did there. The check below trains the model of this
# chapter for the same one epoch with $\beta = 0$: the mean $\sigma$ falls from about 1 to below
# 0.1, less than a tenth of the $\beta = 1$ model's; fewer than one code in a thousand lies
# inside the prior's 99% radius; and the samples score worse than the $\beta = 1$ model's, with a
# mean confidence lower by more than 0.1 and more than twice its Fréchet distance. They fail by
# chapter 1's criterion too: fewer than one in ten is recognised with confidence.
# ```

# %% tags=["hide-cell"]
vaelib.seed_everything(0)
vae_beta0 = vaelib.VAE()
vaelib.fit(
    vae_beta0,
    train,
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    beta=0.0,
    seed=0,
    device=DEVICE,
    progress=False,
)
mu_beta0, logvar_beta0 = vaelib.encode_dataset(vae_beta0, train.subset(10_000))  # (10000, 20)
sigma_beta0 = torch.exp(0.5 * logvar_beta0).mean().item()
sigma_beta1 = torch.exp(0.5 * logvar_train).mean().item()
codes_beta0 = vaelib.VAE.reparameterize(
    mu_beta0, logvar_beta0, generator=vaelib.seeded_generator(0)
)
inside_beta0 = (codes_beta0.norm(dim=1) <= radius_99).float().mean().item()
samples_beta0 = vae_beta0.sample(N_SAMPLES, generator=vaelib.seeded_generator(0)).cpu()
quality_beta0 = vaelib.sample_quality(classifier, samples_beta0, reference)
confident_beta0 = vaelib.confident_fraction(classifier, samples_beta0, threshold=0.9)
print(f"mean σ: β = 0 {sigma_beta0:.2f}, β = 1 {sigma_beta1:.2f}")
print(f"β = 0 codes within the prior's 99% radius: {100 * inside_beta0:.1f}%")
for name, quality in (("β = 1", quality_samples), ("β = 0", quality_beta0)):
    print(
        f"{name} samples: mean confidence {quality.confidence:.2f}, "
        f"Fréchet distance {quality.frechet_distance:.0f}"
    )
print(f"β = 0 samples classified with p > 0.9: {100 * confident_beta0:.0f}%")
assert sigma_beta0 < 0.1 and sigma_beta0 < sigma_beta1 / 10, (
    "the mean σ falls below 0.1, less than a tenth of β = 1's"
)
assert inside_beta0 < 0.001, "fewer than one code in a thousand lies inside the prior's 99% radius"
assert quality_beta0.confidence < quality_samples.confidence - 0.1, (
    "a mean confidence lower by more than 0.1"
)
assert quality_beta0.frechet_distance > 2 * quality_samples.frechet_distance, (
    "more than twice its Fréchet distance"
)
assert confident_beta0 < 0.1, (
    "decoding prior draws fails as it did there (chapter 1): "
    "fewer than one in ten is recognised with confidence"
)
