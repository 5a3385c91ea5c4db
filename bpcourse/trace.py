"""The trace: every number a forward and backward pass computed, by layer, by name.

Names follow the course's notation: ``A0`` (= X), ``Z{l}``, ``A{l}``, ``mask{l}`` (dropout),
``dA{l}`` (the upstream gradient dL/dA_l arriving from layer l+1), ``fprime{l}`` (the
local factor f'(Z_l)), ``delta{l}`` (= dL/dZ_l), ``dW{l}`` and ``db{l}`` (gradients).
"""

from __future__ import annotations

import re

import numpy as np

_NAME = re.compile(r"^([A-Za-z]+?)(\d+)$")


def split_name(name: str) -> tuple[str, int]:
    """``"delta2"`` -> ``("delta", 2)``: the quantity and its layer number."""
    m = _NAME.match(name)
    if not m:
        raise KeyError(f"{name!r} is not a per-layer name such as 'W2' or 'delta1'")
    return m.group(1), int(m.group(2))


def _preview(a: np.ndarray, k: int = 4) -> str:
    flat = np.ravel(a)
    vals = ", ".join(f"{v: .4g}" for v in flat[:k])
    return f"[{vals}{', ...' if flat.size > k else ''}]"


class Trace(dict[str, np.ndarray]):
    """A dict name -> array, filled by ``MLP.forward`` and ``MLP.loss_and_gradients``.

    ``trace["delta2"]`` is one array; ``trace.layer(2)`` is every entry of layer 2;
    printing the trace gives one row per array: name, layer, shape and a few values.
    Entries keep the order the passes stored them in, which is the order they were
    computed: forward by increasing layer, then backward from the output layer down.
    """

    loss: float | None = None

    def layer(self, l: int) -> dict[str, np.ndarray]:
        """Every entry of layer ``l`` (``A0`` is layer 0), in the order they were computed."""
        return {n: a for n, a in self.items() if split_name(n)[1] == l}

    def names(self) -> list[str]:
        """All names, forward pass first, then the backward pass from the output down."""
        return list(self)

    def table(self) -> str:
        rows = [("name", "layer", "shape", "values")]
        rows += [(n, str(split_name(n)[1]), str(self[n].shape), _preview(self[n]))
                 for n in self.names()]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = ["  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3]
                 for r in rows]
        if self.loss is not None:
            lines.append(f"loss = {self.loss:.6g}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table() if self else "Trace(empty: run forward or loss_and_gradients)"
