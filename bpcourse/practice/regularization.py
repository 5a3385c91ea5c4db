"""Practice for notebook 07 (regularization): the L2 term of a gradient, dropout's scaled
mask, and the gradient of a penalised loss as a formula."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .generator import Givens, Posed, generator
from .instance import short, show


@generator("regularization.l2_gradient", "A gradient with its L2 term", "numeric")
def l2_gradient(g: Givens, params: Mapping[str, Any]) -> Posed:
    for _ in g.tries():
        x = g.number("x", -2, 2)
        y = g.number("y", -2, 2)
        w = g.number("w", -2, 2)
        lam = g.choice("lambda", (0.01, 0.05, 0.1, 0.2, 0.5))
        data = (w * x - y) * x
        if abs(data) >= 0.05:
            break
    total = data + lam * w
    return Posed(
        prompt=(f"A linear neuron $\\hat y = w x$ (no bias) with $w = {show(w)}$ sees one "
                f"example $x = {show(x)}$, $y = {show(y)}$. The loss is "
                r"$L = \tfrac12 (\hat y - y)^2 + \tfrac{\lambda}{2} w^2$ with "
                f"$\\lambda = {show(lam)}$. What is $\\partial L / \\partial w$?"),
        kind="numeric", answer=total,
        solution=[f"Data term: $(\\hat y - y)\\,x = ({short(w * x)} - ({show(y)}))"
                  f"({show(x)}) = {short(data)}$",
                  f"L2 term: $\\lambda w = ({show(lam)})({show(w)}) = {short(lam * w)}$",
                  f"Sum: ${short(total)}$"],
        answer_hint="A number, to at least 3 significant figures.")


@generator("regularization.dropout_mask", "Dropout's scaled mask", "numeric")
def dropout_mask(g: Givens, params: Mapping[str, Any]) -> Posed:
    a = g.vector("a", 4, 0.1, 2.0)
    p = g.choice("p", (0.2, 0.25, 0.5))
    for _ in g.tries():
        mask = [int(v) for v in g.vector("mask", 4, 0, 1, places=0, nonzero=False)]
        j = g.integer("j", 1, 4)
        if mask[j - 1] == 1:  # a dropped unit's 0 needs no working
            break
    out = a[j - 1] * mask[j - 1] / (1 - p)
    return Posed(
        prompt=(f"Inverted dropout with drop probability $p = {show(p)}$ in training. The "
                f"activations are $a = ({', '.join(map(show, a))})$ and the drawn mask "
                f"(1 = kept) is $({', '.join(map(str, mask))})$. What is output {j} of "
                "the layer?"),
        kind="numeric", answer=out,
        solution=[r"Inverted dropout keeps a unit with probability $1 - p$ and scales kept "
                  r"units by $1/(1-p)$, so the expected output is unchanged.",
                  f"$a_{j} \\cdot m_{j} / (1 - p) = {show(a[j - 1])} \\cdot {mask[j - 1]} / "
                  f"{show(1 - p)} = {short(out)}$"],
        answer_hint="A number, to at least 3 significant figures.")


@generator("regularization.penalized_derivative", "Differentiate a penalised loss",
           "symbolic")
def penalized_derivative(g: Givens, params: Mapping[str, Any]) -> Posed:
    form = g.integer("form", 0, 2)
    a = g.integer("a", 2, 5)  # a scale on the input, so the numbers change too
    loss_text, loss_latex, data_grad = (
        ("({a}*w*x - y)**2/2", r"\tfrac12 ({a} w x - y)^2", "({a}*w*x - y)*{a}*x"),
        ("({a}*w*x + b - y)**2/2", r"\tfrac12 ({a} w x + b - y)^2", "({a}*w*x + b - y)*{a}*x"),
        ("log(1 + exp(-{a}*y*w*x))", r"\log(1 + e^{{-{a} y w x}})",
         "-{a}*y*x*exp(-{a}*y*w*x)/(1 + exp(-{a}*y*w*x))"),
    )[form]
    loss_latex, data_grad = loss_latex.format(a=a), data_grad.format(a=a)
    variables = ("w", "x", "y", "lam") + (("b",) if form == 1 else ())
    answer = f"{data_grad} + lam*w"
    return Posed(
        prompt=(f"$L(w) = {loss_latex} + \\tfrac{{\\lambda}}{{2}} w^2$. What is "
                r"$\partial L / \partial w$? (Type $\lambda$ as `lam`.)"),
        kind="symbolic", answer=answer, variables=variables,
        solution=[f"Data term: `{data_grad}` (chain rule).",
                  r"Penalty: $\frac{d}{dw} \tfrac{\lambda}{2} w^2 = \lambda w$, added to the "
                  "data term: weight decay."],
        answer_hint="A formula in " + ", ".join(variables) + ".")
