"""Optimisers: two steps of each worked by hand, their state, and dtype/in-place behaviour.

Every case starts from theta = (1, -2), takes g1 = (0.5, -1) then g2 = (0.1, 0.2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpcourse import optim

G1, G2 = np.array([0.5, -1.0]), np.array([0.1, 0.2])


def two_steps(opt, dtype=np.float64):
    """Run two steps on theta = (1, -2); return theta after each step (copies)."""
    params = {"w": np.array([1.0, -2.0], dtype=dtype)}
    seen = []
    for g in (G1, G2):
        opt.step(params, {"w": g.astype(dtype)})
        seen.append(params["w"].copy())
    return seen


def test_sgd_by_hand():
    # theta - 0.1 g1 = (1 - 0.05, -2 + 0.1); then - 0.1 g2 = (0.95 - 0.01, -1.9 - 0.02)
    opt = optim.SGD(0.1)
    w1, w2 = two_steps(opt)
    np.testing.assert_allclose(w1, [0.95, -1.9], rtol=1e-15)
    np.testing.assert_allclose(w2, [0.94, -1.92], rtol=1e-15)
    assert opt.state == {}
    assert opt.t == 2


def test_momentum_by_hand():
    # v1 = g1 = (0.5, -1), theta1 = (0.95, -1.9)
    # v2 = 0.9 v1 + g2 = (0.45 + 0.1, -0.9 + 0.2) = (0.55, -0.7)
    # theta2 = theta1 - 0.1 v2 = (0.895, -1.83)
    opt = optim.Momentum(0.1, beta=0.9)
    params = {"w": np.array([1.0, -2.0])}
    opt.step(params, {"w": G1.copy()})
    np.testing.assert_allclose(opt.state["v"]["w"], [0.5, -1.0], rtol=1e-15)
    np.testing.assert_allclose(params["w"], [0.95, -1.9], rtol=1e-15)
    opt.step(params, {"w": G2.copy()})
    np.testing.assert_allclose(opt.state["v"]["w"], [0.55, -0.7], rtol=1e-14)
    np.testing.assert_allclose(params["w"], [0.895, -1.83], rtol=1e-14)


def test_momentum_does_not_alias_the_gradient():
    # v starts as a copy of g: changing g afterwards must not change v.
    opt = optim.Momentum(0.1)
    g = G1.copy()
    opt.step({"w": np.zeros(2)}, {"w": g})
    g[:] = 100.0
    np.testing.assert_array_equal(opt.state["v"]["w"], G1)


def test_rmsprop_by_hand():
    # s starts at 0. s1 = 0.1 g1^2 = (0.025, 0.1), and g1 / sqrt(s1) = sign(g1) sqrt(10),
    #   so theta moves by 0.01 sqrt(10) against the sign of g1 (eps shifts it by ~1e-9).
    # s2 = 0.9 s1 + 0.1 g2^2 = (0.0225 + 0.001, 0.09 + 0.004) = (0.0235, 0.094)
    # g2 / sqrt(s2) = (0.1/sqrt(0.0235), 0.2/sqrt(0.094)) = 1/sqrt(2.35) for both entries
    opt = optim.RMSprop(0.01, rho=0.9, eps=1e-8)
    w1, w2 = two_steps(opt)
    step1 = 0.01 * np.array([0.5 / (math.sqrt(0.025) + 1e-8), -1.0 / (math.sqrt(0.1) + 1e-8)])
    np.testing.assert_allclose(step1, [0.01 * math.sqrt(10), -0.01 * math.sqrt(10)],
                               rtol=1e-6)
    np.testing.assert_allclose(w1, np.array([1.0, -2.0]) - step1, rtol=1e-13)
    np.testing.assert_allclose(opt.state["s"]["w"], [0.0235, 0.094], rtol=1e-14)
    step2 = 0.01 * np.array([0.1 / (math.sqrt(0.0235) + 1e-8), 0.2 / (math.sqrt(0.094) + 1e-8)])
    np.testing.assert_allclose(step2, 0.01 / math.sqrt(2.35), rtol=1e-6)
    np.testing.assert_allclose(w2, w1 - step2, rtol=1e-13)


def test_adam_by_hand():
    # t = 1: m = 0.1 g1, v = 0.001 g1^2; bias correction gives m_hat = g1, v_hat = g1^2,
    #   so the step is lr * g1 / (|g1| + eps), i.e. 0.1 against the sign of g1.
    # t = 2: m = 0.9 (0.05, -0.1) + 0.1 (0.1, 0.2) = (0.055, -0.07)
    #        v = 0.999 (0.00025, 0.001) + 0.001 (0.01, 0.04) = (0.00025975, 0.001039)
    #        m_hat = m / (1 - 0.9^2) = m / 0.19,  v_hat = v / (1 - 0.999^2) = v / 0.001999
    opt = optim.Adam(0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    params = {"w": np.array([1.0, -2.0])}
    opt.step(params, {"w": G1.copy()})
    w1 = np.array([1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 + 0.1 * 1.0 / (1.0 + 1e-8)])
    np.testing.assert_allclose(params["w"], w1, rtol=1e-12)
    np.testing.assert_allclose(opt.state["m"]["w"], [0.05, -0.1], rtol=1e-14)
    np.testing.assert_allclose(opt.state["v"]["w"], [0.00025, 0.001], rtol=1e-12)

    opt.step(params, {"w": G2.copy()})
    m, v = np.array([0.055, -0.07]), np.array([0.00025975, 0.001039])
    np.testing.assert_allclose(opt.state["m"]["w"], m, rtol=1e-13)
    np.testing.assert_allclose(opt.state["v"]["w"], v, rtol=1e-12)
    w2 = w1 - 0.1 * (m / 0.19) / (np.sqrt(v / 0.001999) + 1e-8)
    np.testing.assert_allclose(params["w"], w2, rtol=1e-11)
    np.testing.assert_allclose(params["w"], [0.81969590, -1.84889739], rtol=1e-8)
    assert opt.t == 2


def test_default_hyperparameters():
    assert optim.Momentum(0.1).beta == 0.9
    r = optim.RMSprop(0.1)
    assert (r.rho, r.eps) == (0.99, 1e-8)
    a = optim.Adam(0.1)
    assert (a.beta1, a.beta2, a.eps) == (0.9, 0.999, 1e-8)


@pytest.mark.parametrize("make", [
    lambda: optim.SGD(0.1), lambda: optim.Momentum(0.1), lambda: optim.RMSprop(0.01),
    lambda: optim.Adam(0.1),
])
def test_float32_stays_float32_and_updates_in_place(make):
    opt64, opt32 = make(), make()
    expected = two_steps(opt64)[-1]
    params = {"w": np.array([1.0, -2.0], dtype=np.float32)}
    live = params["w"]
    for g in (G1, G2):
        opt32.step(params, {"w": g.astype(np.float32)})
    assert params["w"] is live  # the net's own arrays change, no new ones
    assert live.dtype == np.float32
    np.testing.assert_allclose(live, expected, rtol=1e-5)
    for slot in opt32.state.values():
        assert all(a.dtype == np.float32 for a in slot.values())


def test_state_is_kept_per_parameter():
    opt = optim.Adam(0.1)
    params = {"W1": np.ones((2, 2)), "b1": np.zeros(2)}
    opt.step(params, {"W1": np.full((2, 2), 0.5), "b1": np.array([1.0, -1.0])})
    assert set(opt.state) == {"m", "v"}
    assert set(opt.state["m"]) == {"W1", "b1"}
    assert opt.state["m"]["W1"].shape == (2, 2)
    np.testing.assert_allclose(opt.state["m"]["b1"], [0.1, -0.1])


def test_bad_optimizer_input():
    with pytest.raises(ValueError, match="learning rate"):
        optim.SGD(0.0)
    opt = optim.SGD(0.1)
    with pytest.raises(ValueError, match="same names"):
        opt.step({"W1": np.zeros(2)}, {"W2": np.zeros(2)})
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        opt.step({"W1": np.zeros(2)}, {"W1": np.zeros(3)})


def test_update_equations_are_in_the_docstrings():
    assert "beta" in optim.Momentum.__doc__
    assert "rho" in optim.RMSprop.__doc__
    assert "hat m" in optim.Adam.__doc__ and "beta_2^t" in optim.Adam.__doc__


def test_make_optimizer_by_name():
    from bpcourse.optim import make_optimizer

    opt = make_optimizer("Momentum", 0.5, beta=0.8)
    assert isinstance(opt, optim.Momentum) and (opt.lr, opt.beta) == (0.5, 0.8)
    with pytest.raises(ValueError, match="unknown optimiser 'adam'; valid names: SGD"):
        make_optimizer("adam", 0.1)


# -- float16 networks keep the optimiser state in float32 (issue 10) -----------------------
@pytest.mark.parametrize("name", ["Adam", "RMSprop"])
def test_a_float16_net_trains_with_adam_and_rmsprop(name):
    # In float16, eps = 1e-8 is 0 and g**2 underflows for |g| < 2.4e-4, so with float16
    # state the step m / sqrt(v) was inf by step 2 and fit blamed the learning rate.
    from bpcourse import MLP
    from bpcourse.train import fit

    X, y = np.linspace(-1, 1, 32)[:, None], np.linspace(-1, 1, 32)[:, None] * 1e-3
    net = MLP([1, 4, 1], activation="tanh", dtype=np.float16, seed=0)
    opt = optim.make_optimizer(name, 1e-3)
    history = fit(net, X, y, optimizer=opt, epochs=5, batch_size=8, progress=False)
    assert all(np.isfinite(history.train_loss))
    assert all(p.dtype == np.float16 for p in net.params.values())
    slot = "m" if name == "Adam" else "s"
    assert opt.state[slot]["W1"].dtype == np.float32


def test_float16_state_really_avoids_the_underflow():
    # An independent check of the arithmetic: float16 cannot hold eps or a small g**2.
    small = np.full(1, 1e-4, dtype=np.float16)
    assert np.float16(1e-8) == 0 and (small * small)[0] == 0
    p = np.zeros(1, dtype=np.float16)
    opt = optim.Adam(0.01)
    for _ in range(3):
        opt.step({"w": p}, {"w": np.full(1, 1e-4, dtype=np.float16)})
    # Adam's first steps are about -lr each, whatever the gradient's size.
    assert np.isfinite(p).all() and abs(float(p[0]) + 0.03) < 1e-3
