"""Edge cases a learner can reach: each once gave a wrong answer or an unhelpful error."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import MLP, accuracy, data, gradient_check, optim
from bpcourse.diagnostics import clip_by_global_norm, global_norm

X = np.random.default_rng(0).standard_normal((4, 2))
Y = np.random.default_rng(1).standard_normal((4, 1))


def test_gradient_check_rejects_gradients_of_the_wrong_shape():
    net = MLP([2, 3, 1], activation="tanh", seed=0)
    _, grads = net.loss_and_gradients(X, Y)
    # (1, 3) would broadcast against (3,) and pass unnoticed.
    grads["b1"] = grads["b1"][None, :]
    with pytest.raises(ValueError, match=r"grads\['b1'\] has shape \(1, 3\) but params\['b1'\] "
                                         r"has shape \(3,\)"):
        gradient_check(net, X, Y, grads=grads)
    del grads["b1"]
    with pytest.raises(ValueError, match=r"missing \['b1'\]"):
        gradient_check(net, X, Y, grads=grads)


def test_gradient_check_leaves_the_trace_and_random_state_as_the_real_pass_left_them():
    net = MLP([2, 4, 1], activation="tanh", seed=0, dropout=0.5)
    state = net.rng.bit_generator.state
    report = gradient_check(net, X, Y)
    assert report.passed
    assert net.rng.bit_generator.state == state
    _, grads = net.loss_and_gradients(X, Y)  # the same mask again, from the same state
    assert "delta1" in net.trace
    np.testing.assert_array_equal(report.backprop["W1"], grads["W1"])


def test_gradient_check_refuses_float32_with_a_reason():
    net = MLP([2, 3, 1], seed=0, dtype=np.float32)
    with pytest.raises(ValueError, match="float64"):
        gradient_check(net, X, Y)


def test_global_norm_of_huge_finite_gradients_does_not_overflow():
    grads = {"W1": np.full((2, 2), 1e20, dtype=np.float32)}
    assert global_norm(grads) == pytest.approx(2e20, rel=1e-6)  # sqrt(4) * 1e20
    total = clip_by_global_norm(grads, 1.0)
    assert total == pytest.approx(2e20, rel=1e-6)
    np.testing.assert_allclose(grads["W1"], 0.5, rtol=1e-6)  # not zeros


def test_accuracy_accepts_labels_as_a_column():
    net = MLP([2, 3, 2], output="softmax", seed=0)
    pred = net.predict(X)
    column = pred[:, None].copy()
    column[0] = 1 - column[0]  # one of four wrong
    assert accuracy(net, X, column) == 0.75


def test_numpy_hyper_parameters_are_stored_as_python_floats():
    # A NumPy float64 learning rate would turn every float32 update temporary into float64.
    for opt in (optim.SGD(np.float64(0.1)), optim.Momentum(0.1, beta=np.float64(0.9)),
                optim.RMSprop(0.1, rho=np.float64(0.9)), optim.Adam(np.float64(0.1))):
        assert all(type(v) is float for k, v in vars(opt).items() if k not in ("t", "state"))


def test_architecture_errors():
    with pytest.raises(ValueError, match="unknown activation 'gelu'; valid names"):
        MLP([2, 1], activation="gelu")
    with pytest.raises(ValueError, match="whole layer widths"):
        MLP([2.7, 3, 1])
    net = MLP([2, 3, 1], init=np.float32(0.1), seed=0)
    assert net.init == np.float32(0.1)


def test_binary_cross_entropy_targets_must_be_probabilities():
    net = MLP([2, 3, 1], output="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"target 2 at row 1, column 0 is out of range"):
        net.loss(X[:2], [0, 2], loss="binary_cross_entropy")


def test_one_hot_names_an_out_of_range_label():
    with pytest.raises(ValueError, match="label 2 at position 1 is out of range for k=2"):
        data.one_hot([0, 2], 2)
