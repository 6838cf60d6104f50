"""Measurements of data, codes and trained models: the numbers the chapters state.

- `codes`: latent codes, KL per dimension, active units, collapse onset, the reconstruction gain
  of each dimension (most chapters; introduced in chapters 4–6);
- `distances`: nearest neighbours in pixels and codes, the KS distance to N(0, 1) (chapters 1,
  2, 4 and 8);
- `likelihood`: the importance-weighted log-likelihood (chapters 2, 8 and 13);
- `normalisation`, `grey_likelihood`: the Bernoulli formula's mass over grey levels (chapters 8
  and 9);
- `inference_gap`: the approximation and amortisation gaps (chapter 13);
- `classifier`, `quality`: the book's classifier and the sample-quality scores (chapters 1, 2,
  4–9, 11 and 12);
- `probes`: what codes say about the class, the share of grey pixels (chapters 1, 4, 5, 8, 9, 11
  and 12);
- `conditional`: the measures of a conditional VAE (chapter 11);
- `disentanglement`: mutual information gap and traversals (chapter 10);
- `seeds`: statistics over seeds (chapter 10).

The public names are used as `vaelib.active_units`, `vaelib.sample_quality`, … .
"""
