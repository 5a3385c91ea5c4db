r"""The Loss records: each loss's value and $\delta^{(L)}$, checked three independent ways.

* by hand: small batches whose loss and delta are worked out in the comments;
* by central differences of the loss, through the output function, in $Z^{(L)}$;
* compact against general: every matched pair's closed form against the chain rule
  $\delta^{(L)} = J_f(Z)^\top\,\partial L/\partial \hat Y$, with the output's Jacobian $J_f$
  written out in full here (not ``output_backward``'s shortcut).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numeric import central_difference

from bpcourse.activations import OUTPUTS, sigmoid, softmax
from bpcourse.losses import (
    COMPACT_RULE,
    LOSSES,
    Loss,
    check_loss,
    get_loss,
    output_backward,
    output_function,
)

PAIRS = [(loss, output) for loss, spec in LOSSES.items() for output in spec.outputs]
COMPACT_PAIRS = [(loss, output) for loss, spec in LOSSES.items() for output in spec.compact]
LN3 = math.log(3.0)  # sigmoid(ln 3) = 3/4 and softmax([0, ln 3]) = [1/4, 3/4]


def batch(loss: str, output: str, seed: int = 0, n: int = 5, k: int = 3):
    """Logits, outputs and targets the loss accepts: one-hot rows for cross-entropy,
    probabilities for binary cross-entropy, any numbers for mse."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(0.0, 1.5, (n, k))
    if loss == "cross_entropy":
        Y = np.eye(k)[rng.integers(0, k, n)]
    elif loss == "binary_cross_entropy":
        Y = rng.random((n, k))
    else:
        Y = rng.normal(size=(n, k))
    return Z, output_function(output)(Z), Y


def loss_of_Z(spec: Loss, output: str, Y: np.ndarray):
    f = output_function(output)
    return lambda Z: spec.value(Z, f(Z), Y)



def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def jacobian(output: str, z: np.ndarray) -> np.ndarray:
    r"""$\partial a_k/\partial z_m$ of one row, as a full (n, n) matrix."""
    if output == "softmax":
        a = softmax(z[None])[0]
        return np.diag(a) - np.outer(a, a)
    if output == "sigmoid":
        s = sigmoid(z)
        return np.diag(s * (1 - s))
    return np.eye(len(z))


def chain(output: str, Z: np.ndarray, dA: np.ndarray) -> np.ndarray:
    """The general chain rule, row by row: delta_n = J_f(z_n)^T dL/da_n."""
    return np.stack([jacobian(output, z).T @ g for z, g in zip(Z, dA, strict=True)])


# -- worked by hand ---------------------------------------------------------------------
HAND = {
    # diff = A - Y = [[1, 0], [-1, -2]]: L = 1/2 (1 + 0 + 1 + 4) / 2; delta = diff / 2
    ("mse", "identity"): ([[1.0, 2.0], [0.0, -1.0]], [[0.0, 2.0], [1.0, 1.0]],
                          1.5, [[0.5, 0.0], [-0.5, -1.0]]),
    # A = [1/2, 3/4], diff = [-1/2, 3/4]: L = 1/2 (1/4 + 9/16) / 2 = 13/64;
    # sigma' = A(1 - A) = [1/4, 3/16], delta = diff / 2 * sigma' = [-1/16, 9/128]
    ("mse", "sigmoid"): ([[0.0], [LN3]], [[1.0], [0.0]], 13 / 64, [[-1 / 16], [9 / 128]]),
    # A = [1/4, 3/4], g = A - Y = [1/4, -1/4]: L = 1/2 (1/16 + 1/16) = 1/16;
    # <g, A> = 1/16 - 3/16 = -1/8, delta = A (g + 1/8) = [3/32, -3/32]
    ("mse", "softmax"): ([[0.0, LN3]], [[0.0, 1.0]], 1 / 16, [[3 / 32, -3 / 32]]),
    # both rows put 3/4 on the right class: L = -log(3/4); delta = (A - Y) / 2
    ("cross_entropy", "softmax"): ([[0.0, LN3], [LN3, 0.0]], [[0.0, 1.0], [1.0, 0.0]],
                                   math.log(4 / 3), [[1 / 8, -1 / 8], [-1 / 8, 1 / 8]]),
    # A = [1/2, 3/4], Y = [1, 0]: L = (-log 1/2 - log 1/4) / 2 = 3/2 log 2;
    # delta = (A - Y) / 2 = [-1/4, 3/8]
    ("binary_cross_entropy", "sigmoid"): ([[0.0], [LN3]], [[1.0], [0.0]], 1.5 * math.log(2),
                                          [[-1 / 4], [3 / 8]]),
}


def test_every_pair_has_a_hand_worked_example():
    assert set(HAND) == set(PAIRS)


@pytest.mark.parametrize("pair", list(HAND), ids="-".join)
def test_value_and_delta_by_hand(pair):
    loss, output = pair
    Z, Y, value, delta = (np.array(v) if isinstance(v, list) else v for v in HAND[pair])
    A = output_function(output)(Z)
    spec = get_loss(loss)
    assert spec.value(Z, A, Y) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(spec.delta(output, Z, A, Y), delta, rtol=1e-14, atol=1e-16)


# -- against central differences --------------------------------------------------------
@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_delta_is_the_derivative_of_value(pair):
    loss, output = pair
    spec = LOSSES[loss]
    Z, A, Y = batch(loss, output, seed=1)
    numeric = central_difference(loss_of_Z(spec, output, Y), Z)
    assert rel_err(spec.delta(output, Z, A, Y), numeric) < 1e-8


def naive_loss_of_A(loss: str, A: np.ndarray, Y: np.ndarray) -> float:
    """The module docstring's formulas as written, in the outputs A: no logits involved."""
    if loss == "mse":
        return float(0.5 * np.sum((A - Y) ** 2) / len(Y))
    if loss == "cross_entropy":
        return float(-np.sum(Y * np.log(A)) / len(Y))
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / len(Y))


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_value_from_logits_equals_the_formula_and_grad_is_its_derivative(pair):
    loss, output = pair
    spec = LOSSES[loss]
    Z, A, Y = batch(loss, output, seed=2)
    assert spec.value(Z, A, Y) == pytest.approx(naive_loss_of_A(loss, A, Y), rel=1e-12)
    numeric = central_difference(lambda A_: naive_loss_of_A(loss, A_, Y), A, eps=1e-7)
    assert rel_err(spec.grad(A, Y), numeric) < 1e-7


# -- compact against the general chain --------------------------------------------------
def test_the_compact_pairs_are_the_matched_ones():
    assert sorted(COMPACT_PAIRS) == [("binary_cross_entropy", "sigmoid"),
                                     ("cross_entropy", "softmax"), ("mse", "identity")]
    for spec in LOSSES.values():
        assert set(spec.compact) <= set(spec.outputs) <= set(OUTPUTS)


@pytest.mark.parametrize("soft_targets", [False, True], ids=["one-hot", "soft"])
@pytest.mark.parametrize("pair", COMPACT_PAIRS, ids="-".join)
def test_compact_delta_equals_the_general_chain(pair, soft_targets):
    loss, output = pair
    spec = LOSSES[loss]
    Z, A, Y = batch(loss, output, seed=3)
    if soft_targets:
        # Rows that do not sum to 1: cross-entropy's compact form must still be exact.
        Y = np.random.default_rng(4).random(Y.shape)
    general = chain(output, Z, spec.grad(A, Y))
    np.testing.assert_allclose(spec.compact[output](Z, A, Y), general, rtol=1e-10,
                               atol=1e-15)
    np.testing.assert_allclose(spec.delta(output, Z, A, Y), general, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("pair", PAIRS, ids="-".join)
def test_output_backward_applies_the_full_jacobian(pair):
    loss, output = pair
    Z, A, Y = batch(loss, output, seed=5)
    dA = np.random.default_rng(6).normal(size=A.shape)
    np.testing.assert_allclose(output_backward(output, Z, A, dA), chain(output, Z, dA),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("pair", COMPACT_PAIRS, ids="-".join)
def test_compact_delta_stays_finite_where_the_chain_divides_by_zero(pair):
    # Saturated outputs round to exactly 0 or 1, the zeros the general chain divides by.
    loss, output = pair
    spec = LOSSES[loss]
    Z = np.array([[400.0, -400.0], [-400.0, 400.0]])
    A = output_function(output)(Z)
    Y = np.array([[1.0, 0.0], [1.0, 0.0]])
    delta = spec.delta(output, Z, A, Y)
    assert np.all(np.isfinite(delta))
    np.testing.assert_allclose(delta, (A - Y) / 2, atol=1e-15)
    if output != "identity":
        with np.errstate(divide="ignore", invalid="ignore"):
            assert not np.all(np.isfinite(output_backward(output, Z, A, spec.grad(A, Y))))


# -- what the records say about themselves -----------------------------------------------
def test_rules_name_the_compact_form_or_the_chain():
    assert {pair: LOSSES[pair[0]].rule(pair[1]) for pair in PAIRS} == {
        ("mse", "identity"): COMPACT_RULE,
        ("mse", "sigmoid"): "(Ŷ − Y) / N ⊙ σ'(Z)",
        ("mse", "softmax"): "Ŷ ⊙ (G − rowsum(G ⊙ Ŷ)), G = (Ŷ − Y) / N",
        ("cross_entropy", "softmax"): COMPACT_RULE,
        ("binary_cross_entropy", "sigmoid"): COMPACT_RULE,
    }


def test_names_labels_and_latex():
    assert {name: spec.name for name, spec in LOSSES.items()} == {n: n for n in LOSSES}
    assert {name: spec.label for name, spec in LOSSES.items()} == {
        "mse": "mse", "cross_entropy": "CE", "binary_cross_entropy": "BCE"}
    assert all(spec.latex.startswith("L = ") for spec in LOSSES.values())


def test_look_up_and_pairing_errors():
    assert check_loss("cross_entropy", "softmax") is LOSSES["cross_entropy"]
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid names: mse, "):
        get_loss("hinge")
    with pytest.raises(ValueError, match="needs output='sigmoid'"):
        check_loss("binary_cross_entropy", "identity")


def test_symbolic_side_has_its_own_softmax_delta_for_every_loss_that_follows_a_softmax():
    from bpcourse.symbolic.model import SOFTMAX_DELTAS, softmax_delta_compact

    assert set(SOFTMAX_DELTAS) == {n for n, spec in LOSSES.items() if "softmax" in spec.outputs}
    with pytest.raises(ValueError, match="binary_cross_entropy"):
        softmax_delta_compact("binary_cross_entropy", [], [], 0)
