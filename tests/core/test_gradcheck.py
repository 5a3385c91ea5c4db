"""What a gradient check prints, and how it treats NaN and inf.

A passing array's relative error is rounding noise whose digits vary between machines, BLAS
kernels and library versions, so the report prints it as a bound under the tolerance; the
exact numbers stay in ``report.errors``. A failing array prints its error to one significant
figure, and a non-finite gradient always fails.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from bpcourse import MLP, gradient_check
from bpcourse.gradcheck import relative_error


def small_case(seed: int = 3):
    net = MLP([3, 4, 2], activation="tanh", output="identity", seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.standard_normal((5, 3)), rng.standard_normal((5, 2))


def rows(report) -> dict[str, str]:
    """Each parameter's line of the printed table, by name."""
    lines = repr(report).splitlines()[1:-1]
    return {line.split()[0]: line for line in lines}


def test_a_passing_report_prints_the_tolerance_not_the_digits():
    net, X, Y = small_case()
    report = gradient_check(net, X, Y)
    assert report.passed
    text = repr(report)
    for name, line in rows(report).items():
        assert line.endswith("below 1e-07  ok"), line
        assert 0 < report.errors[name] < 1e-7  # the exact number is still there
    # No rounding-noise digits anywhere in the table, only the tolerance.
    assert re.findall(r"\d\.\d+e-\d\d", text) == []
    assert text.splitlines()[-1] == "PASSED (tolerance 1e-07)"


def test_the_printed_report_does_not_change_with_rounding_noise():
    # Two checks of the same net whose errors differ in every digit print the same table.
    net, X, Y = small_case()
    first = gradient_check(net, X, Y)
    net.params["W1"] *= 1 + 1e-12
    second = gradient_check(net, X, Y)
    assert first.errors != second.errors
    assert repr(first) == repr(second)


def test_the_bound_follows_the_tolerance():
    net, X, Y = small_case()
    report = gradient_check(net, X, Y, tol=1e-5)
    assert all(line.endswith("below 1e-05  ok") for line in rows(report).values())
    assert report.describe("W1") == "below 1e-05"


def test_a_failing_array_prints_its_error_to_one_significant_figure():
    net, X, Y = small_case()
    _, grads = net.loss_and_gradients(X, Y)
    grads["W2"] = grads["W2"] * 1.01  # a 1% slip: relative error 0.01 / 2.01 = 4.98e-3
    report = gradient_check(net, X, Y, grads=grads)
    assert report.failed() == ["W2"]
    assert report.errors["W2"] == pytest.approx(0.01 / 2.01, rel=1e-6)
    table = rows(report)
    assert table["W2"].endswith("5e-03  FAIL")
    assert table["W1"].endswith("below 1e-07  ok")
    assert repr(report).splitlines()[-1].startswith("FAILED for W2:")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_gradient_fails(bad):
    net, X, Y = small_case()
    _, grads = net.loss_and_gradients(X, Y)
    grads["b1"] = grads["b1"].copy()
    grads["b1"][2] = bad
    report = gradient_check(net, X, Y, grads=grads)
    assert not report.passed and not report
    assert report.failed() == ["b1"]
    assert report.errors["b1"] == math.inf
    assert rows(report)["b1"].endswith("not finite  FAIL")
    assert "NaN or inf in the gradient of b1" in repr(report).splitlines()[-1]


def test_an_all_nan_gradient_fails_too():
    # ||a - b|| and ||a|| + ||b|| are both NaN here; before, NaN > 0 was False and the
    # error came out as 0: a pass.
    net, X, Y = small_case()
    _, grads = net.loss_and_gradients(X, Y)
    grads["W1"] = np.full_like(grads["W1"], np.nan)
    report = gradient_check(net, X, Y, grads=grads)
    assert report.failed() == ["W1"]


def test_relative_error_of_non_finite_values_is_infinite():
    a = np.array([1.0, 2.0])
    assert relative_error(a, np.array([1.0, np.nan])) == math.inf
    assert relative_error(np.array([np.inf, 2.0]), np.array([np.inf, 2.0])) == math.inf
    assert relative_error(np.full(2, np.nan), np.full(2, np.nan)) == math.inf
    # max() over arrays keeps an infinite error (a NaN could be dropped by comparisons).
    assert max(relative_error(a, a), relative_error(a, np.array([np.nan, 2.0]))) == math.inf


def test_relative_error_does_not_overflow_or_underflow():
    big = np.array([3e200, 4e200])
    assert relative_error(big, big * 1.001) == pytest.approx(0.001 / 2.001, rel=1e-9)
    tiny = np.array([3e-310, 4e-310])
    assert relative_error(tiny, 2 * tiny) == pytest.approx(1 / 3, rel=1e-2)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
