"""Practice for notebook 06 (vanishing and exploding gradients): the sigmoid bound through
k layers, Xavier and He initialisation, and the factor of gradient clipping."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .generator import Givens, Param, Posed, generator
from .instance import short, show

HINT = "A number, to at least 3 significant figures."


@generator("vanishing_exploding.sigmoid_bound", "The sigmoid bound after k layers",
           "numeric")
def sigmoid_bound(g: Givens, params: Mapping[str, Any]) -> Posed:
    k = g.integer("k", 2, 8)
    w = g.number("w", 0.5, 3.0)
    bound = (w / 4) ** k
    return Posed(
        prompt=(f"A chain of {k} sigmoid layers, one unit each, every weight of size "
                f"$|w| = {show(w)}$. What is the largest factor "
                r"$|\partial a^{(k)} / \partial a^{(0)}|$ the gradient can be multiplied by?"),
        kind="numeric", answer=bound,
        solution=[r"Each layer multiplies the gradient by $w\,\sigma'(z)$, and "
                  r"$\sigma'(z) \le \tfrac14$ (at $z = 0$).",
                  f"Bound: $(|w| / 4)^{{{k}}} = ({short(w / 4)})^{{{k}}} = {short(bound)}$"],
        answer_hint=HINT)


@generator("vanishing_exploding.init_std", "Xavier and He standard deviations", "numeric",
           {"scheme": Param("any", ("any", "xavier", "he"))})
def init_std(g: Givens, params: Mapping[str, Any]) -> Posed:
    scheme = params["scheme"]
    if scheme == "any":
        scheme = g.choice("scheme", ("xavier", "he"))
    n_in = g.choice("n_in", (16, 32, 50, 64, 100, 128, 200, 256, 512))
    n_out = g.choice("n_out", (10, 16, 32, 64, 100, 128, 256))
    if scheme == "xavier":
        std = math.sqrt(2 / (n_in + n_out))
        rule = r"Xavier (Glorot): $\sqrt{2 / (n_{in} + n_{out})}$"
        work = f"$\\sqrt{{2 / ({n_in} + {n_out})}} = {short(std)}$"
        name = "Xavier (Glorot)"
    else:
        std = math.sqrt(2 / n_in)
        rule = r"He: $\sqrt{2 / n_{in}}$ (ReLU zeroes half its inputs, so twice the variance)"
        work = f"$\\sqrt{{2 / {n_in}}} = {short(std)}$"
        name = "He"
    return Posed(
        prompt=(f"A layer with $n_{{in}} = {n_in}$ inputs and $n_{{out}} = {n_out}$ units is "
                f"initialised with **{name}**. What standard deviation do its weights get?"),
        kind="numeric", answer=std, solution=[rule, work], answer_hint=HINT)


@generator("vanishing_exploding.clip_factor", "The factor of gradient clipping", "numeric")
def clip_factor(g: Givens, params: Mapping[str, Any]) -> Posed:
    for _ in g.tries():
        grad = g.vector("g", 3, -6, 6, places=0)
        limit = g.choice("max_norm", (1.0, 2.0, 5.0))
        norm = math.sqrt(sum(x * x for x in grad))
        if norm > limit * 1.05:
            break
    factor = min(1.0, limit / norm)
    squares = " + ".join(f"({show(x)})^2" for x in grad)
    return Posed(
        prompt=(f"The gradient is $g = ({', '.join(map(show, grad))})$ and training clips it "
                f"to a global norm of at most ${show(limit)}$. By what factor is $g$ "
                "multiplied?"),
        kind="numeric", answer=factor,
        solution=[f"$\\lVert g \\rVert = \\sqrt{{{squares}}} = {short(norm)}$",
                  f"Above ${show(limit)}$, so $g$ is scaled by $\\min(1, {show(limit)} / "
                  f"{short(norm)}) = {short(factor)}$"],
        answer_hint=HINT)
