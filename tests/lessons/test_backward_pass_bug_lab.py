"""The bug lab of notebook 03: the worked example by hand, the bug-free gradients against
finite differences, and each catalogued slip caught by the grading table."""

import re

import numpy as np
import pytest

from bpcourse.gradcheck import numeric_gradients
from bpcourse.lessons.backward_pass import bug_lab as bp


def sig(z):
    return 1 / (1 + np.exp(-z))


# -- the worked example and the bug catalogue ---------------------------------------------
def test_worked_example_numbers_by_hand():
    net, X, y = bp.worked_example()
    cache = bp.cache_of(net, X)
    # Z1[0, 0] = 1(0.5) + 0.5(-0.4) + (-1)(0.6) + 0.1
    assert cache["Z1"][0, 0] == pytest.approx(-0.2)
    assert cache["A1"][0, 0] == pytest.approx(sig(-0.2))
    assert {X.shape, net.params["W1"].shape, net.params["W2"].shape} == {
        (4, 3), (3, 5), (5, 2)}


@pytest.mark.parametrize("example", [bp.worked_example, bp.square_example])
def test_bug_free_gradients_match_finite_differences(example):
    net, X, y = example()
    Y = np.eye(net.sizes[-1])[y]
    grads = bp.buggy_gradients(net.params, bp.cache_of(net, X), Y, "none")
    numeric = numeric_gradients(lambda: net.loss(X, Y, loss="cross_entropy"), net.params)
    for k in bp.PARAM_NAMES:
        np.testing.assert_allclose(grads[k], numeric[k], rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("bug", [b for b in bp.BUGS if b != "none"])
def test_every_bug_fails_the_gradient_check(bug):
    lab = bp.BugLab(*bp.square_example())
    rows = lab.rows(bug)
    assert not all(r.ok for r in rows)
    assert "WRONG" in bp.gradient_table(rows)


def test_bug_free_rows_pass_and_print_as_bound():
    lab = bp.BugLab(*bp.square_example())
    rows = lab.rows("none")
    assert all(r.ok for r in rows)
    assert bp.gradient_table(rows).count("< 1e-07") == 8


def test_forgotten_1_over_n_error_is_the_expected_ratio():
    # g_bug = N g, so |g_bug - g| / (|g_bug| + |g|) = (N - 1) / (N + 1), N = 6
    lab = bp.BugLab(*bp.square_example())
    for r in lab.rows("no_1_over_N"):
        assert r.vs_package == pytest.approx(5 / 7)


def test_bias_not_summed_is_a_shape_failure():
    rows = bp.BugLab(*bp.square_example()).rows("bias_not_summed")
    b1 = rows[1]
    assert b1.shape == (6, 4) and b1.expected_shape == (4,) and b1.vs_numeric is None
    assert "WRONG SHAPE" in bp.gradient_table(rows)


@pytest.mark.parametrize("bug", [b for b in bp.BUGS if b != "none"])
def test_bug_code_names_exactly_the_gradients_it_breaks(bug):
    # The line shown for a bug must match what the lab does: a slip made while reading off
    # gradients names every gradient it breaks, and every gradient it assigns is broken.
    code = bp.BUGS[bug].code
    failing = {r.name for r in bp.BugLab(*bp.square_example()).rows(bug) if not r.ok}
    assigned = set(re.findall(r"\bd([Wb][12]) =", code))
    assert failing
    assert assigned <= failing
    if not re.search(r"\b(delta[12]|dA1) =", code):  # a slip in a delta breaks all below it
        assert {k for k in failing if f"d{k}" not in code} == set()


def test_missing_transpose_crashes_on_non_square_layer():
    lab = bp.BugLab(*bp.worked_example())
    with pytest.raises(ValueError):
        lab.rows("no_transpose")
    assert "crashed" in lab.html("no_transpose")
    assert "#ffc9c9" in bp.BugLab(*bp.square_example()).html("no_transpose")


def test_unknown_bug_name_is_refused():
    net, X, y = bp.worked_example()
    with pytest.raises(ValueError, match="unknown bug"):
        bp.buggy_gradients(net.params, bp.cache_of(net, X), np.eye(2)[y], "typo")


def test_plot_bug_rows_draws_one_bar_per_array():
    import matplotlib.pyplot as plt

    ax = bp.plot_bug_rows(bp.BugLab(*bp.square_example()).rows("bias_not_summed"))
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.texts] == ["wrong\nshape", "wrong\nshape"]
    plt.close("all")
