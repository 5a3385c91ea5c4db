"""Checks of notebook 01's exercises: right answers pass, the usual slips get their hint."""

import numpy as np
import pytest

from bpcourse.exercises.forward_pass import (
    check_A1,
    check_collapse,
    check_cross_entropy,
    check_shapes,
    check_Z1,
    expected_shape,
)

X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5], [-2.0, 1.0]])
W1 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
b1 = np.array([0.1, -0.2, 0.3])
# Z1 worked by hand, row by row: x1*W1[0] + x2*W1[1] + b1
Z1_HAND = np.array([
    [0.5 + 3.0 + 0.1, -1.0 + 0.5 - 0.2, 2.0 - 1.0 + 0.3],
    [0.0 - 1.5 + 0.1, 0.0 - 0.25 - 0.2, 0.0 + 0.5 + 0.3],
    [1.5 + 0.75 + 0.1, -3.0 + 0.125 - 0.2, 6.0 - 0.25 + 0.3],
    [-1.0 + 1.5 + 0.1, 2.0 + 0.25 - 0.2, -4.0 - 0.5 + 0.3],
])


def run(capsys, check, *args):
    ok = check(*args)
    return ok, capsys.readouterr().out


# -- Z1 --------------------------------------------------------------------------------
def test_Z1_right_answer(capsys):
    ok, out = run(capsys, check_Z1, Z1_HAND, X, W1, b1)
    assert ok and out.startswith("Correct")


@pytest.mark.parametrize("wrong,hint", [
    (X @ W1, "left out the bias"),
    ((X @ W1 + b1).T, "transposed"),
    (1 / (1 + np.exp(-Z1_HAND)), "That is A1"),
    (X @ W1 - b1, "added, not subtracted"),
    (..., "no answer yet"),
])
def test_Z1_slips_get_their_hint(capsys, wrong, hint):
    ok, out = run(capsys, check_Z1, wrong, X, W1, b1)
    assert not ok and out.startswith("Not yet") and hint in out


def test_Z1_transposed_W_with_a_square_layer(capsys):
    Wsq = np.array([[1.0, 2.0], [-3.0, 0.5]])
    b = np.array([0.5, -0.5])
    ok, out = run(capsys, check_Z1, X @ Wsq.T + b, X, Wsq, b)
    assert not ok and "W1 transposed" in out
    ok, _ = run(capsys, check_Z1, X @ Wsq + b, X, Wsq, b)
    assert ok


def test_Z1_unknown_mistake_falls_back_to_where_it_differs(capsys):
    wrong = Z1_HAND.copy()
    wrong[2, 1] += 1.0
    ok, out = run(capsys, check_Z1, wrong, X, W1, b1)
    assert not ok and "index (2, 1)" in out and "Hint: Multiply X" in out


# -- A1 --------------------------------------------------------------------------------
A1_HAND = 1 / (1 + np.exp(-Z1_HAND))


def test_A1_right_answer(capsys):
    ok, out = run(capsys, check_A1, A1_HAND, X, W1, b1)
    assert ok and out.startswith("Correct")


@pytest.mark.parametrize("wrong,hint", [
    (Z1_HAND, "That is Z1"),
    (1 / (1 + np.exp(-A1_HAND)), "applied twice"),
    (1 / (1 + np.exp(-(X @ W1))) + b1, "inside the activation"),
    (1 / (1 + np.exp(-(X @ W1))), "left out the bias"),
    (1 / (1 + np.exp(Z1_HAND)), "sign in the exponent"),
    (np.tanh(Z1_HAND), "not tanh"),
    (A1_HAND.T, "transposed"),
])
def test_A1_slips_get_their_hint(capsys, wrong, hint):
    ok, out = run(capsys, check_A1, wrong, X, W1, b1)
    assert not ok and hint in out


# -- shapes ----------------------------------------------------------------------------
SIZES, N = [4, 5, 3], 10
RIGHT = {"W1": (4, 5), "b1": (5,), "Z1": (10, 5), "A1": (10, 5), "W2": (5, 3),
         "b2": (3,), "Z2": (10, 3), "A2": (10, 3)}


def test_expected_shapes_and_bad_names():
    assert {k: expected_shape(k, SIZES, N) for k in RIGHT} == RIGHT
    assert expected_shape("A0", SIZES, N) == (10, 4)
    for bad in ("W0", "W3", "Q1", "b"):
        with pytest.raises(ValueError, match="no array named"):
            expected_shape(bad, SIZES, N)


@pytest.mark.parametrize("key", ["X", "W3", "w1", "Z0", 1, ("W", 1)])
def test_shapes_unknown_key_gets_a_verdict_with_the_valid_names(capsys, key):
    ok, out = run(capsys, check_shapes, {**RIGHT, key: (4, 3)}, SIZES, N)
    assert not ok and out.startswith("Not yet") and f"no array named {key!r}" in out
    assert "A0, W1, b1, Z1, A1, W2, b2, Z2, A2" in out


def test_shapes_unknown_key_X_is_pointed_to_A0(capsys):
    ok, out = run(capsys, check_shapes, {"X": (10, 4)}, SIZES, N)
    assert not ok and "The input X is called A0" in out
    ok, _ = run(capsys, check_shapes, {**RIGHT, "A0": (10, 4)}, SIZES, N)
    assert ok


@pytest.mark.parametrize("answer,words", [
    ({}, "W1, b1, Z1, A1, W2, b2, Z2, A2 are missing"),
    ({"W1": (4, 5)}, "b1, Z1, A1, W2, b2, Z2, A2 are missing"),
    ({k: v for k, v in RIGHT.items() if k != "Z2"}, "Z2 is missing"),
    ({**RIGHT, "b1": 5}, "5 is a number, not a shape"),
    ({**RIGHT, "b1": 5.0}, "is a number, not a shape"),
    (..., "no answer yet"),
    ([(4, 5)], "Expected a dict"),
])
def test_shapes_incomplete_answers_are_not_correct(capsys, answer, words):
    # Before: {}, a dict with only W1 and "b1": 5 were all marked Correct.
    ok, out = run(capsys, check_shapes, answer, SIZES, N)
    assert not ok and out.startswith("Not yet") and words in out


@pytest.mark.parametrize("given", [np.array([5]), [5], (np.int64(5),), (5.0,)])
def test_shapes_accept_any_spelling_of_a_tuple(capsys, given):
    ok, _ = run(capsys, check_shapes, {**RIGHT, "b1": given}, SIZES, N)
    assert ok


def test_shapes_right_answer(capsys):
    ok, out = run(capsys, check_shapes, dict(RIGHT, b2=[3]), SIZES, N)
    assert ok and out.startswith("Correct")


@pytest.mark.parametrize("key,wrong,hint", [
    ("W2", (3, 5), "one row per input of the layer"),
    ("W2", (4, 3), "connects layer 1 (5 units) to layer 2"),
    ("b1", (10, 5), "one bias per unit"),
    ("Z1", (5, 10), "A batch is rows"),
    ("A2", (10, 5), "one column per unit of layer 2 (3 units)"),
    ("A1", ..., "no answer for A1"),
    ("b2", "three", "not a shape"),
])
def test_shapes_slips_get_their_hint(capsys, key, wrong, hint):
    ok, out = run(capsys, check_shapes, dict(RIGHT, **{key: wrong}), SIZES, N)
    assert not ok and hint in out and out.startswith("Not yet")


# -- collapse --------------------------------------------------------------------------
V1, c1 = W1, b1
V2 = np.array([[1.0, -1.0], [0.5, 2.0], [-0.25, 0.0]])
c2 = np.array([0.2, -0.3])


def test_collapse_matches_two_linear_layers(capsys):
    W = V1 @ V2
    b = c1 @ V2 + c2
    # the collapsed layer really reproduces the two-layer computation
    np.testing.assert_allclose(X @ W + b, (X @ V1 + c1) @ V2 + c2)
    ok, out = run(capsys, check_collapse, W, b, V1, c1, V2, c2)
    assert ok and out.count("Correct") == 2


@pytest.mark.parametrize("which,wrong,hint", [
    ("b", c2, "b1 also passes through the second layer"),
    ("b", c1 @ V2, "left out b2"),
    ("W", (V1 @ V2).T, "transposed"),
    ("W", V2 @ V1, "Order matters"),
    ("W", V1 @ V2 + 1.0, "Hint: Substitute Z1"),
])
def test_collapse_slips(capsys, which, wrong, hint):
    W, b = V1 @ V2, c1 @ V2 + c2
    W, b = (wrong, b) if which == "W" else (W, wrong)
    ok, out = run(capsys, check_collapse, W, b, V1, c1, V2, c2)
    assert not ok and hint in out


def test_collapse_impossible_slips_are_skipped_without_error(capsys):
    # W1 is (2, 3) and W2 (3, 2), so the slips W1 + W2 and b1 + b2 cannot be computed:
    # they are left out, and an unknown wrong answer falls back to where it differs.
    ok, out = run(capsys, check_collapse, V1 @ V2 + 1.0, c1 @ V2 + c2, V1, c1, V2, c2)
    assert not ok and "largest difference" in out and "common slip" not in out


def test_collapse_order_slip_with_square_matrices(capsys):
    A = np.array([[1.0, 2.0], [0.0, 1.0]])
    B = np.array([[0.0, 1.0], [1.0, 1.0]])
    c, d = np.zeros(2), np.ones(2)
    ok, out = run(capsys, check_collapse, B @ A, c @ B + d, A, c, B, d)
    assert not ok and "Order matters" in out
    ok, out = run(capsys, check_collapse, A + B, c @ B + d, A, c, B, d)
    assert not ok and "not by sum" in out


# -- cross-entropy ---------------------------------------------------------------------
LOGITS = np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
LABELS = np.array([0, 1])
# by hand: row 0 has p0 = e^2 / (e^2 + e^0.5 + e^-1); row 1 has p1 = e^1 / (1 + e + e^3)
P_RIGHT = np.array([np.exp(2) / (np.exp(2) + np.exp(0.5) + np.exp(-1)),
                    np.exp(1) / (1 + np.exp(1) + np.exp(3))])
CE = -np.log(P_RIGHT).mean()


def test_cross_entropy_right_answer(capsys):
    ok, out = run(capsys, check_cross_entropy, CE, LOGITS, LABELS)
    assert ok and out.startswith("Correct")
    ok, _ = run(capsys, check_cross_entropy, np.float32(CE), LOGITS, LABELS)
    assert ok


@pytest.mark.parametrize("wrong,hint", [
    (-np.log(P_RIGHT).sum(), "divide by N"),
    (np.log(P_RIGHT).mean(), "Mind the sign"),
    (-np.log10(P_RIGHT).mean(), "not log10"),
    (-np.log2(P_RIGHT).mean(), "not log2"),
    (-(2.0 + 1.0) / 2, "softmax first"),
    (P_RIGHT.mean(), "mean probability"),
    (-np.log(np.exp(LOGITS) / np.exp(LOGITS).sum(axis=0))[[0, 1], LABELS].mean(), "axis=1"),
    (-np.log((np.exp(LOGITS) / np.exp(LOGITS).sum(axis=1, keepdims=True)).max(axis=1)).mean(),
     "true label"),
    (1.234, "You gave 1.234"),
    (1.234, "Subtract each row's max"),
])
def test_cross_entropy_slips(capsys, wrong, hint):
    ok, out = run(capsys, check_cross_entropy, wrong, LOGITS, LABELS)
    assert not ok and hint in out
