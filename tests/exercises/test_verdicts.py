"""What a learner is told for the reference answer, a correctly rounded one and the typical
wrong answers of each exercise (issue 10): a rounding difference never gets a concept hint,
an incomplete or malformed answer is never Correct.

Set BPCOURSE_VERDICT_TABLE=path to also write the table as Markdown.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from bpcourse.exercises import backward_pass as bp
from bpcourse.exercises import chain_rule as cr
from bpcourse.exercises import epochs_and_batches as eb
from bpcourse.exercises import forward_pass as fp
from bpcourse.exercises import putting_it_together as pt
from bpcourse.exercises import regularization as rg
from bpcourse.exercises import start_here as sh
from bpcourse.exercises import vanishing_exploding as ve
from bpcourse.exercises import weight_update as wu
from bpcourse.exercises.solutions import reference


def kind_of(out: str) -> str:
    """The verdict a learner reads, from the printed lines."""
    if "Not yet" not in out:
        return "Correct"
    if "no answer" in out:
        return "no answer yet"
    if "common slip" in out:
        return "slip named"
    if "give more digits" in out:
        return "more digits"
    if "Close" in out:
        return "close (rounding)"
    return "Not yet"


def _delta2():
    return reference("delta2")


def _nan_backward(params, cache, Y):
    grads = reference("backward")(params, cache, Y)
    grads["W1"] = np.full_like(grads["W1"], np.nan)
    return grads


def _drop_net(training: bool):
    from bpcourse import MLP

    net = MLP([2, 16, 2], activation="tanh", output="softmax", dropout=0.5, seed=7)
    X4 = np.array([[0.1, 0.2], [1.0, -0.5], [0.3, 0.3], [-1.0, 0.5]])
    net.eval()
    probs = net.forward(X4)
    if training:
        net.train()
    return probs, net, X4


CE = reference("cross_entropy")
TINY = cr._tiny_factors()
HE, CLIP = float(np.sqrt(2 / 256)), 5 / 13
CLIP_NORMS = {"W1": 3, "W2": 4, "W3": 12}

# (exercise, what the learner typed, the check call, the verdict it must get)
TABLE = [
    ("00 shape of W2", "(5, 2)", lambda: sh.check_weight_shape((5, 2)), "Correct"),
    ("00 shape of W2", "np.array([5, 2])", lambda: sh.check_weight_shape(np.array([5, 2])),
     "Correct"),
    ("00 shape of W2", "(2, 5)", lambda: sh.check_weight_shape((2, 5)), "Not yet"),
    ("00 shape of W2", "...", lambda: sh.check_weight_shape(...), "no answer yet"),
    ("00 rating", "3", lambda: sh.check_struggle_rating(3), "Correct"),
    ("00 rating", "3.0", lambda: sh.check_struggle_rating(3.0), "Correct"),
    ("00 rating", "np.int64(3)", lambda: sh.check_struggle_rating(np.int64(3)), "Correct"),
    ("00 rating", "5", lambda: sh.check_struggle_rating(5), "Not yet"),
    ("00 SM-2 intervals", "[1, 6, 17]", lambda: sh.check_sm2_intervals([1, 6, 17]), "Correct"),
    ("00 SM-2 intervals", "np.array([1., 6., 17.])",
     lambda: sh.check_sm2_intervals(np.array([1.0, 6.0, 17.0])), "Correct"),
    ("00 SM-2 intervals", "[1, 6, 16] (floor)", lambda: sh.check_sm2_intervals([1, 6, 16]),
     "Not yet"),
    ("01 shapes", "all eight", lambda: fp.check_shapes(reference("shapes"), [4, 5, 3], 10),
     "Correct"),
    ("01 shapes", "{}", lambda: fp.check_shapes({}, [4, 5, 3], 10), "Not yet"),
    ("01 shapes", '{"W1": (4, 5)} only', lambda: fp.check_shapes({"W1": (4, 5)}, [4, 5, 3], 10),
     "Not yet"),
    ("01 shapes", '"b1": 5', lambda: fp.check_shapes({**reference("shapes"), "b1": 5},
                                                     [4, 5, 3], 10), "Not yet"),
    ("01 cross-entropy", "reference", lambda: fp.check_cross_entropy(
        CE, [[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]], [0, 1]), "Correct"),
    ("01 cross-entropy", f"{CE:.4g} (rounded)", lambda: fp.check_cross_entropy(
        float(f"{CE:.4g}"), [[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]], [0, 1]), "Correct"),
    ("01 cross-entropy", f"{CE:.2g} (2 figures)", lambda: fp.check_cross_entropy(
        float(f"{CE:.2g}"), [[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]], [0, 1]), "more digits"),
    ("01 cross-entropy", "the sum, not the mean", lambda: fp.check_cross_entropy(
        2 * CE, [[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]], [0, 1]), "slip named"),
    ("02 chain-rule factors", "reference", lambda: cr.check_tiny_factors(TINY), "Correct"),
    ("02 chain-rule factors", "rounded to 3 places",
     lambda: cr.check_tiny_factors(np.round(TINY, 3)), "Correct"),
    ("02 chain-rule factors", "z1(1-z1) as factor 3",
     lambda: cr.check_tiny_factors([TINY[0], 1.5, 0.24, 1.0]), "Not yet"),
    ("02 dL/dw1", "rounded to 4 figures",
     lambda: cr.check_tiny_gradient(float(f"{np.prod(TINY):.4g}")), "Correct"),
    ("02 dL/dw1", "sign flipped", lambda: cr.check_tiny_gradient(-np.prod(TINY)),
     "slip named"),
    ("02 paths", "10.0", lambda: cr.check_path_count(10.0), "Correct"),
    ("02 paths", "np.int64(10)", lambda: cr.check_path_count(np.int64(10)), "Correct"),
    ("02 paths", "7 (added)", lambda: cr.check_path_count(7), "Not yet"),
    ("03 δ2", "reference", lambda: bp.check_output_delta(_delta2()), "Correct"),
    ("03 δ2", "rounded to 4 places", lambda: bp.check_output_delta(np.round(_delta2(), 4)),
     "Correct"),
    ("03 δ2", "NaN inside", lambda: bp.check_output_delta(np.full_like(_delta2(), np.nan)),
     "Not yet"),
    ("03 δ2", "empty array", lambda: bp.check_output_delta(np.array([])), "Not yet"),
    ("03 backward", "returns NaN", lambda: bp.check_backward(_nan_backward), "Not yet"),
    ("03 bug location", "'(c)'", lambda: bp.check_bug_location("(c)"), "Correct"),
    ("03 bug location", "'C'", lambda: bp.check_bug_location("C"), "Correct"),
    ("03 bug location", "'a'", lambda: bp.check_bug_location("a"), "Not yet"),
    ("04 diverging lr", "'(D)'", lambda: wu.check_diverging_lr(
        "(D)", options={"A": 0.002, "B": 0.03, "C": 0.048, "D": 0.055}, a=1.0, b=40.0),
     "Correct"),
    ("04 Adam step", "[-0.01, 0.01] (without ε)", lambda: wu.check_adam_first_step(
        [-0.01, 0.01], g=np.array([0.002, -50.0]), lr=0.01), "Correct"),
    ("05 iterations", "48.0", lambda: eb.check_iterations(48.0), "Correct"),
    ("05 iterations", "45 (floor)", lambda: eb.check_iterations(45), "slip named"),
    ("06 sigmoid bound", "0.25 ** 10", lambda: ve.check_sigmoid_bound(0.25 ** 10), "Correct"),
    ("06 sigmoid bound", "9.54e-7", lambda: ve.check_sigmoid_bound(9.54e-7), "Correct"),
    ("06 sigmoid bound", "1e-6", lambda: ve.check_sigmoid_bound(1e-6), "more digits"),
    ("06 sigmoid bound", "2.5 (added)", lambda: ve.check_sigmoid_bound(2.5), "slip named"),
    ("06 He std", "np.sqrt(2 / 256)", lambda: ve.check_he_std(HE), "Correct"),
    ("06 He std", "0.0884", lambda: ve.check_he_std(0.0884), "Correct"),
    ("06 He std", "0.0883 (cut off)", lambda: ve.check_he_std(0.0883), "Correct"),
    ("06 He std", "0.09", lambda: ve.check_he_std(0.09), "more digits"),
    ("06 He std", "0.0885", lambda: ve.check_he_std(0.0885), "close (rounding)"),
    ("06 He std", "2 / 256 (variance)", lambda: ve.check_he_std(2 / 256), "slip named"),
    ("06 clip factor", "5 / 13", lambda: ve.check_clip_scale(
        CLIP, layer_norms=CLIP_NORMS, max_norm=5.0), "Correct"),
    ("06 clip factor", "0.3846", lambda: ve.check_clip_scale(
        0.3846, layer_norms=CLIP_NORMS, max_norm=5.0), "Correct"),
    ("06 clip factor", "0.38", lambda: ve.check_clip_scale(
        0.38, layer_norms=CLIP_NORMS, max_norm=5.0), "more digits"),
    ("06 clip factor", "5 / 19 (norms added)", lambda: ve.check_clip_scale(
        5 / 19, layer_norms=CLIP_NORMS, max_norm=5.0), "slip named"),
    ("06 clip factor", "inf", lambda: ve.check_clip_scale(
        np.inf, layer_norms=CLIP_NORMS, max_norm=5.0), "Not yet"),
    ("06 clip factor", "'0.3846' (text)", lambda: ve.check_clip_scale(
        "0.3846", layer_norms=CLIP_NORMS, max_norm=5.0), "Correct"),
    ("07 keep scale", "1.25", lambda: rg.check_keep_scale(1.25, p=0.2), "Correct"),
    ("07 keep scale", "0.8", lambda: rg.check_keep_scale(0.8, p=0.2), "slip named"),
    ("07 eval output", "net back in train mode",
     lambda: _eval_check(True), "Correct"),
    ("07 eval output", "net left in eval mode",
     lambda: _eval_check(False), "Not yet"),
    ("07 early stopping", "9.0, np.int64(6)", lambda: rg.check_early_stopping(
        9.0, np.int64(6), val_losses=[0.90, 0.70, 0.62, 0.60, 0.61, 0.59, 0.63, 0.64, 0.66,
                                      0.70], patience=3), "Correct"),
    ("07 overfitting pair", "'(c)'", lambda: rg.check_overfitting_pair("(c)"), "Correct"),
    ("08 parameters", "1284.0", lambda: pt.check_param_count(1284.0, [2, 32, 32, 4]),
     "Correct"),
    ("08 parameters", "1216 (weights only)", lambda: pt.check_param_count(1216, [2, 32, 32, 4]),
     "slip named"),
    ("08 diagnoses", "'(B)', 'a', 'c)'", lambda: pt.check_diagnoses(
        {"A": "(B)", "B": "a", "C": "c)"}), "Correct"),
    ("08 diagnoses", "...", lambda: pt.check_diagnoses(...), "no answer yet"),
    ("08 own net", "my_settings = ...", lambda: pt.train_and_check(..., None, None)[1],
     "no answer yet"),
]


def _eval_check(training: bool) -> bool:
    probs, net, X4 = _drop_net(training)
    return rg.check_eval_output(probs, net=net, X=X4)


def _call(check):
    result = check()
    return result if isinstance(result, bool) else bool(result)


@pytest.mark.parametrize(("exercise", "typed", "check", "expected"), TABLE,
                         ids=[f"{e}: {t}" for e, t, _, _ in TABLE])
def test_each_answer_gets_the_right_verdict(capsys, exercise, typed, check, expected):
    ok = _call(check)
    out = capsys.readouterr().out
    assert kind_of(out) == expected, out
    assert ok == (expected == "Correct")
    if expected in ("more digits", "close (rounding)"):
        assert "Hint" not in out  # a rounding difference never gets a concept hint


def test_write_the_verdict_table(capsys, tmp_path):
    rows = ["| exercise | answer typed | verdict |", "|---|---|---|"]
    for exercise, typed, check, _ in TABLE:
        _call(check)
        rows.append(f"| {exercise} | `{typed}` | {kind_of(capsys.readouterr().out)} |")
    target = Path(os.environ.get("BPCOURSE_VERDICT_TABLE", tmp_path / "verdicts.md"))
    target.write_text("\n".join(rows) + "\n")
    assert target.read_text().count("\n") == len(TABLE) + 2


def test_a_placeholder_settings_never_raises(capsys):
    # Before: my_settings = ... crashed with AttributeError inside train_run.
    run, ok = pt.train_and_check(..., (np.zeros((4, 2)), np.zeros(4, int)), None)
    assert run is None and not ok and "no answer yet" in capsys.readouterr().out
    run, ok = pt.train_and_check("fast", None, None)
    assert run is None and not ok and "Expected Settings" in capsys.readouterr().out


def test_an_overfitted_net_gets_the_overfitting_hint(capsys):
    # Trained on 8 points per class it fits them all; judged on the whole training split,
    # it used to look underfitted and got the opposite advice.
    from bpcourse.lessons import putting_it_together as lesson
    from bpcourse.runs import Settings, train_run

    (X_tr, y_tr), (X_val, y_val) = lesson.spiral_split()
    tiny = lesson.per_class_subset(X_tr, y_tr, 8)
    run = train_run(Settings(hidden=(64, 64), activation="relu", init="he", lr=0.01,
                             epochs=150, batch_size=32, l2=0.0), tiny, (X_val, y_val))
    assert run.history.train_acc[-1] == 1.0
    assert not pt.check_spiral_accuracy(run)
    out = capsys.readouterr().out
    assert "training accuracy 1.000" in out and "overfitting" in out
    assert not pt.check_spiral_accuracy(run.net, train=tiny)
    assert "overfitting" in capsys.readouterr().out


def test_a_backward_returning_nan_is_not_correct_and_says_why(capsys):
    assert not bp.check_backward(_nan_backward)
    out = capsys.readouterr().out
    assert "Not yet" in out and "gradient of W1 contains NaN or inf" in out
