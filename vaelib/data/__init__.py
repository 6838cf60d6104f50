"""The images the book learns from, as in-memory tensors, and what is done to them.

- `loading`: `ImageData`, `load_mnist`, `load_fashion_mnist` (every chapter; Fashion-MNIST in
  chapter 9) and `pixel_interpolation` (chapter 8);
- `files`: reading MNIST's IDX files, and the errors when one is missing or unusable;
- `shapes`: the synthetic sprites with known factors of chapter 10;
- `binarize`: binarised MNIST, seeded Bernoulli draws of the grey levels (chapter 13);
- `blur`: a Gaussian blur of images (chapter 8);
- `image_grid`: images laid out in one grid tensor, for `plots` and `interactive`.

The public names are used as `vaelib.load_mnist`, `vaelib.binarize`, … .
"""
