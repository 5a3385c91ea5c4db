r"""A transparent multilayer perceptron in NumPy.

Conventions (the course's notation): layers are numbered from 1 and a batch is rows.

$$A^{(0)} = X,\qquad Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)},\qquad A^{(l)} = f(Z^{(l)})$$

with $W^{(l)}$ of shape $(n_{l-1}, n_l)$ and $b^{(l)}$ of shape $(n_l,)$. The backward
pass starts from the output's error signal $\delta^{(L)} = \partial L/\partial Z^{(L)}$ and
walks down:

$$\frac{\partial L}{\partial W^{(l)}} = A^{(l-1)\top}\delta^{(l)},\qquad
\frac{\partial L}{\partial b^{(l)}} = \sum_n \delta^{(l)}_n,\qquad
\delta^{(l-1)} = \big(\delta^{(l)} W^{(l)\top}\big) \odot f'(Z^{(l-1)}).$$

Every intermediate array lands in ``net.trace`` under its textbook name.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from .activations import OUTPUTS, get_activation
from .data import checked_array, is_real
from .losses import check_loss, get_loss, output_function, targets
from .trace import Trace

INITS = ("xavier", "he", "normal")
#: Activations that zero (or nearly zero) half their inputs, so He suits them.
RELU_FAMILY = ("relu", "leaky_relu")


def default_init(activations: str | Sequence[str]) -> str:
    """What ``init="auto"`` picks: He when every hidden layer is of the ReLU family (half the
    units are off, so twice the variance), Xavier for sigmoid, tanh or a mix."""
    names = [activations] if isinstance(activations, str) else list(activations)
    return "he" if names and all(a in RELU_FAMILY for a in names) else "xavier"


def init_std(init: str | float, n_in: int, n_out: int) -> float:
    r"""Standard deviation of the initial weights of a layer with n_in inputs, n_out outputs.

    * ``xavier`` (Glorot): $\sqrt{2/(n_{in}+n_{out})}$ keeps the variance of signals
      roughly constant forwards and backwards for tanh/sigmoid-like units.
    * ``he``: $\sqrt{2/n_{in}}$ makes up for ReLU zeroing half its inputs.
    * ``normal``: 1, too large for wide layers; kept to show what goes wrong.
    * a number: that standard deviation.
    """
    if is_real(init):
        if not (math.isfinite(init) and init >= 0):
            raise ValueError(f"init standard deviation must be a finite number >= 0, got {init}")
        return float(init)
    if init == "xavier":
        return float(np.sqrt(2.0 / (n_in + n_out)))
    if init == "he":
        return float(np.sqrt(2.0 / n_in))
    if init == "normal":
        return 1.0
    raise ValueError(f"unknown init {init!r}; valid names: {', '.join(INITS)}, or a float std")


def architecture(sizes: Sequence[int], activation: str | Sequence[str]
                 ) -> tuple[list[int], list[str]]:
    """Checked layer widths, and one activation name per hidden layer.

    ``activation`` is one name for every hidden layer, or a list with one per hidden layer.
    """
    if len(sizes) < 2 or any(not float(n).is_integer() or n < 1 for n in sizes):
        raise ValueError(f"sizes must list at least two positive whole layer widths, "
                         f"got {list(sizes)}")
    sizes = [int(n) for n in sizes]
    n_hidden = len(sizes) - 2
    if isinstance(activation, str):
        get_activation(activation)  # a bad name is an error even with no hidden layer
    names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    if len(names) != n_hidden:
        raise ValueError(
            f"activation lists {len(names)} names but sizes {sizes} has {n_hidden} "
            "hidden layers; give one name, or one per hidden layer"
        )
    return sizes, names


def check_l2(l2: float) -> float:
    """The L2 strength λ as a float; ValueError unless it is a finite number >= 0 (a
    negative λ rewards large weights instead of penalising them)."""
    if not is_real(l2) or not (
            math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")
    return float(l2)


def check_l1(l1: float) -> float:
    """The L1 strength λ₁ as a float; ValueError unless it is a finite number >= 0."""
    if not is_real(l1) or not (
            math.isfinite(l1) and l1 >= 0):
        raise ValueError(f"l1 must be a finite number >= 0, got {l1!r}")
    return float(l1)


class MLP:
    """A fully connected network whose every forward value and gradient can be inspected.

    ``init`` is a name in ``INITS``, a standard deviation, or ``"auto"`` (``default_init``
    of the hidden activations; the net records the name it picked).

    >>> net = MLP([2, 3, 1], activation="tanh", seed=0)
    >>> net.params["W1"].shape, net.params["b1"].shape
    ((2, 3), (3,))
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Sequence[str] = "sigmoid",
        output: str = "identity",
        init: str | float = "xavier",
        seed: int | None = None,
        dtype=np.float64,
        dropout: float = 0.0,
    ) -> None:
        sizes, names = architecture(sizes, activation)
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; valid names: {', '.join(OUTPUTS)}")
        if not is_real(dropout) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout is the probability of dropping a unit: 0 <= p < 1, "
                             f"got {dropout}")
        self.sizes = sizes
        self.activations = [get_activation(a) for a in names]
        self.output = output
        # "auto" is resolved here, so the net (and its repr) says which rule it got.
        if isinstance(init, str) and init == "auto":
            init = default_init(names)
        self.init = init
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            # Integer weights cannot take a small step; complex ones have no order for a loss.
            raise ValueError(f"dtype must be a float type (np.float64, np.float32 or "
                             f"np.float16), got {self.dtype}")
        self.dropout = float(dropout)
        self.training = True
        self.rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        for l in range(1, len(sizes)):
            n_in, n_out = sizes[l - 1], sizes[l]
            std = init_std(init, n_in, n_out)
            self.params[f"W{l}"] = (std * self.rng.standard_normal((n_in, n_out))).astype(
                self.dtype)
            self.params[f"b{l}"] = np.zeros(n_out, dtype=self.dtype)
        self.trace = Trace()

    # -- structure ---------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """L, the number of layers with weights (the input layer is not counted)."""
        return len(self.sizes) - 1

    def activation_name(self, l: int) -> str:
        """Name of f for layer l (1-based): a hidden activation, or the output function."""
        return self.output if l == self.n_layers else self.activations[l - 1].name

    def __repr__(self) -> str:
        acts = [a.name for a in self.activations]
        act = acts[0] if len(set(acts)) == 1 else acts
        extra = f", dropout={self.dropout}" if self.dropout else ""
        return (f"MLP({self.sizes}, activation={act!r}, output={self.output!r}, "
                f"init={self.init!r}{extra})")

    def summary(self) -> str:
        """One line per layer: name, shapes of W and b, activation, parameter count."""
        lines = [f"{'layer':<6} {'W shape':<12} {'b shape':<9} {'f':<12} params"]
        total = 0
        for l in range(1, self.n_layers + 1):
            W, b = self.params[f"W{l}"], self.params[f"b{l}"]
            total += W.size + b.size
            lines.append(f"{l:<6} {str(W.shape):<12} {str(b.shape):<9} "
                         f"{self.activation_name(l):<12} {W.size + b.size}")
        lines.append(f"total parameters: {total}")
        return "\n".join(lines)

    # -- modes -------------------------------------------------------------------------
    def train(self) -> MLP:
        """Training mode: dropout (if any) drops units. Returns the net for chaining."""
        self.training = True
        return self

    def eval(self) -> MLP:
        """Evaluation mode: dropout is off, every unit takes part."""
        self.training = False
        return self

    @contextmanager
    def evaluating(self) -> Iterator[MLP]:
        """Run passes in eval mode, then put back the mode and the trace as they were.

        For code that only observes the net (plots, metrics, checks): a learner who then
        prints ``net.trace`` still sees the pass they ran themselves.
        """
        was_training, trace = self.training, self.trace
        self.training = False
        try:
            yield self
        finally:
            self.training, self.trace = was_training, trace

    # -- forward -----------------------------------------------------------------------
    def _check_input(self, X) -> np.ndarray:
        X = checked_array(X, "X", self.dtype, "the input A0 of layer 1")
        n0 = self.sizes[0]
        if X.ndim == 1 and n0 == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != n0:
            raise ValueError(
                f"layer 1 expects inputs with {n0} columns (W1 has shape "
                f"{self.params['W1'].shape}), but X has shape {X.shape}"
            )
        if len(X) == 0:
            raise ValueError(f"X has no rows (shape {X.shape}): a loss is a mean over the rows, "
                             "and the mean of nothing is NaN")
        return X

    def forward(self, X) -> np.ndarray:
        r"""Compute the output $A^{(L)}$ for the rows of X, recording every Z and A.

        Shapes:
            X = A0: (N, n_0)
            W{l}: (n_{l-1}, n_l), b{l}: (n_l,)
            Z{l}, A{l}, mask{l} (dropout): (N, n_l)
            returns A{L}: (N, n_L)
        """
        A = self._check_input(X)
        trace = Trace(A0=A)
        keep = 1.0 - self.dropout
        for l in range(1, self.n_layers + 1):
            Z = A @ self.params[f"W{l}"] + self.params[f"b{l}"]
            mask: np.ndarray | None = None
            if l < self.n_layers:
                A = self.activations[l - 1].f(Z)
                if self.training and self.dropout:
                    # Inverted dropout: scale the kept units by 1/keep now, so the
                    # expected activation is unchanged and eval mode needs no rescaling.
                    mask = (self.rng.random(A.shape) < keep).astype(self.dtype) / keep
                    A = A * mask
            else:
                A = output_function(self.output)(Z)
            # Z and A before the mask: the trace prints entries in the order stored.
            trace[f"Z{l}"], trace[f"A{l}"] = Z, A
            if mask is not None:
                trace[f"mask{l}"] = mask
        self.trace = trace
        return A

    __call__ = forward

    def predict(self, X) -> np.ndarray:
        """Predictions in eval mode: class labels for softmax/sigmoid outputs, else values.

        The net's mode and ``net.trace`` are left as they were.
        """
        with self.evaluating():
            out = self.forward(X)
        return self.decide(out)

    def decide(self, out: np.ndarray) -> np.ndarray:
        """Predictions from output activations: the likeliest class for softmax, 0/1 at
        the 0.5 threshold for sigmoid (a vector for one output unit), values otherwise."""
        if self.output == "softmax":
            return out.argmax(axis=1)
        if self.output == "sigmoid":
            hard = (out >= 0.5).astype(int)
            return hard[:, 0] if out.shape[1] == 1 else hard
        return out

    # -- loss and backward -------------------------------------------------------------
    def loss(self, X, Y, loss: str = "mse", l2: float = 0.0, l1: float = 0.0) -> float:
        """Mean loss over the batch (plus the L2 and L1 penalties), from a forward pass."""
        check_loss(loss, self.output)
        A = self.forward(X)
        Y = targets(Y, loss, self.sizes[-1], len(A), self.dtype, self.n_layers)
        return self._loss(loss, Y, l2, l1)

    def _loss(self, loss: str, Y: np.ndarray, l2: float, l1: float = 0.0) -> float:
        check_l2(l2)
        check_l1(l1)
        L = self.n_layers
        value = get_loss(loss).value(self.trace[f"Z{L}"], self.trace[f"A{L}"], Y)
        if l2:
            value += 0.5 * l2 * sum(float(np.sum(self.params[f"W{l}"] ** 2))
                                    for l in range(1, L + 1))
        if l1:
            value += l1 * sum(float(np.sum(np.abs(self.params[f"W{l}"])))
                              for l in range(1, L + 1))
        self.trace.loss = value
        return value

    def loss_and_gradients(self, X, Y, loss: str = "mse", l2: float = 0.0, l1: float = 0.0
                           ) -> tuple[float, dict[str, np.ndarray]]:
        r"""Forward and backward pass: returns ``(loss, grads)``.

        ``grads`` has the keys and shapes of ``params``. With ``l2 = λ`` the loss gains
        $\frac{λ}{2}\sum_l \lVert W^{(l)}\rVert^2$ and each $\partial L/\partial W^{(l)}$
        gains $λ W^{(l)}$; with ``l1 = λ₁`` the loss gains $λ_1\sum_l \sum |W^{(l)}|$ and
        each weight gradient gains $λ_1 \operatorname{sign}(W^{(l)})$ (biases are not
        penalised by either).

        Shapes:
            X = A0: (N, n_0)
            Y: (N, n_L); or (N,) integer class labels for cross_entropy, or (N,) if n_L = 1
            returns loss: scalar
            returns grads["W{l}"]: (n_{l-1}, n_l), grads["b{l}"]: (n_l,)
        """
        check_loss(loss, self.output)
        A = self.forward(X)
        Y = targets(Y, loss, self.sizes[-1], len(A), self.dtype, self.n_layers)
        value = self._loss(loss, Y, l2, l1)
        return value, self.backward(Y, loss, l2, l1)

    def backward(self, Y: np.ndarray, loss: str, l2: float = 0.0, l1: float = 0.0
                 ) -> dict[str, np.ndarray]:
        r"""Backpropagate from $\delta^{(L)}$ down to layer 1, using the cached forward pass.

        Y must already be an (N, n_L) array of the net's dtype (``loss_and_gradients``
        prepares it).

        Shapes:
            Y, Z{L}, A{L}: (N, n_L)
            delta{l}, dA{l}, fprime{l}: (N, n_l)
            dW{l} = A{l-1}.T @ delta{l}: (n_{l-1}, n_l), as W{l}
            db{l}: (n_l,), as b{l}
            returns grads["W{l}"]: (n_{l-1}, n_l), grads["b{l}"]: (n_l,)
        """
        check_l2(l2)
        check_l1(l1)
        t, L = self.trace, self.n_layers
        delta = get_loss(loss).delta(self.output, t[f"Z{L}"], t[f"A{L}"], Y)
        grads: dict[str, np.ndarray] = {}
        for l in range(L, 0, -1):
            t[f"delta{l}"] = delta
            dW = t[f"A{l - 1}"].T @ delta
            if l2:
                dW += l2 * self.params[f"W{l}"]
            if l1:
                # |w| has no slope at 0; sign(0) = 0 is the subgradient that leaves it there.
                dW += l1 * np.sign(self.params[f"W{l}"])
            grads[f"W{l}"], grads[f"b{l}"] = dW, delta.sum(axis=0)
            t[f"dW{l}"], t[f"db{l}"] = grads[f"W{l}"], grads[f"b{l}"]
            if l > 1:
                dA = delta @ self.params[f"W{l}"].T
                t[f"dA{l - 1}"] = dA
                if f"mask{l - 1}" in t:
                    dA = dA * t[f"mask{l - 1}"]
                fprime = self.activations[l - 2].df(t[f"Z{l - 1}"])
                t[f"fprime{l - 1}"] = fprime
                delta = dA * fprime
        return {k: grads[k] for k in self.params}
