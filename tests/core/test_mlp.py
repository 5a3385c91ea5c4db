"""The MLP itself: construction, forward pass, activations, losses worked by hand, stability."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from strict_warnings import no_warnings

from bpcourse import MLP
from bpcourse.activations import ACTIVATIONS, LEAKY_SLOPE, sigmoid, softmax


def logits_net(logits, output):
    """A one-layer net with W = I and b = 0, so Z1 = X: feed logits in, get them as Z1."""
    k = np.shape(logits)[1]
    net = MLP([k, k], output=output)
    net.params["W1"][...] = np.eye(k)
    return net


# -- construction ---------------------------------------------------------------------
def test_params_have_the_documented_names_and_shapes():
    net = MLP([3, 5, 4, 2], seed=0)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {"W1": (3, 5), "b1": (5,), "W2": (5, 4), "b2": (4,), "W3": (4, 2),
                      "b3": (2,)}
    assert all(not np.any(net.params[f"b{l}"]) for l in (1, 2, 3))
    assert net.n_layers == 3


def test_params_are_the_live_arrays():
    net = MLP([2, 2], output="identity", seed=0)
    X = np.array([[1.0, 2.0]])
    net.params["W1"][...] = 0.0
    net.params["b1"][...] = [3.0, -1.0]
    np.testing.assert_array_equal(net.forward(X), [[3.0, -1.0]])


@pytest.mark.parametrize(("init", "expected_std"), [
    ("xavier", math.sqrt(2 / (300 + 200))),
    ("he", math.sqrt(2 / 300)),
    ("normal", 1.0),
    (0.05, 0.05),
])
def test_initial_weight_scale(init, expected_std):
    W = MLP([300, 200], init=init, seed=1).params["W1"]
    # 60000 draws: the sample std is within about 0.3% of the true one (1/sqrt(2n)).
    assert W.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(W.mean()) < 4 * expected_std / math.sqrt(W.size)


def test_seed_fixes_the_initial_weights():
    a, b, c = MLP([4, 3, 2], seed=5), MLP([4, 3, 2], seed=5), MLP([4, 3, 2], seed=6)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_one_activation_per_hidden_layer():
    net = MLP([2, 3, 3, 1], activation=["relu", "tanh"], seed=0)
    assert [net.activation_name(l) for l in (1, 2, 3)] == ["relu", "tanh", "identity"]
    X = np.random.default_rng(0).normal(size=(4, 2))
    net.forward(X)
    t = net.trace
    np.testing.assert_allclose(t["A1"], np.maximum(t["Z1"], 0))
    np.testing.assert_allclose(t["A2"], np.tanh(t["Z2"]))


def test_repr_and_summary():
    net = MLP([2, 3, 1], activation="tanh", output="sigmoid", seed=0)
    assert "MLP([2, 3, 1]" in repr(net) and "'tanh'" in repr(net) and "'sigmoid'" in repr(net)
    s = net.summary()
    assert "(2, 3)" in s and "(3, 1)" in s
    assert "total parameters: 13" in s  # 2*3 + 3 + 3*1 + 1


# -- forward ---------------------------------------------------------------------------
def test_forward_equals_a_numpy_forward():
    rng = np.random.default_rng(2)
    net = MLP([3, 4, 2], activation="sigmoid", output="softmax", seed=2)
    for p in net.params.values():
        p[...] = rng.normal(size=p.shape)
    X = rng.normal(size=(5, 3))
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    Z = H @ W2 + b2
    expected = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    out = net.forward(X)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    np.testing.assert_array_equal(net(X), out)


def test_one_dimensional_input_for_a_one_input_net():
    net = MLP([1, 3, 1], seed=0)
    x = np.linspace(-1, 1, 7)
    np.testing.assert_array_equal(net.forward(x), net.forward(x[:, None]))


def test_predict():
    X = np.array([[1.0, 3.0, 2.0], [5.0, 0.0, 1.0]])
    assert logits_net(X, "softmax").predict(X).tolist() == [1, 0]
    Xs = np.array([[-2.0], [0.5], [3.0]])
    assert logits_net(Xs, "sigmoid").predict(Xs).tolist() == [0, 1, 1]
    np.testing.assert_array_equal(logits_net(X, "identity").predict(X), X)


def test_predict_runs_in_eval_mode_and_keeps_the_mode():
    net = MLP([2, 50, 1], activation="relu", dropout=0.5, seed=0)
    X = np.random.default_rng(0).normal(size=(3, 2))
    first = net.predict(X)
    assert net.training
    np.testing.assert_array_equal(first, net.predict(X))  # no random mask
    assert "mask1" not in net.trace


def test_float32_network_stays_float32():
    net = MLP([3, 4, 3], activation="sigmoid", output="softmax", dtype=np.float32, seed=0)
    X = np.random.default_rng(0).normal(size=(6, 3))  # float64 in
    _, grads = net.loss_and_gradients(X, np.array([0, 1, 2, 0, 1, 2]), loss="cross_entropy",
                                      l2=0.1)
    assert all(p.dtype == np.float32 for p in net.params.values())
    assert all(g.dtype == np.float32 for g in grads.values())
    bad = {k: v.dtype for k, v in net.trace.items() if v.dtype != np.float32}
    assert not bad, f"upcast in the trace: {bad}"


# -- activations -------------------------------------------------------------------------
def test_activation_values_by_hand():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].f(z),
                               [1 / (1 + math.e**2), 0.5, 1 / (1 + math.e**-3)])
    np.testing.assert_array_equal(ACTIVATIONS["relu"].f(z), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].f(z), [-0.02, 0.0, 3.0])
    np.testing.assert_array_equal(ACTIVATIONS["identity"].f(z), z)
    np.testing.assert_array_equal(ACTIVATIONS["relu"].df(z), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].df(z), [LEAKY_SLOPE, LEAKY_SLOPE, 1])
    assert ACTIVATIONS["sigmoid"].df(np.array([0.0]))[0] == 0.25
    assert ACTIVATIONS["tanh"].df(np.array([0.0]))[0] == 1.0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative_matches_central_differences(name):
    act = ACTIVATIONS[name]
    z = np.array([-3.1, -0.7, -0.05, 0.05, 0.4, 2.2])
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.df(z), numeric, rtol=1e-7, atol=1e-9)
    assert act.latex and act.latex_prime


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_keep_float32(name):
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    assert ACTIVATIONS[name].f(z).dtype == np.float32
    assert ACTIVATIONS[name].df(z).dtype == np.float32


def test_sigmoid_and_softmax_at_extreme_inputs():
    with no_warnings():
        s = sigmoid(np.array([-1000.0, 1000.0]))
        p = softmax(np.array([[1000.0, -1000.0, 999.0]]))
    np.testing.assert_array_equal(s, [0.0, 1.0])
    np.testing.assert_allclose(p, [[1 / (1 + math.e**-1), 0.0, 1 / (1 + math.e)]])


# -- losses worked by hand ---------------------------------------------------------------
def test_softmax_cross_entropy_by_hand():
    # Logits (1, 2, 3), true class 2: L = log(e + e^2 + e^3) - 3 = log(1 + e^-1 + e^-2).
    s = 1 + math.exp(-1) + math.exp(-2)
    X = np.array([[1.0, 2.0, 3.0]])
    for labels in (np.array([2]), np.array([[0.0, 0.0, 1.0]])):
        net = logits_net(X, "softmax")
        loss, grads = net.loss_and_gradients(X, labels, loss="cross_entropy")
        assert loss == pytest.approx(math.log(s), rel=1e-12)
        assert loss == pytest.approx(0.4076059644443804, rel=1e-12)
        # dL/dz = softmax(z) - y = (e^-2, e^-1, 1)/s - (0, 0, 1)
        expected = np.array([math.exp(-2) / s, math.exp(-1) / s, 1 / s - 1])
        np.testing.assert_allclose(grads["b1"], expected, rtol=1e-12)
        np.testing.assert_allclose(grads["W1"], np.outer(X[0], expected), rtol=1e-12)


def test_cross_entropy_is_the_mean_over_rows():
    # Row 2 has equal logits: its loss is log 3 whatever the label.
    X = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    loss = logits_net(X, "softmax").loss(X, np.array([2, 0]), loss="cross_entropy")
    assert loss == pytest.approx((0.4076059644443804 + math.log(3)) / 2, rel=1e-12)


def test_mse_uses_the_one_half_convention():
    # Row 1: ½(1² + 2²) = 2.5; row 2: ½(0² + 1²) = 0.5; mean 1.5.
    X = np.array([[1.0, 2.0], [0.0, 1.0]])
    net = logits_net(X, "identity")
    loss, grads = net.loss_and_gradients(X, np.zeros((2, 2)), loss="mse")
    assert loss == pytest.approx(1.5, rel=1e-15)
    # dL/db = sum over rows of (A - Y)/N = ((1 + 0)/2, (2 + 1)/2)
    np.testing.assert_allclose(grads["b1"], [0.5, 1.5], rtol=1e-15)


def test_binary_cross_entropy_by_hand():
    # z = 0, y = 1: -log σ(0) = log 2.  z = 2, y = 0: -log(1 - σ(2)) = log(1 + e²).
    X = np.array([[0.0], [2.0]])
    net = logits_net(X, "sigmoid")
    loss, grads = net.loss_and_gradients(X, np.array([1.0, 0.0]), loss="binary_cross_entropy")
    assert loss == pytest.approx((math.log(2) + math.log(1 + math.e**2)) / 2, rel=1e-12)
    assert loss == pytest.approx(1.410037595801459, rel=1e-12)
    # dL/db = mean of (σ(z) - y) = ((0.5 - 1) + σ(2)) / 2
    assert grads["b1"][0] == pytest.approx((-0.5 + 1 / (1 + math.e**-2)) / 2, rel=1e-12)


def test_l2_penalty_by_hand():
    X, Y = np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])
    net = MLP([2, 2], output="identity")
    net.params["W1"][...] = [[1.0, 2.0], [3.0, 4.0]]
    plain, g0 = net.loss_and_gradients(X, Y)
    # Z = (1, 2), so ½((1-1)² + 2²) = 2; the penalty is (0.1/2)(1 + 4 + 9 + 16) = 1.5.
    assert plain == pytest.approx(2.0)
    loss, g = net.loss_and_gradients(X, Y, l2=0.1)
    assert loss == pytest.approx(3.5)
    np.testing.assert_allclose(g["W1"], g0["W1"] + 0.1 * net.params["W1"])
    np.testing.assert_array_equal(g["b1"], g0["b1"])  # biases are not penalised


# -- stability at |z| up to 1000 ---------------------------------------------------------
@pytest.mark.parametrize(("loss", "output", "Y", "expected"), [
    # -log softmax: row 1 labels its largest logit (loss ~ e^-1000 ~ 0), row 2 its
    # smallest: logsumexp = 1000, minus z = -1000, gives 2000.
    ("cross_entropy", "softmax", np.array([0, 0]), (0.0 + 2000.0) / 2),
    # softplus(z) - y z with y = 0: z = 1000 costs 1000, z = -1000 costs 0, z = 0 log 2.
    ("binary_cross_entropy", "sigmoid", np.zeros((2, 3)), (2000.0 + 2 * math.log(2)) / 2),
    # softmax is one-hot on the largest logit, and each row's target is another class.
    ("mse", "softmax", np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), (1.0 + 1.0) / 2),
    # sigma = (1, 0, 1/2) per row, target 0: ½(1 + 0 + 1/4) each.
    ("mse", "sigmoid", np.zeros((2, 3)), 0.625),
])
def test_losses_are_finite_for_huge_logits(loss, output, Y, expected):
    X = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 0.0, 1000.0]])
    net = logits_net(X, output)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                divide="raise"):
        warnings.simplefilter("error")
        value, grads = net.loss_and_gradients(X, Y, loss=loss)
    assert np.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-9)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    assert all(np.all(np.isfinite(a)) for a in net.trace.values())


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_hidden_layers_survive_huge_inputs(activation):
    net = MLP([2, 3, 2], activation=activation, output="softmax", seed=0)
    net.params["W1"][...] = [[1.0, -1.0, 0.5], [-1.0, 1.0, 0.5]]
    X = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                divide="raise"):
        warnings.simplefilter("error")
        value, grads = net.loss_and_gradients(X, np.array([0, 1]), loss="cross_entropy")
    assert np.isfinite(value)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_evaluating_runs_in_eval_mode_and_puts_mode_and_trace_back():
    net = MLP([2, 4, 1], activation="relu", seed=0, dropout=0.5)
    X = np.ones((3, 2))
    net.train().forward(X)
    trace = net.trace
    with net.evaluating():
        assert not net.training
        net.forward(np.zeros((5, 2)))
        assert "mask1" not in net.trace
    assert net.training and net.trace is trace
