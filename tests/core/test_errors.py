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
