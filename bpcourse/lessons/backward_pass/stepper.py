r"""Walk through a backward pass one layer at a time, from the output layer down to layer 1.

At layer $l$ backprop combines three kinds of numbers:

* **cached** by the forward pass: $A^{(l-1)}$ and $Z^{(l)}$ (this is why the forward pass
  keeps them: the backward pass needs them and would otherwise recompute them);
* **upstream**: $\partial L/\partial A^{(l)}$, sent down by layer $l+1$ (at the output layer
  the loss supplies $\delta^{(L)}$ directly, e.g. $(\hat Y - Y)/N$ for softmax and
  cross-entropy);
* **local**: the slope $f'(Z^{(l)})$ of this layer's activation;

and produces $\delta^{(l)} = \partial L/\partial A^{(l)} \odot f'(Z^{(l)})$,
$\partial L/\partial W^{(l)} = A^{(l-1)\top}\delta^{(l)}$,
$\partial L/\partial b^{(l)} = \sum_n \delta^{(l)}_n$ and, for $l > 1$, the gradient
$\delta^{(l)} W^{(l)\top}$ it sends down to layer $l-1$.

``BackwardStepper`` runs one ``net.loss_and_gradients`` and copies those arrays out of
``net.trace`` into one ``BackwardStep`` per layer; ``render_text``/``render_html`` show a
step and ``widget`` puts Prev/Next buttons around ``render_html``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...losses import get_loss, targets
from ...trace import Trace

if TYPE_CHECKING:
    import ipywidgets

    from ...mlp import MLP

_ROLE_COLOURS = {"cached": "#e8f0fe", "from the loss": "#fdf2e0", "upstream": "#fdf2e0",
                 "local": "#f3e8fd", "result": "#e6f4ea", "sent down": "#f1f3f4"}


@dataclass(frozen=True)
class Quantity:
    """One array shown in a step: its role, a label with its formula, its symbolic shape."""

    role: str
    label: str
    shape_symbols: str
    value: np.ndarray


@dataclass(frozen=True)
class BackwardStep:
    r"""Everything backprop reads and writes at one layer ``layer`` (1-based).

    ``upstream`` ($\partial L/\partial A^{(l)}$) and ``fprime`` ($f'(Z^{(l)})$) are None at
    the output layer, whose delta comes from the loss (``rule``), and ``Y`` everywhere else;
    ``sent_down`` ($\delta^{(l)} W^{(l)\top}$) is None at layer 1, below which there are no
    parameters.
    """

    layer: int
    n_layers: int
    f: str
    loss: str
    rule: str
    A_prev: np.ndarray
    Z: np.ndarray
    A: np.ndarray
    W: np.ndarray
    upstream: np.ndarray | None
    mask: np.ndarray | None
    fprime: np.ndarray | None
    delta: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    sent_down: np.ndarray | None
    Y: np.ndarray | None

    @property
    def is_output(self) -> bool:
        return self.layer == self.n_layers

    def quantities(self) -> list[Quantity]:
        """The step's arrays in the order backprop uses them: cached, upstream, local, result."""
        k, p = self.layer, self.layer - 1
        q = [Quantity("cached", f"A{p}", f"(N, n{p})", self.A_prev),
             Quantity("cached", f"Z{k}", f"(N, n{k})", self.Z)]
        if self.Y is not None:  # the output layer
            q += [Quantity("from the loss", f"Ŷ = A{k}", f"(N, n{k})", self.A),
                  Quantity("from the loss", "Y", f"(N, n{k})", self.Y),
                  Quantity("result", f"δ{k} = {self.rule}", f"(N, n{k})", self.delta)]
        elif self.upstream is not None and self.fprime is not None:  # a hidden layer
            q.append(Quantity("upstream", f"dA{k} = δ{k + 1} W{k + 1}ᵀ", f"(N, n{k})",
                              self.upstream))
            if self.mask is not None:
                q.append(Quantity("local", f"mask{k} (dropout)", f"(N, n{k})", self.mask))
            q.append(Quantity("local", f"f'(Z{k}) = {self.f}'(Z{k})", f"(N, n{k})",
                              self.fprime))
            masked = f" ⊙ mask{k}" if self.mask is not None else ""
            q.append(Quantity("result", f"δ{k} = dA{k}{masked} ⊙ f'(Z{k})", f"(N, n{k})",
                              self.delta))
        q += [Quantity("result", f"dW{k} = A{p}ᵀ δ{k}", f"(n{p}, n{k})", self.dW),
              Quantity("result", f"db{k} = Σ_rows δ{k}", f"(n{k},)", self.db)]
        if self.sent_down is not None:
            q.append(Quantity("sent down", f"dA{p} = δ{k} W{k}ᵀ", f"(N, n{p})",
                              self.sent_down))
        return q

    def title(self, index: int, total: int) -> str:
        where = (f"output layer, {self.f} with {self.loss} loss" if self.is_output
                 else f"hidden layer, {self.f}")
        return f"Step {index + 1} of {total}: layer {self.layer} ({where})"


def _copy(a: np.ndarray) -> np.ndarray:
    return np.array(a, copy=True)


def _copy_or_none(a: np.ndarray | None) -> np.ndarray | None:
    return None if a is None else _copy(a)


class BackwardStepper:
    """The backward pass of ``net`` on one batch, as a list of per-layer steps.

    ``steps[0]`` is the output layer L, ``steps[-1]`` layer 1: the order backprop visits
    them. The arrays are copies, so later calls on ``net`` do not change the steps.
    """

    def __init__(self, net: MLP, X, Y, loss: str = "cross_entropy") -> None:
        self.net, self.loss = net, loss
        net.loss_and_gradients(X, Y, loss=loss)
        t, L = net.trace, net.n_layers
        self.Y = targets(Y, loss, net.sizes[-1], len(t["A0"]), net.dtype).copy()
        self.sizes = list(net.sizes)
        self.steps: list[BackwardStep] = [self._step(t, k, L) for k in range(L, 0, -1)]

    def _step(self, t: Trace, k: int, L: int) -> BackwardStep:
        out = k == L
        return BackwardStep(
            layer=k, n_layers=L, f=self.net.activation_name(k), loss=self.loss,
            rule=get_loss(self.loss).rule(self.net.output) if out else "",
            A_prev=_copy(t[f"A{k - 1}"]), Z=_copy(t[f"Z{k}"]), A=_copy(t[f"A{k}"]),
            W=_copy(self.net.params[f"W{k}"]),
            upstream=None if out else _copy(t[f"dA{k}"]),
            mask=_copy_or_none(t.get(f"mask{k}")),
            fprime=None if out else _copy(t[f"fprime{k}"]),
            delta=_copy(t[f"delta{k}"]), dW=_copy(t[f"dW{k}"]), db=_copy(t[f"db{k}"]),
            sent_down=_copy(t[f"dA{k - 1}"]) if k > 1 else None,
            Y=self.Y if out else None,
        )

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: int) -> BackwardStep:
        return self.steps[i]

    # -- text ---------------------------------------------------------------------------
    def render_text(self, i: int, precision: int = 3) -> str:
        """Step i as plain text: each array with its role, formula, shapes and values."""
        step = self.steps[i]
        lines = [step.title(i, len(self)), self.strip_text(i)]
        for q in step.quantities():
            lines.append(f"  {q.role:<13} {q.label}   shape {q.shape_symbols} = "
                         f"{q.value.shape}")
            body = np.array2string(q.value, precision=precision, suppress_small=True,
                                   floatmode="fixed")
            lines += ["      " + row for row in body.splitlines()]
        return "\n".join(lines)

    def strip_text(self, i: int) -> str:
        """The layers in one line, the current one in [brackets], arrows pointing backward."""
        current = self.steps[i].layer
        boxes = ["X"] + [f"[layer {k}]" if k == current else f"layer {k}"
                         for k in range(1, len(self.sizes))] + ["loss"]
        return "  " + " ← ".join(boxes)

    # -- HTML ---------------------------------------------------------------------------
    def render_html(self, i: int, precision: int = 3) -> str:
        """Step i as HTML: the layer strip with the current layer highlighted, then a table
        of the step's arrays shaded by value (red positive, blue negative)."""
        step = self.steps[i]
        rows = "".join(_quantity_row(q, precision) for q in step.quantities())
        return (f"<div style='font-family:sans-serif'>"
                f"<h4 style='margin:4px 0'>{html.escape(step.title(i, len(self)))}</h4>"
                f"{self.strip_html(i)}"
                f"<table style='border-collapse:collapse;margin-top:6px'>"
                f"<tr><th>role</th><th style='text-align:left'>quantity</th>"
                f"<th>shape</th><th style='text-align:left'>values</th></tr>{rows}</table>"
                f"</div>")

    def strip_html(self, i: int) -> str:
        """A row of boxes, input to loss; the current layer orange, layers done green."""
        current = self.steps[i].layer
        L = len(self.sizes) - 1
        boxes = [_box("X = A0", f"(N, {self.sizes[0]})", "input", "#f1f3f4")]
        for k in range(1, L + 1):
            state = "current" if k == current else ("done" if k > current else "waiting")
            colour = {"current": "#ffd8a8", "done": "#d3f9d8", "waiting": "#f8f9fa"}[state]
            boxes.append(_box(f"layer {k}: {self.net.activation_name(k)}",
                              f"W{k} {self.sizes[k - 1], self.sizes[k]}", state, colour,
                              layer=k))
        boxes.append(_box(f"loss: {self.loss}", "scalar", "loss", "#f1f3f4"))
        arrow = "<span style='margin:0 6px;font-size:18px'>&larr;</span>"
        return ("<div style='display:flex;align-items:center;flex-wrap:wrap'>"
                + arrow.join(boxes) + "</div>")

    # -- widget -------------------------------------------------------------------------
    def widget(self) -> ipywidgets.VBox:
        """Prev/Next buttons and an HTML view of the current step (ipywidgets VBox)."""
        import ipywidgets as widgets

        prev = widgets.Button(description="◀ Prev", layout=widgets.Layout(width="90px"))
        nxt = widgets.Button(description="Next ▶", layout=widgets.Layout(width="90px"))
        where = widgets.Label()
        view = widgets.HTML()
        state = {"i": 0}

        def show(i: int) -> None:
            state["i"] = i
            view.value = self.render_html(i)
            prev.disabled, nxt.disabled = i == 0, i == len(self) - 1
            where.value = f"step {i + 1} of {len(self)}: layer {self.steps[i].layer}"

        prev.on_click(lambda _: show(state["i"] - 1))
        nxt.on_click(lambda _: show(state["i"] + 1))
        show(0)
        return widgets.VBox([widgets.HBox([prev, nxt, where]), view])


def _box(title: str, detail: str, state: str, colour: str, layer: int | None = None) -> str:
    border = "3px solid #e8590c" if state == "current" else "1px solid #adb5bd"
    data = f" data-layer='{layer}' data-state='{state}'" if layer is not None else ""
    return (f"<div{data} style='border:{border};background:{colour};border-radius:6px;"
            f"padding:4px 8px;text-align:center'><b>{html.escape(title)}</b><br>"
            f"<small>{html.escape(detail)}</small></div>")


def _quantity_row(q: Quantity, precision: int) -> str:
    colour = _ROLE_COLOURS[q.role]
    return (f"<tr style='background:{colour};border-top:1px solid #ddd'>"
            f"<td style='padding:2px 6px'>{html.escape(q.role)}</td>"
            f"<td style='padding:2px 6px'><code>{html.escape(q.label)}</code></td>"
            f"<td style='padding:2px 6px'><code>{html.escape(q.shape_symbols)}"
            f" = {q.value.shape}</code></td>"
            f"<td style='padding:2px 6px'>{heat_table(q.value, precision)}</td></tr>")


#: Background of a heat-table cell holding NaN or ±inf, which have no place on the scale.
NON_FINITE_GREY = "rgb(200, 200, 200)"


def _tint(v: float, scale: float) -> str:
    """A cell's background: red for v > 0, blue for v < 0, the deeper the closer |v| is to
    ``scale`` (finite and > 0); grey when v is NaN or infinite."""
    if not np.isfinite(v):
        return NON_FINITE_GREY
    t = min(abs(v) / scale, 1.0)
    fade = int(255 * (1 - 0.6 * t))
    return f"rgb{(255, fade, fade) if v > 0 else (fade, fade, 255)}"


def heat_table(a: np.ndarray, precision: int = 3, max_rows: int = 8,
               max_cols: int = 8) -> str:
    """An array as a small HTML table, each cell tinted by its value relative to the
    array's largest finite magnitude (red positive, blue negative, grey for NaN and ±inf,
    which a diverged net produces); big arrays are cut with …."""
    a2 = np.atleast_2d(np.asarray(a, dtype=float))
    # The scale comes from the finite entries only: one inf would otherwise turn every
    # other cell white, and one NaN would leave no scale at all.
    scale = float(np.max(np.abs(a2[np.isfinite(a2)]), initial=0.0)) or 1.0
    rows = []
    for r in a2[:max_rows]:
        cells = [f"<td style='background:{_tint(v, scale)};padding:1px 4px;"
                 f"text-align:right;font-family:monospace'>{v:.{precision}f}</td>"
                 for v in r[:max_cols]]
        if a2.shape[1] > max_cols:
            cells.append("<td>…</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if a2.shape[0] > max_rows:
        rows.append("<tr><td>…</td></tr>")
    return "<table style='border-collapse:collapse'>" + "".join(rows) + "</table>"
