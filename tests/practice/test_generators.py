"""Each generator's answer against an independent computation, on hundreds of seeds: the
package's MLP and optimisers for the net-based ones, SymPy or finite differences for the
others."""

import math
from unittest import mock

import numpy as np
import pytest
import sympy

from bpcourse.activations import get_activation
from bpcourse.diagnostics import clip_by_global_norm
from bpcourse.flashcards.schedulers import SM2, SM2State
from bpcourse.mlp import MLP, init_std
from bpcourse.optim import SGD, Adam, Momentum
from bpcourse.practice import REGISTRY, get_generator, seed_for

SEEDS = range(300)


def instances(name, seeds=SEEDS, **params):
    gen = get_generator(name)
    return [gen.instance(seed, params) for seed in seeds]


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_at_least_16_generators_cover_every_notebook_and_4_are_symbolic():
    assert len(REGISTRY) >= 16
    slugs = {name.split(".")[0] for name in REGISTRY}
    assert slugs == {"start_here", "forward_pass", "chain_rule", "backward_pass",
                     "weight_update", "epochs_and_batches", "vanishing_exploding",
                     "regularization", "putting_it_together"}
    assert sum(g.kind == "symbolic" for g in REGISTRY.values()) >= 4


def test_the_seed_depends_on_card_and_review_and_is_stable():
    assert seed_for("cr-x", 1) == seed_for("cr-x", 1)
    assert seed_for("cr-x", 1) != seed_for("cr-x", 2) != seed_for("cr-y", 2)
    # SHA-256, not hash(): the same on every machine and in every process.
    assert seed_for("a", 1) == int.from_bytes(
        __import__("hashlib").sha256(b"a#1").digest()[:4], "big")


def _single_layer(n_in, n_out, hidden, W, b, X):
    """A [n_in, n_out, 1] MLP whose first layer is set to W, b; returns its trace."""
    net = MLP([n_in, n_out, 1], activation=hidden, seed=0)
    net.params["W1"][:] = W
    net.params["b1"][:] = b
    net.forward(np.atleast_2d(X))
    return net.trace


def test_neuron_output_matches_the_mlp():
    for inst in instances("forward_pass.neuron_output", inputs=3) + instances(
            "forward_pass.neuron_output"):
        gv = inst.givens
        name = gv.get("activation") or "any"
        for act in ([name] if name != "any" else ["sigmoid", "tanh", "relu"]):
            if act not in inst.prompt:
                continue
            x, w = np.array(gv["x"]), np.array(gv["w"])
            trace = _single_layer(len(x), 1, act, w[:, None], [gv["b"]], x)
            assert close(inst.answer, float(trace["A1"][0, 0]))


def test_layer_shapes_match_the_mlp_trace():
    for inst in instances("forward_pass.layer_shapes", layers=3):
        gv = inst.givens
        sizes = [gv[f"n{l}"] for l in range(4)]
        net = MLP(sizes, seed=0)
        X = np.zeros((gv["N"], sizes[0]))
        _loss, grads = net.loss_and_gradients(X, np.zeros((gv["N"], sizes[-1])))
        l, which = gv["l"], gv["array"]
        arrays = {"W": net.params[f"W{l}"], "b": net.params[f"b{l}"], "dW": grads[f"W{l}"],
                  "Z": net.trace[f"Z{l}"], "A": net.trace[f"A{l}"],
                  "delta": net.trace[f"delta{l}"]}
        assert inst.answer == arrays[which].shape


def test_activation_slope_matches_finite_differences():
    for inst in instances("chain_rule.activation_slope"):
        z, name = inst.givens["z"], inst.givens["activation"]
        f = get_activation(name).f
        h = 1e-6
        slope = (f(np.array(z + h)) - f(np.array(z - h))) / (2 * h)
        assert abs(inst.answer - float(slope)) < 1e-7


def test_path_product_matches_finite_differences():
    for inst in instances("chain_rule.path_product"):
        gv = inst.givens

        def y(x, gv=gv):
            return gv["k"] * (gv["w"] * x + gv["b"]) ** 2

        h = 1e-6
        assert abs(inst.answer - (y(gv["x"] + h) - y(gv["x"] - h)) / (2 * h)) < 1e-6


@pytest.mark.parametrize("name", ["chain_rule.derivative", "chain_rule.composite"])
def test_symbolic_derivatives_match_sympy_diff(name):
    from bpcourse.practice import chain_rule

    for inst in instances(name, range(60)):
        gv = inst.givens
        if name == "chain_rule.derivative":
            text = chain_rule._FUNCTIONS[gv["form"]][0].format(a=gv["a"], c=gv.get("c", 0))
            var = sympy.Symbol("z")
        else:
            inner = f"{gv['a']}*x**2 + {gv['c']}"
            text = chain_rule._OUTERS[gv["outer"]][1].format(u=inner)
            var = sympy.Symbol("x")
        expected = sympy.diff(sympy.sympify(text, locals={var.name: var}), var)
        assert sympy.simplify(expected - inst.expected) == 0
        assert inst.check(str(expected)).ok


def test_neuron_gradient_matches_sympy_diff():
    w, x, b, y = sympy.symbols("w x b y")
    acts = {"sigmoid": lambda z: 1 / (1 + sympy.exp(-z)), "tanh": sympy.tanh,
            "identity": lambda z: z}
    for inst in instances("backward_pass.neuron_gradient", range(40)):
        gv = inst.givens
        loss = gv["c"] * (acts[gv["activation"]](w * x + b) - y) ** 2 / 2
        expected = sympy.diff(loss, {"w": w, "b": b}[gv["wrt"]])
        assert sympy.simplify((expected - inst.expected).rewrite(sympy.exp)) == 0


def test_penalized_derivative_matches_sympy_diff():
    w, x, y, lam, b = sympy.symbols("w x y lam b")
    for inst in instances("regularization.penalized_derivative", range(30)):
        a = inst.givens["a"]
        losses = [(a * w * x - y) ** 2 / 2, (a * w * x + b - y) ** 2 / 2,
                  sympy.log(1 + sympy.exp(-a * y * w * x))]
        expected = sympy.diff(losses[inst.givens["form"]] + lam / 2 * w ** 2, w)
        assert sympy.simplify(expected - inst.expected) == 0


def test_softmax_delta_matches_the_mlp_backward_pass():
    for inst in instances("backward_pass.softmax_delta"):
        gv = inst.givens
        p = np.array([gv["p1"], gv["p2"], round(1 - gv["p1"] - gv["p2"], 2)])
        net = MLP([1, 3], output="softmax", seed=0)
        net.params["W1"][:] = 0
        net.params["b1"][:] = np.log(p)  # softmax(log p) = p
        net.loss_and_gradients(np.zeros((1, 1)), np.array([gv["label"] - 1]),
                               loss="cross_entropy")
        assert abs(inst.answer - net.trace["delta1"][0, gv["j"] - 1]) < 1e-9


def test_backward_step_matches_the_mlp_backward_pass():
    for inst in instances("backward_pass.backward_step"):
        gv = inst.givens
        act = gv["activation"]
        net = MLP([1, 2, 2], activation=act, seed=0)
        net.params["W1"][:] = 0
        if act == "relu":
            net.params["b1"][:] = gv["Z"]
        else:
            a = np.array(gv["A"])
            net.params["b1"][:] = np.log(a / (1 - a))  # sigmoid(logit a) = a
        net.params["W2"][:] = [gv["W_row1"], gv["W_row2"]]
        out = net.forward(np.zeros((1, 1)))
        Y = out - np.array([gv["delta_next"]])  # mse with N = 1: delta2 = A2 - Y
        net.loss_and_gradients(np.zeros((1, 1)), Y)
        assert abs(inst.answer - net.trace["delta1"][0, gv["j"] - 1]) < 1e-9


def test_weight_gradient_matches_the_mlp_backward_pass():
    for inst in instances("backward_pass.weight_gradient"):
        gv = inst.givens
        A = np.array([gv["A_row1"], gv["A_row2"]])
        D = np.array([gv["delta_row1"], gv["delta_row2"]])
        net = MLP([2, 2], seed=0)
        net.params["W1"][:] = 0
        _loss, grads = net.loss_and_gradients(A, -2 * D)  # delta = (0 - Y)/N = D
        assert abs(inst.answer - grads["W1"][gv["i"] - 1, gv["j"] - 1]) < 1e-9


def _step(opt, theta, g):
    params = {"w": np.array([theta])}
    opt.step(params, {"w": np.array([g])})
    return float(params["w"][0])


def test_optimiser_steps_match_the_package_optimisers():
    for inst in instances("weight_update.sgd_step"):
        gv = inst.givens
        assert close(inst.answer, _step(SGD(gv["lr"]), gv["theta"], gv["g"]))
    for inst in instances("weight_update.momentum_step"):
        gv = inst.givens
        opt = Momentum(gv["lr"], beta=gv["beta"])
        opt.state["v"] = {"w": np.array([gv["v"]])}
        assert close(inst.answer, _step(opt, gv["theta"], gv["g"]))
    for inst in instances("weight_update.adam_step"):
        gv = inst.givens
        opt = Adam(gv["lr"])
        opt.t = gv["t"] - 1
        opt.state = {"m": {"w": np.array([gv.get("m", 0.0)])},
                     "v": {"w": np.array([gv.get("v", 0.0)])}}
        assert close(inst.answer, _step(opt, gv["theta"], gv["g"]))


def test_steps_per_epoch_counts_the_batches_of_a_real_loop():
    for inst in instances("epochs_and_batches.steps_per_epoch", range(100)):
        gv = inst.givens
        batches = len(range(0, gv["N"], gv["B"]))
        assert inst.answer == batches * gv["epochs"]


def test_gradient_noise_matches_sympy_variance_of_a_mean():
    from sympy.stats import Normal, variance

    s = sympy.Symbol("s", positive=True)
    # The std of a mean of n independent gradients, by SymPy, for a few n: s / sqrt(n).
    for n in (1, 2, 4, 8):
        xs = [Normal(f"g{i}", 0, s) for i in range(n)]
        assert sympy.simplify(sympy.sqrt(variance(sum(xs) / n)) - s / sympy.sqrt(n)) == 0
    for inst in instances("epochs_and_batches.gradient_noise"):
        gv = inst.givens
        per_example = gv["s1"] * math.sqrt(gv["B1"])  # s, from the std at B1
        assert close(inst.answer, per_example / math.sqrt(gv["B2"]))


def test_sigmoid_bound_uses_the_maximum_slope_sympy_finds():
    z = sympy.Symbol("z", real=True)
    sigma = 1 / (1 + sympy.exp(-z))
    slope = sympy.diff(sigma, z)
    top = max(slope.subs(z, c) for c in sympy.solve(sympy.diff(slope, z), z))
    for inst in instances("vanishing_exploding.sigmoid_bound"):
        gv = inst.givens
        assert close(inst.answer, float((gv["w"] * top) ** gv["k"]))


def test_init_std_matches_the_mlp_and_its_sampled_weights():
    for inst in instances("vanishing_exploding.init_std"):
        gv = inst.givens
        assert close(inst.answer, init_std(gv["scheme"], gv["n_in"], gv["n_out"]))
    inst = get_generator("vanishing_exploding.init_std").instance(3, {"scheme": "he"})
    net = MLP([inst.givens["n_in"], 4000], init="he", seed=1)
    assert abs(net.params["W1"].std() / inst.answer - 1) < 0.02


def test_clip_factor_matches_clip_by_global_norm():
    for inst in instances("vanishing_exploding.clip_factor"):
        gv = inst.givens
        grads = {"w": np.array(gv["g"])}
        before = grads["w"].copy()
        clip_by_global_norm(grads, gv["max_norm"])
        assert np.allclose(grads["w"], inst.answer * before)


def test_l2_gradient_matches_the_mlp_with_l2():
    for inst in instances("regularization.l2_gradient"):
        gv = inst.givens
        net = MLP([1, 1], seed=0)
        net.params["W1"][:] = gv["w"]
        net.params["b1"][:] = 0
        _loss, grads = net.loss_and_gradients([[gv["x"]]], [[gv["y"]]], l2=gv["lambda"])
        assert abs(inst.answer - grads["W1"][0, 0]) < 1e-9


def test_dropout_mask_matches_the_mlp_in_training_mode():
    for inst in instances("regularization.dropout_mask"):
        gv = inst.givens
        net = MLP([4, 4, 1], activation="identity", dropout=gv["p"], seed=0)
        net.params["W1"][:] = np.eye(4)
        net.params["b1"][:] = 0
        draws = np.where(np.array(gv["mask"]) == 1, 0.0, 0.999)[None, :]
        net.rng = mock.Mock(random=mock.Mock(return_value=draws))  # the drawn mask
        net.forward(np.array([gv["a"]]))
        assert abs(inst.answer - net.trace["A1"][0, gv["j"] - 1]) < 1e-9


def test_parameter_count_matches_the_mlp():
    for inst in instances("putting_it_together.parameter_count", layers=3):
        gv = inst.givens
        net = MLP([gv[f"n{l}"] for l in range(4)], seed=0)
        assert inst.answer == sum(p.size for p in net.params.values())


def test_sm2_interval_matches_the_sm2_scheduler():
    from datetime import datetime, timezone

    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for inst in instances("start_here.sm2_interval"):
        gv = inst.givens
        from fractions import Fraction

        state = SM2State(due=now, interval=gv["interval"],
                         easiness=Fraction(str(gv["EF"])), repetitions=2, last_review=now)
        after = SM2().review(state, gv["q"], now)
        assert inst.answer == after.interval
