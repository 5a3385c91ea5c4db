r"""Two-parameter loss surfaces, and the paths the real optimisers take across them.

A network has thousands of weights, so its loss cannot be drawn; a function of two
parameters $\theta = (\theta_1, \theta_2)$ can, and it shows the same behaviours in
miniature: zig-zag in a narrow valley, crawling with a small step, blowing up with a
large one, stalling near a saddle point. Each surface knows its value $L(\theta)$ and
its exact gradient $\nabla L(\theta)$, and ``trajectory`` drives an optimiser from
``bpcourse.optim`` over it exactly as ``fit`` drives it over a network's weights
(one parameter array, here named ``"theta"``).

matplotlib is imported inside the drawing functions only, so ``import bpcourse`` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..optim import OPTIMIZERS, Optimizer, make_optimizer

LABELS = ("crawls", "converges", "oscillates", "diverged")
"""What ``classify_run`` can say about a path, from too small a learning rate to too large."""


class Surface:
    r"""A loss $L(\theta_1, \theta_2)$ with its gradient, a plot window and a default start.

    Subclasses define ``f(x, y)`` and ``grad(x, y)`` on broadcasting arrays, so the same
    code fills a contour grid and evaluates a single point. ``minima`` lists the points
    where $L$ is smallest; ``lrs`` suggests a learning rate per optimiser that behaves
    well on this surface.
    """

    xlim: tuple[float, float] = (-1.0, 1.0)
    ylim: tuple[float, float] = (-1.0, 1.0)
    start: tuple[float, float] = (0.5, 0.5)

    def f(self, x, y):
        """$L$ at the points (x, y), element by element."""
        raise NotImplementedError

    def grad(self, x, y):
        r"""$(\partial L/\partial\theta_1, \partial L/\partial\theta_2)$ at (x, y), by hand."""
        raise NotImplementedError

    @property
    def latex(self) -> str:
        """The formula of $L$ in LaTeX (matplotlib's subset, for plot titles)."""
        raise NotImplementedError

    @property
    def minima(self) -> list[tuple[float, float]]:
        """The points where $L$ is lowest."""
        raise NotImplementedError

    @property
    def lrs(self) -> dict[str, float]:
        """A learning rate per optimiser name that shows its typical behaviour here."""
        raise NotImplementedError

    @property
    def f_min(self) -> float:
        """The smallest value of $L$ (at the lowest of ``minima``)."""
        return min(float(self.f(*m)) for m in self.minima)

    def value(self, theta) -> float:
        r"""$L(\theta)$ for one point ``theta = [θ1, θ2]``."""
        return float(self.f(theta[0], theta[1]))

    def gradient(self, theta) -> np.ndarray:
        r"""$\nabla L(\theta)$ as an array of 2."""
        gx, gy = self.grad(theta[0], theta[1])
        return np.array([gx, gy], dtype=float)


def _times(c: float) -> str:
    """A coefficient as LaTeX in front of a symbol: nothing for 1, else the number."""
    return "" if c == 1 else rf"{c:g}\,"


@dataclass(frozen=True)
class Quadratic(Surface):
    r"""An elongated bowl $L = \tfrac12 (a\,u^2 + b\,w^2)$, minimum at 0.

    $(u, w)$ are the coordinates $\theta$ turned by ``angle`` degrees:
    $u = \theta_1\cos\varphi + \theta_2\sin\varphi$, $w = -\theta_1\sin\varphi +
    \theta_2\cos\varphi$ (with ``angle=0`` simply $\theta_1, \theta_2$). The curvatures
    are $a$ along $u$ and $b$ along $w$. Gradient descent multiplies the $u$ and $w$
    parts of $\theta$ by $1 - \eta a$ and $1 - \eta b$ every step, so it converges only
    for $\eta < 2/\max(a, b)$, while the flat direction shrinks by just $1 - \eta a$: with
    $b \gg a$ (ill-conditioned) no single learning rate suits both directions, and the
    path zig-zags across the valley while creeping along it.
    """

    a: float = 1.0
    b: float = 10.0
    angle: float = 0.0
    xlim = (-4.5, 4.5)
    ylim = (-2.5, 2.5)
    start = (-4.0, 1.5)

    def __post_init__(self) -> None:
        if not (self.a > 0 and self.b > 0):
            raise ValueError(f"curvatures must be positive, got a={self.a}, b={self.b}")

    @property
    def latex(self):
        text = rf"L = \frac{{1}}{{2}}\,({_times(self.a)}u^2 + {_times(self.b)}w^2)"
        if self.angle == 0:
            return text.replace("u^2", r"\theta_1^2").replace("w^2", r"\theta_2^2")
        return text + rf",\ (u, w) = \theta\ \mathrm{{turned}}\ {self.angle:g}^\circ"

    @property
    def lrs(self):
        # Per optimiser, a rate that shows its typical behaviour here within ~60 steps;
        # SGD and Momentum must scale with the steepest curvature to stay stable.
        c = max(self.a, self.b)
        return {"SGD": 1.8 / c, "Momentum": 0.4 / c, "RMSprop": 0.05, "Adam": 0.1}

    def _turn(self, x, y):
        phi = np.deg2rad(self.angle)
        return (x * np.cos(phi) + y * np.sin(phi), -x * np.sin(phi) + y * np.cos(phi))

    def f(self, x, y):
        u, w = self._turn(x, y)
        return 0.5 * (self.a * u ** 2 + self.b * w ** 2)

    def grad(self, x, y):
        # Chain rule through the rotation: ∇θ L = Rᵀ (a u, b w).
        u, w = self._turn(x, y)
        phi = np.deg2rad(self.angle)
        du, dw = self.a * u, self.b * w
        return (du * np.cos(phi) - dw * np.sin(phi), du * np.sin(phi) + dw * np.cos(phi))

    @property
    def minima(self):
        return [(0.0, 0.0)]


@dataclass(frozen=True)
class Rosenbrock(Surface):
    r"""A curved valley $L = (1 - \theta_1)^2 + c\,(\theta_2 - \theta_1^2)^2$, minimum at (1, 1).

    The floor of the valley follows the parabola $\theta_2 = \theta_1^2$: the walls are
    steep (curvature about $2c$ across) and the floor nearly flat, and its direction keeps
    turning, so a method must both damp the cross-valley bounce and keep moving along a
    bending path.
    """

    c: float = 10.0
    xlim = (-2.0, 2.0)
    ylim = (-1.0, 3.0)
    start = (-1.5, 2.5)

    def __post_init__(self) -> None:
        if not self.c > 0:
            raise ValueError(f"c must be positive, got {self.c}")

    @property
    def latex(self):
        return rf"L(\theta) = (1-\theta_1)^2 + {self.c:g}\,(\theta_2-\theta_1^2)^2"

    @property
    def lrs(self):
        # SGD is held back by the steep walls (about 2/(12c) near the start).
        return {"SGD": 0.1 / self.c, "Momentum": 0.04 / self.c, "RMSprop": 0.02, "Adam": 0.1}

    def f(self, x, y):
        return (1 - x) ** 2 + self.c * (y - x ** 2) ** 2

    def grad(self, x, y):
        r = y - x ** 2
        return -2 * (1 - x) - 4 * self.c * x * r, 2 * self.c * r

    @property
    def minima(self):
        return [(1.0, 1.0)]


@dataclass(frozen=True)
class DoubleWell(Surface):
    r"""Two valleys and a saddle between: $L = \tfrac14(\theta_1^2 - 1)^2 + \tfrac{c}{2}\theta_2^2$.

    Minima at $(\pm 1, 0)$, a saddle point at $(0, 0)$: there the surface curves up along
    $\theta_2$ and down along $\theta_1$, and the gradient vanishes. A path that arrives
    near the saddle slows to a crawl, because the gradient that would push it off is
    tiny; which minimum it ends in depends on which side it started.
    """

    c: float = 1.0
    xlim = (-1.8, 1.8)
    ylim = (-1.5, 2.5)
    # Almost on the ridge θ1 = 0 that leads straight into the saddle.
    start = (-0.001, 2.0)
    saddle = (0.0, 0.0)  # where the gradient vanishes between the two minima

    def __post_init__(self) -> None:
        if not self.c > 0:
            raise ValueError(f"c must be positive, got {self.c}")

    @property
    def latex(self):
        return (rf"L(\theta) = \frac{{1}}{{4}}(\theta_1^2-1)^2 + "
                rf"\frac{{{self.c:g}}}{{2}}\,\theta_2^2")

    @property
    def lrs(self):
        return {"SGD": 0.1, "Momentum": 0.02, "RMSprop": 0.02, "Adam": 0.1}

    def f(self, x, y):
        return 0.25 * (x ** 2 - 1) ** 2 + 0.5 * self.c * y ** 2

    def grad(self, x, y):
        return x * (x ** 2 - 1), self.c * y

    @property
    def minima(self):
        return [(-1.0, 0.0), (1.0, 0.0)]


SURFACES: dict[str, Surface] = {
    "bowl": Quadratic(a=1.0, b=10.0),
    "ravine": Quadratic(a=1.0, b=100.0),
    "turned ravine": Quadratic(a=1.0, b=100.0, angle=30.0),
    "banana": Rosenbrock(c=10.0),
    "saddle": DoubleWell(c=1.0),
}
"""The surfaces the notebook offers, by name (instances are immutable, so safe to share)."""


def get_surface(surface: str | Surface) -> Surface:
    """A surface by its name in ``SURFACES`` (or the Surface itself)."""
    if isinstance(surface, Surface):
        return surface
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; valid names: {', '.join(SURFACES)}")
    return SURFACES[surface]


# -- driving an optimiser ----------------------------------------------------------------
def trajectory(surface: str | Surface, optimizer: Optimizer, start=None, steps: int = 50,
               blowup: float = 1e6) -> np.ndarray:
    r"""The points $\theta_0, \theta_1, \dots, \theta_{steps}$ that ``optimizer`` visits.

    Each step computes $g = \nabla L(\theta)$ and calls ``optimizer.step({"theta": θ},
    {"theta": g})``, exactly as the training loop does for a network, so afterwards
    ``optimizer.state`` holds the real state (velocity, running averages) of the run.

    Returns an array of shape (steps + 1, 2). If the run diverges (θ, its gradient or
    $|L(\theta)|$ becomes non-finite or larger than ``blowup``), it stops there and the
    remaining rows are NaN: ``diverged(path)`` then says so, and plots simply end.
    """
    surface = get_surface(surface)
    theta = np.array(surface.start if start is None else start, dtype=float)
    if theta.shape != (2,):
        raise ValueError(f"start must be a point [θ1, θ2], got shape {theta.shape}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    params = {"theta": theta}
    path = np.full((steps + 1, 2), np.nan)
    path[0] = theta
    # A diverging run overflows on purpose; it is detected below and reported through the
    # NaN rows instead of a stream of NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            g = surface.gradient(params["theta"])
            if not np.all(np.isfinite(g)):
                break
            optimizer.step(params, {"theta": g})
            theta = params["theta"]
            value = surface.value(theta)
            if not (np.all(np.isfinite(theta)) and abs(value) <= blowup):
                break
            path[k] = theta
    return path


def diverged(path: np.ndarray) -> bool:
    """True when ``trajectory`` stopped early because the run blew up."""
    return bool(np.isnan(path).any())


def finite_part(path: np.ndarray) -> np.ndarray:
    """The rows of ``path`` before any divergence (all of them if it did not diverge)."""
    ok = ~np.isnan(path).any(axis=1)
    n = len(path) if ok.all() else int(np.argmin(ok))
    return path[:n]


def run(surface: str | Surface, name: str, lr: float | None = None, start=None,
        steps: int = 50, **hyper) -> tuple[np.ndarray, Optimizer]:
    """Run optimiser ``name`` on ``surface``; returns ``(path, optimizer)``.

    ``lr`` defaults to the surface's suggestion for that optimiser; ``hyper`` passes
    extra settings such as ``beta=0.5`` to the optimiser.
    """
    surface = get_surface(surface)
    opt = make_optimizer(name, surface.lrs[name] if lr is None else lr, **hyper)
    return trajectory(surface, opt, start, steps), opt


def compare_optimizers(surface: str | Surface, lrs: dict[str, float] | None = None,
                       start=None, steps: int = 50) -> dict[str, tuple[np.ndarray, Optimizer]]:
    """SGD, Momentum, RMSprop and Adam from one start: ``{name: (path, optimizer)}``.

    ``lrs`` overrides the surface's suggested learning rate for any of them.
    """
    surface = get_surface(surface)
    lrs = {**surface.lrs, **(lrs or {})}
    return {name: run(surface, name, lrs[name], start, steps) for name in OPTIMIZERS}


def losses(surface: str | Surface, path: np.ndarray) -> np.ndarray:
    r"""$L(\theta_k) - L_{min}$ along the finite part of a path (0 means at a minimum)."""
    surface = get_surface(surface)
    p = finite_part(path)
    return surface.f(p[:, 0], p[:, 1]) - surface.f_min


def classify_run(surface: str | Surface, path: np.ndarray, zigzag: float = 0.5,
                 progress: float = 0.99) -> str:
    r"""Name what a learning rate did on this path: one of ``LABELS``.

    * ``diverged``: the run blew up (``diverged(path)``), or it ended with a higher loss
      than it started (it is on its way up, just not fast enough to blow up yet).
    * ``oscillates``: most consecutive steps point against each other
      ($\Delta_k \cdot \Delta_{k+1} < 0$ for more than a share ``zigzag`` of them,
      $\Delta_k = \theta_k - \theta_{k-1}$): the path bounces across the valley.
    * ``crawls``: it closed less than a share ``progress`` of the gap
      $L(\theta_0) - L_{min}$: the steps are too small to get anywhere in time.
    * ``converges``: otherwise.
    """
    gaps = losses(surface, path)
    if diverged(path) or gaps[-1] > gaps[0]:
        return "diverged"
    deltas = np.diff(path, axis=0)
    if len(deltas) >= 2:
        turns = np.einsum("ij,ij->i", deltas[:-1], deltas[1:]) < 0
        if turns.mean() > zigzag:
            return "oscillates"
    if gaps[0] > 0 and gaps[-1] > (1 - progress) * gaps[0]:
        return "crawls"
    return "converges"


# -- drawing -----------------------------------------------------------------------------
def _contour_levels(surface: Surface, n: int = 16) -> np.ndarray:
    """Contour heights spaced evenly in log(L - L_min), so flat floors still get lines."""
    x, y = np.meshgrid(np.linspace(*surface.xlim, 60), np.linspace(*surface.ylim, 60))
    gap = surface.f(x, y) - surface.f_min
    lo, hi = np.log10(max(gap.max() * 1e-4, 1e-3)), np.log10(gap.max())
    return surface.f_min + np.logspace(lo, hi, n)


def draw_contours(surface: str | Surface, ax, resolution: int = 200) -> None:
    """The surface's filled contours, their lines and its minima (stars) on ``ax``."""
    surface = get_surface(surface)
    x, y = np.meshgrid(np.linspace(*surface.xlim, resolution),
                       np.linspace(*surface.ylim, resolution))
    levels = _contour_levels(surface)
    ax.contourf(x, y, surface.f(x, y), levels=levels, cmap="Blues_r", alpha=0.35,
                extend="max")
    ax.contour(x, y, surface.f(x, y), levels=levels, colors="grey", linewidths=0.6)
    for m in surface.minima:
        ax.plot(*m, marker="*", markersize=14, color="gold", markeredgecolor="black",
                linestyle="none", zorder=5)


def plot_surface(surface: str | Surface, ax=None, trajectories=None, title: str | None = None,
                 resolution: int = 200, contours: bool = True):
    """Contour plot of the surface with its minima (stars) and optional optimiser paths.

    ``trajectories`` maps a label to a path from ``trajectory`` (or is a single path).
    Each path is drawn as a line of dots from a circle at its start; a diverged path ends
    in a red cross at its last sane point and says "(diverged)" in the legend.
    ``contours=False`` leaves out ``draw_contours``, for axes that already show them.
    Returns the axes.
    """
    from ..plots import axes_or_new

    surface = get_surface(surface)
    ax = axes_or_new(ax, figsize=(6, 4.5))
    if contours:
        draw_contours(surface, ax, resolution)
    if isinstance(trajectories, np.ndarray):
        trajectories = {"path": trajectories}
    for label, path in (trajectories or {}).items():
        p = finite_part(path)
        bad = diverged(path)
        line, = ax.plot(p[:, 0], p[:, 1], "-o", markersize=2.5, linewidth=1.2,
                        label=f"{label} (diverged)" if bad else label)
        ax.plot(*p[0], "o", color=line.get_color(), markersize=7, markeredgecolor="black")
        if bad:
            ax.plot(*p[-1], "x", color="red", markersize=12, markeredgewidth=3, zorder=6)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_title(title if title is not None else f"${surface.latex}$", fontsize=10)
    if trajectories:
        ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_losses(surface: str | Surface, trajectories: dict[str, np.ndarray], ax=None,
                title: str | None = None):
    r"""$L(\theta_k) - L_{min}$ against step k on a log axis, one line per path."""
    from ..plots import axes_or_new

    ax = axes_or_new(ax, figsize=(5, 3.5))
    for label, path in trajectories.items():
        gaps = losses(surface, path)
        # A gap of exactly 0 (the minimum reached) has no logarithm; floor it for drawing.
        ax.semilogy(np.maximum(gaps, 1e-12), label=label + (" (diverged)" if diverged(path)
                                                             else ""))
    ax.set_xlabel("step k")
    ax.set_ylabel(r"$L(\theta_k) - L_{min}$")
    ax.set_title(title or "loss along the path", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def learning_rate_demo(surface: str | Surface, lr: float, steps: int = 30, start=None,
                       axes=None, contours: bool = True) -> str:
    """Plain gradient descent at learning rate ``lr``: the path and its loss, labelled.

    Draws onto two axes (made if not given) and returns the label from ``classify_run``,
    which also heads the left panel, in red when the run diverged.
    """
    import matplotlib.pyplot as plt

    surface = get_surface(surface)
    path, _ = run(surface, "SGD", lr, start, steps)
    label = classify_run(surface, path)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4))
    plot_surface(surface, axes[0], {f"η = {lr:.3g}": path},
                 title=f"η = {lr:.3g}: {label}", contours=contours)
    axes[0].title.set_color("red" if label == "diverged" else "black")
    plot_losses(surface, {f"η = {lr:.3g}": path}, axes[1])
    return label


def optimizer_demo(surface: str | Surface, steps: int = 50, lrs: dict[str, float] | None = None,
                   start=None, axes=None,
                   contours: bool = True) -> dict[str, tuple[np.ndarray, Optimizer]]:
    """The four optimisers from one start: paths on the surface and their losses side by side.

    Returns the runs from ``compare_optimizers`` so their final state can be inspected.
    """
    import matplotlib.pyplot as plt

    surface = get_surface(surface)
    runs = compare_optimizers(surface, lrs, start, steps)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4))
    paths = {f"{name} η={opt.lr:.3g}": path for name, (path, opt) in runs.items()}
    plot_surface(surface, axes[0], paths, contours=contours)
    plot_losses(surface, paths, axes[1])
    return runs


# -- the notebook's widgets --------------------------------------------------------------
#: Fixed margins for two side-by-side panels on an 11 x 4 inch figure.
PAIR_MARGINS = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.91, "wspace": 0.25}
#: Contour grid of the live views: coarser than the static plots' 200, a sixth of the work.
LIVE_RESOLUTION = 80


def loss_window(surface: str | Surface, steps: int) -> tuple[tuple[float, float],
                                                                tuple[float, float]]:
    r"""Fixed limits of a live loss panel: steps 0 to ``steps``; gaps $L - L_{min}$ from
    1e-10 (converged, for the picture) to 1000 times the gap at the start (a run past
    that is diverging, and is labelled so). Fixed limits keep the panel's frame, so a
    redraw draws only the curves."""
    surface = get_surface(surface)
    start_gap = float(losses(surface, np.array([surface.start]))[0])
    return (0.0, float(steps)), (1e-10, 1e3 * max(start_gap, 1e-6))


def _fix_loss_window(ax, surface: str | Surface, steps: int) -> None:
    """Fixed limits, and plain decade ticks ("1e-4"): matplotlib's default log labels are
    mathtext, which is slow to lay out each time a new surface brings new ones."""
    from matplotlib.ticker import NullLocator

    xlim, ylim = loss_window(surface, steps)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    top = int(np.floor(np.log10(ylim[1])))
    decades = range(-10, top + 1, 3)
    ax.set_yticks([10.0 ** k for k in decades], [f"1e{k}" for k in decades])
    ax.yaxis.set_minor_locator(NullLocator())


def _backdrop(axes, surface: str | Surface) -> None:
    draw_contours(surface, axes[0], LIVE_RESOLUTION)


def learning_rate_explorer(surface: str | Surface = "bowl"):
    """η and steps sliders above ``learning_rate_demo`` on ``surface``."""
    import ipywidgets as widgets

    from ..live import LivePlot

    def draw(axes, eta: float, steps: int) -> None:
        learning_rate_demo(surface, eta, steps=steps, axes=axes, contours=False)
        _fix_loss_window(axes[1], surface, steps)

    controls = {
        "eta": widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=-0.4, step=0.02,
                                      description="η", continuous_update=False),
        "steps": widgets.IntSlider(value=30, min=5, max=100, step=5, description="steps",
                                   continuous_update=False),
    }
    return LivePlot(draw, controls, figsize=(11, 4), grid=(1, 2), margins=PAIR_MARGINS,
                    backdrop=lambda axes: _backdrop(axes, surface))


def optimizer_explorer(surface: str = "ravine"):
    """A surface menu, a steps slider and one learning-rate slider per optimiser above
    ``optimizer_demo``; below, where each run ended and its optimiser's state. Picking a
    surface loads its suggested rates into the sliders and redraws once."""
    import ipywidgets as widgets

    from ..live import LivePlot

    def draw(axes, surface: str, steps: int, **lrs: float) -> str:
        runs = optimizer_demo(surface, steps=steps, lrs=lrs, axes=axes, contours=False)
        _fix_loss_window(axes[1], surface, steps)
        lines = []
        for name, (path, opt) in runs.items():
            status = "diverged" if diverged(path) else f"θ = {path[-1]}"
            lines.append(f"{name:8s} {status}  state: {opt.state}")
        return "\n".join(lines)

    menu = widgets.Dropdown(options=list(SURFACES), value=surface, description="surface")
    lr_sliders = {name: widgets.FloatLogSlider(value=SURFACES[surface].lrs[name], base=10,
                                               min=-4, max=0, step=0.05,
                                               description=f"η {name}",
                                               style={"description_width": "90px"},
                                               continuous_update=False)
                  for name in OPTIMIZERS}
    controls = {"surface": menu,
                "steps": widgets.IntSlider(value=60, min=10, max=200, step=10,
                                           description="steps", continuous_update=False),
                **lr_sliders}
    names = list(OPTIMIZERS)
    live = LivePlot(draw, controls, figsize=(11, 4), grid=(1, 2), margins=PAIR_MARGINS,
                    rows=[["surface", "steps"], names[:2], names[2:]],
                    backdrop=_backdrop, backdrop_keys=["surface"])
    # The menu's own change and the four rates it loads are one change: one redraw.
    menu.unobserve(live._changed, names="value")

    def load_suggested_rates(change) -> None:
        with live.held():
            for name, slider in lr_sliders.items():
                slider.value = SURFACES[change["new"]].lrs[name]

    menu.observe(load_suggested_rates, names="value")
    return live
