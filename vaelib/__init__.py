"""vaelib: the data, models, losses, training, measures and plots of the VAE textbook.

The folders follow the book's story: `data` (the images) → `models` → `losses` → `train` (the one
loop, its history and the trained models kept on disk) → `measures` (the numbers the chapters
state) → `plots` and `interactive` (the figures). `_support` holds what all of them use: argument
checks, devices and seeds; `listing` shows the library's source in a chapter. Each subpackage's
docstring lists its modules and the chapters that use them.

Every public name is defined in one module and used as `vaelib.X` (figures as `vaelib.plots.X`);
this file is the only place that re-exports it (`plots/` and `interactive/` do the same for their
figures), and its imports below say where each one lives.
"""

from vaelib._support.device import DeviceNotAvailableError, available_devices, pick_device
from vaelib._support.seeding import (
    SEED_ENV_VAR,
    effective_seed,
    seed_everything,
    seed_offset,
    seeded_generator,
)
from vaelib.data.binarize import binarize, binarized
from vaelib.data.blur import gaussian_blur
from vaelib.data.files import DATA_ENV_VAR, CorruptDataError, DataNotFoundError, DataPermissionError
from vaelib.data.image_grid import image_grid
from vaelib.data.loading import (
    ImageData,
    default_data_dir,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
    pixel_interpolation,
)
from vaelib.data.shapes import ShapesData, load_shapes
from vaelib.listing import show_source
from vaelib.losses.elbo import (
    LossParts,
    autoencoder_loss,
    bernoulli_entropy,
    gaussian_kl,
    gaussian_kl_per_dim,
    reconstruction_loss,
    vae_loss,
)
from vaelib.losses.iwae import iwae_loss
from vaelib.measures.classifier import (
    ImageClassifier,
    classifier_accuracy,
    classifier_cache_dir,
    train_classifier,
)
from vaelib.measures.codes import (
    active_units,
    collapse_onset,
    encode_dataset,
    kl_per_dimension,
    latent_activity,
    reconstruction_gain_per_dimension,
    total_variation,
)
from vaelib.measures.conditional import (
    class_analogies,
    within_class_correlation,
)
from vaelib.measures.disentanglement import (
    centre_of_mass,
    factor_entropy,
    latent_traversal,
    mig_per_factor,
    mutual_information_gap,
    mutual_information_matrix,
)
from vaelib.measures.distances import (
    nearest_code_distance,
    nearest_neighbour_distance,
    normal_ks_distance,
)
from vaelib.measures.grey_likelihood import grey_level_elbo
from vaelib.measures.inference_gap import InferenceGaps, inference_gaps, optimise_posterior
from vaelib.measures.likelihood import (
    importance_weighted_bound,
    iwae_gap_per_image,
    iwae_log_likelihood,
    log_importance_weights,
    per_image_log_likelihood,
)
from vaelib.measures.normalisation import bernoulli_log_mass, log_mass_bound
from vaelib.measures.probes import (
    between_class_variance,
    fano_lowest_error,
    grey_share,
    nearest_class_mean_accuracy,
    nearest_neighbour_accuracy,
)
from vaelib.measures.quality import (
    SampleQuality,
    confident_fraction,
    frechet_distance,
    grain,
    median_filter,
    sample_quality,
    sharpness,
)
from vaelib.measures.seeds import (
    permutation_p_value,
    rank_correlation,
    seed_spread,
    share_explained_by_setting,
    trend_p_value,
)
from vaelib.models.conditional import ConditionalVAE, conditional_vae_loss
from vaelib.models.conv import ConvConfig, ConvVAE
from vaelib.models.linear import LinearVAE, linear_vae_loss
from vaelib.models.mlp import VAE, Autoencoder, MLPConfig, eval_mode, latent_interpolation
from vaelib.models.ppca import (
    LinearVAEOptimum,
    Spectrum,
    data_spectrum,
    linear_log_likelihood,
    linear_vae_optimum,
    ppca_log_likelihood,
    ppca_model,
)
from vaelib.train.burda import (
    BURDA_CONFIG,
    BURDA_TABLE1,
    LikelihoodCurve,
    burda_schedule,
    train_burda,
)
from vaelib.train.checkpoints import load_model, save_model
from vaelib.train.divergence import TrainingDivergedError
from vaelib.train.experiments import summarise_vae, train_autoencoder, train_vae
from vaelib.train.history import History
from vaelib.train.loop import evaluate, fit, sweep_beta

__version__ = "0.1.0"

__all__ = [
    "BURDA_CONFIG",
    "BURDA_TABLE1",
    "InferenceGaps",
    "LikelihoodCurve",
    "binarize",
    "binarized",
    "burda_schedule",
    "inference_gaps",
    "optimise_posterior",
    "iwae_loss",
    "per_image_log_likelihood",
    "importance_weighted_bound",
    "log_importance_weights",
    "train_burda",
    "SEED_ENV_VAR",
    "effective_seed",
    "Autoencoder",
    "ConditionalVAE",
    "ConvConfig",
    "ConvVAE",
    "CorruptDataError",
    "DATA_ENV_VAR",
    "DataNotFoundError",
    "DataPermissionError",
    "DeviceNotAvailableError",
    "History",
    "ImageClassifier",
    "ImageData",
    "LinearVAE",
    "LinearVAEOptimum",
    "LossParts",
    "MLPConfig",
    "SampleQuality",
    "ShapesData",
    "Spectrum",
    "TrainingDivergedError",
    "VAE",
    "active_units",
    "autoencoder_loss",
    "available_devices",
    "bernoulli_entropy",
    "bernoulli_log_mass",
    "between_class_variance",
    "centre_of_mass",
    "class_analogies",
    "classifier_accuracy",
    "classifier_cache_dir",
    "collapse_onset",
    "confident_fraction",
    "conditional_vae_loss",
    "data_spectrum",
    "default_data_dir",
    "encode_dataset",
    "eval_mode",
    "evaluate",
    "factor_entropy",
    "fano_lowest_error",
    "fit",
    "frechet_distance",
    "gaussian_blur",
    "gaussian_kl",
    "gaussian_kl_per_dim",
    "grain",
    "grey_level_elbo",
    "grey_share",
    "image_grid",
    "iwae_gap_per_image",
    "iwae_log_likelihood",
    "kl_per_dimension",
    "latent_activity",
    "latent_interpolation",
    "latent_traversal",
    "linear_log_likelihood",
    "linear_vae_loss",
    "linear_vae_optimum",
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "load_model",
    "load_shapes",
    "log_mass_bound",
    "median_filter",
    "mig_per_factor",
    "mutual_information_gap",
    "mutual_information_matrix",
    "nearest_class_mean_accuracy",
    "nearest_code_distance",
    "nearest_neighbour_accuracy",
    "nearest_neighbour_distance",
    "normal_ks_distance",
    "permutation_p_value",
    "pick_device",
    "pixel_interpolation",
    "ppca_log_likelihood",
    "ppca_model",
    "rank_correlation",
    "reconstruction_gain_per_dimension",
    "reconstruction_loss",
    "sample_quality",
    "save_model",
    "seed_everything",
    "seed_offset",
    "seeded_generator",
    "seed_spread",
    "share_explained_by_setting",
    "show_source",
    "sharpness",
    "summarise_vae",
    "sweep_beta",
    "total_variation",
    "train_autoencoder",
    "train_classifier",
    "train_vae",
    "trend_p_value",
    "vae_loss",
    "within_class_correlation",
]
