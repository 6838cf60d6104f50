import pytest
import torch

from vaelib import ImageData, load_shapes


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def test_default_grid_has_every_combination_of_shape_scale_x_and_y_once(shapes):
    assert len(shapes) == 3 * 4 * 8 * 8 == 768
    assert shapes.factor_names == ["shape", "scale", "x", "y"]
    assert shapes.factor_sizes == [3, 4, 8, 8]
    assert torch.unique(shapes.factors, dim=0).shape == (768, 4)


def test_images_are_28_by_28_grey_levels_in_0_1(shapes):
    assert isinstance(shapes, ImageData)
    assert shapes.images.shape == (768, 1, 28, 28)
    assert shapes.images.dtype == torch.float32
    assert shapes.images.min() == 0 and shapes.images.max() == 1


def test_factor_indices_span_their_ranges_and_values_are_in_pixels(shapes):
    assert shapes.factors.dtype == torch.int64
    assert shapes.factors.min(dim=0).values.tolist() == [0, 0, 0, 0]
    assert shapes.factors.max(dim=0).values.tolist() == [2, 3, 7, 7]
    assert shapes.factor_values[0] == ["square", "ellipse", "heart"]
    assert shapes.factor_values[1] == [3.0, 4.0, 5.0, 6.0]
    assert shapes.factor_values[2] == shapes.factor_values[3] == [7, 9, 11, 13, 15, 17, 19, 21]


def test_labels_are_the_shape_factor(shapes):
    assert torch.equal(shapes.labels, shapes.factors[:, 0])
    assert shapes.classes == ["square", "ellipse", "heart"]


def test_the_last_factor_changes_fastest_and_index_finds_a_factor_tuple(shapes):
    assert shapes.factors[:3].tolist() == [[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 2]]
    row = shapes.index(shape=2, scale=1, x=3, y=5)
    assert shapes.factors[row].tolist() == [2, 1, 3, 5]


def test_an_unrotated_square_fills_exactly_its_pixels():
    # radius 6 at centre (7, 7): a square of side 0.7·2·6 = 8.4 px covering x, y in [2.8, 11.2]
    shapes = load_shapes(scales=4, positions=8)
    image = shapes.images[shapes.index(shape=0, scale=3, x=0, y=0), 0]  # (28, 28), rows are y
    expected = torch.zeros(28, 28)
    expected[3:11, 3:11] = 1  # pixels wholly inside
    expected[2, 3:11] = expected[11, 3:11] = expected[3:11, 2] = expected[3:11, 11] = 0.25
    expected[2, 2] = expected[2, 11] = expected[11, 2] = expected[11, 11] = 0.0625
    assert torch.equal(image, expected)


def test_an_ellipse_lies_along_x_and_moves_with_the_y_factor(shapes):
    image = shapes.images[shapes.index(shape=1, scale=3, x=4, y=2), 0]  # centre (15, 11)
    rows, cols = image.sum(dim=1), image.sum(dim=0)  # mass per row (y) and per column (x)
    centre_y = (rows * (torch.arange(28) + 0.5)).sum() / rows.sum()
    centre_x = (cols * (torch.arange(28) + 0.5)).sum() / cols.sum()
    assert centre_x == pytest.approx(15, abs=1e-4) and centre_y == pytest.approx(11, abs=1e-4)
    assert (cols > 0).sum() > 1.8 * (rows > 0).sum()  # half-axes 6 px along x, 3 px along y


def test_area_grows_with_the_square_of_the_scale(shapes):
    area = shapes.images.sum(dim=(1, 2, 3))  # (n,)
    radii = torch.tensor(shapes.factor_values[1])[shapes.factors[:, 1]]
    ratio = area / radii**2  # constant for each shape, up to anti-aliasing
    for shape in range(3):
        r = ratio[shapes.labels == shape]
        assert r.max() / r.min() < 1.1
    square = ratio[shapes.labels == 0].mean()
    assert square == pytest.approx(1.4**2, rel=0.05)  # side 1.4 radii


def test_no_sprite_is_cut_off_by_the_border_even_when_rotated():
    shapes = load_shapes(scales=2, positions=2, rotations=8)  # the largest sprite at the edges
    border = torch.cat(
        [shapes.images[:, 0, [0, -1], :].flatten(1), shapes.images[:, 0, :, [0, -1]].flatten(1)],
        dim=1,
    )
    assert border.max() == 0


def test_rotation_is_a_factor_only_when_it_takes_several_values():
    shapes = load_shapes(scales=2, positions=3, rotations=4)
    assert shapes.factor_names == ["shape", "scale", "rotation", "x", "y"]
    assert shapes.factor_values[2] == [0.0, 22.5, 45.0, 67.5]
    assert len(shapes) == 3 * 2 * 4 * 3 * 3
    # a square turned by 45° is a diamond: wider at its middle row than at the row above
    image = shapes.images[shapes.index(shape=0, scale=1, rotation=2, x=1, y=1), 0]
    assert image[14].sum() > image[11].sum() > 0


def test_the_drawing_is_deterministic():
    assert torch.equal(load_shapes(positions=3).images, load_shapes(positions=3).images)


def test_subset_keeps_the_factors_of_the_chosen_images(shapes):
    part = shapes.subset(50, seed=0)
    assert len(part) == 50 and part.factor_names == shapes.factor_names
    for image, factors in zip(part.images[:5], part.factors[:5]):
        row = shapes.index(**dict(zip(shapes.factor_names, factors.tolist())))
        assert torch.equal(image, shapes.images[row])


def test_bad_arguments_name_the_argument(shapes):
    with pytest.raises(ValueError, match="rotations"):
        load_shapes(rotations=0)
    with pytest.raises(ValueError, match="exactly"):
        shapes.index(shape=0, scale=0, x=0)
    with pytest.raises(ValueError, match=r"x must be an integer index in \[0, 8\)"):
        shapes.index(shape=0, scale=0, x=8, y=0)


def test_every_factor_value_appears_equally_often(shapes):
    # the full grid, each combination once: the factors are uniform and independent
    for column, size in zip(shapes.factors.T, shapes.factor_sizes):
        assert (torch.bincount(column) == len(shapes) // size).all()
