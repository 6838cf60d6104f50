"""Training: the book's one loop, what it records, and the trained models kept between runs.

- `loop`: `fit`, `evaluate` (chapter 4) and `sweep_beta` (chapter 6);
- `history`: `History`, what `fit` records epoch by epoch;
- `divergence`: the guard that stops a run whose loss is NaN or explodes (chapter 3);
- `experiments`: `train_vae`, `train_autoencoder`, `summarise_vae`, optionally cached;
- `burda`: Burda et al.'s model and schedule, and its likelihood curve (chapter 13);
- `model_cache`: trained models on disk, keyed on `TRAINING_CODE_VERSION` and the settings;
- `checkpoints`: `save_model` and `load_model`.

The public names are used as `vaelib.fit`, `vaelib.train_vae`, … .
"""
