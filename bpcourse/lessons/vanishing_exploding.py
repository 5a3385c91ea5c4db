r"""Experiments on depth: how gradients shrink or grow on their way back to the first layer.

The backward pass multiplies one local factor per layer,

$$\delta^{(l)} = \big(\delta^{(l+1)} W^{(l+1)\top}\big) \odot f'(Z^{(l)}),$$

so after $k$ layers the error signal carries a product of $k$ weight matrices and $k$
slopes: a factor a little below 1 per layer makes it vanish geometrically, a factor a
little above 1 makes it explode. The functions here build a deep probe network, run one
forward and backward pass on a fixed random batch, and report what happened per layer:

* ``layer_grad_norms``: $\lVert \partial L/\partial W^{(l)} \rVert$ (via ``grad_norms``);
* ``delta_norms`` and ``delta_bounds``: $\lVert \delta^{(l)} \rVert$ and the bound
  $\lVert\delta^{(L)}\rVert \prod_{k>l} \max|f'| \, \lVert W^{(k)} \rVert_2$;
* ``activation_stats`` and ``saturated_share``: the spread of $Z^{(l)}$ and the share of
  units whose slope $f'(Z^{(l)})$ is almost 0;
* ``predicted_z_var``: the variance recursion $\mathrm{Var}(z^{(l+1)}) = n\,
  \mathrm{Var}(w)\,\mathbb{E}[f(z^{(l)})^2]$ that Xavier and He initialisation solve;
* ``exploding_run``: a training run that blows up, and the same run with clipping.

The probe network is square (every layer ``width`` wide, inputs too) with an identity
output and the MSE loss against random targets, so depth is the only thing that changes
from one layer to the next. matplotlib is imported inside the drawing functions only.
"""

from __future__ import annotations

import numpy as np

from .. import data
from ..activations import get_activation
from ..diagnostics import global_norm, grad_norms
from ..mlp import MLP, init_std
from ..runs import Run, Settings, cached_run
from ..train import History

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
INIT_CHOICES = ("normal", "xavier", "he")
#: Largest value of f' for each activation: the most one layer's slope can pass back.
MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0, "identity": 1.0}


# -- the probe network ---------------------------------------------------------------------
def probe_net(activation: str, init: str | float, depth: int, width: int = 64,
              seed: int = 0) -> MLP:
    """A square network with ``depth`` weight layers: ``depth - 1`` hidden layers of ``f``.

    Every layer is ``width`` wide (inputs and outputs too), the output is the identity.
    """
    if depth < 2:
        raise ValueError(f"depth counts weight layers and must be at least 2, got {depth}")
    return MLP([width] * (depth + 1), activation=activation, output="identity", init=init,
               seed=seed)


def probe_batch(width: int = 64, n: int = 64, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A fixed batch: inputs and targets with independent standard normal entries."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, width)), rng.standard_normal((n, width))


def run_probe(activation: str, init: str | float, depth: int, width: int = 64, seed: int = 0,
              n: int = 64) -> tuple[MLP, dict[str, np.ndarray]]:
    """One forward and backward pass of the probe network: ``(net, grads)``.

    ``net.trace`` then holds every ``Z{l}``, ``delta{l}`` and ``dW{l}`` of that pass.
    With a huge initialisation and great depth values can overflow to inf; the caller
    sees the inf in the norms rather than a warning.
    """
    net = probe_net(activation, init, depth, width, seed)
    X, Y = probe_batch(width, n)
    with np.errstate(over="ignore", invalid="ignore"):
        _, grads = net.loss_and_gradients(X, Y, loss="mse")
    return net, grads


def layer_grad_norms(activation: str, init: str | float, depth: int, width: int = 64,
                     seed: int = 0, n: int = 64) -> dict[str, float]:
    r"""$\lVert \partial L / \partial W^{(l)} \rVert_F$ per layer, keyed ``W1`` ... ``W{depth}``."""
    _, grads = run_probe(activation, init, depth, width, seed, n)
    return grad_norms(grads)


def delta_norms(net: MLP) -> dict[str, float]:
    r"""$\lVert \delta^{(l)} \rVert_F$ of each layer from the last backward pass of ``net``."""
    return {f"delta{l}": float(np.linalg.norm(net.trace[f"delta{l}"]))
            for l in range(1, net.n_layers + 1)}


def delta_bounds(net: MLP) -> dict[str, float]:
    r"""Upper bounds on $\lVert \delta^{(l)} \rVert_F$ from the last backward pass.

    One step of the recursion cannot grow the norm by more than the largest slope times
    the spectral norm of the weights, $\lVert \delta^{(l)} \rVert_F \le \max|f'|\,
    \lVert W^{(l+1)} \rVert_2 \lVert \delta^{(l+1)} \rVert_F$, so

    $$\lVert \delta^{(l)} \rVert_F \le \lVert \delta^{(L)} \rVert_F
    \prod_{k=l+1}^{L} \max|f'|\,\lVert W^{(k)} \rVert_2 .$$

    For sigmoid $\max|f'| = 1/4$: the bound shrinks by 4 per layer unless the weights
    make up for it.
    """
    L = net.n_layers
    bound = float(np.linalg.norm(net.trace[f"delta{L}"]))
    bounds = {f"delta{L}": bound}
    for l in range(L - 1, 0, -1):
        slope = MAX_SLOPE[net.activations[l - 1].name]
        bound *= slope * float(np.linalg.norm(net.params[f"W{l + 1}"], ord=2))
        bounds[f"delta{l}"] = bound
    return {k: bounds[k] for k in sorted(bounds, key=lambda k: int(k[5:]))}


# -- saturation and the spread of Z ------------------------------------------------------------
def peak_slope(activation: str) -> float:
    """The largest f'(z) over z in [-10, 10]: 1/4 for sigmoid, 1 for tanh and ReLU."""
    z = np.linspace(-10.0, 10.0, 2001)
    return float(np.max(get_activation(activation).df(z)))


def saturated_share(Z: np.ndarray, activation: str, tol: float = 0.05) -> float:
    r"""Share of entries of Z where $f'(z) < \mathrm{tol}\cdot\max f'$: units that pass back
    (almost) nothing.

    For sigmoid with ``tol = 0.05`` that is $|z| > 4.4$, for tanh $|z| > 2.2$. A ReLU unit
    is either fully open ($f' = 1$) or shut ($f' = 0$ for $z \le 0$), so for ReLU this is
    the share of shut units: about a half is normal, all of them means a dead layer.
    """
    fprime = get_activation(activation).df(np.asarray(Z, dtype=float))
    return float(np.mean(fprime < tol * peak_slope(activation)))


def preactivations(activation: str, init: str | float, depth: int, width: int = 64,
                   seed: int = 0, n: int = 64) -> dict[str, np.ndarray]:
    """The hidden layers' pre-activations ``Z1`` ... ``Z{depth-1}`` on the probe batch."""
    net, _ = run_probe(activation, init, depth, width, seed, n)
    return {f"Z{l}": net.trace[f"Z{l}"] for l in range(1, depth)}


def activation_stats(activation: str, init: str | float, depth: int, width: int = 64,
                     seed: int = 0, n: int = 64, tol: float = 0.05) -> dict[str, list[float]]:
    r"""Per hidden layer $l = 1 \dots$ depth-1: what the forward pass did to the signal.

    Keys: ``layer``, ``z_std`` (standard deviation of $Z^{(l)}$), ``a_rms``
    ($\sqrt{\mathbb{E}[A^{(l)2}]}$, the size of what the next layer receives),
    ``mean_slope`` (mean of $f'(Z^{(l)})$) and ``saturated`` (``saturated_share``).
    """
    net, _ = run_probe(activation, init, depth, width, seed, n)
    return _layer_stats(net, activation, tol)


def _layer_stats(net: MLP, activation: str, tol: float = 0.05) -> dict[str, list[float]]:
    """``activation_stats`` of the hidden layers from the last forward pass of ``net``."""
    f = get_activation(activation)
    stats: dict[str, list[float]] = {"layer": [], "z_std": [], "a_rms": [], "mean_slope": [],
                                     "saturated": []}
    with np.errstate(over="ignore", invalid="ignore"):
        for l in range(1, net.n_layers):
            Z = net.trace[f"Z{l}"]
            stats["layer"].append(l)
            stats["z_std"].append(float(np.std(Z)))
            stats["a_rms"].append(float(np.sqrt(np.mean(f.f(Z) ** 2))))
            stats["mean_slope"].append(float(np.mean(f.df(Z))))
            stats["saturated"].append(saturated_share(Z, activation, tol))
    return stats


# -- the variance argument behind Xavier and He ------------------------------------------------
def second_moment(activation: str, var: float, points: int = 4001) -> float:
    r"""$\mathbb{E}[f(z)^2]$ for $z \sim \mathcal N(0, \mathrm{var})$, by the trapezoid rule
    over $\pm 12$ standard deviations (fine enough for ReLU's kink)."""
    if var == 0:
        return float(get_activation(activation).f(np.zeros(1))[0] ** 2)
    s = np.sqrt(var)
    z = np.linspace(-12 * s, 12 * s, points)
    density = np.exp(-0.5 * z**2 / var) / np.sqrt(2 * np.pi * var)
    integrand = get_activation(activation).f(z) ** 2 * density
    return float(np.sum(integrand[1:] + integrand[:-1]) * (z[1] - z[0]) / 2)


def predicted_z_var(activation: str, w_std: float, width: int, depth: int,
                    x_var: float = 1.0) -> np.ndarray:
    r"""Predicted $\mathrm{Var}(z^{(l)})$ for $l = 1 \dots$ depth, if every unit's
    pre-activation were Gaussian.

    With zero biases and independent zero-mean weights of variance $\sigma_w^2$, a unit
    sums $n$ terms $w_i a_i$, each of variance $\sigma_w^2\,\mathbb{E}[a_i^2]$, so

    $$\mathrm{Var}(z^{(l+1)}) = n\,\sigma_w^2\,\mathbb{E}\big[f(z^{(l)})^2\big],\qquad
    \mathrm{Var}(z^{(1)}) = n\,\sigma_w^2\,\mathbb{E}[x^2].$$

    For ReLU $\mathbb{E}[f(z)^2] = \mathrm{Var}(z)/2$, so $\sigma_w^2 = 2/n$ (He) keeps
    the variance fixed; for tanh near 0, $f(z) \approx z$ and $\sigma_w^2 = 1/n$ (Xavier on
    a square layer) does.
    """
    var = width * w_std**2 * x_var
    out = [var]
    for _ in range(depth - 1):
        var = width * w_std**2 * second_moment(activation, var)
        out.append(var)
    return np.array(out)


# -- a run that explodes, and the same run clipped ---------------------------------------------
#: The run that blows up: a 1-32-32-32-32-1 ReLU net on ``data.sine(200)``, SGD with
#: batches of 32 for 30 epochs, weights of std 0.5 (``exploding_run`` varies lr, init, clip).
EXPLODING = Settings(hidden=(32, 32, 32, 32), activation="relu", init=0.5, output="identity",
                     optimizer="SGD", lr=0.05, batch_size=32, epochs=30)


def exploding_run(clip_norm: float | None = None, lr: float = 0.05, init: float = 0.5,
                  epochs: int = 30, seed: int = 0) -> Run:
    r"""``EXPLODING`` with these choices, fitted to ``data.sine(200, seed=seed)`` (cached).

    The defaults blow up: weights of std 0.5 double the signal's size at every layer
    (variance factor 32 · 0.25 / 2 = 4), so the first gradients are large, and lr = 0.05
    turns them into steps that make the weights, and so the next gradients, larger still.
    ``clip_norm`` caps every step. A divergence is kept as ``Run.diverged`` (the message)
    and the steps before it, instead of raised.
    """
    settings = EXPLODING.replace(clip_norm=clip_norm, lr=lr, init=init, epochs=epochs,
                                 seed=seed)
    return cached_run(settings, data.sine(200, seed=seed))


def joint_norms(history: History) -> list[float]:
    r"""The joint norm of the weight gradients of every step, $\sqrt{\sum_l \lVert
    \partial L/\partial W^{(l)} \rVert^2}$, from fit's per-layer norms
    (before clipping)."""
    per_step = np.column_stack([np.asarray(v, dtype=float)
                                for v in history.grad_norms.values()])
    return [global_norm({"W": row}) for row in per_step]


# -- pictures ----------------------------------------------------------------------------------
def plot_depth_profile(activation: str, init: str | float, depth: int, width: int = 64,
                       seed: int = 0, axes=None):
    r"""Two panels for one probe network: gradient norms per layer (log scale), and the
    forward signal per hidden layer (std of Z, share of saturated units).

    Returns the two Axes. The left panel shows $\lVert\partial L/\partial W^{(l)}\rVert$
    as bars and $\lVert\delta^{(l)}\rVert$ as a line, input side on the left.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    ax_grad, ax_fwd = axes
    # One probe pass feeds both panels: its gradients and the Z it left in the trace.
    net, grads = run_probe(activation, init, depth, width, seed)
    norms = grad_norms(grads)
    deltas = delta_norms(net)
    layers = np.arange(1, depth + 1)
    ax_grad.bar(layers, [norms[f"W{l}"] for l in layers], color="#1f77b4",
                label=r"$\|\partial L/\partial W^{(l)}\|$")
    ax_grad.plot(layers, [deltas[f"delta{l}"] for l in layers], "o-", color="#d62728",
                 label=r"$\|\delta^{(l)}\|$")
    ax_grad.set_yscale("log")
    ax_grad.set_xlabel("layer l (input side on the left)")
    ax_grad.set_ylabel("norm (log scale)")
    first, last = norms["W1"], norms[f"W{depth}"]
    ax_grad.set_title(f"{activation}, {init} init, {depth} layers: "
                      f"W1/W{depth} = {first / last:.2g}")
    ax_grad.legend(loc="best", fontsize="small")

    stats = _layer_stats(net, activation)
    ax_fwd.plot(stats["layer"], stats["z_std"], "o-", color="#1f77b4", label="std of Z")
    ax_fwd.set_yscale("log")
    ax_fwd.set_xlabel("hidden layer l")
    ax_fwd.set_ylabel("std of $Z^{(l)}$ (log scale)", color="#1f77b4")
    ax_share = ax_fwd.twinx()
    ax_share.plot(stats["layer"], stats["saturated"], "s--", color="#ff7f0e",
                  label="share with f' ≈ 0")
    ax_share.set_ylim(-0.03, 1.03)
    ax_share.set_ylabel("share of units with f' ≈ 0", color="#ff7f0e")
    ax_fwd.set_title("forward signal per hidden layer")
    return axes


def plot_z_histograms(activation: str, init: str | float, depth: int, layers=None,
                      width: int = 64, seed: int = 0, tol: float = 0.05, fig=None,
                      axes=None, histtype: str = "bar"):
    r"""Histograms of $Z^{(l)}$ for a few hidden layers, with the saturated zone shaded.

    ``layers`` picks the hidden layers (default: the first, middle and last). The shaded
    zone is where $f'(z) < \mathrm{tol}\cdot\max f'$. A figure made here gets a tight
    layout; a caller's ``fig`` keeps its own. ``axes`` (at least one per layer; the
    spare ones are hidden) draws into existing axes instead of adding them to ``fig``;
    ``histtype="stepfilled"`` draws each histogram as one shape instead of 40 bars, which
    looks the same and draws far faster. Returns the figure.
    """
    import matplotlib.pyplot as plt

    Zs = preactivations(activation, init, depth, width, seed)
    hidden = depth - 1
    if layers is None:
        layers = sorted({1, (hidden + 1) // 2, hidden})
    fresh = fig is None and axes is None
    if axes is not None:
        axes = list(np.ravel(axes))
        if len(axes) < len(layers):
            raise ValueError(f"{len(layers)} layers to draw but {len(axes)} axes given")
        for k, ax in enumerate(axes):
            ax.set_visible(k < len(layers))
        fig = axes[0].figure
    else:
        if fig is None:
            fig = plt.figure(figsize=(3.4 * len(layers), 3.0))
        axes = fig.subplots(1, len(layers), squeeze=False)[0]
    df = get_activation(activation).df
    cut = tol * peak_slope(activation)
    for ax, l in zip(axes[:len(layers)], layers, strict=True):
        Z = Zs[f"Z{l}"].ravel()
        finite = Z[np.isfinite(Z)]
        reach = max(float(np.max(np.abs(finite), initial=0.0)), 1.0)
        grid = np.linspace(-reach, reach, 801)
        flat = df(grid) < cut
        ax.fill_between(grid, 0, 1, where=flat, color="#ff7f0e", alpha=0.2, step="mid",
                        transform=ax.get_xaxis_transform(), label="f' ≈ 0")
        ax.hist(finite, bins=40, range=(-reach, reach), color="#1f77b4", histtype=histtype)
        ax.set_xlim(-reach, reach)
        ax.set_title(f"$Z^{{({l})}}$: {saturated_share(Z, activation, tol):.0%} with f' ≈ 0",
                     fontsize="medium")
        ax.set_xlabel("z")
        ax.set_yticks([])
    axes[0].legend(loc="upper left", fontsize="small")
    fig.suptitle(f"pre-activations, {activation} with {init} init ({depth} layers)")
    if fresh:
        fig.tight_layout()
    return fig


def plot_exploding_run(run: Run, axes=None, title: str = ""):
    """Mini-batch loss and global gradient norm (before clipping) per step, log scales.

    A run that diverged ends early, at its last finite step. Its last values can be near
    1e300: they are drawn on axes that stop at 1e30 (values past 1e308 that overflowed to
    inf are left out), since matplotlib cannot place ticks that high. Returns the two Axes.
    """
    import matplotlib.pyplot as plt

    from ..plots import cap_log_axis

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    ax_loss, ax_norm = axes
    steps = np.arange(1, len(run.step_loss) + 1)
    for ax, raw, color in ((ax_loss, run.step_loss, "#1f77b4"),
                           (ax_norm, joint_norms(run.history), "#d62728")):
        values = np.asarray(raw, dtype=float)
        values = np.where(np.isfinite(values), values, np.nan)
        ax.plot(steps, values, color=color)
        # Autoscaling pads the log axis past 1e308 before cap_log_axis cuts it back.
        with np.errstate(over="ignore"):
            ax.set_yscale("log")
        cap_log_axis(ax, values)
        ax.set_xlabel("step")
    ax_loss.set_ylabel("mini-batch loss (log scale)")
    if run.diverged:
        status = f"diverged after {len(run.step_loss)} finite steps"
    else:
        status = f"last loss {run.step_loss[-1]:.3g}"
    ax_loss.set_title(f"{title}: {status}" if title else status)
    ax_norm.set_ylabel("global gradient norm (log scale)")
    ax_norm.set_title("gradient norm before clipping")
    return axes


def init_label(init: str | float, width: int) -> str:
    """``"he (std 0.177)"``: an init choice with the standard deviation it gives."""
    return f"{init} (std {init_std(init, width, width):.3g})"


# -- the notebook's widgets ---------------------------------------------------------------------
def _probe_controls(activation: str, init: str) -> dict:
    import ipywidgets as widgets

    return {
        "activation": widgets.Dropdown(options=ACTIVATION_CHOICES, value=activation,
                                       description="activation"),
        "init": widgets.Dropdown(options=INIT_CHOICES, value=init, description="init"),
        "layers": widgets.IntSlider(value=10, min=2, max=30, description="layers",
                                    continuous_update=False),
    }


def histograms_explorer(activation: str = "tanh", init: str = "normal"):
    """Activation, init and depth controls above ``plot_z_histograms`` of the probe net."""
    from ..live import LivePlot

    def draw(axes, activation: str, init: str, layers: int) -> None:
        plot_z_histograms(activation, init, layers, axes=axes, histtype="stepfilled")

    return LivePlot(draw, _probe_controls(activation, init), figsize=(10.2, 3.2), grid=(1, 3),
                    margins={"left": 0.03, "right": 0.98, "bottom": 0.15, "top": 0.8,
                             "wspace": 0.1})


#: The norm ranges of ``profile_explorer``'s two log panels: gradient norms per layer run
#: from about 1e-18 (sigmoid, 30 layers) to 1e47 (relu with N(0, 1) weights, 30 layers),
#: the std of Z from about 1e-5 to 1e22.
PROFILE_WINDOWS = ((1e-20, 1e50), (1e-6, 1e24))


def profile_explorer(activation: str = "sigmoid", init: str = "xavier"):
    """Activation, init and depth controls above ``plot_depth_profile`` of the probe net,
    on fixed axes: ``PROFILE_WINDOWS`` (every choice of the menus fits), layers up to the
    deepest net the slider allows."""
    from matplotlib.ticker import NullLocator

    from ..live import LivePlot

    def draw(axes, activation: str, init: str, layers: int) -> None:
        plot_depth_profile(activation, init, layers, axes=axes)
        # One scale for every setting: they compare at a glance, and share one frame.
        deepest = controls["layers"].max
        for ax, window in zip(axes, PROFILE_WINDOWS, strict=True):
            ax.set_xlim(0.5, deepest + 0.5)
            ax.set_ylim(*window)
            ax.yaxis.set_minor_locator(NullLocator())

    controls = _probe_controls(activation, init)
    return LivePlot(draw, controls, figsize=(11, 3.8), grid=(1, 2),
                    margins={"left": 0.07, "right": 0.93, "bottom": 0.13, "top": 0.91,
                             "wspace": 0.3})


def clipping_explorer():
    """Learning rate, init std and clipping threshold above ``plot_exploding_run``; the
    divergence message, if any, below. Every setting is trained once (``exploding_run``
    is cached). The log axes are widened to whole blocks of three decades."""
    import ipywidgets as widgets

    from ..live import LivePlot, snap_log_limits

    def draw(axes, lr: float, init: float, clip: float) -> str | None:
        run = exploding_run(clip_norm=clip or None, lr=lr, init=init)
        plot_exploding_run(run, axes, title=f"lr {lr:.3g}, std {init}, clip {clip or 'off'}")
        for ax in axes:
            snap_log_limits(ax)
        return run.diverged

    controls = {
        "lr": widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=-0.5, step=0.1,
                                     description="lr", continuous_update=False),
        "init": widgets.Dropdown(options=[0.1, 0.25, 0.5, 1.0], value=0.5,
                                 description="init std"),
        "clip": widgets.Dropdown(options=[0, 0.5, 1, 2, 5, 10, 50], value=5,
                                 description="clip"),
    }
    return LivePlot(draw, controls, figsize=(11, 3.5), grid=(1, 2),
                    margins={"left": 0.07, "right": 0.98, "bottom": 0.14, "top": 0.9,
                             "wspace": 0.25})
