"""bpcourse.live: one redraw per change, kept frames that look like full renders,
backdrops drawn once, plain labels on log axes."""

import io
import re

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

from bpcourse.live import LivePlot, frame_key


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def full_render(live: LivePlot) -> np.ndarray:
    """The figure as it is now, drawn by matplotlib in one ordinary pass."""
    live.figure.canvas.draw()
    return np.asarray(live.figure.canvas.buffer_rgba())[..., :3].astype(float)


def sine_plot(**kwargs) -> LivePlot:
    def draw(ax, k: int) -> str:
        x = np.linspace(0, 2 * np.pi, 200)
        ax.plot(x, np.sin(k * x), label=f"sin({k}x)")
        ax.set_xlim(0, 2 * np.pi)
        ax.set_ylim(-1.2, 1.2)
        ax.set_title(f"k = {k}")
        ax.legend(loc="upper right")
        return f"k is {k}"

    slider = widgets.IntSlider(value=1, min=1, max=5)
    return LivePlot(draw, {"k": slider}, figsize=(4, 3), grid=(1, 1), **kwargs)


def test_each_change_redraws_once_and_shows_the_chosen_value():
    live = sine_plot()
    assert live.redraws == 1
    live.controls["k"].value = 3
    assert live.redraws == 2
    assert live.axes.get_title() == "k = 3"
    assert live.axes.get_legend().get_texts()[0].get_text() == "sin(3x)"
    assert "k is 3" in live.text.value


def test_a_kept_frame_looks_like_a_full_render():
    live = sine_plot()
    live.controls["k"].value = 4
    assert live.frames_kept == 1  # same limits and ticks: only the curve was drawn anew
    shown, reference = pixels(live.image.value), full_render(live)
    assert shown.shape == reference.shape
    # The data is drawn over the frame rather than between its layers, so where the curve
    # crosses a spine the pixels may differ; nowhere else.
    differ = np.abs(shown - reference).max(axis=2) > 40
    assert differ.mean() < 0.005
    # And the picture did change with k: it is not the old one.
    live_before = sine_plot()
    assert np.abs(pixels(live_before.image.value) - shown).max(axis=2).astype(bool).mean() > 0.01


def test_new_limits_render_a_new_frame():
    def draw(ax, top: float) -> None:
        ax.plot([0, 1], [0, top])

    live = LivePlot(draw, {"top": widgets.FloatSlider(value=1.0, min=1, max=100)},
                    figsize=(4, 3), grid=(1, 1))
    live.controls["top"].value = 50.0
    assert live.frames_kept == 0
    assert live.axes.get_ylim()[1] >= 50
    shown, reference = pixels(live.image.value), full_render(live)
    assert (np.abs(shown - reference).max(axis=2) > 40).mean() < 0.005


def test_changed_fixed_tick_labels_are_a_new_frame():
    def draw(ax, name: str) -> None:
        ax.set_xlim(0, 2)
        ax.set_xticks([0, 1, 2], [name, name, name])

    menu = widgets.Dropdown(options=["a", "b"], value="a")
    live = LivePlot(draw, {"name": menu}, figsize=(3, 2), grid=(1, 1))
    before = frame_key(live.figure)
    menu.value = "b"
    assert frame_key(live.figure) != before
    assert live.frames_kept == 0


def test_the_backdrop_is_drawn_once_per_value_it_depends_on():
    calls = []

    def backdrop(ax, level: int) -> None:
        calls.append(level)
        ax.axhline(level, color="grey")

    def draw(ax, level: int, k: int) -> None:
        ax.plot([0, 1], [0, k])
        ax.set_xlim(0, 1)
        ax.set_ylim(-5, 5)

    controls = {"level": widgets.Dropdown(options=[0, 1], value=0),
                "k": widgets.IntSlider(value=1, min=-3, max=3)}
    live = LivePlot(draw, controls, figsize=(3, 2), grid=(1, 1), backdrop=backdrop,
                    backdrop_keys=["level"])
    controls["k"].value = 2
    controls["k"].value = 3
    assert calls == [0]
    assert live.frames_kept == 2
    controls["level"].value = 1
    assert calls == [0, 1]
    assert [line.get_ydata()[0] for line in live.axes.lines if line.get_color() == "grey"] \
        == [1]
    shown, reference = pixels(live.image.value), full_render(live)
    assert (np.abs(shown - reference).max(axis=2) > 40).mean() < 0.005


def test_a_backdrop_needs_fixed_axes_and_known_controls():
    slider = widgets.IntSlider()
    with pytest.raises(ValueError, match="grid"):
        LivePlot(lambda fig, k: None, {"k": slider}, backdrop=lambda ax: None)
    with pytest.raises(ValueError, match="not controls"):
        LivePlot(lambda ax, k: None, {"k": slider}, grid=(1, 1), backdrop=lambda ax, j: None,
                 backdrop_keys=["j"])


def test_log_axes_get_plain_labels():
    def draw(ax, top: int) -> None:
        ax.semilogy([1, 2, 3], [1e-3, 1, 10.0 ** top])

    live = LivePlot(draw, {"top": widgets.IntSlider(value=3, min=1, max=6)}, figsize=(3, 2),
                    grid=(1, 1))
    labels = [t.get_text() for t in live.axes.get_yticklabels() if t.get_text()]
    assert labels and not any("$" in label for label in labels)
    # Which decades get a tick depends on matplotlib's version; their form does not.
    assert all(re.fullmatch(r"1e[\N{MINUS SIGN}+]?\d+|\d+(\.\d+)?", label) for label in labels)


def test_held_changes_redraw_once():
    live = sine_plot()
    with live.held():
        live.controls["k"].value = 2
        live.controls["k"].value = 5
    assert live.redraws == 2
    assert live.axes.get_title() == "k = 5"


def test_graph_explorer_draws_boxes_once_and_values_for_the_sliders():
    import sympy as sp

    from bpcourse.symbolic import ComputationGraph
    from bpcourse.symbolic.graph import graph_explorer

    w, b, x = sp.symbols("w b x")
    loss = (w * x + b) ** 2
    w_slider = widgets.FloatSlider(value=1.0, min=-3, max=3)
    b_slider = widgets.FloatSlider(value=0.0, min=-3, max=3)
    live = graph_explorer(loss, {w: w_slider, b: b_slider}, fixed={x: 2.0})
    boxes = list(live.axes.patches)
    w_slider.value = 2.0
    b_slider.value = -1.0
    assert live.redraws == 3 and live.frames_kept == 2
    assert list(live.axes.patches) == boxes  # the backdrop stays; only values change
    # L = (2*2 - 1)^2 = 9; dL/dw = 2*(w x + b)*x = 12; dL/db = 2*(w x + b) = 6, by hand.
    assert live.axes.get_title() == "L = 9.0000,  dL/dw = 12,  dL/db = 6"
    values = sorted(t.get_text() for t in live.axes.texts if t.get_text().startswith("value"))
    g = ComputationGraph.from_expr(loss, {w: 2.0, b: -1.0, x: 2.0})
    assert values == sorted(f"value {n.value:.4g}\ngrad {n.grad:.4g}" for n in g.nodes)


def test_bars_of_earlier_redraws_leave_no_legend_entries_behind():
    def draw(ax, k: int) -> None:
        ax.bar([1, 2, 3], [k, 2, 1], label="bars")
        ax.plot([1, 3], [k, k], label="line")
        ax.legend()

    live = LivePlot(draw, {"k": widgets.IntSlider(value=1, min=1, max=5)}, figsize=(3, 2),
                    grid=(1, 1))
    for k in (2, 3, 4):
        live.controls["k"].value = k
    # The legend a first drawing on fresh axes has: one entry each.
    from matplotlib.figure import Figure
    fresh = Figure().subplots()
    draw(fresh, 4)
    shown = [t.get_text() for t in live.axes.get_legend().get_texts()]
    assert shown == [t.get_text() for t in fresh.get_legend().get_texts()]
    assert sorted(shown) == ["bars", "line"]
    assert len(live.axes.patches) == 3


def test_a_frame_store_reuses_a_frame_for_a_new_figure_of_the_same_kind():
    from matplotlib.figure import Figure

    from bpcourse.live import FrameStore

    def figure(heights) -> Figure:
        fig = Figure(figsize=(4, 3), dpi=80)
        ax = fig.subplots()
        ax.bar(range(3), heights)
        ax.set_ylim(0, 10)
        ax.set_title(f"max {max(heights)}")
        return fig

    store = FrameStore()
    store.render(figure([1, 2, 3]))
    last = figure([3, 5, 8])
    shown = pixels(store.render(last))
    assert store.kept == 1
    last.canvas.draw()
    reference = np.asarray(last.canvas.buffer_rgba())[..., :3].astype(float)
    assert (np.abs(shown - reference).max(axis=2) > 40).mean() < 0.005
