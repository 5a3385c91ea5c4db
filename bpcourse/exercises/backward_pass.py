r"""Checks for notebook 03 (the backward pass), and the typical bugs of a hand-written one.

The exercises use a network with one hidden layer: sigmoid hidden units, a softmax output
and the mean cross-entropy loss over a batch of N rows, whose backward pass is

$$\delta^{(2)} = (A^{(2)} - Y)/N,\quad \partial L/\partial W^{(2)} = A^{(1)\top}\delta^{(2)},
\quad \partial L/\partial b^{(2)} = \textstyle\sum_n \delta^{(2)}_n,$$
$$\delta^{(1)} = (\delta^{(2)} W^{(2)\top}) \odot \sigma'(Z^{(1)}),\quad
\partial L/\partial W^{(1)} = A^{(0)\top}\delta^{(1)},\quad
\partial L/\partial b^{(1)} = \textstyle\sum_n \delta^{(1)}_n,$$

with $\sigma'(Z^{(1)}) = A^{(1)} \odot (1 - A^{(1)})$.

``BUGS`` lists slips people make writing those lines. ``buggy_gradients`` makes them on
purpose (for the notebook's demonstrations and for testing the checks); the checks look for
them in a learner's answer, so the hint names the actual slip. Answers are graded against
``net.loss_and_gradients`` and against finite differences (``bpcourse.gradcheck``).
"""

from __future__ import annotations

import numpy as np

from ..activations import get_activation
from ..data import one_hot
from ..gradcheck import relative_error
from ..lessons.backward_pass.bug_lab import (
    BUGS,
    CACHE_NAMES,
    PARAM_NAMES,
    GradientRow,
    buggy_gradients,
    cache_of,
    compare_gradients,
    deltas,
    gradient_table,
    reference_gradients,
    square_example,
    worked_example,
)
from ..mlp import MLP
from . import NO_ANSWER, check_choice, check_value, is_blank, same_value, verdict


# -- exercise checks --------------------------------------------------------------------
def _worked_arrays():
    net, X, y = worked_example()
    Y = one_hot(y, 2)
    cache = cache_of(net, X)
    net.loss_and_gradients(X, Y, loss="cross_entropy")
    return net, Y, cache, net.trace


def check_output_delta(delta2) -> bool:
    r"""Exercise: $\delta^{(2)}$ of the worked example, the output layer's error signal."""
    net, Y, cache, trace = _worked_arrays()
    A2, N = cache["A2"], len(Y)
    variants = [
        (A2 - Y, BUGS["no_1_over_N"].hint),
        ((Y - A2) / N, BUGS["sign"].hint),
        ((A2 - Y) / N * A2 * (1 - A2),
         "no extra derivative is needed: the softmax's Jacobian and the cross-entropy's "
         "1/Ŷ cancel, leaving (A2 - Y) / N."),
        ((A2 - np.argmax(Y, axis=1)[:, None]) / N,
         "Y must be the one-hot targets, shape (N, 2), not a column of labels."),
    ]
    hint = next((h for v, h in variants if same_value(delta2, v)), None)
    if hint is None and np.shape(delta2) == (N,):
        hint = "δ2 has one column per output unit: shape (N, n2) = (4, 2), like Z2."
    return check_value(delta2, trace["delta2"], "δ2 of the worked example",
                       hint=hint or "δ2 = (Ŷ - Y) / N with Ŷ = cache['A2'] and Y one-hot.")


def check_hidden_delta(delta1) -> bool:
    r"""Exercise: $\delta^{(1)} = (\delta^{(2)} W^{(2)\top}) \odot \sigma'(Z^{(1)})$ of the
    worked example."""
    net, Y, cache, trace = _worked_arrays()
    variants = [(deltas(net.params, cache, Y, bug)[1], BUGS[bug].hint)
                for bug in ("no_fprime", "A_for_fprime", "fprime_of_A", "no_1_over_N",
                            "sign")]
    variants.append((trace["delta1"].T, "δ1 has the shape of Z1, (N, n1) = (4, 5): you have "
                     "its transpose. Compute delta2 @ W2.T, not W2 @ delta2.T."))
    hint = next((h for v, h in variants if same_value(delta1, v)), None)
    return check_value(delta1, trace["delta1"], "δ1 of the worked example",
                       hint=hint or "δ1 = (δ2 W2ᵀ) ⊙ σ'(Z1): delta2 @ W2.T, then times "
                       "A1 * (1 - A1) elementwise.")


def check_bug_location(answer) -> bool:
    """Exercise: which bug cannot make layer 1's gradients fail while layer 2's pass?"""
    return check_choice(answer, "c", "which bug cannot give that gradient-check table",
                        choices=("a", "b", "c", "d"),
                        hint="(a), (b) and (d) all happen between δ2 and δ1, so only "
                        "layer 1's gradients see them. Look for a slip in δ2 itself: "
                        "dW2 and db2 are built from δ2, so they would fail too.")


def _exception_hint(e: Exception) -> str:
    msg = str(e)
    if isinstance(e, KeyError):
        return (f"cache holds {', '.join(CACHE_NAMES)} and params holds "
                f"{', '.join(PARAM_NAMES)}.")
    if any(w in msg for w in ("matmul", "shapes", "broadcast", "align", "dimension")):
        return ("shapes that do not fit a product usually mean a missing or extra "
                "transpose. Write the shapes down: δ2 (N, n2), W2 (n1, n2), A1 (N, n1); "
                "delta2 @ W2.T is (N, n1) and A1.T @ delta2 is (n1, n2).")
    return "call your function on the worked example's params and cache to see the line."


def _same_gradients(grads: dict, other: dict) -> bool:
    return all(same_value(grads[k], other[k]) for k in PARAM_NAMES)


def diagnose(grads: dict, params: dict, cache: dict, Y: np.ndarray,
             rows: list[GradientRow]) -> str:
    """The hint for a wrong set of gradients: a known bug if one reproduces them exactly,
    else what the shapes say, else which layer to look at."""
    for key, bug in BUGS.items():
        if key == "none":
            continue
        try:
            variant = buggy_gradients(params, cache, Y, key)
        except ValueError:
            continue
        if _same_gradients(grads, variant):
            return bug.hint
    N = len(Y)
    for r in rows:
        if r.shape_ok:
            continue
        if r.name.startswith("b") and r.shape == (N, *r.expected_shape):
            return BUGS["bias_not_summed"].hint
        if len(r.shape) == 2 and r.shape == r.expected_shape[::-1]:
            return f"{r.name} has the transposed shape. " + BUGS["dW_transposed"].hint
        return (f"{r.name} must have the shape of the parameter it belongs to, "
                f"{r.expected_shape}.")
    wrong = {r.name for r in rows if not r.ok}
    if wrong & {"W2", "b2"}:
        return ("start at the output layer: δ2 = (A2 - Y) / N, dW2 = A1.T @ delta2, "
                "db2 = delta2.sum(axis=0).")
    return ("layer 2 is right, so look at the step down: δ1 = (delta2 @ W2.T) * A1 * (1 - A1), "
            "then dW1 = A0.T @ delta1 and db1 = delta1.sum(axis=0).")


def _grade(backward, net: MLP, X: np.ndarray, y: np.ndarray):
    """``(ok, rows, detail, hint)`` for the learner's ``backward`` on one net and batch."""
    Y = one_hot(y, net.sizes[-1])
    package, numeric = reference_gradients(net, X, Y)
    cache = cache_of(net, X)
    params = {k: v.copy() for k, v in net.params.items()}
    try:
        # Copies, so a function that changes its inputs in place cannot spoil the grading.
        grads = backward({k: v.copy() for k, v in params.items()},
                         {k: v.copy() for k, v in cache.items()}, Y.copy())
    except Exception as e:  # any error in the learner's code becomes a verdict, not a traceback
        return False, None, f"Your function raised {type(e).__name__}: {e}", _exception_hint(e)
    if grads is None or grads is ...:
        return (False, None, "There is no answer yet: write the body of backward so that it "
                "returns the gradients.", "")
    if not isinstance(grads, dict):
        return (False, None, f"Your function returned a {type(grads).__name__}.",
                "return a dict with the keys 'W1', 'b1', 'W2', 'b2'.")
    missing = [k for k in PARAM_NAMES if k not in grads]
    if missing:
        return (False, None, f"The returned dict lacks {', '.join(missing)}.",
                "return a dict with the keys 'W1', 'b1', 'W2', 'b2'.")
    try:
        arrays = {k: np.asarray(grads[k], dtype=float) for k in PARAM_NAMES}
        rows = compare_gradients(grads, package, numeric)
    except (TypeError, ValueError):
        return (False, None, "Some returned values are not arrays of numbers.",
                "each gradient is a NumPy array with the shape of its parameter.")
    not_finite = [k for k, g in arrays.items() if not np.all(np.isfinite(g))]
    if not_finite:
        # Compared with anything, NaN gives no useful difference: name it as the reason.
        return (False, rows, f"The gradient of {', '.join(not_finite)} contains NaN or inf.",
                "NaN comes from 0/0, inf - inf or log of a negative number, inf from a "
                "division by 0 or an overflow: print the arrays your function builds, "
                "line by line, and see where the first one appears.")
    if all(r.ok for r in rows):
        return True, rows, "", ""
    wrong = ", ".join(r.name for r in rows if not r.ok)
    return False, rows, f"Wrong: {wrong}.", diagnose(grads, params, cache, Y, rows)


def check_backward(backward) -> bool:
    """Exercise: grade ``backward(params, cache, Y) -> grads`` on two small nets.

    Each returned array is compared with ``net.loss_and_gradients`` and with a
    finite-difference gradient check; the table of the first net it fails on is printed.
    """
    what = "backward(params, cache, Y)"
    all_rows = []
    for name, (net, X, y) in (("3→4→4 net (square W2), N = 6", square_example()),
                              ("3→5→2 worked example, N = 4", worked_example())):
        ok, rows, detail, hint = _grade(backward, net, X, y)
        if not ok:
            if rows:
                print(f"On the {name}:\n{gradient_table(rows)}")
            return verdict(False, what, detail, hint)
        all_rows.append((name, rows))
    for name, rows in all_rows:
        print(f"On the {name}:\n{gradient_table(rows)}")
    return verdict(True, what, "Every gradient matches net.loss_and_gradients and the "
                   "finite-difference check on both nets.")


# -- exercise 5: the backward pass as a loop, for any depth and activation ---------------
#: The networks the loop is tried on: every depth from one hidden layer to three, and each
#: hidden activation, so a loop that only works for sigmoid or for two layers is caught.
LOOP_NETS = (([3, 5, 2], "sigmoid"), ([3, 4, 4, 2], "tanh"), ([2, 6, 5, 4, 3], "relu"),
             ([4, 3, 3], "leaky_relu"))


def _loop_case(sizes: list[int], activation: str):

    net = MLP(sizes, activation=activation, output="softmax", seed=len(sizes))
    rng = np.random.default_rng(sum(sizes))
    X = rng.standard_normal((6, sizes[0]))
    Y = one_hot(rng.integers(0, sizes[-1], 6), sizes[-1])
    net.forward(X)
    L = len(sizes) - 1
    cache = {f"A{l}": net.trace[f"A{l}"].copy() for l in range(L + 1)}
    cache.update({f"Z{l}": net.trace[f"Z{l}"].copy() for l in range(1, L + 1)})
    _, reference = net.loss_and_gradients(X, Y, loss="cross_entropy")
    params = {k: v.copy() for k, v in net.params.items()}
    return params, cache, Y, get_activation(activation).df, reference


def check_backward_loop(backward_loop) -> bool:
    r"""Exercise: ``backward_loop(params, cache, Y, fprime)`` for L layers of any activation.

    ``params`` holds ``W1, b1, ..., WL, bL``; ``cache`` holds ``A0 .. AL`` and ``Z1 .. ZL``;
    the output is softmax with the mean cross-entropy, so $\delta^{(L)} = (A^{(L)} - Y)/N$;
    ``fprime(Z)`` is the hidden activation's derivative. Graded against the package's
    backward pass on four networks of depth 2 to 4.
    """
    what = "backward_loop(params, cache, Y, fprime) for any depth and activation"
    if is_blank(backward_loop) or not callable(backward_loop):
        return verdict(False, what, NO_ANSWER if is_blank(backward_loop) else
                       f"Expected a function, got {type(backward_loop).__name__}.")
    for number, (sizes, activation) in enumerate(LOOP_NETS):
        params, cache, Y, fprime, reference = _loop_case(sizes, activation)
        name = f"the {'→'.join(map(str, sizes))} {activation} net"
        try:
            grads = backward_loop(params, cache, Y, fprime)
        except TypeError as e:
            if "ellipsis" in str(e):
                return verdict(False, what, NO_ANSWER)
            return verdict(False, what, f"On {name} it raised TypeError: {e}.")
        except Exception as e:  # noqa: BLE001 - a learner's code may raise anything
            hint = ("It works on the two-layer net: loop l from L = len(params) // 2 down "
                    "to 1 so that every depth works." if number > 0 else
                    "Loop l from L down to 1; δ of layer l-1 needs W of layer l and "
                    "f'(Z of layer l-1).")
            return verdict(False, what, f"On {name} it raised {type(e).__name__}: {e}.", hint)
        if grads is None or (isinstance(grads, dict) and not grads):
            return verdict(False, what, NO_ANSWER)
        if not isinstance(grads, dict):
            return verdict(False, what, f"It returned {type(grads).__name__}, not a dict of "
                           "gradients keyed W1, b1, ...")
        missing = [k for k in reference if k not in grads]
        if missing:
            return verdict(False, what, f"On {name} the result lacks {', '.join(missing)}.",
                           "The loop must reach layer 1: range(L, 0, -1).")
        for k, ref in reference.items():
            g = np.asarray(grads[k], dtype=float)
            if g.shape != ref.shape:
                return verdict(False, what, f"On {name}, d{k} has shape {g.shape}, "
                               f"expected {ref.shape}.",
                               "dW = A_prev.T @ delta and db = delta.sum(axis=0).")
            if not np.all(np.isfinite(g)) or relative_error(g, ref) > 1e-7:
                hint = ("It works for sigmoid but not here: use the fprime you are given."
                        if activation != "sigmoid" else
                        "Compare each line with the recursion: delta of layer l-1 is "
                        "(delta @ W_l.T) * fprime(Z of layer l-1).")
                return verdict(False, what, f"On {name}, d{k} is wrong.", hint)
    return verdict(True, what, "It matches the package on 4 networks of depth 2 to 4.")
