"""Activation functions f and their derivatives f', the local factors of backprop.

Every function works elementwise on an array of pre-activations Z and keeps its dtype,
so a float32 network stays float32 end to end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""$\sigma(z) = 1 / (1 + e^{-z})$, computed without overflow for any z.

    For z < 0 the textbook form needs $e^{-z}$, which overflows near z = -1000; the
    equivalent $e^{z} / (1 + e^{z})$ does not. Both branches use $e^{-|z|} \le 1$.
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    r"""$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$, at most 1/4 (at z = 0)."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh_prime(z: np.ndarray) -> np.ndarray:
    r"""$\tanh'(z) = 1 - \tanh^2(z)$, at most 1 (at z = 0)."""
    t = np.tanh(z)
    return 1 - t * t


def relu(z: np.ndarray) -> np.ndarray:
    r"""$\mathrm{relu}(z) = \max(0, z)$."""
    return np.maximum(z, 0)


def relu_prime(z: np.ndarray) -> np.ndarray:
    r"""$\mathrm{relu}'(z) = 1$ if $z > 0$ else $0$ (the kink at 0 is given slope 0)."""
    return (z > 0).astype(z.dtype)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    r"""$z$ for $z > 0$, else $0.01\,z$: negative inputs keep a small gradient."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_prime(z: np.ndarray) -> np.ndarray:
    r"""$1$ for $z > 0$, else $0.01$."""
    return np.where(z > 0, 1, LEAKY_SLOPE).astype(z.dtype)


def identity(z: np.ndarray) -> np.ndarray:
    """f(z) = z."""
    return z


def identity_prime(z: np.ndarray) -> np.ndarray:
    """f'(z) = 1."""
    return np.ones_like(z)


def softmax(z: np.ndarray) -> np.ndarray:
    r"""Row-wise $\mathrm{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}$.

    Subtracting each row's maximum first changes nothing mathematically and keeps every
    exponent at most 0, so nothing overflows.
    """
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """One activation: the function, its derivative, and both as LaTeX for display."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    latex: str
    latex_prime: str


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("sigmoid", sigmoid, sigmoid_prime,
                   r"\sigma(z) = \frac{1}{1+e^{-z}}", r"\sigma'(z) = \sigma(z)(1-\sigma(z))"),
        Activation("tanh", np.tanh, tanh_prime,
                   r"\tanh(z)", r"\tanh'(z) = 1 - \tanh^2(z)"),
        Activation("relu", relu, relu_prime,
                   r"\max(0, z)", r"\mathbb{1}[z > 0]"),
        Activation("leaky_relu", leaky_relu, leaky_relu_prime,
                   r"\max(0.01z, z)", r"1 \text{ if } z>0 \text{ else } 0.01"),
        Activation("identity", identity, identity_prime, "z", "1"),
    ]
}

#: Output-layer functions. Softmax is not elementwise, so the loss module handles its
#: Jacobian; it is listed here so names are checked in one place.
OUTPUTS = ("identity", "sigmoid", "softmax")


def get_activation(name: str) -> Activation:
    """Look an activation up by name, with an error that lists the valid names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}"
        ) from None
