"""Checks of notebook 04: right answers pass, the usual slips get their own hints."""

import numpy as np
import pytest

from bpcourse.exercises import weight_update as ex
from bpcourse.optim import Adam, Momentum

# Givens of the Momentum exercise; the new values worked out by hand:
# v_new = 0.9·(1, -2) + (0.5, 0.4) = (1.4, -1.4); θ_new = (2, 1) - 0.1·(1.4, -1.4) = (1.86, 1.14)
MOM = dict(theta=[2.0, 1.0], v=[1.0, -2.0], g=[0.5, 0.4], beta=0.9, lr=0.1)
V_NEW = [1.4, -1.4]
THETA_NEW = [1.86, 1.14]


def test_momentum_right_answer(capsys):
    assert ex.check_momentum_step(V_NEW, THETA_NEW, **MOM)
    assert capsys.readouterr().out.startswith("Correct")


def test_momentum_check_agrees_with_the_package_optimizer(capsys):
    opt = Momentum(MOM["lr"], beta=MOM["beta"])
    params = {"w": np.array(MOM["theta"])}
    opt.state["v"] = {"w": np.array(MOM["v"])}
    opt.step(params, {"w": np.array(MOM["g"])})
    assert ex.check_momentum_step(opt.state["v"]["w"], params["w"], **MOM)
    assert np.allclose(params["w"], THETA_NEW)


@pytest.mark.parametrize("v_new, theta_new, hint", [
    ([1.45, -1.64], THETA_NEW, "β multiplies the old velocity"),    # v + βg
    ([0.95, -1.76], THETA_NEW, "averaged form"),                    # βv + (1-β)g
    ([0.5, 0.4], THETA_NEW, "the velocity remembers the past"),     # just g
    (V_NEW, [2.14, 0.86], "you added the step"),                    # θ + ηv
    (V_NEW, [1.95, 0.96], "not the raw gradient"),                  # θ - ηg
    (V_NEW, [1.9, 1.2], "not the old one"),                         # θ - η·v_old
    (V_NEW, [0.6, 2.4], "multiply the velocity by the learning rate"),  # θ - v
])
def test_momentum_slips_get_their_hint(capsys, v_new, theta_new, hint):
    assert not ex.check_momentum_step(v_new, theta_new, **MOM)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_momentum_other_wrong_answers(capsys):
    assert not ex.check_momentum_step(V_NEW, [1.0, 1.0], **MOM)
    assert "θ ← θ − η v" in capsys.readouterr().out
    assert not ex.check_momentum_step(..., THETA_NEW, **MOM)
    assert "no answer yet" in capsys.readouterr().out
    assert not ex.check_momentum_step([1.4], THETA_NEW, **MOM)
    assert "shape" in capsys.readouterr().out


# Adam, first step with g = (0.002, -50): whatever the size of g, Δθ = -η·sign(g).
G = [0.002, -50.0]


def test_adam_right_answer(capsys):
    assert ex.check_adam_first_step([-0.01, 0.01], g=G, lr=0.01)
    assert capsys.readouterr().out.startswith("Correct")


def test_adam_check_agrees_with_the_package_optimizer(capsys):
    params = {"w": np.zeros(2)}
    Adam(0.01).step(params, {"w": np.array(G)})
    assert ex.check_adam_first_step(params["w"], g=G, lr=0.01)


@pytest.mark.parametrize("step, hint", [
    # no correction: m = 0.1g, √v = √0.001·|g|, ratio 0.1/0.0316 = 3.162
    (-0.01 * 0.1 / np.sqrt(0.001) * np.sign(G), "forgot the bias correction"),
    ([0.01, -0.01], "you added the step"),
    ([-0.01 * 0.002, 0.01 * 50], "plain SGD"),
    ([-0.01 / 0.002, 0.01 / 50], "square root"),
    (-0.01 / np.sqrt(0.001) * np.sign(G), "v̂ = v / (1 − β2) as well"),  # only m corrected
])
def test_adam_slips_get_their_hint(capsys, step, hint):
    assert not ex.check_adam_first_step(step, g=G, lr=0.01)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_adam_unrecognised_wrong_answer(capsys):
    assert not ex.check_adam_first_step([0.3, 0.3], g=G, lr=0.01)
    assert "m̂ = m/(1−β1)" in capsys.readouterr().out


# Which learning rate diverges on ½(θ1² + 40 θ2²)? Only η > 2/40 = 0.05.
OPTIONS = {"A": 0.002, "B": 0.03, "C": 0.048, "D": 0.055}


def test_diverging_options_by_hand():
    # |1 - 40η| for A..D: 0.92, 0.2, 0.92, 1.2
    assert ex.diverging_options(OPTIONS, a=1.0, b=40.0) == ["D"]
    assert ex.diverging_options({"x": 2.5}, a=1.0, b=0.1) == ["x"]  # |1 - 2.5| > 1 along θ1


def test_diverging_right_answer(capsys):
    assert ex.check_diverging_lr(" d ", options=OPTIONS, a=1.0, b=40.0)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize("answer, hint", [
    ("C", "flips sign every step"),
    ("A", "shrinks without changing sign"),
    ("E", "one of the letters"),
    (..., "no answer yet"),
])
def test_diverging_wrong_answers(capsys, answer, hint):
    assert not ex.check_diverging_lr(answer, options=OPTIONS, a=1.0, b=40.0)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_diverging_needs_exactly_one_bad_option():
    with pytest.raises(ValueError, match="exactly one"):
        ex.check_diverging_lr("A", options={"A": 0.01, "B": 0.02}, a=1.0, b=40.0)


def test_adam_with_a_zero_gradient_component(capsys):
    # m̂ = v̂ = 0 there, so the step is 0 (ε keeps 0/0 away); no warnings from the slips.
    assert ex.check_adam_first_step([0.0, -0.01], g=[0.0, 3.0], lr=0.01)
    assert not ex.check_adam_first_step([0.0, 0.01], g=[0.0, 3.0], lr=0.01)
    assert "Not yet" in capsys.readouterr().out


def test_diverging_no_answer_line(capsys):
    assert not ex.check_diverging_lr(None, options=OPTIONS, a=1.0, b=40.0)
    assert capsys.readouterr().out == (
        "Not yet: the learning rate that diverges. There is no answer yet: replace the ... "
        "with yours. Stuck? Use the help button below.\n")


# -- learning-rate schedules -----------------------------------------------------------------
# Worked by hand: StepDecay(0.1, every=100, factor=0.5) has dropped twice before step 300
# (after steps 100 and 200), so η = 0.1·0.5² = 0.025. Cosine(0.1, total=101) at t = 26 is a
# quarter of the way: η = ½·0.1·(1 + cos(π/4)) = 0.05·(1 + 0.70711) = 0.0853553.
SCHED = dict(lr=0.1, every=100, factor=0.5, t=300, total=101, t_cos=26)
ETA_STEP, ETA_COS = 0.025, 0.0853553


def test_schedule_values_reference_answer_passes(capsys):
    assert ex.check_schedule_values(ETA_STEP, ETA_COS, **SCHED)
    assert capsys.readouterr().out.startswith("Correct")


def test_schedule_values_agree_with_the_package_schedules(capsys):
    from bpcourse.schedules import Cosine, StepDecay

    assert StepDecay(0.1, every=100, factor=0.5)(300) == pytest.approx(ETA_STEP)
    assert Cosine(0.1, total=101)(26) == pytest.approx(ETA_COS, rel=1e-6)


@pytest.mark.parametrize("eta_cos", [0.0854, 0.08536, np.float32(0.0853553), "0.0854"])
def test_schedule_values_correctly_rounded_or_typed_answers_pass(capsys, eta_cos):
    assert ex.check_schedule_values(np.int64(0) + 0.025, eta_cos, **SCHED)
    assert capsys.readouterr().out.startswith("Correct")


def test_schedule_values_too_few_digits_is_a_rounding_verdict_without_a_concept_hint(capsys):
    assert not ex.check_schedule_values(ETA_STEP, 0.085, **SCHED)
    out = capsys.readouterr().out
    assert "more digits" in out and "Hint" not in out


@pytest.mark.parametrize("eta_step, eta_cos, hint", [
    (0.0125, ETA_COS, "steps are counted from 1"),          # 0.1·0.5^(300 // 100)
    (0.0125, 0.084521, "steps are counted from 1"),         # the step part is judged first
    (0.05, ETA_COS, "at every drop"),                        # halved once
    (ETA_STEP, 0.084521, "progress is (t − 1)/(T − 1)"),     # cos(π·26/101)
    (ETA_STEP, 0.1707, "halve it"),                          # no ½
    (ETA_STEP, 0.0146, "with a plus"),                       # 1 − cos
    (ETA_STEP, 0.0999953, "radians"),                        # cos of degrees
])
def test_schedule_values_slips_get_their_hint(capsys, eta_step, eta_cos, hint):
    assert not ex.check_schedule_values(eta_step, eta_cos, **SCHED)
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("eta_step, eta_cos, says", [
    (..., ..., "no answer yet"),
    (ETA_STEP, ..., "no answer yet"),
    (float("nan"), ETA_COS, "not a finite number"),
    (ETA_STEP, float("inf"), "not a finite number"),
    ("abc", ETA_COS, "Not yet"),
    ([ETA_STEP], ETA_COS, "Not yet"),
    (ETA_STEP, None, "no answer yet"),
])
def test_schedule_values_blank_nan_and_wrongly_typed_answers_fail(capsys, eta_step, eta_cos,
                                                                  says):
    assert not ex.check_schedule_values(eta_step, eta_cos, **SCHED)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and says in out
