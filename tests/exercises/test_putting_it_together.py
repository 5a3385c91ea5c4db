"""Checks of notebook 08's exercises: right answers pass, typical slips get their own hint."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import MLP
from bpcourse.exercises import putting_it_together as ex
from bpcourse.lessons import putting_it_together as capstone

SIZES = [2, 32, 32, 4]


def run(check, *args, capsys, **kwargs):
    ok = check(*args, **kwargs)
    return ok, capsys.readouterr().out


# -- parameter count ----------------------------------------------------------------------
def test_param_count_right(capsys):
    # by hand: 2*32 + 32 + 32*32 + 32 + 32*4 + 4
    ok, out = run(ex.check_param_count, 64 + 32 + 1024 + 32 + 128 + 4, SIZES, capsys=capsys)
    assert ok and out.startswith("Correct") and "1216 weights and 68 biases" in out
    assert ex.check_param_count(13, [2, 3, 1])


@pytest.mark.parametrize("answer, words", [
    (1216, "weights only"),                       # no biases
    (1216 + 2 + 32 + 32, "n_l biases (not n_{l-1})"),
    (70, "counts the units"),
    (3 * 33 + 33 * 33 + 33 * 5, "no bias feeding"),
    (1000, "add up (n_{l-1} + 1) * n_l"),         # no recognised slip: the general hint
    (..., "no answer yet"),
    ("many", "Expected a number"),
])
def test_param_count_slips(capsys, answer, words):
    ok, out = run(ex.check_param_count, answer, SIZES, capsys=capsys)
    assert not ok
    assert out.startswith("Not yet") and words in out


# -- clinic diagnoses ---------------------------------------------------------------------
def test_diagnoses_right(capsys):
    ok, out = run(ex.check_diagnoses, {"A": "b", "B": " A ", "C": "c"}, capsys=capsys)
    assert ok
    lines = out.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("Correct") for line in lines)
    assert "vanish" in lines[0] and "too high" in lines[1] and "overfits" in lines[2]


@pytest.mark.parametrize("run_label, answer, words", [
    ("A", "d", "hundreds of times smaller"),   # vanishing mistaken for a small lr
    ("A", "a", "never blows up"),
    ("A", "c", "near chance"),
    ("B", "b", "climb by orders of magnitude"),
    ("B", "d", "shoot up"),
    ("C", "b", "gap between train and val"),
    ("C", "e", "warning sign"),
    ("C", "x", "not one of the choices"),
    ("A", None, "no answer yet"),
])
def test_diagnosis_slips(capsys, run_label, answer, words):
    ok, out = run(ex.check_diagnosis, run_label, answer, capsys=capsys)
    assert not ok
    assert out.startswith("Not yet") and words in out


def test_every_wrong_letter_has_a_hint():
    for run_label, right in ex.KEY.items():
        assert set(ex._HINTS[run_label]) == set(ex.CAUSES) - {right}


def test_diagnoses_with_one_missing(capsys):
    ok, out = run(ex.check_diagnoses, {"A": "b", "B": "a"}, capsys=capsys)
    assert not ok
    assert out.count("Correct") == 2 and "run C. There is no answer yet" in out


def test_unknown_run_is_an_error():
    with pytest.raises(ValueError, match="unknown clinic run"):
        ex.check_diagnosis("D", "a")


def _diagnose(run) -> str:
    """Read a clinic run's plots the way the notebook teaches, as rules."""
    h = run.history
    if run.diverged:
        return "a"
    if h.train_acc[-1] >= 0.99 and h.val_acc[-1] < h.train_acc[-1] - 0.2:
        return "c"
    norms = {k: np.median(v) for k, v in h.grad_norms.items()}
    if norms["W1"] < 1e-2 * norms[f"W{run.net.n_layers}"] and h.train_acc[-1] < 0.4:
        return "b"
    return "e"


def test_the_key_matches_what_the_runs_did():
    for label, letter in ex.KEY.items():
        assert _diagnose(capstone.clinic_run(label)) == letter, label
    assert _diagnose(capstone.clinic_run("healthy")) == "e"


# -- your own net on the spiral ---------------------------------------------------------
def test_spiral_accuracy_right(capsys):
    net = capstone.spiral_run(capstone.Settings(l2=1e-4)).net
    ok, out = run(ex.check_spiral_accuracy, net, capsys=capsys)
    assert ok and out.startswith("Correct") and "Validation accuracy 0.9" in out


def test_spiral_accuracy_underfit(capsys):
    ok, out = run(ex.check_spiral_accuracy, capstone.Settings().make_net(2, 4), capsys=capsys)
    assert not ok and "underfitting" in out


def test_spiral_accuracy_overfit_branch(capsys):
    # A good net still misses a point or two of the validation set; ask for all of them
    # and the verdict must blame the gap between the sets, not the fit.
    net = capstone.spiral_run(capstone.Settings(l2=1e-4)).net
    ok, out = run(ex.check_spiral_accuracy, net, target=1.0, capsys=capsys)
    assert not ok and "overfitting" in out and "training accuracy 1.000" in out


@pytest.mark.parametrize("net, words", [
    (MLP([2, 8, 3], output="softmax", seed=0), "2 inputs and 4 classes"),
    (MLP([2, 8, 4], output="sigmoid", seed=0), "output='softmax'"),
    ({"W1": 1}, "Expected a trained MLP"),
])
def test_spiral_accuracy_wrong_net(capsys, net, words):
    ok, out = run(ex.check_spiral_accuracy, net, capsys=capsys)
    assert not ok and words in out


def test_spiral_accuracy_diverged(capsys):
    net = capstone.Settings().make_net(2, 4)
    net.params["W2"][0, 0] = np.nan
    ok, out = run(ex.check_spiral_accuracy, net, capsys=capsys)
    assert not ok and "diverged" in out
