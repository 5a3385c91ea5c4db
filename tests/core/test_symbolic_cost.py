"""Expression swell: operation counts of the symbolic gradient against backprop's program."""

import numpy as np
import pytest
import sympy as sp

from bpcourse import MLP
from bpcourse.symbolic import SymbolicMLP, backprop_program, expression_cost, run_program


@pytest.mark.parametrize("sizes,activation,output,loss", [
    ([2, 3, 2], "tanh", "softmax", "cross_entropy"),
    ([2, 2, 2, 1], "sigmoid", "sigmoid", "binary_cross_entropy"),
    ([1, 2, 2], "relu", "softmax", "mse"),
])
def test_backprop_program_computes_the_numpy_gradients(sizes, activation, output, loss):
    net = MLP(sizes, activation=activation, output=output, seed=1)
    net.params["b1"] += 0.3
    twin = SymbolicMLP.from_mlp(net)
    x = np.linspace(-1, 1, sizes[0]) + 0.25
    y = np.eye(sizes[-1])[0] if output == "softmax" else np.full(sizes[-1], 0.7)
    if loss == "binary_cross_entropy":
        y = np.ones(sizes[-1])
    value, grads = net.loss_and_gradients(x[None], y[None], loss)
    env = run_program(backprop_program(twin, loss), twin.values(net, x, y))
    assert env[sp.Symbol("L")] == pytest.approx(value, abs=1e-12)
    for name, p in net.params.items():
        stem = r"\bar{w}" if name[0] == "W" else r"\bar{b}"
        for idx in np.ndindex(p.shape):
            sub = "".join(map(str, idx))
            key = sp.Symbol(f"{stem}^{{({name[1:]})}}_{{{sub}}}")
            assert env[key] == pytest.approx(grads[name][idx], abs=1e-12), key


def test_program_only_uses_names_defined_before():
    twin = SymbolicMLP([2, 2, 2, 1], activation="tanh")
    known = set(twin.x) | set(twin.y) | set(twin.parameter_symbols())
    for name, rhs in backprop_program(twin, "mse"):
        assert rhs.free_symbols <= known, name
        known.add(name)


def test_swell_grows_faster_than_backprop():
    table = expression_cost([[2, 1, 1], [2, 2, 1], [2, 2, 2, 1]], repeats=2)
    expanded, backprop = table.column("expanded_ops"), table.column("backprop_ops")
    assert list(table.column("n_params")) == [5, 9, 15]
    assert np.all(np.diff(expanded) > 0) and np.all(np.diff(backprop) > 0)
    ratio = expanded / backprop
    assert np.all(np.diff(ratio) > 0)  # the gap widens with every layer
    assert expanded[-1] > 10 * backprop[-1]
    assert np.all(table.column("cse_ops") < expanded)
    assert all(r.symbolic_seconds > 0 and r.backprop_seconds > 0 for r in table.rows)
    text = repr(table).splitlines()
    assert text[0].split()[:2] == ["sizes", "params"] and len(text) == 4


def test_op_counts_of_the_smallest_program_by_hand():
    # [1, 1] identity, mse: z = a0*w + b (MUL, ADD), a = z (0), L = (a - y)**2/2
    # (count_ops: SUB, POW, DIV = 3), delta = a - y (SUB = 1), w-bar = x*delta (MUL),
    # b-bar = delta (0): 2 + 0 + 3 + 1 + 1 + 0 = 7
    twin = SymbolicMLP([1, 1], output="identity")
    prog = backprop_program(twin, "mse")
    assert [sp.count_ops(rhs) for _, rhs in prog] == [2, 0, 3, 1, 1, 0]
    assert expression_cost([[1, 1]], output="identity", repeats=1).rows[0].backprop_ops == 7
