"""bpcourse.lessons.epochs_and_batches: epoch arithmetic, the plain loop, gradient noise and
its pictures.

The arithmetic is checked against what ``data.minibatches`` really yields, the loop against
``fit``, per-example gradients against the closed form of a linear model, and the noise
formula against an exhaustive average over every possible batch.
"""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from strict_warnings import no_warnings  # noqa: E402

from bpcourse import MLP, data, fit, optim  # noqa: E402
from bpcourse.lessons import epochs_and_batches as batching  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def small_net(seed=0):
    return MLP([2, 5, 3], activation="tanh", output="softmax", seed=seed)


def linear_problem(n=12, seed=0):
    """A linear model y = x W + b with MSE, and data it does not fit exactly."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 3))
    Y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.5 * rng.standard_normal((n, 1))
    net = MLP([3, 1], output="identity", seed=seed)
    net.params["b1"][:] = -0.2
    return net, X, Y


def linear_per_example(net, X, Y):
    """Closed form: g_n = (e_n x_n, e_n) with e_n = x_n W + b - y_n, laid out W1 then b1."""
    e = X @ net.params["W1"] + net.params["b1"] - Y  # (N, 1)
    return np.hstack([e * X, e])


# -- arithmetic ----------------------------------------------------------------------------
def test_steps_per_epoch_hand_cases():
    assert batching.steps_per_epoch(1000, 64) == 16
    assert batching.steps_per_epoch(1000, 64, drop_last=True) == 15
    assert batching.steps_per_epoch(10, 5) == 2
    assert batching.steps_per_epoch(10, 11) == 1
    assert batching.steps_per_epoch(1, 1) == 1
    assert batching.total_steps(1000, 64, 3) == 48
    assert batching.total_steps(1000, 64, 3, drop_last=True) == 45
    assert batching.batch_sizes(10, 4) == [4, 4, 2]
    assert batching.batch_sizes(10, 4, drop_last=True) == [4, 4]
    assert batching.batch_sizes(8, 4) == [4, 4]


@pytest.mark.parametrize("call", [
    lambda: batching.steps_per_epoch(0, 4),
    lambda: batching.steps_per_epoch(10, 0),
    lambda: batching.steps_per_epoch(3, 4, drop_last=True),
    lambda: batching.total_steps(10, 2, -1),
])
def test_arithmetic_refuses_impossible_sizes(call):
    with pytest.raises(ValueError):
        call()


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), b=st.integers(1, 70))
def test_arithmetic_matches_what_minibatches_yields(n, b):
    X, Y = np.arange(n)[:, None], np.arange(n)
    batches = list(data.minibatches(X, Y, b, rng=np.random.default_rng(0)))
    assert batching.steps_per_epoch(n, b) == len(batches)
    assert batching.batch_sizes(n, b) == [len(Yb) for _, Yb in batches]
    assert sum(batching.batch_sizes(n, b)) == n
    # every row exactly once per epoch
    assert sorted(np.concatenate([Yb for _, Yb in batches]).tolist()) == list(range(n))


# -- runs to compare ------------------------------------------------------------------------
def test_training_runs_are_nets_settings_trained_per_batch_size():
    X, y = data.moons(24, seed=0)
    settings = batching.NET.replace(hidden=(5,), epochs=2)
    runs = batching.training_runs(X, y, 0.2, [3, 24], settings)
    assert list(runs) == [3, 24]
    assert [h.steps for h in runs.values()] == [16, 2]
    net = settings.make_net(2, 2)
    alone = fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(0.2), epochs=2,
                batch_size=3, progress=False)
    np.testing.assert_allclose(runs[3].train_loss, alone.train_loss, rtol=1e-12)
    assert batching.training_runs(X, y, 0.2, [3], settings)[3] is runs[3]  # cached


def test_a_diverging_training_run_stops_quietly():
    X, Y = data.sine(30, seed=0)
    settings = batching.NET.replace(hidden=(8,), output="identity", epochs=40)
    runs = batching.training_runs(100 * X, 100 * Y, 50.0, [5], settings)
    assert runs[5].diverged and runs[5].epochs < 40


def test_compare_batch_sizes_counts_steps_and_epochs():
    X, y = data.moons(30, seed=0)
    runs = batching.compare_batch_sizes(small_net, X, y, {1: 1, 4: 2, 30: 3}, lr=0.1,
                                        loss="cross_entropy")
    assert list(runs) == [1, 4, 30]
    for B, E in {1: 1, 4: 2, 30: 3}.items():
        assert runs[B].epochs == E
        assert runs[B].steps == batching.total_steps(30, B, E)
        assert len(runs[B].epoch_seconds) == E


def test_seconds_per_epoch_b1_is_slower_than_full_batch():
    X, y = data.moons(200, seed=0)
    t = batching.seconds_per_epoch(small_net, X, y, [1, 200], loss="cross_entropy",
                                   repeats=2)
    assert set(t) == {1, 200} and all(v > 0 for v in t.values())
    # 200 backward passes against 1: a factor far above 2 on any machine
    assert t[1] > 2 * t[200]


# -- gradients as vectors ------------------------------------------------------------------
def test_flatten_keeps_order_and_values():
    v = batching.flatten({"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([5.0])})
    np.testing.assert_array_equal(v, [1, 2, 3, 4, 5])


def test_per_example_gradients_match_the_linear_closed_form():
    net, X, Y = linear_problem()
    G = batching.per_example_gradients(net, X, Y, "mse")
    np.testing.assert_allclose(G, linear_per_example(net, X, Y), rtol=1e-12, atol=1e-14)


def test_mean_of_per_example_gradients_is_the_full_gradient():
    X, y = data.moons(25, seed=4)
    net = small_net()
    G = batching.per_example_gradients(net, X, y, "cross_entropy")
    g = batching.full_gradient(net, X, y, "cross_entropy")
    assert G.shape == (25, g.size) == (25, 2 * 5 + 5 + 5 * 3 + 3)
    np.testing.assert_allclose(G.mean(axis=0), g, rtol=1e-10, atol=1e-13)


def test_minibatch_gradient_is_the_mean_of_its_rows():
    X, y = data.moons(20, seed=5)
    net = small_net()
    G = batching.per_example_gradients(net, X, y, "cross_entropy")
    batches = batching.sample_batches(20, 6, 4, np.random.default_rng(0))
    assert batches.shape == (4, 6)
    assert all(len(set(rows)) == 6 for rows in batches.tolist())
    gB = batching.minibatch_gradients(net, X, y, batches, "cross_entropy")
    np.testing.assert_allclose(gB, np.stack([G[rows].mean(axis=0) for rows in batches]),
                               rtol=1e-10, atol=1e-13)


def test_sample_batches_refuses_a_batch_larger_than_the_set():
    with pytest.raises(ValueError, match="N >= 5"):
        batching.sample_batches(4, 5, 1, np.random.default_rng(0))


# -- the noise formula ---------------------------------------------------------------------
@pytest.mark.parametrize("B", [1, 2, 3, 5, 6])
def test_expected_noise_equals_the_average_over_every_possible_batch(B):
    G = np.random.default_rng(7).standard_normal((6, 4))
    g = G.mean(axis=0)
    exact = np.mean([np.sum((G[list(s)].mean(axis=0) - g) ** 2)
                     for s in itertools.combinations(range(6), B)])
    assert batching.expected_noise(G, B) == pytest.approx(exact, rel=1e-12, abs=1e-15)


def test_spread_and_the_ends_of_the_formula():
    G = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 3.0]])  # mean (1, 1)
    # squared distances from (1, 1): 2, 2, 4 -> mean 8/3
    assert batching.spread(G) == pytest.approx(8 / 3)
    assert batching.expected_noise(G, 1) == pytest.approx(8 / 3)
    assert batching.expected_noise(G, 3) == 0.0
    assert batching.expected_noise(G[:1], 1) == 0.0
    with pytest.raises(ValueError):
        batching.expected_noise(G, 4)


def test_gradient_noise_of_a_linear_model_matches_the_exact_formula():
    net, X, Y = linear_problem(n=40, seed=1)
    sizes = [1, 4, 10, 40]
    noise = batching.gradient_noise(net, X, Y, sizes, loss="mse", n_batches=3000, seed=0)
    G = linear_per_example(net, X, Y)
    S = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))
    for i, B in enumerate(sizes):
        assert noise.theory[i] == pytest.approx(S / B * (40 - B) / 39, rel=1e-10)
        assert noise.one_over_b[i] == pytest.approx(S / B, rel=1e-10)
    # the sampled average lands near its expectation (3000 batches: a few % of error)
    for measured, theory in zip(noise.measured[:3], noise.theory[:3], strict=True):
        assert measured == pytest.approx(theory, rel=0.1)
    assert noise.measured[-1] == pytest.approx(0.0, abs=1e-20)
    assert noise.cosine[-1] == pytest.approx(1.0)
    assert noise.cosine[0] < noise.cosine[1] < noise.cosine[2] < 1.0
    g = G.mean(axis=0)
    assert noise.full_norm2 == pytest.approx(g @ g)
    lines = noise.table().splitlines()
    assert lines[0].split() == ["B", "measured", "exact", "S/B", "cos"]
    assert len(lines) == 5
    assert lines[-1].split()[:3] == ["40", "0", "0"]  # rounding noise at B = N shown as 0
    assert float(lines[1].split()[1]) == pytest.approx(noise.measured[0], rel=1e-3)


# -- the 2-D picture -----------------------------------------------------------------------
def test_gradient_plane_finds_the_direction_of_spread():
    g = np.array([3.0, 0.0, 0.0, 0.0])
    v = np.array([0.0, 0.6, 0.8, 0.0])
    t = np.linspace(-2, 2, 9)
    G = g + np.outer(t, v) + np.outer(np.sin(7 * t), [1.0, 0, 0, 0])  # along g: removed
    axes = batching.gradient_plane(g, G)
    np.testing.assert_allclose(axes @ axes.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(axes[0], g / 3)
    np.testing.assert_allclose(axes[1], v, atol=1e-10)  # sign: largest entry positive
    with pytest.raises(ValueError, match="zero"):
        batching.gradient_plane(np.zeros(4), G)


def test_noise_cloud_projects_batch_gradients():
    X, y = data.moons(30, seed=6)
    net = small_net()
    g = batching.full_gradient(net, X, y, "cross_entropy")
    cloud = batching.noise_cloud(net, X, y, 3, "cross_entropy", n_batches=50, seed=1)
    assert cloud.points.shape == (50, 2) and cloud.batch_size == 3
    np.testing.assert_allclose(cloud.full, [np.linalg.norm(g), 0.0])
    batches = batching.sample_batches(30, 3, 50, np.random.default_rng(1))
    gB = batching.minibatch_gradients(net, X, y, batches, "cross_entropy")
    axes = batching.gradient_plane(g, batching.per_example_gradients(net, X, y,
                                                                     "cross_entropy"))
    np.testing.assert_allclose(cloud.points, gB @ axes.T, rtol=1e-10, atol=1e-12)
    assert cloud.wrong_way == pytest.approx(np.mean(gB @ g < 0))
    assert cloud.msd == pytest.approx(np.mean(np.sum((gB - g) ** 2, axis=1)))
    whole = batching.noise_cloud(net, X, y, 30, "cross_entropy", n_batches=5, axes=axes)
    np.testing.assert_allclose(whole.points, np.tile(whole.full, (5, 1)), atol=1e-10)
    assert whole.wrong_way == 0.0


# -- drawing -------------------------------------------------------------------------------
def test_draw_noise_cloud_and_noise_vs_batch():
    X, y = data.moons(30, seed=6)
    net = small_net()
    cloud = batching.noise_cloud(net, X, y, 2, "cross_entropy", n_batches=40)
    ax = batching.draw_noise_cloud(cloud, lim=5.0)
    assert len(ax.collections[0].get_offsets()) == 40
    assert ax.get_xlim() == (-5.0, 5.0)
    assert f"{100 * cloud.wrong_way:.0f}% point uphill" in ax.get_title()
    noise = batching.gradient_noise(net, X, y, [1, 5, 30], "cross_entropy", n_batches=20)
    ax = batching.draw_noise_vs_batch(noise, mark=5)
    xs = [list(line.get_xdata()) for line in ax.get_lines()]
    assert xs[0] == [1, 5, 30]          # the S/B line covers every B
    assert xs[1] == xs[2] == [1, 5]     # B = N has zero noise: left off the log axis
    assert xs[3] == [5]                 # the marked batch size


def test_draw_curves_marks_a_diverged_run():
    from bpcourse.train import History
    ok = History(train_loss=[1.0, 0.5], step_loss=[1.0] * 10, steps=10)
    bad = History(train_loss=[1.0], step_loss=[1.0] * 7, steps=8, diverged="NaN")
    ax = batching.draw_curves({4: ok, 2: bad}, n=10, highlight=4)
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["B=4 (3 steps/epoch)", "B=2 (5 steps/epoch), diverged"]
    assert list(ax.get_lines()[1].get_ydata()) == [1.0]
    assert ax.get_lines()[2].get_marker() == "x"
    # Shown only up to epoch 1, the run has not blown up yet; an inf loss is not drawn.
    ax = batching.draw_curves({2: bad, 4: History(train_loss=[1.0, np.inf])}, n=10, epochs=1)
    assert [line.get_marker() for line in ax.get_lines()] == [".", "."]


def test_draw_runs_against_epochs_and_seconds():
    X, y = data.moons(20, seed=0)
    runs = batching.compare_batch_sizes(small_net, X, y, {5: 3}, lr=0.1, loss="cross_entropy")
    h = runs[5]
    ax = batching.draw_runs(runs, against="seconds", start_loss=2.0)
    x, yv = ax.get_lines()[0].get_data()
    np.testing.assert_allclose(x, np.concatenate([[0], np.cumsum(h.epoch_seconds)]))
    assert list(yv) == [2.0] + h.train_loss
    ax = batching.draw_runs(runs)
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]
    with pytest.raises(ValueError, match="against"):
        batching.draw_runs(runs, against="steps")




def test_noise_cloud_from_per_example_gradients_is_the_same_cloud():
    X, y = data.moons(30, seed=6)
    net = small_net()
    G = batching.per_example_gradients(net, X, y, "cross_entropy")
    for B in (1, 4, 30):
        direct = batching.noise_cloud(net, X, y, B, "cross_entropy", n_batches=20)
        fast = batching.noise_cloud(net, X, y, B, "cross_entropy", n_batches=20, per_example=G)
        np.testing.assert_allclose(fast.points, direct.points, rtol=1e-9, atol=1e-12)
        assert fast.msd == pytest.approx(direct.msd, rel=1e-9, abs=1e-20)
        assert fast.wrong_way == direct.wrong_way


def test_the_widgets_redraw_once_per_move():
    X, y = data.moons(40, seed=0)
    net = small_net()
    sizes = [1, 2, 4, 8, 16, 40]
    noise = batching.gradient_noise(net, X, y, sizes, "cross_entropy", n_batches=10)
    G = batching.per_example_gradients(net, X, y, "cross_entropy")
    plane = batching.gradient_plane(batching.full_gradient(net, X, y, "cross_entropy"), G)
    box = batching.noise_explorer(net, X, y, sizes, noise, plane, 5.0, "cross_entropy", G)
    box.controls["B"].value = 4
    assert box.redraws == 2 and "B = 4" in box.axes[1].get_title()
    box = batching.training_explorer(X, y, (4, 40), batching.NET.replace(hidden=(4,), epochs=3))
    box.controls["epochs"].value = 2
    assert box.redraws == 2
    assert [len(line.get_xdata()) for line in box.axes.get_lines()] == [2, 2]


def test_cosine_by_hand_and_of_a_zero_vector():
    a = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0], [-2.0, 0.0]])
    with no_warnings():
        c = batching.cosine(a, np.array([3.0, 0.0]))
        assert np.allclose(c, [1.0, 1 / np.sqrt(2), 0.0, -1.0])
        assert np.allclose(batching.cosine(a, np.zeros(2)), 0.0)
