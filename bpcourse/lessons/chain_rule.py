r"""Notebook 02's engine room: automatic differentiation by hand, in both directions.

* ``Value``: a scalar node that records how it was made. ``backward()`` visits the graph
  in reverse topological order and applies the chain rule once per edge: the local slope of
  each operation times the gradient arriving from above, summed over every path (reverse
  mode). One backward pass gives the derivative of one output with respect to *every* input.
* ``Dual``: a number carrying a derivative along with its value (forward mode). One forward
  pass gives the derivative of *every* output with respect to one chosen input.
* ``pass_counts`` and ``path_counts``: what each mode costs, and how many chain-rule paths
  an expanded formula would have to write out, counted exactly.

The notebook has the learner write ``Value``'s missing lines; this module is the reference
the checks compare against, and the tests check it against SymPy and finite differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


class Value:
    """A scalar in a computation graph: its value ``data``, its gradient ``grad`` (filled in
    by ``backward``), the values it was made from, and how to pass a gradient back to them."""

    def __init__(self, data: float, parents: tuple[Value, ...] = (), op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.op = op
        # Set by the operation that made this node: adds this node's gradient, times the
        # local slopes, into its parents' gradients.
        self._backward: Callable[[], None] = lambda: None

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad            # d(a + b)/da = 1
            other.grad += out.grad           # d(a + b)/db = 1
        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad   # d(ab)/da = b
            other.grad += self.data * out.grad   # d(ab)/db = a
        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t * t) * out.grad  # tanh' = 1 - tanh²
        out._backward = _backward
        return out

    def exp(self) -> Value:
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def _backward() -> None:
            self.grad += e * out.grad            # exp' = exp
        out._backward = _backward
        return out

    # Python asks the right-hand operand when the left one is a plain number (2 * v, 1 + v).
    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other)

    def __rsub__(self, other: float) -> Value:
        return (-self) + other

    def backward(self) -> None:
        """Fill in ``grad`` of every node this one depends on: d(self)/d(node).

        Each node's ``_backward`` may run only once all the gradient from above has arrived,
        so nodes are visited in reverse topological order (every node after all the nodes
        that use it).
        """
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:                      # depth-first, without recursion limits
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


def sigmoid(z: Value) -> Value:
    """σ(z) from the engine's own operations: σ(z) = (1 + tanh(z/2)) / 2."""
    return ((z * 0.5).tanh() + 1.0) * 0.5


def neuron_loss(w: Value, b: Value, x: float, y: float) -> Value:
    """Notebook 02's neuron, L = ½(σ(wx + b) - y)², built from ``Value`` operations."""
    err = sigmoid(w * x + b) - y
    return err * err * 0.5


@dataclass(frozen=True)
class Dual:
    """A value and its derivative with respect to one chosen input (forward mode).

    Seeding the chosen input with ``dot=1`` and every other with ``dot=0`` makes each
    operation carry d(result)/d(input) forward with the value: one pass per input.
    """

    val: float
    dot: float = 0.0

    def __add__(self, other: Dual | float) -> Dual:
        o = other if isinstance(other, Dual) else Dual(other)
        return Dual(self.val + o.val, self.dot + o.dot)

    def __mul__(self, other: Dual | float) -> Dual:
        o = other if isinstance(other, Dual) else Dual(other)
        return Dual(self.val * o.val, self.dot * o.val + self.val * o.dot)

    __radd__ = __add__
    __rmul__ = __mul__

    def __sub__(self, other: Dual | float) -> Dual:
        return self + (other * -1.0)

    def tanh(self) -> Dual:
        t = math.tanh(self.val)
        return Dual(t, (1 - t * t) * self.dot)


def dual_sigmoid(z: Dual) -> Dual:
    return ((z * 0.5).tanh() + 1.0) * 0.5


def forward_mode_gradient(f: Callable[..., Dual], point: Sequence[float]) -> list[float]:
    """The gradient of a scalar ``f`` at ``point`` by forward mode: one pass per input."""
    grads = []
    for i in range(len(point)):
        args = [Dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(point)]
        grads.append(f(*args).dot)
    return grads


@dataclass(frozen=True)
class PassCount:
    """How many passes each mode needs for the full Jacobian of n inputs to m outputs."""

    n_inputs: int
    n_outputs: int

    @property
    def forward_mode(self) -> int:
        return self.n_inputs             # one pass per input: a column of the Jacobian

    @property
    def reverse_mode(self) -> int:
        return self.n_outputs            # one backward pass per output: a row


def pass_counts(shapes: Iterable[tuple[int, int]]) -> list[PassCount]:
    """``PassCount`` for each (n inputs, m outputs) pair."""
    return [PassCount(n, m) for n, m in shapes]


def path_counts(sizes: Sequence[int]) -> dict[str, int]:
    """Exact numbers of chain-rule paths in an MLP with layer widths ``sizes``.

    ``per_weight[l]``: the paths from one weight of layer l to the loss, the product of the
    widths of the layers above layer l (the loss sums over the outputs). ``total``: the sum
    over every weight and bias, which is how many products an expanded formula for the whole
    gradient writes out, while backprop does one product per weight per layer.
    """
    if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
        raise ValueError(f"sizes must hold at least two positive widths, got {list(sizes)}")
    n_layers = len(sizes) - 1
    out: dict[str, int] = {}
    total = 0
    for l in range(1, n_layers + 1):
        above = math.prod(int(n) for n in sizes[l + 1:])
        out[f"W{l}"] = above
        total += (sizes[l - 1] + 1) * sizes[l] * above   # weights and biases of layer l
    out["total"] = total
    return out
