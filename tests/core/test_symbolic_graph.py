"""Computational graphs: node values and gradients against numbers worked out by hand.

(conftest.py selects the Agg backend, so drawing needs no display.)
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp

from bpcourse import MLP
from bpcourse.symbolic import ComputationGraph, draw_graph

a, b, c, x, y, w = sp.symbols("a b c x y w")


def test_square_of_affine_by_hand():
    # f = (a*b + c)^2 at a=2, b=-3, c=10: u = ab = -6, v = u + c = 4, f = v^2 = 16.
    # df/dv = 2v = 8, df/du = df/dc = 8, df/da = 8*b = -24, df/db = 8*a = 16.
    g = ComputationGraph.from_expr((a * b + c) ** 2, {a: 2, b: -3, "c": 10})
    assert len(g.nodes) == 6
    assert g.value == 16
    expected = {a * b: (-6, 8), a * b + c: (4, 8), a: (2, -24), b: (-3, 16), c: (10, 8),
                (a * b + c) ** 2: (16, 1)}
    for expr, (value, grad) in expected.items():
        node = g.node(expr)
        assert (node.value, node.grad) == (value, grad), expr
    assert g.node(a * b + c).partials == [1.0, 1.0]
    assert g.output.label == r"(\cdot)^{2}"


def test_a_node_with_two_parents_sums_its_gradients():
    # f = x*y + x: x feeds the product and the sum, so df/dx = y + 1 = 6 at y = 5.
    g = ComputationGraph.from_expr(x * y + x, {x: 2, y: 5})
    assert len(g.nodes) == 4  # x, y, x*y, the sum: x appears once
    assert g.grad(x) == 6 and g.grad("y") == 2 and g.value == 12
    assert len([n for n in g.nodes if x in [g.nodes[k].expr for k in n.children]]) == 2


def test_sigmoid_neuron_by_hand():
    # s = 1/(1 + exp(-(w x + b))) at w=0.5, x=2, b=-0.3: z = 0.7
    g = ComputationGraph.from_expr(1 / (1 + sp.exp(-(w * x + b))), {w: 0.5, x: 2, b: -0.3})
    s = 1 / (1 + math.exp(-0.7))
    slope = s * (1 - s)
    assert g.value == pytest.approx(s, abs=1e-14)
    assert g.grad(w) == pytest.approx(slope * 2, abs=1e-14)
    assert g.grad(x) == pytest.approx(slope * 0.5, abs=1e-14)
    assert g.grad(b) == pytest.approx(slope, abs=1e-14)
    assert g.node(sp.exp(-(w * x + b))).value == pytest.approx(math.exp(-0.7), abs=1e-14)


def test_piecewise_node_takes_the_symbols_as_children():
    relu = sp.Piecewise((x, x > 0), (0, True))
    g = ComputationGraph.from_expr(w * relu, {x: 1.5, w: -2.0})
    assert g.value == -3.0 and g.grad(x) == -2.0 and g.grad(w) == 1.5
    g = ComputationGraph.from_expr(w * relu, {x: -1.5, w: -2.0})
    assert g.value == 0 and g.grad(x) == 0 and g.grad(w) == 0


def test_missing_value_is_reported():
    with pytest.raises(ValueError, match="no value given for c"):
        ComputationGraph.from_expr(a * b + c, {a: 1, b: 2})


@pytest.mark.parametrize("output,loss", [("identity", "mse"), ("softmax", "cross_entropy")])
def test_network_graph_gradients_are_backprops(output, loss):
    net = MLP([2, 2, 2], activation="tanh", output=output, seed=3)
    net.params["b1"][:] = [0.2, -0.4]
    x_, y_ = np.array([0.5, -1.0]), np.array([0.0, 1.0])
    g = ComputationGraph.from_network(net, x_, y_, loss)
    value, grads = net.loss_and_gradients(x_[None], y_[None], loss)
    assert g.value == pytest.approx(value, abs=1e-12)
    for l in (1, 2):
        for j in range(2):
            assert g.grad(f"z^{{({l})}}_{{{j}}}") == pytest.approx(
                net.trace[f"delta{l}"][0, j], abs=1e-12)
            assert g.node(f"a^{{({l})}}_{{{j}}}").value == pytest.approx(
                net.trace[f"A{l}"][0, j], abs=1e-12)
    assert g.grad("a^{(1)}_{1}") == pytest.approx(net.trace["dA1"][0, 1], abs=1e-12)
    assert g.grad("w^{(1)}_{10}") == pytest.approx(grads["W1"][1, 0], abs=1e-12)
    assert g.grad("b^{(2)}_{1}") == pytest.approx(grads["b2"][1], abs=1e-12)
    # x 2, W1 4, b1 2, z1 2, a1 2, W2 4, b2 2, z2 2, a2 2, y 2, L 1
    assert len(g.nodes) == 25


def test_layers_put_leaves_next_to_their_use_and_draw_one_box_per_node():
    net = MLP([2, 2, 1], activation="sigmoid", seed=0)
    g = ComputationGraph.from_network(net, [0.5, -1.0], [1.0])
    cols = g.layers()
    z2 = [n for n, node in enumerate(g.nodes) if node.expr == sp.Symbol("z^{(2)}_{0}")][0]
    w2 = [n for n, node in enumerate(g.nodes) if node.expr == sp.Symbol("w^{(2)}_{00}")][0]
    assert cols[w2] == cols[z2] - 1 and cols[-1] == max(cols)
    ax = draw_graph(g, title="one sample")
    assert len(ax.patches) == len(g.nodes)
    texts = [t.get_text() for t in ax.texts]
    assert f"value {g.value:.4g}\ngrad 1" in texts and ax.get_title() == "one sample"
    plt.close("all")


def test_table_lists_values_and_gradients():
    g = ComputationGraph.from_expr((a * b + c) ** 2, {a: 2, b: -3, c: 10})
    lines = repr(g).splitlines()
    assert lines[0] == "ComputationGraph with 6 nodes"
    assert lines[-1].split() == ["(a*b", "+", "c)**2", "16", "1"]
