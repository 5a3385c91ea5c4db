r"""A symbolic twin of the NumPy MLP: the same network written as SymPy expressions.

Symbols carry the names the notebooks use, with indices that match the NumPy arrays:
$w^{(l)}_{ij}$ is ``W{l}[i, j]`` (unit i of layer l-1 to unit j of layer l),
$b^{(l)}_j$ is ``b{l}[j]``, $x_i$ is column i of X and $y_k$ is column k of Y.

For one sample the forward pass is

$$z^{(l)}_j = \sum_i a^{(l-1)}_i w^{(l)}_{ij} + b^{(l)}_j,\qquad a^{(l)}_j = f(z^{(l)}_j),
\qquad a^{(0)}_i = x_i,$$

kept in two forms: *compact*, where each expression refers to the layer below through the
named symbols $a^{(l-1)}_i$ and $z^{(l)}_j$, and *expanded*, where every named symbol has been
replaced by its own expression so that only $x$, $y$ and the parameters remain.

``gradients(net, X, Y)`` differentiates the expanded loss with SymPy, so it never uses the
backward pass it is meant to check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import sympy as sp

from ..activations import ACTIVATIONS, LEAKY_SLOPE, OUTPUTS
from ..losses import check_loss, targets
from ..mlp import MLP, architecture


def _sub(*indices: int) -> str:
    """Subscript text: ``01`` for single digits, ``10,2`` once an index has two digits."""
    parts = [str(i) for i in indices]
    return ("," if any(len(p) > 1 for p in parts) else "").join(parts)


def sym(stem: str, layer: int | None, *indices: int) -> sp.Symbol:
    """The notebook symbol for ``stem`` (``w``, ``b``, ``z``, ``a``) in ``layer``.

    Names contain the LaTeX itself (``w^{(1)}_{01}``), which SymPy prints verbatim. No
    assumptions are attached, so ``sympy.Symbol("x_0")`` typed in a notebook is the same
    symbol.
    """
    if layer is None:
        return sp.Symbol(f"{stem}_{_sub(*indices)}")
    return sp.Symbol(f"{stem}^{{({layer})}}_{{{_sub(*indices)}}}")


def activation_expr(name: str, z: sp.Expr) -> sp.Expr:
    r"""f(z) as a SymPy expression, with the same conventions as ``bpcourse.activations``.

    ReLU is a Piecewise with the branch $z > 0$, so its derivative is 1 for $z > 0$ and 0
    otherwise, including at the kink: the NumPy ``relu_prime`` makes the same choice.
    (``sympy.Max(0, z)`` would differentiate to a Heaviside with value 1/2 at 0.)
    """
    if name == "sigmoid":
        return 1 / (1 + sp.exp(-z))
    if name == "tanh":
        return sp.tanh(z)
    if name == "relu":
        return sp.Piecewise((z, z > 0), (0, True))
    if name == "leaky_relu":
        return sp.Piecewise((z, z > 0), (sp.Float(LEAKY_SLOPE) * z, True))
    if name == "identity":
        return z
    raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}")


def activation_prime_compact(name: str, z: sp.Symbol, a: sp.Symbol) -> sp.Expr:
    r"""$\partial a/\partial z$ in its textbook form, written with the unit's own symbols.

    $\sigma' = a(1-a)$ and $\tanh' = 1-a^2$ reuse the forward value $a$; that reuse is what
    a backward pass exploits. The tests check each against ``sympy.diff`` of $f(z)$.
    """
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a**2
    if name == "relu":
        return sp.Piecewise((1, z > 0), (0, True))
    if name == "leaky_relu":
        return sp.Piecewise((1, z > 0), (sp.Float(LEAKY_SLOPE), True))
    if name == "identity":
        return sp.Integer(1)
    raise ValueError(f"unknown activation {name!r}; valid names: {', '.join(ACTIVATIONS)}")


def _cross_entropy_after_softmax(a, y, m: int) -> sp.Expr:
    return a[m] * sp.Add(*y) - y[m]


def _mse_after_softmax(a, y, m: int) -> sp.Expr:
    dot = sp.Add(*[(ak - yk) * ak for ak, yk in zip(a, y, strict=True)])
    return a[m] * ((a[m] - y[m]) - dot)


#: One entry per loss that ``losses.LOSSES`` lets follow a softmax. Written out here rather
#: than taken from the NumPy ``Loss`` records: they are what the records are checked against.
SOFTMAX_DELTAS: dict[str, Callable[..., sp.Expr]] = {
    "cross_entropy": _cross_entropy_after_softmax,
    "mse": _mse_after_softmax,
}


def softmax_delta_compact(loss: str, a, y, m: int) -> sp.Expr:
    r"""$\partial L/\partial z_m$ through a softmax output, written with $a_k = \hat y_k$.

    * cross-entropy: $a_m \sum_k y_k - y_m$, which is $a_m - y_m$ for one-hot targets;
    * mse: $a_m\big((a_m - y_m) - \sum_k (a_k - y_k)\,a_k\big)$, from the softmax Jacobian
      $\partial a_k/\partial z_m = a_k(\mathbb 1[k=m] - a_m)$.

    The tests check both against ``sympy.diff`` of the loss through the softmax.
    """
    check_loss(loss, "softmax")
    return SOFTMAX_DELTAS[loss](a, y, m)


def loss_expr(loss: str, a: Sequence[sp.Expr], y: Sequence[sp.Symbol]) -> sp.Expr:
    r"""The loss of one sample from the outputs $a_k = \hat y_k$ and targets $y_k$.

    * ``mse``: $\tfrac12 \sum_k (a_k - y_k)^2$
    * ``cross_entropy``: $-\sum_k y_k \log a_k$ (with softmax outputs)
    * ``binary_cross_entropy``: $-\sum_k [y_k \log a_k + (1-y_k)\log(1-a_k)]$ (sigmoid)
    """
    pairs = list(zip(a, y, strict=True))
    if loss == "mse":
        return sp.Rational(1, 2) * sp.Add(*[(ak - yk) ** 2 for ak, yk in pairs])
    if loss == "cross_entropy":
        return -sp.Add(*[yk * sp.log(ak) for ak, yk in pairs])
    if loss == "binary_cross_entropy":
        return -sp.Add(*[yk * sp.log(ak) + (1 - yk) * sp.log(1 - ak) for ak, yk in pairs])
    raise ValueError(f"unknown loss {loss!r}")


class SymbolicMLP:
    r"""An MLP as SymPy expressions for one sample, with the NumPy MLP's conventions.

    >>> s = SymbolicMLP([2, 1], output="identity")
    >>> s.z[1][0]
    b^{(1)}_{0} + w^{(1)}_{00}*x_0 + w^{(1)}_{10}*x_1

    Attributes (lists indexed by layer, entry 0 unused where a layer 0 makes no sense):

    * ``x``, ``y``: input and target symbols; ``params``: ``{"W1": array of symbols, ...}``
      with the shapes of ``net.params``.
    * ``z_sym[l][j]``, ``a_sym[l][j]``: the named intermediate symbols ($a^{(0)}_i = x_i$).
    * ``z[l][j]``, ``a[l][j]``: compact forward expressions (in terms of the layer below).
    * ``z_expanded[l][j]``, ``a_expanded[l][j]``: the same with every name substituted.
    """

    def __init__(self, sizes: Sequence[int], activation: str | Sequence[str] = "sigmoid",
                 output: str = "identity") -> None:
        sizes, names = architecture(sizes, activation)
        for name in names:
            activation_expr(name, sp.Integer(0))  # raises on unknown names
        if output not in OUTPUTS:
            raise ValueError(f"unknown output {output!r}; valid names: {', '.join(OUTPUTS)}")
        self.sizes, self.activations, self.output = sizes, names, output
        self._build_symbols()
        self._build_forward()

    @classmethod
    def from_mlp(cls, net: MLP) -> SymbolicMLP:
        """The symbolic twin of an ``MLP`` instance (same sizes, activations and output)."""
        return symbolic_twin(tuple(net.sizes), tuple(a.name for a in net.activations),
                             net.output)

    @property
    def n_layers(self) -> int:
        """L, the number of layers with weights."""
        return len(self.sizes) - 1

    def activation_name(self, l: int) -> str:
        """f of layer l (1-based): a hidden activation or the output function."""
        return self.output if l == self.n_layers else self.activations[l - 1]

    # -- construction ------------------------------------------------------------------
    def _build_symbols(self) -> None:
        n = self.sizes
        self.x = [sym("x", None, i) for i in range(n[0])]
        self.y = [sym("y", None, k) for k in range(n[-1])]
        self.params: dict[str, np.ndarray] = {}
        for l in range(1, len(n)):
            W = np.empty((n[l - 1], n[l]), dtype=object)
            for i, j in np.ndindex(W.shape):
                W[i, j] = sym("w", l, i, j)
            self.params[f"W{l}"] = W
            self.params[f"b{l}"] = np.array([sym("b", l, j) for j in range(n[l])],
                                            dtype=object)
        self.z_sym = [[]] + [[sym("z", l, j) for j in range(n[l])] for l in range(1, len(n))]
        self.a_sym = [list(self.x)] + [[sym("a", l, j) for j in range(n[l])]
                                       for l in range(1, len(n))]

    def _build_forward(self) -> None:
        L = self.n_layers
        self.z: list[list[sp.Expr]] = [[]]
        self.a: list[list[sp.Expr]] = [list(self.x)]
        self.z_expanded: list[list[sp.Expr]] = [[]]
        self.a_expanded: list[list[sp.Expr]] = [list(self.x)]
        for l in range(1, L + 1):
            W, b = self.params[f"W{l}"], self.params[f"b{l}"]
            below = self.a_sym[l - 1]
            z = [sum((below[i] * W[i, j] for i in range(len(below))), sp.Integer(0)) + b[j]
                 for j in range(self.sizes[l])]
            name = self.activation_name(l)
            if name == "softmax":
                exps = [sp.exp(zj) for zj in self.z_sym[l]]
                a = [e / sum(exps, sp.Integer(0)) for e in exps]
            else:
                a = [activation_expr(name, zj) for zj in self.z_sym[l]]
            self.z.append(z)
            self.a.append(a)
            down = dict(zip(below, self.a_expanded[l - 1], strict=True))
            z_exp = [zj.xreplace(down) for zj in z]
            here = dict(zip(self.z_sym[l], z_exp, strict=True))
            self.z_expanded.append(z_exp)
            self.a_expanded.append([aj.xreplace(here) for aj in a])

    # -- the loss ----------------------------------------------------------------------
    def loss(self, loss: str = "mse") -> sp.Expr:
        r"""The loss of one sample in compact form: a function of $a^{(L)}$ and $y$."""
        check_loss(loss, self.output)
        return loss_expr(loss, self.a_sym[self.n_layers], self.y)

    def loss_expanded(self, loss: str = "mse") -> sp.Expr:
        """The loss of one sample as a function of x, y and the parameters only."""
        L = self.n_layers
        return self.loss(loss).xreplace(dict(zip(self.a_sym[L], self.a_expanded[L], strict=True)))

    def intermediates(self) -> dict[sp.Symbol, sp.Expr]:
        """Each named symbol z/a of layers 1..L -> its expanded expression."""
        out: dict[sp.Symbol, sp.Expr] = {}
        for l in range(1, self.n_layers + 1):
            out.update(zip(self.z_sym[l], self.z_expanded[l], strict=True))
            out.update(zip(self.a_sym[l], self.a_expanded[l], strict=True))
        return out

    # -- parameters --------------------------------------------------------------------
    def parameter_symbols(self) -> list[sp.Symbol]:
        """Every parameter symbol, in the order of ``params`` and then row-major."""
        return [s for p in self.params.values() for s in p.ravel()]

    def values(self, net: MLP, x=None, y=None) -> dict[sp.Symbol, float]:
        """Symbol -> number: the parameters of ``net`` and, when given, one sample x, y."""
        out = {s: float(v) for name, p in self.params.items()
               for s, v in zip(p.ravel(), np.ravel(net.params[name]), strict=True)}
        if x is not None:
            out.update(zip(self.x, map(float, np.ravel(x)), strict=True))
        if y is not None:
            out.update(zip(self.y, map(float, np.ravel(y)), strict=True))
        return out

    # -- display -----------------------------------------------------------------------
    def equations(self, form: str = "compact") -> str:
        r"""The forward pass and the loss as aligned LaTeX (``form``: compact or expanded)."""
        expanded = _check_form(form) == "expanded"
        rows = []
        for l in range(1, self.n_layers + 1):
            zs = self.z_expanded[l] if expanded else self.z[l]
            as_ = self.a_expanded[l] if expanded else self.a[l]
            for j in range(self.sizes[l]):
                rows.append(f"{sp.latex(self.z_sym[l][j])} &= {sp.latex(zs[j])}")
            for j in range(self.sizes[l]):
                rows.append(f"{sp.latex(self.a_sym[l][j])} &= {sp.latex(as_[j])}")
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"

    def __repr__(self) -> str:
        return (f"SymbolicMLP({self.sizes}, activation={self.activations!r}, "
                f"output={self.output!r})")

    def _repr_latex_(self) -> str:
        return f"$${self.equations()}$$"


def _check_form(form: str) -> str:
    if form not in ("compact", "expanded"):
        raise ValueError(f"form must be 'compact' or 'expanded', got {form!r}")
    return form


@lru_cache(maxsize=32)
def symbolic_twin(sizes: tuple[int, ...], activations: tuple[str, ...],
                  output: str) -> SymbolicMLP:
    """One shared SymbolicMLP per architecture (building the expressions is the slow part)."""
    return SymbolicMLP(sizes, list(activations), output)


# -- gradients by symbolic differentiation -----------------------------------------------
L2 = sp.Symbol(r"\lambda")


@lru_cache(maxsize=32)
def gradient_function(sizes: tuple[int, ...], activations: tuple[str, ...], output: str,
                      loss: str):
    r"""Derive and compile $\partial \ell/\partial\theta$ for every parameter θ.

    $\ell = \text{loss of one sample} + \frac{\lambda}{2}\sum_l \lVert W^{(l)}\rVert^2$, so the
    mean of $\ell$ over a batch is exactly the MLP's regularised loss. Each derivative is
    taken by ``sympy.diff`` of the expanded expression; ``lambdify(cse=True)`` then finds
    the subexpressions the derivatives share, so the compiled function does not repeat them.
    The function takes (x columns, y columns, parameters, λ) and returns one value (or
    array over samples) per parameter, in ``parameter_symbols()`` order.
    """
    twin = symbolic_twin(sizes, activations, output)
    weights = [s for name, p in twin.params.items() if name.startswith("W") for s in p.ravel()]
    ell = twin.loss_expanded(loss) + L2 / 2 * sum((w**2 for w in weights), sp.Integer(0))
    thetas = twin.parameter_symbols()
    derivs = [sp.diff(ell, t) for t in thetas]
    fn = sp.lambdify([twin.x, twin.y, thetas, L2], derivs, modules="numpy", cse=True)
    return twin, fn


def _samples(net: MLP, X, Y, loss: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and net.sizes[0] == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != net.sizes[0]:
        raise ValueError(f"X must have shape (N, {net.sizes[0]}), got {X.shape}")
    return X, targets(Y, loss, net.sizes[-1], len(X), np.float64)


def one_sample(net: MLP, x, y, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """One sample as float64 vectors x (n_0,) and y (n_L,); an integer label becomes one-hot
    for cross-entropy. Also checks the loss against the net's output and dropout."""
    check_loss(loss, net.output)
    _check_no_dropout(net)
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.shape != (net.sizes[0],):
        raise ValueError(f"x must hold {net.sizes[0]} numbers (one sample), got {x.shape}")
    y = np.asarray(y)
    y_row = y.reshape(1) if y.ndim == 0 else y.reshape(1, -1)
    return x, targets(y_row, loss, net.sizes[-1], 1, np.float64)[0]


def _check_no_dropout(net: MLP) -> None:
    if getattr(net, "dropout", 0.0) and net.training:
        raise ValueError("the symbolic twin has no dropout; call net.eval() first (or use "
                         "a net with dropout=0) so both describe the same function")


def gradients(net: MLP, X, Y, loss: str = "mse", l2: float = 0.0) -> dict[str, np.ndarray]:
    r"""$\partial L/\partial\theta$ for every parameter of ``net``, by symbolic differentiation.

    $L = \frac1N\sum_n \ell(x_n, y_n) + \frac{\lambda}{2}\sum_l\lVert W^{(l)}\rVert^2$, the
    MLP's loss. The derivative expressions are derived once per architecture and loss
    (cached), then evaluated at the net's current parameters for every row of X and
    averaged. Returns float64 arrays with the keys and shapes of ``net.params``.
    """
    check_loss(loss, net.output)
    _check_no_dropout(net)
    X, Y = _samples(net, X, Y, loss)
    twin, fn = gradient_function(tuple(net.sizes), tuple(a.name for a in net.activations),
                                 net.output, loss)
    # The compiled function takes the parameters in the twin's order (W1, b1, W2, ...),
    # whatever order net.params happens to have.
    names = list(twin.params)
    thetas = [float(v) for name in names for v in np.ravel(net.params[name])]
    per_sample = fn(list(X.T), list(Y.T), thetas, float(l2))
    # A derivative that does not depend on the sample comes back as a scalar.
    means = [float(np.mean(np.broadcast_to(np.asarray(g, dtype=np.float64), (len(X),))))
             for g in per_sample]
    grads, start = {}, 0
    for name in names:
        p = net.params[name]
        grads[name] = np.array(means[start:start + p.size], dtype=np.float64).reshape(p.shape)
        start += p.size
    return {name: grads[name] for name in net.params}
