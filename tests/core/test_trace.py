r"""net.trace: every number of the forward and backward pass, named and shaped as in the course.

The backward entries are checked against their definitions by central differences:
$\delta^{(l)} = \partial L/\partial Z^{(l)}$ by nudging $Z^{(l)}$ and re-running the layers
above it, and ``dA{l}`` = $\partial L/\partial A^{(l)}$ by nudging $A^{(l)}$.
"""

from __future__ import annotations

import numpy as np
import pytest
from numeric import central_difference

from bpcourse import MLP
from bpcourse.trace import Trace

SIZES = [3, 4, 5, 2]
N = 6


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


F = {"tanh": np.tanh, "sigmoid": _sigmoid}
F_PRIME = {"tanh": lambda z: 1 - np.tanh(z) ** 2,
           "sigmoid": lambda z: _sigmoid(z) * (1 - _sigmoid(z))}
HIDDEN = ["tanh", "sigmoid"]


@pytest.fixture
def run():
    """A net after loss_and_gradients on a softmax/cross-entropy batch."""
    rng = np.random.default_rng(11)
    net = MLP(SIZES, activation=HIDDEN, output="softmax", seed=11)
    for p in net.params.values():
        p[...] = rng.normal(0.0, 0.8, p.shape)
    X = rng.normal(size=(N, SIZES[0]))
    y = rng.integers(0, SIZES[-1], N)
    loss, grads = net.loss_and_gradients(X, y, loss="cross_entropy")
    return net, X, np.eye(SIZES[-1])[y], loss, grads


def loss_from_layer(net, l, A, Y):
    """Cross-entropy after feeding A (the activation of layer l) through layers l+1..L."""
    L = net.n_layers
    for k in range(l + 1, L + 1):
        Z = A @ net.params[f"W{k}"] + net.params[f"b{k}"]
        A = F[HIDDEN[k - 1]](Z) if k < L else Z
    shifted = A - A.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_p) / len(Y)



def rel_err(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def test_every_entry_is_present_with_its_shape(run):
    net, *_ = run
    t = net.trace
    expected = {"A0": (N, 3)}
    for l in (1, 2, 3):
        n_prev, n = SIZES[l - 1], SIZES[l]
        expected |= {f"Z{l}": (N, n), f"A{l}": (N, n), f"delta{l}": (N, n),
                     f"dW{l}": (n_prev, n), f"db{l}": (n,)}
    for l in (1, 2):  # hidden layers also keep the upstream gradient and f'(Z)
        expected |= {f"dA{l}": (N, SIZES[l]), f"fprime{l}": (N, SIZES[l])}
    assert {k: v.shape for k, v in t.items()} == expected


def test_forward_entries_equal_a_numpy_forward(run):
    net, X, *_ = run
    t, p = net.trace, net.params
    np.testing.assert_array_equal(t["A0"], X)
    A = X
    for l in (1, 2, 3):
        Z = A @ p[f"W{l}"] + p[f"b{l}"]
        if l < 3:
            A = F[HIDDEN[l - 1]](Z)
        else:
            A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(t[f"Z{l}"], Z, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(t[f"A{l}"], A, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("l", [1, 2, 3])
def test_delta_is_dL_dZ(run, l):
    net, _, Y, loss, _ = run
    t = net.trace

    def loss_of_Z(Z):
        A = F[HIDDEN[l - 1]](Z) if l < net.n_layers else Z  # softmax is in the loss helper
        return loss_from_layer(net, l, A, Y)

    assert loss_of_Z(t[f"Z{l}"]) == pytest.approx(loss, rel=1e-12)
    assert rel_err(t[f"delta{l}"], central_difference(loss_of_Z, t[f"Z{l}"])) < 1e-7


@pytest.mark.parametrize("l", [1, 2])
def test_dA_is_dL_dA_and_fprime_is_f_prime(run, l):
    net, _, Y, _, _ = run
    t = net.trace
    numeric = central_difference(lambda A: loss_from_layer(net, l, A, Y), t[f"A{l}"])
    assert rel_err(t[f"dA{l}"], numeric) < 1e-7
    np.testing.assert_allclose(t[f"fprime{l}"], F_PRIME[HIDDEN[l - 1]](t[f"Z{l}"]), rtol=1e-12)
    np.testing.assert_allclose(t[f"delta{l}"], t[f"dA{l}"] * t[f"fprime{l}"], rtol=1e-12)


@pytest.mark.parametrize("l", [1, 2, 3])
def test_weight_gradients_come_from_delta(run, l):
    net, _, _, _, grads = run
    t = net.trace
    np.testing.assert_allclose(t[f"dW{l}"], t[f"A{l - 1}"].T @ t[f"delta{l}"], rtol=1e-12)
    np.testing.assert_allclose(t[f"db{l}"], t[f"delta{l}"].sum(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(t[f"dW{l}"], grads[f"W{l}"])
    np.testing.assert_array_equal(t[f"db{l}"], grads[f"b{l}"])


def test_printed_table_lists_every_entry(run):
    net, _, _, loss, _ = run
    text = repr(net.trace)
    assert text == str(net.trace) == net.trace.table()
    lines = text.splitlines()
    assert lines[0].split() == ["name", "layer", "shape", "values"]
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert set(rows) == set(net.trace)
    for name, row in rows.items():
        assert str(net.trace[name].shape) in row
    assert f"{net.trace['A0'][0, 0]: .4g}".strip() in rows["A0"]
    assert lines[-1] == f"loss = {loss:.6g}"
    assert net.trace.loss == loss


def test_order_forward_then_backward(run):
    net, *_ = run
    assert net.trace.names() == [
        "A0", "Z1", "A1", "Z2", "A2", "Z3", "A3",
        "delta3", "dW3", "db3", "dA2", "fprime2", "delta2", "dW2", "db2",
        "dA1", "fprime1", "delta1", "dW1", "db1",
    ]
    assert list(net.trace.layer(2)) == ["Z2", "A2", "dA2", "fprime2", "delta2", "dW2", "db2"]
    assert list(net.trace.layer(0)) == ["A0"]
    np.testing.assert_array_equal(net.trace.layer(3)["delta3"], net.trace["delta3"])


def test_forward_alone_records_only_the_forward_pass():
    net = MLP([2, 3, 1], seed=0)
    net.forward(np.ones((4, 2)))
    assert set(net.trace) == {"A0", "Z1", "A1", "Z2", "A2"}
    assert net.trace.loss is None
    assert "loss =" not in repr(net.trace)


def test_each_pass_gets_a_fresh_trace():
    net = MLP([2, 3, 1], seed=0)
    net.loss_and_gradients(np.ones((4, 2)), np.ones((4, 1)))
    first = net.trace
    net.forward(np.zeros((2, 2)))
    assert net.trace is not first
    assert "delta1" not in net.trace and net.trace["A0"].shape == (2, 2)


def test_empty_trace_says_how_to_fill_it():
    assert "run forward" in repr(Trace())
    assert "run forward" in repr(MLP([2, 1]).trace)
