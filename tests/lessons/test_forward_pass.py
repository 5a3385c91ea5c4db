"""bpcourse.lessons.forward_pass: what notebook 01's widgets compute, checked against hand
computations."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bpcourse.lessons.forward_pass import (  # noqa: E402
    TINY_PARAMS,
    TINY_SIZES,
    activation_point,
    plot_softmax,
    softmax_point,
    tiny_forward,
    tiny_net,
)


def sig(z):
    return 1 / (1 + np.exp(-z))


# -- the tiny network ------------------------------------------------------------------
def test_tiny_net_has_the_fixed_parameters_and_two_overrides():
    net = tiny_net()
    assert net.sizes == list(TINY_SIZES)
    for name, value in TINY_PARAMS.items():
        np.testing.assert_array_equal(net.params[name], value)
    net = tiny_net(w1_00=-3.0, w2_00=7.0)
    assert net.params["W1"][0, 0] == -3.0 and net.params["W2"][0, 0] == 7.0
    changed_w1 = net.params["W1"] != TINY_PARAMS["W1"]
    assert changed_w1.sum() == 1
    # the module's constants are not modified by building nets from them
    assert TINY_PARAMS["W1"][0, 0] == 0.8 and TINY_PARAMS["W2"][0, 0] == 1.5


def test_tiny_forward_matches_a_hand_computation():
    # x = (1, 2), W1[0,0] = 0.8 (default):
    # Z1 = [0.8 + 0.8, -1.2 + 1.8 + 0.3, 0.5 - 3.0 - 0.2] = [1.6, 0.9, -2.7]
    p = tiny_forward(1.0, 2.0)
    np.testing.assert_allclose(p.Z1, [[1.6, 0.9, -2.7]])
    a1 = sig(np.array([1.6, 0.9, -2.7]))
    np.testing.assert_allclose(p.A1, [a1])
    y = 1.5 * a1[0] - 1.0 * a1[1] + 2.0 * a1[2] - 0.5
    assert p.y_hat == pytest.approx(y)
    np.testing.assert_allclose(p.Z2, [[y]])
    np.testing.assert_array_equal(p.X, [[1.0, 2.0]])


def test_keywords_count_from_zero_like_the_arrays():
    # the widget passes its sliders by name: x0, x1 are X[0, 0], X[0, 1]; w1_00 is W1[0, 0]
    p = tiny_forward(x0=3.0, x1=-1.0, w1_00=0.5, w2_00=-2.0)
    np.testing.assert_array_equal(p.X, [[3.0, -1.0]])
    assert p.net.params["W1"][0, 0] == 0.5 and p.net.params["W2"][0, 0] == -2.0
    # Z1[0, 0] = x0 W1[0,0] + x1 W1[1,0] + b1[0] = 1.5 - 0.4 + 0.0
    assert p.Z1[0, 0] == pytest.approx(1.1)


def test_output_is_linear_in_the_second_layer_weight():
    # y_hat = A1 W2 + b2, so changing W2[0,0] by d changes y_hat by d * A1[0]
    a, b = tiny_forward(0.3, -0.4, w2_00=1.0), tiny_forward(0.3, -0.4, w2_00=3.5)
    assert b.y_hat - a.y_hat == pytest.approx(2.5 * a.A1[0, 0])
    np.testing.assert_array_equal(a.A1, b.A1)


def test_first_layer_weight_only_moves_the_first_hidden_unit():
    a, b = tiny_forward(2.0, 1.0, w1_00=0.0), tiny_forward(2.0, 1.0, w1_00=1.0)
    np.testing.assert_allclose(b.Z1 - a.Z1, [[2.0, 0.0, 0.0]])  # d * x0 on unit 0 only


def test_tiny_forward_with_relu_and_summary_text():
    p = tiny_forward(-1.0, 0.0, activation="relu")
    np.testing.assert_allclose(p.A1, np.maximum(p.Z1, 0))
    assert p.A1[0, 0] == 0.0
    text = p.summary()
    assert "A1 = relu(Z1)" in text
    assert f"{p.y_hat: .4f}" in text
    assert text.count("\n") == 2


# -- activation explorer ---------------------------------------------------------------
def test_activation_point_values_match_formulas_and_differences():
    for name, z in [("sigmoid", 0.7), ("tanh", -1.2), ("relu", 2.0), ("leaky_relu", -3.0),
                    ("identity", 5.0)]:
        p = activation_point(name, z)
        h = 1e-6
        numeric = (activation_point(name, z + h).f - activation_point(name, z - h).f) / (2 * h)
        assert p.df == pytest.approx(numeric, rel=1e-6)
    assert activation_point("sigmoid", 0.7).f == pytest.approx(sig(0.7))
    assert activation_point("tanh", -1.2).f == pytest.approx(np.tanh(-1.2))


def test_activation_point_notes_describe_the_gradient():
    p = activation_point("sigmoid", 0.0)
    assert (p.f, p.df) == (0.5, 0.25)
    assert "100% of its peak 0.25" in p.note
    assert "saturated" in activation_point("sigmoid", 6.0).note
    assert "saturated" in activation_point("tanh", -3.0).note
    assert "saturated" not in activation_point("tanh", 0.5).note
    assert "no gradient" in activation_point("relu", -1.0).note
    assert activation_point("relu", -1.0).df == 0.0
    assert "unchanged" in activation_point("relu", 1.0).note
    lr = activation_point("leaky_relu", -2.0)
    assert lr.df == pytest.approx(0.01) and "small gradient" in lr.note
    assert "everywhere" in activation_point("identity", -4.0).note
    with pytest.raises(ValueError, match="valid names"):
        activation_point("softplus", 0.0)


# -- softmax explorer ------------------------------------------------------------------
def test_softmax_point_matches_the_formula():
    z = np.array([2.0, 1.0, -1.0])
    p = softmax_point(z, temperature=1.0, target=1)
    e = np.exp(z)
    np.testing.assert_allclose(p.probs, e / e.sum())
    assert p.loss == pytest.approx(-np.log(e[1] / e.sum()))
    half = softmax_point(z, temperature=0.5, target=0)
    np.testing.assert_allclose(half.probs, np.exp(2 * z) / np.exp(2 * z).sum())


def test_temperature_flattens_or_sharpens():
    z = [3.0, 1.0, 0.0]
    hot, cold = softmax_point(z, 100.0), softmax_point(z, 0.05)
    np.testing.assert_allclose(hot.probs, 1 / 3, atol=0.01)
    np.testing.assert_allclose(cold.probs, [1, 0, 0], atol=1e-12)
    assert cold.loss < 1e-12 < hot.loss


def test_softmax_point_is_stable_and_validates():
    p = softmax_point([1000.0, 0.0, -1000.0], temperature=1.0, target=2)
    assert np.isfinite(p.probs).all() and p.loss == pytest.approx(2000.0)
    with pytest.raises(ValueError, match="temperature"):
        softmax_point([1.0, 2.0], temperature=0.0)
    with pytest.raises(ValueError, match="target"):
        softmax_point([1.0, 2.0], target=2)


def test_plot_softmax_draws_the_probabilities():
    p = softmax_point([0.5, 2.0, -1.0], temperature=1.0, target=2)
    ax = plot_softmax(p)
    heights = [b.get_height() for b in ax.patches]
    np.testing.assert_allclose(heights, p.probs)
    assert ax.patches[2].get_linewidth() == 2.5 and ax.patches[0].get_linewidth() != 2.5
    assert f"{p.loss:.3f}" in ax.get_title()
    assert tuple(ax.figure.get_size_inches()) == (5.0, 3.0)
    _, given = plt.subplots()
    assert plot_softmax(p, ax=given) is given and len(given.patches) == 3
    plt.close("all")


# -- the live widgets ----------------------------------------------------------------------
def test_activation_explorer_redraws_once_per_move_and_marks_the_point():
    from bpcourse.lessons.forward_pass import activation_explorer

    box = activation_explorer("sigmoid", 2.0)
    box.controls["z"].value = -1.0
    box.controls["name"].value = "tanh"
    assert box.redraws == 3
    assert box.axes.get_title() == "tanh"
    marked = [c.get_offsets()[0] for c in box.axes.collections]
    # tanh(-1) and its slope 1 - tanh(-1)^2, by hand.
    assert np.allclose(sorted(y for _, y in marked), sorted([np.tanh(-1.0),
                                                             1 - np.tanh(-1.0) ** 2]))
    assert f"f(-1.00) = {np.tanh(-1.0):.4f}" in box.text.value


def test_tiny_explorer_shows_the_output_of_the_chosen_pass():
    from bpcourse.lessons.forward_pass import tiny_explorer, tiny_forward

    box = tiny_explorer()
    box.controls["w2_00"].value = -1.0
    assert box.redraws == 2
    expected = tiny_forward(1.0, 2.0, 0.8, -1.0, "sigmoid")
    assert box.axes.get_title() == f"output y_hat = {expected.y_hat:.3f}"
    assert expected.summary().splitlines()[0] in box.text.value


def test_softmax_explorer_bars_are_the_probabilities_with_class_labels():
    from bpcourse.lessons.forward_pass import softmax_explorer

    box = softmax_explorer()
    box.controls["target"].value = 2
    box.controls["z0"].value = 0.0
    assert box.redraws == 3
    heights = [p.get_height() for p in box.axes.patches]
    z = np.array([0.0, 1.0, -1.0])
    assert np.allclose(heights, np.exp(z) / np.exp(z).sum())
    assert [t.get_text() for t in box.axes.get_xticklabels()] == ["class 0", "class 1",
                                                                  "class 2"]
    assert box.axes.get_title().startswith("T = 1: loss -log p[2]")
