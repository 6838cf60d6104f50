"""vaelib: the model, loss, data, training, metrics and plotting code of the VAE textbook.

The modules follow the flow of a chapter, and lower ones never import higher ones:
`data` → `models` → `losses` → `train` (and `checkpoints`) → `metrics` → `plots`.
"""

from vaelib.checkpoints import load_model, save_model
from vaelib.device import pick_device
from vaelib.data import (
    DATA_ENV_VAR,
    CorruptDataError,
    DataNotFoundError,
    ImageData,
    default_data_dir,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
    pixel_interpolation,
)
from vaelib.losses import (
    LossParts,
    autoencoder_loss,
    bernoulli_entropy,
    gaussian_kl,
    gaussian_kl_per_dim,
    reconstruction_loss,
    vae_loss,
)
from vaelib.metrics import (
    active_units,
    collapse_onset,
    encode_dataset,
    iwae_log_likelihood,
    kl_per_dimension,
    latent_activity,
    nearest_code_distance,
    nearest_neighbour_distance,
    normal_ks_distance,
    reconstruction_gain_per_dimension,
    total_variation,
)
from vaelib.models import VAE, Autoencoder, MLPConfig, latent_interpolation
from vaelib.train import (
    History,
    TrainingDivergedError,
    evaluate,
    fit,
    seed_everything,
    sweep_beta,
)

__version__ = "0.1.0"

__all__ = [
    "DATA_ENV_VAR",
    "VAE",
    "Autoencoder",
    "CorruptDataError",
    "DataNotFoundError",
    "History",
    "ImageData",
    "LossParts",
    "MLPConfig",
    "TrainingDivergedError",
    "active_units",
    "autoencoder_loss",
    "collapse_onset",
    "bernoulli_entropy",
    "default_data_dir",
    "encode_dataset",
    "evaluate",
    "fit",
    "gaussian_kl",
    "gaussian_kl_per_dim",
    "iwae_log_likelihood",
    "kl_per_dimension",
    "latent_activity",
    "latent_interpolation",
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "load_model",
    "nearest_code_distance",
    "nearest_neighbour_distance",
    "normal_ks_distance",
    "pick_device",
    "pixel_interpolation",
    "reconstruction_gain_per_dimension",
    "reconstruction_loss",
    "save_model",
    "seed_everything",
    "sweep_beta",
    "total_variation",
    "vae_loss",
]
