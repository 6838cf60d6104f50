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
# # 3. Deriving the KL term
#
# In this chapter you will:
#
# - derive $\operatorname{KL}\big(\mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, 1)\big)$ step by
#   step, then extend it to a diagonal Gaussian in $d$ dimensions;
# - check the closed form `vaelib.gaussian_kl` against a Monte-Carlo estimate (within a few of
#   its standard errors) and against `torch.distributions.kl_divergence`;
# - see the KL as a landscape over $(\mu, \sigma)$ whose gradient pulls every posterior towards
#   $\mu = 0$, $\sigma = 1$;
# - move $\mu$ and $\sigma$ yourself in an interactive figure and watch the KL's two parts;
# - see why the encoder outputs $\log \sigma^2$ rather than $\sigma$.
#
# The VAE's loss has two terms. The reconstruction term is a binary cross-entropy that every
# deep-learning library ships. The other, the KL term, is one line of `vaelib` code:
#
# $$
# \operatorname{KL}\big(q_\phi(z \mid x) \,\|\, p(z)\big)
#   = -\tfrac12 \sum_{i=1}^{d} \big(1 + \log \sigma_i^2 - \mu_i^2 - \sigma_i^2\big),
# $$
#
# and that line is where the prior $p(z) = \mathcal{N}(0, I)$ enters the training loss. This chapter
# derives it, checks it against two independent computations, and shows what it does to an
# encoder. Nothing is trained here.

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
from torch.distributions import Normal, kl_divergence

import vaelib
from vaelib import interactive, plots

# %%
vaelib.seed_everything(0)
DEVICE = vaelib.pick_device()

# %% [markdown]
# This chapter needs no data set: the KL term depends on an image $x$ only through the
# encoder's outputs $\mu(x)$ and $\log \sigma^2(x)$, so we study it as a function of those.
# For the checks below we draw a small batch of such outputs at random: 4 "images", each with
# $d = 20$ latent dimensions, means spread around 0 (standard deviation 1.5) and variances
# between $e^{-3} \approx 0.05$ and $e^{1} \approx 2.7$.

# %%
IMAGES, LATENT_DIM = 4, 20  # the batch of encoder outputs we study, and d
MU_SPREAD = 1.5  # standard deviation of the means
LOGVAR_RANGE = (-3.0, 1.0)  # log σ² is uniform on this interval

generator = vaelib.seeded_generator(0)
mu = MU_SPREAD * torch.randn(IMAGES, LATENT_DIM, generator=generator)  # (batch, d)
logvar = torch.empty(IMAGES, LATENT_DIM).uniform_(*LOGVAR_RANGE, generator=generator)  # log σ²
print(f"mu: {tuple(mu.shape)}, logvar: {tuple(logvar.shape)}")

# %% [markdown]
# ## 3.1 One dimension
#
# Let $q(z) = \mathcal{N}(z; \mu, \sigma^2)$ and $p(z) = \mathcal{N}(z; 0, 1)$. The
# Kullback–Leibler divergence {cite:p}`kullback1951information` of $q$ from $p$ is the expected
# log-ratio of their densities under $q$:
#
# $$
# \operatorname{KL}(q \,\|\, p) = \mathbb{E}_{q(z)}\big[\log q(z) - \log p(z)\big].
# $$
#
# **Step 1: the two log-densities.**
#
# $$
# \log q(z) = -\tfrac12 \log(2\pi) - \tfrac12 \log \sigma^2 - \frac{(z - \mu)^2}{2\sigma^2},
# \qquad
# \log p(z) = -\tfrac12 \log(2\pi) - \frac{z^2}{2}.
# $$
#
# **Step 2: their difference.** The $\log(2\pi)$ terms cancel:
#
# $$
# \log q(z) - \log p(z) = -\tfrac12 \log \sigma^2 - \frac{(z - \mu)^2}{2\sigma^2} + \frac{z^2}{2}.
# $$
#
# **Step 3: the two moments we need.** Under $q$, $z = \mu + \sigma\varepsilon$ with
# $\varepsilon \sim \mathcal{N}(0, 1)$, so
#
# $$
# \mathbb{E}_q\big[(z - \mu)^2\big] = \sigma^2,
# \qquad
# \mathbb{E}_q\big[z^2\big] = \operatorname{Var}_q[z] + (\mathbb{E}_q[z])^2 = \sigma^2 + \mu^2.
# $$
#
# **Step 4: take the expectation.** The expectation is linear, and the first term does not
# depend on $z$:
#
# $$
# \operatorname{KL}(q \,\|\, p)
#   = -\tfrac12 \log \sigma^2 - \frac{\sigma^2}{2\sigma^2} + \frac{\sigma^2 + \mu^2}{2}
#   = -\tfrac12 \big(1 + \log \sigma^2 - \mu^2 - \sigma^2\big).
# $$
#
# **It is never negative, and zero only at the prior.** Write it as
# $\tfrac12 \mu^2 + \tfrac12 \big(s - 1 - \log s\big)$ with $s = \sigma^2$. The first part is
# $\ge 0$ with equality iff $\mu = 0$. The function $s - 1 - \log s$ has derivative
# $1 - 1/s$, which is negative for $s < 1$ and positive for $s > 1$, so its minimum is at
# $s = 1$, where it is $0$. Hence $\operatorname{KL} \ge 0$, with equality exactly when
# $\mu = 0$ and $\sigma = 1$, that is when $q = p$. The two parts also say *how* the KL
# penalises: quadratically in the mean, and in the variance like $\tfrac12(s - \log s)$, which
# grows linearly for large $s$ but logarithmically without bound as $s \to 0$.
#
# ## 3.2 A diagonal Gaussian in $d$ dimensions
#
# The encoder's $q(z \mid x) = \mathcal{N}\big(\mu, \operatorname{diag}\sigma^2\big)$ and the prior
# $\mathcal{N}(0, I)$ both factorise over the coordinates:
# $q(z) = \prod_i q_i(z_i)$ and $p(z) = \prod_i p_i(z_i)$. The log-ratio is therefore a sum,
#
# $$
# \log q(z) - \log p(z) = \sum_{i=1}^{d} \big[\log q_i(z_i) - \log p_i(z_i)\big],
# $$
#
# and the $i$-th term depends on $z_i$ alone, so its expectation under $q$ is its expectation
# under $q_i$, the one-dimensional KL above. The KL of the product is the sum of the
# per-dimension KLs:
#
# $$
# \operatorname{KL}\big(\mathcal{N}(\mu, \operatorname{diag}\sigma^2) \,\|\, \mathcal{N}(0, I)\big)
#   = \sum_{i=1}^{d}
#     \operatorname{KL}\big(\mathcal{N}(\mu_i, \sigma_i^2) \,\|\, \mathcal{N}(0, 1)\big)
#   = -\tfrac12 \sum_{i=1}^{d} \big(1 + \log \sigma_i^2 - \mu_i^2 - \sigma_i^2\big).
# $$
#
# This is `vaelib.gaussian_kl_per_dim` (one term per dimension, shape `(batch, d)`) and
# `vaelib.gaussian_kl` (their sum, in nats per image, shape `(batch,)`). It is the formula of
# Appendix B of {cite:t}`kingma2014autoencoding`. Note that it takes $\log \sigma^2$, not
# $\sigma$, as its input; the last section explains why.

# %%
vaelib.show_source(vaelib.gaussian_kl_per_dim)

# %%
vaelib.show_source(vaelib.gaussian_kl)

# %%
kl = vaelib.gaussian_kl(mu, logvar)  # nats per image, (batch,)
print("closed-form KL per image (nats):", [f"{v:.2f}" for v in kl.tolist()])

# %% [markdown]
# ## 3.3 Check 1: a Monte-Carlo estimate
#
# The definition of the KL is an expectation under $q$, so we can estimate it without any
# algebra: draw $z^{(1)}, \dots, z^{(N)} \sim q$ and average $\log q(z^{(s)}) - \log p(z^{(s)})$.
# The log-densities come from `torch.distributions.Normal`, which shares no code with
# `vaelib`. The estimate is unbiased, and its standard error is the sample standard deviation
# of the log-ratio divided by $\sqrt{N}$. If the closed form is right, it should differ from the
# estimate by no more than a few standard errors.

# %%
N = 100_000  # Monte-Carlo samples per image
q = Normal(mu, torch.exp(0.5 * logvar))  # batch of diagonal Gaussians, (batch, d)
prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
vaelib.seed_everything(0)
z = q.sample((N,))  # (N, batch, d)
log_ratio = (q.log_prob(z) - prior.log_prob(z)).sum(dim=-1)  # (N, batch), nats
mc_kl = log_ratio.mean(dim=0)  # (batch,)
mc_se = log_ratio.std(dim=0) / math.sqrt(N)  # (batch,)
z_scores = (kl - mc_kl) / mc_se
for i in range(len(kl)):
    print(
        f"image {i}: closed form {kl[i]:6.2f}   Monte Carlo {mc_kl[i]:6.2f} ± {mc_se[i]:.2f} (SE)"
        f"   difference = {z_scores[i]:+.1f} SE"
    )

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert (z_scores.abs() < 4).all(), (
    "every closed-form value lies within 4 standard errors of its Monte-Carlo estimate"
)
assert (mc_se < 0.05).all(), "the standard errors are small (under 0.05 nats)"

# %% [markdown]
# Every closed-form value lies within 4 standard errors of its Monte-Carlo estimate, and the
# standard errors are small (under 0.05 nats). Is the check sharp enough to catch a wrong
# formula? We put three typical slips through it: $\sigma$ typed where $\sigma^2$ belongs,
# $\log\sigma$ where $\log\sigma^2$ belongs, and the $-1$ left out (which shifts every image's
# KL by $d/2 = 10$ nats). For each we print the largest distance, over the four images, between
# the wrong value and the Monte-Carlo estimate, in standard errors.

# %%
slips = {
    "σ for σ²": -0.5 * (1 + logvar - mu**2 - torch.exp(0.5 * logvar)).sum(dim=-1),
    "log σ for log σ²": -0.5 * (1 + 0.5 * logvar - mu**2 - logvar.exp()).sum(dim=-1),
    "the −1 left out": -0.5 * (logvar - mu**2 - logvar.exp()).sum(dim=-1),
}
slip_distance = {
    name: ((wrong - mc_kl) / mc_se).abs().max().item() for name, wrong in slips.items()
}
slip_size = {name: (wrong - kl).abs().max().item() for name, wrong in slips.items()}
for name in slips:
    print(
        f"{name:>17}: off by up to {slip_size[name]:5.1f} nats, "
        f"{round(slip_distance[name], -1):5.0f} SE from Monte Carlo"
    )

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert min(slip_distance.values()) > 24, (
    "every slip, on its worst image, lands dozens of standard errors from the estimate"
)
assert slip_size["σ for σ²"] == min(slip_size.values()) < 2, (
    "the smallest slip, σ for σ², moves the KL by less than two nats"
)
assert slip_distance["the −1 left out"] > 200, "a missing −1 is caught hundreds of SE away"
assert torch.allclose(
    slips["the −1 left out"] - kl, torch.full_like(kl, LATENT_DIM / 2), atol=1e-4
), "the −1 left out shifts every image's KL by d/2 = 10 nats"

# %% [markdown]
# The smallest slip, $\sigma$ for $\sigma^2$, moves the KL by less than two nats, yet every
# slip is caught: on its worst image it lands dozens of standard errors from the estimate, far
# outside the 4-SE test above, and the missing $-1$ hundreds. The Monte-Carlo check is sharp
# enough to catch the errors one actually makes.
#
# ## 3.4 Check 2: `torch.distributions`
#
# PyTorch registers closed-form KL divergences between pairs of distributions. For two
# `Normal`s it evaluates the general formula for
# $\operatorname{KL}\big(\mathcal{N}(\mu_1, \sigma_1^2) \,\|\, \mathcal{N}(\mu_2, \sigma_2^2)\big)$
# (exercise 1), coordinate by coordinate; summing over the $d$ coordinates must give ours.

# %%
torch_kl = kl_divergence(q, prior).sum(dim=-1)  # (batch,)
max_gap = (torch_kl - kl).abs().max().item()
print(f"largest |vaelib − torch.distributions| = {max_gap:.1e} nats")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert torch.allclose(kl, torch_kl, rtol=1e-5, atol=1e-5), (
    "vaelib and torch.distributions agree to float32 round-off"
)

# %% [markdown]
# The two agree to float32 round-off. Both checks are also part of the library's test suite
# (`tests/test_losses.py`), so the formula is pinned there too.
#
# ## 3.5 The KL as a landscape
#
# Since the KL is a sum over dimensions, one dimension tells the whole story. Its gradient with
# respect to the mean and the standard deviation is
#
# $$
# \frac{\partial \operatorname{KL}}{\partial \mu} = \mu,
# \qquad
# \frac{\partial \operatorname{KL}}{\partial \sigma}
#   = \frac{\partial}{\partial \sigma}
#     \Big[-\tfrac12\big(1 + 2\log\sigma - \mu^2 - \sigma^2\big)\Big]
#   = \sigma - \frac{1}{\sigma}.
# $$
#
# The first pulls the mean linearly towards 0. The second is negative for $\sigma < 1$ and
# positive for $\sigma > 1$: it pushes every standard deviation towards 1, and it pushes ever
# harder as $\sigma \to 0$, where the gradient grows like $-1/\sigma$. Autograd on
# `vaelib.gaussian_kl_per_dim` agrees:

# %%
mu_1 = torch.tensor([[1.5]], requires_grad=True)  # one image, one dimension
sigma_1 = torch.tensor([[0.2]], requires_grad=True)
vaelib.gaussian_kl_per_dim(mu_1, 2 * torch.log(sigma_1)).sum().backward()
expected_mu, expected_sigma = 1.5, 0.2 - 1 / 0.2
print(f"∂KL/∂μ = {mu_1.grad.item():.3f} (formula {expected_mu:.3f})")
print(f"∂KL/∂σ = {sigma_1.grad.item():.3f} (formula {expected_sigma:.3f})")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert math.isclose(mu_1.grad.item(), expected_mu, rel_tol=1e-5), "autograd agrees: ∂KL/∂μ = μ"
assert math.isclose(sigma_1.grad.item(), expected_sigma, rel_tol=1e-5), (
    "autograd agrees: ∂KL/∂σ = σ − 1/σ"
)

# %% [markdown]
# The figure draws the KL of one dimension over a grid of $(\mu, \sigma)$, with streamlines
# along $-\nabla \operatorname{KL}$ in $(\mu, \sigma)$: the path plain gradient descent on the KL
# term alone would take if the encoder output $\sigma$ itself. All paths end at the star,
# $(\mu, \sigma) = (0, 1)$: the KL is convex in $(\mu, \sigma)$ (its second derivatives are $1$
# and $1 + 1/\sigma^2$, with no cross term), so the flow has nowhere else to stop. Our encoder
# outputs $\log\sigma^2$ instead (section 3.6); the KL is convex in $(\mu, \log\sigma^2)$ too
# (second derivatives $1$ and $\sigma^2/2$), so its descent reaches the same star, by other
# paths. The contours are bowls in $\mu$ but lopsided in $\sigma$: steeper below $\sigma = 1$
# than above it.

# %%
SIGMA_RANGE = (0.05, 3.0)  # the figure's σ axis
plots.plot_kl_landscape(sigma_range=SIGMA_RANGE)

# %% [markdown]
# How lopsided? Half a unit below the optimum and half a unit above it, at $\mu = 0$:

# %%
sigma_pair = torch.tensor([[0.5, 1.5]], requires_grad=True)  # σ = 1 ∓ 0.5
kl_pair = vaelib.gaussian_kl_per_dim(torch.zeros(1, 2), 2 * torch.log(sigma_pair))
kl_pair.sum().backward()
slope_pair = sigma_pair.grad[0]
for s, k, g in zip(sigma_pair[0].tolist(), kl_pair[0].tolist(), slope_pair.tolist()):
    print(f"σ = {s:.1f}: KL = {k:.3f} nats, ∂KL/∂σ = {g:+.2f}")
kl_ratio, slope_ratio = kl_pair[0, 0] / kl_pair[0, 1], -slope_pair[0] / slope_pair[1]
print(f"below / above: KL {kl_ratio:.1f}x, slope {slope_ratio:.1f}x")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert kl_ratio > 1 and slope_ratio > 1, (
    "at the same distance from σ = 1, both the KL and its slope are larger below than above"
)

# %% [markdown]
# At the same distance from $\sigma = 1$, both the KL and its slope are larger below than above
# (the ratios are printed): shrinking a posterior costs more than widening it by as much.
#
# This is the whole of what the KL term wants: every image's posterior should be the prior,
# the same $\mathcal{N}(0, I)$ for every $x$. Taken alone it would make the code carry no
# information about $x$ at all. It is the reconstruction term that pulls the other way: to
# reconstruct $x$, the decoder needs posteriors that differ from image to image (means apart,
# standard deviations small). Every VAE sits at a compromise between the two, and $\beta$ sets
# the exchange rate; [chapter 5](05_posterior_collapse.ipynb) shows what happens when the KL
# side wins.
#
# The landscape also puts a price on information. Take a dimension whose posterior is sharp,
# $\sigma = 0.1$, and whose mean sits one prior standard deviation out, $\mu = 1$. Its KL splits
# into the offset's part $\tfrac12\mu^2$ and the sharpness's part
# $\tfrac12(\sigma^2 - 1 - \log\sigma^2)$, which we get by evaluating the KL with one of the
# two at its prior value:

# %%
MU_EXAMPLE, SIGMA_EXAMPLE = 1.0, 0.1
mu_ex = torch.tensor([[MU_EXAMPLE]])
log_var_sharp = torch.tensor([[math.log(SIGMA_EXAMPLE**2)]])
offset_part = vaelib.gaussian_kl_per_dim(mu_ex, torch.zeros(1, 1)).item()
sharp_part = vaelib.gaussian_kl_per_dim(torch.zeros(1, 1), log_var_sharp).item()
both = vaelib.gaussian_kl_per_dim(mu_ex, log_var_sharp).item()
print(f"offset μ = {MU_EXAMPLE}: {offset_part:.2f} nats", end="   ")
print(f"sharpness σ = {SIGMA_EXAMPLE}: {sharp_part:.2f} nats")
print(f"both: {both:.2f} nats; sharpness / offset = {sharp_part / offset_part:.1f}")
equal_offset = math.sqrt(2 * sharp_part)  # the μ whose offset part ½μ² equals the sharpness part
print(
    f"a mean {equal_offset:.1f} prior standard deviations out costs as much as σ = {SIGMA_EXAMPLE}"
)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert math.isclose(both, offset_part + sharp_part, rel_tol=1e-5), "the two parts add"
assert sharp_part > 3 * offset_part, (
    "here sharpness costs more than three times as much as the offset"
)
assert 1.85 < equal_offset < 1.95, (
    "σ = 0.1 costs as much as a mean about 1.9 standard deviations out"
)

# %% [markdown]
# The two parts add, and here sharpness costs more than three times as much as the offset:
# pinning $z$ down to $\sigma = 0.1$ costs as much as moving the mean about 1.9 prior standard
# deviations out. Which of the two the KL charges more for depends on the posterior; both parts
# grow without bound, the offset part as $|\mu| \to \infty$ and the sharpness part as
# $\sigma \to 0$.
#
# The figure below lets you move $\mu$ and $\sigma$ yourself. It starts at the example above and
# recomputes the two parts and their sum as you drag the sliders; it runs in your browser, so it
# moves in the book's web pages and in Jupyter or Colab, though not in a printed copy.

# %%
interactive.kl_explorer(mu=MU_EXAMPLE, sigma=SIGMA_EXAMPLE)

# %% [markdown]
# ## 3.6 Why the encoder outputs $\log \sigma^2$
#
# The encoder's last layer is linear, so its outputs can be any real numbers. We need a
# *positive* standard deviation. There are three reasons to read the output as $\log \sigma^2$
# and compute $\sigma = \exp(\tfrac12 \log \sigma^2)$, as `VAE.reparameterize` does, rather than to
# read it as $\sigma$ directly.
#
# **1. Positivity for free.** Every real number is a valid $\log \sigma^2$. Read as $\sigma$, a
# negative or zero output is not a standard deviation at all: $\sigma = 0$ gives
# $\log\sigma^2 = -\infty$ and an infinite KL (in training, `fit` stops on it as a divergence),
# and `torch.distributions` refuses any $\sigma \le 0$ outright.

# %%
raw = torch.tensor([[-1.0, 0.0, 0.5, 2.0]])  # four possible outputs of a linear layer
kl_as_logvar = vaelib.gaussian_kl_per_dim(torch.zeros_like(raw), raw)
print("read as log σ²: σ =", [f"{v:.2f}" for v in torch.exp(0.5 * raw)[0].tolist()])
kl_shown = kl_as_logvar[0] + 0.0  # + 0.0 prints −0.00 as 0.00
print("                KL =", [f"{v:.2f}" for v in kl_shown.tolist()])
logvar_of_sigma = torch.log(raw**2)
print("read as σ:      log σ² =", [f"{v:.2f}" for v in logvar_of_sigma[0].tolist()])
kl_as_sigma = vaelib.gaussian_kl_per_dim(torch.zeros_like(raw), logvar_of_sigma)
print("                KL =", [f"{v:.2f}" for v in (kl_as_sigma[0] + 0.0).tolist()])
try:
    Normal(0.0, raw[0])
    normal_refuses = False
except ValueError:
    normal_refuses = True
print("torch.distributions.Normal refuses these σ:", normal_refuses)
wide_logvar = torch.linspace(-30.0, 30.0, 61).unsqueeze(0)  # far beyond any trained encoder
kl_wide = vaelib.gaussian_kl_per_dim(torch.zeros_like(wide_logvar), wide_logvar)
assert torch.isfinite(kl_wide).all() and (kl_wide >= 0).all(), (
    "every real number is a valid log σ²: from −30 to 30 the KL is finite and non-negative"
)
assert torch.isinf(kl_as_sigma[0, 1]) and normal_refuses, (
    "read as σ, a zero output gives an infinite KL, and torch.distributions refuses σ ≤ 0"
)
signed_sigma = torch.tensor([[-1.0, 1.0]], requires_grad=True)
kl_signed = vaelib.gaussian_kl_per_dim(torch.zeros(1, 2), torch.log(signed_sigma**2))
kl_signed.sum().backward()
for i, s in enumerate(signed_sigma[0].tolist()):
    print(
        f"σ = {s:+.0f}: KL {kl_signed[0, i].abs():.2f} nats, "
        f"∂KL/∂σ {signed_sigma.grad[0, i].abs():.2f}"
    )
assert kl_signed.abs().max() < 1e-6 and signed_sigma.grad.abs().max() < 1e-6, (
    "a formula that only sees σ² gives σ = −1 what it gives σ = 1: zero KL and zero gradient"
)
near_zero = torch.tensor([[-0.01, 0.01]], requires_grad=True)  # σ just either side of zero
vaelib.gaussian_kl_per_dim(torch.zeros(1, 2), torch.log(near_zero**2)).sum().backward()
after_step = (near_zero - 0.1 * near_zero.grad).detach()[0]  # one step, learning rate 0.1
print(
    f"one step on the KL (learning rate 0.1): σ = -0.01 → {after_step[0]:.2f}, "
    f"σ = 0.01 → {after_step[1]:.2f}"
)

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert (after_step - torch.tensor([-10.0, 10.0])).abs().max() < 1, (
    "the step throws σ = 0.01 to about 10 and σ = −0.01 to about −10: neither crosses zero"
)

# %% [markdown]
# Worse, a formula that only sees $\sigma^2$ gives $\sigma = -1$ what it gives $\sigma = 1$:
# zero KL and a zero gradient. $\sigma = -1$ is a second minimum, as good as $\sigma = 1$, and
# for $-1 < \sigma < 0$ the KL term pulls $\sigma$ towards $-1$, not back to positive values.
# Nor does a step on the KL term alone carry $\sigma$ across zero, where the KL is infinite: with
# a learning rate $\eta \le 1$ it maps $\sigma$ to $(1 - \eta)\sigma + \eta/\sigma$, which has the
# sign of $\sigma$. The step printed above, with $\eta = 0.1$, throws $\sigma = 0.01$ to about 10
# and $\sigma = -0.01$ to about $-10$: neither crosses zero. Clamping, `abs` or a softplus can
# repair positivity, but the logarithm also fixes the next two problems.
#
# **2. The range a network can produce.** A posterior standard deviation is close to 1 in a
# dimension the model does not use and smaller, the more informative the dimension, with no
# lower limit: the sharper the model, the smaller its $\sigma$s
# ([chapter 4](04_vae_mnist.ipynb) prints percentiles of a trained model's). In $\log\sigma^2$,
# numbers that differ by orders of magnitude become evenly spaced numbers of moderate size,
# exactly what a linear layer produces easily: three orders of magnitude of $\sigma$, from
# $0.001$ to $1$, become the interval from $2 \ln 0.001 \approx -13.8$ to $0$.

# %%
sigmas = torch.tensor([1e-3, 1e-2, 1e-1, 1.0, 3.0])
logvars = torch.log(sigmas**2)
for s, lv in zip(sigmas.tolist(), logvars.tolist()):
    print(f"σ = {s:7.3f}   log σ² = {lv:6.2f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert abs(logvars[0] + 13.8) < 0.05 and logvars[3] == 0, (
    "from 0.001 to 1, σ becomes log σ² from about −13.8 to 0"
)

# %% [markdown]
# **3. Gradients.** With respect to $\sigma$, the KL's gradient $\sigma - 1/\sigma$ explodes as
# the posterior sharpens. With respect to $v = \log\sigma^2$ (so $\sigma^2 = e^{v}$),
#
# $$
# \frac{\partial \operatorname{KL}}{\partial v}
#   = \frac{\partial}{\partial v}\Big[-\tfrac12\big(1 + v - \mu^2 - e^{v}\big)\Big]
#   = \tfrac12\big(\sigma^2 - 1\big) \;\ge\; -\tfrac12,
# $$
#
# bounded on the side where the informative dimensions live. We compute both gradients with
# autograd:

# %%
sigma_leaf = sigmas.clone().requires_grad_(True)
logvar_leaf = logvars.clone().requires_grad_(True)
zeros = torch.zeros(1, len(sigmas))
vaelib.gaussian_kl_per_dim(zeros, 2 * torch.log(sigma_leaf).unsqueeze(0)).sum().backward()
vaelib.gaussian_kl_per_dim(zeros, logvar_leaf.unsqueeze(0)).sum().backward()
for s, g_sigma, g_logvar in zip(
    sigmas.tolist(), sigma_leaf.grad.tolist(), logvar_leaf.grad.tolist()
):
    print(f"σ = {s:7.3f}   ∂KL/∂σ = {g_sigma:9.2f}   ∂KL/∂log σ² = {g_logvar:6.3f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert torch.allclose(sigma_leaf.grad, sigmas - 1 / sigmas), (
    "with respect to σ, the KL's gradient is σ − 1/σ, which explodes as the posterior sharpens"
)
assert torch.allclose(logvar_leaf.grad, 0.5 * (sigmas**2 - 1)), (
    "with respect to log σ², the gradient is ½(σ² − 1), bounded below by −½"
)

# %% [markdown]
# What that means for an optimiser: take one plain gradient step on the KL of a dimension
# with $\sigma = 0.01$, with a learning rate of $0.1$, in each parameterisation.

# %%
LR, SIGMA_0 = 0.1, 0.01
sigma_param = torch.tensor([[SIGMA_0]], requires_grad=True)
logvar_param = torch.tensor([[math.log(SIGMA_0**2)]], requires_grad=True)
vaelib.gaussian_kl_per_dim(torch.zeros(1, 1), 2 * torch.log(sigma_param)).sum().backward()
vaelib.gaussian_kl_per_dim(torch.zeros(1, 1), logvar_param).sum().backward()
sigma_after_sigma_step = (sigma_param - LR * sigma_param.grad).item()
sigma_after_logvar_step = torch.exp(0.5 * (logvar_param - LR * logvar_param.grad)).item()
print(f"step in σ:      σ goes from {SIGMA_0} to {sigma_after_sigma_step:.2f}")
print(f"step in log σ²: σ goes from {SIGMA_0} to {sigma_after_logvar_step:.4f}")

# %% mystnb={"code_prompt_show": "Show the claims this cell checks"} tags=["hide-input"]
assert 9 < sigma_after_sigma_step < 11, "one step in σ lands about ten times wider than the prior"
assert 1.02 * SIGMA_0 < sigma_after_logvar_step < 1.05 * SIGMA_0, (
    "in log σ², the same step moves σ by a few per cent, in the right direction"
)

# %% [markdown]
# In $\sigma$, one step throws the posterior from very sharp, far past the optimum, to
# about ten times wider than the prior: the information this dimension carried is wiped out in
# one update. In $\log\sigma^2$, the same step moves $\sigma$ by a few per cent, in the right
# direction, and the reconstruction term has time to push back. A step in $\log \sigma^2$ is a
# *relative* change of $\sigma$, the natural scale for a quantity that spans orders of
# magnitude.
#
# The logarithm is not free of hazards: in the other direction $\partial\operatorname{KL}/\partial v
# = \tfrac12(\sigma^2 - 1)$ grows like $e^{v}/2$, and $\exp$ overflows for large $v$. The same
# gradient is positive for every $\sigma > 1$, so the KL term itself pushes a wide posterior back
# towards 1; a $\log\sigma^2$ that runs away upward anyway is one way a training run ends in NaN
# losses, and `vaelib.fit` then stops with a `TrainingDivergedError` that names the step.
#
# ## Summary
#
# - For one dimension,
#   $\operatorname{KL}\big(\mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, 1)\big)
#   = -\tfrac12(1 + \log\sigma^2 - \mu^2 - \sigma^2)$: the expectation of a log-ratio of two
#   Gaussian densities needs only the first two moments of $q$.
# - For a diagonal Gaussian against $\mathcal{N}(0, I)$, the KL is the sum of the $d$
#   one-dimensional KLs, because both densities factorise.
# - The closed form `vaelib.gaussian_kl` agrees with a Monte-Carlo estimate to within a few
#   standard errors and with `torch.distributions.kl_divergence` to round-off.
# - The KL is $\ge 0$ with equality only at $\mu = 0$, $\sigma = 1$; its gradient pulls every
#   posterior to the prior, linearly in $\mu$ and, as $\sigma \to 0$, with a gradient like
#   $-1/\sigma$. Only the
#   reconstruction term stops it from erasing the code.
# - Reading the encoder's output as $\log\sigma^2$ gives positivity for free, a comfortable
#   numerical range and a gradient bounded by $-\tfrac12$ on the sharp-posterior side.
#
# ## Exercises
#
# **1.** Derive the KL between two univariate Gaussians,
# $\operatorname{KL}\big(\mathcal{N}(\mu_1, \sigma_1^2) \,\|\, \mathcal{N}(\mu_2, \sigma_2^2)\big)$,
# and check that it reduces to our formula for $\mu_2 = 0$, $\sigma_2 = 1$.
#
# ```{admonition} Solution
# :class: dropdown
#
# The same four steps. The log-ratio is
#
# $$
# \log\frac{\sigma_2}{\sigma_1} - \frac{(z-\mu_1)^2}{2\sigma_1^2} + \frac{(z-\mu_2)^2}{2\sigma_2^2}.
# $$
#
# Under $q$, $\mathbb{E}[(z-\mu_1)^2] = \sigma_1^2$ and
# $\mathbb{E}[(z-\mu_2)^2] = \sigma_1^2 + (\mu_1-\mu_2)^2$, so
#
# $$
# \operatorname{KL} = \log\frac{\sigma_2}{\sigma_1}
#   + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12 .
# $$
#
# With $\mu_2 = 0$, $\sigma_2 = 1$ it is
# $-\tfrac12\log\sigma_1^2 + \tfrac12(\sigma_1^2 + \mu_1^2) - \tfrac12$
# $= -\tfrac12(1 + \log\sigma_1^2 - \mu_1^2 - \sigma_1^2)$. This general formula is what
# `torch.distributions.kl_divergence` evaluates for two `Normal`s.
# ```
#
# **2.** The KL is not symmetric. Compute $\operatorname{KL}\big(\mathcal{N}(0, 1) \,\|\,
# \mathcal{N}(\mu, \sigma^2)\big)$ and compare its behaviour with ours as $\sigma \to 0$ and as
# $\sigma \to \infty$. Which direction would punish a sharp posterior more?
#
# ```{admonition} Solution
# :class: dropdown
#
# From exercise 1 with the roles swapped:
# $\operatorname{KL}(p \,\|\, q) = \log\sigma + \frac{1 + \mu^2}{2\sigma^2} - \frac12$.
# As $\sigma \to 0$ it grows like $(1 + \mu^2)/(2\sigma^2)$, far faster than our
# $-\log\sigma$: the reverse direction punishes a sharp posterior much more, because $q$ then
# puts almost no density where $p$ has mass. As $\sigma \to \infty$ it grows only like
# $\log\sigma$, while ours grows like $\sigma^2/2$. The ELBO (chapter 2) fixes the direction: it
# contains $\operatorname{KL}(q \,\|\, p)$, the expectation under the encoder's $q$.
# ```
#
# **3.** Some implementations have the encoder output $\sigma = \operatorname{softplus}(o)
# = \log(1 + e^{o})$ instead of $\log \sigma^2$. Compute $\partial \operatorname{KL}/\partial o$ and
# say how it behaves as $\sigma \to 0$.
#
# ```{admonition} Solution
# :class: dropdown
#
# By the chain rule,
# $\partial \operatorname{KL}/\partial o = (\sigma - 1/\sigma) \operatorname{sigmoid}(o)$,
# and $\operatorname{sigmoid}(o) = 1 - e^{-\sigma} \approx \sigma$ when
# $\sigma$ is small. So $\partial \operatorname{KL}/\partial o \approx \sigma^2 - 1 \to -1$:
# bounded, like the $\log\sigma^2$ parameterisation (whose limit is $-\tfrac12$). The reason is
# that for small $\sigma$, softplus behaves like $\exp$ ($\sigma \approx e^{o}$, so
# $o \approx \log\sigma$ and steps in $o$ are relative changes of $\sigma$), while for large
# $\sigma$ it is close to the identity, which avoids the overflow of $\exp$ on the wide side.
# ```
