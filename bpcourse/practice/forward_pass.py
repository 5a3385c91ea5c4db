"""Practice for notebook 01 (forward pass): a neuron's output, and the shapes of a layer."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .generator import Givens, Param, Posed, generator
from .instance import short, show

ACTIVATIONS = ("sigmoid", "tanh", "relu")


def apply(name: str, z: float) -> float:
    """The activation ``name`` at ``z``."""
    if name == "sigmoid":
        return 1 / (1 + math.exp(-z))
    if name == "tanh":
        return math.tanh(z)
    if name == "relu":
        return max(0.0, z)
    raise ValueError(name)


FORMULA = {"sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}", "tanh": r"\tanh z",
           "relu": r"\mathrm{relu}(z) = \max(0, z)"}


@generator("forward_pass.neuron_output", "Compute one neuron's output", "numeric",
           {"activation": Param("any", ("any", *ACTIVATIONS)),
            "inputs": Param(2, low=1, high=4)})
def neuron_output(g: Givens, params: Mapping[str, Any]) -> Posed:
    name = params["activation"]
    if name == "any":
        name = g.choice("activation", ACTIVATIONS)
    n = params["inputs"]
    for _ in g.tries():
        x = g.vector("x", n, -2, 2)
        w = g.vector("w", n, -1.5, 1.5)
        b = g.number("b", -1, 1)
        z = sum(xi * wi for xi, wi in zip(x, w, strict=True)) + b
        # Not z = 0, and not a ReLU that is off (an output of 0 whatever the numbers).
        if abs(z) >= 0.1 and abs(z) <= 3 and (name != "relu" or z > 0):
            break
    a = apply(name, z)
    terms = " + ".join(f"({show(xi)})({show(wi)})" for xi, wi in zip(x, w, strict=True))
    return Posed(
        prompt=(f"A neuron with the **{name}** activation gets the inputs "
                f"$x = ({', '.join(map(show, x))})$, has the weights "
                f"$w = ({', '.join(map(show, w))})$ and the bias $b = {show(b)}$. "
                "What is its output $a = f(z)$?"),
        kind="numeric", answer=a,
        solution=[f"$z = \\sum_i x_i w_i + b = {terms} + ({show(b)}) = {short(z)}$",
                  f"${FORMULA[name]}$, so $a = f({short(z)}) = {short(a)}$"],
        answer_hint="A number, to at least 3 significant figures.")


ARRAYS = ("W", "b", "Z", "A", "delta", "dW")


@generator("forward_pass.layer_shapes", "Give the shape of a layer's array", "shape",
           {"layers": Param(2, low=1, high=3)})
def layer_shapes(g: Givens, params: Mapping[str, Any]) -> Posed:
    n_layers = params["layers"]
    sizes = [g.integer(f"n{l}", 2, 12) for l in range(n_layers + 1)]
    batch = g.integer("N", 8, 64)
    which = g.choice("array", ARRAYS)
    l = g.integer("l", 1, n_layers)
    n_in, n_out = sizes[l - 1], sizes[l]
    shape: tuple[int, ...]
    if which in ("W", "dW"):
        shape, why = (n_in, n_out), f"$W^{{({l})}}$ maps $n_{{{l - 1}}}$ inputs to " \
            f"$n_{{{l}}}$ units: $(n_{{{l - 1}}}, n_{{{l}}})$"
        if which == "dW":
            why += (f"; $\\partial L/\\partial W^{{({l})}} = A^{{({l - 1})\\top}}\\delta^{{({l})}}$"
                    " has the shape of $W$ itself")
    elif which == "b":
        shape, why = (n_out,), f"one bias per unit: $(n_{{{l}}},)$"
    else:
        shape, why = (batch, n_out), f"one row per example, one column per unit: $(N, n_{{{l}}})$"
    symbol = {"W": f"W^{{({l})}}", "b": f"b^{{({l})}}", "Z": f"Z^{{({l})}}",
              "A": f"A^{{({l})}}", "delta": f"\\delta^{{({l})}}",
              "dW": f"\\partial L / \\partial W^{{({l})}}"}[which]
    sizes_text = ", ".join(f"n_{{{i}}} = {n}" for i, n in enumerate(sizes))
    return Posed(
        prompt=(f"An MLP has the layer sizes ${sizes_text}$ and gets a batch of $N = {batch}$ "
                f"examples (rows). What is the shape of ${symbol}$?"),
        kind="shape", answer=shape,
        solution=[why + ".",
                  f"With these sizes: ${symbol}$ is "
                  f"$({', '.join(map(str, shape))}{',' if len(shape) == 1 else ''})$."],
        answer_hint="A shape such as (5, 2), or (5,) for one dimension.")
