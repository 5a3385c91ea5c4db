r"""What symbolic differentiation costs, next to backprop, as a network grows.

Differentiating the expanded loss writes out, for every parameter, the whole chain of
factors from that parameter to the loss. A factor shared by many parameters (the output
layer's $\delta^{(L)}$, say) is written out again inside every derivative, and the forward
expression of each unit is copied into every unit above it: the *expression swell*.
Counted as a tree (``sympy.count_ops``), the gradient grows much faster than the network.

Backprop is the same chain rule with every intermediate named and computed once:
a straight-line program of one assignment per $z$, $a$, $\delta$, $\bar a$ and gradient
entry (``backprop_program``). Its operation count grows like the number of weights.
Common-subexpression elimination (``sympy.cse``) recovers much of that sharing
automatically, at a price in time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..mlp import MLP
from .model import (
    SymbolicMLP,
    activation_prime_compact,
    softmax_delta_compact,
    sym,
)


def backprop_program(twin: SymbolicMLP, loss: str = "mse") -> list[tuple[sp.Symbol, sp.Expr]]:
    r"""Forward and backward pass for one sample as assignments ``(name, expression)``.

    Each expression uses only names assigned before it. Backward names:
    $\delta^{(l)}_j = \partial L/\partial z^{(l)}_j$, $\bar a^{(l)}_i = \partial L/\partial
    a^{(l)}_i$ (NumPy's ``dA``), $\bar w^{(l)}_{ij}$ and $\bar b^{(l)}_j$ (the gradient):

    $$\bar w^{(l)}_{ij} = a^{(l-1)}_i\delta^{(l)}_j,\quad \bar b^{(l)}_j = \delta^{(l)}_j,
    \quad \bar a^{(l-1)}_i = \sum_j w^{(l)}_{ij}\delta^{(l)}_j,\quad
    \delta^{(l-1)}_i = \bar a^{(l-1)}_i f'(z^{(l-1)}_i).$$
    """
    L, prog = twin.n_layers, []
    for l in range(1, L + 1):
        prog += list(zip(twin.z_sym[l], twin.z[l], strict=True))
        prog += list(zip(twin.a_sym[l], twin.a[l], strict=True))
    prog.append((sp.Symbol("L"), twin.loss(loss)))
    a_out, z_out = twin.a_sym[L], twin.z_sym[L]
    delta = [sym(r"\delta", L, k) for k in range(twin.sizes[L])]
    for k, d in enumerate(delta):
        if twin.output == "softmax":
            rhs = softmax_delta_compact(loss, a_out, twin.y, k)
        else:
            rhs = sp.diff(twin.loss(loss), a_out[k]) * activation_prime_compact(
                twin.output, z_out[k], a_out[k])
        prog.append((d, rhs))
    for l in range(L, 0, -1):
        W = twin.params[f"W{l}"]
        for i, j in np.ndindex(W.shape):
            prog.append((sym(r"\bar{w}", l, i, j), twin.a_sym[l - 1][i] * delta[j]))
        prog += [(sym(r"\bar{b}", l, j), d) for j, d in enumerate(delta)]
        if l == 1:
            break
        below = []
        for i in range(twin.sizes[l - 1]):
            g = sym(r"\bar{a}", l - 1, i)
            prog.append((g, sp.Add(*[W[i, j] * delta[j] for j in range(len(delta))])))
            d = sym(r"\delta", l - 1, i)
            fprime = activation_prime_compact(twin.activation_name(l - 1),
                                              twin.z_sym[l - 1][i], twin.a_sym[l - 1][i])
            prog.append((d, g * fprime))
            below.append(d)
        delta = below
    return prog


def run_program(prog, values: dict[sp.Symbol, float]) -> dict[sp.Symbol, float]:
    """Execute a program from ``backprop_program`` on numbers (x, y and parameters)."""
    env = {s: sp.Float(v) for s, v in values.items()}
    for name, rhs in prog:
        env[name] = sp.Float(float(rhs.xreplace(env)))
    return {s: float(v) for s, v in env.items()}


def ops(exprs: Iterable[sp.Expr]) -> int:
    """Total ``sympy.count_ops`` over expressions: every operation in every tree."""
    return int(sum(sp.count_ops(e) for e in exprs))


@dataclass(frozen=True)
class CostRow:
    """The cost of the gradient of one architecture (one sample, all parameters)."""

    sizes: tuple[int, ...]
    n_params: int
    expanded_ops: int  # operations in the expanded derivative trees, summed
    cse_ops: int  # after sympy.cse: shared subexpressions counted once
    backprop_ops: int  # operations in the backprop program (forward + backward)
    symbolic_seconds: float  # build the expressions and differentiate them
    backprop_seconds: float  # one NumPy forward + backward pass


@dataclass(frozen=True)
class CostTable:
    """Rows of ``expression_cost``; prints the operation counts (timings are in the rows)."""

    rows: tuple[CostRow, ...]

    def column(self, name: str) -> np.ndarray:
        return np.array([getattr(r, name) for r in self.rows])

    def __repr__(self) -> str:
        head = ("sizes", "params", "expanded ops", "after cse", "backprop ops")
        body = [(str(list(r.sizes)), str(r.n_params), str(r.expanded_ops), str(r.cse_ops),
                 str(r.backprop_ops)) for r in self.rows]
        w = [max(len(x[i]) for x in [head, *body]) for i in range(5)]
        return "\n".join("  ".join(x[i].rjust(w[i]) for i in range(5)) for x in [head, *body])


def expression_cost(architectures: Sequence[Sequence[int]], activation: str = "sigmoid",
                    output: str = "identity", loss: str = "mse", repeats: int = 20,
                    seed: int = 0) -> CostTable:
    """Measure the symbolic gradient against backprop for each architecture (list of sizes).

    Operation counts are exact and repeatable; times are wall-clock (the best of
    ``repeats`` NumPy passes, one symbolic derivation each, since SymPy caches results).
    """
    rows = []
    for sizes in architectures:
        sizes = tuple(int(n) for n in sizes)
        sp.core.cache.clear_cache()  # else SymPy may answer repeated diffs from its cache
        start = time.perf_counter()
        twin = SymbolicMLP(sizes, activation, output)
        ell = twin.loss_expanded(loss)
        derivs = [sp.diff(ell, t) for t in twin.parameter_symbols()]
        symbolic_seconds = time.perf_counter() - start
        replacements, reduced = sp.cse(derivs)
        net = MLP(list(sizes), activation=activation, output=output, seed=seed)
        x = np.random.default_rng(seed).standard_normal((1, sizes[0]))
        y = np.full((1, sizes[-1]), 1.0 / sizes[-1])
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            net.loss_and_gradients(x, y, loss)
            times.append(time.perf_counter() - t0)
        rows.append(CostRow(
            sizes=sizes, n_params=len(twin.parameter_symbols()), expanded_ops=ops(derivs),
            cse_ops=ops([e for _, e in replacements] + list(reduced)),
            backprop_ops=ops(rhs for _, rhs in backprop_program(twin, loss)),
            symbolic_seconds=symbolic_seconds, backprop_seconds=min(times)))
    return CostTable(tuple(rows))
