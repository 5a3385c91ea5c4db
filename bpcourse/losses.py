r"""Losses as ``Loss`` records: each loss's value and the output layer's error signal
$\delta^{(L)} = \partial L / \partial Z^{(L)}$ side by side, as ``Activation`` keeps f and f'.

Every loss is the mean over the N rows of the batch:

* ``mse``: $L = \frac{1}{N}\sum_n \tfrac12 \lVert \hat y_n - y_n \rVert^2$, any output.
* ``cross_entropy`` (softmax output): $L = -\frac{1}{N}\sum_n \sum_k y_{nk} \log \hat y_{nk}$.
* ``binary_cross_entropy`` (sigmoid output):
  $L = -\frac{1}{N}\sum_n \sum_k [y_{nk}\log \hat y_{nk} + (1-y_{nk})\log(1-\hat y_{nk})]$.

$\delta^{(L)}$ always follows from the chain rule: the loss's $\partial L/\partial \hat Y$ times
the output function's Jacobian (``output_backward``). Three (output, loss) pairs are
*matched*: there $f'$ cancels the denominator of $\partial L/\partial \hat Y$ and

| output | loss | $\delta^{(L)}$ |
|---|---|---|
| identity | mse | $(\hat Y - Y)/N$ |
| sigmoid | binary_cross_entropy | $(\hat Y - Y)/N$ |
| softmax | cross_entropy | $(\hat Y - Y)/N$ (for target rows that sum to 1) |

These compact forms are each ``Loss.compact``, and nowhere else; mse after a sigmoid or a
softmax has none and takes the chain. The compact form is also the safe one: the chain
divides by $\hat Y$ or $\hat Y(1-\hat Y)$, which round to 0 for saturated outputs.

The two cross-entropies are computed from the logits $Z^{(L)}$ (log-sum-exp and softplus),
never as log of a probability that may have rounded to 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, softmax
from .data import checked_array

#: A function of the output layer's logits Z, outputs A and targets Y, each (N, n_L).
OfBatch = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]

#: δ^(L) of every matched pair, as the backward stepper shows it.
COMPACT_RULE = "(Ŷ − Y) / N"
#: δ^(L) by the chain rule through each output function, shown with ``{g}`` = ∂L/∂Ŷ.
CHAIN_RULES: dict[str, str] = {
    "identity": "{g}",
    "sigmoid": "{g} ⊙ σ'(Z)",
    "softmax": "Ŷ ⊙ (G − rowsum(G ⊙ Ŷ)), G = {g}",
}


# eq=False: a record is its name's one registry entry, so identity is equality; the generated
# __eq__/__hash__ would compare (and fail to hash) the ``compact`` dict.
@dataclass(frozen=True, eq=False)
class Loss:
    r"""One loss: its value and its $\delta^{(L)}$, its formula as LaTeX, a label for diagrams.

    The functions take the output layer's arrays, each of shape (N, n_L): logits ``Z``,
    outputs ``A`` ($= \hat Y$) and targets ``Y`` (as ``targets`` prepares them).

    * ``value(Z, A, Y)``: L, the mean over the N rows (a float);
    * ``grad(A, Y)``: $\partial L/\partial \hat Y$, where the chain rule to $\delta^{(L)}$
      starts, and ``grad_text`` the same in plain text;
    * ``compact``: output name -> $\delta^{(L)}(Z, A, Y)$ in closed form, for the outputs
      the loss is matched with (see the module docstring);
    * ``outputs``: the output functions the loss may follow;
    * ``class_labels``: 1-D integer targets are class labels, one-hot encoded by ``targets``;
    * ``probability_targets``: targets must lie in [0, 1].
    """

    name: str
    label: str
    latex: str
    outputs: tuple[str, ...]
    value: Callable[[np.ndarray, np.ndarray, np.ndarray], float]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad_text: str
    compact: Mapping[str, OfBatch]
    class_labels: bool = False
    probability_targets: bool = False

    def delta(self, output: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        r"""$\delta^{(L)} = \partial L/\partial Z^{(L)}$ of the batch, (N, n_L): the compact
        form for a matched ``output``, else the chain rule through the output function."""
        closed = self.compact.get(output)
        if closed is not None:
            return closed(Z, A, Y)
        return output_backward(output, Z, A, self.grad(A, Y))

    def rule(self, output: str) -> str:
        r"""$\delta^{(L)}$ after ``output`` in plain text, the way ``delta`` computes it."""
        if output in self.compact:
            return COMPACT_RULE
        return CHAIN_RULES[output].format(g=self.grad_text)

    def __repr__(self) -> str:
        return f"Loss({self.name!r}, outputs={self.outputs}, compact for {tuple(self.compact)})"


def output_backward(output: str, Z: np.ndarray, A: np.ndarray, dA: np.ndarray) -> np.ndarray:
    r"""$\partial L/\partial Z^{(L)}$ from $\partial L/\partial A^{(L)}$: the chain rule through
    the output function, which gives $\delta^{(L)}$ for any loss.

    Sigmoid and identity act unit by unit, so their Jacobian is diagonal: multiply by
    $f'(Z)$. Softmax mixes a row's units, $\partial a_k/\partial z_m = a_k(\mathbb 1[k=m] -
    a_m)$, so row by row $\delta = a \odot (g - \langle g, a \rangle)$ with $g = $ ``dA``.
    """
    if output == "softmax":
        return A * (dA - np.sum(dA * A, axis=1, keepdims=True))
    return dA * ACTIVATIONS[output].df(Z)


def softplus(z: np.ndarray) -> np.ndarray:
    r"""$\log(1 + e^{z})$ without overflow: $\max(z, 0) + \log(1 + e^{-|z|})$."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def logsumexp(z: np.ndarray) -> np.ndarray:
    r"""Row-wise $\log \sum_k e^{z_k}$, shifted by the row maximum so nothing overflows."""
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


# -- the three losses -------------------------------------------------------------------
def _mse(Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> float:
    diff = A - Y
    return float(0.5 * np.sum(diff * diff) / len(Y))


def _mse_grad(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return (A - Y) / len(Y)


def _cross_entropy(Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> float:
    # -sum_k y_k log softmax(z)_k = sum_k y_k (logsumexp(z) - z_k)
    return float(np.sum(Y.sum(axis=1) * logsumexp(Z) - np.sum(Y * Z, axis=1)) / len(Y))


def _cross_entropy_grad(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return -Y / (len(Y) * A)


def _cross_entropy_after_softmax(Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    # (A - Y)/N when every row of Y sums to 1 (one-hot labels); this form also holds for
    # targets that do not.
    return (A * Y.sum(axis=1, keepdims=True) - Y) / len(Y)


def _binary_cross_entropy(Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> float:
    # -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z
    return float(np.sum(softplus(Z) - Y * Z) / len(Y))


def _binary_cross_entropy_grad(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return (A - Y) / (len(Y) * A * (1 - A))


def _output_minus_target(Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return (A - Y) / len(Y)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss("mse", "mse", r"L = \frac{1}{N}\sum_n \tfrac12 \lVert \hat y_n - y_n \rVert^2",
             outputs=("identity", "sigmoid", "softmax"), value=_mse, grad=_mse_grad,
             grad_text="(Ŷ − Y) / N", compact={"identity": _output_minus_target}),
        Loss("cross_entropy", "CE", r"L = -\frac{1}{N}\sum_n \sum_k y_{nk} \log \hat y_{nk}",
             outputs=("softmax",), value=_cross_entropy, grad=_cross_entropy_grad,
             grad_text="−Y / (N Ŷ)", compact={"softmax": _cross_entropy_after_softmax},
             class_labels=True, probability_targets=True),
        Loss("binary_cross_entropy", "BCE",
             r"L = -\frac{1}{N}\sum_n \sum_k \big[y_{nk}\log \hat y_{nk}"
             r" + (1-y_{nk})\log(1-\hat y_{nk})\big]",
             outputs=("sigmoid",), value=_binary_cross_entropy,
             grad=_binary_cross_entropy_grad, grad_text="(Ŷ − Y) / (N Ŷ (1 − Ŷ))",
             compact={"sigmoid": _output_minus_target}, probability_targets=True),
    ]
}


def get_loss(name: str) -> Loss:
    """Look a loss up by name, with an error that lists the valid names."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; valid names: {', '.join(LOSSES)}") from None


def check_loss(loss: str, output: str) -> Loss:
    """The Loss named ``loss``; ValueError for an unknown name or an output it does not fit."""
    spec = get_loss(loss)
    if output not in spec.outputs:
        raise ValueError(
            f"loss {loss!r} needs output={' or '.join(map(repr, spec.outputs))}, "
            f"but the network's output is {output!r}"
        )
    return spec


def targets(Y, loss: str, n_out: int, n_rows: int, dtype, layer: int | None = None
            ) -> np.ndarray:
    """Y as an (N, n_out) array of the network's dtype (integer labels become one-hot).

    ``layer`` is the output layer's number L, used to name it in error messages.
    """
    spec = get_loss(loss)
    Y = np.asarray(Y)
    out = f"A{layer}" if layer is not None else "the output"
    where = f"targets Y for the output layer {out} (n_out={n_out}, N={n_rows})"
    if not (np.issubdtype(Y.dtype, np.integer) or Y.dtype == bool):
        Y = checked_array(Y, "Y", np.float64, f"the targets of the output layer {out}")
    if spec.class_labels and Y.ndim == 1:
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
    if spec.probability_targets:
        # Cross-entropies read targets as probabilities; anything else gives a
        # meaningless loss without any numerical sign of trouble.
        bad = (Y < 0) | (Y > 1)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(f"{where}: target {Y[row, col]} at row {row}, column {col} is "
                             f"out of range; {loss} targets must lie in [0, 1]")
    return Y.astype(dtype, copy=False)


def output_function(output: str) -> Callable[[np.ndarray], np.ndarray]:
    """The output layer's function for a name in OUTPUTS."""
    return softmax if output == "softmax" else ACTIVATIONS[output].f
