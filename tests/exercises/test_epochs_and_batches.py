"""Checks of notebook 05's exercises: right answers pass, typical slips get their own hint."""

import numpy as np
import pytest

from bpcourse import MLP
from bpcourse.exercises import epochs_and_batches as ex

# The hand-gradient exercise of the notebook: a linear model, batch = rows 1 and 2.
X = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, 0.0], [1.0, -1.0]])
Y = np.array([[3.0], [1.0], [2.0], [1.0]])
W1 = np.array([[1.0], [-1.0]])
b1 = np.array([0.5])
ROWS = [1, 2]
GIVENS = {"X": X, "Y": Y, "W1": W1, "b1": b1, "rows": ROWS}


def run(check, *args, capsys, **kwargs):
    ok = check(*args, **kwargs)
    return ok, capsys.readouterr().out


# -- iterations ---------------------------------------------------------------------------
def test_iterations_right(capsys):
    ok, out = run(ex.check_iterations, 48, capsys=capsys)
    assert ok and out.startswith("Correct")


@pytest.mark.parametrize("answer, words", [
    (45, "round up"),                    # floor: 15 per epoch
    (47, "round up per epoch"),          # ceil(3000 / 64)
    (46.875, "whole numbers"),
    (16, "one epoch"),
    (3000, "samples seen"),
    (15, "rounded down"),
    (50, "ceil(N / B)"),                 # no recognised slip: the general hint
    (..., "no answer yet"),
])
def test_iterations_slips(capsys, answer, words):
    ok, out = run(ex.check_iterations, answer, capsys=capsys)
    assert not ok
    assert out.startswith("Not yet") and words in out


def test_iterations_other_givens(capsys):
    assert ex.check_iterations(4 * 10, n=100, batch_size=10, epochs=4)
    # when B divides N, floor and ceil agree: 40 must not be called a slip
    assert "Correct" in capsys.readouterr().out
    assert ex.check_iterations(2 * 13, n=100, batch_size=8, epochs=2)


# -- noise factor ---------------------------------------------------------------------------
def test_noise_factor_right(capsys):
    ok, out = run(ex.check_noise_factor, 4, capsys=capsys)
    assert ok and out.startswith("Correct")
    assert ex.check_noise_factor(10, b_from=1, b_to=10)


@pytest.mark.parametrize("answer, words", [
    (2, "standard deviation"),
    (0.25, "above 1"),
    (16, "not by B²"),
    (24, "ratios"),
    (3, "compare 1/8 with 1/32"),
])
def test_noise_factor_slips(capsys, answer, words):
    ok, out = run(ex.check_noise_factor, answer, capsys=capsys)
    assert not ok and words in out


# -- the hand-computed batch gradient ---------------------------------------------------------
def test_batch_gradient_matches_the_hand_calculation_and_the_mlp():
    dW, db = ex.batch_gradient(X, Y, W1, b1, ROWS)
    # by hand: errors e = (-0.5 - 1, 2.5 - 2) = (-1.5, 0.5)
    # dW = ((0)(-1.5) + (2)(0.5), (1)(-1.5) + (0)(0.5)) / 2 ; db = (-1.5 + 0.5) / 2
    np.testing.assert_allclose(dW, [[0.5], [-0.75]])
    np.testing.assert_allclose(db, [-0.5])
    net = MLP([2, 1], output="identity")
    net.params["W1"][:], net.params["b1"][:] = W1, b1
    _, grads = net.loss_and_gradients(X[ROWS], Y[ROWS], loss="mse")
    np.testing.assert_allclose(dW, grads["W1"])
    np.testing.assert_allclose(db, grads["b1"])


def test_batch_gradient_right(capsys):
    ok, out = run(ex.check_batch_gradient, np.array([[0.5], [-0.75]]), np.array([-0.5]),
                  capsys=capsys, **GIVENS)
    assert ok
    assert out.count("Correct") == 2


@pytest.mark.parametrize("dW1, words", [
    ([[1.0], [-1.5]], "divide by B"),
    ([[-0.5], [0.75]], "sign flipped"),
    ([[-0.25], [-2.5]], "uses every row"),
    ([[-1.75], [-4.25]], "you used rows [0, 1]"),
    ([[0.5, -0.75]], "shape"),
    ([[0.5], [0.75]], "x^T e"),
])
def test_batch_gradient_slips_in_dW(capsys, dW1, words):
    ok, out = run(ex.check_batch_gradient, np.array(dW1), np.array([-0.5]), capsys=capsys,
                  **GIVENS)
    assert not ok
    assert words in out
    assert "dL/db1" not in out  # stops at the first wrong part


@pytest.mark.parametrize("db1, words", [
    ([-1.0], "sum of the errors"),
    ([0.5], "sign flipped"),
    ([-0.75], "only the batch's rows"),
    (-0.5, "shape"),
])
def test_batch_gradient_slips_in_db(capsys, db1, words):
    ok, out = run(ex.check_batch_gradient, np.array([[0.5], [-0.75]]), db1, capsys=capsys,
                  **GIVENS)
    assert not ok
    assert "Correct: dL/dW1" in out and words in out
