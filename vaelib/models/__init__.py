"""The models of the book; each is a `torch.nn.Module` with a small config dataclass.

- `mlp`: the `Autoencoder` (chapter 1) and the `VAE` with its `MLPConfig` (chapters 2 on),
  `reparameterize`, `latent_interpolation` (chapter 8);
- `conditional`: the `ConditionalVAE` and its loss (chapter 11);
- `conv`: the `ConvVAE` (chapter 12);
- `linear`: the `LinearVAE` and its exact loss (chapter 14);
- `ppca`: probabilistic PCA, the linear VAE's closed-form optimum (chapter 14).

The public names are used as `vaelib.VAE`, `vaelib.ConvVAE`, … .
"""
