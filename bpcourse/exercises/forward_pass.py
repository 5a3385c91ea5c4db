r"""Checks for the exercises of notebook 01, the forward pass.

Each check recomputes the right answer from the exercise's own inputs, and also the
answers that the usual slips produce (a forgotten bias, a transposed matrix, the sigmoid
applied twice, a sum where a mean belongs...). When the learner's answer matches a slip,
the hint names that slip; otherwise it falls back to where the numbers differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..activations import sigmoid
from ..losses import logsumexp
from ..verdict import Verdict
from . import NO_ANSWER, grade, is_blank, shape_of, verdict

# A slip: a function giving the answer the slip produces, and the hint that names it.
Slip = tuple[Callable[[], np.ndarray], str]


def _slip_values(slips: Sequence[Slip]) -> list[tuple[np.ndarray, str]]:
    """The (value, hint) pairs of the slips that can happen with these shapes, for ``grade``.

    Slips are written as functions so that an impossible one can be left out: a product
    such as W2 @ W1 only fits when n2 = n0, and where numpy refuses it, no learner can
    have computed it.
    """
    values = []
    # A slip may overflow or take log 0 where the right formula does not; its inf or NaN
    # then matches no answer, so the warning would only be noise under the verdict.
    with np.errstate(all="ignore"):
        for make, hint in slips:
            try:
                values.append((make(), hint))
            except ValueError:
                continue
    return values


def _grade(answer, expected, what: str, slips: Sequence[Slip], hint: str) -> bool:
    return grade(answer, expected, what, _slip_values(slips), hint)


# -- exercise: one layer, Z1 and A1 ----------------------------------------------------
def check_Z1(Z1, X, W1, b1) -> bool:
    r"""Check $Z^{(1)} = X W^{(1)} + b^{(1)}$ (batch as rows)."""
    X, W1, b1 = (np.asarray(v, dtype=float) for v in (X, W1, b1))
    slips: list[Slip] = [
        (lambda: X @ W1, "You left out the bias: add b1 to every row, Z1 = X @ W1 + b1."),
        (lambda: (X @ W1 + b1).T,
         "Your Z1 is transposed: a batch is rows, so Z1 has one row per sample, "
         f"shape (N, n1) = {(X.shape[0], W1.shape[1])}."),
        (lambda: W1.T @ X.T + b1[:, None],
         "That is the column convention (W^T X^T): here a batch is rows, Z1 = X @ W1 + b1."),
        (lambda: X @ W1.T + b1,
         "You used W1 transposed: W1 has shape (n0, n1), one row per input, so X @ W1."),
        (lambda: sigmoid(X @ W1 + b1),
         "That is A1 = sigmoid(Z1): Z1 is the pre-activation, before the activation."),
        (lambda: X @ W1 - b1, "The bias is added, not subtracted."),
    ]
    return _grade(Z1, X @ W1 + b1, "Z1 = X W1 + b1", slips,
                            hint="Multiply X (N, n0) by W1 (n0, n1), then add b1 to each row.")


def check_A1(A1, X, W1, b1) -> bool:
    r"""Check $A^{(1)} = \sigma(X W^{(1)} + b^{(1)})$ for a sigmoid hidden layer."""
    X, W1, b1 = (np.asarray(v, dtype=float) for v in (X, W1, b1))
    Z1 = X @ W1 + b1
    slips: list[Slip] = [
        (lambda: Z1, "That is Z1: apply the sigmoid to it to get A1."),
        (lambda: sigmoid(sigmoid(Z1)),
         "The sigmoid has been applied twice: A1 = sigmoid(Z1), once."),
        (lambda: sigmoid(X @ W1) + b1,
         "The bias goes inside the activation: sigmoid(X @ W1 + b1), not sigmoid(X @ W1) + b1."),
        (lambda: sigmoid(X @ W1), "You left out the bias: A1 = sigmoid(X @ W1 + b1)."),
        (lambda: sigmoid(-Z1),
         "Check the sign in the exponent: sigmoid(z) = 1 / (1 + exp(-z))."),
        (lambda: np.tanh(Z1), "This layer uses the sigmoid, not tanh."),
        (lambda: sigmoid(Z1).T, "Your A1 is transposed: one row per sample."),
    ]
    return _grade(A1, sigmoid(Z1), "A1 = sigmoid(Z1)", slips,
                            hint="Compute Z1 = X @ W1 + b1, then 1 / (1 + np.exp(-Z1)).")


# -- exercise: shapes ------------------------------------------------------------------
def expected_shape(name: str, sizes: Sequence[int], N: int) -> tuple[int, ...]:
    """Shape of ``W{l}``, ``b{l}``, ``Z{l}`` or ``A{l}`` for layer widths ``sizes``, batch N."""
    m = re.fullmatch(r"([WbZA])(\d+)", name)
    layer = int(m.group(2)) if m else -1
    if not m or not 0 <= layer < len(sizes) or (layer == 0 and m.group(1) != "A"):
        raise ValueError(f"no array named {name!r} in a network with sizes {list(sizes)}")
    stem, n = m.group(1), sizes[layer]
    return {"W": (sizes[layer - 1], n), "b": (n,), "Z": (N, n), "A": (N, n)}[stem]


def _shape_hint(name: str, given: tuple, sizes: Sequence[int], N: int) -> str:
    stem, layer = name[0], int(name[1:])
    right = expected_shape(name, sizes, N)
    if stem == "W":
        if given == right[::-1]:
            return (f"W{layer} has one row per input of the layer and one column per unit: "
                    f"(n_{layer - 1}, n_{layer}) = {right}.")
        return (f"W{layer} connects layer {layer - 1} ({sizes[layer - 1]} units) to layer "
                f"{layer} ({sizes[layer]} units).")
    if stem == "b":
        return (f"There is one bias per unit, shared by every sample of the batch: "
                f"b{layer} has shape (n_{layer},) = {right}; broadcasting adds it to each row.")
    if given == right[::-1]:
        return f"A batch is rows: {name} has one row per sample, shape (N, n_{layer}) = {right}."
    return (f"{name} has one row per sample (N = {N}) and one column per unit of layer "
            f"{layer} ({sizes[layer]} units).")


def array_names(sizes: Sequence[int]) -> list[str]:
    """The names ``expected_shape`` knows for layer widths ``sizes``: A0, then W, b, Z, A
    of each layer."""
    return ["A0"] + [f"{stem}{layer}" for layer in range(1, len(sizes)) for stem in "WbZA"]


def shape_names(sizes: Sequence[int]) -> list[str]:
    """The arrays whose shapes the exercise asks for: W, b, Z and A of every layer."""
    return [f"{stem}{layer}" for layer in range(1, len(sizes)) for stem in "WbZA"]


def check_shapes(answer: Mapping[str, object], sizes: Sequence[int], N: int,
                 names: Sequence[str] | None = None) -> bool:
    """Check a dict of shapes such as ``{"W1": (4, 5), "Z1": (10, 5), ...}``.

    Every array of ``names`` (default ``shape_names(sizes)``) needs an entry; ``A0`` may be
    given too. The verdict names the first missing or wrong entry and why it has the shape
    it has.
    """
    what = f"shapes for sizes {list(sizes)} and a batch of N = {N}"
    known = array_names(sizes)
    wanted = list(names) if names is not None else shape_names(sizes)
    if is_blank(answer):
        return verdict(False, what, NO_ANSWER, "Fill in a dict such as {\"W1\": (4, 5), ...}.")
    if not isinstance(answer, Mapping):
        return verdict(False, what, f"Expected a dict from array names to shapes, got "
                       f"{type(answer).__name__}.", "Write {\"W1\": (4, 5), \"b1\": (5,), ...}.")
    for name, given in answer.items():
        if name not in known:
            also = " The input X is called A0 here." if name == "X" else ""
            return verdict(False, what, f"There is no array named {name!r} in this network.",
                           f"Use the names {', '.join(known)}.{also}")
        if is_blank(given):
            return verdict(False, what, f"There is no answer for {name} yet.",
                           "Replace each ... with a tuple such as (3, 4).")
        shape = shape_of(given)
        if isinstance(shape, Verdict):
            return verdict(False, what, f"{name}: {shape.message}",
                           "Give each shape as a tuple of ints, e.g. (3, 4), or (5,) for 1-D.")
        right = expected_shape(name, sizes, N)
        if shape != right:
            return verdict(False, what, f"{name}: you gave {shape}.",
                           _shape_hint(name, shape, sizes, N))
    missing = [name for name in wanted if name not in answer]
    if missing:
        return verdict(False, what, f"Every entry you gave is right, but {', '.join(missing)} "
                       f"{'is' if len(missing) == 1 else 'are'} missing.",
                       f"Give a shape for each of {', '.join(wanted)}.")
    return verdict(True, what)


# -- exercise: stacked linear layers collapse ------------------------------------------
def check_collapse(W, b, W1, b1, W2, b2) -> bool:
    r"""Check the single linear layer equal to two identity layers.

    $(X W^{(1)} + b^{(1)}) W^{(2)} + b^{(2)} = X\,(W^{(1)} W^{(2)}) + (b^{(1)} W^{(2)} + b^{(2)})$.
    """
    W1, b1, W2, b2 = (np.asarray(v, dtype=float) for v in (W1, b1, W2, b2))
    w_slips: list[Slip] = [
        (lambda: W2 @ W1, "Order matters: X goes through W1 first, so W = W1 @ W2."),
        (lambda: W1 + W2, "Layers compose by matrix product, not by sum: W = W1 @ W2."),
        (lambda: (W1 @ W2).T, "Your W is transposed: it maps n0 inputs to n2 outputs, "
         f"shape {(W1.shape[0], W2.shape[1])}."),
    ]
    ok_w = _grade(W, W1 @ W2, "collapsed weights W", w_slips,
                            hint="Substitute Z1 = X W1 + b1 into Z2 = Z1 W2 + b2 and expand.")
    b_slips: list[Slip] = [
        (lambda: b2, "b1 also passes through the second layer: it contributes b1 @ W2."),
        (lambda: b1 @ W2, "You left out b2, which is added after the second product."),
        (lambda: b1 + b2, "b1 is multiplied by W2 before b2 is added: b = b1 @ W2 + b2."),
    ]
    ok_b = _grade(b, b1 @ W2 + b2, "collapsed bias b", b_slips,
                            hint="Expand (X W1 + b1) W2 + b2 and collect what does not "
                                 "multiply X.")
    return ok_w and ok_b


# -- exercise: softmax cross-entropy ---------------------------------------------------
def check_cross_entropy(loss, logits, labels) -> bool:
    r"""Check $L = -\frac1N \sum_n \log \mathrm{softmax}(z_n)_{y_n}$ for integer labels."""
    Z = np.asarray(logits, dtype=float)
    y = np.asarray(labels, dtype=int)
    rows = np.arange(len(y))

    def per_sample(log_p):
        return -log_p[rows, y]

    log_p = Z - logsumexp(Z)[:, None]
    p = np.exp(log_p)
    expected = per_sample(log_p).mean()
    col_p = np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
    slips: list[Slip] = [
        (lambda: per_sample(log_p).sum(),
         "That is the sum over the batch; the loss is the mean: divide by N."),
        (lambda: -expected, "Mind the sign: log p < 0 for p < 1, so the loss -log p is "
         "positive."),
        (lambda: per_sample(log_p / np.log(10)).mean(),
         "Use the natural logarithm (np.log), not log10."),
        (lambda: per_sample(log_p / np.log(2)).mean(),
         "Use the natural logarithm (np.log), not log2."),
        (lambda: -Z[rows, y].mean(),
         "Turn the logits into probabilities with the softmax first, then take -log."),
        (lambda: p[rows, y].mean(),
         "That is the mean probability of the right class; the loss is its -log."),
        (lambda: per_sample(np.log(col_p)).mean(),
         "The softmax normalises each row (one sample, over its classes): use axis=1."),
        (lambda: -np.log(p.max(axis=1)).mean(),
         "Use the probability of each sample's true label y, not of its largest class."),
    ]
    return _grade(loss, expected, "softmax cross-entropy", slips,
                            hint="Subtract each row's max from Z (it cannot overflow then), "
                                 "exponentiate and divide by the row sums (axis=1) to get p; "
                                 "then average -log p[n, y[n]] over the rows.")
