r"""Checks for notebook 08 (putting it together): counting an architecture's parameters,
diagnosing the three broken runs of the clinic from their plots, and training a net of
one's own choosing to 90 % validation accuracy on the spiral.

Each check names the usual slip when it sees one: weights counted without biases, a
too-high learning rate mistaken for a too-low one, an overfitting net that was really
underfitting, and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..lessons import putting_it_together as lesson
from ..train import accuracy
from . import check_value, verdict

if TYPE_CHECKING:
    from ..mlp import MLP

# -- 1. counting parameters -------------------------------------------------------------


def check_param_count(answer, sizes: Sequence[int]) -> bool:
    r"""Check the number of trainable numbers of an MLP with layer widths ``sizes``:
    $\sum_l (n_{l-1} + 1)\, n_l$ (a weight matrix and a bias vector per layer)."""
    sizes = [int(n) for n in sizes]
    pairs = list(zip(sizes[:-1], sizes[1:], strict=False))
    expected = lesson.n_params(sizes)
    weights = sum(a * b for a, b in pairs)
    slips = [
        (weights, f"that counts the weights only. Each of the {len(pairs)} layers also has "
         "a bias vector b{l} with one entry per unit of that layer."),
        (weights + sum(a for a, _ in pairs), "the biases belong to the units a layer "
         "computes, so layer l adds n_l biases (not n_{l-1})."),
        (sum(sizes), "that counts the units (the circles of the diagram); the parameters "
         "sit on the edges between layers, plus one bias per unit."),
        (sum((a + 1) * (b + 1) for a, b in pairs), "there is no bias feeding into another "
         "bias: layer l has an (n_{l-1}, n_l) weight matrix and n_l biases."),
    ]
    what = f"the number of parameters of an MLP with sizes {sizes}"
    if _is(answer, expected):
        return verdict(True, what, f"{weights} weights and {expected - weights} biases.")
    for value, hint in slips:
        if value != expected and _is(answer, value):
            return verdict(False, what, "Your answer matches a common slip.", hint)
    return check_value(answer, expected, what, hint="W{l} has shape (n_{l-1}, n_l) and b{l} "
                       "has n_l entries; add up (n_{l-1} + 1) * n_l over the layers.")


def _is(answer, value) -> bool:
    try:
        return bool(np.isclose(float(answer), float(value), rtol=0, atol=1e-9))
    except (TypeError, ValueError):
        return False


# -- 2. the bad-run clinic --------------------------------------------------------------

#: The diagnoses the learner chooses from, by letter.
CAUSES: dict[str, str] = {
    "a": "the learning rate is too high: steps overshoot and the weights blow up",
    "b": "the gradients vanish on the way back: the first layers hardly learn",
    "c": "the network overfits: it memorises a training set too small for it",
    "d": "the learning rate is too low: training is healthy, only slow",
    "e": "nothing is wrong",
}

#: What really broke each clinic run of ``bpcourse.lessons.putting_it_together.CLINIC``.
KEY: dict[str, str] = {"A": "b", "B": "a", "C": "c"}

#: Per run, a hint for each wrong letter: where in the plots the evidence is.
_HINTS: dict[str, dict[str, str]] = {
    "A": {
        "a": "run A never blows up: its loss wanders around ln 4 ≈ 1.39, the loss of "
             "guessing, and no NaN stopped it. Compare the gradient norms of W1 and W9.",
        "c": "overfitting needs a net that fits the training set; run A's train accuracy "
             "is near chance, and train and val curves lie on top of each other.",
        "d": "a small learning rate would slow every layer alike. Look at the gradient "
             "norms: W1's is hundreds of times smaller than the last layer's (W9), so "
             "the error signal fades on its way back.",
        "e": "its accuracy is barely above chance (0.25 for four classes).",
    },
    "B": {
        "b": "vanishing gradients shrink; run B's gradient norms climb by orders of "
             "magnitude in a few dozen steps, and the run stopped on NaN/inf.",
        "c": "run B never fits anything: it stopped after a couple of epochs with NaN/inf.",
        "d": "too small a step makes a slow, smooth descent; run B's loss and gradients "
             "shoot up until the numbers overflow.",
        "e": "the red dashed line marks where the NaN detector stopped the run.",
    },
    "C": {
        "a": "run C's loss does not blow up: its training loss falls smoothly towards 0.",
        "b": "its training accuracy reaches 1.0, so its gradients reached every layer well "
             "enough to fit the training set. Look at the gap between train and val.",
        "d": "the training loss reaches almost 0, so the steps were big enough. What does "
             "the validation loss do meanwhile?",
        "e": "compare train and validation accuracy in the title: a perfect training score "
             "and a poor validation score is a warning sign.",
    },
}


def check_diagnosis(run: str, answer) -> bool:
    """Check the diagnosis (a letter of ``CAUSES``) of clinic run ``run`` ("A", "B", "C")."""
    if run not in KEY:
        raise ValueError(f"unknown clinic run {run!r}; the runs are {', '.join(KEY)}")
    what = f"the diagnosis of run {run}"
    if answer is ... or answer is None:
        return verdict(False, what, "There is no answer yet: replace the ... with a letter.",
                       "pick one of " + ", ".join(CAUSES) + ".")
    letter = str(answer).strip().lower()
    if letter not in CAUSES:
        return verdict(False, what, f"{answer!r} is not one of the choices.",
                       "answer with one letter: " + ", ".join(CAUSES) + ".")
    if letter == KEY[run]:
        return verdict(True, what, f"({letter}) {CAUSES[letter]}.")
    return verdict(False, what, f"You chose ({letter}).", _HINTS[run][letter])


def check_diagnoses(answers: Mapping[str, object]) -> bool:
    """Check all clinic diagnoses, ``{"A": letter, "B": letter, "C": letter}``: one verdict
    line per run."""
    results = [check_diagnosis(run, answers.get(run, ...)) for run in KEY]
    return all(results)


# -- 3. your own network on the spiral --------------------------------------------------


def check_spiral_accuracy(net: MLP, target: float = 0.9) -> bool:
    """Check that a trained ``net`` classifies at least ``target`` of the capstone's
    validation points correctly (the points it was not trained on).

    The hint reads the train accuracy too: low on both sets is underfitting, high on the
    training set only is overfitting, and the two need opposite fixes.
    """
    what = f"validation accuracy of at least {target:.0%} on the spiral"
    (X_tr, y_tr), (X_val, y_val) = lesson.spiral_split()
    sizes = getattr(net, "sizes", None)
    if sizes is None or not hasattr(net, "predict"):
        return verdict(False, what, f"Expected a trained MLP, got {type(net).__name__}.",
                       "pass the network itself, e.g. my_run.net.")
    k = lesson.SPIRAL["k"]
    if sizes[0] != 2 or sizes[-1] != k or net.output != "softmax":
        return verdict(False, what, f"The net has sizes {sizes} and output {net.output!r}.",
                       f"the spiral has 2 inputs and {k} classes: sizes [2, ..., {k}] and "
                       "output='softmax'.")
    if not all(np.all(np.isfinite(p)) for p in net.params.values()):
        return verdict(False, what, "The weights contain NaN or inf: training diverged.",
                       "lower the learning rate.")
    val_acc, train_acc = accuracy(net, X_val, y_val), accuracy(net, X_tr, y_tr)
    assert val_acc is not None and train_acc is not None  # None only for identity outputs
    detail = f"Validation accuracy {val_acc:.3f}, training accuracy {train_acc:.3f}."
    if val_acc >= target:
        return verdict(True, what, detail)
    if train_acc < target:
        hint = ("the net does not even fit the training points (underfitting): train "
                "longer, use a wider or deeper net, ReLU with He init, or a larger "
                "learning rate (Adam around 0.01).")
    else:
        hint = ("the net fits the training points but not the held-out ones "
                "(overfitting): add L2 (l2=1e-4 to 1e-3), use a smaller net, or stop "
                "earlier.")
    return verdict(False, what, detail, hint)
