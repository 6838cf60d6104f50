"""The objectives that training minimises, in nats per image.

- `elbo`: the reconstruction term, the Gaussian KL, `vae_loss` (β, free bits, capacity) and the
  autoencoder's loss (chapters 1–3), the entropy floor `bernoulli_entropy` (chapters 4 and 9);
- `iwae`: the IWAE objective (chapter 13);
- `objective`: `compute_loss`, the loss of a batch chosen by the model's type, for `fit`.

The public names are used as `vaelib.vae_loss`, `vaelib.gaussian_kl`, … .
"""
