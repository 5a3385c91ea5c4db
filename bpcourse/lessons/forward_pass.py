r"""What the widgets of notebook 01 (the forward pass) compute, kept here so it is tested.

* ``tiny_forward``: the notebook's [2, 3, 1] network with two weights set by sliders, run
  on the two inputs set by sliders.
* ``activation_point``: $f(z)$ and $f'(z)$ at one z, with a sentence on how much gradient
  a unit sitting there passes back.
* ``softmax_point`` and ``plot_softmax``: softmax of three logits at a temperature T and
  the cross-entropy for a chosen target class.

The widget cells only wire sliders to these functions and draw the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activations import get_activation
from ..losses import logsumexp
from ..mlp import MLP

#: The notebook's tiny network: 2 inputs, 3 hidden units, 1 output.
TINY_SIZES = (2, 3, 1)
#: Its fixed parameters; the sliders change W1[0, 0] and W2[0, 0].
TINY_PARAMS = {
    "W1": np.array([[0.8, -1.2, 0.5],
                    [0.4, 0.9, -1.5]]),
    "b1": np.array([0.0, 0.3, -0.2]),
    "W2": np.array([[1.5], [-1.0], [2.0]]),
    "b2": np.array([-0.5]),
}


def tiny_net(w1_00: float | None = None, w2_00: float | None = None,
             activation: str = "sigmoid") -> MLP:
    r"""The [2, 3, 1] network with ``TINY_PARAMS``, optionally overriding two weights.

    ``w1_00`` replaces $W^{(1)}_{00}$ (input 0 to hidden unit 0) and ``w2_00`` replaces
    $W^{(2)}_{00}$ (hidden unit 0 to the output). Indices count from 0 in the maths as in
    the arrays, so $W^{(1)}_{00}$ is ``W1[0, 0]``.
    """
    net = MLP(list(TINY_SIZES), activation=activation, output="identity")
    for name, value in TINY_PARAMS.items():
        net.params[name][...] = value
    if w1_00 is not None:
        net.params["W1"][0, 0] = w1_00
    if w2_00 is not None:
        net.params["W2"][0, 0] = w2_00
    return net


@dataclass
class TinyPass:
    """One forward pass of the tiny network on one sample, every step kept."""

    net: MLP
    X: np.ndarray   # (1, 2)
    Z1: np.ndarray  # (1, 3)
    A1: np.ndarray  # (1, 3)
    Z2: np.ndarray  # (1, 1)
    y_hat: float

    def summary(self) -> str:
        """The pass as three lines of numbers, for printing under the diagram."""
        def row(a: np.ndarray) -> str:
            return "[" + ", ".join(f"{v: .3f}" for v in a.ravel()) + "]"
        return (f"Z1 = X W1 + b1 = {row(self.Z1)}\n"
                f"A1 = {self.net.activation_name(1)}(Z1) = {row(self.A1)}\n"
                f"y_hat = Z2 = A1 W2 + b2 = {self.y_hat: .4f}")


def tiny_forward(x0: float, x1: float, w1_00: float | None = None,
                 w2_00: float | None = None, activation: str = "sigmoid") -> TinyPass:
    """Run the tiny network (see ``tiny_net``) on the single sample ``[x0, x1]``."""
    net = tiny_net(w1_00, w2_00, activation)
    X = np.array([[x0, x1]], dtype=float)
    y_hat = net.forward(X)
    t = net.trace
    return TinyPass(net=net, X=X, Z1=t["Z1"], A1=t["A1"], Z2=t["Z2"],
                    y_hat=float(y_hat[0, 0]))


@dataclass
class ActivationPoint:
    """An activation evaluated at one pre-activation z."""

    name: str
    z: float
    f: float
    df: float
    note: str


def _gradient_note(name: str, z: float, df: float) -> str:
    if name == "identity":
        return "f'(z) = 1 everywhere: the unit passes gradients through unchanged."
    if name in ("relu", "leaky_relu"):
        if z > 0:
            return "f'(z) = 1: on this side the unit passes gradients through unchanged."
        if name == "relu":
            return ("f'(z) = 0: no gradient flows back through this unit; if it stays "
                    "here for every input, it has died.")
        return "f'(z) = 0.01: a small gradient still flows, so the unit can recover."
    peak = float(get_activation(name).df(np.array(0.0)))
    share = df / peak
    if share < 0.1:
        return (f"saturated: f'(z) is {share:.0%} of its peak {peak:g}, so almost no "
                "gradient flows back through this unit.")
    return f"f'(z) is {share:.0%} of its peak {peak:g} (reached at z = 0)."


def activation_point(name: str, z: float) -> ActivationPoint:
    """f(z), f'(z) and a sentence on what f'(z) means for the gradient at that z."""
    act = get_activation(name)
    zz = np.array(float(z))
    f, df = float(act.f(zz)), float(act.df(zz))
    return ActivationPoint(name, float(z), f, df, _gradient_note(name, float(z), df))


@dataclass
class SoftmaxPoint:
    """Softmax of a vector of logits at temperature T, and the loss for one target."""

    logits: np.ndarray
    temperature: float
    probs: np.ndarray
    target: int
    loss: float


def softmax_point(logits, temperature: float = 1.0, target: int = 0) -> SoftmaxPoint:
    r"""$p = \mathrm{softmax}(z / T)$ and the cross-entropy $-\log p_{\text{target}}$.

    A large T flattens p towards uniform; a small T sharpens it towards the arg max.
    The loss is computed as $\log\sum_k e^{z_k/T} - z_{\text{target}}/T$, which stays
    finite even when $p_{\text{target}}$ rounds to 0.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    z = np.asarray(logits, dtype=float).reshape(1, -1) / temperature
    if not 0 <= target < z.shape[1]:
        raise ValueError(f"target must be a class in 0..{z.shape[1] - 1}, got {target}")
    lse = logsumexp(z)[0]
    probs = np.exp(z[0] - lse)
    return SoftmaxPoint(np.asarray(logits, dtype=float), float(temperature), probs,
                        int(target), float(lse - z[0, target]))


def plot_softmax(point: SoftmaxPoint, ax=None):
    """Bar chart of the softmax probabilities, the target class's bar outlined."""
    from ..plots import axes_or_new

    ax = axes_or_new(ax, figsize=(5.0, 3.0))
    k = len(point.probs)
    names = [f"class {c}" for c in range(k)]
    bars = ax.bar(names, point.probs, color="#1f77b4")
    # The same ticks the category axis gives, set explicitly: axes that are reused (a live
    # widget's) reset their scale, which drops the category labels.
    ax.set_xticks(range(k), names)
    bars[point.target].set_edgecolor("black")
    bars[point.target].set_linewidth(2.5)
    for c, p in enumerate(point.probs):
        ax.text(c, p + 0.02, f"{p:.3f}", ha="center")
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")
    ax.set_title(f"T = {point.temperature:g}: loss -log p[{point.target}] = {point.loss:.3f}")
    return ax


# -- the notebook's widgets ----------------------------------------------------------------
def activation_explorer(name: str = "sigmoid", z: float = 2.0):
    """An activation menu and a z slider above ``plot_activation`` with the point z marked;
    below, f(z), f'(z) and ``activation_point``'s note on the gradient it passes."""
    import ipywidgets as widgets

    from ..activations import ACTIVATIONS
    from ..live import LivePlot
    from ..plots import plot_activation

    def draw(ax, name: str, z: float) -> str:
        point = activation_point(name, z)
        plot_activation(name, ax, z0=z)
        return (f"f({z:.2f}) = {point.f:.4f}    f'({z:.2f}) = {point.df:.4f}\n"
                f"{point.note}")

    controls = {
        "name": widgets.Dropdown(options=list(ACTIVATIONS), value=name, description="f"),
        "z": widgets.FloatSlider(value=z, min=-6.0, max=6.0, step=0.1, description="z"),
    }
    return LivePlot(draw, controls, figsize=(5.5, 3.5), grid=(1, 1),
                    margins={"left": 0.1, "right": 0.97, "bottom": 0.14, "top": 0.91})


def tiny_explorer(x0: float = 1.0, x1: float = 2.0, w1_00: float = 0.8, w2_00: float = 1.5,
                  activation: str = "sigmoid"):
    """Sliders for the two inputs and two weights of ``tiny_net`` and a hidden-activation
    menu above ``draw_network`` of that pass (values and weights written on it); below,
    ``TinyPass.summary``."""
    import ipywidgets as widgets

    from ..live import LivePlot
    from ..plots import draw_network

    def draw(ax, x0: float, x1: float, w1_00: float, w2_00: float, activation: str) -> str:
        p = tiny_forward(x0, x1, w1_00, w2_00, activation)
        draw_network(p.net, ax=ax, show_values=True, X=p.X, show_weights=True,
                     title=f"output y_hat = {p.y_hat:.3f}")
        return p.summary()

    slider = dict(min=-5.0, max=5.0, step=0.1, continuous_update=False)
    controls = {
        "x0": widgets.FloatSlider(value=x0, description="x0", **slider),
        "x1": widgets.FloatSlider(value=x1, description="x1", **slider),
        "w1_00": widgets.FloatSlider(value=w1_00, description="W1[0,0]", **slider),
        "w2_00": widgets.FloatSlider(value=w2_00, description="W2[0,0]", **slider),
        "activation": widgets.Dropdown(
            options=["sigmoid", "tanh", "relu", "leaky_relu", "identity"], value=activation,
            description="hidden f"),
    }
    return LivePlot(draw, controls, figsize=(8, 4.2), grid=(1, 1),
                    rows=[["x0", "x1"], ["w1_00", "w2_00"], ["activation"]],
                    margins={"left": 0.02, "right": 0.98, "bottom": 0.02, "top": 0.92})


def softmax_explorer(logits=(2.0, 1.0, -1.0), temperature: float = 1.0, target: int = 0):
    """Three logit sliders, a temperature (log) slider and a target menu above
    ``plot_softmax`` of ``softmax_point``."""
    import ipywidgets as widgets

    from ..live import LivePlot

    def draw(ax, z0: float, z1: float, z2: float, T: float, target: int) -> None:
        plot_softmax(softmax_point([z0, z1, z2], temperature=T, target=target), ax)

    logit = dict(min=-5.0, max=5.0, step=0.1)
    z0, z1, z2 = (float(v) for v in logits)
    controls = {
        "z0": widgets.FloatSlider(value=z0, description="z0", **logit),
        "z1": widgets.FloatSlider(value=z1, description="z1", **logit),
        "z2": widgets.FloatSlider(value=z2, description="z2", **logit),
        "T": widgets.FloatLogSlider(value=temperature, base=10, min=-1.5, max=1.5, step=0.05,
                                    description="T"),
        "target": widgets.Dropdown(options=[0, 1, 2], value=target, description="target"),
    }
    return LivePlot(draw, controls, figsize=(5.5, 3.2), grid=(1, 1),
                    rows=[["z0", "z1", "z2"], ["T", "target"]],
                    margins={"left": 0.12, "right": 0.97, "bottom": 0.1, "top": 0.9})
