"""Checks of notebook 07: right answers pass, the usual slips get their own hints."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import MLP
from bpcourse.exercises import regularization as ex
from bpcourse.lessons import regularization as R

# -- L2 gradients -------------------------------------------------------------------------
# Givens worked by hand with λ = 0.1:
# dW_reg = dW + λW = [[0.5 + 0.2, -0.1 - 0.1], [0.3 - 0.05, 0.0 + 0.4]] = [[0.7, -0.2], [0.25, 0.4]]
L2 = dict(W=[[2.0, -1.0], [-0.5, 4.0]], b=[1.0, -3.0], dW=[[0.5, -0.1], [0.3, 0.0]],
          db=[0.2, 0.6], lam=0.1)
DW_REG = [[0.7, -0.2], [0.25, 0.4]]
DB_REG = [0.2, 0.6]


def test_l2_right_answer(capsys):
    assert ex.check_l2_gradients(DW_REG, DB_REG, **L2)
    assert capsys.readouterr().out.startswith("Correct")


def test_l2_right_answer_agrees_with_the_network():
    # Run the same givens through MLP: the data gradient of a 1-layer net, plus l2.
    net = MLP([2, 2], output="identity", seed=0)
    net.params["W1"][...] = L2["W"]
    net.params["b1"][...] = L2["b"]
    X, Y = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    _, plain = net.loss_and_gradients(X, Y, "mse")
    _, reg = net.loss_and_gradients(X, Y, "mse", l2=L2["lam"])
    givens = dict(L2, dW=plain["W1"], db=plain["b1"])
    assert ex.check_l2_gradients(reg["W1"], reg["b1"], **givens)


@pytest.mark.parametrize("dW_reg, db_reg, hint", [
    ([[0.9, -0.3], [0.2, 0.8]], DB_REG, "not 2λW"),                    # dW + 2λW
    ([[0.6, -0.15], [0.275, 0.2]], DB_REG, "cancels the ½"),            # dW + λ/2 W
    ([[0.7, -0.05], [0.3125, 0.8]], DB_REG, "adds the penalty"),        # dW + λ/2 W²
    ([[0.2, -0.1], [-0.05, 0.4]], DB_REG, "keep the data gradient"),    # λW
    ([[0.3, 0.0], [0.35, -0.4]], DB_REG, "points along w"),             # dW - λW
    (DW_REG, [0.3, 0.3], "biases are not penalised"),                   # db + λb
    (DW_REG, [0.4, 0.0], "biases are not penalised"),                   # db + 2λb
])
def test_l2_slips_get_their_hint(capsys, dW_reg, db_reg, hint):
    assert not ex.check_l2_gradients(dW_reg, db_reg, **L2)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_l2_other_wrong_answers(capsys):
    assert not ex.check_l2_gradients([[1.0, 1.0], [1.0, 1.0]], DB_REG, **L2)
    assert "dW_reg = dW + λ W" in capsys.readouterr().out
    assert not ex.check_l2_gradients(DW_REG, [5.0, 5.0], **L2)
    assert "contains no b" in capsys.readouterr().out
    assert not ex.check_l2_gradients(..., DB_REG, **L2)
    assert "no answer yet" in capsys.readouterr().out
    assert not ex.check_l2_gradients([0.7, -0.2], DB_REG, **L2)
    assert "shape" in capsys.readouterr().out


# -- the keep scale -----------------------------------------------------------------------
def test_keep_scale_right_answer(capsys):
    assert ex.check_keep_scale(1.25, p=0.2)
    assert capsys.readouterr().out.startswith("Correct")
    assert ex.check_keep_scale(1 / 0.8, p=0.2)


def test_keep_scale_makes_the_mask_average_one():
    # The answer key against sampling: masks scaled by 1.25 average 1, by 0.8 they do not.
    rng = np.random.default_rng(0)
    kept = rng.random(200_000) < 0.8
    assert abs(np.mean(kept * 1.25) - 1.0) < 0.01
    assert abs(np.mean(kept * 0.8) - 0.64) < 0.01


@pytest.mark.parametrize("answer, hint", [
    (0.8, "divides by it"),        # multiplied by keep
    (0.2, "drop probability"),     # multiplied by p
    (5.0, "not by the probability of dropping"),  # 1/p
    (1.0, "without a scale"),
])
def test_keep_scale_slips(capsys, answer, hint):
    assert not ex.check_keep_scale(answer, p=0.2)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_keep_scale_other_wrong_answers(capsys):
    assert not ex.check_keep_scale(2.0, p=0.2)
    assert "E[mask] must be 1" in capsys.readouterr().out
    assert not ex.check_keep_scale(..., p=0.2)
    assert "no answer yet" in capsys.readouterr().out


def test_keep_scale_at_p_zero_has_no_one_over_p_slip(capsys):
    # Nothing is dropped at p = 0, so the right scale is 1 and 1/p must not be evaluated.
    assert ex.check_keep_scale(1.0, p=0.0)
    assert capsys.readouterr().out.startswith("Correct")
    assert not ex.check_keep_scale(0.0, p=0.0)
    assert "drop probability" in capsys.readouterr().out


# -- evaluation mode ----------------------------------------------------------------------
def dropout_net():
    net = MLP([2, 16, 3], activation="tanh", output="softmax", dropout=0.5, seed=3)
    X = np.random.default_rng(1).normal(size=(4, 2))
    return net, X


def test_eval_output_right_answer_and_net_left_as_it_was(capsys):
    net, X = dropout_net()
    net.eval()
    answer = net.forward(X)
    net.train()
    net.forward(X[:2])
    trace, state = net.trace, net.rng.bit_generator.state
    assert ex.check_eval_output(answer, net=net, X=X)
    assert capsys.readouterr().out.startswith("Correct")
    assert net.training and net.trace is trace and net.rng.bit_generator.state == state


def test_eval_output_left_in_train_mode(capsys):
    net, X = dropout_net()
    answer = net.train().forward(X)
    assert not ex.check_eval_output(answer, net=net, X=X)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and "net.eval()" in out


def test_eval_output_scaled_by_keep(capsys):
    # The old, non-inverted convention: every hidden activation times (1 - p) at eval.
    net, X = dropout_net()
    A1 = np.tanh(X @ net.params["W1"] + net.params["b1"]) * 0.5
    Z2 = A1 @ net.params["W2"] + net.params["b2"]
    answer = np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)
    assert not ex.check_eval_output(answer, net=net, X=X)
    out = capsys.readouterr().out
    assert "scaled the activations by 1 − p" in out


def test_eval_output_labels_instead_of_probabilities(capsys):
    net, X = dropout_net()
    assert not ex.check_eval_output(net.predict(X), net=net, X=X)
    assert "shape" in capsys.readouterr().out


# -- early stopping -----------------------------------------------------------------------
VAL = [0.90, 0.70, 0.62, 0.60, 0.61, 0.59, 0.63, 0.64, 0.66, 0.70]


def test_early_stopping_right_answer(capsys):
    # By hand: new lows at 2, 3, 4, 6; epochs 7, 8, 9 without one; patience 3 stops at 9.
    assert ex.check_early_stopping(9, 6, val_losses=VAL, patience=3)
    assert "keeps the weights of epoch 6" in capsys.readouterr().out


@pytest.mark.parametrize("stop, keep, hint", [
    (8, 5, "count epochs from 1"),
    (9, 4, "only the first dip"),
    (9, 10, "lowest validation loss"),
    (10, 6, "does not run to the end"),
    (7, 6, "epoch 6 + 3"),
])
def test_early_stopping_slips(capsys, stop, keep, hint):
    assert not ex.check_early_stopping(stop, keep, val_losses=VAL, patience=3)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_early_stopping_no_answer(capsys):
    assert not ex.check_early_stopping(..., 6, val_losses=VAL, patience=3)
    assert "no answer yet" in capsys.readouterr().out


# -- which curves overfit -----------------------------------------------------------------
def test_overfitting_pair_right_answer(capsys):
    assert ex.check_overfitting_pair(" c ")
    assert "gap between them widens" in capsys.readouterr().out


@pytest.mark.parametrize("answer, hint", [("A", "underfitting"), ("B", "small gap"),
                                          ("D", "one of the letters")])
def test_overfitting_pair_wrong_letters(capsys, answer, hint):
    assert not ex.check_overfitting_pair(answer)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_answer_key_matches_the_curves():
    # The diagnoses are claims about real runs: check them on the runs themselves.
    runs = ex.curve_pair_runs()
    under, good, over = (runs[k].history for k in "ABC")
    # A: both end near chance level (ln 2 for two classes) and close together.
    assert under.train_loss[-1] > 0.6 and abs(under.val_loss[-1] - under.train_loss[-1]) < 0.05
    # B: both low, small gap.
    assert good.val_loss[-1] < 0.45 and runs["B"].gap < 0.15
    # C: val far above its own minimum, the largest gap of the three.
    assert over.val_loss[-1] > min(over.val_loss) + 0.5
    assert runs["C"].gap == max(r.gap for r in runs.values())
    assert ex.OVERFITTING == "C" and R.run(l2=0.001) is runs["C"]


# -- L1 gradient ----------------------------------------------------------------------------
# Givens of the notebook, worked by hand with λ₁ = 0.05 (sign(0) = 0):
# dW_l1 = dW + λ₁ sign(W) = [[0.1 + 0.05, 0.2 − 0.05, −0.3 + 0], [0.0 + 0.05, −0.1 + 0, 0.4 − 0.05]]
L1 = dict(W=[[0.5, -1.0, 0.0], [2.0, 0.0, -0.25]], dW=[[0.1, 0.2, -0.3], [0.0, -0.1, 0.4]],
          lam1=0.05)
DW_L1 = [[0.15, 0.15, -0.3], [0.05, -0.1, 0.35]]


def test_l1_gradient_reference_answer_passes(capsys):
    assert ex.check_l1_gradient(DW_L1, **L1)
    assert capsys.readouterr().out.startswith("Correct")


def test_l1_gradient_agrees_with_the_package_backward_pass(capsys):
    # A one-layer net with X = 0 has data gradient 0 for W1, so the package's dW1 is the
    # penalty's alone: λ₁ sign(W). Adding the givens' data gradient gives the answer.
    net = MLP([2, 3], output="identity", init=0.0)
    net.params["W1"][:] = L1["W"]
    _, grads = net.loss_and_gradients(np.zeros((1, 2)), np.zeros((1, 3)), l1=L1["lam1"])
    assert ex.check_l1_gradient(np.asarray(L1["dW"]) + grads["W1"], **L1)


@pytest.mark.parametrize("answer", [np.array(DW_L1, dtype=np.float32),
                                    [[0.15, 0.15, -0.3], [0.05, -0.1, 0.35]],
                                    np.array(DW_L1) + 1e-12])
def test_l1_gradient_other_types_of_the_right_answer_pass(capsys, answer):
    assert ex.check_l1_gradient(answer, **L1)


def test_l1_gradient_a_rounding_difference_gets_no_concept_hint(capsys):
    assert not ex.check_l1_gradient(np.round(np.array(DW_L1), 1), **L1)
    out = capsys.readouterr().out
    assert "more digits" in out and "Hint" not in out


@pytest.mark.parametrize("answer, hint", [
    ([[0.125, 0.15, -0.3], [0.1, -0.1, 0.3875]], "that is L2's gradient"),      # dW + λ₁W
    ([[0.125, 0.25, -0.3], [0.1, -0.1, 0.4125]], "adds the penalty λ₁|w| itself"),
    ([[0.15, 0.15, -0.25], [0.05, -0.05, 0.35]], "sign(0) = 0"),              # sign(0) = 1
    ([[0.05, 0.25, -0.3], [-0.05, -0.1, 0.45]], "points along w"),            # dW − λ₁ sign
    ([[0.05, -0.05, 0.0], [0.05, 0.0, -0.05]], "keep the data gradient"),     # λ₁ sign only
    ([[0.125, 0.175, -0.3], [0.025, -0.1, 0.375]], "no ½"),                   # ½λ₁ sign
])
def test_l1_gradient_slips_get_their_hint(capsys, answer, hint):
    assert not ex.check_l1_gradient(answer, **L1)
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("answer, says", [
    (..., "no answer yet"),
    (None, "no answer yet"),
    (np.full((2, 3), np.nan), "NaN"),
    (np.array([[0.15, np.inf, -0.3], [0.05, -0.1, 0.35]]), "inf"),
    (DW_L1[0], "shape"),
    ("0.15", "str"),
    ([[0.16, 0.15, -0.3], [0.05, -0.1, 0.35]], "largest difference"),
])
def test_l1_gradient_blank_nan_wrong_shape_and_wrong_values_fail(capsys, answer, says):
    assert not ex.check_l1_gradient(answer, **L1)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and says in out


# -- augmentation -----------------------------------------------------------------------------
def _augment_with(noise=None, labels=None, originals=True):
    """A learner's augment with one slip: ``noise(rng, sigma, shape)``, ``labels(y, copies)``."""
    def augment_fn(X, y, sigma, copies, rng):
        draw = noise or (lambda r, s, shape: r.normal(0.0, s, size=shape))
        jitter = draw(rng, sigma, (copies + (0 if originals else 1), *X.shape))
        moved = (X[None] + jitter).reshape(-1, X.shape[1])
        X_aug = np.concatenate([X, moved]) if originals else moved
        return X_aug, (labels or (lambda y, c: np.tile(y, c + 1)))(y, copies)
    return augment_fn


@pytest.mark.parametrize("augment_fn, message", [
    (_augment_with(), "Correct"),
    (_augment_with(noise=lambda r, s, shape: r.uniform(-s, s, size=shape)), "Gaussian noise"),
    (_augment_with(noise=lambda r, s, shape: r.normal(0.0, 1.0, size=shape)), "Scale the noise"),
    (_augment_with(noise=lambda r, s, shape: np.zeros(shape)), "not moved"),
    (_augment_with(labels=lambda y, c: np.repeat(y, c + 1)), "not np.repeat"),
    (_augment_with(originals=False), "not the training points"),
    (_augment_with(noise=lambda r, s, shape: np.random.default_rng(0).normal(0, s, shape)),
     "afresh at every call"),
    (..., "no answer yet"),
    (lambda X, y, s, c, rng: (..., ...), "no answer yet"),
    (lambda X, y, s, c, rng: X, "Return two arrays"),
    (3.0, "Expected a function, got float"),
])
def test_check_augmentation_verdicts(capsys, augment_fn, message):
    from bpcourse.exercises.regularization import check_augmentation

    ok = check_augmentation(augment_fn)
    out = capsys.readouterr().out
    assert ok == (message == "Correct") and message in out
