"""Learning-rate schedules: values worked by hand, the wrapper steps with them, and bad
arguments are refused by name."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpcourse import MLP, data, fit, optim
from bpcourse.schedules import Cosine, Scheduled, StepDecay, WarmUp, values


def test_step_decay_halves_every_two_steps():
    assert values(StepDecay(0.1, every=2), 5).tolist() == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025], rel=1e-15)


def test_cosine_starts_at_lr_ends_at_lr_min_and_passes_the_middle_halfway():
    s = Cosine(0.2, total=5, lr_min=0.02)
    v = values(s, 7)
    assert v[0] == pytest.approx(0.2) and v[4] == pytest.approx(0.02)
    assert v[2] == pytest.approx((0.2 + 0.02) / 2)          # cos(pi/2) = 0
    assert v[1] == pytest.approx(0.02 + 0.09 * (1 + math.cos(math.pi / 4)))
    assert np.all(np.diff(v) <= 0) and v[5] == v[6] == pytest.approx(0.02)


def test_warm_up_ramps_linearly_into_the_schedule_after_it():
    s = WarmUp(4, after=StepDecay(0.1, every=10))
    assert values(s, 6).tolist() == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1])
    assert WarmUp(2, after=0.3)(1) == pytest.approx(0.15)


def test_scheduled_sgd_takes_each_step_with_that_steps_rate():
    opt = Scheduled(optim.SGD(1.0), StepDecay(0.1, every=1, factor=0.5))
    p = {"w": np.array([0.0])}
    for _ in range(3):
        opt.step(p, {"w": np.array([1.0])})
    assert p["w"][0] == pytest.approx(-(0.1 + 0.05 + 0.025), rel=1e-15)
    assert opt.t == 3 and opt.lr == pytest.approx(0.025)


def test_scheduled_adam_keeps_the_wrapped_optimisers_state():
    inner = optim.Adam(0.01)
    opt = Scheduled(inner, Cosine(0.01, total=10))
    opt.step({"w": np.array([1.0])}, {"w": np.array([2.0])})
    assert opt.state is inner.state and inner.state["m"]["w"][0] == pytest.approx(0.2)


def test_fit_trains_with_a_scheduled_optimiser():
    X, y = data.moons(n=64, noise=0.1, seed=0)
    net = MLP([2, 8, 2], activation="tanh", output="softmax", seed=0)
    schedule = WarmUp(5, after=Cosine(0.05, total=40))
    opt = Scheduled(optim.Adam(0.05), schedule)
    h = fit(net, X, y, loss="cross_entropy", optimizer=opt, epochs=10, batch_size=16,
            progress=False)
    assert opt.t == 40 and opt.lr == pytest.approx(schedule(40))
    assert h.train_loss[-1] < h.train_loss[0]


@pytest.mark.parametrize("make, match", [
    (lambda: StepDecay(0.0, every=2), "lr must be a finite number > 0"),
    (lambda: StepDecay(float("nan"), every=2), "lr must be"),
    (lambda: StepDecay(0.1, every=0), "every must be a whole number"),
    (lambda: StepDecay(0.1, every=2, factor=1.5), "factor must be in"),
    (lambda: Cosine(0.1, total=2.5), "total must be a whole number"),
    (lambda: Cosine(0.1, total=10, lr_min=0.2), "lr_min must be in"),
    (lambda: WarmUp(0, after=0.1), "steps must be"),
    (lambda: WarmUp(3, after=-1.0), "after must be"),
    (lambda: StepDecay(0.1, every=2)(0), "steps are counted from 1"),
    (lambda: values(Cosine(0.1, total=3), 0), "n_steps must be"),
])
def test_bad_schedule_arguments_are_refused_by_name(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_schedule_that_gives_nan_midway_stops_with_the_step_number():
    opt = Scheduled(optim.SGD(0.1), lambda t: 0.1 if t < 3 else float("nan"))
    p = {"w": np.array([0.0])}
    opt.step(p, {"w": np.array([1.0])})
    opt.step(p, {"w": np.array([1.0])})
    with pytest.raises(ValueError, match="learning rate nan at step 3"):
        opt.step(p, {"w": np.array([1.0])})
    assert p["w"][0] == pytest.approx(-0.2)


def test_scheduled_refuses_what_is_not_an_optimiser_or_a_schedule():
    with pytest.raises(TypeError, match="optimizer must be"):
        Scheduled("adam", Cosine(0.1, total=3))
    with pytest.raises(TypeError, match="schedule must be callable"):
        Scheduled(optim.SGD(0.1), 0.1)
