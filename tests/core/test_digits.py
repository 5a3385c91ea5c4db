"""data.digits: the shipped UCI handwritten digits load whole, scaled, and in order."""

import numpy as np

from bpcourse import data


def test_digits_has_1797_images_of_64_pixels_and_ten_classes():
    X, y = data.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    # The class sizes of the UCI test set, as its description lists them.
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_digits_pixels_are_sixteenths_in_the_unit_interval():
    X, _ = data.digits()
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(X * 16, np.round(X * 16))


def test_the_first_image_is_a_zero_drawn_as_a_ring():
    X, y = data.digits()
    first = (X[0] * 16).astype(int).reshape(8, 8)
    assert y[0] == 0
    assert first[0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    # A ring: ink on the left and right of the middle rows, none in the centre.
    assert first[3, 1] > 0 and first[3, 6] > 0 and first[3, 3] == 0 and first[3, 4] == 0
