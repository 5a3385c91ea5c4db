"""Bad input gives a ValueError that says what is wrong, where, and what would be right."""

from __future__ import annotations

import numpy as np
import pytest

from bpcourse import MLP, data, optim


def message(excinfo) -> str:
    return str(excinfo.value)


def test_x_with_the_wrong_number_of_columns():
    net = MLP([3, 4, 2], seed=0)
    with pytest.raises(ValueError) as e:
        net.forward(np.zeros((5, 2)))
    msg = message(e)
    assert "layer 1" in msg
    assert "(5, 2)" in msg and "(3, 4)" in msg  # X's shape and W1's shape
    assert "3 columns" in msg


@pytest.mark.parametrize("method", ["loss", "loss_and_gradients"])
def test_x_mismatch_through_the_loss(method):
    net = MLP([3, 2], seed=0)
    with pytest.raises(ValueError, match=r"layer 1.*\(3, 2\).*\(4, 5\)"):
        getattr(net, method)(np.zeros((4, 5)), np.zeros((4, 2)))


def test_x_with_the_wrong_number_of_dimensions():
    with pytest.raises(ValueError, match=r"layer 1.*\(2, 3, 3\)"):
        MLP([3, 2]).forward(np.zeros((2, 3, 3)))


@pytest.mark.parametrize(("Y", "shown"), [
    (np.zeros((5, 3)), "(5, 3)"),   # too many output columns
    (np.zeros((4, 2)), "(4, 2)"),   # too few rows
    (np.zeros(5), "(5,)"),          # 1-D targets for a 2-unit output
])
def test_y_that_does_not_fit_the_output(Y, shown):
    net = MLP([3, 4, 2], seed=0)
    with pytest.raises(ValueError) as e:
        net.loss_and_gradients(np.zeros((5, 3)), Y)
    msg = message(e)
    assert "output layer" in msg
    assert shown in msg and "(5, 2)" in msg  # Y's shape and the output's shape


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError) as e:
        MLP([2, 3, 1], activation="swish")
    msg = message(e)
    assert "'swish'" in msg
    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "identity"):
        assert name in msg


def test_unknown_activation_inside_a_list():
    with pytest.raises(ValueError, match="'gelu'.*valid names"):
        MLP([2, 3, 3, 1], activation=["relu", "gelu"])


def test_activation_list_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 hidden layers"):
        MLP([2, 3, 3, 1], activation=["relu"])


def test_unknown_output_lists_the_valid_names():
    with pytest.raises(ValueError) as e:
        MLP([2, 3], output="tanh")
    msg = message(e)
    assert "'tanh'" in msg
    assert all(name in msg for name in ("identity", "sigmoid", "softmax"))


def test_unknown_init_lists_the_valid_names():
    with pytest.raises(ValueError) as e:
        MLP([2, 3], init="glorot")
    msg = message(e)
    assert "'glorot'" in msg
    assert all(name in msg for name in ("xavier", "he", "normal"))
    with pytest.raises(ValueError, match=">= 0"):
        MLP([2, 3], init=-0.1)


def test_unknown_loss_lists_the_valid_names():
    net = MLP([2, 2], output="softmax")
    with pytest.raises(ValueError) as e:
        net.loss_and_gradients(np.zeros((1, 2)), np.array([0]), loss="hinge")
    msg = message(e)
    assert "'hinge'" in msg
    assert all(name in msg for name in ("mse", "cross_entropy", "binary_cross_entropy"))


@pytest.mark.parametrize("labels", [np.array([0, 3, 1]), np.array([0, -1, 1])])
def test_cross_entropy_labels_out_of_range(labels):
    net = MLP([2, 3], output="softmax")
    with pytest.raises(ValueError) as e:
        net.loss_and_gradients(np.zeros((3, 2)), labels, loss="cross_entropy")
    msg = message(e)
    assert "out of range" in msg
    assert "0..2" in msg
    assert f"label {labels[1]} at row 1" in msg


def test_cross_entropy_labels_must_be_integers_and_one_per_row():
    net = MLP([2, 3], output="softmax")
    with pytest.raises(ValueError, match="integers"):
        net.loss(np.zeros((2, 2)), np.array([0.0, 1.0]), loss="cross_entropy")
    with pytest.raises(ValueError, match="2 labels for 3 rows"):
        net.loss(np.zeros((3, 2)), np.array([0, 1]), loss="cross_entropy")


@pytest.mark.parametrize(("output", "loss", "needed"), [
    ("identity", "cross_entropy", "softmax"),
    ("sigmoid", "cross_entropy", "softmax"),
    ("softmax", "binary_cross_entropy", "sigmoid"),
    ("identity", "binary_cross_entropy", "sigmoid"),
])
def test_loss_and_output_that_do_not_pair(output, loss, needed):
    net = MLP([2, 2], output=output)
    with pytest.raises(ValueError) as e:
        net.loss_and_gradients(np.zeros((2, 2)), np.array([0, 1]), loss=loss)
    msg = message(e)
    assert f"'{loss}'" in msg and f"'{needed}'" in msg and f"'{output}'" in msg


def test_bad_sizes_and_dropout():
    with pytest.raises(ValueError, match="at least two"):
        MLP([3])
    with pytest.raises(ValueError, match="positive"):
        MLP([3, 0, 1])
    with pytest.raises(ValueError, match="0 <= p < 1"):
        MLP([2, 3, 1], dropout=1.0)


def test_bad_data_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        next(data.minibatches(np.zeros((3, 1)), np.zeros(3), 0))
    with pytest.raises(ValueError, match="3 rows but Y has 2"):
        next(data.minibatches(np.zeros((3, 1)), np.zeros(2), 2))
    with pytest.raises(ValueError, match="val_fraction"):
        data.train_val_split(np.zeros((4, 1)), np.zeros(4), val_fraction=1.5)
    with pytest.raises(ValueError, match="at least 2 classes"):
        data.spiral(1)
    with pytest.raises(ValueError, match="learning rate"):
        optim.Adam(-1e-3)


# -- issue 10: bad arguments that used to pass, each named in the error -------------------
from bpcourse.diagnostics import clip_by_global_norm  # noqa: E402
from bpcourse.gradcheck import gradient_check  # noqa: E402
from bpcourse.train import fit  # noqa: E402


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["forward", "loss", "loss_and_gradients"])
def test_non_finite_x_is_named_with_its_place(method, bad):
    net = MLP([2, 3, 1], seed=0)
    X = np.ones((4, 2))
    X[2, 1] = bad
    args = (X,) if method == "forward" else (X, np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"X \(the input A0 of layer 1\) contains (NaN|inf) "
                       r"at index \(2, 1\)"):
        getattr(net, method)(*args)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_y_is_named(bad):
    net = MLP([2, 3, 1], seed=0)
    Y = np.zeros((4, 1))
    Y[3, 0] = bad
    with pytest.raises(ValueError, match=r"Y \(the targets of the output layer A2\) contains"):
        net.loss(np.ones((4, 2)), Y)


def test_fit_names_nan_in_x_instead_of_blaming_the_learning_rate():
    X, y = np.ones((8, 2)), np.zeros(8)
    X[5, 0] = np.nan
    with pytest.raises(ValueError, match=r"X \(inputs of layer 1\) contains NaN at index "
                       r"\(5, 0\)") as e:
        fit(MLP([2, 1], seed=0), X, y, optimizer=optim.SGD(1e-9), progress=False)
    assert "learning rate" not in message(e)


def test_fit_names_nan_in_the_validation_targets():
    X, Y = np.ones((8, 2)), np.zeros((8, 1))
    with pytest.raises(ValueError, match="Y_val"):
        fit(MLP([2, 1], seed=0), X, Y, val=(X[:2], np.array([[0.0], [np.nan]])),
            progress=False)


def test_zero_rows_are_refused_instead_of_a_nan_loss():
    net = MLP([2, 1], seed=0)
    with pytest.raises(ValueError, match="X has no rows"):
        net.loss(np.zeros((0, 2)), np.zeros((0, 1)))
    with pytest.raises(ValueError, match="X has no rows"):
        fit(net, np.zeros((0, 2)), np.zeros((0, 1)), progress=False)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"epochs": -1}, "epochs must be a whole number >= 0"),
    ({"epochs": 2.5}, "epochs must be a whole number"),
    ({"batch_size": 0}, "batch_size must be a whole number >= 1"),
    ({"clip_norm": 0.0}, "clip_norm must be a finite number > 0"),
    ({"clip_norm": -1.0}, "clip_norm must be a finite number > 0"),
    ({"clip_norm": np.nan}, "clip_norm"),
    ({"l2": -1e-3}, "l2 must be a finite number >= 0"),
    ({"l2": np.nan}, "l2 must be"),
    ({"optimizer": "Adam"}, "optimizer must be an optimiser"),
    ({"loss": "hinge"}, "unknown loss 'hinge'"),
    ({"val": np.zeros((2, 2))}, "val must be a pair"),
    ({"on_epoch": 3}, "on_epoch must be a function"),
])
def test_fit_refuses_bad_arguments_before_training(kwargs, words):
    net = MLP([2, 1], seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    with pytest.raises(ValueError, match=words):
        fit(net, np.ones((4, 2)), np.zeros((4, 1)), progress=False, **kwargs)
    assert all(np.array_equal(before[k], net.params[k]) for k in before)


def test_fit_refuses_rows_that_do_not_pair_up():
    with pytest.raises(ValueError, match="X has 4 rows but Y has 3"):
        fit(MLP([2, 1]), np.ones((4, 2)), np.zeros((3, 1)), progress=False)


def test_fit_with_zero_epochs_trains_nothing():
    net = MLP([2, 1], seed=0)
    before = net.params["W1"].copy()
    assert fit(net, np.ones((4, 2)), np.zeros((4, 1)), epochs=0, progress=False).epochs == 0
    assert np.array_equal(before, net.params["W1"])


@pytest.mark.parametrize("l2", [-0.1, np.nan, np.inf])
def test_loss_and_backward_refuse_a_bad_l2(l2):
    net = MLP([2, 1], seed=0)
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        net.loss_and_gradients(np.ones((2, 2)), np.zeros((2, 1)), l2=l2)


@pytest.mark.parametrize("init", [np.nan, np.inf, -0.5])
def test_a_bad_init_std_is_refused(init):
    with pytest.raises(ValueError, match="init standard deviation must be a finite number"):
        MLP([2, 3], init=init)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.complex128, bool])
def test_a_network_needs_a_float_dtype(dtype):
    with pytest.raises(ValueError, match="dtype must be a float type"):
        MLP([2, 3], dtype=dtype)


def test_complex_and_text_inputs_are_refused_not_cast():
    net = MLP([2, 1], seed=0)
    with pytest.raises(ValueError, match=r"X \(the input A0 of layer 1\) is complex"):
        net.forward(np.ones((3, 2)) + 1j)
    with pytest.raises(ValueError, match="not numbers"):
        net.forward(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="Y .* is complex"):
        net.loss(np.ones((3, 2)), np.zeros((3, 1)) + 1j)


def test_an_input_too_large_for_float16_is_named():
    net = MLP([1, 1], dtype=np.float16, seed=0)
    with pytest.raises(ValueError, match="too large for it"):
        net.forward(np.array([[1e6]]))


def test_a_dropout_of_nan_is_refused():
    with pytest.raises(ValueError, match="dropout"):
        MLP([2, 3, 1], dropout=np.nan)


# -- optimisers ------------------------------------------------------------------------------
@pytest.mark.parametrize(("make", "words"), [
    (lambda: optim.SGD(np.inf), "learning rate must be a finite number > 0"),
    (lambda: optim.SGD(np.nan), "learning rate"),
    (lambda: optim.Momentum(0.1, beta=1.0), r"beta must lie in \[0, 1\)"),
    (lambda: optim.Momentum(0.1, beta=-0.1), "beta must lie"),
    (lambda: optim.RMSprop(0.1, rho=1.5), "rho must lie"),
    (lambda: optim.RMSprop(0.1, eps=-1e-8), "eps must be a finite number >= 0"),
    (lambda: optim.Adam(0.1, beta1=1.0), "beta1 must lie"),
    (lambda: optim.Adam(0.1, beta2=np.nan), "beta2 must lie"),
    (lambda: optim.Adam(0.1, eps=-1e-8), "eps must be"),
])
def test_bad_hyper_parameters_are_named(make, words):
    with pytest.raises(ValueError, match=words):
        make()


@pytest.mark.parametrize("name", ["Momentum", "RMSprop", "Adam"])
def test_an_optimiser_reused_on_another_network_is_refused(name):
    opt = optim.make_optimizer(name, 0.01)
    small, big = MLP([2, 3, 1], seed=0), MLP([4, 5, 1], seed=0)
    X, Y = np.ones((3, 2)), np.zeros((3, 1))
    opt.step(small.params, small.loss_and_gradients(X, Y)[1])
    _, grads = big.loss_and_gradients(np.ones((3, 4)), Y)
    before = big.params["W1"].copy()
    with pytest.raises(ValueError, match=r"holds state .*\['W1'\] of shape \(2, 3\) from "
                       r"another network.*\(4, 5\); make a fresh optimiser"):
        opt.step(big.params, grads)
    assert np.array_equal(before, big.params["W1"])  # nothing was half-updated
    assert opt.t == 1


# -- diagnostics and gradient check ----------------------------------------------------------
@pytest.mark.parametrize("max_norm", [0.0, -1.0, np.nan, np.inf])
def test_clipping_needs_a_positive_threshold(max_norm):
    grads = {"W1": np.ones((2, 2))}
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(grads, max_norm)
    assert np.array_equal(grads["W1"], np.ones((2, 2)))


@pytest.mark.parametrize(("kwargs", "words"), [({"eps": 0.0}, "eps must be"),
                                                ({"tol": -1.0}, "tol must be"),
                                                ({"eps": np.nan}, "eps must be")])
def test_gradient_check_refuses_bad_settings(kwargs, words):
    net = MLP([2, 1], seed=0)
    with pytest.raises(ValueError, match=words):
        gradient_check(net, np.ones((2, 2)), np.zeros((2, 1)), **kwargs)


# -- data ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("call", "words"), [
    (lambda: data.xor(n=0), "n must be a whole number >= 1"),
    (lambda: data.moons(n=-5), "n must be"),
    (lambda: data.moons(noise=-0.1), "noise must be a finite number >= 0"),
    (lambda: data.spiral(n_per_class=0), "n_per_class must be"),
    (lambda: data.spiral(k=2.5), "at least 2 classes"),
    (lambda: data.sine(noise=np.nan), "noise must be"),
    (lambda: data.one_hot([0, 1.7, 2]), "whole class numbers"),
    (lambda: data.one_hot([0, 1], k=0), "k .* must be a whole number >= 1"),
    (lambda: data.one_hot([[0, 1]]), "1-D array"),
    (lambda: data.one_hot([]), "needs k"),
    (lambda: data.train_val_split(np.zeros((1, 2)), np.zeros(1)), "at least 2 rows"),
    (lambda: next(data.minibatches(np.zeros((3, 1)), np.zeros(3), 1.5)), "batch_size"),
])
def test_bad_dataset_arguments_are_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_a_two_row_split_keeps_a_row_on_each_side():
    (X_tr, _), (X_val, _) = data.train_val_split(np.arange(4.0).reshape(2, 2), np.zeros(2),
                                                 val_fraction=0.9)
    assert len(X_tr) == 1 and len(X_val) == 1
