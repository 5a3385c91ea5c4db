"""Synthetic datasets, one-hot labels, the train/validation split and mini-batching."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import data


def test_xor_corners():
    X, y = data.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_noisy_xor_labels_follow_the_nearest_corner():
    X, y = data.xor(n=200, noise=0.1, seed=3)
    assert X.shape == (200, 2) and y.shape == (200,)
    corner = np.round(X).clip(0, 1)  # noise 0.1 rarely crosses the 0.5 midline
    agree = np.mean(y == (corner[:, 0] != corner[:, 1]))
    assert agree > 0.97
    assert 0.35 < y.mean() < 0.65


@pytest.mark.parametrize("make", [
    lambda s: data.xor(50, noise=0.2, seed=s), lambda s: data.moons(60, seed=s),
    lambda s: data.spiral(3, n_per_class=20, seed=s), lambda s: data.sine(30, seed=s),
])
def test_datasets_are_seeded(make):
    (Xa, ya), (Xb, yb), (Xc, _) = make(1), make(1), make(2)
    assert np.array_equal(Xa, Xb) and np.array_equal(ya, yb)
    assert not np.array_equal(Xa, Xc)


def test_moons_shapes_and_balance():
    X, y = data.moons(101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and set(y) == {0, 1}
    # Without noise, class 0 lies on the unit circle's top half, class 1 on the shifted one.
    top, bottom = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*top.T), 1.0)
    assert np.all(top[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1, bottom[:, 1] - 0.5), 1.0)
    assert np.all(bottom[:, 1] <= 0.5)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_spiral_has_k_equal_classes(k):
    X, y = data.spiral(k, n_per_class=40, seed=0)
    assert X.shape == (40 * k, 2)
    np.testing.assert_array_equal(np.bincount(y), [40] * k)
    radius = np.hypot(*X.T)
    assert radius.min() >= 0.05 - 1e-12 and radius.max() <= 1.0 + 1e-12


def test_sine_is_sine_plus_noise():
    X, Y = data.sine(2000, noise=0.1, seed=0)
    assert X.shape == Y.shape == (2000, 1)
    assert X.min() >= -np.pi and X.max() <= np.pi
    residual = Y - np.sin(X)
    assert residual.std() == pytest.approx(0.1, rel=0.1)
    assert abs(residual.mean()) < 4 * 0.1 / np.sqrt(2000)


def test_one_hot():
    np.testing.assert_array_equal(data.one_hot([2, 0, 1]), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert data.one_hot([0, 1], k=4).shape == (2, 4)


def test_train_val_split_partitions_the_rows():
    X = np.arange(20.0)[:, None]
    y = np.arange(20) * 10
    (Xt, yt), (Xv, yv) = data.train_val_split(X, y, val_fraction=0.25, seed=0)
    assert len(Xv) == 5 and len(Xt) == 15
    np.testing.assert_array_equal(yt, Xt[:, 0] * 10)  # rows stay paired with their labels
    np.testing.assert_array_equal(yv, Xv[:, 0] * 10)
    assert sorted(np.concatenate([Xt[:, 0], Xv[:, 0]])) == list(range(20))


def _batches(n, batch_size, **kw):
    X = np.arange(n)[:, None] * 1.0
    Y = np.arange(n) * 10
    return list(data.minibatches(X, Y, batch_size, **kw))


@pytest.mark.parametrize(("n", "batch_size"), [(10, 3), (12, 4), (5, 8), (1, 1)])
def test_minibatches_yield_every_row_exactly_once(n, batch_size):
    batches = _batches(n, batch_size, rng=np.random.default_rng(0))
    sizes = [len(Xb) for Xb, _ in batches]
    assert len(batches) == -(-n // batch_size)
    assert all(s == batch_size for s in sizes[:-1])
    assert sizes[-1] == n - batch_size * (len(batches) - 1)  # the remainder, maybe smaller
    seen = np.concatenate([Xb[:, 0] for Xb, _ in batches])
    assert sorted(seen) == list(range(n))
    for Xb, Yb in batches:
        np.testing.assert_array_equal(Yb, Xb[:, 0] * 10)


def test_minibatches_shuffle_with_the_given_rng():
    a = _batches(30, 7, rng=np.random.default_rng(4))
    b = _batches(30, 7, rng=np.random.default_rng(4))
    c = _batches(30, 7, rng=np.random.default_rng(5))
    order = [np.concatenate([Xb[:, 0] for Xb, _ in bs]) for bs in (a, b, c)]
    assert np.array_equal(order[0], order[1])
    assert not np.array_equal(order[0], order[2])
    assert not np.array_equal(order[0], np.arange(30))


def test_minibatches_without_shuffle_keep_the_order():
    batches = _batches(7, 3, shuffle=False)
    assert [Xb[:, 0].tolist() for Xb, _ in batches] == [[0, 1, 2], [3, 4, 5], [6]]
