r"""Backprop's gradients against central differences, over random networks.

Two independent checks for every hidden activation and every (loss, output) pair:

* ``gradient_check`` (the package's own checker, default step 1e-6);
* a central-difference loop written here, differentiating a forward pass and loss also
  written here from the textbook formulas, so a bug shared by ``MLP.loss`` and
  ``MLP.backward`` cannot hide.

Central differences cannot resolve a gradient that is smaller than their rounding noise:
each loss evaluation is exact only to about $u\,|L|$ ($u$ = 2.2e-16 in float64), so the
difference quotient carries noise of order $u\,|L|/\varepsilon$ per entry. An array is
therefore required to agree to a relative error below 1e-7, or, when its gradient is so
small that rounding alone exceeds that, to within the rounding noise (`fd_noise`).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bpcourse import MLP, gradient_check
from bpcourse.gradcheck import relative_error

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
# (loss, output, label form): cross-entropy is checked with one-hot and integer labels.
PAIRS = [
    ("mse", "identity", "real"),
    ("mse", "sigmoid", "unit"),
    ("mse", "softmax", "unit"),
    ("cross_entropy", "softmax", "onehot"),
    ("cross_entropy", "softmax", "int"),
    ("binary_cross_entropy", "sigmoid", "binary"),
]
TOL = 1e-7
U = np.finfo(np.float64).eps

# Hypothesis: few examples (each one runs a few hundred forward passes), no deadline on a
# shared 2-core machine, and derandomised so `make test` gives the same verdict each run.
PROPERTY = settings(max_examples=6, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# -- an independent forward pass and loss, from the formulas -------------------------------
def _sigmoid(z):
    # sigma(z) = (1 + tanh(z/2)) / 2: the same function by another route than the package's.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


REF_HIDDEN = {
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: z * (z > 0),
    "leaky_relu": lambda z: np.maximum(z, 0.01 * z),
    "identity": lambda z: z,
}


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


REF_OUTPUT = {"identity": lambda z: z, "sigmoid": _sigmoid, "softmax": _softmax}


def reference_loss(params, X, Y, hidden, output, loss, l2=0.0, masks=None):
    """The mean loss over the rows, computed layer by layer from the definitions.

    ``Y`` is (N, n_out) (one-hot for cross-entropy); ``masks[l]`` multiplies A_l.
    """
    n_layers = len(params) // 2
    A = X
    for l in range(1, n_layers + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        if l < n_layers:
            A = REF_HIDDEN[hidden[l - 1]](Z)
            if masks and l in masks:
                A = A * masks[l]
        else:
            A = REF_OUTPUT[output](Z)
    N = len(X)
    if loss == "mse":
        value = 0.5 * np.sum((A - Y) ** 2) / N
    elif loss == "cross_entropy":
        shifted = Z - Z.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        value = -np.sum(Y * log_p) / N
    else:
        value = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / N
    penalty = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, n_layers + 1))
    return value + 0.5 * l2 * penalty


def central_differences(f, params, eps=1e-6):
    """d f / d theta for every entry of every array of ``params``, one entry at a time."""
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for i in range(p.size):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name].flat[i] += eps
            minus[name].flat[i] -= eps
            g.flat[i] = (f(plus) - f(minus)) / (2 * eps)
        grads[name] = g
    return grads


def fd_noise(loss_value: float, size: int, eps: float) -> float:
    """Norm of the rounding noise central differences may carry for an array of ``size``."""
    return 10 * U * max(1.0, abs(loss_value)) / eps * np.sqrt(size)


def assert_close_to_fd(backprop, numeric, loss_value, eps):
    for name, g in backprop.items():
        diff = np.linalg.norm(g - numeric[name])
        scale = np.linalg.norm(g) + np.linalg.norm(numeric[name])
        allowed = max(TOL * scale, fd_noise(loss_value, g.size, eps))
        assert diff <= allowed, (
            f"{name}: backprop and central differences differ by {diff:.3e} "
            f"(relative {diff / scale:.3e}, allowed {allowed:.3e})\n"
            f"backprop:\n{g}\nnumeric:\n{numeric[name]}"
        )


# -- random networks and data ------------------------------------------------------------
def make_case(hidden, loss, output, labels, widths, n_in, n_out, N, seed, l2):
    """A network with random nonzero biases, continuous random X and matching targets."""
    if output == "softmax":
        n_out = max(n_out, 2)
    rng = np.random.default_rng(seed)
    acts = hidden if isinstance(hidden, list) else [hidden] * len(widths)
    net = MLP([n_in, *widths, n_out], activation=acts, output=output, seed=seed)
    for name, p in net.params.items():
        if name.startswith("b"):
            p[...] = rng.normal(0.0, 0.5, p.shape)
    X = rng.normal(size=(N, n_in))
    labels_int = rng.integers(0, n_out, N)
    Y = {
        "real": rng.normal(size=(N, n_out)),
        "unit": rng.uniform(size=(N, n_out)),
        "onehot": np.eye(n_out)[labels_int],
        "int": labels_int,
        "binary": (rng.uniform(size=(N, n_out)) < 0.5).astype(float),
    }[labels]
    Y_matrix = np.eye(n_out)[labels_int] if labels == "int" else Y
    return net, X, Y, Y_matrix, acts, l2


@st.composite
def shapes(draw):
    depth = draw(st.integers(1, 3))
    return dict(
        widths=draw(st.lists(st.integers(1, 5), min_size=depth, max_size=depth)),
        n_in=draw(st.integers(1, 4)),
        n_out=draw(st.integers(1, 3)),
        N=draw(st.integers(1, 6)),
        seed=draw(st.integers(0, 2**32 - 1)),
        l2=draw(st.sampled_from([0.0, 0.1])),
    )


def away_from_kinks(net, X, acts, margin=1e-3):
    """True unless a ReLU-type unit's Z lies within ``margin`` of 0, where f' jumps.

    A finite-difference step of 1e-6 could straddle the kink there and measure a slope
    the derivative does not have.
    """
    net.forward(X)
    return all(np.min(np.abs(net.trace[f"Z{l}"])) > margin
               for l, a in enumerate(acts, start=1) if a in ("relu", "leaky_relu"))


# -- the property tests -------------------------------------------------------------------
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("loss", "output", "labels"), PAIRS)
@PROPERTY
@given(case=shapes())
def test_gradient_check_agrees_with_backprop(hidden, loss, output, labels, case):
    net, X, Y, _, acts, l2 = make_case(hidden, loss, output, labels, **case)
    assume(away_from_kinks(net, X, acts))
    report = gradient_check(net, X, Y, loss=loss, l2=l2)
    assert set(report.errors) == set(net.params)
    for name in net.params:
        # The reported error is the documented formula, recomputed here.
        a, b = report.backprop[name], report.numeric[name]
        expected = np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) or 1.0)
        assert report.errors[name] == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert_close_to_fd(report.backprop, report.numeric, net.loss(X, Y, loss, l2), 1e-6)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("loss", "output", "labels"), PAIRS)
@PROPERTY
@given(case=shapes())
def test_backprop_matches_independent_central_differences(hidden, loss, output, labels,
                                                          case):
    net, X, Y, Y_matrix, acts, l2 = make_case(hidden, loss, output, labels, **case)
    assume(away_from_kinks(net, X, acts))
    value, grads = net.loss_and_gradients(X, Y, loss=loss, l2=l2)

    def f(params):
        return reference_loss(params, X, Y_matrix, acts, output, loss, l2)

    assert value == pytest.approx(f(net.params), rel=1e-12, abs=1e-14)
    assert {k: g.shape for k, g in grads.items()} == {k: p.shape
                                                       for k, p in net.params.items()}
    eps = 1e-5
    assert_close_to_fd(grads, central_differences(f, net.params, eps), value, eps)


@PROPERTY
@given(case=shapes(), data=st.data())
def test_mixed_activations_per_layer(case, data):
    acts = [data.draw(st.sampled_from(HIDDEN)) for _ in case["widths"]]
    net, X, Y, _, acts, l2 = make_case(acts, "mse", "identity", "real", **case)
    assume(away_from_kinks(net, X, acts))
    value, grads = net.loss_and_gradients(X, Y, l2=l2)

    def f(params):
        return reference_loss(params, X, Y, acts, "identity", "mse", l2)

    assert_close_to_fd(grads, central_differences(f, net.params, 1e-5), value, 1e-5)


# -- fixed, well-conditioned networks: the documented 1e-7 with default settings -----------
@pytest.mark.parametrize("l2", [0.0, 0.1])
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("loss", "output", "labels"), PAIRS)
def test_gradient_check_passes_at_default_tolerance(hidden, loss, output, labels, l2):
    net, X, Y, _, _, _ = make_case(hidden, loss, output, labels, widths=[4, 3], n_in=3,
                                   n_out=3, N=5, seed=7, l2=l2)
    report = gradient_check(net, X, Y, loss=loss, l2=l2)
    assert report.passed, report
    assert max(report.errors.values()) < 1e-7
    assert "PASSED" in repr(report)


def test_gradient_check_catches_a_wrong_gradient():
    net, X, Y, _, _, _ = make_case("tanh", "mse", "identity", "real", widths=[4], n_in=3,
                                   n_out=2, N=5, seed=3, l2=0.0)
    _, grads = net.loss_and_gradients(X, Y)
    grads["W1"] = grads["W1"] * 1.01  # a 1% slip in one array
    report = gradient_check(net, X, Y, grads=grads)
    assert not report.passed
    assert report.failed() == ["W1"]
    assert report.errors["W1"] == pytest.approx(0.01 / 2.01, rel=1e-3)
    assert "FAIL" in repr(report) and "W1" in repr(report)


def test_gradient_check_leaves_parameters_unchanged():
    net, X, Y, _, _, _ = make_case("sigmoid", "mse", "identity", "real", widths=[3], n_in=2,
                                   n_out=1, N=4, seed=1, l2=0.0)
    before = {k: v.copy() for k, v in net.params.items()}
    gradient_check(net, X, Y)
    for k in before:
        assert np.array_equal(before[k], net.params[k])


def test_relative_error_formula():
    a, b = np.array([3.0, 4.0]), np.array([3.0, 4.0 + 1e-3])
    assert relative_error(a, b) == pytest.approx(1e-3 / (5.0 + np.hypot(3.0, 4.001)))
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
