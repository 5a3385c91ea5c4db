r"""Pictures of what a network is and what training did: every notebook draws with these.

* ``plot_loss_curves``: train (and validation) loss per epoch, optionally accuracy.
* ``plot_decision_boundary``: the class regions a 2-D classifier carves out of the plane.
* ``plot_grad_norms``: $\lVert \partial L/\partial W^{(l)} \rVert$ per layer, per step or
  for one pass, to see gradients vanish or explode with depth.
* ``draw_network``: the MLP as circles and edges, edges coloured by the sign of the
  weight and as wide as its magnitude, optionally with each unit's activation.
* ``plot_activation``: $f$ and $f'$ of one activation function.
* ``plot_weight_histograms``: the distribution of each layer's weights.

Each function draws into ``ax`` (a new figure when None) and returns the Axes; none of
them calls ``plt.show()``, so a caller can add to the picture first. Drawing a network's
predictions leaves it as it was: same train/eval mode, same ``net.trace``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.patches import Circle

from .activations import get_activation
from .trace import split_name

if TYPE_CHECKING:
    from .mlp import MLP

#: Edge colours of ``draw_network``: positive weights excite, negative ones inhibit.
POSITIVE = "#1f77b4"
NEGATIVE = "#d62728"
ZERO = "#999999"
#: Class colours, shared by regions and points of ``plot_decision_boundary``.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] = (6.0, 4.0)) -> Axes:
    """``ax``, or the axes of a new figure of ``figsize`` when it is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def cap_log_axis(ax: Axes, values, top: float = 1e30) -> None:
    """Stop a log axis at ``top``: a diverging run's values climb towards 1e308, where
    matplotlib cannot place ticks, and the climb is plain long before that."""
    low, high = ax.get_ylim()
    if high > top:
        # Autoscaling pads a log axis symmetrically, so with the top cut the bottom needs
        # resetting too: just below the smallest value drawn.
        values = np.asarray(values, dtype=float)
        shown = values[np.isfinite(values) & (values > 0)]
        ax.set_ylim(shown.min() / 2 if shown.size else low, top)


# -- training curves -------------------------------------------------------------------
def plot_loss_curves(history, ax: Axes | None = None, title: str | None = None,
                     log: bool = False, accuracy: bool = False) -> Axes:
    """Train loss (and validation loss, when recorded) against the epoch number.

    With ``accuracy=True`` and a classifier's history, accuracies go on a twin y-axis on
    the right (dashed), so one picture shows both. ``log`` puts the loss on a log scale,
    which keeps the late, slow part of training visible.
    """
    ax = axes_or_new(ax)
    epochs = np.arange(1, len(history.train_loss) + 1)
    ax.plot(epochs, history.train_loss, color=CLASS_COLORS[0], label="train loss")
    if history.val_loss:
        ax.plot(epochs, history.val_loss, color=CLASS_COLORS[1], label="val loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    handles, labels = ax.get_legend_handles_labels()
    if accuracy and any(a is not None for a in history.train_acc):
        acc_ax = ax.twinx()
        acc_ax.plot(epochs, history.train_acc, "--", color=CLASS_COLORS[0], label="train acc")
        if any(a is not None for a in history.val_acc):
            acc_ax.plot(epochs, history.val_acc, "--", color=CLASS_COLORS[1], label="val acc")
        acc_ax.set_ylabel("accuracy")
        acc_ax.set_ylim(0, 1.05)
        more_handles, more_labels = acc_ax.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(handles, labels)
    ax.set_title(title or "Loss per epoch")
    return ax


def _norm_series(source) -> dict[str, Any]:
    """The gradient norms in ``source`` (a History or a dict), ordered W1, W2, ...: each a
    number (one backward pass) or a list of them (one per step)."""
    norms = source.grad_norms if hasattr(source, "grad_norms") else source
    if not isinstance(norms, Mapping) or not norms:
        raise ValueError("plot_grad_norms needs a History or a non-empty dict "
                         "{'W1': ..., 'W2': ...} of gradient norms")
    return {k: norms[k] for k in sorted(norms, key=lambda k: split_name(k)[1])}


def plot_grad_norms(source, ax: Axes | None = None, log: bool = True,
                    title: str | None = None) -> Axes:
    r"""Gradient norm $\lVert \partial L/\partial W^{(l)} \rVert$ of each layer.

    * a ``History`` (or a dict of per-step lists): one line per layer against the step;
    * a dict ``{"W1": 0.3, "W2": 1.2, ...}`` from one backward pass: one bar per layer,
      input side on the left, so a slope across the bars is vanishing (rising to the
      right) or exploding (falling to the right) gradients.

    ``log`` (default) uses a log scale, since norms across depth differ by powers of ten.
    """
    series = _norm_series(source)
    ax = axes_or_new(ax)
    scalar = all(np.ndim(v) == 0 for v in series.values())
    if scalar:
        names = list(series)
        ax.bar(names, [float(series[k]) for k in names], color=CLASS_COLORS[0])
        ax.set_xlabel("layer (input side on the left)")
    else:
        for k, values in series.items():
            ax.plot(np.arange(1, len(values) + 1), values, label=k)
        ax.set_xlabel("step")
        ax.legend(title="layer")
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(r"$\|\partial L / \partial W\|$")
    ax.set_title(title or "Gradient norm per layer")
    return ax


# -- decision regions ------------------------------------------------------------------
def grid_points(X, resolution: int = 200, margin: float = 0.1):
    """A resolution x resolution grid covering the rows of X plus a margin on each side.

    Returns ``(xs, ys, points)``: the two axes' coordinates and the grid as an
    (resolution², 2) array, row-major with x varying fastest (as ``imshow`` expects).
    """
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def class_labels(net: MLP, points) -> np.ndarray:
    """The class the net assigns to each row of ``points``, in eval mode.

    Softmax and sigmoid outputs use ``net.predict``. An identity output is read as a
    score: one unit thresholded at 0.5 (a 0/1 target fitted with MSE), several units by
    their argmax.
    """
    with net.evaluating():
        if net.output in ("softmax", "sigmoid"):
            labels = np.asarray(net.predict(points))
            if labels.ndim != 1:
                raise ValueError("plot_decision_boundary needs one class per point; a "
                                 f"sigmoid output with {net.sizes[-1]} units is multi-label")
            return labels.astype(int)
        out = net.forward(points)
    return (out[:, 0] >= 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)


def plot_decision_boundary(net: MLP, X, y, ax: Axes | None = None, resolution: int = 200,
                           title: str | None = None, margin: float = 0.1) -> Axes:
    """The plane coloured by the class ``net`` predicts there, with the data on top.

    Regions come from ``net.predict`` on a grid (eval mode; the net's mode and trace are
    restored afterwards); points are coloured by their true label ``y`` (integers, or
    one-hot rows), so a point on the wrong colour is a misclassified one.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D inputs, X has shape {X.shape}")
    y = np.asarray(y)
    y = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1).astype(int)
    xs, ys, points = grid_points(X, resolution, margin)
    regions = class_labels(net, points).reshape(resolution, resolution)
    k = max(int(y.max()) + 1, int(regions.max()) + 1, 2)
    cmap = ListedColormap(CLASS_COLORS[:k])
    ax = axes_or_new(ax, (5.0, 4.5))
    ax.imshow(regions, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), cmap=cmap,
              vmin=-0.5, vmax=k - 0.5, alpha=0.3, aspect="auto", interpolation="nearest")
    for c in range(k):
        rows = y == c
        if rows.any():
            ax.scatter(X[rows, 0], X[rows, 1], s=18, color=CLASS_COLORS[c],
                       edgecolors="black", linewidths=0.4, label=f"class {c}")
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", fontsize="small")
    ax.set_title(title or "Decision regions")
    return ax


# -- the network diagram ---------------------------------------------------------------
def shown_units(n: int, max_units: int = 10) -> list[int | None]:
    """Which units of an n-wide layer the diagram draws, top to bottom.

    Up to ``max_units`` all of them; beyond that the first ``max_units - 1``, then None
    (where an ellipsis goes), then the last unit.
    """
    if n <= max_units:
        return list(range(n))
    return [*range(max_units - 1), None, n - 1]


def _one_sample(net: MLP, X) -> dict[str, np.ndarray]:
    """Activations A0..AL of one input sample, from a forward pass in eval mode."""
    x = np.asarray(X, dtype=float)
    if x.size != net.sizes[0] or (x.ndim == 2 and x.shape[0] != 1) or x.ndim > 2:
        raise ValueError(f"show_values needs one sample of {net.sizes[0]} inputs, "
                         f"X has shape {x.shape}")
    with net.evaluating():
        net.forward(x.reshape(1, -1))
        values = {f"A{k}": net.trace[f"A{k}"][0] for k in range(net.n_layers + 1)}
    return values


def _layer_caption(net: MLP, layer: int) -> str:
    n = net.sizes[layer]
    units = f"{n} unit{'s' if n != 1 else ''}"
    if layer == 0:
        return f"input $A^{{(0)}}$\n{units}"
    return f"$A^{{({layer})}}$: {net.activation_name(layer)}\n{units}"


def draw_network(net: MLP, ax: Axes | None = None, show_values: bool = False, X=None,
                 title: str | None = None, show_weights: bool = False,
                 max_units: int = 10) -> Axes:
    r"""The MLP as a diagram: one column of circles per layer (layer 0 = the inputs).

    Each edge is one weight $W^{(l)}_{ij}$ from unit i of layer l-1 to unit j of layer l:
    blue when positive, red when negative, its width proportional to $|W^{(l)}_{ij}|$
    (relative to the largest weight in the net). Edges of layer l form one
    ``LineCollection`` with gid ``"W{l}"``; unit j of layer l is a ``Circle`` with gid
    ``"unit{l}_{j}"``.

    ``show_values=True`` with one input sample ``X`` writes each unit's activation
    $A^{(l)}_j$ in its circle. ``show_weights=True`` writes each weight on its edge
    (legible for small nets only). Layers wider than ``max_units`` show a sample of units
    and a vertical ellipsis.
    """
    if show_values and X is None:
        raise ValueError("show_values=True needs X, one input sample")
    values = _one_sample(net, X) if show_values else None
    columns = [shown_units(n, max_units) for n in net.sizes]
    height = max(len(c) for c in columns)
    ax = axes_or_new(ax, (1.0 + 2.0 * len(net.sizes), 1.0 + 0.75 * height))
    # Wider columns for taller layers keep the edges between them from merging.
    dx, radius = max(2.5, 0.4 * height), 0.3

    def position(layer: int, slot: int) -> tuple[float, float]:
        return layer * dx, (len(columns[layer]) - 1) / 2 - slot

    biggest = max(float(np.max(np.abs(net.params[f"W{layer}"]), initial=0.0))
                  for layer in range(1, net.n_layers + 1)) or 1.0
    for layer in range(1, net.n_layers + 1):
        W = net.params[f"W{layer}"]
        segments, colors, widths, labels = [], [], [], []
        for si, i in enumerate(columns[layer - 1]):
            for sj, j in enumerate(columns[layer]):
                if i is None or j is None:
                    continue
                (x0, y0), (x1, y1) = position(layer - 1, si), position(layer, sj)
                w = float(W[i, j])
                segments.append([(x0 + radius, y0), (x1 - radius, y1)])
                colors.append(POSITIVE if w > 0 else NEGATIVE if w < 0 else ZERO)
                widths.append(0.4 + 3.6 * abs(w) / biggest)
                # Labels sit at a different fraction along each edge of a fan, so the
                # ones leaving the same unit do not pile up.
                t = 0.2 + 0.6 * (sj + 0.5) / len(columns[layer])
                labels.append((x0 + t * (x1 - x0), y0 + t * (y1 - y0), w))
        ax.add_collection(LineCollection(segments, colors=colors, linewidths=widths,
                                         zorder=1, gid=f"W{layer}"))
        if show_weights:
            for x, y, w in labels:
                ax.text(x, y, f"{w:.2f}", fontsize=7, ha="center", va="center", zorder=2,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})

    for layer, column in enumerate(columns):
        for slot, j in enumerate(column):
            x, y = position(layer, slot)
            if j is None:
                ax.text(x, y, r"$\vdots$", fontsize=14, ha="center", va="center")
                continue
            ax.add_patch(Circle((x, y), radius, facecolor="#ffffff" if layer else "#eeeeee",
                                edgecolor="black", zorder=3, gid=f"unit{layer}_{j}"))
            if show_weights and layer:
                ax.text(x, y - radius - 0.05, f"b={net.params[f'b{layer}'][j]:.2f}",
                        fontsize=7, ha="center", va="top", zorder=4)
            if values is not None:
                ax.text(x, y, f"{values[f'A{layer}'][j]:.2f}", fontsize=8, ha="center",
                        va="center", zorder=4)
        ax.text(layer * dx, -(height - 1) / 2 - 0.75, _layer_caption(net, layer), fontsize=8,
                ha="center", va="top")

    ax.set_xlim(-0.8, (len(columns) - 1) * dx + 0.8)
    ax.set_ylim(-(height - 1) / 2 - 1.6, (height - 1) / 2 + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"MLP {net.sizes}  (blue: w > 0, red: w < 0)")
    return ax


# -- activations and weights -----------------------------------------------------------
def plot_activation(name: str, ax: Axes | None = None, z_range: tuple[float, float] = (-6, 6),
                    derivative: bool = True, z0: float | None = None,
                    title: str | None = None, n_points: int = 401) -> Axes:
    r"""$f(z)$ (solid) and, with ``derivative``, $f'(z)$ (dashed) of one activation.

    ``z0`` marks the point $(z_0, f(z_0))$ (and $(z_0, f'(z_0))$): where a unit sits on
    the curve decides how much gradient it passes back.
    """
    act = get_activation(name)
    ax = axes_or_new(ax, (5.0, 3.5))
    z = np.linspace(z_range[0], z_range[1], n_points)
    ax.plot(z, act.f(z), color=CLASS_COLORS[0], label="f(z)")
    if derivative:
        ax.plot(z, act.df(z), "--", color=CLASS_COLORS[1], label="f'(z)")
    if z0 is not None:
        point = np.array([float(z0)])
        ax.scatter(point, act.f(point), color=CLASS_COLORS[0], zorder=3, s=40)
        if derivative:
            ax.scatter(point, act.df(point), color=CLASS_COLORS[1], zorder=3, s=40)
    ax.axhline(0, color="black", linewidth=0.5, zorder=0)
    ax.axvline(0, color="black", linewidth=0.5, zorder=0)
    ax.set_xlabel("z")
    ax.legend(loc="upper left")
    ax.set_title(title or name.replace("_", " "))
    return ax


def plot_weight_histograms(net: MLP, ax: Axes | None = None, bins: int = 30,
                           include_bias: bool = False) -> Axes:
    r"""One outlined histogram per layer of the entries of $W^{(l)}$, on shared bins.

    Labels carry each layer's standard deviation, the number L2 regularisation shrinks.
    ``include_bias`` adds the biases to each layer's histogram.
    """
    ax = axes_or_new(ax)
    layers = []
    for layer in range(1, net.n_layers + 1):
        w = net.params[f"W{layer}"].ravel()
        if include_bias:
            w = np.concatenate([w, net.params[f"b{layer}"].ravel()])
        layers.append((layer, w.astype(float)))
    everything = np.concatenate([w for _, w in layers])
    edges = np.histogram_bin_edges(everything, bins=bins)
    for layer, w in layers:
        ax.hist(w, bins=edges.tolist(), histtype="step", linewidth=1.5,
                color=CLASS_COLORS[(layer - 1) % len(CLASS_COLORS)],
                label=f"W{layer} (std {w.std():.3g})")
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
    ax.legend()
    ax.set_title("Weights per layer")
    return ax
