r"""The bug lab of notebook 03: the typical slips of a hand-written backward pass, made on
purpose, and a table that grades the gradients they give against backprop and finite
differences.

The network is the exercises' one hidden layer: sigmoid hidden units, a softmax output and
the mean cross-entropy over a batch of N rows (the recursion is in
``bpcourse.exercises.backward_pass``'s docstring). ``BUGS`` lists the slips;
``buggy_gradients`` makes one; ``BugLab`` grades it; ``plot_bug_rows`` draws the grades.
The exercise checks (``bpcourse.exercises.backward_pass``) use the same catalogue to name
the slip in a learner's answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...activations import sigmoid_prime
from ...data import one_hot
from ...gradcheck import gradient_check, relative_error
from ...mlp import MLP

#: Relative error under which a gradient counts as right (float64, central differences).
TOL = 1e-7
PARAM_NAMES = ("W1", "b1", "W2", "b2")
CACHE_NAMES = ("A0", "Z1", "A1", "Z2", "A2")


# -- the networks the exercises run on ------------------------------------------------
def worked_example() -> tuple[MLP, np.ndarray, np.ndarray]:
    """The notebook's example: a 3→5→2 sigmoid/softmax net, a batch of N = 4 rows, labels.

    Weights and inputs have one decimal so the forward pass can be followed by hand; the
    four sizes (N=4, n0=3, n1=5, n2=2) all differ, so every shape tells which it is.
    """
    net = MLP([3, 5, 2], activation="sigmoid", output="softmax", seed=0)
    net.params["W1"] = np.array([[0.5, -0.3, 0.8, 0.1, -0.6],
                                 [-0.4, 0.7, 0.2, -0.9, 0.3],
                                 [0.6, 0.1, -0.5, 0.4, 0.2]])
    net.params["b1"] = np.array([0.1, -0.2, 0.0, 0.3, -0.1])
    net.params["W2"] = np.array([[0.7, -0.4], [-0.6, 0.9], [0.3, 0.5], [-0.8, 0.2],
                                 [0.4, -0.7]])
    net.params["b2"] = np.array([0.1, -0.1])
    X = np.array([[1.0, 0.5, -1.0], [0.0, 1.0, 2.0], [-1.0, 0.5, 0.0], [2.0, -1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    return net, X, y


def square_example() -> tuple[MLP, np.ndarray, np.ndarray]:
    """A 3→4→4 net (W2 is square) with N = 6: here W2 and W2ᵀ have the same shape, so a
    forgotten transpose runs without error and only the values can give it away."""
    net = MLP([3, 4, 4], activation="sigmoid", output="softmax", seed=3)
    X = np.random.default_rng(4).standard_normal((6, 3))
    return net, X, np.array([0, 1, 2, 3, 1, 2])


def cache_of(net: MLP, X: np.ndarray) -> dict[str, np.ndarray]:
    """Run the forward pass and return copies of what the backward pass needs."""
    net.forward(X)
    return {name: net.trace[name].copy() for name in CACHE_NAMES}


def reference_gradients(net: MLP, X: np.ndarray, Y: np.ndarray):
    """``(backprop, numeric)``: the package's gradients and central-difference ones."""
    report = gradient_check(net, X, Y, loss="cross_entropy")
    return report.backprop, report.numeric


# -- the catalogue of bugs ------------------------------------------------------------
@dataclass(frozen=True)
class Bug:
    """One typical slip: a short label, the wrong code (in every layer where the slip is
    made), and the hint for it."""

    label: str
    code: str
    hint: str


BUGS: dict[str, Bug] = {
    "none": Bug("no bug", "", ""),
    "no_transpose": Bug(
        "W2 instead of W2ᵀ", "dA1 = delta2 @ W2",
        "δ1 needs δ2 W2ᵀ: you multiplied by W2 without the transpose (it only ran because "
        "W2 is square here). Follow the shapes: δ2 is (N, n2) and W2 is (n1, n2), so only "
        "delta2 @ W2.T gives the (N, n1) of layer 1."),
    "dW_transposed": Bug(
        "dW computed as δᵀA", "dW1 = delta1.T @ A0; dW2 = delta2.T @ A1",
        "∂L/∂W has the shape of W, (n_in, n_out): compute A_prev.T @ delta (inputs on the "
        "left), not delta.T @ A_prev, which is its transpose."),
    "no_fprime": Bug(
        "forgot f'(Z1)", "delta1 = delta2 @ W2.T",
        "δ1 lacks the local factor: multiply δ2 W2ᵀ elementwise by σ'(Z1) = A1 * (1 - A1)."),
    "A_for_fprime": Bug(
        "A1 instead of f'(Z1)", "delta1 = (delta2 @ W2.T) * A1",
        "you multiplied by A1 = σ(Z1), the activation itself; the local factor is its "
        "derivative σ'(Z1) = A1 * (1 - A1)."),
    "fprime_of_A": Bug(
        "f' evaluated at A1", "delta1 = (delta2 @ W2.T) * sigmoid_prime(A1)",
        "you evaluated σ' at A1; the slope belongs at the pre-activation, σ'(Z1) "
        "(= A1 * (1 - A1), which needs no second sigmoid)."),
    "Z_for_A": Bug(
        "Z1 instead of A1 in dW2", "dW2 = Z1.T @ delta2",
        "dW2 pairs δ2 with the inputs of layer 2, the activations A1 = σ(Z1), not the "
        "pre-activations Z1."),
    "bias_not_summed": Bug(
        "bias gradient not summed", "db1 = delta1; db2 = delta2",
        "a bias gradient has one entry per unit, shape (n,): add δ up over the batch rows, "
        "db = delta.sum(axis=0)."),
    "bias_mean": Bug(
        "bias gradient averaged", "db1 = delta1.mean(axis=0); db2 = delta2.mean(axis=0)",
        "δ already carries the 1/N of the mean loss, so sum it over the rows "
        "(delta.sum(axis=0)); a mean divides by N a second time."),
    "no_1_over_N": Bug(
        "forgot 1/N", "delta2 = A2 - Y",
        "the gradients are N times too large: the loss is a mean over the N rows, so "
        "δ2 = (A2 - Y) / N."),
    "sign": Bug(
        "sign flipped", "delta2 = (Y - A2) / N",
        "the gradients point the wrong way: δ2 = (A2 - Y) / N, prediction minus target."),
    "no_accumulate": Bug(
        "overwrote instead of accumulating", "for n in range(N): dW1 = np.outer(A0[n], "
        "delta1[n]); db1 = delta1[n]  (dW2 and db2 alike)",
        "only the last row's contribution survived: A_prev.T @ delta adds up the outer "
        "products of all N rows; in a loop, accumulate with += (or use the matrix product)."),
}


def deltas(params: dict, cache: dict, Y: np.ndarray, bug: str = "none"):
    """``(delta2, delta1)`` of the one-hidden-layer net, with ``bug`` (a BUGS key) made."""
    if bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; valid names: {', '.join(BUGS)}")
    A1, A2, N = cache["A1"], cache["A2"], len(Y)
    delta2 = {"no_1_over_N": A2 - Y, "sign": (Y - A2) / N}.get(bug, (A2 - Y) / N)
    W2 = params["W2"]
    dA1 = delta2 @ (W2 if bug == "no_transpose" else W2.T)
    local: np.ndarray | float
    if bug == "no_fprime":
        local = 1.0
    elif bug == "A_for_fprime":
        local = A1
    elif bug == "fprime_of_A":
        local = sigmoid_prime(A1)
    else:
        local = A1 * (1 - A1)
    return delta2, dA1 * local


def buggy_gradients(params: dict, cache: dict, Y: np.ndarray, bug: str = "none"):
    """The gradients a backward pass with ``bug`` returns (``"none"``: the right ones).

    ``"no_transpose"`` raises numpy's ValueError unless W2 is square, as real code would.
    """
    delta2, delta1 = deltas(params, cache, Y, bug)
    inputs = {1: cache["A0"], 2: cache["Z1"] if bug == "Z_for_A" else cache["A1"]}
    grads = {}
    for k, delta in ((1, delta1), (2, delta2)):
        A_prev = inputs[k]
        if bug == "no_accumulate":
            dW, db = np.outer(A_prev[-1], delta[-1]), delta[-1].copy()
        else:
            dW = delta.T @ A_prev if bug == "dW_transposed" else A_prev.T @ delta
            db = {"bias_not_summed": delta, "bias_mean": delta.mean(axis=0)}.get(
                bug, delta.sum(axis=0))
        grads[f"W{k}"], grads[f"b{k}"] = dW, db
    return grads


# -- comparing gradients ------------------------------------------------------------------
@dataclass(frozen=True)
class GradientRow:
    """How one returned gradient compares: its shape, and relative errors against the
    package's backprop and against finite differences (None when the shape is wrong)."""

    name: str
    shape: tuple
    expected_shape: tuple
    vs_package: float | None
    vs_numeric: float | None

    @property
    def shape_ok(self) -> bool:
        return self.shape == self.expected_shape

    @property
    def ok(self) -> bool:
        return (self.vs_package is not None and self.vs_numeric is not None
                and self.vs_package < TOL and self.vs_numeric < TOL)


def compare_gradients(grads: dict, package: dict, numeric: dict) -> list[GradientRow]:
    """One row per parameter array, in the order W1, b1, W2, b2."""
    rows = []
    for k in PARAM_NAMES:
        g = np.asarray(grads[k], dtype=float)
        same = g.shape == package[k].shape
        rows.append(GradientRow(k, g.shape, package[k].shape,
                                relative_error(g, package[k]) if same else None,
                                relative_error(g, numeric[k]) if same else None))
    return rows


def _fmt(e: float | None) -> str:
    # Passing errors are shown as a bound, not a value: their last digits are rounding
    # noise that may differ between machines.
    if e is None:
        return "-"
    return f"< {TOL:.0e}" if e < TOL else f"{e:.1e}"


def _result(r: GradientRow) -> str:
    return "ok" if r.ok else ("WRONG SHAPE" if not r.shape_ok else "WRONG")


def gradient_table(rows: list[GradientRow]) -> str:
    """The rows as a text table; relative errors under the tolerance print as a bound."""
    lines = [f"{'array':<6}{'your shape':<12}{'expected':<10}{'vs backprop':>12}"
             f"{'vs numeric':>12}  result"]
    for r in rows:
        lines.append(f"{r.name:<6}{str(r.shape):<12}{str(r.expected_shape):<10}"
                     f"{_fmt(r.vs_package):>12}{_fmt(r.vs_numeric):>12}  {_result(r)}")
    return "\n".join(lines)


def gradient_table_html(rows: list[GradientRow]) -> str:
    """The rows as an HTML table, green where a gradient is right and red where not."""
    head = "".join(f"<th style='padding:2px 8px'>{h}</th>" for h in
                   ("array", "your shape", "expected", "vs backprop", "vs numeric", "result"))
    body = ""
    for r in rows:
        colour = "#d3f9d8" if r.ok else "#ffc9c9"
        cells = (r.name, r.shape, r.expected_shape, _fmt(r.vs_package), _fmt(r.vs_numeric),
                 _result(r))
        body += (f"<tr style='background:{colour}'>"
                 + "".join(f"<td style='padding:2px 8px;font-family:monospace'>{c}</td>"
                           for c in cells) + "</tr>")
    return f"<table style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


class BugLab:
    """Make each bug on one net and batch, and grade the result against the references.

    The references (backprop and finite differences) are computed once, at creation.
    """

    def __init__(self, net: MLP, X: np.ndarray, y: np.ndarray) -> None:
        self.net, self.X = net, X
        self.Y = one_hot(y, net.sizes[-1])
        self.package, self.numeric = reference_gradients(net, X, self.Y)
        self.cache = cache_of(net, X)

    def gradients(self, bug: str) -> dict[str, np.ndarray]:
        return buggy_gradients(self.net.params, self.cache, self.Y, bug)

    def rows(self, bug: str) -> list[GradientRow]:
        return compare_gradients(self.gradients(bug), self.package, self.numeric)

    def html(self, bug: str) -> str:
        """What the bug explorer widget shows: the wrong line, then the colour-coded table."""
        b = BUGS[bug]
        code = (f"<p>The slip: <code>{b.code}</code></p>" if b.code
                else "<p>The correct backward pass.</p>")
        try:
            table = gradient_table_html(self.rows(bug))
        except ValueError as e:
            table = f"<p style='color:#c92a2a'>The buggy code crashed: {e}</p>"
        return code + table


def plot_bug_rows(rows: list[GradientRow], ax=None, title: str | None = None):
    """Bars of the relative error against finite differences per array (log scale), with
    the tolerance as a dashed line; an array of the wrong shape gets a hatched full bar."""
    from ...plots import axes_or_new

    ax = axes_or_new(ax, figsize=(5, 3))
    top = 1.0
    for i, r in enumerate(rows):
        if not r.shape_ok:
            ax.bar(i, top, color="#ffc9c9", hatch="//", edgecolor="#c92a2a")
            ax.text(i, 1e-4, "wrong\nshape", ha="center", va="center", color="#c92a2a",
                    bbox={"fc": "white", "ec": "none"})
        elif r.vs_numeric is not None:
            # Errors of exactly 0 cannot sit on a log axis; draw them at the floor.
            e = max(r.vs_numeric, 1e-16)
            ax.bar(i, e, color="#2f9e44" if r.ok else "#e03131")
    ax.axhline(TOL, ls="--", color="k", lw=1, label=f"tolerance {TOL:.0e}")
    ax.set_yscale("log")
    ax.set_ylim(1e-16, 2)
    ax.set_xticks(range(len(rows)), [r.name for r in rows])
    ax.set_ylabel("relative error vs numeric")
    # Outside the axes: bars can reach any height, and the legend must not hide them.
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if title:
        ax.set_title(title)
    return ax
