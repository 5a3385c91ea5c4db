"""The step-through of the backward pass: each step's arrays against a backward pass written
out independently here in NumPy, and against finite differences."""

import re

import numpy as np
import pytest

from bpcourse import MLP
from bpcourse.gradcheck import numeric_gradients
from bpcourse.lessons.backward_pass.stepper import NON_FINITE_GREY, BackwardStepper, heat_table


def sig(z):
    return 1 / (1 + np.exp(-z))


def independent_backward(params, X, Y, fs, dfs):
    """Forward and backward for softmax + mean cross-entropy, written without the package."""
    A, As, Zs = X, [X], [None]
    L = len(fs) + 1
    for k in range(1, L + 1):
        Z = A @ params[f"W{k}"] + params[f"b{k}"]
        if k < L:
            A = fs[k - 1](Z)
        else:
            e = np.exp(Z - Z.max(axis=1, keepdims=True))
            A = e / e.sum(axis=1, keepdims=True)
        As.append(A)
        Zs.append(Z)
    out = {}
    delta = (As[L] - Y) / len(X)
    for k in range(L, 0, -1):
        out.setdefault(k, {}).update(
            A_prev=As[k - 1], Z=Zs[k], A=As[k], delta=delta, dW=As[k - 1].T @ delta,
            db=delta.sum(axis=0))
        if k > 1:
            dA = delta @ params[f"W{k}"].T
            out[k]["sent_down"] = dA
            out[k - 1] = {"upstream": dA, "fprime": dfs[k - 2](Zs[k - 1])}
            delta = dA * dfs[k - 2](Zs[k - 1])
    return out


@pytest.fixture
def case():
    net = MLP([3, 5, 4, 2], activation=["tanh", "sigmoid"], output="softmax", seed=0)
    X = np.random.default_rng(1).standard_normal((6, 3))
    y = np.array([0, 1, 1, 0, 1, 0])
    Y = np.eye(2)[y]
    return net, X, y, Y


def test_steps_walk_from_output_layer_down(case):
    net, X, y, _ = case
    s = BackwardStepper(net, X, y)
    assert len(s) == 3
    assert [st.layer for st in s.steps] == [3, 2, 1]
    assert s[0].is_output and not s[1].is_output
    assert s[0].upstream is None and s[0].fprime is None
    assert s[2].sent_down is None


def test_steps_equal_independent_numpy(case):
    net, X, y, Y = case
    params = {k: v.copy() for k, v in net.params.items()}
    ref = independent_backward(
        params, X, Y, [np.tanh, sig],
        [lambda z: 1 - np.tanh(z) ** 2, lambda z: sig(z) * (1 - sig(z))])
    s = BackwardStepper(net, X, y)
    for st in s.steps:
        r = ref[st.layer]
        for name in ("A_prev", "Z", "A", "delta", "dW", "db"):
            np.testing.assert_allclose(getattr(st, name), r[name], rtol=1e-12, atol=1e-15)
        if st.layer < 3:
            np.testing.assert_allclose(st.upstream, r["upstream"], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(st.fprime, r["fprime"], rtol=1e-12)
        if st.layer > 1:
            np.testing.assert_allclose(st.sent_down, r["sent_down"], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(s[0].Y, Y)


def test_steps_equal_trace_and_each_upstream_is_the_previous_sent_down(case):
    net, X, y, _ = case
    s = BackwardStepper(net, X, y)
    t = net.trace
    for st in s.steps:
        np.testing.assert_array_equal(st.delta, t[f"delta{st.layer}"])
        np.testing.assert_array_equal(st.dW, t[f"dW{st.layer}"])
    for above, below in zip(s.steps[:-1], s.steps[1:], strict=True):
        np.testing.assert_array_equal(below.upstream, above.sent_down)


def test_step_gradients_match_finite_differences(case):
    net, X, y, _ = case
    s = BackwardStepper(net, X, y)
    numeric = numeric_gradients(lambda: net.loss(X, y, loss="cross_entropy"), net.params)
    for st in s.steps:
        np.testing.assert_allclose(st.dW, numeric[f"W{st.layer}"], rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(st.db, numeric[f"b{st.layer}"], rtol=1e-5, atol=1e-9)


def test_steps_are_copies_unaffected_by_later_passes(case):
    net, X, y, _ = case
    s = BackwardStepper(net, X, y)
    before = s[1].delta.copy()
    net.params["W3"] += 1.0
    net.loss_and_gradients(X * 2, y, loss="cross_entropy")
    np.testing.assert_array_equal(s[1].delta, before)


def test_mse_identity_output_rule_and_delta():
    net = MLP([2, 3, 1], activation="relu", output="identity", seed=2)
    X = np.array([[0.5, -1.0], [1.5, 2.0], [-0.3, 0.2]])
    Y = np.array([[1.0], [0.0], [2.0]])
    s = BackwardStepper(net, X, Y, loss="mse")
    assert s[0].rule == "(Ŷ − Y) / N"
    out = X @ net.params["W1"] + net.params["b1"]
    pred = np.maximum(out, 0) @ net.params["W2"] + net.params["b2"]
    np.testing.assert_allclose(s[0].delta, (pred - Y) / 3)
    np.testing.assert_allclose(s[1].fprime, (out > 0).astype(float))


def test_dropout_mask_enters_the_step():
    net = MLP([3, 6, 2], activation="sigmoid", output="softmax", seed=5, dropout=0.5)
    X = np.random.default_rng(0).standard_normal((4, 3))
    s = BackwardStepper(net, X, np.array([0, 1, 0, 1]))
    st = s[1]
    assert st.mask is not None
    np.testing.assert_allclose(st.delta, st.upstream * st.mask * st.fprime)
    assert any(q.label.startswith("mask1") for q in st.quantities())


def test_render_text_shows_roles_shapes_and_values(case):
    net, X, y, _ = case
    s = BackwardStepper(net, X, y)
    text = s.render_text(1)
    assert text.startswith("Step 2 of 3: layer 2 (hidden layer, sigmoid)")
    assert "X ← layer 1 ← [layer 2] ← layer 3 ← loss" in text
    for part in ("cached        A1   shape (N, n1) = (6, 5)",
                 "upstream      dA2 = δ3 W3ᵀ   shape (N, n2) = (6, 4)",
                 "local         f'(Z2) = sigmoid'(Z2)",
                 "dW2 = A1ᵀ δ2   shape (n1, n2) = (5, 4)",
                 "db2 = Σ_rows δ2   shape (n2,) = (4,)",
                 "sent down     dA1 = δ2 W2ᵀ   shape (N, n1) = (6, 5)"):
        assert part in text
    assert f"{s[1].db[0]:.3f}" in text
    out_text = s.render_text(0)
    assert "δ3 = (Ŷ − Y) / N" in out_text and "from the loss" in out_text
    assert "upstream" not in out_text


def test_render_html_highlights_current_layer(case):
    net, X, y, _ = case
    s = BackwardStepper(net, X, y)
    page = s.render_html(1)
    assert "data-layer='2' data-state='current'" in page
    assert "data-layer='3' data-state='done'" in page
    assert "data-layer='1' data-state='waiting'" in page
    assert "(N, n2) = (6, 4)" in page


def test_heat_table_tints_sign_and_truncates():
    page = heat_table(np.array([[1.0, -1.0, 0.0]]))
    assert "rgb(255, 102, 102)" in page and "rgb(102, 102, 255)" in page
    assert "rgb(102, 102, 255)'>" not in page.split("-1.000")[1]
    big = heat_table(np.zeros((10, 10)))
    assert big.count("<tr>") == 9 and "…" in big


def test_widget_buttons_walk_the_steps(case):
    net, X, y, _ = case
    s = BackwardStepper(net, X, y)
    box = s.widget()
    prev, nxt, label = box.children[0].children
    view = box.children[1]
    assert prev.disabled and not nxt.disabled
    assert view.value == s.render_html(0)
    nxt.click()
    assert view.value == s.render_html(1) and label.value == "step 2 of 3: layer 2"
    nxt.click()
    assert nxt.disabled and view.value == s.render_html(2)
    prev.click()
    assert view.value == s.render_html(1) and not nxt.disabled


def diverged_step():
    """The stepper on a linear net trained by gradient descent with far too large a step,
    at the first step whose loss overflows: its gradients hold inf and NaN."""
    net = MLP([2, 3, 1], activation="identity", output="identity", seed=0)
    X = 3 * np.random.default_rng(0).standard_normal((4, 2))
    Y = np.ones((4, 1))
    # The overflow is the point of this net, so its warnings are silenced here.
    with np.errstate(all="ignore"):
        while np.isfinite(net.loss_and_gradients(X, Y, loss="mse")[0]):
            for name, g in net.trace.items():
                if name.startswith(("dW", "db")):
                    net.params[name[1:]] -= 1.0 * g
        return BackwardStepper(net, X, Y, loss="mse")


def test_heat_table_greys_nan_and_inf_of_a_diverged_step():
    s = diverged_step()
    shown = [q.value for st in s.steps for q in st.quantities()]
    bad = sum(int((~np.isfinite(v)).sum()) for v in shown)
    assert bad > 0 and np.isnan(s[-1].dW).any() and np.isinf(s[-1].dW).any()
    pages = "".join(s.render_html(i) for i in range(len(s)))
    # Every array here is small enough to be shown whole, so each non-finite entry is
    # one grey cell, which spells out its value.
    assert pages.count(NON_FINITE_GREY) == bad
    grey_texts = re.findall(rf"background:{re.escape(NON_FINITE_GREY)};[^>]*>([^<]*)<", pages)
    assert set(grey_texts) <= {"nan", "inf", "-inf"} and "nan" in grey_texts


def test_heat_table_scales_finite_cells_by_the_finite_entries():
    page = heat_table(np.array([[2.0, np.nan, -np.inf, -1.0, np.inf]]))
    cells = re.findall(r"background:([^;]+);[^>]*>([^<]*)<", page)
    assert [text for _, text in cells] == ["2.000", "nan", "-inf", "-1.000", "inf"]
    # 2 is the largest finite magnitude, so it gets the deepest red; -1 is half as deep.
    assert cells[0][0] == "rgb(255, 102, 102)"
    assert cells[3][0] == f"rgb({int(255 * 0.7)}, {int(255 * 0.7)}, 255)"
    assert [bg for bg, _ in cells[1:3]] + [cells[4][0]] == [NON_FINITE_GREY] * 3
