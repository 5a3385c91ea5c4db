"""bpcourse.runs: Settings, train_run (fit's loop step for step, keeping what it claims),
the cache and draw_run."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bpcourse import TrainingDiverged, fit
from bpcourse.lessons import putting_it_together as capstone
from bpcourse.runs import (
    Settings,
    cached_run,
    changed_settings,
    draw_run,
    grad_norm_series,
    train_run,
)

TRAIN, VAL = capstone.spiral_split()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_settings_are_hashable_and_checked():
    s = Settings(hidden=[16, 8])
    assert s.hidden == (16, 8)
    assert hash(s) == hash(Settings(hidden=(16, 8)))
    assert s.sizes(2, 4) == [2, 16, 8, 4]
    assert s.replace(lr=0.5).lr == 0.5 and s.lr == 0.01
    net = s.make_net(2, 4)
    assert net.sizes == [2, 16, 8, 4] and net.output == "softmax"
    np.testing.assert_array_equal(net.params["W1"], s.make_net(2, 4).params["W1"])
    assert Settings.from_dict(s.to_dict()) == s
    for bad, words in [({"hidden": ()}, "at least one"), ({"optimizer": "Adagrad"}, "Adam"),
                       ({"lr": 0}, "> 0"), ({"epochs": 0}, ">= 1"), ({"l2": -1.0}, "l2"),
                       ({"output": "tanh"}, "softmax"), ({"dropout": 1.0}, "dropout"),
                       ({"clip_norm": 0.0}, "clip_norm"), ({"batch_size": 0}, "batch_size")]:
        with pytest.raises(ValueError, match=words):
            Settings(**bad)


def test_train_run_takes_exactly_fits_steps():
    s = Settings(hidden=(8, 8), l2=1e-3, epochs=4, batch_size=64)
    run = train_run(s, TRAIN, VAL, snapshot_every=1)
    net = s.make_net(2, 4)
    hist = fit(net, *TRAIN, loss="cross_entropy", optimizer=s.make_optimizer(), epochs=4,
               batch_size=64, l2=1e-3, val=VAL, progress=False)
    for k in net.params:
        np.testing.assert_array_equal(run.net.params[k], net.params[k])
    for k in hist.grad_norms:
        np.testing.assert_allclose(run.history.grad_norms[k], hist.grad_norms[k], rtol=1e-12)
    # both record the data loss, without the penalty
    np.testing.assert_allclose(run.history.train_loss, hist.train_loss, rtol=1e-12)
    np.testing.assert_allclose(run.history.val_loss, hist.val_loss, rtol=1e-12)
    assert run.history.val_acc == hist.val_acc
    assert run.history.steps == hist.steps == 4 * 5 == len(run.step_loss)
    assert run.steps_per_epoch == 5


def test_step_loss_is_the_penalised_loss_of_each_batch():
    s = Settings(hidden=(8,), epochs=1, batch_size=50, l2=0.1)
    run = train_run(s, TRAIN, VAL)
    # The first batch: the first 50 rows of the seed's first permutation, at the start.
    rows = np.random.default_rng(s.seed).permutation(len(TRAIN[0]))[:50]
    net = s.make_net(2, 4)
    data_loss = net.loss(TRAIN[0][rows], TRAIN[1][rows], loss="cross_entropy")
    penalty = 0.5 * 0.1 * sum(float(np.sum(net.params[f"W{l}"] ** 2)) for l in (1, 2))
    assert run.step_loss[0] == pytest.approx(data_loss + penalty, rel=1e-12)
    assert len(run.step_loss) == 6                       # ceil(300 / 50)


def test_history_holds_data_loss_and_accuracy_of_the_final_net():
    s = Settings(hidden=(8,), epochs=3, l2=0.1)
    run = train_run(s, TRAIN, VAL)
    net = run.net
    assert run.history.val_loss[-1] == pytest.approx(net.loss(*VAL, loss="cross_entropy"))
    assert run.history.train_acc[-1] == pytest.approx(np.mean(net.predict(TRAIN[0]) ==
                                                              TRAIN[1]))
    assert run.snapshots == {} and run.diverged is None
    assert "3 epochs: train acc" in run.summary()


def test_snapshots_and_net_at():
    s = Settings(hidden=(4,), epochs=7)
    run = train_run(s, TRAIN, VAL, snapshot_every=3)
    assert sorted(run.snapshots) == [0, 3, 6, 7]
    fresh = s.make_net(2, 4)
    for k in fresh.params:
        np.testing.assert_array_equal(run.snapshots[0][k], fresh.params[k])
        np.testing.assert_array_equal(run.snapshots[7][k], run.net.params[k])
        np.testing.assert_array_equal(run.net_at(5).params[k], run.snapshots[3][k])
    assert not run.net_at(0).training
    # the snapshots are copies: training on did not change epoch 3's weights
    assert not np.array_equal(run.snapshots[3]["W1"], run.snapshots[6]["W1"])
    no_snaps = train_run(s.replace(epochs=1), TRAIN, VAL)
    with pytest.raises(ValueError, match="no snapshot"):
        no_snaps.net_at(1)


def test_a_diverging_run_keeps_everything_up_to_the_bad_step():
    s, _ = capstone.CLINIC["B"]
    run = train_run(s, TRAIN, VAL)
    assert run.diverged is not None and "training diverged at step" in run.diverged
    assert run.history.steps == len(run.step_loss) + 1          # the failing step
    assert all(len(v) == len(run.step_loss) for v in run.history.grad_norms.values())
    assert run.history.epochs < s.epochs
    assert "diverged after" in run.summary()
    # fit, given the same settings, stops at the same step with the same message
    with pytest.raises(TrainingDiverged) as err:
        fit(s.make_net(2, 4), *TRAIN, loss="cross_entropy", optimizer=s.make_optimizer(),
            epochs=s.epochs, batch_size=s.batch_size, progress=False)
    assert str(err.value) == run.diverged


def test_cached_run_remembers_by_settings():
    s = Settings(hidden=(4,), epochs=2)
    assert cached_run(s, TRAIN, VAL) is cached_run(Settings(hidden=[4], epochs=2), TRAIN, VAL)
    assert cached_run(s, TRAIN, VAL) is not cached_run(s.replace(seed=1), TRAIN, VAL)
    # Equal data in new arrays is the same data; other data, or keeping more, is not.
    assert cached_run(s, (TRAIN[0].copy(), TRAIN[1].copy()), VAL) is cached_run(s, TRAIN, VAL)
    assert cached_run(s, (TRAIN[0][:-1], TRAIN[1][:-1]), VAL) is not cached_run(s, TRAIN, VAL)
    assert cached_run(s, TRAIN, VAL, keep_best=True) is not cached_run(s, TRAIN, VAL)
    assert capstone.spiral_run(s) is cached_run(s, TRAIN, VAL)


def test_draw_run_leaves_the_net_alone():
    run = train_run(Settings(hidden=(4,), epochs=3), TRAIN, VAL,
                             snapshot_every=1)
    before = {k: v.copy() for k, v in run.net.params.items()}
    axes = draw_run(run, *TRAIN, epoch=2, resolution=20)
    assert len(axes) == 3
    assert len(axes[1].lines) == 4                  # batch loss, train, val, epoch marker
    assert [line.get_label() for line in axes[2].lines] == ["W1", "W2"]
    for k in before:
        np.testing.assert_array_equal(run.net.params[k], before[k])


def test_grad_norm_series_per_step_or_per_epoch():
    short = train_run(Settings(hidden=(4,), epochs=3), TRAIN, VAL)
    norms, unit = grad_norm_series(short)
    assert unit == "step" and len(norms["W1"]) == 30
    long = train_run(Settings(hidden=(4,), epochs=13), TRAIN, VAL)
    norms, unit = grad_norm_series(long)
    assert unit == "epoch" and len(norms["W2"]) == 13
    per_step = np.array(long.history.grad_norms["W2"])
    assert norms["W2"][4] == pytest.approx(per_step[40:50].mean())
    diverged = capstone.clinic_run("B")
    norms, unit = grad_norm_series(diverged)
    raw = np.array(diverged.history.grad_norms["W1"])
    assert unit == "step" and np.isinf(raw).any()
    assert np.isnan(norms["W1"][np.isinf(raw)]).all()
    assert np.array_equal(norms["W1"][np.isfinite(raw)], raw[np.isfinite(raw)])


def test_changed_settings():
    assert changed_settings(capstone.CLINIC["B"][0], capstone.CLINIC_BASE) == {"lr": 3.0}
    assert changed_settings(capstone.CLINIC_BASE, capstone.CLINIC_BASE) == {}


def test_init_auto_is_the_nets_rule_and_full_batch_is_one_step_per_epoch():
    s = Settings(hidden=(4,), activation="tanh", epochs=3, batch_size=None)
    run = train_run(s, TRAIN, VAL)
    assert s.init == "auto" and run.net.init == "xavier"
    assert run.history.steps == 3 and run.steps_per_epoch == 1
    assert train_run(s.replace(activation="leaky_relu"), TRAIN, VAL).net.init == "he"


def test_a_regression_run_has_one_output_per_target_column_and_no_accuracy():
    X = np.linspace(-1, 1, 40)[:, None]
    run = train_run(Settings(hidden=(4,), output="identity", optimizer="SGD", lr=0.1,
                             epochs=2, batch_size=10), (X, np.hstack([X, X ** 2])))
    assert run.net.sizes == [1, 4, 2] and run.settings.loss == "mse"
    assert "train loss" in run.summary() and run.history.train_acc == [None, None]


def test_best_net_needs_keep_best_and_best_epoch_needs_val():
    s = Settings(hidden=(4,), epochs=4)
    with pytest.raises(ValueError, match="keep_best"):
        train_run(s, TRAIN, VAL).best_net()
    with pytest.raises(ValueError, match="validation"):
        _ = train_run(s, TRAIN).best_epoch
    kept = train_run(s, TRAIN, VAL, keep_best=True)
    assert kept.best_epoch == int(np.argmin(kept.history.val_loss)) + 1
    assert np.isclose(kept.best_net().loss(*VAL, loss="cross_entropy"),
                      min(kept.history.val_loss))


def test_draw_run_refuses_unknown_panels_and_regions_without_points():
    run = cached_run(Settings(hidden=(4,), epochs=2), TRAIN, VAL)
    with pytest.raises(ValueError, match="unknown panels"):
        draw_run(run, *TRAIN, panels=("regions", "accuracy"))
    with pytest.raises(ValueError, match="X, y"):
        draw_run(run, panels=("regions",))
    axes = draw_run(run, panels=("loss", "weights"))
    assert axes[1].get_yscale() == "log" and len(axes) == 2
