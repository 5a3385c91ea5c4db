r"""Checks for notebook 07 (overfitting and regularisation).

* ``check_l2_gradients``: the gradients of a layer once the L2 penalty is added.
* ``check_keep_scale``: the factor inverted dropout multiplies kept units by.
* ``check_eval_output``: a dropout net's output in evaluation mode.
* ``check_early_stopping``: where early stopping with a patience stops, and what it keeps.
* ``check_overfitting_pair``: which pair of loss curves shows overfitting.
* ``check_l1_gradient``: the weight gradient of a layer once the L1 penalty is added.

Each check works the answer out itself, then compares. A wrong answer is also compared
with the results of the usual slips (penalising the biases, a stray factor 2, scaling by
the keep probability instead of its inverse, leaving dropout on…), so the hint can name
the slip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..lessons import regularization as lesson
from ..runs import Settings
from ..train import History
from ..verdict import Verdict
from . import NO_ANSWER, choice_key, grade, is_blank, same_value, verdict, whole_number

if TYPE_CHECKING:
    from ..mlp import MLP


# -- L2 -----------------------------------------------------------------------------------
def check_l2_gradients(dW_reg, db_reg, *, W, b, dW, db, lam: float) -> bool:
    r"""Check the gradients of one layer with the penalty $\frac{\lambda}{2}\lVert W\rVert^2$.

    Given the data gradients ``dW`` $=\partial L_{data}/\partial W$ and ``db``, the
    regularised ones are $dW + \lambda W$ and $db$ unchanged: the penalty has no $b$ in it.
    """
    W, b, dW, db = (np.asarray(x, dtype=float) for x in (W, b, dW, db))
    right_W = dW + lam * W
    W_slips = [
        (dW + 2 * lam * W, "the ½ in (λ/2)‖W‖² is there to cancel the 2 that "
         "differentiating w² brings down: the extra term is λW, not 2λW."),
        (dW + 0.5 * lam * W, "differentiate (λ/2)w²: the 2 from w² cancels the ½, "
         "leaving λw."),
        (dW + 0.5 * lam * W ** 2, "that adds the penalty (λ/2)w² itself; the gradient "
         "needs its derivative, λw."),
        (lam * W, "keep the data gradient: the penalty's gradient λW is added to dW."),
        (dW - lam * W, "the penalty grows with |w|, so its gradient points along w: "
         "add +λW (the update then subtracts it and shrinks the weights)."),
    ]
    if not same_value(dW_reg, right_W):
        return grade(dW_reg, right_W, "the regularised weight gradient dW_reg", W_slips,
                      "dW_reg = dW + λ W.")
    b_slips = [
        (db + lam * b, "biases are not penalised: the penalty sums over the weight "
         "matrices only, so db_reg is db as it was."),
        (db + 2 * lam * b, "biases are not penalised: db_reg is db as it was."),
        (lam * b, "biases are not penalised, and the data gradient stays: db_reg = db."),
    ]
    return grade(db_reg, db, "the regularised gradients dW_reg and db_reg", b_slips,
                  "the penalty (λ/2)‖W‖² contains no b, so its gradient with respect to b is 0.")


# -- dropout ------------------------------------------------------------------------------
def check_keep_scale(answer, *, p: float) -> bool:
    r"""Check the factor inverted dropout gives kept units when it drops with probability p.

    Each unit survives with probability $q = 1 - p$; scaling the survivors by $1/q$
    keeps $E[\text{mask}] = q \cdot \tfrac1q = 1$.
    """
    q = 1.0 - p
    what = f"the scale factor for kept units at p = {p:g}"
    slips = [
        (q, f"multiplying by the keep probability {q:g} shrinks the activations on "
         "average; inverted dropout divides by it, so the survivors make up for the "
         "dropped units."),
        (p, f"multiplying by p = {p:g} is the drop probability, and a shrink; the kept "
         "units are scaled up by 1/(1 − p)."),
        (1.0, "without a scale the expected activation falls to (1 − p)·a during "
         "training; inverted dropout multiplies the survivors by 1/(1 − p)."),
    ]
    if p > 0:  # at p = 0 nothing is dropped and 1/p has no value to mistake
        slips.insert(2, (1.0 / p, f"divide by the probability of keeping a unit, "
                         f"1 − p = {q:g}, not by the probability of dropping it."))
    if answer is ... or answer is None:
        return verdict(False, what, NO_ANSWER)
    return grade(answer, 1.0 / q, what, slips,
                  "E[mask] must be 1: a unit is kept with probability 1 − p, so scale by "
                  "1/(1 − p).")


def _forward_scaled(net: MLP, X, scale: float) -> np.ndarray:
    """The net's output with every hidden activation multiplied by ``scale`` (no mask).

    With ``scale = 1 - p`` this is the older, non-inverted dropout's evaluation pass,
    which is wrong for an inverted-dropout net like the course's.
    """
    from ..losses import output_function

    A = np.asarray(X, dtype=float)
    for l in range(1, net.n_layers + 1):
        Z = A @ net.params[f"W{l}"] + net.params[f"b{l}"]
        if l < net.n_layers:
            A = net.activations[l - 1].f(Z) * scale
        else:
            A = output_function(net.output)(Z)
    return A


def check_eval_output(answer, *, net: MLP, X) -> bool:
    """Check the output of a dropout ``net`` for ``X`` in evaluation mode.

    The check leaves the net as it found it: same mode, same trace, same random state.
    """
    what = "the net's output in evaluation mode"
    if answer is ... or answer is None:
        return verdict(False, what, NO_ANSWER)
    if not net.training:
        # The task asks for the net back in training mode: a net left in eval mode trains
        # without dropout later, silently.
        return verdict(False, what, "The net was left in evaluation mode.",
                       "the task asks you to switch it back: call net.train() after "
                       "computing the output, so later training uses dropout again.")
    was_training, trace = net.training, net.trace
    state = net.rng.bit_generator.state
    try:
        net.eval()
        expected = net.forward(X)
    finally:
        net.training, net.trace = was_training, trace
        net.rng.bit_generator.state = state
    slips = [
        (_forward_scaled(net, X, 1.0 - net.dropout), "you scaled the activations by "
         "1 − p at evaluation; inverted dropout already scaled by 1/(1 − p) during "
         "training, so eval mode uses every unit as it is: net.eval(), then net.forward(X)."),
    ]
    return grade(answer, expected, what, slips,
                  "if running your cell twice gives different numbers, dropout is still "
                  "dropping units: call net.eval() before net.forward(X) (and net.train() "
                  "before training again).")


# -- early stopping -----------------------------------------------------------------------
def check_early_stopping(stop, keep, *, val_losses, patience: int) -> bool:
    """Check the epoch early stopping stops at and the epoch whose weights it keeps.

    Epochs count from 1; training stops once ``patience`` epochs in a row bring no new
    lowest validation loss.
    """
    what = f"early stopping with patience {patience}"
    if is_blank(stop) or is_blank(keep):
        return verdict(False, what, NO_ANSWER)
    given = whole_number(stop), whole_number(keep)
    for label, number in zip(("stop", "keep"), given, strict=True):
        if isinstance(number, Verdict):
            return verdict(False, what, f"{label}: {number.message}",
                           "epochs are whole numbers, counted from 1.")
    stop, keep = given
    right_stop, right_keep = lesson.early_stopping_epoch(
        History(val_loss=list(val_losses)), patience)
    if stop == right_stop and keep == right_keep:
        return verdict(True, what, f"It stops after epoch {right_stop} and keeps the "
                       f"weights of epoch {right_keep}.")
    if stop == right_stop - 1 and keep == right_keep - 1:
        return verdict(False, what, f"You gave stop {stop}, keep {keep}.",
                       "count epochs from 1: the first value in the list is epoch 1.")
    if keep != right_keep:
        first_dip = _first_local_minimum(val_losses)
        hint = ("keep the weights of the epoch with the lowest validation loss seen before "
                "stopping.")
        if keep == first_dip and first_dip != right_keep:
            hint = (f"epoch {first_dip} is only the first dip: a lower value comes before "
                    "the patience runs out, and every new lowest value restarts the count.")
        return verdict(False, what, f"You gave keep = {keep}.", hint)
    if stop == len(val_losses) and right_stop < len(val_losses):
        hint = ("early stopping does not run to the end: it stops once the patience runs "
                "out.")
    elif stop < right_stop:
        hint = (f"patience {patience} means {patience} epochs after epoch {right_keep} "
                f"without a new lowest value: it stops after epoch {right_keep} + {patience}.")
    else:
        hint = (f"it stops as soon as {patience} epochs in a row bring no new lowest "
                "validation loss.")
    return verdict(False, what, f"You gave stop = {stop}.", hint)


def _first_local_minimum(values) -> int:
    """The first epoch (from 1) whose validation loss is lower than the next one."""
    for i in range(len(values) - 1):
        if values[i] < values[i + 1]:
            return i + 1
    return len(values)


# -- reading loss curves ------------------------------------------------------------------
#: Three pairs of curves for the last exercise: letter -> (λ, p) of the run drawn.
CURVE_PAIRS = {"A": (1.0, 0.0), "B": (0.03, 0.0), "C": (0.001, 0.0)}
_DIAGNOSIS = {
    "A": "in pair A both losses stay high and close together: the penalty is so strong "
         "that the net cannot fit even its training set. That is underfitting.",
    "B": "in pair B both losses end low and close together: a small gap, which is what "
         "good generalisation looks like.",
    "C": "pair C shows overfitting: the training loss keeps falling while the validation "
         "loss turns up after its minimum, and the gap between them widens.",
}
OVERFITTING = "C"


def curve_pair_runs(setup: Settings = lesson.DEFAULT) -> dict:
    """The runs whose loss curves the exercise shows, by letter (cached like any run)."""
    return {k: lesson.run(lam, p, setup) for k, (lam, p) in CURVE_PAIRS.items()}


def check_overfitting_pair(answer) -> bool:
    """Check the letter of the pair of curves that shows overfitting."""
    what = "the pair of curves that shows overfitting"
    if answer is ... or answer is None:
        return verdict(False, what, NO_ANSWER)
    key = (choice_key(answer) or "").upper()
    if key not in CURVE_PAIRS:
        return verdict(False, what, f"You chose {answer!r}.",
                       f"answer with one of the letters {', '.join(CURVE_PAIRS)}.")
    if key == OVERFITTING:
        return verdict(True, what, _DIAGNOSIS[key][0].upper() + _DIAGNOSIS[key][1:])
    return verdict(False, what, f"You chose {key}.",
                   _DIAGNOSIS[key] + " Look for the pair whose curves move apart.")


# -- L1 -----------------------------------------------------------------------------------
def check_l1_gradient(dW_l1, *, W, dW, lam1: float) -> bool:
    r"""Check a layer's weight gradient with the penalty $\lambda_1 \sum |w|$ added.

    The slope of $|w|$ is $\operatorname{sign}(w)$: +1 for a positive weight, −1 for a
    negative one, and (by the course's convention, as ``np.sign``) 0 at exactly 0. So
    ``dW_l1`` $= dW + \lambda_1 \operatorname{sign}(W)$, whatever the size of each weight.
    """
    W, dW = np.asarray(W, dtype=float), np.asarray(dW, dtype=float)
    right = dW + lam1 * np.sign(W)
    slips = [
        (dW + lam1 * W, "that is L2's gradient λW. The slope of |w| does not grow with w: "
         "it is +1 or −1, so the extra term is λ₁ sign(W)."),
        (dW + lam1 * np.abs(W), "that adds the penalty λ₁|w| itself; the gradient needs "
         "its slope, λ₁ sign(w)."),
        (dW + lam1 * np.where(W >= 0, 1.0, -1.0), "a weight at exactly 0 gets no push: "
         "use sign(0) = 0, as np.sign does."),
        (dW - lam1 * np.sign(W), "the penalty grows as |w| grows, so its gradient points "
         "along w: add +λ₁ sign(W) (the update subtracts it and pulls weights to 0)."),
        (lam1 * np.sign(W), "keep the data gradient: λ₁ sign(W) is added to dW."),
        (dW + 0.5 * lam1 * np.sign(W), "there is no ½ in the L1 penalty λ₁ Σ|w|, so "
         "nothing cancels: the extra term is λ₁ sign(W)."),
    ]
    return grade(dW_l1, right, "the L1-regularised weight gradient dW_l1", slips,
                 "dW_l1 = dW + λ₁ sign(W), with sign(0) = 0.")


# -- augmentation -----------------------------------------------------------------------------
def check_augmentation(augment_fn) -> bool:
    r"""Check ``augment_fn(X, y, sigma, copies, rng)``: the training points first, then
    ``copies`` jittered copies of every point (Gaussian noise of standard deviation
    ``sigma``, drawn from ``rng``), each with its source point's label.

    Shapes: X (N, d), y (N,) -> (N (1 + copies), d) and (N (1 + copies),). Tried on the
    notebook's training points with ``sigma = 0.02`` and ``copies = 3``; copy k of point
    i is row N + kN + i, so the copies are stacked in the points' order.
    """
    what = "augment_fn(X, y, sigma, copies, rng)"
    if is_blank(augment_fn):
        return verdict(False, what, NO_ANSWER)
    if not callable(augment_fn):
        return verdict(False, what, f"Expected a function, got {type(augment_fn).__name__}.")
    (X, y), _ = lesson.make_data()
    sigma, copies, n = 0.02, 3, len(X)
    try:
        out = augment_fn(X.copy(), y.copy(), sigma, copies, np.random.default_rng(5))
        again = augment_fn(X.copy(), y.copy(), sigma, copies, np.random.default_rng(6))
    except Exception as e:  # noqa: BLE001 - a learner's code may raise anything
        return verdict(False, what, f"It raised {type(e).__name__}: {e}.")
    if out is None or (isinstance(out, tuple) and any(is_blank(part) for part in out)):
        return verdict(False, what, NO_ANSWER)
    if not (isinstance(out, tuple) and len(out) == 2):
        return verdict(False, what, "Return two arrays: (X_aug, y_aug).")
    X_aug, y_aug = np.asarray(out[0], dtype=float), np.asarray(out[1])
    want = (n * (1 + copies), X.shape[1])
    if X_aug.shape != want or y_aug.shape != want[:1]:
        return verdict(False, what, f"Got shapes {X_aug.shape} and {y_aug.shape}, expected "
                       f"{want} and {want[:1]}.",
                       "Keep the N originals and add `copies` jittered copies of each.")
    if not np.array_equal(X_aug[:n], X):
        return verdict(False, what, "The first N rows are not the training points.",
                       "Keep the originals, unchanged, before the copies.")
    # Copy k of point i is row N + k N + i: the copies are stacked in the points' order.
    jittered, sources = X_aug[n:], np.tile(X, (copies, 1))
    if not np.array_equal(y_aug, np.tile(y, copies + 1)):
        return verdict(False, what, "Some copies carry another label than their source point.",
                       "Stack the copies in the points' order and repeat the labels the same "
                       "way: np.tile(y, copies + 1), not np.repeat.")
    spread = float(np.std(jittered - sources))
    if not np.all(np.isfinite(jittered)) or not 0.85 * sigma < spread < 1.15 * sigma:
        hint = ("Scale the noise: rng.normal(0.0, sigma, size) has standard deviation sigma."
                if spread > 1.15 * sigma else
                "Uniform noise in [-sigma, sigma] is narrower than sigma: draw Gaussian "
                "noise with rng.normal(0.0, sigma, size)." if spread > 0 else
                "The copies are not moved: add noise to each.")
        return verdict(False, what, f"The copies are spread by {spread:.3g}, not by "
                       f"sigma = {sigma}.", hint)
    if np.array_equal(np.asarray(again[0], dtype=float)[n:], jittered):
        return verdict(False, what, "Two calls with different generators gave the same copies.",
                       "Draw the noise from the rng you are given, afresh at every call.")
    return verdict(True, what, f"{copies} copies of each of the {n} points, spread by "
                   f"{spread:.3f} ≈ sigma, labels kept.")
