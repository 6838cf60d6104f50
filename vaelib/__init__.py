"""vaelib: the model, loss, data, training, metrics and plotting code of the VAE textbook.

The modules follow the flow of a chapter, and lower ones never import higher ones:
`data` → `models` → `losses` → `train` (and `checkpoints`) → `metrics` → `plots`.
"""

from vaelib.binarize import binarize, binarized
from vaelib.blur import gaussian_blur
from vaelib.burda import (
    BURDA_CONFIG,
    BURDA_TABLE1,
    LikelihoodCurve,
    burda_schedule,
    train_burda,
)
from vaelib.checkpoints import load_model, save_model
from vaelib.classifier import (
    ImageClassifier,
    classifier_accuracy,
    classifier_cache_dir,
    train_classifier,
)
from vaelib.conditional import ConditionalVAE, conditional_vae_loss, encode_labelled_dataset
from vaelib.conditional_metrics import (
    class_analogies,
    conditional_active_units,
    conditional_kl_per_dimension,
    conditional_latent_activity,
    within_class_correlation,
)
from vaelib.conv import ConvConfig, ConvVAE
from vaelib.data import (
    DATA_ENV_VAR,
    CorruptDataError,
    DataNotFoundError,
    DataPermissionError,
    ImageData,
    default_data_dir,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
    pixel_interpolation,
)
from vaelib.device import DeviceNotAvailableError, available_devices, pick_device
from vaelib.disentanglement import (
    centre_of_mass,
    factor_entropy,
    latent_traversal,
    mig_per_factor,
    mutual_information_gap,
    mutual_information_matrix,
)
from vaelib.experiments import summarise_vae, train_autoencoder, train_vae
from vaelib.grey_likelihood import grey_level_elbo
from vaelib.image_grid import image_grid
from vaelib.inference_gap import InferenceGaps, inference_gaps, optimise_posterior
from vaelib.iwae import iwae_loss
from vaelib.likelihood import (
    importance_weighted_bound,
    log_importance_weights,
    per_image_log_likelihood,
)
from vaelib.linear import LinearVAE, linear_vae_loss
from vaelib.listing import show_source
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
    iwae_gap_per_image,
    iwae_log_likelihood,
    kl_per_dimension,
    latent_activity,
    nearest_code_distance,
    nearest_neighbour_distance,
    normal_ks_distance,
    reconstruction_gain_per_dimension,
    total_variation,
)
from vaelib.models import VAE, Autoencoder, MLPConfig, eval_mode, latent_interpolation
from vaelib.normalisation import bernoulli_log_mass, log_mass_bound
from vaelib.ppca import (
    LinearVAEOptimum,
    Spectrum,
    data_spectrum,
    linear_log_likelihood,
    linear_vae_optimum,
    ppca_log_likelihood,
    ppca_model,
)
from vaelib.probes import (
    between_class_variance,
    fano_lowest_error,
    grey_share,
    nearest_class_mean_accuracy,
    nearest_neighbour_accuracy,
)
from vaelib.quality import (
    SampleQuality,
    confident_fraction,
    frechet_distance,
    grain,
    median_filter,
    sample_quality,
    sharpness,
)
from vaelib.seeding import (
    SEED_ENV_VAR,
    effective_seed,
    seed_everything,
    seed_offset,
    seeded_generator,
)
from vaelib.seeds import (
    permutation_p_value,
    rank_correlation,
    seed_spread,
    share_explained_by_setting,
    trend_p_value,
)
from vaelib.shapes import ShapesData, load_shapes
from vaelib.train import (
    History,
    TrainingDivergedError,
    evaluate,
    fit,
    sweep_beta,
)

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
    "conditional_active_units",
    "conditional_kl_per_dimension",
    "conditional_latent_activity",
    "conditional_vae_loss",
    "data_spectrum",
    "default_data_dir",
    "encode_dataset",
    "encode_labelled_dataset",
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
