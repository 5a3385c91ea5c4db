"""bpcourse.lessons.chain_rule: the scalar engine and forward mode against SymPy and finite
differences, and the path counts against brute-force enumeration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy as sp

from bpcourse import MLP
from bpcourse.lessons.chain_rule import (
    Dual,
    Value,
    dual_sigmoid,
    forward_mode_gradient,
    neuron_loss,
    pass_counts,
    path_counts,
)

W0, B0, X_N, Y_N = 0.8, -0.5, 1.5, 1.0


def sympy_neuron_gradient(w0, b0, x0, y0):
    w, b = sp.symbols("w b")
    L = sp.Rational(1, 2) * (1 / (1 + sp.exp(-(w * x0 + b))) - y0) ** 2
    at = {w: w0, b: b0}
    return float(L.subs(at)), float(sp.diff(L, w).subs(at)), float(sp.diff(L, b).subs(at))


def test_the_neuron_gradient_matches_sympy():
    w, b = Value(W0), Value(B0)
    loss = neuron_loss(w, b, X_N, Y_N)
    loss.backward()
    value, dw, db = sympy_neuron_gradient(W0, B0, X_N, Y_N)
    assert loss.data == pytest.approx(value, rel=1e-12)
    assert w.grad == pytest.approx(dw, rel=1e-12)
    assert b.grad == pytest.approx(db, rel=1e-12)


def test_the_neuron_gradient_matches_the_mlp_backward_pass():
    net = MLP([1, 1], activation="sigmoid", output="sigmoid", seed=0)
    net.params["W1"][:] = W0
    net.params["b1"][:] = B0
    _, grads = net.loss_and_gradients(np.array([[X_N]]), np.array([[Y_N]]), loss="mse")
    w, b = Value(W0), Value(B0)
    neuron_loss(w, b, X_N, Y_N).backward()
    # The package's mse is ½ (a - y)² averaged over rows and outputs: one of each here.
    assert w.grad == pytest.approx(grads["W1"][0, 0], rel=1e-12)
    assert b.grad == pytest.approx(grads["b1"][0], rel=1e-12)


@pytest.mark.parametrize("build", [
    lambda a, b: a * b + a,                 # a used twice: its gradients add up
    lambda a, b: (a * a).tanh() * b.exp(),
    lambda a, b: 3.0 - a * 2.0 + b * (a + 1.0),
    lambda a, b: -(a.exp() * b).tanh(),
])
def test_every_operation_agrees_with_central_differences(build):
    a0, b0, h = 0.3, -0.7, 1e-6
    a, b = Value(a0), Value(b0)
    out = build(a, b)
    out.backward()
    f = lambda x, y: build(Value(x), Value(y)).data  # noqa: E731
    assert a.grad == pytest.approx((f(a0 + h, b0) - f(a0 - h, b0)) / (2 * h), rel=1e-6, abs=1e-9)
    assert b.grad == pytest.approx((f(a0, b0 + h) - f(a0, b0 - h)) / (2 * h), rel=1e-6, abs=1e-9)


def test_backward_twice_gives_the_same_gradient_instead_of_doubling_it():
    a = Value(2.0)
    out = a * a
    out.backward()
    out.backward()
    assert a.grad == 4.0


def test_a_deep_chain_does_not_hit_the_recursion_limit():
    x = Value(0.1)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_forward_mode_gives_the_same_gradient_in_one_pass_per_input():
    def f(w, b):
        err = dual_sigmoid(w * X_N + b) - Y_N
        return err * err * 0.5

    _, dw, db = sympy_neuron_gradient(W0, B0, X_N, Y_N)
    assert forward_mode_gradient(f, [W0, B0]) == pytest.approx([dw, db], rel=1e-12)
    assert Dual(2.0, 1.0) * Dual(3.0) == Dual(6.0, 3.0)


def test_pass_counts_are_inputs_for_forward_and_outputs_for_reverse():
    (loss,) = pass_counts([(1_000_000, 1)])
    assert (loss.forward_mode, loss.reverse_mode) == (1_000_000, 1)


def brute_force_paths(sizes, layer):
    """Enumerate the unit sequences above one unit of ``layer``: one unit per higher layer."""
    return sum(1 for _ in itertools.product(*[range(n) for n in sizes[layer + 1:]]))


@pytest.mark.parametrize("sizes", [[3, 4, 5, 2], [2, 2, 2, 2, 1], [1, 3, 1], [4, 2]])
def test_path_counts_match_brute_force_enumeration(sizes):
    counts = path_counts(sizes)
    total = 0
    for l in range(1, len(sizes)):
        assert counts[f"W{l}"] == brute_force_paths(sizes, l)
        total += (sizes[l - 1] + 1) * sizes[l] * brute_force_paths(sizes, l)
    assert counts["total"] == total


def test_the_notebook_exercise_weight_has_ten_paths():
    assert path_counts([3, 4, 5, 2])["W1"] == 10


def test_width_two_paths_double_with_each_extra_layer():
    totals = [path_counts([2] + [2] * d + [1])["W1"] for d in range(1, 12)]
    assert all(b == 2 * a for a, b in itertools.pairwise(totals))
    assert totals[-1] == 2 ** 10 == math.prod([2] * 10)


@pytest.mark.parametrize("sizes", [[3], [], [2, 0, 1], [2, -1]])
def test_path_counts_refuses_impossible_sizes(sizes):
    with pytest.raises(ValueError, match="positive widths"):
        path_counts(sizes)
