r"""Checks for notebook 08 (putting it together): counting an architecture's parameters,
diagnosing the three broken runs of the clinic from their plots, training a net of one's
own choosing to 90 % validation accuracy on the spiral, and one to 95 % on the handwritten
digits.

Each check names the usual slip when it sees one: weights counted without biases, a
too-high learning rate mistaken for a too-low one, an overfitting net that was really
underfitting, and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import runs
from ..lessons import putting_it_together as lesson
from ..train import accuracy
from ..verdict import Verdict
from . import NO_ANSWER, choice_key, grade, is_blank, verdict, whole_number

if TYPE_CHECKING:
    pass

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
    n = whole_number(answer)
    if isinstance(n, Verdict):
        return verdict(False, what, n.message, "a count of parameters is a whole number.")
    return grade(n, expected, what, [(v, h) for v, h in slips if v != expected],
                 "W{l} has shape (n_{l-1}, n_l) and b{l} has n_l entries; add up "
                 "(n_{l-1} + 1) * n_l over the layers.",
                 correct=f"{weights} weights and {expected - weights} biases.")


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
    if is_blank(answer):
        return verdict(False, what, "There is no answer yet: replace the ... with a letter.",
                       "pick one of " + ", ".join(CAUSES) + ".")
    letter = choice_key(answer) or ""
    if letter not in CAUSES:
        return verdict(False, what, f"{answer!r} is not one of the choices.",
                       "answer with one letter: " + ", ".join(CAUSES) + ".")
    if letter == KEY[run]:
        return verdict(True, what, f"({letter}) {CAUSES[letter]}.")
    return verdict(False, what, f"You chose ({letter}).", _HINTS[run][letter])


def check_diagnoses(answers: Mapping[str, object]) -> bool:
    """Check all clinic diagnoses, ``{"A": letter, "B": letter, "C": letter}``: one verdict
    line per run."""
    if is_blank(answers) or not isinstance(answers, Mapping):
        detail = NO_ANSWER if is_blank(answers) else (
            f"Expected a dict such as {{'A': 'b', ...}}, got {type(answers).__name__}.")
        return verdict(False, "the diagnoses of the clinic runs", detail,
                       "give one letter per run: {'A': ..., 'B': ..., 'C': ...}.")
    results = [check_diagnosis(run, answers.get(run, ...)) for run in KEY]
    return all(results)


# -- 3. your own network on the spiral --------------------------------------------------


def check_spiral_accuracy(net, target: float = 0.9, train=None) -> bool:
    """Check that a trained net classifies at least ``target`` of the capstone's
    validation points correctly (the points it was not trained on).

    ``net`` is the trained MLP or the ``Run`` that trained it. The hint reads the training
    accuracy too, measured on what the net was trained on: the run's own record, or
    ``train = (X, y)``, or else the capstone's training split. Low on both sets is
    underfitting, high on the training set only is overfitting, and the two need opposite
    fixes.
    """
    what = f"validation accuracy of at least {target:.0%} on the spiral"
    if is_blank(net):
        return verdict(False, what, NO_ANSWER, "train a net, then pass it (or its run).")
    recorded = None
    history = getattr(net, "history", None)
    if hasattr(net, "net") and history is not None:
        acc = getattr(history, "train_acc", None)
        recorded = acc[-1] if acc else None
        net = net.net
    (X_tr, y_tr), (X_val, y_val) = lesson.spiral_split()
    if train is not None:
        X_tr, y_tr = train
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
    val_acc = accuracy(net, X_val, y_val)
    train_acc = recorded if recorded is not None and train is None else accuracy(net, X_tr, y_tr)
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
                "(overfitting): add L2 (l2=1e-4 to 1e-3), train on more of the data, use a "
                "smaller net, or stop earlier.")
    return verdict(False, what, detail, hint)


def train_and_check(settings, train, val, target: float = 0.9):
    """Train a net from the learner's ``settings`` on ``train``, print the run's summary and
    check it: ``(run, ok)``. ``settings = ...`` (no answer yet) trains nothing: ``(None,
    False)`` with the "no answer yet" verdict."""
    what = f"validation accuracy of at least {target:.0%} on the spiral"
    if is_blank(settings):
        verdict(False, what, NO_ANSWER, "choose settings, e.g. "
                "putting_it_together.Settings(hidden=(32, 32), lr=0.01).")
        return None, False
    if not isinstance(settings, runs.Settings):
        verdict(False, what, f"Expected Settings(...), got {type(settings).__name__}.",
                "build them with putting_it_together.Settings(hidden=..., lr=..., ...).")
        return None, False
    run = runs.train_run(settings, train, val)
    print(run.summary())
    return run, check_spiral_accuracy(run, target)


# -- 4. a real data set: handwritten digits ----------------------------------------------
#: The digits split notebook 08 trains on:
#: ``data.train_val_split(X, y, val_fraction=DIGITS_VAL_FRACTION, seed=DIGITS_SEED)``.
DIGITS_VAL_FRACTION, DIGITS_SEED = 0.25, 0


def digits_split() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(X_train, y_train), (X_val, y_val)`` of the shipped digits, split as notebook 08
    splits them: 1348 training and 449 validation images of 64 pixels."""
    from ..data import digits, train_val_split

    X, y = digits()
    return train_val_split(X, y, val_fraction=DIGITS_VAL_FRACTION, seed=DIGITS_SEED)


def check_digits_accuracy(net, target: float = 0.95, train=None) -> bool:
    """Check that a net trained on the digits classifies at least ``target`` of the
    validation images correctly (``digits_split``; the images it was not trained on).

    ``net`` is the trained MLP or a ``Run`` holding it. The hint compares training and
    validation accuracy: low on both is underfitting, high on the training images only is
    overfitting, and the two need opposite fixes. Training accuracy is measured on what
    the net was trained on: the run's own record, or ``train = (X, y)``, or else the
    training split.
    """
    what = f"validation accuracy of at least {target:.0%} on the digits"
    if is_blank(net):
        return verdict(False, what, NO_ANSWER, "train a net on X_train, y_train, then pass it.")
    recorded = None
    if hasattr(net, "net") and not hasattr(net, "predict"):
        acc = getattr(getattr(net, "history", None), "train_acc", None)
        recorded = acc[-1] if acc else None
        net = net.net
    sizes = getattr(net, "sizes", None)
    if sizes is None or not hasattr(net, "predict") or not hasattr(net, "params"):
        return verdict(False, what, f"Expected a trained MLP, got {type(net).__name__}.",
                       "pass the network itself, e.g. digits_net.")
    if sizes[0] != 64 or sizes[-1] != 10 or net.output != "softmax":
        return verdict(False, what, f"The net has sizes {list(sizes)} and output "
                       f"{net.output!r}.", "the digits have 64 pixels and 10 classes: sizes "
                       "[64, ..., 10] and output='softmax'.")
    if not all(np.all(np.isfinite(p)) for p in net.params.values()):
        return verdict(False, what, "The weights contain NaN or inf: training diverged.",
                       "lower the learning rate.")
    (X_tr, y_tr), (X_val, y_val) = digits_split()
    if train is not None:
        X_tr, y_tr = train
    val_acc = accuracy(net, X_val, y_val)
    train_acc = recorded if recorded is not None and train is None else accuracy(net, X_tr, y_tr)
    assert val_acc is not None and train_acc is not None  # None only for identity outputs
    n_wrong = int(round((1 - val_acc) * len(y_val)))
    detail = (f"Validation accuracy {val_acc:.1%} ({n_wrong} of {len(y_val)} images wrong), "
              f"training accuracy {train_acc:.1%}.")
    if val_acc >= target:
        return verdict(True, what, detail)
    if train_acc < target:
        hint = ("the net does not even fit the training images (underfitting): train for "
                "more epochs, use a wider hidden layer, ReLU with He init, or Adam at about "
                "0.01.")
    else:
        hint = ("the net fits the training images but not the held-out ones (overfitting): "
                "add a little L2 (l2=1e-4 to 1e-3), use fewer hidden units, or stop at the "
                "epoch of best validation accuracy.")
    return verdict(False, what, detail, hint)
