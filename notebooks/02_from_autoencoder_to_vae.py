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
# - see why sampling $z = \mu + \sigma \varepsilon$ lets gradients reach the encoder, and watch
#   them flow;
# - weight the KL term with $\beta$, train for one epoch and watch the ELBO rise, and
#   generate digits by decoding $z \sim \mathcal{N}(0, I)$.
#
# [Chapter 1](01_autoencoder.ipynb) ended with a good decoder and an unknown distribution of
# codes: draws from $\mathcal{N}(0, I)$ landed where the decoder had never been. The
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
# ## A generative model
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
# pixels, so chapter 1's reconstruction loss was already $-\log p_\theta(x \mid z)$. (MNIST's
# pixels are grey levels, not 0/1 values; the Bernoulli log-likelihood is still a well-defined
# score for them, with the entropy floor seen in chapter 1.)
#
# To fit $\theta$ by maximum likelihood we need the probability of an image under the model,
#
# $$
# p_\theta(x) = \int p_\theta(x \mid z)\, p(z)\, dz ,
# $$
#
# an integral over all of $\mathbb{R}^{20}$. For most $z$, $p_\theta(x \mid z)$ is vanishingly
# small: only codes near the few that "explain" $x$ contribute. Drawing $z$ from the prior and
# averaging would almost never hit them. What we would like is to draw $z$ from the
# **posterior** $p_\theta(z \mid x) = p_\theta(x \mid z) p(z) / p_\theta(x)$, the codes that explain
# $x$, but it contains $p_\theta(x)$, the very integral we cannot compute.
#
# ## The probabilistic encoder
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

# %%
vaelib.seed_everything(0)
vae = vaelib.VAE()  # MLPConfig(): 784-400-20
mu, logvar = vae.encode(x)
print(f"μ: {tuple(mu.shape)}, log σ²: {tuple(logvar.shape)}")
print(f"untrained: mean |μ| = {mu.abs().mean():.2f}, mean σ = {torch.exp(0.5 * logvar).mean():.2f}")
assert mu.shape == logvar.shape == (64, 20)
assert mu.abs().mean() < 0.2 and (torch.exp(0.5 * logvar).mean() - 1).abs() < 0.1

# %% [markdown]
# Before training, every image gets nearly the same cloud: means close to 0 and widths close
# to 1, close to the prior. The encoder has not yet learnt to tell images apart.
#
# ## The evidence lower bound
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

# %%
logits, mu, logvar = vae(x)  # one forward pass: encode, sample z ~ q(z|x), decode
parts = vaelib.vae_loss(logits, x, mu, logvar)
kl_direct = vaelib.gaussian_kl(mu, logvar).mean()  # (64,) nats per image → batch mean
print(
    f"reconstruction {parts.reconstruction:.1f} + KL {parts.kl:.2f}"
    f" = {parts.total:.1f} nats per image"
)
print(f"784 · ln 2 = {784 * math.log(2):.1f} nats")
assert torch.isclose(parts.kl, kl_direct)
assert torch.isclose(parts.total, parts.reconstruction + parts.kl)
assert abs(parts.reconstruction.item() - 784 * math.log(2)) < 10
assert parts.kl < 1

# %% [markdown]
# The untrained numbers make sense. The decoder's logits are all close to 0, so every pixel is
# predicted as a coin flip with probability ½, and each of the 784 pixels costs about
# $\ln 2$ nats, whatever its grey level: $784 \ln 2 \approx 543$ nats. The KL term is small
# because the untrained encoder's clouds are already close to the prior.
#
# ## Sampling that gradients can pass through
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
# `VAE.reparameterize` implements $z = \mu + \exp(\tfrac12 \log\sigma^2)\, \varepsilon$. Here is a
# draw from a two-dimensional $q$, with the gradient of $z_1 + z_2$ sent back:

# %%
mu_demo = torch.tensor([[0.5, -1.0]], requires_grad=True)  # (1, 2)
logvar_demo = torch.tensor([[0.0, -2.0]], requires_grad=True)  # σ = 1 and σ = e^{-1}
z = vaelib.VAE.reparameterize(mu_demo, logvar_demo, generator=torch.Generator().manual_seed(0))
z.sum().backward()
sigma_demo = torch.exp(0.5 * logvar_demo.detach())
eps = (z.detach() - mu_demo.detach()) / sigma_demo  # the noise that was drawn
print("z            =", [f"{v:.3f}" for v in z[0].tolist()])
print("∂z/∂μ        =", [f"{v:.3f}" for v in mu_demo.grad[0].tolist()])
print("∂z/∂log σ²   =", [f"{v:.3f}" for v in logvar_demo.grad[0].tolist()])
print("½ σ ε        =", [f"{v:.3f}" for v in (0.5 * sigma_demo * eps)[0].tolist()])
assert torch.allclose(mu_demo.grad, torch.ones(1, 2))
assert torch.allclose(logvar_demo.grad, 0.5 * sigma_demo * eps)

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
assert not z_sampled.requires_grad and backward_failed

# %% [markdown]
# `.sample()` draws under `torch.no_grad()`: the result is cut from the graph, and no gradient
# can reach $\mu$ or $\sigma$. (Its sibling `.rsample()`, "reparameterised sample", is the same
# trick as `VAE.reparameterize`.) Without the trick one falls back on the score-function
# estimator $\mathbb{E}_q[f(z)\, \nabla_\phi \log q_\phi(z \mid x)]$, which is unbiased but
# has a far higher variance; the low-variance reparameterised gradient is much of why VAEs train as
# easily as autoencoders.
#
# ## Weighting the KL term: $\beta$
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
    assert torch.isclose(parts_beta.total, parts.reconstruction + beta * parts.kl)

# %% [markdown]
# The source of this book's story trains the same model with $\beta = 1$ and with $\beta = 30$;
# [chapter 4](04_vae_mnist.ipynb) and [chapter 5](05_posterior_collapse.ipynb) retell it, and
# [chapter 6](06_beta_landscape.ipynb) maps the whole range of $\beta$.
#
# ## One epoch of training
#
# Everything is in place. We measure the ELBO on 2,000 test images, train for one epoch on the
# 60,000 training images (469 steps of Adam), and measure again. One epoch is enough to see the
# objective move; [chapter 4](04_vae_mnist.ipynb) trains properly.

# %%
test_batch = test.subset(2000)
before = vaelib.evaluate(vae, test_batch)
history = vaelib.fit(vae, train, epochs=1, beta=1.0, seed=0, device=DEVICE, progress=False)
after = vaelib.evaluate(vae, test_batch)
for name, scores in (("before", before), ("after", after)):
    print(
        f"{name:6}: ELBO {-scores['loss']:7.1f} = −(reconstruction {scores['reconstruction']:.1f}"
        f" + KL {scores['kl']:.1f}) nats per image"
    )
elbo_rise = before["loss"] - after["loss"]
reconstruction_drop = before["reconstruction"] - after["reconstruction"]
assert math.ceil(60_000 / 128) == 469  # steps in the epoch
assert elbo_rise > 200
assert reconstruction_drop > elbo_rise  # the reconstruction gained more than the ELBO ...
assert after["kl"] > before["kl"] + 5  # ... because the KL grew

# %% [markdown]
# The ELBO of held-out images rose by hundreds of nats, all of it through the reconstruction
# term, which improved by even more than the ELBO did, because the KL term *grew*: to
# reconstruct, the encoder had to give images distinguishable clouds of codes, moved away from
# the prior, and it pays for that in KL. This
# trade between the two terms is the subject of the rest of the book.
#
# ## The bound is a bound
#
# The derivation says $\operatorname{ELBO}(x) \le \log p_\theta(x)$, with a gap equal to
# $\operatorname{KL}(q \,\|\, p_\theta(z \mid x))$. We cannot compute $\log p_\theta(x)$ exactly,
# but the importance-weighted bound $\mathcal{L}_k$ of {cite:t}`burda2016importance` lies between
# the two, $\operatorname{ELBO} \le \mathcal{L}_k \le \log p_\theta(x)$ (on average), and approaches
# $\log p_\theta(x)$ as the number of samples $k$ grows. So a gap between $\mathcal{L}_{100}$ and
# the ELBO is a lower bound on the average posterior gap.

# %%
small = test.subset(500)
elbo = -vaelib.evaluate(vae, small)["loss"]
iwae = vaelib.iwae_log_likelihood(vae, small, k=100)
print(f"ELBO {elbo:.1f} ≤ 𝓛_100 {iwae:.1f} nats per image (gap {iwae - elbo:.1f})")
assert iwae > elbo + 1

# %% [markdown]
# After one epoch, the encoder's $q$ is still a crude approximation of the true posterior, and
# the gap shows it: the ELBO undershoots the log-likelihood by at least the printed amount.
#
# ## Generating
#
# Generating from the VAE is what chapter 1 tried with the autoencoder: draw $z \sim \mathcal{N}(0,
# I)$
# and decode it, with `model.sample(n)`. The difference is that this decoder was trained on
# codes drawn from clouds that the KL term keeps close to the prior.

# %%
samples = vae.sample(32, generator=torch.Generator().manual_seed(0))
plots.plot_image_grid(
    samples, nrow=8, title="Decoded draws z ~ N(0, I) after one epoch: blurry, digit-like"
)

# %% [markdown]
# The images are blurry after so little training, but they are strokes in the shapes of
# digits. Chapter 1's measurement tells us why this can work. There, fewer than 1% of the
# training codes lay inside the radius that holds 99% of the prior's draws. For the VAE, the
# codes the decoder is trained on are the draws $z \sim q(z \mid x)$:

# %%
mu_train, logvar_train = vaelib.encode_dataset(vae, train.subset(10_000))
codes = vaelib.VAE.reparameterize(
    mu_train, logvar_train, generator=torch.Generator().manual_seed(0)
)  # (10000, 20), one draw per image
prior_draws = torch.randn(10_000, 20, generator=torch.Generator().manual_seed(1))
radius_99 = prior_draws.norm(dim=1).quantile(0.99).item()
inside = (codes.norm(dim=1) <= radius_99).float().mean().item()
print(
    f"training codes z ~ q(z|x) within the prior's 99% radius ({radius_99:.1f}):"
    f" {100 * inside:.0f}%"
)
assert inside > 0.5

# %% [markdown]
# Most of the codes the VAE's decoder sees in training lie where the prior puts its mass, so
# decoding prior draws is what the decoder was trained to do. [Chapter 4](04_vae_mnist.ipynb)
# trains this VAE to convergence and repeats all of chapter 1's measurements on it.
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
#   $\mu$ and $\log \sigma^2$; `torch.distributions`' `.sample()` is not.
# - Untrained, the reconstruction term is $784 \ln 2$ nats; one epoch raises the
#   ELBO by hundreds of nats, and the KL term grows as the code starts to carry information.
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
# ```
#
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
# and decoding prior draws fails as it did there.
# ```
