"""Checks of notebook 03: right answers pass, typical wrong answers fail with the hint
aimed at their bug. The wrong answers below are written out by hand, as a learner would."""


import numpy as np
import pytest

from bpcourse.exercises import backward_pass as bp


def sig(z):
    return 1 / (1 + np.exp(-z))


def correct(params, cache, Y):
    N = len(Y)
    d2 = (cache["A2"] - Y) / N
    d1 = (d2 @ params["W2"].T) * cache["A1"] * (1 - cache["A1"])
    return {"W1": cache["A0"].T @ d1, "b1": d1.sum(axis=0),
            "W2": cache["A1"].T @ d2, "b2": d2.sum(axis=0)}


def with_changes(delta2=None, local=None, dA1=None, db=None):
    """A learner's backward pass with some lines swapped for wrong ones."""
    def backward(params, cache, Y):
        N = len(Y)
        d2 = delta2(cache, Y) if delta2 else (cache["A2"] - Y) / N
        up = dA1(d2, params) if dA1 else d2 @ params["W2"].T
        d1 = up * (local(cache) if local else cache["A1"] * (1 - cache["A1"]))
        bias = db or (lambda d: d.sum(axis=0))
        return {"W1": cache["A0"].T @ d1, "b1": bias(d1),
                "W2": cache["A1"].T @ d2, "b2": bias(d2)}
    return backward


def run(capsys, check, answer):
    ok = check(answer)
    return ok, capsys.readouterr().out


# -- check_backward --------------------------------------------------------------------------
def test_check_backward_accepts_correct(capsys):
    ok, out = run(capsys, bp.check_backward, correct)
    assert ok and "Correct: backward(params, cache, Y)" in out
    assert out.count("ok") == 8


WRONG_ANSWERS = {
    "no_transpose": with_changes(dA1=lambda d2, p: d2 @ p["W2"]),
    "no_fprime": with_changes(local=lambda c: 1.0),
    "A_for_fprime": with_changes(local=lambda c: c["A1"]),
    "fprime_of_A": with_changes(local=lambda c: sig(c["A1"]) * (1 - sig(c["A1"]))),
    "bias_not_summed": with_changes(db=lambda d: d),
    "bias_mean": with_changes(db=lambda d: d.mean(axis=0)),
    "no_1_over_N": with_changes(delta2=lambda c, Y: c["A2"] - Y),
    "sign": with_changes(delta2=lambda c, Y: (Y - c["A2"]) / len(Y)),
}


@pytest.mark.parametrize("bug", WRONG_ANSWERS)
def test_check_backward_names_the_bug(capsys, bug):
    ok, out = run(capsys, bp.check_backward, WRONG_ANSWERS[bug])
    assert not ok
    assert "Not yet" in out and bp.BUGS[bug].hint in out


def test_check_backward_reports_which_arrays_are_wrong(capsys):
    ok, out = run(capsys, bp.check_backward, WRONG_ANSWERS["A_for_fprime"])
    assert "Wrong: W1, b1." in out
    lines = out.splitlines()
    assert any(line.startswith("W2") and line.endswith("ok") for line in lines)
    assert any(line.startswith("W1") and line.endswith("WRONG") for line in lines)


def test_check_backward_forgot_1_over_n_hint_text(capsys):
    _, out = run(capsys, bp.check_backward, WRONG_ANSWERS["no_1_over_N"])
    assert "N times too large" in out


def test_check_backward_bias_not_summed_mentions_shape(capsys):
    _, out = run(capsys, bp.check_backward, WRONG_ANSWERS["bias_not_summed"])
    assert "(6, 4)" in out and "WRONG SHAPE" in out and "sum(axis=0)" in out


def test_check_backward_missing_transpose_in_dw_gives_shape_message(capsys):
    def backward(params, cache, Y):
        g = correct(params, cache, Y)
        d2 = (cache["A2"] - Y) / len(Y)
        g["W2"] = cache["A1"] @ d2  # A1 is (N, n1): the product needs A1.T
        return g

    ok, out = run(capsys, bp.check_backward, backward)
    assert not ok and "raised ValueError" in out and "transpose" in out


def test_check_backward_transposed_dw_shape(capsys):
    def backward(params, cache, Y):
        g = correct(params, cache, Y)
        g["W1"] = g["W1"].T
        return g

    _, out = run(capsys, bp.check_backward, backward)
    assert "W1 has the transposed shape" in out


def test_check_backward_accumulation_bug(capsys):
    def backward(params, cache, Y):
        N = len(Y)
        d2 = (cache["A2"] - Y) / N
        d1 = (d2 @ params["W2"].T) * cache["A1"] * (1 - cache["A1"])
        g = {}
        for n in range(N):  # '=' where '+=' belongs
            g["W1"] = np.outer(cache["A0"][n], d1[n])
            g["b1"] = d1[n]
            g["W2"] = np.outer(cache["A1"][n], d2[n])
            g["b2"] = d2[n]
        return g

    _, out = run(capsys, bp.check_backward, backward)
    assert bp.BUGS["no_accumulate"].hint in out


def test_check_backward_unrecognised_bug_points_at_layer(capsys):
    def backward(params, cache, Y):
        g = correct(params, cache, Y)
        g["W1"] = g["W1"] * 1.5
        return g

    _, out = run(capsys, bp.check_backward, backward)
    assert "Wrong: W1." in out and "layer 2 is right" in out


@pytest.mark.parametrize("answer, text", [
    (lambda p, c, Y: (1, 2), "returned a tuple"),
    (lambda p, c, Y: {"W1": 0}, "lacks b1, W2, b2"),
    (lambda p, c, Y: c["A3"], "KeyError"),
])
def test_check_backward_malformed_answers(capsys, answer, text):
    ok, out = run(capsys, bp.check_backward, answer)
    assert not ok and text in out and "Traceback" not in out


def test_check_backward_does_not_let_answers_change_the_net(capsys):
    def backward(params, cache, Y):
        params["W2"] *= 0
        cache["A1"] *= 0
        return correct(params, cache, Y)

    ok, _ = run(capsys, bp.check_backward, backward)
    assert not ok
    ok, _ = run(capsys, bp.check_backward, correct)
    assert ok


# -- the value exercises ---------------------------------------------------------------
def worked():
    net, X, y = bp.worked_example()
    cache = bp.cache_of(net, X)
    return net, np.eye(2)[y], cache


def test_check_output_delta(capsys):
    net, Y, c = worked()
    assert run(capsys, bp.check_output_delta, (c["A2"] - Y) / 4)[0]
    for wrong, text in [(c["A2"] - Y, "N times too large"),
                        ((Y - c["A2"]) / 4, "wrong way"),
                        ((c["A2"] - Y) / 4 * c["A2"] * (1 - c["A2"]), "no extra derivative"),
                        ((c["A2"] - np.array([[0], [1], [1], [0]])) / 4, "one-hot"),
                        (np.zeros(4), "one column per output unit"),
                        (..., "no answer yet")]:
        ok, out = run(capsys, bp.check_output_delta, wrong)
        assert not ok and text in out, out


def test_check_hidden_delta(capsys):
    net, Y, c = worked()
    d2 = (c["A2"] - Y) / 4
    up = d2 @ net.params["W2"].T
    assert run(capsys, bp.check_hidden_delta, up * c["A1"] * (1 - c["A1"]))[0]
    for wrong, text in [(up, "lacks the local factor"),
                        (up * c["A1"], "the activation itself"),
                        (up * sig(c["A1"]) * (1 - sig(c["A1"])), "evaluated σ' at A1"),
                        ((up * c["A1"] * (1 - c["A1"])).T, "its transpose"),
                        (4 * up * c["A1"] * (1 - c["A1"]), "N times too large"),
                        (up * c["Z1"], "δ1 = (δ2 W2ᵀ) ⊙ σ'(Z1)")]:
        ok, out = run(capsys, bp.check_hidden_delta, wrong)
        assert not ok and text in out, out


def test_check_bug_location(capsys):
    assert run(capsys, bp.check_bug_location, "c")[0]
    ok, out = run(capsys, bp.check_bug_location, "b")
    assert not ok and "dW2 and db2 are built from δ2" in out


# -- exercise: the backward pass as a loop ------------------------------------------------------
def loop_with(step=None, layers=None):
    """A learner's loop with one slip: ``step(delta, params, cache, l, fprime)`` goes down a
    layer; ``layers(L)`` lists the layers visited."""
    def backward_loop(params, cache, Y, fprime):
        L = len(params) // 2
        delta = (cache[f"A{L}"] - Y) / len(Y)
        grads = {}
        for l in (layers(L) if layers else range(L, 0, -1)):
            grads[f"W{l}"] = cache[f"A{l - 1}"].T @ delta
            grads[f"b{l}"] = delta.sum(axis=0)
            if l > 1:
                delta = (step(delta, params, cache, l, fprime) if step else
                         (delta @ params[f"W{l}"].T) * fprime(cache[f"Z{l - 1}"]))
        return grads
    return backward_loop


def test_check_backward_loop_accepts_the_loop(capsys):
    ok, out = run(capsys, bp.check_backward_loop, loop_with())
    assert ok and "4 networks of depth 2 to 4" in out


def test_check_backward_loop_names_a_sigmoid_only_slope(capsys):
    sigmoid_slope = lambda d, p, c, l, f: (d @ p[f"W{l}"].T) * c[f"A{l - 1}"] * (  # noqa: E731
        1 - c[f"A{l - 1}"])
    ok, out = run(capsys, bp.check_backward_loop, loop_with(step=sigmoid_slope))
    assert not ok and "use the fprime you are given" in out


def test_check_backward_loop_catches_the_wrong_layer_of_z(capsys):
    wrong_z = lambda d, p, c, l, f: (d @ p[f"W{l}"].T) * f(c[f"Z{l}"])  # noqa: E731
    ok, out = run(capsys, bp.check_backward_loop, loop_with(step=wrong_z))
    assert not ok and "Not yet" in out


def test_check_backward_loop_catches_a_loop_that_stops_early(capsys):
    ok, out = run(capsys, bp.check_backward_loop, loop_with(layers=lambda L: range(L, 1, -1)))
    assert not ok and "lacks W1, b1" in out


def test_check_backward_loop_has_no_answer_for_a_stub_or_a_non_function(capsys):
    def stub(params, cache, Y, fprime):
        for _layer in ...:
            pass

    ok, out = run(capsys, bp.check_backward_loop, stub)
    assert not ok and "no answer yet" in out
    ok, out = run(capsys, bp.check_backward_loop, 5)
    assert not ok and "Expected a function, got int" in out


def test_check_backward_loop_fails_nan_gradients(capsys):
    def nan_loop(params, cache, Y, fprime):
        return {k: np.full_like(v, np.nan) for k, v in params.items()}

    ok, out = run(capsys, bp.check_backward_loop, nan_loop)
    assert not ok and "is wrong" in out


def test_check_backward_loop_calls_the_notebooks_empty_stub_unanswered(capsys):
    def backward_loop(params, cache, Y, fprime):
        grads = {}
        ...
        return grads

    ok, out = run(capsys, bp.check_backward_loop, backward_loop)
    assert not ok and "no answer yet" in out
