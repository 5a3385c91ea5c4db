"""Small synthetic datasets, made in code from a seed, and mini-batching.

Classification sets return ``(X, y)`` with integer labels ``y`` of shape (N,); the
regression set returns ``(X, Y)`` with both of shape (N, 1).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import TypeGuard

import numpy as np


def is_real(value: object) -> TypeGuard[float]:
    """Whether ``value`` is a real number (Python or NumPy), and not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_whole(value: object) -> TypeGuard[int]:
    """Whether ``value`` is an integer (Python or NumPy), and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def checked_array(A, name: str, dtype=np.float64, where: str = "") -> np.ndarray:
    """``A`` as a real, finite array of ``dtype``, or a ValueError naming ``name``, what is
    wrong and the first entry where (``where`` says which layer the array belongs to).

    Complex, text or object arrays are refused rather than silently cast: casting complex
    drops the imaginary part, and NaN or inf would only surface later as a diverged loss,
    blamed on the learning rate.
    """
    raw = np.asarray(A)
    place = f"{name}{f' ({where})' if where else ''}"
    if np.issubdtype(raw.dtype, np.complexfloating):
        raise ValueError(f"{place} is complex (dtype {raw.dtype}, shape {raw.shape}); the "
                         "network works with real numbers")
    if not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool):
        try:
            raw = raw.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{place} holds {raw.dtype} values, not numbers "
                             f"(shape {raw.shape})") from None
    with np.errstate(over="ignore"):  # an overflow is reported below, by entry
        out = raw.astype(dtype, copy=False)
    if np.issubdtype(out.dtype, np.floating) and not np.all(np.isfinite(out)):
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(out))[0])
        kind = "NaN" if np.isnan(out[first]) else "inf"
        grew = (f" once converted to {out.dtype} (the value {raw[first]!r} is too large for "
                "it)" if np.isfinite(raw[first]) else "")
        raise ValueError(f"{place} contains {kind} at index {first}{grew} (shape "
                         f"{out.shape}); clean or drop those rows first")
    return out


def _count(value, name: str, least: int = 1) -> int:
    """A whole number >= ``least`` for argument ``name``, or a ValueError saying so."""
    if not is_whole(value) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    return int(value)


def _non_negative(value, name: str) -> float:
    if not is_real(value) or not (
            math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def xor(n: int = 4, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: label 1 where exactly one of the two inputs is 1.

    With ``n=4`` and no noise, the four corners of the unit square; otherwise n points
    drawn around the corners with Gaussian jitter of std ``noise``.
    """
    n, noise = _count(n, "n"), _non_negative(noise, "noise")
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    rng = np.random.default_rng(seed)
    idx = np.arange(n) % 4 if n == 4 else rng.integers(0, 4, size=n)
    X = corners[idx] + noise * rng.standard_normal((n, 2))
    y = (corners[idx, 0] != corners[idx, 1]).astype(int)
    return X, y


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, n points in all (class 0 on top, class 1 below)."""
    n, noise = _count(n, "n"), _non_negative(noise, "noise")
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
    if not is_whole(k) or k < 2:
        raise ValueError(f"spiral needs at least 2 classes (a whole number k >= 2), got k={k!r}")
    n_per_class = _count(n_per_class, "n_per_class")
    noise, turns = _non_negative(noise, "noise"), _non_negative(turns, "turns")
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.05, 1.0, n_per_class), k)
    y = np.repeat(np.arange(k), n_per_class)
    theta = 2 * np.pi * (turns * r + y / k) + noise * rng.standard_normal(r.size)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    return X, y


def sine(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Regression: y = sin(x) + noise for x uniform in [-π, π]."""
    n, noise = _count(n, "n"), _non_negative(noise, "noise")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-np.pi, np.pi, (n, 1))
    return X, np.sin(X) + noise * rng.standard_normal((n, 1))


def digits() -> tuple[np.ndarray, np.ndarray]:
    """1797 handwritten digits as 8×8 images: ``X`` of shape (1797, 64), pixels scaled to
    [0, 1] in reading order, and the digits ``y`` (0 to 9) of shape (1797,).

    The UCI data set (CC BY 4.0) shipped in ``bpcourse/datasets``; see its README. Every
    value is an exact sixteenth, so it loads the same on every machine.
    """
    import gzip
    from importlib.resources import files

    text = gzip.decompress((files("bpcourse") / "datasets" / "digits.csv.gz").read_bytes())
    raw = np.loadtxt(text.decode("ascii").splitlines(), delimiter=",", dtype=np.int64)
    return raw[:, :64] / 16.0, raw[:, 64]


def one_hot(y, k: int | None = None) -> np.ndarray:
    """Integer labels (N,) as an (N, k) matrix of zeros with a 1 in each row's label column."""
    raw = np.asarray(y)
    if raw.ndim != 1:
        raise ValueError(f"labels y must be a 1-D array of class numbers, got shape {raw.shape}")
    if raw.size and not (np.issubdtype(raw.dtype, np.integer) or (
            np.issubdtype(raw.dtype, np.floating) and np.all(np.isfinite(raw))
            and np.all(raw == np.round(raw)))):
        # int() would truncate 1.7 to class 1 without a word.
        raise ValueError(f"labels y must be whole class numbers, got dtype {raw.dtype} "
                         f"with values such as {raw.ravel()[0]!r}")
    y = raw.astype(int)
    if k is None:
        if not y.size:
            raise ValueError("one_hot needs k when y has no labels")
        k = int(y.max()) + 1
    k = _count(k, "k (the number of classes)")
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
    if len(X) < 2:
        raise ValueError(f"train_val_split needs at least 2 rows to put one on each side, "
                         f"got {len(X)}")
    order = np.random.default_rng(seed).permutation(len(X))
    n_val = min(len(X) - 1, max(1, int(round(val_fraction * len(X)))))
    val, tr = order[:n_val], order[n_val:]
    return (X[tr], Y[tr]), (X[val], Y[val])


def minibatches(X, Y, batch_size: int, shuffle: bool = True,
                rng: np.random.Generator | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, Y_batch)`` so each row appears exactly once per pass (one epoch).

    Rows are shuffled first when ``shuffle`` (with ``rng``, or a fresh unseeded one); the
    last batch holds the remainder and may be smaller.
    """
    batch_size = _count(batch_size, "batch_size")
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} rows but Y has {len(Y)}")
    n = len(X)
    order = (rng or np.random.default_rng()).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], Y[rows]
