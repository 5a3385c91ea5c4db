"""bpcourse.plots: assertions on what is drawn (artists and their data), on the Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Circle, Rectangle  # noqa: E402

from bpcourse import MLP, History, data, fit, optim  # noqa: E402
from bpcourse.plots import (  # noqa: E402
    CLASS_COLORS,
    NEGATIVE,
    POSITIVE,
    ZERO,
    draw_network,
    plot_activation,
    plot_decision_boundary,
    plot_grad_norms,
    plot_loss_curves,
    plot_weight_histograms,
    shown_units,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def labelled_lines(ax):
    return [ln for ln in ax.lines if not ln.get_label().startswith("_")]


def legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# -- plot_loss_curves ------------------------------------------------------------------
def test_loss_curves_plot_train_and_val_per_epoch():
    h = History(train_loss=[1.0, 0.5, 0.25], val_loss=[1.2, 0.7, 0.6],
                train_acc=[0.5, 0.75, 1.0], val_acc=[0.4, 0.6, 0.8])
    ax = plot_loss_curves(h, title="run 1")
    lines = labelled_lines(ax)
    assert [ln.get_label() for ln in lines] == ["train loss", "val loss"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[0].get_ydata(), h.train_loss)
    np.testing.assert_array_equal(lines[1].get_ydata(), h.val_loss)
    assert ax.get_title() == "run 1"
    assert ax.get_yscale() == "linear"
    assert len(ax.figure.axes) == 1  # no accuracy axis unless asked


def test_loss_curves_without_validation_have_one_line_and_log_scale():
    h = History(train_loss=[2.0, 1.0], train_acc=[None, None], val_acc=[])
    ax = plot_loss_curves(h, log=True, accuracy=True)
    assert [ln.get_label() for ln in labelled_lines(ax)] == ["train loss"]
    assert ax.get_yscale() == "log"
    # A regression history has no accuracies: no twin axis even with accuracy=True.
    assert len(ax.figure.axes) == 1


def test_loss_curves_accuracy_goes_on_a_twin_axis():
    h = History(train_loss=[1.0, 0.5], val_loss=[1.1, 0.6],
                train_acc=[0.6, 0.9], val_acc=[0.5, 0.8])
    ax = plot_loss_curves(h, accuracy=True)
    twin = [a for a in ax.figure.axes if a is not ax]
    assert len(twin) == 1
    acc_lines = labelled_lines(twin[0])
    assert [ln.get_label() for ln in acc_lines] == ["train acc", "val acc"]
    np.testing.assert_array_equal(acc_lines[1].get_ydata(), h.val_acc)
    assert legend_labels(ax) == ["train loss", "val loss", "train acc", "val acc"]


def test_loss_curves_from_a_real_fit_draw_into_a_given_axes():
    X, y = data.xor()
    net = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
    h = fit(net, X, y, loss="binary_cross_entropy", optimizer=optim.SGD(0.5), epochs=5,
            batch_size=4, val=(X, y), progress=False)
    fig, axes = plt.subplots(1, 2)
    assert plot_loss_curves(h, ax=axes[1]) is axes[1]
    assert len(labelled_lines(axes[1])) == 2 and not axes[0].lines


# -- plot_grad_norms -------------------------------------------------------------------
def test_grad_norms_from_history_one_line_per_layer_in_layer_order():
    norms = {f"W{k}": list(np.linspace(1, 2, 7) * k) for k in (10, 2, 1)}
    h = History(train_loss=[1.0], grad_norms=norms)
    ax = plot_grad_norms(h, title="norms")
    lines = labelled_lines(ax)
    # W10 comes after W2, not between W1 and W2 as a string sort would put it
    assert [ln.get_label() for ln in lines] == ["W1", "W2", "W10"]
    for ln in lines:
        np.testing.assert_array_equal(ln.get_ydata(), norms[ln.get_label()])
        np.testing.assert_array_equal(ln.get_xdata(), np.arange(1, 8))
    assert ax.get_yscale() == "log" and ax.get_title() == "norms"


def test_grad_norms_lines_match_the_layers_of_a_trained_net():
    X, y = data.moons(40, seed=1)
    net = MLP([2, 5, 5, 5, 2], activation="relu", output="softmax", init="he", seed=0)
    h = fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(0.1), epochs=2,
            batch_size=10, progress=False)
    ax = plot_grad_norms(h, log=False)
    assert [ln.get_label() for ln in labelled_lines(ax)] == ["W1", "W2", "W3", "W4"]
    assert all(len(ln.get_ydata()) == h.steps for ln in labelled_lines(ax))
    assert ax.get_yscale() == "linear"


def test_grad_norms_from_one_pass_are_bars():
    norms = {"W3": 0.5, "W1": 0.001, "W2": 0.03}
    ax = plot_grad_norms(norms)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3
    np.testing.assert_allclose([b.get_height() for b in bars], [0.001, 0.03, 0.5])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["W1", "W2", "W3"]
    assert not labelled_lines(ax)


def test_grad_norms_reject_an_empty_source():
    with pytest.raises(ValueError, match="History or a non-empty dict"):
        plot_grad_norms({})


# -- plot_decision_boundary ------------------------------------------------------------
def _image(ax):
    (img,) = ax.get_images()
    return img


def _pixel_centres(img, resolution):
    x0, x1, y0, y1 = img.get_extent()
    return np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)


@pytest.mark.parametrize("output,k", [("softmax", 3), ("sigmoid", 1)])
def test_decision_regions_equal_predict_on_the_grid(output, k):
    X, y = data.spiral(3, 20, seed=0) if k == 3 else data.moons(60, seed=0)
    net = MLP([2, 8, k], activation="tanh", output=output, init=2.0, seed=3)
    res = 37
    ax = plot_decision_boundary(net, X, y, resolution=res)
    img = _image(ax)
    regions = np.asarray(img.get_array())
    assert regions.shape == (res, res)
    xs, ys = _pixel_centres(img, res)
    # Independent rebuild of the grid: row i is y = ys[i] (origin lower), column j is xs[j].
    gx, gy = np.meshgrid(xs, ys)
    expected = net.predict(np.stack([gx, gy], axis=-1).reshape(-1, 2)).reshape(res, res)
    np.testing.assert_array_equal(regions, expected)
    assert img.origin == "lower"
    # Spot checks, one point at a time, on two corners.
    assert regions[0, -1] == net.predict(np.array([[xs[-1], ys[0]]]))[0]
    assert regions[-1, 0] == net.predict(np.array([[xs[0], ys[-1]]]))[0]
    # The regions are not all one class for this net: the check above is not trivial.
    assert len(np.unique(regions)) > 1


def test_decision_boundary_points_coloured_by_label_and_grid_covers_data():
    X, y = data.spiral(3, 15, seed=2)
    net = MLP([2, 6, 3], output="softmax", seed=0)
    ax = plot_decision_boundary(net, X, data.one_hot(y), title="spiral")
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 3
    for c, sc in enumerate(scatters):
        np.testing.assert_allclose(sc.get_offsets(), X[y == c])
        np.testing.assert_allclose(sc.get_facecolors()[0], to_rgba(CLASS_COLORS[c]))
    x0, x1, y0, y1 = _image(ax).get_extent()
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max()
    assert y0 < X[:, 1].min() and y1 > X[:, 1].max()
    assert legend_labels(ax) == ["class 0", "class 1", "class 2"]
    assert ax.get_title() == "spiral"


def test_decision_boundary_keeps_mode_and_trace():
    X, y = data.moons(30, seed=0)
    net = MLP([2, 4, 2], output="softmax", dropout=0.5, seed=0)
    net.train()
    net.forward(X[:3])
    trace = net.trace
    plot_decision_boundary(net, X, y, resolution=20)
    assert net.training is True
    assert net.trace is trace and net.trace["A0"].shape == (3, 2)


def test_decision_boundary_regions_use_eval_mode():
    # With dropout on in training mode, predictions would be random; the plot must use
    # eval mode, so two plots of the same net agree exactly.
    X, y = data.moons(30, seed=0)
    net = MLP([2, 16, 2], output="softmax", dropout=0.5, seed=0).train()
    a = np.asarray(_image(plot_decision_boundary(net, X, y, resolution=15)).get_array())
    b = np.asarray(_image(plot_decision_boundary(net, X, y, resolution=15)).get_array())
    np.testing.assert_array_equal(a, b)


def test_decision_boundary_identity_output_thresholds_at_one_half():
    X, y = data.xor()
    net = MLP([2, 1], activation=[], output="identity")
    net.params["W1"][:] = [[1.0], [0.0]]  # output = x1, so the class is x1 >= 0.5
    ax = plot_decision_boundary(net, X, y, resolution=11)
    img = _image(ax)
    xs, _ = _pixel_centres(img, 11)
    regions = np.asarray(img.get_array())
    np.testing.assert_array_equal(regions[0], (xs >= 0.5).astype(int))
    assert (regions == regions[0]).all()


def test_decision_boundary_rejects_non_2d_inputs():
    net = MLP([3, 2], activation=[], output="softmax")
    with pytest.raises(ValueError, match="2-D inputs"):
        plot_decision_boundary(net, np.zeros((4, 3)), np.zeros(4, dtype=int))


# -- draw_network ----------------------------------------------------------------------
def _circles(ax):
    return [p for p in ax.patches if isinstance(p, Circle)]


def _edges(ax, layer):
    (coll,) = [c for c in ax.collections
               if isinstance(c, LineCollection) and c.get_gid() == f"W{layer}"]
    return coll


def test_network_has_one_circle_per_unit_and_one_edge_per_weight():
    net = MLP([3, 4, 5, 2], seed=0)
    ax = draw_network(net)
    assert len(_circles(ax)) == 3 + 4 + 5 + 2
    for layer, (n_in, n_out) in enumerate([(3, 4), (4, 5), (5, 2)], start=1):
        assert len(_edges(ax, layer).get_segments()) == n_in * n_out
    gids = {c.get_gid() for c in _circles(ax)}
    assert "unit0_2" in gids and "unit3_1" in gids


def test_edge_colour_follows_sign_and_width_follows_magnitude():
    net = MLP([2, 3, 1], seed=0)
    net.params["W1"][:] = [[0.5, -2.0, 0.0], [1.0, -0.25, 4.0]]
    net.params["W2"][:] = [[-1.0], [2.0], [0.5]]
    ax = draw_network(net)
    for layer in (1, 2):
        W = net.params[f"W{layer}"]
        coll = _edges(ax, layer)
        colours = coll.get_colors()
        widths = coll.get_linewidths()
        # segments are listed source unit by source unit (i outer, j inner)
        for e, (i, j) in enumerate(np.ndindex(W.shape)):
            want = POSITIVE if W[i, j] > 0 else NEGATIVE if W[i, j] < 0 else ZERO
            np.testing.assert_allclose(colours[e], to_rgba(want))
            assert widths[e] == pytest.approx(0.4 + 3.6 * abs(W[i, j]) / 4.0)
    # the widest edge is the largest weight in the net
    assert max(_edges(ax, 1).get_linewidths()) == pytest.approx(4.0)


def test_edges_join_the_circles_of_their_units():
    net = MLP([2, 3, 1], seed=0)
    ax = draw_network(net)
    centres = {c.get_gid(): np.array(c.center) for c in _circles(ax)}
    segs = _edges(ax, 1).get_segments()
    start, end = segs[1 * 3 + 2]  # from input unit 1 to hidden unit 2
    r = _circles(ax)[0].radius
    np.testing.assert_allclose(start, centres["unit0_1"] + [r, 0])
    np.testing.assert_allclose(end, centres["unit1_2"] - [r, 0])


def test_show_values_writes_each_units_activation():
    net = MLP([2, 3, 1], activation="tanh", seed=0)
    net.params["b1"][:] = [0.1, -0.2, 0.3]
    x = np.array([0.7, -1.3])
    ax = draw_network(net, show_values=True, X=x)
    # independent forward pass for one sample, written out
    a1 = np.tanh(x @ net.params["W1"] + net.params["b1"])
    a2 = a1 @ net.params["W2"] + net.params["b2"]
    texts = {(round(t.get_position()[0], 6), round(t.get_position()[1], 6)): t.get_text()
             for t in ax.texts}
    for c in _circles(ax):
        layer, j = map(int, c.get_gid()[4:].split("_"))
        value = [x, a1, a2][layer][j]
        key = (round(c.center[0], 6), round(c.center[1], 6))
        assert texts[key] == f"{value:.2f}"


def test_show_values_keeps_mode_and_trace_and_needs_one_sample():
    net = MLP([2, 3, 1], dropout=0.5, seed=0).train()
    net.forward(np.ones((5, 2)))
    trace = net.trace
    draw_network(net, show_values=True, X=[[1.0, 2.0]])
    assert net.training and net.trace is trace
    with pytest.raises(ValueError, match="needs X"):
        draw_network(net, show_values=True)
    with pytest.raises(ValueError, match="one sample of 2 inputs"):
        draw_network(net, show_values=True, X=np.ones((2, 2)))


def test_show_weights_writes_every_weight_and_bias():
    net = MLP([2, 2, 1], seed=0)
    net.params["b1"][:] = [0.25, -0.5]
    ax = draw_network(net, show_weights=True)
    texts = [t.get_text() for t in ax.texts]
    for w in np.concatenate([net.params["W1"].ravel(), net.params["W2"].ravel()]):
        assert f"{w:.2f}" in texts
    assert "b=0.25" in texts and "b=-0.50" in texts


def test_wide_layers_show_a_sample_with_an_ellipsis():
    assert shown_units(4) == [0, 1, 2, 3]
    assert shown_units(25, max_units=10) == [0, 1, 2, 3, 4, 5, 6, 7, 8, None, 24]
    net = MLP([3, 25, 2], seed=0)
    ax = draw_network(net)
    assert len(_circles(ax)) == 3 + 10 + 2
    assert len(_edges(ax, 1).get_segments()) == 3 * 10
    assert len(_edges(ax, 2).get_segments()) == 10 * 2
    assert sum(t.get_text() == r"$\vdots$" for t in ax.texts) == 1
    assert "unit1_24" in {c.get_gid() for c in _circles(ax)}


# -- plot_activation -------------------------------------------------------------------
REFERENCE = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "identity": lambda z: z,
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_plot_shows_f_and_its_derivative(name):
    ax = plot_activation(name, z_range=(-3, 3), n_points=601)
    f_line, df_line = labelled_lines(ax)
    assert (f_line.get_label(), df_line.get_label()) == ("f(z)", "f'(z)")
    z = f_line.get_xdata()
    np.testing.assert_allclose(f_line.get_ydata(), REFERENCE[name](z), atol=1e-12)
    # f' checked against a central difference of the reference f, away from the kink at 0
    h = 1e-5
    numeric = (REFERENCE[name](z + h) - REFERENCE[name](z - h)) / (2 * h)
    away = np.abs(z) > 1e-3
    np.testing.assert_allclose(df_line.get_ydata()[away], numeric[away], atol=1e-6)


def test_activation_plot_marker_and_no_derivative():
    ax = plot_activation("sigmoid", derivative=False, z0=2.0, title="sig")
    assert [ln.get_label() for ln in labelled_lines(ax)] == ["f(z)"]
    (marker,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(marker.get_offsets(), [[2.0, 1 / (1 + np.exp(-2.0))]])
    assert ax.get_title() == "sig"
    ax = plot_activation("tanh", z0=-1.0)
    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(markers[1].get_offsets(), [[-1.0, 1 - np.tanh(-1.0) ** 2]])


def test_activation_plot_rejects_unknown_names():
    with pytest.raises(ValueError, match="valid names"):
        plot_activation("swish")


# -- plot_weight_histograms ------------------------------------------------------------
def test_weight_histograms_one_per_layer_with_counts_and_std():
    net = MLP([4, 30, 20, 3], init="normal", seed=0)
    ax = plot_weight_histograms(net, bins=12)
    assert len(ax.patches) == 3
    labels = legend_labels(ax)
    for layer, (label, patch) in enumerate(zip(labels, ax.patches, strict=True), start=1):
        W = net.params[f"W{layer}"]
        assert label == f"W{layer} (std {W.std():.3g})"
        xy = patch.get_xy()
        # the outline visits (e0, 0), (e0, h1), (e1, h1), (e1, h2), ..., (e_B, 0)
        edges, heights = xy[::2, 0], xy[1:-1:2, 1]
        counts, _ = np.histogram(W, bins=edges)
        np.testing.assert_array_equal(heights, counts)
        assert heights.sum() == W.size
    # shared bins: every histogram starts at the smallest weight of the whole net
    smallest = min(net.params[f"W{k}"].min() for k in (1, 2, 3))
    assert all(p.get_xy()[0, 0] == pytest.approx(smallest) for p in ax.patches)


def test_weight_histograms_can_include_biases():
    net = MLP([2, 3, 1], seed=0)
    ax = plot_weight_histograms(net, include_bias=True)
    heights = [p.get_xy()[1:-1:2, 1].sum() for p in ax.patches]
    assert heights == [2 * 3 + 3, 3 * 1 + 1]
