"""Practice for notebook 02 (chain rule): activation slopes, path products, derivatives."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .generator import Givens, Param, Posed, generator
from .instance import short, show

SLOPE_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


@generator("chain_rule.activation_slope", "Evaluate an activation's derivative f'(z)",
           "numeric", {"activation": Param("any", ("any", *SLOPE_ACTIVATIONS))})
def activation_slope(g: Givens, params: Mapping[str, Any]) -> Posed:
    name = params["activation"]
    if name == "any":
        name = g.choice("activation", SLOPE_ACTIVATIONS)
    z = g.number("z", -2.5, 2.5, places=2)
    if name == "sigmoid":
        s = 1 / (1 + math.exp(-z))
        slope = s * (1 - s)
        steps = [r"$\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$",
                 f"$\\sigma({show(z)}) = {short(s)}$, so $\\sigma'({show(z)}) = {short(s)} "
                 f"\\cdot {short(1 - s)} = {short(slope)}$"]
    elif name == "tanh":
        t = math.tanh(z)
        slope = 1 - t * t
        steps = [r"$\tanh'(z) = 1 - \tanh^2 z$",
                 f"$\\tanh({show(z)}) = {short(t)}$, so $\\tanh'({show(z)}) = 1 - "
                 f"{short(t)}^2 = {short(slope)}$"]
    elif name == "relu":
        slope = 1.0 if z > 0 else 0.0
        steps = [r"$\mathrm{relu}'(z) = 1$ for $z > 0$ and $0$ for $z < 0$",
                 f"$z = {show(z)}$ is {'positive' if z > 0 else 'negative'}: the slope is "
                 f"${show(slope)}$"]
    else:
        slope = 1.0 if z > 0 else 0.01
        steps = [r"$\mathrm{leaky\_relu}'(z) = 1$ for $z > 0$ and $0.01$ for $z < 0$",
                 f"$z = {show(z)}$ is {'positive' if z > 0 else 'negative'}: the slope is "
                 f"${show(slope)}$"]
    return Posed(
        prompt=f"What is the derivative of **{name}** at $z = {show(z)}$?",
        kind="numeric", answer=slope, solution=steps,
        answer_hint="A number, to at least 3 significant figures.")


@generator("chain_rule.path_product", "Multiply the chain-rule factors along a path",
           "numeric")
def path_product(g: Givens, params: Mapping[str, Any]) -> Posed:
    for _ in g.tries():
        x = g.number("x", -2, 2)
        w = g.number("w", -2, 2)
        b = g.number("b", -1, 1)
        k = g.number("k", -2, 2)
        u = w * x + b
        if abs(u) >= 0.1:
            break
    slope = k * 2 * u * w
    return Posed(
        prompt=(f"$u = w x + b$, $v = u^2$, $y = k v$ with $x = {show(x)}$, $w = {show(w)}$, "
                f"$b = {show(b)}$, $k = {show(k)}$. Multiply the local derivatives along the "
                r"path to get $\partial y / \partial x$."),
        kind="numeric", answer=slope,
        solution=[f"Forward: $u = ({show(w)})({show(x)}) + ({show(b)}) = {short(u)}$",
                  f"Local factors: $\\partial y/\\partial v = k = {show(k)}$, "
                  f"$\\partial v/\\partial u = 2u = {short(2 * u)}$, "
                  f"$\\partial u/\\partial x = w = {show(w)}$",
                  f"Product: $({show(k)})({short(2 * u)})({show(w)}) = {short(slope)}$"],
        answer_hint="A number, to at least 3 significant figures.")


# (function of z as text, its derivative as text, LaTeX of the function); ``a`` and ``c``
# are the drawn coefficients. The derivatives are written out by hand: tests check them
# against SymPy's.
_FUNCTIONS = (
    ("tanh({a}*z)", "{a}*(1 - tanh({a}*z)**2)", r"\tanh({a} z)"),
    ("1/(1 + exp(-{a}*z))", "{a}*exp(-{a}*z)/(1 + exp(-{a}*z))**2", r"\sigma({a} z)"),
    ("log(1 + exp({a}*z))", "{a}*exp({a}*z)/(1 + exp({a}*z))", r"\log(1 + e^{{{a} z}})"),
    ("z/(1 + exp(-{a}*z))", "1/(1 + exp(-{a}*z)) + {a}*z*exp(-{a}*z)/(1 + exp(-{a}*z))**2",
     r"z\,\sigma({a} z)"),
    ("exp(-{a}*z**2)", "-2*{a}*z*exp(-{a}*z**2)", r"e^{{-{a} z^2}}"),
    ("({a}*z + {c})**2", "2*{a}*({a}*z + {c})", r"({a} z + {c})^2"),
)


@generator("chain_rule.derivative", "Differentiate an activation-like function", "symbolic")
def derivative(g: Givens, params: Mapping[str, Any]) -> Posed:
    index = g.integer("form", 0, len(_FUNCTIONS) - 1)
    a = g.integer("a", 2, 4)
    # Only forms that show c draw it: every drawn number is in the prompt.
    c = g.integer("c", 1, 3) if "{c}" in _FUNCTIONS[index][0] else 0
    function, slope, latex = (text.format(a=a, c=c) for text in _FUNCTIONS[index])
    return Posed(
        prompt=f"Let $f(z) = {latex}$. What is $f'(z)$?",
        kind="symbolic", answer=slope, variables=("z",),
        solution=[f"$f(z) = {latex}$: differentiate the outer function and multiply by the "
                  "derivative of the inner one (chain rule).",
                  f"`f'(z) = {slope}`"],
        answer_hint="A formula in z, e.g. 2*z*exp(-z**2); sigma(z), tanh, exp, log work.")


_OUTERS = (("exp", "exp({u})", "exp({u})", r"e^{{{u}}}"),
           ("tanh", "tanh({u})", "(1 - tanh({u})**2)", r"\tanh({u})"),
           ("square", "({u})**2", "2*({u})", r"({u})^2"),
           ("log", "log({u})", "1/({u})", r"\log({u})"))


@generator("chain_rule.composite", "Differentiate a composite with the chain rule",
           "symbolic")
def composite(g: Givens, params: Mapping[str, Any]) -> Posed:
    outer = g.integer("outer", 0, len(_OUTERS) - 1)
    a = g.integer("a", 2, 5)
    c = g.integer("c", 1, 4)
    # u = a x^2 + c stays positive, so log(u) is defined everywhere.
    inner, inner_prime, inner_latex = f"{a}*x**2 + {c}", f"{2 * a}*x", f"{a} x^2 + {c}"
    _name, f_text, f_prime, f_latex = _OUTERS[outer]
    answer = f"{f_prime.format(u=inner)}*{inner_prime}"
    return Posed(
        prompt=f"Let $y = {f_latex.format(u=inner_latex)}$. What is $dy/dx$?",
        kind="symbolic", answer=answer, variables=("x",),
        solution=[f"Inner $u = {inner_latex}$, $du/dx = {2 * a}x$; outer "
                  f"$y = {f_latex.format(u='u')}$.",
                  f"`dy/dx = {f_prime.format(u='u')} * du/dx` with u put back: "
                  f"`{answer}`"],
        answer_hint="A formula in x, e.g. 6*x*exp(3*x**2).")
