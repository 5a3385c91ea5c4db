"""Small synthetic datasets, made in code from a seed, and mini-batching.

Classification sets return ``(X, y)`` with integer labels ``y`` of shape (N,); the
regression set returns ``(X, Y)`` with both of shape (N, 1).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def xor(n: int = 4, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: label 1 where exactly one of the two inputs is 1.

    With ``n=4`` and no noise, the four corners of the unit square; otherwise n points
    drawn around the corners with Gaussian jitter of std ``noise``.
    """
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    rng = np.random.default_rng(seed)
    idx = np.arange(n) % 4 if n == 4 else rng.integers(0, 4, size=n)
    X = corners[idx] + noise * rng.standard_normal((n, 2))
    y = (corners[idx, 0] != corners[idx, 1]).astype(int)
    return X, y


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, n points in all (class 0 on top, class 1 below)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    top = np.stack([np.cos(t), np.sin(t)], axis=1)
    bottom = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, top, bottom) + noise * rng.standard_normal((n, 2))
    return X, y


def spiral(k: int = 3, n_per_class: int = 100, noise: float = 0.2, turns: float = 0.75,
           seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k interleaved spiral arms, one class each: no straight line separates them.

    Arm j starts at the centre and winds ``turns`` times round it, rotated by 2πj/k;
    ``noise`` jitters the angle (in radians, scaled by the radius).
    """
    if k < 2:
        raise ValueError(f"spiral needs at least 2 classes, got k={k}")
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.05, 1.0, n_per_class), k)
    y = np.repeat(np.arange(k), n_per_class)
    theta = 2 * np.pi * (turns * r + y / k) + noise * rng.standard_normal(r.size)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return X, y


def sine(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Regression: y = sin(x) + noise for x uniform in [-π, π]."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-np.pi, np.pi, (n, 1))
    return X, np.sin(X) + noise * rng.standard_normal((n, 1))


def one_hot(y, k: int | None = None) -> np.ndarray:
    """Integer labels (N,) as an (N, k) matrix of zeros with a 1 in each row's label column."""
    y = np.asarray(y, dtype=int)
    k = int(y.max()) + 1 if k is None else k
    bad = (y < 0) | (y >= k)
    if bad.any():
        raise ValueError(f"label {y[bad][0]} at position {int(np.argmax(bad))} is out of "
                         f"range for k={k} classes (labels must be 0..{k - 1})")
    out = np.zeros((y.size, k))
    out[np.arange(y.size), y] = 1.0
    return out


def train_val_split(X, Y, val_fraction: float = 0.2, seed: int = 0):
    """Shuffle once and hold out ``val_fraction`` of the rows: ``(X_tr, Y_tr), (X_val, Y_val)``."""
    X, Y = np.asarray(X), np.asarray(Y)
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} rows but Y has {len(Y)}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_val = max(1, int(round(val_fraction * len(X))))
    val, tr = order[:n_val], order[n_val:]
    return (X[tr], Y[tr]), (X[val], Y[val])


def minibatches(X, Y, batch_size: int, shuffle: bool = True,
                rng: np.random.Generator | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, Y_batch)`` so each row appears exactly once per pass (one epoch).

    Rows are shuffled first when ``shuffle`` (with ``rng``, or a fresh unseeded one); the
    last batch holds the remainder and may be smaller.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} rows but Y has {len(Y)}")
    n = len(X)
    order = (rng or np.random.default_rng()).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], Y[rows]
