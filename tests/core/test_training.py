"""fit: it learns (XOR, spiral), records a faithful History, repeats exactly, stops on NaN."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bpcourse import MLP, History, TrainingDiverged, accuracy, data, fit, optim
from bpcourse.diagnostics import check_finite, clip_by_global_norm, grad_norms


def test_xor_is_learned_perfectly():
    X, y = data.xor()
    net = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
    hist = fit(net, X, y, loss="binary_cross_entropy", optimizer=optim.Adam(0.05),
               epochs=400, batch_size=4, progress=False)
    assert hist.train_acc[-1] == 1.0
    assert hist.train_loss[-1] < 0.01
    np.testing.assert_array_equal(net.predict(X), [0, 1, 1, 0])
    # The recorded loss is the loss of the trained net, measured again here.
    assert hist.train_loss[-1] == pytest.approx(net.loss(X, y, loss="binary_cross_entropy"))


def test_spiral_three_classes_generalises():
    X, y = data.spiral(3)
    (Xt, yt), (Xv, yv) = data.train_val_split(X, y, val_fraction=0.2, seed=0)
    net = MLP([2, 32, 32, 3], activation="relu", output="softmax", init="he", seed=0)
    hist = fit(net, Xt, yt, loss="cross_entropy", optimizer=optim.Adam(0.01), epochs=100,
               batch_size=32, val=(Xv, yv), progress=False)
    assert hist.val_acc[-1] > 0.9
    assert hist.val_acc[-1] == pytest.approx(np.mean(net.predict(Xv) == yv))
    assert hist.train_loss[-1] < hist.train_loss[0] / 5


def test_history_lengths_and_contents():
    X, y = data.moons(50, seed=1)
    net = MLP([2, 5, 4, 2], activation="tanh", output="softmax", seed=1)
    epochs, batch = 3, 16
    hist = fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(0.1), epochs=epochs,
               batch_size=batch, val=(X[:10], y[:10]), progress=False)
    steps = epochs * -(-50 // batch)  # 4 batches per epoch: 16, 16, 16, 2
    assert hist.steps == steps == 12
    assert hist.epochs == epochs
    for name in ("train_loss", "val_loss", "train_acc", "val_acc", "epoch_seconds"):
        assert len(getattr(hist, name)) == epochs, name
    assert set(hist.grad_norms) == {"W1", "W2", "W3"}
    assert all(len(v) == steps for v in hist.grad_norms.values())
    assert all(s > 0 for s in hist.epoch_seconds)
    assert all(0.0 <= a <= 1.0 for a in hist.train_acc + hist.val_acc)
    assert "epochs=3" in repr(hist)
    assert type(hist).from_dict(hist.to_dict()) == hist
    assert not net.training  # fit leaves the net in eval mode


def test_regression_history_has_no_accuracy():
    X, Y = data.sine(40)
    net = MLP([1, 8, 1], activation="tanh", seed=0)
    hist = fit(net, X, Y, loss="mse", optimizer=optim.SGD(0.05), epochs=2, batch_size=8,
               progress=False)
    assert hist.train_acc == [None, None]
    assert hist.val_loss == [] and hist.val_acc == []


def test_grad_norms_record_the_gradient_of_each_step():
    X, y = data.moons(30, seed=2)
    net = MLP([2, 4, 2], activation="sigmoid", output="softmax", seed=3)
    twin = MLP([2, 4, 2], activation="sigmoid", output="softmax", seed=3)
    # One full batch per epoch: the first step's gradient does not depend on row order.
    hist = fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(0.5), epochs=1,
               batch_size=len(X), progress=False)
    _, g = twin.loss_and_gradients(X, y, loss="cross_entropy")
    for name in ("W1", "W2"):
        assert hist.grad_norms[name][0] == pytest.approx(np.sqrt(np.sum(g[name] ** 2)),
                                                        rel=1e-12)
    # ...and the step itself was plain SGD with that gradient.
    for name in twin.params:
        np.testing.assert_allclose(net.params[name], twin.params[name] - 0.5 * g[name],
                                   rtol=1e-12, atol=1e-15)


def test_progress_bar_in_a_terminal(capsys):
    X, y = data.xor()
    fit(MLP([2, 2, 1], output="sigmoid", seed=0), X, y, loss="binary_cross_entropy",
        epochs=3, batch_size=4, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "epoch" in err


# -- determinism ---------------------------------------------------------------------------
def _train(net_seed, fit_seed, dropout=0.0):
    X, y = data.spiral(3, n_per_class=20, seed=0)
    net = MLP([2, 8, 3], activation="relu", output="softmax", seed=net_seed, dropout=dropout)
    fit(net, X, y, loss="cross_entropy", optimizer=optim.Momentum(0.05), epochs=5,
        batch_size=16, progress=False, seed=fit_seed)
    return net.params


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_same_seeds_give_identical_parameters(dropout):
    a, b = _train(1, 7, dropout), _train(1, 7, dropout)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_different_seeds_give_different_parameters():
    base = _train(1, 7)
    other_init, other_order = _train(2, 7), _train(1, 8)
    assert not np.array_equal(base["W1"], other_init["W1"])
    assert not np.array_equal(base["W1"], other_order["W1"])


# -- divergence ----------------------------------------------------------------------------
class SpySGD(optim.SGD):
    """SGD that remembers whether every gradient it was given was finite."""

    def __init__(self, lr):
        super().__init__(lr)
        self.calls = 0
        self.all_finite = True

    def step(self, params, grads):
        self.calls += 1
        self.all_finite &= all(np.all(np.isfinite(g)) for g in grads.values())
        super().step(params, grads)


@pytest.mark.parametrize(("activation", "lr"), [
    ("relu", 10.0),   # a gradient overflows first
    ("tanh", 50.0),   # only the loss overflows first: the output layer is named
])
def test_huge_learning_rate_stops_with_a_clear_error(activation, lr):
    X, Y = data.sine(64)
    net = MLP([1, 16, 16, 1], activation=activation, seed=0)
    spy, epochs = SpySGD(lr), 50
    with pytest.raises(TrainingDiverged) as info:
        fit(net, X, Y, loss="mse", optimizer=spy, epochs=epochs, batch_size=16,
            progress=False)
    msg = str(info.value)
    m = re.search(r"step (\d+) \(epoch (\d+)\)", msg)
    assert m, msg
    step, epoch = int(m.group(1)), int(m.group(2))
    assert epoch < epochs  # stopped early instead of finishing on NaNs
    assert re.search(r"layer [1-3]\b", msg), msg
    assert "learning rate" in msg and f"lr={lr:g}" in msg
    # The diverged step was never applied, and no step ever saw a non-finite gradient.
    assert spy.calls == step - 1
    assert spy.all_finite
    assert all(np.all(np.isfinite(p)) for p in net.params.values())


def test_check_finite_names_the_first_bad_array():
    net = MLP([2, 3, 1], seed=0)
    net.loss_and_gradients(np.ones((2, 2)), np.ones((2, 1)))
    check_finite(net, 0.5, step=1, epoch=1, lr=0.1)  # all finite: no error
    net.trace["delta2"][0, 0] = np.nan
    net.trace["dW1"][0, 0] = np.inf
    with pytest.raises(TrainingDiverged, match=r"step 4 \(epoch 2\): delta2 \(layer 2\)"):
        check_finite(net, 0.5, step=4, epoch=2, lr=0.1)


# -- diagnostics helpers ---------------------------------------------------------------------
def test_grad_norms_and_clipping_by_hand():
    grads = {"W1": np.array([[3.0, 0.0]]), "b1": np.array([0.0]), "W2": np.array([[0.0], [4.0]])}
    assert grad_norms(grads) == {"W1": 3.0, "W2": 4.0}
    total = clip_by_global_norm(grads, 1.0)  # joint norm 5 -> scaled by 1/5
    assert total == 5.0
    np.testing.assert_allclose(grads["W1"], [[0.6, 0.0]])
    np.testing.assert_allclose(grads["W2"], [[0.0], [0.8]])
    before = {k: v.copy() for k, v in grads.items()}
    assert clip_by_global_norm(grads, 10.0) == pytest.approx(1.0)
    assert all(np.array_equal(before[k], grads[k]) for k in grads)


def test_clip_norm_bounds_every_step():
    X, Y = data.sine(32)
    net = MLP([1, 8, 1], activation="tanh", seed=0)
    start = {k: v.copy() for k, v in net.params.items()}
    fit(net, X, Y, loss="mse", optimizer=optim.SGD(0.1), epochs=1, batch_size=32,
        clip_norm=0.01, progress=False)
    moved = np.sqrt(sum(np.sum((net.params[k] - start[k]) ** 2) for k in start))
    assert moved <= 0.1 * 0.01 * (1 + 1e-9)


def test_accuracy_accepts_labels_or_one_hot():
    X = np.array([[1.0, 3.0], [5.0, 0.0], [0.0, 1.0]])
    net = MLP([2, 2], output="softmax")
    net.params["W1"][...] = np.eye(2)
    y = np.array([1, 0, 0])  # the third prediction (class 1) is wrong
    assert accuracy(net, X, y) == pytest.approx(2 / 3)
    assert accuracy(net, X, data.one_hot(y, 2)) == pytest.approx(2 / 3)
    assert accuracy(MLP([2, 1]), X, np.zeros(3)) is None


def test_recorded_losses_leave_out_the_l2_penalty():
    # Comparing runs with different l2 needs the data loss alone; the penalty would add
    # (l2/2) * sum ||W||^2 to both curves.
    X, y = data.moons(40, seed=1)
    (Xt, yt), (Xv, yv) = data.train_val_split(X, y, seed=1)
    net = MLP([2, 8, 2], activation="tanh", output="softmax", seed=0)
    history = fit(net, Xt, yt, loss="cross_entropy", optimizer=optim.SGD(0.1), epochs=3,
                  batch_size=8, l2=0.5, val=(Xv, yv), progress=False)
    penalty = 0.25 * sum(float(np.sum(net.params[k] ** 2)) for k in ("W1", "W2"))
    assert penalty > 0.1
    data_train = net.loss(Xt, yt, loss="cross_entropy")
    assert history.train_loss[-1] == pytest.approx(data_train, rel=1e-12)
    assert history.val_loss[-1] == pytest.approx(net.loss(Xv, yv, loss="cross_entropy"),
                                                 rel=1e-12)
    assert net.loss(Xt, yt, loss="cross_entropy", l2=0.5) == pytest.approx(
        data_train + penalty, rel=1e-12)


def test_on_epoch_sees_each_epoch_and_can_stop_training():
    X, y = data.xor()
    seen = []

    def stop_after_three(epoch, history):
        seen.append((epoch, history.epochs, len(history.step_loss)))
        return epoch == 3

    net = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
    history = fit(net, X, y, loss="binary_cross_entropy", optimizer=optim.SGD(0.5),
                  epochs=10, batch_size=2, progress=False, on_epoch=stop_after_three)
    assert seen == [(1, 1, 2), (2, 2, 4), (3, 3, 6)]  # 4 rows / batches of 2 = 2 steps
    assert history.epochs == 3 and history.steps == 6


def test_step_loss_is_the_loss_each_step_minimised():
    X, y = data.moons(12, seed=2)
    net = MLP([2, 3, 2], activation="tanh", output="softmax", seed=1)
    start = {k: v.copy() for k, v in net.params.items()}
    history = fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(0.1), epochs=1,
                  batch_size=12, l2=0.1, progress=False)
    replay = MLP([2, 3, 2], activation="tanh", output="softmax", seed=1)
    replay.params = start
    order = np.random.default_rng(0).permutation(12)  # fit's shuffle for seed=0
    expected = replay.loss(X[order], y[order], loss="cross_entropy", l2=0.1)
    assert history.step_loss == [pytest.approx(expected, rel=1e-12)]


def test_divergence_carries_the_history_up_to_the_last_good_step():
    X, Y = data.sine(32, seed=0)
    net = MLP([1, 16, 16, 1], activation="tanh", seed=0)
    with pytest.raises(TrainingDiverged) as error:
        fit(net, X, Y, optimizer=optim.SGD(50.0), epochs=50, batch_size=8, progress=False)
    history = error.value.history
    step = int(re.search(r"step (\d+)", str(error.value)).group(1))
    assert len(history.step_loss) == step - 1 == len(history.grad_norms["W1"])
    assert all(np.isfinite(history.step_loss))


# -- what fit keeps on request (shuffle, snapshots, best weights, divergence) -------------
def test_shuffled_steps_follow_the_seeds_permutations():
    # By hand: each epoch draws one permutation from default_rng(seed) and slices it.
    X, y = data.moons(37, seed=1)
    a = MLP([2, 5, 3], activation="tanh", output="softmax", seed=0)
    ref = MLP([2, 5, 3], activation="tanh", output="softmax", seed=0)
    fit(a, X, y, loss="cross_entropy", optimizer=optim.SGD(0.5), epochs=3, batch_size=7,
        progress=False, seed=5)
    rng = np.random.default_rng(5)
    for _ in range(3):
        order = rng.permutation(37)
        for start in range(0, 37, 7):
            rows = order[start:start + 7]
            _, g = ref.loss_and_gradients(X[rows], y[rows], loss="cross_entropy")
            for k in ref.params:
                ref.params[k] -= 0.5 * g[k]
    for k in a.params:
        np.testing.assert_allclose(a.params[k], ref.params[k], rtol=1e-12, atol=1e-14)


def test_without_shuffle_batches_walk_the_rows_in_order():
    X, y = data.moons(10, seed=2)
    net = MLP([2, 5, 3], activation="tanh", output="softmax", seed=0)
    ref = MLP([2, 5, 3], activation="tanh", output="softmax", seed=0)
    hist = fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(0.3), epochs=1,
               batch_size=4, progress=False, shuffle=False)
    expected = []
    for rows in (slice(0, 4), slice(4, 8), slice(8, 10)):
        value, grads = ref.loss_and_gradients(X[rows], y[rows], loss="cross_entropy")
        for k in ref.params:
            ref.params[k] -= 0.3 * grads[k]
        expected.append(value)
    np.testing.assert_allclose(hist.step_loss, expected, rtol=1e-12)
    np.testing.assert_allclose(net.params["W1"], ref.params["W1"], rtol=1e-12)


def test_snapshots_copy_the_parameters_at_0_every_kth_and_the_last_epoch():
    X, y = data.moons(40, seed=3)
    net = MLP([2, 4, 2], activation="tanh", output="softmax", seed=0)
    start = {k: v.copy() for k, v in net.params.items()}
    seen = {}

    def record(epoch, history):
        seen[epoch] = {k: v.copy() for k, v in net.params.items()}

    hist = fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(0.5), epochs=7,
               batch_size=16, progress=False, snapshot_every=3, on_epoch=record)
    assert sorted(hist.snapshots) == [0, 3, 6, 7]
    for k in start:
        np.testing.assert_array_equal(hist.snapshots[0][k], start[k])
        for e in (3, 6, 7):
            np.testing.assert_array_equal(hist.snapshots[e][k], seen[e][k])
    assert hist.snapshots[7]["W1"] is not net.params["W1"]
    again = History.from_dict(hist.to_dict())
    np.testing.assert_array_equal(again.snapshots[3]["W1"], hist.snapshots[3]["W1"])
    with pytest.raises(ValueError, match="snapshot_every"):
        fit(net, X, y, epochs=1, progress=False, snapshot_every=0)


def test_keep_best_keeps_the_weights_of_the_lowest_validation_loss():
    X, y = data.moons(40, seed=4)
    Xv, yv = data.moons(40, seed=5)
    net = MLP([2, 16, 2], activation="relu", output="softmax", seed=0)
    hist = fit(net, X, y, loss="cross_entropy", optimizer=optim.Adam(0.1), epochs=30,
               batch_size=40, val=(Xv, yv), progress=False, keep_best=True)
    assert hist.best_epoch == int(np.argmin(hist.val_loss)) + 1
    best = MLP([2, 16, 2], activation="relu", output="softmax", seed=0)
    best.params = {k: v.copy() for k, v in hist.best_params.items()}
    assert best.loss(Xv, yv, loss="cross_entropy") == pytest.approx(min(hist.val_loss))
    # Without val the training loss is watched.
    plain = fit(MLP([2, 4, 2], output="softmax", seed=0), X, y, loss="cross_entropy",
                epochs=3, progress=False, keep_best=True)
    assert plain.best_epoch == int(np.argmin(plain.train_loss)) + 1


def test_stop_on_divergence_returns_what_the_error_would_carry():
    X, Y = data.sine(30, seed=0)

    def run(**kwargs):
        net = MLP([1, 8, 1], activation="relu", init="he", seed=0)
        return fit(net, 100 * X, 100 * Y, "mse", optim.SGD(50.0), epochs=40, batch_size=5,
                   progress=False, **kwargs)

    with pytest.raises(TrainingDiverged) as err:
        run()
    hist = run(stop_on_divergence=True)
    assert hist.diverged == str(err.value) and hist.epochs < 40
    assert hist.step_loss == err.value.history.step_loss
    assert hist.steps == len(hist.step_loss) + 1  # the failing step is counted
    assert "diverged" in repr(hist) or hist.epochs == 0
