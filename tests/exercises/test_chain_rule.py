"""Checks of notebook 02_chain_rule: right answers pass, common slips get their hint."""

import math

import numpy as np
import pytest

from bpcourse.exercises import chain_rule as ex


def sig(u):
    return 1 / (1 + np.exp(-u))


def right_df(x):
    s = sig(3 * np.tanh(x))
    return s * (1 - s) * 3 * (1 - np.tanh(x) ** 2)


def test_composite_derivative_right_and_scalar_only(capsys):
    assert ex.check_composite_derivative(right_df)
    assert capsys.readouterr().out.startswith("Correct")
    # a function written for single floats (math module) is accepted too
    def scalar_df(x):
        s = 1 / (1 + math.exp(-3 * math.tanh(x)))
        return s * (1 - s) * 3 * (1 - math.tanh(x) ** 2)
    assert ex.check_composite_derivative(scalar_df)


@pytest.mark.parametrize("wrong,hint", [
    (lambda x: sig(3 * np.tanh(x)) * (1 - sig(3 * np.tanh(x))) * 3, "tanh'(x)"),
    (lambda x: right_df(x) / 3, "factor 3"),
    (lambda x: 3 * sig(x) * (1 - sig(x)) * (1 - np.tanh(x) ** 2), "not at x"),
    (lambda x: x**2, "Hint: apply the chain rule"),
])
def test_composite_derivative_slips(wrong, hint, capsys):
    assert not ex.check_composite_derivative(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_composite_derivative_no_answer_or_error(capsys):
    assert not ex.check_composite_derivative(...)
    assert "no answer yet" in capsys.readouterr().out
    assert not ex.check_composite_derivative(lambda x: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out


def hand_factors():
    z1 = 0.8 * 1.0 - 0.2  # 0.6
    a1 = 1 / (1 + math.exp(-z1))
    a2 = 1.5 * a1 + 0.1
    return [a2 - 0.5, 1.5, a1 * (1 - a1), 1.0]


def test_tiny_net_is_the_one_in_the_statement():
    net, x, y = ex.tiny_net()
    value, grads = net.loss_and_gradients(x[None], y[None])
    assert grads["W1"][0, 0] == pytest.approx(np.prod(hand_factors()), abs=1e-12)


def test_tiny_factors(capsys):
    assert ex.check_tiny_factors(hand_factors())
    assert capsys.readouterr().out.startswith("Correct")
    wrong = hand_factors()
    wrong[2] = 0.6 * (1 - 0.6)  # z1 (1 - z1) instead of a1 (1 - a1)
    assert not ex.check_tiny_factors(wrong)
    out = capsys.readouterr().out
    assert "Factor 3" in out and "with a1 the activation" in out
    assert not ex.check_tiny_factors(hand_factors()[:3])
    assert "shape" in capsys.readouterr().out


def test_tiny_gradient(capsys):
    f = hand_factors()
    assert ex.check_tiny_gradient(np.prod(f))
    assert capsys.readouterr().out.startswith("Correct")
    assert not ex.check_tiny_gradient(f[0] * f[1] * f[3])
    assert "sigmoid's slope" in capsys.readouterr().out
    assert not ex.check_tiny_gradient(-np.prod(f))
    assert "a2 − y" in capsys.readouterr().out
    assert not ex.check_tiny_gradient(0.123)
    assert "multiply the four factors" in capsys.readouterr().out


def test_path_count(capsys):
    assert ex.check_path_count(10)
    assert capsys.readouterr().out.startswith("Correct")
    assert not ex.check_path_count(40)
    assert "only unit 3 of layer 1" in capsys.readouterr().out
    assert not ex.check_path_count(7)
    assert "multiply" in capsys.readouterr().out
    assert not ex.check_path_count(...)
    assert "no answer yet" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [10.9, 10.0001, 9.5, float("nan"), float("inf"), "10.5"])
def test_path_count_rejects_numbers_that_are_not_whole(answer, capsys):
    # int() would truncate 10.9 (or 10.0001) to the right answer, 10.
    assert not ex.check_path_count(answer)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and "whole number" in out


@pytest.mark.parametrize("answer", [10.0, np.float64(10.0), np.int64(10), "10"])
def test_path_count_accepts_ten_however_written(answer, capsys):
    assert ex.check_path_count(answer)
    assert capsys.readouterr().out.startswith("Correct")


def test_tiny_gradient_slip_and_no_answer(capsys):
    f = hand_factors()
    assert not ex.check_tiny_gradient(f[0] * f[2] * f[3])
    out = capsys.readouterr().out
    assert "matches a common slip" in out and "include w2" in out
    assert not ex.check_tiny_gradient(None)
    assert "no answer yet" in capsys.readouterr().out


def test_composite_is_sigma_of_three_tanh():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(ex.composite(x), sig(3 * np.tanh(x)), rtol=1e-14)


def test_composite_derivative_that_returns_nothing_is_told_so(capsys):
    def forgot_return(x):
        x * 2  # noqa: B018 - the slip being tested: the body computes but never returns

    assert not ex.check_composite_derivative(forgot_return)
    assert "returns nothing" in capsys.readouterr().out


# -- exercise 4: the engine ------------------------------------------------------------------
def _engine(mul_backward=None, tanh_slope=None):
    """The reference engine with one line swapped for a learner's slip."""
    from bpcourse.exercises.solutions import reference

    Value = reference("engine")
    if mul_backward is not None:
        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other))

            def _backward():
                mul_backward(self, other, out)
            out._backward = _backward
            return out
        Value.__mul__ = Value.__rmul__ = __mul__
    if tanh_slope is not None:
        def tanh(self):
            t = np.tanh(self.data)
            out = Value(t, (self,))

            def _backward():
                self.grad += tanh_slope(t) * out.grad
            out._backward = _backward
            return out
        Value.tanh = tanh
    return Value


def test_the_reference_engine_passes(capsys):
    from bpcourse.exercises.chain_rule import check_engine

    assert check_engine(_engine())
    assert "Correct" in capsys.readouterr().out


def test_the_stubbed_engine_has_no_answer_yet(capsys):
    from bpcourse.exercises.chain_rule import check_engine

    class Stub:
        def __init__(self, data, parents=()):
            self.data, self.grad, self.parents = float(data), 0.0, parents
            self._backward = lambda: None

        def __mul__(self, other):
            out = Stub(self.data * other.data, (self, other))

            def _backward():
                self.grad += ...
            out._backward = _backward
            return out

        def backward(self):
            self.grad = 1.0
            for node in ...:
                node._backward()

    assert not check_engine(Stub)
    assert "no answer yet" in capsys.readouterr().out
    assert not check_engine(...)
    assert "no answer yet" in capsys.readouterr().out


@pytest.mark.parametrize("slip, hint", [
    (lambda a, b, out: (setattr(a, "grad", b.data * out.grad),
                        setattr(b, "grad", a.data * out.grad)), "add up both contributions"),
    (lambda a, b, out: (setattr(a, "grad", a.grad + a.data * out.grad),
                        setattr(b, "grad", b.grad + b.data * out.grad)), "d(ab)/da is b"),
])
def test_typical_slips_in_mul_get_their_hint(capsys, slip, hint):
    from bpcourse.exercises.chain_rule import check_engine

    assert not check_engine(_engine(mul_backward=slip))
    out = capsys.readouterr().out
    assert "Not yet" in out and hint in out


def test_visiting_the_nodes_in_forward_order_is_caught(capsys):
    from bpcourse.exercises.chain_rule import check_engine

    Value = _engine()

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)
        visit(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in order:              # the slip: from the inputs up
            node._backward()
    Value.backward = backward
    assert not check_engine(Value)
    assert "Not yet" in capsys.readouterr().out


def test_a_tanh_slope_without_the_square_is_caught(capsys):
    from bpcourse.exercises.chain_rule import check_engine

    assert not check_engine(_engine(tanh_slope=lambda t: 1 - t))
    assert "1 - tanh(a)²" in capsys.readouterr().out


def test_something_that_is_not_a_class_is_refused(capsys):
    from bpcourse.exercises.chain_rule import check_engine

    assert not check_engine(3.0)
    assert "Expected the class Value, got float" in capsys.readouterr().out
