"""The L1 penalty λ₁ Σ|W|: its loss, its gradient λ₁ sign(W), and its plumbing through fit,
gradient_check and Settings."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import MLP
from bpcourse.gradcheck import gradient_check
from bpcourse.optim import SGD
from bpcourse.runs import Settings, train_run
from bpcourse.train import fit


def _net_away_from_zero(seed: int = 0) -> MLP:
    """A small float64 net whose every weight is at least 0.1 from 0, so central
    differences with eps = 1e-6 never straddle the kink of |w|."""
    net = MLP([3, 4, 2], activation="tanh", output="softmax", seed=seed, dtype=np.float64)
    for l in (1, 2):
        W = net.params[f"W{l}"]
        W[np.abs(W) < 0.1] = 0.1 * np.where(W[np.abs(W) < 0.1] < 0, -1.0, 1.0)
    return net


def _data(seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(6, 3)), rng.integers(0, 2, size=6)


def test_the_l1_gradient_matches_central_differences_away_from_zero():
    net = _net_away_from_zero()
    X, y = _data()
    report = gradient_check(net, X, y, loss="cross_entropy", l1=0.05)
    assert report.passed, report.errors


def test_l1_and_l2_together_match_central_differences():
    net = _net_away_from_zero(seed=3)
    X, y = _data(seed=4)
    report = gradient_check(net, X, y, loss="cross_entropy", l2=0.1, l1=0.05)
    assert report.passed, report.errors


def test_the_l1_loss_adds_lambda_times_the_sum_of_absolute_weights_worked_by_hand():
    # One linear layer, W = [[1], [-2]], b = [3], X = 0: the output is b whatever W is,
    # so the data loss does not change and only the penalty differs.
    net = MLP([2, 1], output="identity", init=0.0)
    net.params["W1"][:] = [[1.0], [-2.0]]
    net.params["b1"][:] = [3.0]
    X, Y = np.zeros((1, 2)), np.array([[3.0]])
    assert net.loss(X, Y) == 0.0
    assert net.loss(X, Y, l1=0.5) == pytest.approx(0.5 * (1 + 2))


def test_the_l1_gradient_is_lambda_times_the_sign_of_each_weight_worked_by_hand():
    net = MLP([2, 1], output="identity", init=0.0)
    net.params["W1"][:] = [[1.0], [-2.0]]
    net.params["b1"][:] = [3.0]
    _, grads = net.loss_and_gradients(np.zeros((1, 2)), np.array([[3.0]]), l1=0.5)
    np.testing.assert_array_equal(grads["W1"], [[0.5], [-0.5]])
    np.testing.assert_array_equal(grads["b1"], [0.0])  # biases are not penalised


def test_a_weight_at_exactly_zero_gets_no_l1_push():
    net = MLP([2, 1], output="identity", init=0.0)
    net.params["W1"][:] = [[0.0], [2.0]]
    _, grads = net.loss_and_gradients(np.zeros((1, 2)), np.zeros((1, 1)), l1=1.0)
    np.testing.assert_array_equal(grads["W1"], [[0.0], [1.0]])


def test_the_l1_gradient_does_not_grow_with_the_weight_unlike_l2():
    net = MLP([1, 1], output="identity", init=0.0)
    X, Y = np.zeros((1, 1)), np.zeros((1, 1))
    pushes = []
    for w in (0.5, 5.0):
        net.params["W1"][:] = w
        pushes.append(net.loss_and_gradients(X, Y, l1=0.1)[1]["W1"].item())
    assert pushes == [0.1, 0.1]


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", True])
def test_a_bad_l1_is_refused_with_its_name(bad):
    net = MLP([2, 2, 1], output="identity", seed=0)
    X, Y = np.ones((3, 2)), np.ones((3, 1))
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        net.loss(X, Y, l1=bad)
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        fit(net, X, Y, epochs=1, progress=False, l1=bad)


def test_fit_with_l1_drives_weights_to_zero_that_fit_without_leaves_alone():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 8))
    y = (X[:, 0] > 0).astype(int)  # only the first input matters
    sparse_counts = []
    for l1 in (0.0, 0.05):
        net = MLP([8, 2], output="softmax", seed=0)
        fit(net, X, y, loss="cross_entropy", optimizer=SGD(0.1), epochs=200, batch_size=64,
            progress=False, l1=l1)
        sparse_counts.append(int(np.sum(np.abs(net.params["W1"][1:]) < 0.01)))
    # 7 useless inputs × 2 outputs = 14 weights: L1 pins most of them near 0.
    assert sparse_counts[0] < 4 <= 10 <= sparse_counts[1]


def test_settings_validate_l1_and_train_run_passes_it_on():
    with pytest.raises(ValueError, match="l1 must be >= 0"):
        Settings(l1=-1.0)
    with pytest.raises(ValueError, match="l1 must be >= 0"):
        Settings(l1=float("nan"))
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, size=40)
    base = Settings(hidden=(8,), epochs=3, batch_size=None)
    plain = train_run(base, (X, y))
    penalised = train_run(base.replace(l1=0.05), (X, y))
    assert Settings.from_dict(penalised.settings.to_dict()).l1 == 0.05
    assert not np.allclose(plain.net.params["W1"], penalised.net.params["W1"])
