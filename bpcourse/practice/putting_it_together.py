"""Practice for notebook 08 (putting it together): the parameters of a network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .generator import Givens, Param, Posed, generator


@generator("putting_it_together.parameter_count", "Count an MLP's parameters", "numeric",
           {"layers": Param(2, low=1, high=4)})
def parameter_count(g: Givens, params: Mapping[str, Any]) -> Posed:
    sizes = [g.integer(f"n{l}", 2, 64) for l in range(params["layers"] + 1)]
    terms = [(sizes[l - 1], sizes[l]) for l in range(1, len(sizes))]
    total = sum((n_in + 1) * n_out for n_in, n_out in terms)
    work = " + ".join(f"({n_in} + 1) \\cdot {n_out}" for n_in, n_out in terms)
    return Posed(
        prompt=(f"An MLP has the layer sizes {' → '.join(map(str, sizes))} (inputs first). "
                "How many trainable parameters (weights and biases) does it have?"),
        kind="numeric", answer=float(total),
        solution=[r"Layer $l$ has $n_{l-1} n_l$ weights and $n_l$ biases: "
                  r"$(n_{l-1} + 1)\, n_l$.",
                  f"${work} = {total}$"],
        answer_hint="A whole number.")
