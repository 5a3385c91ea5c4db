r"""Inverted dropout: unbiased in expectation, masked units pass no gradient, eval mode is off.

With drop probability p and keep = 1 - p, training mode multiplies each hidden activation
by an independent mask entry that is 1/keep with probability keep and 0 otherwise, so
$E[\text{mask}] = 1$ and $\mathrm{Var}[\text{mask}] = 1/\text{keep} - 1 = p/\text{keep}$.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import MLP, gradient_check


def dropout_net(p=0.3, sizes=(3, 20, 2), seed=0):
    net = MLP(list(sizes), activation="tanh", output="identity", dropout=p, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for name, arr in net.params.items():
        if name.startswith("b"):
            arr[...] = rng.normal(0.0, 0.3, arr.shape)
    return net, rng.normal(size=(4, sizes[0])), rng.normal(size=(4, sizes[-1]))


def test_expected_activation_is_unchanged():
    p, M = 0.3, 4000
    net, X, _ = dropout_net(p)
    net.eval()
    net.forward(X)
    A_eval = net.trace["A1"].copy()
    net.train()
    total = np.zeros_like(A_eval)
    for _ in range(M):
        net.forward(X)
        total += net.trace["A1"]
    mean = total / M
    # Standard error of the mean of A * mask over M independent masks.
    se = np.abs(A_eval) * np.sqrt(p / (1 - p) / M)
    z = np.abs(mean - A_eval) / se
    # 80 entries, each |z| > 4.5 with probability ~7e-6; without the 1/keep rescaling the
    # mean would be 0.7 A and z would be around 0.3 sqrt(M / 0.43), about 30.
    assert z.max() < 4.5, f"largest z-score {z.max():.2f}"


def test_mask_values_and_drop_rate():
    p = 0.25
    net, X, _ = dropout_net(p, sizes=(3, 50, 2))
    masks = []
    for _ in range(200):
        net.forward(X)
        masks.append(net.trace["mask1"])
    masks = np.array(masks)
    assert set(np.unique(masks)) == {0.0, 1 / (1 - p)}
    dropped = np.mean(masks == 0)
    se = np.sqrt(p * (1 - p) / masks.size)
    assert abs(dropped - p) < 4 * se


def test_mask_is_in_the_trace_and_multiplies_the_activation():
    net, X, _ = dropout_net(0.5, sizes=(3, 6, 5, 2))
    net.forward(X)
    t = net.trace
    assert t["mask1"].shape == (4, 6) and t["mask2"].shape == (4, 5)
    assert "mask3" not in t  # the output layer is never dropped
    np.testing.assert_array_equal(t["A1"], np.tanh(t["Z1"]) * t["mask1"])
    np.testing.assert_array_equal(t["A2"], np.tanh(t["Z2"]) * t["mask2"])
    assert "mask1" in repr(t)


def test_masked_units_pass_no_gradient():
    net, X, Y = dropout_net(0.5, sizes=(3, 6, 5, 2), seed=4)
    _, grads = net.loss_and_gradients(X, Y)
    t = net.trace
    for l in (1, 2):
        dropped = t[f"mask{l}"] == 0
        assert dropped.any() and (~dropped).any()
        assert np.all(t[f"delta{l}"][dropped] == 0.0)
        assert np.all(t[f"delta{l}"][~dropped] != 0.0)
        np.testing.assert_allclose(t[f"delta{l}"],
                                   t[f"dA{l}"] * t[f"mask{l}"] * (1 - np.tanh(t[f"Z{l}"]) ** 2))
    # With one row, dW2 = A1^T delta2: a dropped unit j of layer 1 gives a zero row j.
    net1, X1, Y1 = dropout_net(0.5, sizes=(3, 8, 2), seed=5)
    _, g = net1.loss_and_gradients(X1[:1], Y1[:1])
    dropped = net1.trace["mask1"][0] == 0
    assert dropped.any()
    assert np.all(g["W2"][dropped] == 0.0)
    assert np.all(g["W2"][~dropped] != 0.0)


def test_eval_mode_uses_no_mask():
    net, X, _ = dropout_net(0.5)
    net.eval()
    out1 = net.forward(X)
    assert "mask1" not in net.trace
    np.testing.assert_allclose(net.trace["A1"], np.tanh(X @ net.params["W1"] + net.params["b1"]))
    np.testing.assert_array_equal(net.forward(X), out1)
    net.train()
    a, b = net.forward(X), net.forward(X)
    assert "mask1" in net.trace
    assert not np.array_equal(a, b)  # a fresh mask each pass


def test_no_dropout_means_no_mask():
    net = MLP([3, 4, 2], dropout=0.0, seed=0)
    net.forward(np.ones((2, 3)))
    assert not any(name.startswith("mask") for name in net.trace)


@pytest.mark.parametrize("sizes", [(3, 6, 2), (2, 5, 4, 3)])
def test_gradient_check_passes_with_dropout(sizes):
    net, X, Y = dropout_net(0.4, sizes=sizes, seed=2)
    report = gradient_check(net, X, Y)
    assert report.passed, report


def test_gradients_match_central_differences_of_a_fixed_mask():
    """Independent check: freeze the trace's mask and differentiate a forward written here."""
    net, X, Y = dropout_net(0.4, sizes=(3, 6, 2), seed=3)
    _, grads = net.loss_and_gradients(X, Y)
    mask = net.trace["mask1"].copy()

    def loss(params):
        A1 = np.tanh(X @ params["W1"] + params["b1"]) * mask
        out = A1 @ params["W2"] + params["b2"]
        return 0.5 * np.sum((out - Y) ** 2) / len(X)

    eps = 1e-6
    for name, p in net.params.items():
        numeric = np.zeros_like(p)
        for i in range(p.size):
            up = {k: v.copy() for k, v in net.params.items()}
            down = {k: v.copy() for k, v in net.params.items()}
            up[name].flat[i] += eps
            down[name].flat[i] -= eps
            numeric.flat[i] = (loss(up) - loss(down)) / (2 * eps)
        err = np.linalg.norm(grads[name] - numeric) / (
            np.linalg.norm(grads[name]) + np.linalg.norm(numeric))
        assert err < 1e-7, f"{name}: relative error {err:.2e}"
