"""bpcourse.symbolic.model: the SymPy twin of the MLP and gradients by sympy.diff.

The symbolic gradients are compared with the NumPy backward pass and, independently of
both, with central differences of the NumPy forward loss.
"""

import numpy as np
import pytest
import sympy as sp

from bpcourse import MLP
from bpcourse.activations import ACTIVATIONS
from bpcourse.gradcheck import numeric_gradients, relative_error
from bpcourse.symbolic import SymbolicMLP, gradients
from bpcourse.symbolic.model import (
    activation_expr,
    activation_prime_compact,
    softmax_delta_compact,
)

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
PAIRS = [("identity", "mse"), ("sigmoid", "mse"), ("softmax", "mse"),
         ("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")]


def random_net(sizes, activation, output, seed):
    """A net with nonzero random biases, so no ReLU unit sits exactly at its kink."""
    net = MLP(sizes, activation=activation, output=output, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for name in net.params:
        if name.startswith("b"):
            net.params[name] = rng.normal(0, 0.5, net.params[name].shape)
    return net


def random_data(net, loss, n, seed):
    rng = np.random.default_rng(seed + 200)
    X = rng.standard_normal((n, net.sizes[0]))
    n_out = net.sizes[-1]
    if loss == "cross_entropy":
        return X, rng.integers(0, n_out, n)
    if loss == "binary_cross_entropy":
        return X, rng.integers(0, 2, (n, n_out)).astype(float)
    return X, rng.standard_normal((n, n_out))


@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("output,loss", PAIRS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_gradients_equal_backprop(activation, output, loss, l2):
    seed = HIDDEN.index(activation) * 10 + PAIRS.index((output, loss))
    net = random_net([3, 4, 2], activation, output, seed=seed)
    X, Y = random_data(net, loss, 5, seed=1)
    _, expected = net.loss_and_gradients(X, Y, loss=loss, l2=l2)
    got = gradients(net, X, Y, loss=loss, l2=l2)
    assert list(got) == list(net.params)
    for name in net.params:
        assert got[name].shape == net.params[name].shape
        assert got[name].dtype == np.float64
        assert np.max(np.abs(got[name] - expected[name])) < 1e-10, name


def test_gradients_mixed_activations_deeper_net():
    net = random_net([2, 2, 2, 3], ["relu", "tanh"], "softmax", seed=5)
    X, labels = random_data(net, "cross_entropy", 6, seed=5)
    _, expected = net.loss_and_gradients(X, labels, loss="cross_entropy", l2=0.05)
    got = gradients(net, X, labels, loss="cross_entropy", l2=0.05)
    for name in net.params:
        assert np.max(np.abs(got[name] - expected[name])) < 1e-10


@pytest.mark.parametrize("activation,output,loss", [
    ("sigmoid", "identity", "mse"), ("relu", "softmax", "cross_entropy"),
    ("tanh", "sigmoid", "binary_cross_entropy"), ("leaky_relu", "softmax", "mse")])
def test_gradients_equal_central_differences(activation, output, loss):
    # [3, 4, 2] as in the test above, whose cached derivation this reuses
    net = random_net([3, 4, 2], activation, output, seed=11)
    X, Y = random_data(net, loss, 4, seed=11)
    numeric = numeric_gradients(lambda: net.loss(X, Y, loss=loss, l2=0.1), net.params)
    got = gradients(net, X, Y, loss=loss, l2=0.1)
    for name in net.params:
        assert relative_error(got[name], numeric[name]) < 1e-7, name


def test_gradients_follow_a_parameter_change():
    """Evaluated at the net's *current* parameters, not the ones it was first seen with."""
    net = random_net([2, 2, 1], "tanh", "identity", seed=2)
    X, Y = random_data(net, "mse", 3, seed=2)
    before = gradients(net, X, Y)
    net.params["W1"] += 0.5
    after = gradients(net, X, Y)
    _, expected = net.loss_and_gradients(X, Y)
    assert not np.allclose(before["W1"], after["W1"])
    assert np.max(np.abs(after["W1"] - expected["W1"])) < 1e-10


def test_gradients_reject_dropout_in_training_and_mismatched_loss():
    net = MLP([2, 3, 1], dropout=0.5, seed=0)
    X, Y = np.ones((2, 2)), np.ones((2, 1))
    with pytest.raises(ValueError, match="dropout"):
        gradients(net, X, Y)
    net.eval()
    _, expected = net.loss_and_gradients(X, Y)
    assert np.allclose(gradients(net, X, Y)["W1"], expected["W1"], atol=1e-12)
    with pytest.raises(ValueError, match="softmax"):
        gradients(MLP([2, 2]), X, np.ones((2, 2)), loss="cross_entropy")


def test_symbol_names_and_index_convention():
    s = SymbolicMLP([3, 2, 1], activation="tanh")
    W1 = s.params["W1"]
    assert W1.shape == (3, 2) and s.params["b2"].shape == (1,)
    assert str(W1[2, 1]) == "w^{(1)}_{21}"
    assert str(s.params["b1"][1]) == "b^{(1)}_{1}"
    assert [str(v) for v in s.x] == ["x_0", "x_1", "x_2"] and str(s.y[0]) == "y_0"
    # z^{(1)}_1 collects column 1 of W1: x_i w_{i1}
    z = s.z[1][1]
    assert z == s.x[0] * W1[0, 1] + s.x[1] * W1[1, 1] + s.x[2] * W1[2, 1] + s.params["b1"][1]
    assert s.a[1][0] == sp.tanh(s.z_sym[1][0])
    assert sp.latex(W1[0, 1]) == "w^{(1)}_{01}"


@pytest.mark.parametrize("output,loss", PAIRS)
def test_expanded_forward_and_loss_match_numpy(output, loss):
    net = random_net([2, 3, 2], "sigmoid", output, seed=4)
    X, Y = random_data(net, loss, 1, seed=4)
    if loss == "cross_entropy":
        Y = np.eye(2)[Y]
    value = net.loss(X, Y, loss=loss)
    twin = SymbolicMLP.from_mlp(net)
    at = {k: sp.Float(v) for k, v in twin.values(net, X[0], Y[0]).items()}
    for l in (1, 2):
        for j in range(net.sizes[l]):
            assert float(twin.z_expanded[l][j].xreplace(at)) == pytest.approx(
                net.trace[f"Z{l}"][0, j], abs=1e-13)
            assert float(twin.a_expanded[l][j].xreplace(at)) == pytest.approx(
                net.trace[f"A{l}"][0, j], abs=1e-13)
    assert float(twin.loss_expanded(loss).xreplace(at)) == pytest.approx(value, abs=1e-12)


@pytest.mark.parametrize("name", HIDDEN)
def test_compact_activation_derivatives_equal_sympy_diff_and_numpy(name):
    z, a = sp.symbols("z a")
    f = activation_expr(name, z)
    compact = activation_prime_compact(name, z, a).subs(a, f)
    by_sympy = sp.diff(f, z)
    for v in (-1.7, -0.3, 0.4, 2.2):
        assert float(compact.subs(z, v)) == pytest.approx(float(by_sympy.subs(z, v)), abs=1e-14)
        assert float(compact.subs(z, v)) == pytest.approx(
            float(ACTIVATIONS[name].df(np.array(v))), abs=1e-14)
        assert float(f.subs(z, v)) == pytest.approx(float(ACTIVATIONS[name].f(np.array(v))),
                                                    abs=1e-14)


def test_relu_derivative_at_the_kink_is_zero_like_numpy():
    z = sp.Symbol("z")
    assert sp.diff(activation_expr("relu", z), z).subs(z, 0) == 0
    assert sp.diff(activation_expr("leaky_relu", z), z).subs(z, 0) == pytest.approx(0.01)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_softmax_delta_compact_equals_sympy_diff(loss):
    z = sp.symbols("z0:3")
    a_sym = sp.symbols("a0:3")
    y = sp.symbols("y0:3")
    e = [sp.exp(v) for v in z]
    soft = [v / sum(e) for v in e]
    from bpcourse.symbolic.model import loss_expr
    L = loss_expr(loss, soft, y)
    at = {z[0]: 0.3, z[1]: -1.2, z[2]: 0.8, y[0]: 0.2, y[1]: 0.5, y[2]: 0.3}
    for m in range(3):
        hand = softmax_delta_compact(loss, a_sym, y, m).subs(dict(zip(a_sym, soft, strict=True)))
        assert float(hand.subs(at)) == pytest.approx(float(sp.diff(L, z[m]).subs(at)),
                                                     abs=1e-14)


def test_bad_architectures_are_rejected():
    with pytest.raises(ValueError, match="activation"):
        SymbolicMLP([2, 3, 1], activation="swish")
    with pytest.raises(ValueError, match="hidden layers"):
        SymbolicMLP([2, 3, 1], activation=["tanh", "relu"])
    with pytest.raises(ValueError, match="output"):
        SymbolicMLP([2, 1], output="tanh")


def test_equations_latex_has_both_forms():
    s = SymbolicMLP([1, 1, 1])
    compact, expanded = s.equations(), s.equations("expanded")
    assert "a^{(1)}_{0}" in compact and compact.startswith(r"\begin{aligned}")
    assert "e^{- b^{(1)}_{0}" in expanded or "e^{- w" in expanded
    with pytest.raises(ValueError, match="form"):
        s.equations("short")


def test_importing_bpcourse_or_the_exercise_checks_does_not_load_sympy():
    import subprocess
    import sys

    code = ("import sys, bpcourse, bpcourse.exercises.chain_rule; "
            "assert 'sympy' not in sys.modules and 'matplotlib' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gradients_do_not_depend_on_the_order_of_net_params():
    # The compiled derivative takes W1, b1, W2, b2 in a fixed order; a params dict in
    # another order (still a working net) must give the same, correctly named gradients.
    net = MLP([2, 3, 2], activation="tanh", output="softmax", seed=4)
    rng = np.random.default_rng(4)
    for b in ("b1", "b2"):
        net.params[b][:] = rng.normal(size=net.params[b].shape)
    X, y = rng.normal(size=(5, 2)), np.array([0, 1, 1, 0, 1])
    _, expected = net.loss_and_gradients(X, y, loss="cross_entropy")
    net.params = {k: net.params[k] for k in sorted(net.params)}
    got = gradients(net, X, y, loss="cross_entropy")
    assert list(got) == list(net.params)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-10, atol=1e-12)
