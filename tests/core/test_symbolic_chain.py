"""chain_rule: every factor against the NumPy trace, every sum against the gradient."""

import numpy as np
import pytest
import sympy as sp

from bpcourse import MLP
from bpcourse.activations import sigmoid
from bpcourse.symbolic import SymbolicMLP, chain_rule, parameter_entries
from bpcourse.symbolic.chain import parse_parameter

CASES = [
    ([3, 4, 2], "tanh", "identity", "mse"),
    ([3, 4, 2], "sigmoid", "sigmoid", "mse"),
    ([3, 4, 2], "relu", "softmax", "cross_entropy"),
    ([3, 4, 2], "leaky_relu", "softmax", "mse"),
    ([2, 3, 2], "sigmoid", "sigmoid", "binary_cross_entropy"),
    ([2, 3, 2, 2], "tanh", "identity", "mse"),
]


def make_case(sizes, activation, output, loss, seed=0):
    net = MLP(sizes, activation=activation, output=output, seed=seed)
    rng = np.random.default_rng(seed + 50)
    for name in net.params:
        if name.startswith("b"):
            net.params[name] = rng.normal(0, 0.5, net.params[name].shape)
    x = rng.standard_normal(sizes[0])
    if loss == "mse":
        y = rng.standard_normal(sizes[-1])
    else:
        y = np.eye(sizes[-1])[1] if output == "softmax" else np.array([1.0, 0.0])
    _, grads = net.loss_and_gradients(x[None], y[None], loss)
    return net, x, y, grads


def entry(name):
    kind, _, index = parse_parameter(name, [9] * 5)
    return kind, index


@pytest.mark.parametrize("sizes,activation,output,loss", CASES)
def test_factors_match_the_numpy_trace_and_sum_to_the_gradient(sizes, activation, output,
                                                                 loss):
    net, x, y, grads = make_case(sizes, activation, output, loss)
    L = len(sizes) - 1
    for name in parameter_entries(net):
        chain = chain_rule(net, name, x, y, loss)
        kind, index = entry(name)
        assert chain.value == pytest.approx(grads[kind][index], abs=1e-12), name
        for path in chain.paths:
            assert len(path.nodes) == len(path.factors) + 1
            assert np.prod([f.value for f in path.factors]) == pytest.approx(path.value)
            for f in path.factors:
                if f.numpy is not None:
                    looked_up = getattr(net, f.numpy.where)[f.numpy.name][f.numpy.index]
                    assert f.value == pytest.approx(looked_up, abs=1e-12), (name, f.name)
        for node, value, ref in chain.checkpoints():
            assert value == pytest.approx(net.trace[ref.name][ref.index], abs=1e-12), node
        # the output layer's factors, against formulas worked out by hand from the trace
        A, Z = net.trace[f"A{L}"][0], net.trace[f"Z{L}"][0]
        for path in chain.paths:
            k = int(str(path.nodes[1]).split("{")[-1].rstrip("}"))  # output unit
            if output == "softmax":
                assert path.factors[0].value == pytest.approx(net.trace[f"delta{L}"][0, k])
                continue
            dL_da = (A[k] - y[k]) if loss == "mse" else (A[k] - y[k]) / (A[k] * (1 - A[k]))
            da_dz = 1.0 if output == "identity" else float(sigmoid(Z[k]) * (1 - sigmoid(Z[k])))
            assert path.factors[0].value == pytest.approx(dL_da, abs=1e-12)
            assert path.factors[1].value == pytest.approx(da_dz, abs=1e-12)
            assert chain.d_loss_d(path.nodes[2]) == pytest.approx(
                net.trace[f"delta{L}"][0, k], abs=1e-12)


def test_first_layer_weight_has_one_path_per_route_and_names_its_factors():
    net, x, y, grads = make_case([2, 3, 2], "sigmoid", "identity", "mse")
    chain = chain_rule(net, "W1[0,1]", x, y)
    assert len(chain.paths) == 2  # through output unit 0 and output unit 1
    first = chain.paths[0]
    assert [f.name for f in first.factors] == [
        "∂L/∂a^{(2)}_{0}", "∂a^{(2)}_{0}/∂z^{(2)}_{0}", "∂z^{(2)}_{0}/∂a^{(1)}_{1}",
        "∂a^{(1)}_{1}/∂z^{(1)}_{1}", "∂z^{(1)}_{1}/∂w^{(1)}_{01}"]
    a1, z1, w2 = sp.Symbol("a^{(1)}_{1}"), sp.Symbol("z^{(1)}_{1}"), sp.Symbol("w^{(2)}_{10}")
    assert first.factors[2].compact == w2
    assert first.factors[3].compact == a1 * (1 - a1)
    assert first.factors[4].compact == sp.Symbol("x_0")
    # the expanded form mentions only inputs, targets and parameters
    names = {str(s)[0] for f in first.factors for s in f.expanded.free_symbols}
    assert names <= {"x", "y", "w", "b"}
    assert z1 in first.nodes and chain.d_loss_d(z1) == pytest.approx(
        net.trace["delta1"][0, 1], abs=1e-12)
    assert [ref.name for _, _, ref in chain.checkpoints()] == ["delta2", "delta2", "dA1",
                                                                "delta1"]
    assert len(chain_rule(MLP([2, 3, 3, 2], seed=0), "W1[0,1]", x, [0, 1]).paths) == 6
    assert len(chain_rule(net, "b2[1]", x, y).paths) == 1


def test_bias_factor_is_one_and_expression_forms_agree():
    net, x, y, grads = make_case([2, 2, 1], "tanh", "identity", "mse")
    chain = chain_rule(net, "b1[0]", x, y)
    assert chain.paths[0].factors[-1].compact == 1
    twin = SymbolicMLP.from_mlp(net)
    at = {s: sp.Float(v) for s, v in twin.values(net, x, y).items()}
    assert float(chain.expression("expanded").xreplace(at)) == pytest.approx(
        grads["b1"][0], abs=1e-12)


def test_integer_label_for_cross_entropy():
    net, x, y, grads = make_case([3, 4, 2], "relu", "softmax", "cross_entropy")
    assert chain_rule(net, "W2[1,1]", x, 1, "cross_entropy").value == pytest.approx(
        grads["W2"][1, 1], abs=1e-12)


def test_text_and_latex_display():
    net, x, y, _ = make_case([2, 3, 2], "sigmoid", "identity", "mse")
    chain = chain_rule(net, "W1[0,1]", x, y)
    text = repr(chain)
    assert text.startswith("∂L/∂w^{(1)}_{01} (W1[0,1]), loss mse, one sample: 2 paths")
    assert "net.trace['fprime1'][0, 1]" in text and "sum over paths" in text
    assert f"{chain.value:.6g}" in text
    latex = chain._repr_latex_()
    assert latex.startswith("$$") and r"\frac{\partial L}{\partial w^{(1)}_{01}}" in latex
    assert "e^{" in chain.latex("expanded") and "e^{" not in chain.latex("compact")


@pytest.mark.parametrize("bad", ["W3[0,0]", "W1[5,0]", "b1[0,0]", "W1[0]", "V1[0,0]", "W1"])
def test_bad_parameter_names(bad):
    net = MLP([2, 3, 1], seed=0)
    with pytest.raises(ValueError):
        chain_rule(net, bad, [0.1, 0.2], [0.3])


def test_parameter_entries_cover_every_scalar_in_params_order():
    net = MLP([2, 3, 1], seed=0)
    entries = parameter_entries(net)
    assert len(entries) == sum(p.size for p in net.params.values())
    assert entries[:2] == ["W1[0,0]", "W1[0,1]"] and entries[-1] == "b2[0]"
    assert parse_parameter(" W1[ 1 , 2 ] ", net.sizes) == ("W1", 1, (1, 2))


def test_one_sample_is_required_and_dropout_is_refused():
    net = MLP([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="x must hold 2 numbers"):
        chain_rule(net, "W1[0,0]", [0.1, 0.2, 0.3], [0.3])
    with pytest.raises(ValueError, match="dropout"):
        chain_rule(MLP([2, 3, 1], dropout=0.2, seed=0), "W1[0,0]", [0.1, 0.2], [0.3])
