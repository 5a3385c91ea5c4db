"""Practice for notebook 03 (backward pass): δ at a softmax output, one step of δ down a
layer, a weight gradient, and a neuron's gradient as a formula."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .generator import Givens, Param, Posed, generator
from .instance import matrix, short, show


@generator("backward_pass.softmax_delta", "δ of a softmax output with cross-entropy",
           "numeric")
def softmax_delta(g: Givens, params: Mapping[str, Any]) -> Posed:
    for _ in g.tries():
        p1 = g.number("p1", 0.05, 0.9, places=2)
        p2 = g.number("p2", 0.05, 0.9, places=2)
        if 0.05 <= round(1 - p1 - p2, 2):
            break
    p = [p1, p2, round(1 - p1 - p2, 2)]
    label = g.integer("label", 1, 3)
    j = g.integer("j", 1, 3)
    y = [1.0 if k == label else 0.0 for k in (1, 2, 3)]
    delta = p[j - 1] - y[j - 1]
    return Posed(
        prompt=(f"A softmax output layer gives $\\hat y = ({', '.join(map(show, p))})$ for one "
                f"example (N = 1) whose class is {label}. With the cross-entropy loss, what is "
                f"$\\delta^{{(L)}}_{j} = \\partial L / \\partial z_{j}$?"),
        kind="numeric", answer=delta,
        solution=[r"Softmax with cross-entropy gives $\delta^{(L)} = \hat y - y$ "
                  "(divided by N = 1).",
                  f"$y = ({', '.join(show(v) for v in y)})$ (one-hot for class {label}), so "
                  f"$\\delta_{j} = {show(p[j - 1])} - {show(y[j - 1])} = {short(delta)}$"],
        answer_hint="A number, to at least 3 significant figures.")


@generator("backward_pass.backward_step", "One backward step: δ^(l) from δ^(l+1)",
           "numeric", {"activation": Param("any", ("any", "relu", "sigmoid"))})
def backward_step(g: Givens, params: Mapping[str, Any]) -> Posed:
    name = params["activation"]
    if name == "any":
        name = g.choice("activation", ("relu", "sigmoid"))
    j = g.integer("j", 1, 2)
    for _ in g.tries():
        d = g.vector("delta_next", 2, -1, 1)
        W = [g.vector("W_row1", 2, -2, 2), g.vector("W_row2", 2, -2, 2)]
        back = sum(d[k] * W[j - 1][k] for k in range(2))
        if abs(back) >= 0.05:
            break
    if name == "relu":
        for _ in g.tries():
            z = g.vector("Z", 2, -2, 2)
            if z[j - 1] > 0:  # a unit that is off passes back 0 whatever the numbers
                break
        slope = 1.0 if z[j - 1] > 0 else 0.0
        shown = f"$Z^{{(l)}} = ({', '.join(map(show, z))})$ and ReLU units"
        why = (f"$\\mathrm{{relu}}'(z_{j}) = {show(slope)}$ since $z_{j} = {show(z[j - 1])}$ is "
               f"{'positive' if slope else 'negative'}")
    else:
        a = g.vector("A", 2, 0.1, 0.9)
        slope = a[j - 1] * (1 - a[j - 1])
        shown = f"$A^{{(l)}} = ({', '.join(map(show, a))})$ from sigmoid units"
        why = (f"$\\sigma'(z_{j}) = a_{j}(1 - a_{j}) = {show(a[j - 1])} \\cdot "
               f"{short(1 - a[j - 1])} = {short(slope)}$")
    delta = back * slope
    products = " + ".join(f"({show(d[k])})({show(W[j - 1][k])})" for k in range(2))
    return Posed(
        prompt=(f"For one example, $\\delta^{{(l+1)}} = ({', '.join(map(show, d))})$, "
                f"$W^{{(l+1)}} = {matrix(W)}$ (shape $(n_l, n_{{l+1}})$), with {shown}. "
                f"What is $\\delta^{{(l)}}_{j}$?"),
        kind="numeric", answer=delta,
        solution=[r"$\delta^{(l)} = \big(\delta^{(l+1)} W^{(l+1)\top}\big) \odot "
                  r"f'(Z^{(l)})$",
                  f"Entry {j}: $\\sum_k \\delta^{{(l+1)}}_k W_{{{j}k}} = {products} = "
                  f"{short(back)}$",
                  why,
                  f"$\\delta^{{(l)}}_{j} = {short(back)} \\cdot {short(slope)} = "
                  f"{short(delta)}$"],
        answer_hint="A number, to at least 3 significant figures.")


@generator("backward_pass.weight_gradient", "A weight gradient dW = Aᵀδ", "numeric")
def weight_gradient(g: Givens, params: Mapping[str, Any]) -> Posed:
    i = g.integer("i", 1, 2)
    j = g.integer("j", 1, 2)
    for _ in g.tries():
        A = [g.vector("A_row1", 2, 0, 2), g.vector("A_row2", 2, 0, 2)]
        D = [g.vector("delta_row1", 2, -1, 1), g.vector("delta_row2", 2, -1, 1)]
        dw = sum(A[n][i - 1] * D[n][j - 1] for n in range(2))
        if abs(dw) >= 0.05:
            break
    products = " + ".join(f"({show(A[n][i - 1])})({show(D[n][j - 1])})" for n in range(2))
    return Posed(
        prompt=(f"A batch of N = 2 examples gives $A^{{(l-1)}} = {matrix(A)}$ and "
                f"$\\delta^{{(l)}} = {matrix(D)}$ (one row per example; $\\delta$ already "
                "includes the 1/N of the mean loss). What is entry "
                f"$({i}, {j})$ of $\\partial L / \\partial W^{{(l)}}$?"),
        kind="numeric", answer=dw,
        solution=[r"$\partial L/\partial W^{(l)} = A^{(l-1)\top} \delta^{(l)}$: entry "
                  f"$({i}, {j})$ sums column {i} of $A$ times column {j} of $\\delta$ over "
                  "the examples.",
                  f"${products} = {short(dw)}$"],
        answer_hint="A number, to at least 3 significant figures.")


_NEURONS = {
    "sigmoid": ("1/(1 + exp(-(w*x + b)))", r"\sigma(w x + b)",
                "a*(1 - a)", r"\sigma'(z) = a(1 - a)"),
    "tanh": ("tanh(w*x + b)", r"\tanh(w x + b)", "(1 - a**2)", r"\tanh'(z) = 1 - a^2"),
    "identity": ("(w*x + b)", r"w x + b", "1", r"f'(z) = 1"),
}


@generator("backward_pass.neuron_gradient", "A neuron's weight gradient as a formula",
           "symbolic", {"activation": Param("any", ("any", *_NEURONS))})
def neuron_gradient(g: Givens, params: Mapping[str, Any]) -> Posed:
    name = params["activation"]
    if name == "any":
        name = g.choice("activation", tuple(_NEURONS))
    wrt = g.choice("wrt", ("w", "b"))
    c = g.integer("c", 2, 5)  # the loss's scale, so the numbers change too
    a_text, a_latex, slope, slope_latex = _NEURONS[name]
    answer = f"{c}*({a_text} - y)*{slope.replace('a', a_text)}" + ("*x" if wrt == "w" else "")
    return Posed(
        prompt=(f"One neuron $a = {a_latex}$ with the loss $L = \\tfrac{{{c}}}{{2}} (a - y)^2$. "
                f"What is $\\partial L / \\partial {wrt}$ in terms of $w, x, b, y$?"),
        kind="symbolic", answer=answer, variables=("w", "x", "b", "y"),
        solution=[r"Chain: $\partial L/\partial " + wrt + r" = \frac{\partial L}{\partial a}"
                  r"\frac{\partial a}{\partial z}\frac{\partial z}{\partial " + wrt + "}$ "
                  "with $z = w x + b$.",
                  f"$\\partial L/\\partial a = {c}(a - y)$, ${slope_latex}$, "
                  f"$\\partial z/\\partial {wrt} = {'x' if wrt == 'w' else '1'}$."],
        answer_hint="A formula in w, x, b, y; sigma(...) and tanh(...) work.")
