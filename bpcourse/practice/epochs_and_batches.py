"""Practice for notebook 05 (epochs and batches): counting steps, and how the noise of a
mini-batch gradient shrinks with the batch size."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .generator import Givens, Posed, generator
from .instance import short, show


@generator("epochs_and_batches.steps_per_epoch", "Count the optimiser steps of a run",
           "numeric")
def steps_per_epoch(g: Givens, params: Mapping[str, Any]) -> Posed:
    for _ in g.tries():
        n = g.integer("N", 100, 5000)
        batch = g.choice("B", (16, 32, 50, 64, 100, 128, 256))
        if n % batch:  # a last, smaller batch: the case people miscount
            break
    epochs = g.integer("epochs", 2, 20)
    per_epoch = -(-n // batch)
    total = per_epoch * epochs
    return Posed(
        prompt=(f"A training set of $N = {n}$ examples, mini-batches of $B = {batch}$ (the "
                "last batch of an epoch takes whatever is left), and "
                f"{epochs} epochs. How many optimiser steps does training take?"),
        kind="numeric", answer=float(total),
        solution=[f"Steps per epoch: $\\lceil N / B \\rceil = \\lceil {n} / {batch} \\rceil = "
                  f"{per_epoch}$ (the last batch holds {n - batch * (per_epoch - 1)} "
                  "examples).",
                  f"Total: ${per_epoch} \\times {epochs} = {total}$"],
        answer_hint="A whole number.")


@generator("epochs_and_batches.gradient_noise", "Mini-batch gradient noise against B",
           "numeric")
def gradient_noise(g: Givens, params: Mapping[str, Any]) -> Posed:
    sizes = (1, 4, 8, 16, 32, 64, 128, 256)
    for _ in g.tries():
        b1 = g.choice("B1", sizes)
        b2 = g.choice("B2", sizes)
        if b1 != b2:
            break
    s1 = g.number("s1", 0.1, 2.0, places=2)
    s2 = s1 * math.sqrt(b1 / b2)
    return Posed(
        prompt=(f"With mini-batches of $B = {b1}$ the gradient of a weight varies from batch "
                f"to batch with standard deviation ${show(s1)}$. Examples are drawn "
                f"independently. What is that standard deviation with $B = {b2}$?"),
        kind="numeric", answer=s2,
        solution=[r"The mini-batch gradient is a mean of B independent per-example "
                  r"gradients, so its standard deviation is $\sigma / \sqrt{B}$.",
                  f"${show(s1)} \\cdot \\sqrt{{{b1} / {b2}}} = {short(s2)}$"],
        answer_hint="A number, to at least 3 significant figures.")
