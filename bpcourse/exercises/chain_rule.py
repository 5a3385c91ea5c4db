r"""Checks for the exercises of notebook 02_chain_rule.

1. ``check_composite_derivative(df)``: the derivative of $h(x) = \sigma(3\tanh x)$, written
   as a Python function, compared with SymPy's derivative at random points.
2. ``check_tiny_factors(factors)`` and ``check_tiny_gradient(value)``: the four chain-rule
   factors of $\partial L/\partial w^{(1)}$ in the one-unit network of ``tiny_net()``, and
   their product.
3. ``check_path_count(n)``: how many paths lead from a first-layer weight to the loss.

Each check prints "Correct: ..." or "Not yet: ... Hint: ..." and returns a bool; a wrong
answer that matches a common slip gets a hint about that slip.
"""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid
from ..verdict import Verdict
from . import NO_ANSWER, grade, is_blank, judge, report, verdict, whole_number

# -- 1. derivative of a composite function ------------------------------------------------


def composite(x):
    """h(x) = σ(3 tanh x), the function whose derivative exercise 1 asks for."""
    return sigmoid(3 * np.tanh(x))


def _reference_derivative():
    """h'(x) by SymPy, compiled for NumPy (imported here so the module loads fast)."""
    import sympy as sp

    x = sp.Symbol("x")
    h = 1 / (1 + sp.exp(-3 * sp.tanh(x)))
    return sp.lambdify(x, sp.diff(h, x), "numpy")


def _slips(x: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """Values that common mistakes produce, each with the hint that fixes it."""
    s = sigmoid(3 * np.tanh(x))
    ds = s * (1 - s)
    tanh_prime = 1 - np.tanh(x) ** 2
    at_x = sigmoid(x) * (1 - sigmoid(x))
    return [
        (3 * ds, "you stopped before the innermost function: multiply by "
                 "tanh'(x) = 1 - tanh(x)**2."),
        (ds * tanh_prime, "the middle function is 3·tanh(x), so its derivative carries the "
                          "factor 3."),
        (ds, "each function in the chain contributes its own derivative: "
             "sigma'(3 tanh x) · 3 · tanh'(x)."),
        (3 * at_x * tanh_prime, "evaluate sigma' at its input u = 3·tanh(x), not at x."),
        (3 * s * tanh_prime, "sigma'(u) = sigma(u)·(1 - sigma(u)), not sigma(u)."),
    ]


def _call(df, x: np.ndarray) -> np.ndarray:
    try:
        out = np.asarray(df(x), dtype=float)
        if out.shape == x.shape:
            return out
    except Exception:  # noqa: BLE001 - a learner's function may fail on arrays; retry per point
        pass
    return np.array([float(df(float(v))) for v in x])


def check_composite_derivative(df, n_points: int = 7, seed: int = 0) -> bool:
    """Compare the learner's ``df(x)`` with SymPy's h'(x) at random points in [-2, 2]."""
    what = "the derivative of h(x) = sigma(3 tanh x)"
    hint = "apply the chain rule from the outside in: sigma' at the inside, times the " \
           "derivative of 3·tanh(x)."
    if df is ... or df is None:
        return verdict(False, what, "There is no answer yet: define df(x).", hint)
    if not callable(df):
        return verdict(False, what, f"Expected a function df(x), got {type(df).__name__}.",
                       hint)
    x = np.random.default_rng(seed).uniform(-2, 2, n_points)
    try:
        first = df(float(x[0]))
        if first is ...:
            return verdict(False, what, "There is no answer yet: replace the ... in df.")
        if first is None:
            return verdict(False, what, "Your df(x) returns nothing: end it with return ...",
                           hint)
        got = _call(df, x)
    except Exception as err:  # noqa: BLE001 - report the learner's error, no traceback
        return verdict(False, what, f"Calling df raised {type(err).__name__}: {err}.", hint)
    expected = np.broadcast_to(_reference_derivative()(x), x.shape)
    if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        return verdict(True, what, f"It agrees with SymPy at {n_points} random points.")
    for value, slip_hint in _slips(x):
        if np.allclose(got, value, rtol=1e-6, atol=1e-9):
            return verdict(False, what, "Your df matches a common slip.", slip_hint)
    worst = int(np.argmax(np.abs(got - expected)))
    return verdict(False, what, f"At x = {x[worst]:.4f} yours gives {got[worst]:.6g}, "
                   f"SymPy gives {expected[worst]:.6g}.", hint)


# -- 2. chain-rule factors of a one-unit network ------------------------------------------
TINY = {"w1": 0.8, "b1": -0.2, "w2": 1.5, "b2": 0.1, "x": 1.0, "y": 0.5}


def tiny_net():
    """The [1, 1, 1] network of exercise 2 (sigmoid hidden unit, identity output, mse),
    with the input x and target y: ``net, x, y = tiny_net()``."""
    from ..mlp import MLP

    net = MLP([1, 1, 1], activation="sigmoid", output="identity", seed=0)
    net.params["W1"][:] = TINY["w1"]
    net.params["b1"][:] = TINY["b1"]
    net.params["W2"][:] = TINY["w2"]
    net.params["b2"][:] = TINY["b2"]
    return net, np.array([TINY["x"]]), np.array([TINY["y"]])


def _tiny_factors() -> np.ndarray:
    """[∂L/∂a2, ∂z2/∂a1, ∂a1/∂z1, ∂z1/∂w1] worked out from the forward pass."""
    t = TINY
    z1 = t["w1"] * t["x"] + t["b1"]
    a1 = float(sigmoid(np.asarray(z1)))
    a2 = t["w2"] * a1 + t["b2"]
    return np.array([a2 - t["y"], t["w2"], a1 * (1 - a1), t["x"]])


_FACTOR_HINTS = [
    "∂L/∂a2 for L = ½(a2 − y)² is a2 − y (mind the sign); the output is the identity, "
    "so a2 = z2 = w2·a1 + b2.",
    "z2 = w2·a1 + b2, so ∂z2/∂a1 is the weight w2.",
    "a1 = σ(z1), so ∂a1/∂z1 = a1·(1 − a1), with a1 the activation (not z1).",
    "z1 = w1·x + b1, so ∂z1/∂w1 is the input x.",
]


def check_tiny_factors(factors) -> bool:
    """The four factors [∂L/∂a2, ∂z2/∂a1, ∂a1/∂z1, ∂z1/∂w1] of the tiny network."""
    what = "the four chain-rule factors"
    expected = _tiny_factors()
    v = judge(factors, expected)
    if v.ok or v.kind not in ("wrong", "close") or np.shape(factors) != expected.shape:
        return report(v, what, "give four numbers, from the loss down.", factors)
    got = np.asarray(factors, dtype=float)
    for k in range(4):
        if judge(got[k], expected[k]).kind == "wrong":
            return verdict(False, what, f"Factor {k + 1} is {got[k]:.6g}.", _FACTOR_HINTS[k])
    return report(v, what, "give four numbers, from the loss down.", factors)


def check_tiny_gradient(value) -> bool:
    """∂L/∂w^{(1)} of the tiny network: the product of the four factors."""
    f = _tiny_factors()
    expected = float(np.prod(f))
    what = "∂L/∂w1 of the tiny network"
    slips = [
        (f[0] * f[1] * f[3], "you left out ∂a1/∂z1 = a1(1 − a1), the sigmoid's slope."),
        (-expected, "check the sign of ∂L/∂a2: it is a2 − y, not y − a2."),
        (f[0] * f[2] * f[3], "the path passes through z2 = w2·a1 + b2: include w2."),
        (f[0] * f[1] * f[2], "the last factor ∂z1/∂w1 is the input x."),
    ]
    return grade(value, expected, what, slips,
                 "multiply the four factors of the previous exercise.",
                 correct=f"{expected:.6g} is the product of the four factors.")


# -- 3. counting paths --------------------------------------------------------------------
PATH_NET = [3, 4, 5, 2]


def check_path_count(answer) -> bool:
    """How many paths lead from W1[2,3] to the loss in an MLP with sizes [3, 4, 5, 2]?"""
    what = "the number of paths from w^{(1)}_{23} to L"
    expected = int(np.prod(PATH_NET[2:]))
    n = whole_number(answer)
    if isinstance(n, Verdict):
        return verdict(False, what, n.message,
                       "a number of paths is a whole number: count them, do not estimate.")
    if n == expected:
        return verdict(True, what, f"One unit of layer 2 times one unit of layer 3: "
                       f"{PATH_NET[2]} × {PATH_NET[3]} = {expected}.")
    slips = {
        int(np.prod(PATH_NET[1:])): "the weight feeds only unit 3 of layer 1, so the path "
                                    "has no choice in layer 1.",
        sum(PATH_NET[2:]): "a path picks a unit in layer 2 AND one in layer 3: multiply "
                           "the choices, do not add them.",
        1: "a weight in layer 1 reaches the loss through every unit above it.",
    }
    return verdict(False, what, f"You gave {n}.",
                   slips.get(n, "count the choices of one unit per layer above layer 1."))


# -- exercise 4: the scalar engine -----------------------------------------------------
#: Expressions over the engine's +, *, tanh and exp, with where to evaluate them. The second
#: uses a twice (its two contributions must add up); the fourth needs the visiting order.
ENGINE_CASES = (
    ("a * b", lambda a, b: a * b, (2.0, -3.0)),
    ("a * b + a (a used twice)", lambda a, b: a * b + a, (2.0, -3.0)),
    ("tanh(a * b)", lambda a, b: (a * b).tanh(), (0.4, -0.9)),
    ("exp(a) * b + tanh(a * a)", lambda a, b: a.exp() * b + (a * a).tanh(), (0.3, 1.7)),
)


def _engine_hint(name: str) -> str:
    if "twice" in name:
        return "a node used twice must add up both contributions: += in every _backward."
    if name.startswith("tanh"):
        return "tanh's local slope is 1 - tanh(a)², with the tanh the forward pass computed."
    if name.startswith("exp"):
        return ("visit the nodes in the reverse of the order list, so that a node passes its "
                "gradient on only after every node that uses it has added its share.")
    return "each _backward adds (local slope) × out.grad; d(ab)/da is b."


def check_engine(Value) -> bool:
    r"""Exercise 4: the scalar engine ``Value`` with its ``__mul__`` and ``tanh`` backward
    lines and ``backward``'s visiting order filled in.

    Graded on four expressions against central differences of the reference engine, then
    on the notebook's neuron $L = \tfrac12(\sigma(wx+b) - y)^2$ with $w = 0.8$, $b = -0.5$,
    $x = 1.5$, $y = 1$.
    """
    from ..lessons.chain_rule import Value as Reference
    from ..lessons.chain_rule import neuron_loss

    what = "the engine Value"
    if is_blank(Value):
        return verdict(False, what, NO_ANSWER)
    if not isinstance(Value, type):
        return verdict(False, what, f"Expected the class Value, got {type(Value).__name__}.")
    h = 1e-6
    for name, build, (a0, b0) in ENGINE_CASES:
        try:
            a, b = Value(a0), Value(b0)
            build(a, b).backward()
            grads = (float(a.grad), float(b.grad))
        except TypeError as e:
            if "ellipsis" in str(e):
                return verdict(False, what, NO_ANSWER)
            return verdict(False, what, f"On {name} it raised TypeError: {e}.")
        except Exception as e:  # noqa: BLE001 - a learner's code may raise anything
            return verdict(False, what, f"On {name} it raised {type(e).__name__}: {e}.")

        def f(x: float, y: float, build=build) -> float:
            return build(Reference(x), Reference(y)).data

        numeric = ((f(a0 + h, b0) - f(a0 - h, b0)) / (2 * h),
                   (f(a0, b0 + h) - f(a0, b0 - h)) / (2 * h))
        for var, got, want in zip("ab", grads, numeric, strict=True):
            if not (np.isfinite(got) and abs(got - want) <= 1e-6 * max(1.0, abs(want))):
                return verdict(False, what, f"On {name}, d/d{var} is {got:.6g}, expected "
                               f"{want:.6g}.", _engine_hint(name))
    w, b = Value(0.8), Value(-0.5)
    try:
        err = ((w * 1.5 + b) * 0.5).tanh() * 0.5 + 0.5 + (-1.0)
        (err * err * 0.5).backward()
    except Exception as e:  # noqa: BLE001
        return verdict(False, what, f"On the neuron it raised {type(e).__name__}: {e}.")
    w_ref, b_ref = Reference(0.8), Reference(-0.5)
    neuron_loss(w_ref, b_ref, 1.5, 1.0).backward()
    if abs(w.grad - w_ref.grad) > 1e-12 or abs(b.grad - b_ref.grad) > 1e-12:
        return verdict(False, what, "The neuron's gradient differs from the reference engine's.")
    return verdict(True, what, f"On the neuron dL/dw = {w.grad:.6f} and dL/db = "
                   f"{b.grad:.6f}, as SymPy and finite differences say.")
