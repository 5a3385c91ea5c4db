r"""Checks for notebook 06 (vanishing and exploding gradients): the sigmoid's bound over many
layers, the He initialisation scale, and the factor gradient clipping scales by.

Each check works the answer out from the exercise's givens and compares it with what the
usual slips give (adding per-layer factors instead of multiplying them, a variance where a
standard deviation belongs, summing per-layer norms instead of combining their squares...),
so the hint can name the slip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from . import grade


def _grade(answer, expected, what: str, slips, hint: str) -> bool:
    # Values this small print as 0 with few digits, so compare relatively, never absolutely.
    return grade(answer, expected, what, slips, hint, atol=0.0)


# -- the sigmoid's factor over many layers ---------------------------------------------------
def check_sigmoid_bound(answer, *, layers: int = 10) -> bool:
    r"""Check the largest factor ``layers`` sigmoid slopes can multiply a gradient by:
    $\prod_k \sigma'(z_k) \le (1/4)^{\text{layers}}$."""
    right = 0.25**layers
    slips = [
        (0.25 * layers, "the slopes of successive layers multiply (the chain rule), they do "
         f"not add: (1/4) · (1/4) · ... , {layers} times."),
        (0.25, f"that is one layer's largest slope; the gradient passes {layers} of them."),
        (4.0**layers, "σ'(z) is at most 1/4, so each layer can only shrink the gradient: "
         "the factor is (1/4)^layers, a small number."),
        (0.5**layers, "σ'(z) = σ(z)(1 − σ(z)) peaks at z = 0 with σ = 1/2, giving "
         "1/2 · 1/2 = 1/4, not 1/2."),
        (0.25 ** (layers - 1), f"count every one of the {layers} layers' slopes."),
    ]
    return _grade(answer, right, f"the largest factor {layers} sigmoid slopes allow", slips,
                  "the largest value of σ'(z) is σ'(0) = 1/4; each layer contributes one "
                  "such factor.")


# -- He initialisation -------------------------------------------------------------------------
def check_he_std(answer, *, n_in: int = 256) -> bool:
    r"""Check the weight standard deviation that keeps $\mathrm{Var}(z)$ fixed through a ReLU
    layer with ``n_in`` inputs: $\sqrt{2/n_{in}}$ (He)."""
    right = math.sqrt(2 / n_in)
    slips = [
        (2 / n_in, "that is the variance Var(w) = 2/n_in; the standard deviation is its "
         "square root."),
        (math.sqrt(1 / n_in), "σ_w² = 1/n_in (Xavier on a square layer) keeps the variance "
         "only when E[a²] = Var(z), as for tanh near 0. ReLU zeroes half the inputs, so "
         "E[a²] = Var(z)/2: double Var(w)."),
        (1 / n_in, "solve n_in · Var(w) · Var(z)/2 = Var(z) for Var(w), then take the "
         "square root."),
        (math.sqrt(2) / n_in, "the square root covers the whole fraction: sqrt(2 / n_in), "
         "not sqrt(2) / n_in."),
    ]
    return _grade(answer, right, f"the He standard deviation for n_in = {n_in}", slips,
                  "a ReLU unit passes on E[a²] = Var(z)/2, and Var(z_next) = n_in · Var(w) · "
                  "E[a²]; choose Var(w) to make the two variances equal, then take the "
                  "square root.")


# -- gradient clipping -------------------------------------------------------------------------
def check_clip_scale(answer, *, layer_norms: Mapping[str, float], max_norm: float) -> bool:
    r"""Check the factor clipping by global norm multiplies every gradient by:
    $\min\big(1, c / \lVert g \rVert\big)$ with $\lVert g \rVert = \sqrt{\sum_l
    \lVert g_l \rVert^2}$ over the per-layer norms ``layer_norms``."""
    norms = np.array([float(v) for v in layer_norms.values()])
    total = float(np.sqrt(np.sum(norms**2)))
    right = min(1.0, max_norm / total)
    slips = [
        (max_norm / float(norms.sum()), "the global norm is not the sum of the layers' norms: "
         "square them, add, take the square root (like the sides of a right triangle)."),
        (max_norm / float(norms.max()), "every layer is scaled by one common factor, from the "
         "norm of all gradients together, not the largest layer's norm."),
        (total / max_norm, "the factor must shrink the gradient: c / ||g||, not ||g|| / c."),
        (max_norm / total, "the gradient is already short enough, so clipping leaves it "
         "unchanged: the factor is min(1, c / ||g||)."),
        (1.0, "the gradient is longer than the threshold, so it must shrink: "
         "the factor is c / ||g||."),
    ]
    return _grade(answer, right, "the clipping factor", slips,
                  "combine the layers: ||g|| = sqrt(sum of squared layer norms); then the "
                  "factor is min(1, c / ||g||).")
