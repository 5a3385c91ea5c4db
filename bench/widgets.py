r"""How long does each live widget of the course take to redraw after a learner moves it?

Every ipywidgets widget that a notebook builds with a callback (``interact``,
``interactive``, ``interactive_output``, a control with ``observe`` or a button with
``on_click``) is built here as its notebook cell builds it, after the set-up those cells
rely on. Then, five times, one of its controls gets a new ``.value`` (or a button is
clicked), which lets the widget's own observers call the callback, and every figure the
callback leaves open is shown as the inline backend shows it at ``plt.show()``: rendered to
PNG (``bbox_inches="tight"``) through IPython's display formatter, then closed. The lessons'
live widgets (``bpcourse.live.LivePlot``, built by the same lesson function the notebook cell
displays) and the progress dashboard render their figures to PNG themselves (through
``bpcourse.live.FrameStore``); those PNGs are timed the same way. The time
runs from the change to the last PNG. Each line prints the median and the worst of the
five, how many PNGs one change makes and how much of the median time making them takes
(the rest is the callback's own work: computing, building and laying out the figure).

Nothing is warmed up beyond what the notebook itself computes before the widget: caches
the notebook fills (07's sweeps, 08's replayed run) are filled here too, and a setting the
learner has not tried yet is new here as well. There is no front end: MPLBACKEND=Agg, one
BLAS thread, an IPython shell without a kernel, the callbacks' printed text discarded.
Reviews the quiz records go to a temporary store, never to the learner's.

Target: a median of at most 200 ms per widget on the project's 2-core machine. The load
average is printed at the start and the end, and each line also gives the median CPU time
of a move: when other processes share the cores, wall times grow and the CPU time shows
what a move costs by itself.

    python bench/widgets.py [--runs 5] [--only 04 08]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass

TARGET_MS = 200.0

# Read once, when NumPy and matplotlib load: set before importing them.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["MPLBACKEND"] = "Agg"
_SCRATCH = tempfile.TemporaryDirectory(prefix="bpcourse-bench-widgets-")
os.environ["BPCOURSE_HOME"] = _SCRATCH.name  # the quiz saves every rating it is given
os.environ["IPYTHONDIR"] = _SCRATCH.name  # the shell below writes a profile there

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.core.pylabtools import select_figure_formats  # noqa: E402
from IPython.display import Math, display  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from traitlets.config import Config  # noqa: E402

#: A step a learner takes: change one control's value, or click a button.
Move = Callable[[], None]


@dataclass
class Widget:
    """One live widget: where it lives, and the five moves to time (each after its
    optional untimed ``prepare``, e.g. revealing a card before rating it)."""

    notebook: str
    name: str
    moves: list[Move]
    prepare: Move | None = None


# -- a kernel's display machinery, without a kernel ------------------------------------------
_ERRORS: list[BaseException] = []
#: Seconds spent making each PNG since the list was last cleared.
_PNG_SECONDS: list[float] = []


def make_shell() -> InteractiveShell:
    """An IPython shell whose display() formats figures to PNG as the inline backend does.

    ``interact`` hands a callback's exception to ``showtraceback`` and carries on; here it is
    kept and raised after the move, so a broken widget cannot pass for a fast one.
    """
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    select_figure_formats(shell, {"png"}, bbox_inches="tight")
    png = shell.display_formatter.formatters["image/png"]
    render = png.lookup_by_type(Figure)

    def timed_render(fig: Figure) -> bytes:
        start = time.perf_counter()
        data = render(fig)
        _PNG_SECONDS.append(time.perf_counter() - start)
        return data

    # Every figure a callback shows, by plt.show() or by display(), becomes a PNG here.
    png.for_type(Figure, timed_render)

    # The lessons' live widgets (and the dashboard) render their figures to PNG through a
    # FrameStore: time those the same way.
    from bpcourse.live import FrameStore
    render_live = FrameStore.render

    def timed_live(self: FrameStore, *args, **kwargs) -> bytes:
        start = time.perf_counter()
        data = render_live(self, *args, **kwargs)
        _PNG_SECONDS.append(time.perf_counter() - start)
        return data

    FrameStore.render = timed_live
    shell.showtraceback = lambda *args, **kwargs: _ERRORS.append(sys.exc_info()[1])
    return shell


def flush_figures() -> int:
    """Show and close every open pyplot figure, as ``plt.show()`` does in a notebook."""
    numbers = plt.get_fignums()
    for number in numbers:
        display(plt.figure(number))
    plt.close("all")
    return len(numbers)


def set_value(control: widgets.ValueWidget, value) -> Move:
    """The move that gives ``control`` a new value, as a learner's drag or pick does."""
    def move() -> None:
        if control.value == value:
            raise ValueError(f"{control.description!r} is already {value!r}: not a change")
        control.value = value
    return move


def click(button: widgets.Button) -> Move:
    return button.click


def run_moves(widget: Widget) -> tuple[list[float], list[float], list[float], int]:
    """Seconds from each move to its last PNG, the part of them spent making PNGs, and
    how many PNGs the last move made; and the CPU seconds of each move, which a busy
    machine (other processes on the two cores) inflates far less than the wall time."""
    seconds, png_seconds, cpu_seconds, figures = [], [], [], 0
    for move in widget.moves:
        with redirect_stdout(io.StringIO()):
            if widget.prepare is not None:
                widget.prepare()
                flush_figures()
            _PNG_SECONDS.clear()
            start, cpu_start = time.perf_counter(), time.process_time()
            move()
            flush_figures()
            seconds.append(time.perf_counter() - start)
            cpu_seconds.append(time.process_time() - cpu_start)
            png_seconds.append(sum(_PNG_SECONDS))
            figures = len(_PNG_SECONDS)
        if _ERRORS:
            raise RuntimeError(f"{widget.notebook} {widget.name}: the callback failed") \
                from _ERRORS.pop()
    return seconds, png_seconds, cpu_seconds, figures


def built(make: Callable[[], Iterator[Widget]]) -> Iterator[Widget]:
    """Run a notebook's set-up and build its widgets, their first drawing untimed."""
    with redirect_stdout(io.StringIO()):
        widgets_of_notebook = list(make())
        flush_figures()
    if _ERRORS:
        raise RuntimeError(f"{make.__name__}: a widget failed to build") from _ERRORS.pop()
    yield from widgets_of_notebook


# -- the notebooks' widgets, built as their cells build them ---------------------------------
def nb00_start_here() -> Iterator[Widget]:
    from bpcourse.flashcards import load_decks, quiz
    from bpcourse.lessons.start_here import dashboard, deck_overview_html, spacing_explorer

    box = spacing_explorer()
    pickers = [box.controls[f"r{k}"] for k in range(1, 6)]
    yield Widget("00", "spacing_explorer (5 ratings)",
                 [set_value(p, v) for p, v in zip(pickers, [2, 5, 3, 1, 5], strict=True)])

    decks = list(load_decks())
    deck_picker = widgets.Dropdown(options=decks, value="backprop-essentials")
    deck_view = widgets.HTMLMath(deck_overview_html(deck_picker.value))
    deck_picker.observe(lambda change: setattr(deck_view, "value", deck_overview_html(change.new)),
                        names="value")
    others = [d for d in decks if d != deck_picker.value]
    yield Widget("00", "deck_picker", [set_value(deck_picker, d) for d in others[:5]])

    board = dashboard()
    refresh_button = board.children[0]
    yield Widget("00", "refresh_button (dashboard, nothing new)", [click(refresh_button)] * 5)
    reviewer = quiz("backprop-essentials")

    def review_a_card() -> None:
        if reviewer.session.current is None:
            raise RuntimeError("the quiz ran out of cards to review")
        reviewer.show_button.click()
        reviewer.rating_buttons[3].click()

    yield Widget("00", "refresh_button (dashboard, after a review)", [click(refresh_button)] * 5,
                 prepare=review_a_card)

    # Every notebook ends with this widget, on its own deck.
    card = quiz("backprop-essentials")
    mostly = card.rating_buttons[3]

    def on_a_card(button: widgets.Button) -> Move:
        def move() -> None:
            # A quiz with no card left ignores clicks, which would time nothing.
            if card.session.current is None:
                raise RuntimeError("the quiz ran out of cards to time")
            button.click()
        return move

    def rate_if_revealed() -> None:
        if card.back.value:
            mostly.click()

    yield Widget("00", "quiz: Show answer", [on_a_card(card.show_button)] * 5,
                 prepare=rate_if_revealed)
    yield Widget("00", "quiz: rate (saves, shows the next card)", [on_a_card(mostly)] * 5,
                 prepare=card.show_button.click)


def nb01_forward_pass() -> Iterator[Widget]:
    from bpcourse.lessons.forward_pass import (
        activation_explorer,
        softmax_explorer,
        tiny_explorer,
    )

    box = activation_explorer()
    name, z = box.controls["name"], box.controls["z"]
    yield Widget("01", "activation_explorer", [
        set_value(z, -1.5), set_value(name, "tanh"), set_value(z, 0.3), set_value(name, "relu"),
        set_value(z, 4.0)])

    tiny = tiny_explorer().controls
    yield Widget("01", "tiny_explorer", [
        set_value(tiny["x0"], -2.0), set_value(tiny["x1"], 0.5), set_value(tiny["w1_00"], 3.0),
        set_value(tiny["w2_00"], -1.0), set_value(tiny["activation"], "tanh")])

    soft = softmax_explorer().controls
    yield Widget("01", "softmax_explorer", [
        set_value(soft["z0"], -1.0), set_value(soft["z1"], 3.0), set_value(soft["z2"], 0.5),
        set_value(soft["T"], 10 ** 0.5), set_value(soft["target"], 2)])


def nb02_chain_rule() -> Iterator[Widget]:
    import sympy as sp

    from bpcourse import MLP
    from bpcourse.symbolic import chain_rule, parameter_entries
    from bpcourse.symbolic.graph import graph_explorer

    net = MLP([2, 3, 2], activation="sigmoid", output="identity", seed=0)
    net.params["b1"][:] = [0.1, -0.2, 0.3]
    net.params["b2"][:] = [0.05, -0.1]
    x_s, y_s = np.array([0.5, -1.2]), np.array([1.0, 0.0])
    _, grads = net.loss_and_gradients(x_s[None], y_s[None], loss="mse")

    def show_chain(parameter, form):
        step = chain_rule(net, parameter, x_s, y_s)
        display(Math(step.latex(form)))
        name, index = parameter.split("[")
        index = tuple(int(i) for i in index.rstrip("]").split(","))
        print(f"{len(step.paths)} path(s); chain rule {step.value:.6f}, "
              f"backprop d{name}{list(index)} = {grads[name][index]:.6f}")

    entries = parameter_entries(net)
    parameter = widgets.Dropdown(options=entries, value="W1[0,1]", description="parameter")
    form = widgets.ToggleButtons(options=["compact", "expanded"], value="compact")
    widgets.interact(show_chain, parameter=parameter, form=form)
    picks = [e for e in entries if e != "W1[0,1]"]
    yield Widget("02", "chain_explorer", [
        set_value(parameter, picks[0]), set_value(form, "expanded"),
        set_value(parameter, picks[len(picks) // 2]), set_value(form, "compact"),
        set_value(parameter, picks[-1])])

    w, b, x, y = sp.symbols("w b x y")
    neuron = sp.Rational(1, 2) * (1 / (1 + sp.exp(-(w * x + b))) - y) ** 2

    w_slider = widgets.FloatSlider(value=0.8, min=-4, max=4, step=0.1, description="w",
                                   continuous_update=False)
    b_slider = widgets.FloatSlider(value=-0.5, min=-4, max=4, step=0.1, description="b",
                                   continuous_update=False)
    graph_explorer(neuron, {w: w_slider, b: b_slider}, fixed={x: 1.5, y: 0.0})
    yield Widget("02", "neuron_explorer", [
        set_value(w_slider, 2.0), set_value(b_slider, 1.0), set_value(w_slider, -3.0),
        set_value(b_slider, -2.0), set_value(w_slider, 0.0)])


def nb03_backward_pass() -> Iterator[Widget]:
    from bpcourse import MLP
    from bpcourse.lessons.backward_pass import (
        BUGS,
        BackwardStepper,
        BugLab,
        plot_bug_rows,
        square_example,
        worked_example,
    )
    from bpcourse.live import LivePlot

    _, X, y = worked_example()
    deep = MLP([3, 5, 4, 2], activation="sigmoid", output="softmax", seed=7)
    stepper_box = BackwardStepper(deep, X, y, loss="cross_entropy").widget()
    prev, nxt = stepper_box.children[0].children[:2]
    yield Widget("03", "stepper.widget() (Prev/Next)",
                 [click(nxt), click(nxt), click(prev), click(prev), click(nxt)])

    lab = BugLab(*square_example())
    choice = widgets.Dropdown(options=[(b.label, key) for key, b in BUGS.items()],
                              value="none", description="bug:")

    def draw_bug(ax, bug):
        plot_bug_rows(lab.rows(bug), ax=ax, title=BUGS[bug].label)
        return lab.html(bug)

    LivePlot(draw_bug, {"bug": choice}, figsize=(6.5, 2.8), grid=(1, 1), text_is_html=True,
             margins={"left": 0.12, "right": 0.72, "bottom": 0.12, "top": 0.9})
    bugs = [key for key in BUGS if key != "none"]
    yield Widget("03", "bug chooser (choice)", [set_value(choice, b) for b in bugs[:5]])


def nb04_weight_update() -> Iterator[Widget]:
    from bpcourse.lessons import weight_update

    box = weight_update.learning_rate_explorer("bowl")
    eta, steps = box.controls["eta"], box.controls["steps"]
    yield Widget("04", "learning_rate_explorer", [
        set_value(eta, 0.1), set_value(steps, 50), set_value(eta, 0.19),
        set_value(steps, 80), set_value(eta, 0.3)])

    box = weight_update.optimizer_explorer("ravine")
    steps, sgd, adam = (box.controls[k] for k in ("steps", "SGD", "Adam"))
    yield Widget("04", "optimizer_explorer (steps, η sliders)", [
        set_value(steps, 100), set_value(sgd, sgd.value * 2), set_value(adam, 0.3),
        set_value(steps, 150), set_value(sgd, sgd.value / 4)])
    others = [s for s in weight_update.SURFACES if s != "ravine"]
    yield Widget("04", "optimizer_explorer (surface menu)",
                 [set_value(box.controls["surface"], s) for s in [*others, "ravine"]])


def nb05_epochs_and_batches() -> Iterator[Widget]:
    from bpcourse import MLP, data, fit, optim
    from bpcourse.lessons import epochs_and_batches

    loss = "cross_entropy"
    X, y = data.moons(1000, noise=0.15, seed=0)
    N = len(X)
    net_mid = MLP([2, 16, 16, 2], activation="relu", output="softmax", init="he", seed=0)
    fit(net_mid, X, y, loss=loss, optimizer=optim.SGD(0.3), epochs=3, batch_size=32,
        progress=False)
    g_full = epochs_and_batches.flatten(net_mid.loss_and_gradients(X, y, loss=loss)[1])
    G = epochs_and_batches.per_example_gradients(net_mid, X, y, loss=loss)
    sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, N]
    noise = epochs_and_batches.gradient_noise(net_mid, X, y, sizes, loss=loss, n_batches=400,
                                              seed=0)
    plane = epochs_and_batches.gradient_plane(g_full, G)
    cloud_1 = epochs_and_batches.noise_cloud(net_mid, X, y, 1, loss=loss, axes=plane)
    lim = 1.1 * np.quantile(np.abs(cloud_1.points), 0.95)

    box = epochs_and_batches.noise_explorer(net_mid, X, y, sizes, noise, plane, lim, loss=loss,
                                            per_example=G)
    yield Widget("05", "noise_explorer (B)", [set_value(box.controls["B"], b)
                                              for b in [1, 64, 4, 512, N]])

    box = epochs_and_batches.training_explorer(X, y, sizes=(4, 32, N))
    epochs, lr = box.controls["epochs"], box.controls["lr"]
    yield Widget("05", "training_explorer (epochs, lr)", [
        set_value(epochs, 20), set_value(lr, 1.0), set_value(epochs, 5), set_value(lr, 0.03),
        set_value(epochs, 30)])


def nb06_vanishing_exploding() -> Iterator[Widget]:
    from bpcourse.lessons import vanishing_exploding

    for name, box in [("histograms", vanishing_exploding.histograms_explorer("tanh", "normal")),
                      ("profile", vanishing_exploding.profile_explorer("sigmoid", "xavier"))]:
        a, i, n = (box.controls[k] for k in ("activation", "init", "layers"))
        yield Widget("06", f"{name}_explorer (activation, init, layers)", [
            set_value(a, "relu"), set_value(i, "he"), set_value(n, 20), set_value(a, "sigmoid"),
            set_value(n, 30)])

    box = vanishing_exploding.clipping_explorer()
    lr, init, clip = (box.controls[k] for k in ("lr", "init", "clip"))
    yield Widget("06", "clipping_explorer (lr, init std, clip)", [
        set_value(lr, 0.01), set_value(clip, 0), set_value(init, 1.0), set_value(lr, 0.2),
        set_value(clip, 1)])


def nb07_regularization() -> Iterator[Widget]:
    from bpcourse.lessons import regularization

    plain = regularization.run(l2=0.0, dropout=0.0)
    regularization.sweep(l2s=regularization.L2_GRID)  # the notebook's table fills the cache
    regularization.sweep(dropouts=regularization.DROPOUT_GRID)

    box = regularization.l2_explorer(reference=plain)
    yield Widget("07", "l2_explorer", [set_value(box.controls["setting"], v)
                                       for v in [0.0, 0.1, 0.001, 0.03, 0.003]])
    box = regularization.dropout_explorer(reference=plain)
    yield Widget("07", "dropout_explorer", [set_value(box.controls["setting"], v)
                                            for v in [0.0, 0.2, 0.6, 0.0, 0.4]])
    box = regularization.patience_explorer(plain.history)
    yield Widget("07", "patience_explorer", [set_value(box.controls["patience"], v)
                                             for v in [5, 50, 1, 100, 30]])


def nb08_putting_it_together() -> Iterator[Widget]:
    from bpcourse.lessons import putting_it_together
    from bpcourse.runs import Settings

    (X_train, y_train), _ = putting_it_together.spiral_split()
    design = Settings(hidden=(32, 32), activation="relu", init="he", optimizer="Adam", lr=0.01,
                      batch_size=32, epochs=100, l2=1e-4, seed=0)
    replay = putting_it_together.spiral_run(design, snapshot_every=1)
    box = putting_it_together.replay_explorer(replay, X_train, y_train)
    yield Widget("08", "replay_explorer (epoch slider / Play)",
                 [set_value(box.controls["epoch"], e) for e in [2, 4, 30, 60, 100]])

    box = putting_it_together.console(X_train, y_train)
    knobs = box.controls
    yield Widget("08", "console (knobs, a new setting)", [
        set_value(knobs["width"], 16), set_value(knobs["depth"], 3),
        set_value(knobs["activation"], "tanh"), set_value(knobs["lr"], 0.03),
        set_value(knobs["l2"], 1e-3)])
    yield Widget("08", "console (knobs, a setting seen before)", [
        set_value(knobs["l2"], 0.0), set_value(knobs["l2"], 1e-3), set_value(knobs["l2"], 0.0),
        set_value(knobs["l2"], 1e-3), set_value(knobs["l2"], 0.0)])


NOTEBOOKS: list[Callable[[], Iterator[Widget]]] = [
    nb00_start_here, nb01_forward_pass, nb02_chain_rule, nb03_backward_pass,
    nb04_weight_update, nb05_epochs_and_batches, nb06_vanishing_exploding,
    nb07_regularization, nb08_putting_it_together,
]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5, help="moves timed per widget (at most 5)")
    p.add_argument("--only", nargs="+", default=None, metavar="NN",
                   help="notebook numbers to measure, e.g. 04 08")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    make_shell()
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'nb':<3} {'widget':<42} {'median ms':>10} {'worst ms':>9} {'PNGs':>5} "
          f"{'of which PNG ms':>16} {'CPU ms':>7}")
    results: list[tuple[str, float]] = []
    start = time.perf_counter()
    for make in NOTEBOOKS:
        if args.only and make.__name__[2:4] not in args.only:
            continue
        for widget in built(make):
            widget.moves = widget.moves[:args.runs]
            seconds, png_seconds, cpu_seconds, figures = run_moves(widget)
            cpu_ms = 1000 * statistics.median(cpu_seconds)
            median_ms = 1000 * statistics.median(seconds)
            worst_ms = 1000 * max(seconds)
            png_ms = 1000 * statistics.median(png_seconds)
            flag = "" if median_ms <= TARGET_MS else "  > target"
            print(f"{widget.notebook:<3} {widget.name:<42} {median_ms:>10.0f} {worst_ms:>9.0f} "
                  f"{figures:>5} {png_ms:>16.0f} {cpu_ms:>7.0f}{flag}", flush=True)
            results.append((f"{widget.notebook} {widget.name}", median_ms))
    over = sorted((ms, name) for name, ms in results if ms > TARGET_MS)
    slowest = f"; slowest: {over[-1][1]}, {over[-1][0]:.0f} ms" if over else ""
    print(f"summary: {len(results) - len(over)} of {len(results)} widgets meet the target "
          f"(median <= {TARGET_MS:.0f} ms on 2 cores), {len(over)} do not{slowest} "
          f"[{time.perf_counter() - start:.0f} s]; load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
