"""Practice for notebook 04 (weight update): one step of SGD, Momentum and Adam."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .generator import Givens, Posed, generator
from .instance import short, show

HINT = "A number, to at least 3 significant figures."


@generator("weight_update.sgd_step", "One SGD step", "numeric")
def sgd_step(g: Givens, params: Mapping[str, Any]) -> Posed:
    theta = g.number("theta", -2, 2)
    grad = g.number("g", -3, 3)
    lr = g.choice("lr", (0.01, 0.05, 0.1, 0.2, 0.5))
    new = theta - lr * grad
    return Posed(
        prompt=(f"A weight $\\theta = {show(theta)}$ has the gradient $g = {show(grad)}$. "
                f"What is $\\theta$ after one SGD step with learning rate "
                f"$\\eta = {show(lr)}$?"),
        kind="numeric", answer=new,
        solution=[r"$\theta \leftarrow \theta - \eta g$",
                  f"${show(theta)} - ({show(lr)})({show(grad)}) = {short(new, 6)}$"],
        answer_hint=HINT)


@generator("weight_update.momentum_step", "One Momentum step", "numeric")
def momentum_step(g: Givens, params: Mapping[str, Any]) -> Posed:
    theta = g.number("theta", -2, 2)
    beta = g.choice("beta", (0.5, 0.8, 0.9))
    lr = g.choice("lr", (0.01, 0.1, 0.2))
    for _ in g.tries():
        v = g.number("v", -2, 2)
        grad = g.number("g", -2, 2)
        v_new = beta * v + grad
        if abs(v_new) >= 0.05:  # not a step of 0, where the velocity cancels the gradient
            break
    new = theta - lr * v_new
    return Posed(
        prompt=(f"Momentum with $\\beta = {show(beta)}$ and $\\eta = {show(lr)}$: the weight "
                f"is $\\theta = {show(theta)}$, its velocity $v = {show(v)}$, and the new "
                f"gradient $g = {show(grad)}$. What is $\\theta$ after the step?"),
        kind="numeric", answer=new,
        solution=[r"$v \leftarrow \beta v + g$, then $\theta \leftarrow \theta - \eta v$ "
                  "(with the new v).",
                  f"$v = ({show(beta)})({show(v)}) + ({show(grad)}) = {short(v_new, 6)}$",
                  f"$\\theta = {show(theta)} - ({show(lr)})({short(v_new, 6)}) = "
                  f"{short(new, 6)}$"],
        answer_hint=HINT)


@generator("weight_update.adam_step", "One Adam step", "numeric")
def adam_step(g: Givens, params: Mapping[str, Any]) -> Posed:
    t = g.integer("t", 1, 3)
    theta = g.number("theta", -2, 2)
    grad = g.number("g", -2, 2)
    lr = g.choice("lr", (0.01, 0.1))
    beta1, beta2 = 0.9, 0.999
    if t == 1:
        m0, v0 = 0.0, 0.0
    else:
        m0 = g.number("m", -0.5, 0.5, places=2)
        v0 = g.number("v", 0.01, 0.2, places=2)
    m = beta1 * m0 + (1 - beta1) * grad
    v = beta2 * v0 + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    step = lr * m_hat / (math.sqrt(v_hat) + 1e-8)
    new = theta - step
    before = ("$m = v = 0$ (the first step)" if t == 1
              else f"$m = {show(m0)}$, $v = {show(v0)}$ from the steps before")
    return Posed(
        prompt=(f"Adam with $\\eta = {show(lr)}$, $\\beta_1 = 0.9$, $\\beta_2 = 0.999$ "
                f"($\\epsilon$ negligible) takes step $t = {t}$: $\\theta = {show(theta)}$, "
                f"$g = {show(grad)}$, {before}. What is $\\theta$ after the step?"),
        kind="numeric", answer=new,
        solution=[f"$m = 0.9 \\cdot {show(m0)} + 0.1 \\cdot {show(grad)} = {short(m, 6)}$, "
                  f"$v = 0.999 \\cdot {show(v0)} + 0.001 \\cdot {show(grad)}^2 = "
                  f"{short(v, 6)}$",
                  f"Bias correction: $\\hat m = m / (1 - 0.9^{t}) = {short(m_hat, 6)}$, "
                  f"$\\hat v = v / (1 - 0.999^{t}) = {short(v_hat, 6)}$",
                  f"$\\theta = {show(theta)} - {show(lr)} \\cdot \\hat m / \\sqrt{{\\hat v}} = "
                  f"{short(new, 6)}$"],
        answer_hint=HINT)
