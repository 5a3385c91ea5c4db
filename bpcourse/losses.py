r"""Losses and the output layer's error signal $\delta^{(L)} = \partial L / \partial Z^{(L)}$.

Every loss is the mean over the N rows of the batch:

* ``mse``: $L = \frac{1}{N}\sum_n \tfrac12 \lVert \hat y_n - y_n \rVert^2$, any output.
* ``cross_entropy`` (softmax output): $L = -\frac{1}{N}\sum_n \sum_k y_{nk} \log \hat y_{nk}$.
* ``binary_cross_entropy`` (sigmoid output):
  $L = -\frac{1}{N}\sum_n \sum_k [y_{nk}\log \hat y_{nk} + (1-y_{nk})\log(1-\hat y_{nk})]$.

The two cross-entropies are computed from the logits $Z^{(L)}$ (log-sum-exp and softplus),
never as log of a probability that may have rounded to 0, and their deltas use the
well-known simplification $\delta^{(L)} = (\hat Y - Y)/N$.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, softmax

#: loss name -> the output functions it may be paired with
LOSSES: dict[str, tuple[str, ...]] = {
    "mse": ("identity", "sigmoid", "softmax"),
    "cross_entropy": ("softmax",),
    "binary_cross_entropy": ("sigmoid",),
}


def check_loss(loss: str, output: str) -> None:
    """Raise ValueError for an unknown loss name or a loss/output pair that does not fit."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; valid names: {', '.join(LOSSES)}")
    if output not in LOSSES[loss]:
        raise ValueError(
            f"loss {loss!r} needs output={' or '.join(map(repr, LOSSES[loss]))}, "
            f"but the network's output is {output!r}"
        )


def targets(Y, loss: str, n_out: int, n_rows: int, dtype, layer: int | None = None
            ) -> np.ndarray:
    """Y as an (N, n_out) array of the network's dtype (integer labels become one-hot).

    ``layer`` is the output layer's number L, used to name it in error messages.
    """
    Y = np.asarray(Y)
    out = f"A{layer}" if layer is not None else "the output"
    where = f"targets Y for the output layer {out} (n_out={n_out}, N={n_rows})"
    if loss == "cross_entropy" and Y.ndim == 1:
        if not np.issubdtype(Y.dtype, np.integer):
            raise ValueError(f"{where}: 1-D labels must be integers, got dtype {Y.dtype}")
        if Y.shape[0] != n_rows:
            raise ValueError(f"{where}: got {Y.shape[0]} labels for {n_rows} rows of X")
        bad = (Y < 0) | (Y >= n_out)
        if bad.any():
            raise ValueError(
                f"{where}: label {Y[bad][0]} at row {int(np.argmax(bad))} is out of range; "
                f"labels must be 0..{n_out - 1}"
            )
        onehot = np.zeros((n_rows, n_out), dtype=dtype)
        onehot[np.arange(n_rows), Y] = 1
        return onehot
    if Y.ndim == 1 and n_out == 1:
        Y = Y[:, None]
    if Y.shape != (n_rows, n_out):
        raise ValueError(
            f"{where}: Y has shape {Y.shape} but {out} has shape {(n_rows, n_out)}"
        )
    if loss != "mse":
        # Cross-entropies read targets as probabilities; anything else gives a
        # meaningless loss without any numerical sign of trouble.
        bad = (Y < 0) | (Y > 1)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(f"{where}: target {Y[row, col]} at row {row}, column {col} is "
                             f"out of range; {loss} targets must lie in [0, 1]")
    return Y.astype(dtype, copy=False)


def softplus(z: np.ndarray) -> np.ndarray:
    r"""$\log(1 + e^{z})$ without overflow: $\max(z, 0) + \log(1 + e^{-|z|})$."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def logsumexp(z: np.ndarray) -> np.ndarray:
    r"""Row-wise $\log \sum_k e^{z_k}$, shifted by the row maximum so nothing overflows."""
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


def loss_value(loss: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> float:
    """The mean loss of the batch, from the output layer's logits Z and outputs A."""
    if loss == "mse":
        diff = A - Y
        return float(0.5 * np.sum(diff * diff) / len(Y))
    if loss == "cross_entropy":
        # -sum_k y_k log softmax(z)_k = sum_k y_k (logsumexp(z) - z_k)
        return float(np.sum(Y.sum(axis=1) * logsumexp(Z) - np.sum(Y * Z, axis=1)) / len(Y))
    # -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z
    return float(np.sum(softplus(Z) - Y * Z) / len(Y))


def output_delta(loss: str, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray):
    r"""$\delta^{(L)} = \partial L/\partial Z^{(L)}$ for the batch.

    Matched pairs (softmax + cross-entropy, sigmoid + binary cross-entropy, identity +
    MSE) all give $(\hat Y - Y)/N$. MSE through sigmoid multiplies by $\sigma'(Z)$;
    through softmax it applies the softmax Jacobian row by row:
    $\delta = \hat y \odot (g - \langle g, \hat y \rangle)$ with $g = \partial L/\partial \hat y$.
    """
    n = len(Y)
    if loss == "cross_entropy":
        # (A - Y)/N when every row of Y sums to 1 (one-hot labels); this form also
        # holds for targets that do not.
        return (A * Y.sum(axis=1, keepdims=True) - Y) / n
    if loss == "binary_cross_entropy" or output == "identity":
        return (A - Y) / n
    g = (A - Y) / n
    if output == "sigmoid":
        return g * ACTIVATIONS["sigmoid"].df(Z)
    return A * (g - np.sum(g * A, axis=1, keepdims=True))


def output_function(output: str):
    """The output layer's function for a name in OUTPUTS."""
    return softmax if output == "softmax" else ACTIVATIONS[output].f
