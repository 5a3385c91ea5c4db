r"""The chain rule for one parameter, one factor at a time, for one sample.

A parameter $\theta$ of layer $l$ reaches the loss through every chain of units
$z^{(l)}_j \to a^{(l)}_j \to z^{(l+1)}_{k} \to \dots \to z^{(L)}_{m} \to L$. The derivative
is a sum over these paths of the product of the local derivatives along each:

$$\frac{\partial L}{\partial w^{(l)}_{ij}} = \sum_{\text{paths}}
\frac{\partial L}{\partial a^{(L)}_m}\frac{\partial a^{(L)}_m}{\partial z^{(L)}_m}
\cdots \frac{\partial a^{(l)}_j}{\partial z^{(l)}_j}
\frac{\partial z^{(l)}_j}{\partial w^{(l)}_{ij}}.$$

Every factor is kept as a SymPy expression (compact: in the named symbols of the two
quantities it links; expanded: in x, y and the parameters) and as a number, together with
the entry of the NumPy ``net.trace`` (or ``net.params``) that holds the same number.

Softmax outputs couple every output to every logit, so for them the first factor is
$\partial L/\partial z^{(L)}_m$ in one step (it already sums over the softmax's outputs).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from ..trace import split_name
from .model import (
    SymbolicMLP,
    _check_form,
    activation_prime_compact,
    one_sample,
    softmax_delta_compact,
)

if TYPE_CHECKING:
    from ..mlp import MLP

LOSS = sp.Symbol("L")
_PARAM = re.compile(r"^\s*([Wb])(\d+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*$")


# A dataclass, not a NamedTuple, whose ``index`` would shadow ``tuple.index``.
@dataclass(frozen=True)
class NumpyRef:
    """Where the NumPy network keeps a number: ``getattr(net, where)[name][index]``."""

    where: str  # "trace" or "params"
    name: str
    index: tuple[int, ...]

    def lookup(self, net: MLP) -> float:
        return float(getattr(net, self.where)[self.name][self.index])

    def __str__(self) -> str:
        return f"net.{self.where}[{self.name!r}][{', '.join(map(str, self.index))}]"


def parse_parameter(name: str, sizes) -> tuple[str, int, tuple[int, ...]]:
    """``"W1[0,1]"`` -> ``("W1", 1, (0, 1))``; ``"b2[1]"`` -> ``("b2", 2, (1,))``."""
    m = _PARAM.match(name)
    if not m:
        raise ValueError(f"cannot read parameter {name!r}; write it like 'W1[0,1]' or 'b2[1]'")
    kind, layer = m.group(1), int(m.group(2))
    index = tuple(int(g) for g in m.groups()[2:] if g is not None)
    if not 1 <= layer < len(sizes):
        raise ValueError(f"{name}: layers run from 1 to {len(sizes) - 1}")
    shape = (sizes[layer - 1], sizes[layer]) if kind == "W" else (sizes[layer],)
    if len(index) != len(shape) or any(not 0 <= i < n for i, n in zip(index, shape, strict=True)):
        raise ValueError(f"{name}: {kind}{layer} has shape {shape}")
    return f"{kind}{layer}", layer, index


def parameter_entries(net: MLP) -> list[str]:
    """Every scalar parameter of ``net`` as a ``chain_rule`` name: W1[0,0], ..., b1[0], ..."""
    return [f"{name}[{','.join(map(str, i))}]"
            for name, p in net.params.items() for i in np.ndindex(p.shape)]


def _fraction(top: sp.Symbol, bottom: sp.Symbol) -> str:
    return rf"\frac{{\partial {sp.latex(top)}}}{{\partial {sp.latex(bottom)}}}"


def _num(v: float) -> str:
    return f"{v:.6g}"


@dataclass(frozen=True)
class Factor:
    r"""One local derivative $\partial\,\text{top}/\partial\,\text{bottom}$ on a path."""

    top: sp.Symbol
    bottom: sp.Symbol
    compact: sp.Expr
    expanded: sp.Expr
    value: float
    numpy: NumpyRef | None

    @property
    def name(self) -> str:
        return f"∂{self.top}/∂{self.bottom}"

    def latex(self, form: str = "compact") -> str:
        expr = self.expanded if _check_form(form) == "expanded" else self.compact
        return f"{_fraction(self.top, self.bottom)} = {sp.latex(expr)} = {_num(self.value)}"


@dataclass(frozen=True)
class Path:
    """One chain of nodes from the loss down to the parameter, and its factors."""

    nodes: tuple[sp.Symbol, ...]
    factors: tuple[Factor, ...]

    @property
    def value(self) -> float:
        return float(np.prod([f.value for f in self.factors]))

    def __str__(self) -> str:
        return " → ".join(map(str, self.nodes))


@dataclass(frozen=True)
class ChainRule:
    """The chain rule for one parameter and one sample: paths, factors, values.

    ``value`` is the sum over paths of the product of each path's factors.
    ``d_loss_d(node)`` is the partial sum for an intermediate node ($\\partial L/\\partial
    a^{(l)}_j$ or $\\partial L/\\partial z^{(l)}_j$), and ``checkpoints()`` lists those with
    the NumPy trace entries (``dA{l}``, ``delta{l}``) that hold the same numbers.
    """

    parameter: str
    symbol: sp.Symbol
    loss: str
    paths: tuple[Path, ...]
    n_layers: int

    @property
    def value(self) -> float:
        return float(sum(p.value for p in self.paths))

    def expression(self, form: str = "compact") -> sp.Expr:
        """Σ over paths of the product of factors, as one SymPy expression."""
        attr = "expanded" if _check_form(form) == "expanded" else "compact"
        return sp.Add(*[sp.Mul(*[getattr(f, attr) for f in p.factors]) for p in self.paths])

    def d_loss_d(self, node: sp.Symbol | str) -> float:
        """∂L/∂node: Σ over the distinct routes from L down to ``node`` of the product of
        their factors (paths that differ only below ``node`` share one route)."""
        node = sp.Symbol(node) if isinstance(node, str) else node
        routes: dict[tuple[sp.Symbol, ...], float] = {}
        for p in self.paths:
            if node in p.nodes:
                k = p.nodes.index(node)
                routes[p.nodes[:k + 1]] = float(np.prod([f.value for f in p.factors[:k]]))
        if not routes:
            raise KeyError(f"{node} is not on any path from L to {self.symbol}")
        return float(sum(routes.values()))

    def checkpoints(self) -> list[tuple[sp.Symbol, float, NumpyRef]]:
        """(node, ∂L/∂node, trace entry) for each z and hidden a on the paths, in the order
        a backward pass meets them: from the output layer down, ``dA`` before ``delta``."""
        found: dict[sp.Symbol, NumpyRef] = {}
        for p in self.paths:
            for node in p.nodes[1:-1]:
                ref = _upstream_ref(node, self.n_layers)
                if ref is not None:
                    found[node] = ref

        def backward_order(node: sp.Symbol) -> tuple:
            ref = found[node]
            layer = split_name(ref.name)[1]
            return (-layer, ref.name.startswith("delta"), ref.index)

        order = sorted(found, key=backward_order)
        return [(node, self.d_loss_d(node), found[node]) for node in order]

    # -- display -----------------------------------------------------------------------
    def latex(self, form: str = "compact") -> str:
        """Aligned LaTeX: per path the fractions, their expressions, their values."""
        rows = []
        for n, p in enumerate(self.paths, 1):
            fracs = "".join(_fraction(f.top, f.bottom) for f in p.factors)
            exprs = "".join(rf"\left({sp.latex(getattr(f, _check_form(form)))}\right)"
                            for f in p.factors)
            vals = r" \cdot ".join(f"({_num(f.value)})" for f in p.factors)
            label = rf"\text{{path {n}: }}" if len(self.paths) > 1 else ""
            rows.append(rf"{label}{fracs} &= {exprs} \\ &= {vals} = {_num(p.value)}")
        total = " + ".join(f"({_num(p.value)})" for p in self.paths)
        rows.append(rf"{_fraction(LOSS, self.symbol)} &= {total} = {_num(self.value)}")
        return r"\begin{aligned}" + r" \\[4pt] ".join(rows) + r"\end{aligned}"

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"

    def __repr__(self) -> str:
        head = (f"∂L/∂{self.symbol} ({self.parameter}), loss {self.loss}, one sample: "
                f"{len(self.paths)} path{'s' if len(self.paths) > 1 else ''}")
        lines = [head]
        for n, p in enumerate(self.paths, 1):
            lines.append(f"path {n}: {p}")
            rows = [("factor", "compact form", "value", "same number in NumPy")]
            rows += [(f.name, sp.sstr(f.compact), _num(f.value), str(f.numpy or ""))
                     for f in p.factors]
            widths = [max(len(r[i]) for r in rows) for i in range(4)]
            for r in rows:
                lines.append(("  " + "  ".join(r[i].ljust(widths[i]) for i in range(4))
                              ).rstrip())
            lines.append(f"  product = {_num(p.value)}")
        if len(self.paths) > 1:
            lines.append(f"sum over paths = {_num(self.value)}")
        return "\n".join(lines)


def _upstream_ref(node: sp.Symbol, n_layers: int) -> NumpyRef | None:
    """The trace entry holding ∂L/∂node for a named z (delta) or hidden a (dA) symbol.

    The NumPy pass keeps no dA for the output layer: it goes straight to delta{L}.
    """
    m = re.match(r"^([az])\^\{\((\d+)\)\}_\{(\d+)\}$", node.name)
    if not m:
        return None
    stem, l, j = m.group(1), int(m.group(2)), int(m.group(3))
    if stem == "a" and l == n_layers:
        return None
    return NumpyRef("trace", ("delta" if stem == "z" else "dA") + str(l), (0, j))


class _Builder:
    """Makes Factors for one network and one sample (numbers from the expanded forms)."""

    def __init__(self, twin: SymbolicMLP, numbers: dict[sp.Symbol, float]) -> None:
        self.twin = twin
        self.full = twin.intermediates()
        self.numbers = {s: sp.Float(v) for s, v in numbers.items()}

    def factor(self, top, bottom, compact, numpy: NumpyRef | None = None) -> Factor:
        compact = sp.sympify(compact)
        expanded = compact.xreplace(self.full)
        value = float(expanded.xreplace(self.numbers))
        return Factor(top, bottom, compact, expanded, value, numpy)


def _output_factors(b: _Builder, loss: str, m: int) -> list[Factor]:
    """The factors from L down to z^{(L)}_m."""
    t, L = b.twin, b.twin.n_layers
    a_out, z_out = t.a_sym[L], t.z_sym[L]
    if t.output == "softmax":
        return [b.factor(LOSS, z_out[m], softmax_delta_compact(loss, a_out, t.y, m),
                         NumpyRef("trace", f"delta{L}", (0, m)))]
    return [b.factor(LOSS, a_out[m], sp.diff(t.loss(loss), a_out[m])),
            b.factor(a_out[m], z_out[m], activation_prime_compact(t.output, z_out[m],
                                                                  a_out[m]))]


def chain_rule(net: MLP, parameter: str, x, y, loss: str = "mse") -> ChainRule:
    r"""The chain rule for ``parameter`` (e.g. ``"W1[0,1]"`` or ``"b2[1]"``) at one sample.

    Factors run from the loss down: $\partial L/\partial a^{(L)}$, $\partial a/\partial z$,
    $\partial z/\partial a$ (a weight), ..., $\partial z^{(l)}_j/\partial\theta$ (an
    activation of the layer below, or 1 for a bias). Numbers are the expanded expressions
    evaluated at the net's current parameters and this (x, y); with one sample the NumPy
    loss (a mean over N = 1 rows) is the same function, so the factors line up with
    ``net.trace`` after ``net.loss_and_gradients(x[None], y[None], loss)``.
    """
    x, Y = one_sample(net, x, y, loss)
    name, l, index = parse_parameter(parameter, net.sizes)
    twin = SymbolicMLP.from_mlp(net)
    b = _Builder(twin, twin.values(net, x, Y))
    routes = itertools.product(*[range(n) for n in net.sizes[l + 1:]])
    paths = tuple(_path(b, loss, name, index, (index[-1], *route)) for route in routes)
    return ChainRule(parameter, twin.params[name][index], loss, paths, twin.n_layers)


def _path(b: _Builder, loss: str, name: str, index: tuple[int, ...],
          units: tuple[int, ...]) -> Path:
    """The path from L down to parameter ``name[index]`` of layer l through unit
    ``units[m - l]`` of each layer m = l, ..., L."""
    twin, L, l = b.twin, b.twin.n_layers, int(name[1:])
    theta = twin.params[name][index]
    factors = _output_factors(b, loss, units[-1])
    nodes = [LOSS] + ([] if twin.output == "softmax" else [twin.a_sym[L][units[-1]]])
    nodes.append(twin.z_sym[L][units[-1]])
    for m in range(L, l, -1):
        k, j = units[m - l], units[m - 1 - l]
        a_below, z_below = twin.a_sym[m - 1][j], twin.z_sym[m - 1][j]
        factors.append(b.factor(twin.z_sym[m][k], a_below, twin.params[f"W{m}"][j, k],
                                NumpyRef("params", f"W{m}", (j, k))))
        fprime = activation_prime_compact(twin.activation_name(m - 1), z_below, a_below)
        factors.append(b.factor(a_below, z_below, fprime,
                                NumpyRef("trace", f"fprime{m - 1}", (0, j))))
        nodes += [a_below, z_below]
    z_own = twin.z_sym[l][units[0]]
    if name.startswith("W"):
        i = index[0]
        factors.append(b.factor(z_own, theta, twin.a_sym[l - 1][i],
                                NumpyRef("trace", f"A{l - 1}", (0, i))))
    else:
        factors.append(b.factor(z_own, theta, sp.Integer(1)))
    nodes.append(theta)
    return Path(tuple(nodes), tuple(factors))
