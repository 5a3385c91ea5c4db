r"""Checks for notebook 05 (epochs and batches): counting iterations, how gradient noise
scales with the batch size, and one mini-batch gradient of a linear model by hand.

Each check works the answer out from the exercise's givens and also the answers the
usual slips give (floor instead of ceiling, the standard deviation instead of the
variance, a sum where the mean belongs, the whole set instead of the batch...), so the
hint can name the slip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import grade


# -- iterations in a few epochs ------------------------------------------------------------
def check_iterations(answer, *, n: int = 1000, batch_size: int = 64, epochs: int = 3) -> bool:
    r"""Check the number of optimiser steps in ``epochs`` epochs: $E \lceil N/B \rceil$."""
    per_epoch = math.ceil(n / batch_size)
    slips = [
        (epochs * (n // batch_size),
         f"that is {n} // {batch_size} = {n // batch_size} steps per epoch, which drops the "
         f"last {n % batch_size} samples. They still form a (smaller) batch, so round up: "
         f"ceil(N / B)."),
        (math.ceil(epochs * n / batch_size),
         "rounding up once over all epochs assumes batches run on across epoch boundaries; "
         "each epoch starts a fresh shuffle and ends with its own smaller batch, so round up "
         "per epoch, then multiply by the number of epochs."),
        (epochs * n / batch_size,
         "steps are whole numbers: an epoch cannot end part-way through a step."),
        (per_epoch, "that is one epoch; the question asks for all of them."),
        (epochs * n, "that is the number of samples seen, not the number of updates: each "
         "step uses a whole batch."),
        (n // batch_size, "that is one epoch (and rounded down); count every epoch, and the "
         "last, smaller batch of each."),
    ]
    return grade(answer, epochs * per_epoch, f"steps in {epochs} epochs of N={n}, B={batch_size}",
                  slips, "find the steps in one epoch, ceil(N / B), then multiply by the "
                  "number of epochs.")


# -- how noise scales with B ---------------------------------------------------------------
def check_noise_factor(answer, *, b_from: int = 8, b_to: int = 32) -> bool:
    r"""Check the factor by which $\mathbb E\lVert g_{\mathcal B} - \bar g\rVert^2$ shrinks
    when the batch grows from ``b_from`` to ``b_to`` (N much larger than both).

    The mean squared deviation is a variance of an average of B independent-ish terms, so
    it goes like $1/B$: the factor is ``b_to / b_from``.
    """
    ratio = b_to / b_from
    slips = [
        (math.sqrt(ratio), f"√{ratio:g} is how much the standard deviation (the typical "
         "length of the error) shrinks; the mean squared deviation is its square, a "
         "variance, which goes like 1/B."),
        (1 / ratio, "the noise gets smaller: give the factor it is divided by, a number "
         "above 1."),
        (ratio ** 2, "averaging B terms divides their variance by B, not by B²."),
        (b_to - b_from, "the law is about ratios: the noise goes like 1/B."),
    ]
    return grade(answer, ratio, f"the factor the noise shrinks by from B={b_from} to "
                  f"B={b_to}", slips, "the mean squared deviation of a mean of B samples is "
                  f"(per-sample variance) / B; compare 1/{b_from} with 1/{b_to}.")


# -- a mini-batch gradient by hand ---------------------------------------------------------
def batch_gradient(X, Y, W1, b1, rows) -> tuple[np.ndarray, np.ndarray]:
    r"""$\partial L/\partial W^{(1)}$ and $\partial L/\partial b^{(1)}$ of a linear model with
    MSE, on the batch of ``rows``.

    $\hat y = x W^{(1)} + b^{(1)}$, $L = \frac1B \sum_{n\in\mathcal B} \tfrac12 (\hat y_n -
    y_n)^2$, so with $e_n = \hat y_n - y_n$:
    $\partial L/\partial W^{(1)} = \frac1B \sum_n x_n^\top e_n$ and
    $\partial L/\partial b^{(1)} = \frac1B \sum_n e_n$.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float).reshape(len(X), -1)
    W1, b1 = np.asarray(W1, dtype=float), np.asarray(b1, dtype=float)
    Xb, Yb = X[list(rows)], Y[list(rows)]
    E = Xb @ W1 + b1 - Yb
    return Xb.T @ E / len(Xb), E.sum(axis=0) / len(Xb)


def check_batch_gradient(dW1, db1, *, X, Y, W1, b1, rows: Sequence[int]) -> bool:
    """Check a hand-computed mini-batch gradient (``dW1`` and ``db1``) of the linear model.

    Slips recognised: the sum instead of the mean, the error taken as y - ŷ, the whole
    set used instead of the batch, the rows counted from 1 instead of 0.
    """
    rows = list(rows)
    dW, db = batch_gradient(X, Y, W1, b1, rows)
    everyone = batch_gradient(X, Y, W1, b1, range(len(np.asarray(X))))
    B = len(rows)
    slip_W = [
        (B * dW, "that is the sum over the batch; the loss is the mean, so divide by B."),
        (-dW, "the error is e = ŷ − y (prediction minus target); yours has the sign flipped."),
        (everyone[0], "that uses every row; the mini-batch gradient uses only the batch's "
         f"rows {rows}."),
    ]
    if min(rows) > 0:
        shifted = [r - 1 for r in rows]
        slip_W.append((batch_gradient(X, Y, W1, b1, shifted)[0],
                       f"you used rows {shifted}; the batch is X[{rows}] (Python indices, "
                       "counting from 0)."))
    if not grade(dW1, dW, "dL/dW1 on the batch", slip_W,
                  "for each batch row: e = x @ W1 + b1 − y; then dW1 = mean over the batch "
                  "of x^T e, a (2, 1) array like W1."):
        return False
    slip_b = [
        (B * db, "that is the sum of the errors; the mean divides by B."),
        (-db, "the error is e = ŷ − y; yours has the sign flipped."),
        (everyone[1], f"only the batch's rows {rows} count."),
    ]
    return grade(db1, db, "dL/db1 on the batch", slip_b,
                  "db1 is the mean over the batch of the errors e = ŷ − y, shape (1,) like b1.")
