r"""Computational graphs: forward values and gradients on every node, drawn with matplotlib.

A graph is a list of nodes in topological order (children before parents). Each operation
node knows a *local* SymPy expression in symbols standing for its children, e.g.
$u_0 u_1$ for a product, so its local partial derivatives are
$\partial\,\text{node}/\partial\,\text{child} = $ ``diff(local, u_i)``. Gradients are then
accumulated in reverse, from the output (gradient 1) back to the leaves:

$$\bar v_{\text{child}} \mathrel{+}= \bar v_{\text{node}}\,
\frac{\partial\,\text{node}}{\partial\,\text{child}},\qquad
\bar v = \frac{\partial\,\text{output}}{\partial v}.$$

A node used by several parents collects one term from each: the sum over paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from ..losses import get_loss
from .model import SymbolicMLP, one_sample

if TYPE_CHECKING:
    from ..mlp import MLP


@dataclass
class Node:
    """One value in the graph: a leaf (input, parameter, constant) or an operation."""

    label: str  # LaTeX (without $) naming the node or its operation
    expr: sp.Expr  # what the node stands for, as SymPy
    children: list[int] = field(default_factory=list)
    local: sp.Expr | None = None  # in terms of ``args`` (one symbol per child)
    args: list[sp.Symbol] = field(default_factory=list)
    value: float = float("nan")
    partials: list[float] = field(default_factory=list)  # ∂node/∂child, per child
    grad: float = 0.0
    kind: str = "op"  # "leaf" or "op"
    text: str = ""  # plain-text description for tables; defaults to the expression

    def __post_init__(self) -> None:
        self.text = self.text or sp.sstr(self.expr)

    @property
    def is_leaf(self) -> bool:
        return self.kind == "leaf"


def _number(expr: sp.Expr) -> float:
    value = complex(sp.N(expr))
    if value.imag:
        raise ValueError(f"the graph evaluated {expr} to a complex number {value}")
    return value.real


class ComputationGraph:
    """Nodes with forward values and reverse-accumulated gradients of the output node.

    Build with ``ComputationGraph.from_expr(expr, values)`` (the SymPy expression tree) or
    ``ComputationGraph.from_network(net, x, y, loss)`` (one node per z, a, and the loss).
    ``graph.grad(v)`` is ∂output/∂v for a leaf symbol or name; ``graph.draw()`` plots it.
    """

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.forward()
        self.backward()

    # -- the two passes ----------------------------------------------------------------
    def forward(self) -> None:
        """Evaluate every operation from its children's values, leaves first."""
        for node in self.nodes:
            local = node.local
            if node.is_leaf or local is None:
                continue
            at = {u: sp.Float(self.nodes[c].value)
                  for u, c in zip(node.args, node.children, strict=True)}
            node.value = _number(local.xreplace(at))
            node.partials = [_number(sp.diff(local, u).xreplace(at)) for u in node.args]

    def backward(self) -> None:
        """Reverse accumulation: the output's gradient is 1, each node passes its gradient
        times the local partial down to each child, and a child adds what it receives."""
        for node in self.nodes:
            node.grad = 0.0
        self.nodes[-1].grad = 1.0
        for node in reversed(self.nodes):
            for child, partial in zip(node.children, node.partials, strict=True):
                self.nodes[child].grad += node.grad * partial

    # -- look-ups ----------------------------------------------------------------------
    @property
    def output(self) -> Node:
        return self.nodes[-1]

    @property
    def value(self) -> float:
        return self.output.value

    def node(self, key: sp.Basic | str) -> Node:
        """The node whose expression is ``key`` (a SymPy expression or a symbol's name)."""
        target = sp.Symbol(key) if isinstance(key, str) else key
        for node in self.nodes:
            if node.expr == target:
                return node
        raise KeyError(f"no node for {key}")

    def grad(self, key: sp.Basic | str) -> float:
        """∂output/∂key for a node of the graph (usually a leaf symbol)."""
        return self.node(key).grad

    def layers(self) -> list[int]:
        """Column of each node for drawing: operations by longest path from the leaves;
        each leaf one column left of its first user, so parameters sit next to their use."""
        col = [0] * len(self.nodes)
        for n, node in enumerate(self.nodes):
            if not node.is_leaf:
                col[n] = 1 + max((col[c] for c in node.children), default=0)
        users: dict[int, list[int]] = {}
        for n, node in enumerate(self.nodes):
            for c in node.children:
                users.setdefault(c, []).append(n)
        for n, node in enumerate(self.nodes):
            if node.is_leaf and n in users:
                col[n] = min(col[u] for u in users[n]) - 1
        return col

    def table(self) -> str:
        rows = [("node", "value", "grad")]
        rows += [(n.text, f"{n.value:.6g}", f"{n.grad:.6g}") for n in self.nodes]
        w = [max(len(r[i]) for r in rows) for i in range(2)]
        return "\n".join(f"{r[0].ljust(w[0])}  {r[1].ljust(w[1])}  {r[2]}" for r in rows)

    def __repr__(self) -> str:
        return f"ComputationGraph with {len(self.nodes)} nodes\n{self.table()}"

    def draw(self, ax=None, title: str | None = None):
        """Draw the graph (see ``draw_graph``); returns the matplotlib Axes."""
        return draw_graph(self, ax=ax, title=title)

    # -- builders ----------------------------------------------------------------------
    @classmethod
    def from_expr(cls, expr: sp.Expr, values: Mapping) -> ComputationGraph:
        """The graph of a scalar SymPy expression, with a value for each of its symbols.

        Each distinct subexpression becomes one node (so a subexpression used twice is
        one node with two parents); numbers are folded into the operation using them,
        e.g. ``2*x`` is one node "× 2" with the single child x.
        """
        expr = sp.sympify(expr)
        values = {(sp.Symbol(k) if isinstance(k, str) else k): float(v)
                  for k, v in values.items()}
        missing = expr.free_symbols - set(values)
        if missing:
            raise ValueError(f"no value given for {', '.join(sorted(map(str, missing)))}")
        nodes: list[Node] = []
        index: dict[sp.Basic, int] = {}

        def visit(e: sp.Basic) -> int:
            if e in index:
                return index[e]
            if e.is_Symbol or e.is_number:
                node = Node(sp.latex(e), e, kind="leaf",
                            value=values[e] if e.is_Symbol else _number(e))
            else:
                node = _op_node(e, visit)
            nodes.append(node)
            index[e] = len(nodes) - 1
            return index[e]

        visit(expr)
        return cls(nodes)

    @classmethod
    def from_network(cls, net: MLP, x, y, loss: str = "mse") -> ComputationGraph:
        """One sample through ``net``: leaves x, W, b, y; one node per z, per a, and L.

        Local expressions are the compact ones of ``SymbolicMLP`` (a z-node is
        $\\sum_i a_i w_{ij} + b_j$ of its children), so the node gradients are
        $\\partial L/\\partial z$ (= delta) and $\\partial L/\\partial a$ (= dA).
        """
        x, Y = one_sample(net, x, y, loss)
        twin = SymbolicMLP.from_mlp(net)
        values = twin.values(net, x, Y)
        nodes: list[Node] = []
        index: dict[sp.Symbol, int] = {}

        def add(node: Node) -> None:
            index[node.expr] = len(nodes)
            nodes.append(node)

        def leaf(s: sp.Symbol) -> int:
            if s not in index:
                add(Node(sp.latex(s), s, kind="leaf", value=values[s]))
            return index[s]

        def op(s: sp.Symbol, label: str, local: sp.Expr, kids: list[sp.Symbol]) -> None:
            add(Node(label, s, [index[k] for k in kids], local, list(kids),
                     text=f"{s} = {sp.sstr(local)}"))

        for l in range(1, twin.n_layers + 1):
            f = twin.activation_name(l)
            for j, z in enumerate(twin.z_sym[l]):
                kids = [twin.a_sym[l - 1][i] for i in range(twin.sizes[l - 1])]
                params = list(twin.params[f"W{l}"][:, j]) + [twin.params[f"b{l}"][j]]
                for s in (kids if l == 1 else []) + params:
                    leaf(s)
                op(z, rf"{sp.latex(z)} = \Sigma", twin.z[l][j], kids + params)
            for j, a in enumerate(twin.a_sym[l]):
                kids = list(twin.z_sym[l]) if f == "softmax" else [twin.z_sym[l][j]]
                op(a, rf"{sp.latex(a)} = {_FUNC_LABEL[f]}", twin.a[l][j], kids)
        for s in twin.y:
            leaf(s)
        outs = list(twin.a_sym[twin.n_layers]) + list(twin.y)
        op(sp.Symbol("L"), rf"L\ \mathrm{{({get_loss(loss).label})}}", twin.loss(loss), outs)
        return cls(nodes)


_FUNC_LABEL = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{relu}",
               "leaky_relu": r"\mathrm{lrelu}", "identity": r"\mathrm{id}",
               "softmax": r"\mathrm{softmax}"}


def _op_label(e: sp.Basic, consts: list[sp.Basic]) -> str:
    """A short mathtext label for an operation, showing any number folded into it."""
    c = "".join(f" ({sp.latex(k)})" for k in consts)
    if isinstance(e, sp.Add):
        return "+" + c
    if isinstance(e, sp.Mul):
        return r"\times" + c
    if isinstance(e, sp.Pow):
        base, power = e.args
        if power.is_number:
            return rf"(\cdot)^{{{sp.latex(power)}}}"
        return rf"{sp.latex(base)}^{{(\cdot)}}" if base.is_number else r"u^v"
    return rf"\mathrm{{{type(e).__name__}}}"


def _op_node(e: sp.Basic, visit) -> Node:
    """A node for operation ``e`` whose non-number arguments become children."""
    if not all(isinstance(a, sp.Expr) for a in e.args):
        # e.g. Piecewise, whose arguments are (expression, condition) pairs: the node
        # takes the symbols themselves as children.
        kids = sorted(e.free_symbols, key=str)
        args = [sp.Dummy(f"u{i}") for i in range(len(kids))]
        local = e.xreplace(dict(zip(kids, args, strict=True)))
        return Node(type(e).__name__, e, [visit(k) for k in kids], local, args)
    kids = [a for a in e.args if not a.is_number]
    consts = [a for a in e.args if a.is_number]
    args = [sp.Dummy(f"u{i}") for i in range(len(kids))]
    swap = dict(zip(kids, args, strict=True))
    local = e.func(*[swap.get(a, a) for a in e.args])
    label = _op_label(e, consts if not isinstance(e, sp.Pow) else [])
    return Node(label, e, [visit(k) for k in kids], local, args)


# -- drawing -----------------------------------------------------------------------------
BOX_W, BOX_H, COL_GAP, ROW_GAP = 1.6, 0.78, 2.3, 1.0


def _rows(graph: ComputationGraph, cols: list[int]) -> list[float]:
    """Row of each node, placed from the output leftwards: a node wants the mean row of
    the nodes that use it, siblings keep the order of their parent's arguments, and
    nodes of a column are then pushed apart to at least one row."""
    parents: dict[int, list[tuple[int, int]]] = {}
    for n, node in enumerate(graph.nodes):
        for k, c in enumerate(node.children):
            parents.setdefault(c, []).append((n, k))
    row = [0.0] * len(cols)
    for col in sorted(set(cols), reverse=True):
        members = [n for n in range(len(cols)) if cols[n] == col]
        want = {n: float(np.mean([row[p] for p, _ in parents[n]])) if n in parents else 0.0
                for n in members}
        members.sort(key=lambda n: (want[n], parents[n][0][1] if n in parents else 0, n))
        placed: list[float] = []
        for n in members:
            placed.append(want[n] if not placed else max(want[n], placed[-1] + ROW_GAP))
        shift = float(np.mean([want[n] - p for n, p in zip(members, placed, strict=True)]))
        for n, p in zip(members, placed, strict=True):
            row[n] = p + shift
    return row


def _placement(graph: ComputationGraph):
    """Where each node's box goes, the axis limits, and the inches per unit (``scale``)."""
    cols = graph.layers()
    rows = _rows(graph, cols)
    c0 = min(cols)
    xy = [((c - c0) * COL_GAP, -r) for c, r in zip(cols, rows, strict=True)]
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    x_lim = (min(xs) - BOX_W / 2 - 0.1, max(xs) + BOX_W / 2 + 0.1)
    y_lim = (min(ys) - BOX_H / 2 - 0.1, max(ys) + BOX_H / 2 + 0.1)
    width, height = x_lim[1] - x_lim[0], y_lim[1] - y_lim[0]
    # about 0.8 inch per unit, shrunk together with the font when the graph is large
    scale = min(0.8, 16 / width, 11 / max(height, 1))
    return xy, x_lim, y_lim, scale


def graph_figsize(graph: ComputationGraph) -> tuple[float, float]:
    """The figure size ``draw_graph`` gives ``graph`` when it makes the figure."""
    _, x_lim, y_lim, scale = _placement(graph)
    width, height = x_lim[1] - x_lim[0], y_lim[1] - y_lim[0]
    return width * scale, max(height * scale, 1.2)


def draw_graph(graph: ComputationGraph, ax=None, title: str | None = None,
               parts: str = "all"):
    """Boxes left to right from the leaves to the output, each showing the node's label,
    forward value and gradient; arrows follow the forward pass. Inputs and parameters
    are blue, operations orange, the output green. Returns the Axes.

    ``parts="structure"`` draws only what does not depend on the values (arrows, boxes,
    labels, limits), ``parts="values"`` only the values, gradients and title: a live view
    draws the structure once and the values on each change.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if parts not in ("all", "structure", "values"):
        raise ValueError(f"parts must be 'all', 'structure' or 'values', got {parts!r}")
    xy, x_lim, y_lim, scale = _placement(graph)
    if ax is None:
        _, ax = plt.subplots(figsize=graph_figsize(graph))
    font = 9.5 * scale
    structure, values = parts in ("all", "structure"), parts in ("all", "values")
    if structure:
        for n, node in enumerate(graph.nodes):
            for c in node.children:
                ax.annotate("", xy=(xy[n][0] - BOX_W / 2, xy[n][1]),
                            xytext=(xy[c][0] + BOX_W / 2, xy[c][1]),
                            arrowprops=dict(arrowstyle="-|>", color="0.5", lw=0.7,
                                            shrinkA=0, shrinkB=1, mutation_scale=8))
    last = len(graph.nodes) - 1
    for n, node in enumerate(graph.nodes):
        colour = "#d5f0d5" if n == last else ("#dbe9f6" if node.is_leaf else "#fde9c9")
        x, y = xy[n]
        if structure:
            ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H,
                                        boxstyle="round,pad=0,rounding_size=0.08",
                                        fc=colour, ec="0.35", lw=0.7))
            ax.text(x, y + BOX_H / 4, f"${node.label}$", ha="center", va="center",
                    fontsize=font)
        if values:
            ax.text(x, y - BOX_H / 6, f"value {node.value:.4g}\ngrad {node.grad:.4g}",
                    ha="center", va="center", fontsize=font * 0.9, linespacing=1.2)
    if structure:
        ax.set_xlim(*x_lim)
        ax.set_ylim(*y_lim)
        ax.axis("off")
    if title and values:
        ax.set_title(title, fontsize=10)
    return ax


def graph_explorer(expr: sp.Expr, sliders: Mapping, fixed: Mapping | None = None):
    """A live ``draw_graph`` of ``ComputationGraph.from_expr(expr, values)``: one slider
    per symbol in ``sliders`` (symbol -> ipywidgets slider), the other symbols at their
    ``fixed`` values. The boxes are drawn once; each change redraws the values, the
    gradients and a title with L and dL/d(symbol) for each slider's symbol."""
    from ..live import LivePlot

    fixed = dict(fixed or {})
    symbols = {str(s): s for s in sliders}

    def graph_at(values: Mapping[str, float]) -> ComputationGraph:
        return ComputationGraph.from_expr(expr, {**fixed, **{symbols[k]: v
                                                             for k, v in values.items()}})

    def limits(ax) -> None:  # the structure's limits, set again after each emptying
        _, x_lim, y_lim, _ = _placement(first)
        ax.set_xlim(*x_lim)
        ax.set_ylim(*y_lim)

    def backdrop(ax) -> None:
        draw_graph(first, ax, parts="structure")

    def draw(ax, **values: float) -> None:
        g = graph_at(values)
        grads = ",  ".join(f"dL/d{k} = {g.grad(s):.4g}" for k, s in symbols.items())
        limits(ax)
        draw_graph(g, ax, title=f"L = {g.value:.4f},  {grads}", parts="values")

    controls = {str(s): slider for s, slider in sliders.items()}
    first = graph_at({k: c.value for k, c in controls.items()})
    width, height = graph_figsize(first)
    return LivePlot(draw, controls, figsize=(width, height + 0.35), grid=(1, 1),
                    backdrop=backdrop,
                    margins={"left": 0.0, "right": 1.0, "bottom": 0.0,
                             "top": height / (height + 0.35)})
