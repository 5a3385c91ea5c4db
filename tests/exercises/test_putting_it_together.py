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
    ("many", "Could not read 'many' as a number"),
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


# -- digits -----------------------------------------------------------------------------------
def _digits_net(epochs: int, hidden: int = 64, lr: float = 0.01, train=None, seed: int = 0):
    from bpcourse import fit, optim

    (X_tr, y_tr), _ = ex.digits_split()
    if train is not None:
        X_tr, y_tr = train
    net = MLP([64, hidden, 10], activation="relu", output="softmax", init="he", seed=seed)
    fit(net, X_tr, y_tr, loss="cross_entropy", optimizer=optim.Adam(lr), epochs=epochs,
        batch_size=32, progress=False, seed=0)
    return net


def test_digits_split_is_the_notebooks_split():
    from bpcourse import data

    (X_tr, y_tr), (X_val, y_val) = ex.digits_split()
    (X2, _), (Xv2, yv2) = data.train_val_split(*data.digits(), val_fraction=0.25, seed=0)
    assert X_tr.shape == (1348, 64) and X_val.shape == (449, 64)
    assert np.array_equal(X_tr, X2) and np.array_equal(X_val, Xv2) and np.array_equal(y_val, yv2)


def test_digits_the_notebooks_net_passes_with_its_accuracy_and_misclassified_count(capsys):
    ok, out = run(ex.check_digits_accuracy, _digits_net(20), capsys=capsys)
    assert ok and out.startswith("Correct")
    # Counted independently of the check: the net's own predictions on the split.
    _, (X_val, y_val) = ex.digits_split()
    n_wrong = int(np.sum(_digits_net(20).predict(X_val) != y_val))
    assert n_wrong <= 0.05 * len(y_val)
    assert f"({n_wrong} of 449 images wrong)" in out


def test_digits_the_worked_solution_passes(capsys):
    from bpcourse.exercises.solutions import reference

    assert run(ex.check_digits_accuracy, reference("digits"), capsys=capsys)[0]


def test_digits_an_untrained_net_gets_the_underfitting_hint(capsys):
    ok, out = run(ex.check_digits_accuracy, _digits_net(0), capsys=capsys)
    assert not ok and "underfitting" in out


def test_digits_a_net_trained_on_few_images_gets_the_overfitting_hint(capsys):
    # 40 training images learnt by heart: perfect on them, poor on the validation images.
    (X_tr, y_tr), _ = ex.digits_split()
    few = (X_tr[:40], y_tr[:40])
    net = _digits_net(60, train=few)
    ok, out = run(ex.check_digits_accuracy, net, train=few, capsys=capsys)
    assert not ok and "overfitting" in out and "training accuracy 100.0%" in out


def test_digits_a_run_is_judged_by_its_own_recorded_training_accuracy(capsys):
    from bpcourse.runs import Settings, train_run

    (X_tr, y_tr), val = ex.digits_split()
    few_run = train_run(Settings(hidden=(64,), epochs=60, lr=0.01), (X_tr[:40], y_tr[:40]),
                        val)
    ok, out = run(ex.check_digits_accuracy, few_run, capsys=capsys)
    assert not ok and "overfitting" in out


@pytest.mark.parametrize("answer, says", [
    (..., "no answer yet"),
    (None, "no answer yet"),
    ("digits_net", "Expected a trained MLP, got str"),
    (42, "Expected a trained MLP, got int"),
    (MLP([2, 8, 10], output="softmax"), "sizes [2, 8, 10]"),
    (MLP([64, 8, 10], output="sigmoid"), "output 'sigmoid'"),
])
def test_digits_blank_wrong_type_and_wrong_shape_fail_with_a_reason(capsys, answer, says):
    ok, out = run(ex.check_digits_accuracy, answer, capsys=capsys)
    assert not ok and out.startswith("Not yet") and says in out


def test_digits_a_diverged_net_is_named_as_such(capsys):
    net = MLP([64, 8, 10], output="softmax", seed=0)
    net.params["W1"][0, 0] = np.nan
    ok, out = run(ex.check_digits_accuracy, net, capsys=capsys)
    assert not ok and "NaN or inf" in out
