"""2-D loss surfaces and optimiser paths: gradients against finite differences, the first
steps of each optimiser against steps worked out by hand, divergence, labels and plots."""


import numpy as np
import pytest
from strict_warnings import no_warnings

from bpcourse.lessons import weight_update as L
from bpcourse.optim import SGD, Adam, Momentum, RMSprop

ALL_SURFACES = [*L.SURFACES.values(), L.Quadratic(a=3.0, b=0.5, angle=-70.0),
                L.Rosenbrock(c=100.0), L.DoubleWell(c=4.0)]


def numeric_grad(surface, theta, h=1e-6):
    """Central differences, one coordinate at a time."""
    g = np.zeros(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        g[i] = (surface.value(theta + e) - surface.value(theta - e)) / (2 * h)
    return g


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=repr)
def test_gradient_matches_finite_differences(surface):
    rng = np.random.default_rng(1)
    for _ in range(20):
        theta = np.array([rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)])
        num = numeric_grad(surface, theta)
        assert np.allclose(surface.gradient(theta), num, rtol=1e-5, atol=1e-5), theta


@pytest.mark.parametrize("surface", ALL_SURFACES, ids=repr)
def test_minima_are_stationary_and_lowest(surface):
    rng = np.random.default_rng(2)
    for m in surface.minima:
        assert np.allclose(surface.gradient(np.array(m)), 0.0, atol=1e-12)
    x = rng.uniform(*surface.xlim, 500)
    y = rng.uniform(*surface.ylim, 500)
    assert np.all(surface.f(x, y) >= surface.f_min - 1e-12)


def test_surface_values_by_hand():
    assert L.Quadratic(a=1, b=10).value([2.0, 1.0]) == pytest.approx(0.5 * (4 + 10))
    # Turned by 90°: u = θ2, w = -θ1, so the curvatures swap axes.
    assert L.Quadratic(a=1, b=10, angle=90).value([2.0, 1.0]) == pytest.approx(0.5 * (1 + 40))
    assert L.Rosenbrock(c=10).value([0.0, 1.0]) == pytest.approx(1 + 10)
    assert L.DoubleWell().value([0.0, 0.0]) == pytest.approx(0.25)


def test_double_well_has_a_saddle_between_its_minima():
    s = L.DoubleWell()
    assert s.saddle == (0.0, 0.0)
    assert np.allclose(s.gradient(np.array(s.saddle)), 0.0)
    # Second differences: down along θ1, up along θ2.
    h = 1e-4
    d11 = (s.value([h, 0]) - 2 * s.value([0, 0]) + s.value([-h, 0])) / h ** 2
    d22 = (s.value([0, h]) - 2 * s.value([0, 0]) + s.value([0, -h])) / h ** 2
    assert d11 == pytest.approx(-1.0, rel=1e-3)
    assert d22 == pytest.approx(1.0, rel=1e-3)
    assert s.value([0, 0]) > s.f_min


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="curvatures"):
        L.Quadratic(a=0.0)
    with pytest.raises(ValueError, match="unknown surface"):
        L.get_surface("volcano")
    with pytest.raises(ValueError, match="unknown optimiser"):
        L.run("bowl", "Lion", 0.1)
    with pytest.raises(ValueError, match="start must be a point"):
        L.trajectory(L.Quadratic(), SGD(0.1), start=[1.0, 2.0, 3.0], steps=2)


# -- first steps worked out by hand ----------------------------------------------------------
# Bowl L = ½(θ1² + 10 θ2²) from θ0 = (-4, 1.5): the gradient is (θ1, 10 θ2).
BOWL = L.Quadratic(a=1.0, b=10.0)
START = (-4.0, 1.5)


def test_sgd_two_steps_by_hand():
    path = L.trajectory(BOWL, SGD(0.1), START, steps=2)
    # g0 = (-4, 15): θ1 = (-4 + 0.4, 1.5 - 1.5) = (-3.6, 0)
    # g1 = (-3.6, 0): θ2 = (-3.6 + 0.36, 0) = (-3.24, 0)
    assert path.shape == (3, 2)
    assert np.allclose(path, [[-4.0, 1.5], [-3.6, 0.0], [-3.24, 0.0]])


def test_momentum_two_steps_by_hand():
    opt = Momentum(0.05, beta=0.9)
    path = L.trajectory(BOWL, opt, START, steps=2)
    # v1 = g0 = (-4, 15): θ1 = (-4 + 0.2, 1.5 - 0.75) = (-3.8, 0.75)
    # g1 = (-3.8, 7.5): v2 = 0.9 (-4, 15) + g1 = (-7.4, 21): θ2 = (-3.8 + 0.37, 0.75 - 1.05)
    assert np.allclose(path, [[-4.0, 1.5], [-3.8, 0.75], [-3.43, -0.3]])
    assert np.allclose(opt.state["v"]["theta"], [-7.4, 21.0])
    assert opt.t == 2


def test_rmsprop_first_step_is_ten_learning_rates():
    # s = 0.01 g², so g/√s = 10·sign(g): without bias correction the first step is 10η.
    path = L.trajectory(BOWL, RMSprop(0.01, rho=0.99, eps=0.0), START, steps=1)
    assert np.allclose(path[1], [-4.0 + 0.1, 1.5 - 0.1])


def test_adam_first_step_has_size_lr_per_coordinate():
    # m̂ = g and v̂ = g² at t = 1, so the step is -η·sign(g) whatever |g| is.
    path = L.trajectory(BOWL, Adam(0.2, eps=0.0), START, steps=1)
    assert np.allclose(path[1], [-4.0 + 0.2, 1.5 - 0.2])


def test_start_defaults_to_the_surface_start_and_is_not_modified():
    start = np.array(START)
    path = L.trajectory(BOWL, SGD(0.1), start, steps=3)
    assert np.array_equal(start, START)
    assert np.array_equal(L.trajectory(BOWL, SGD(0.1), None, 3), path)


# -- divergence ---------------------------------------------------------------------------
def test_divergence_stops_cleanly_at_the_blowup_threshold():
    # η = 0.3: θ2 is multiplied by 1 - 3 = -2 each step, so L ≈ 5·(1.5·2^k)² = 11.25·4^k,
    # 737,280 at k = 8 (kept) and about 2.9 million at k = 9 (over 1e6: stop).
    with no_warnings():
        path = L.trajectory(BOWL, SGD(0.3), START, steps=20, blowup=1e6)
    assert path.shape == (21, 2)
    assert L.diverged(path)
    assert len(L.finite_part(path)) == 9
    assert np.isnan(path[9:]).all()
    assert np.allclose(L.finite_part(path)[-1, 1], 1.5 * (-2.0) ** 8)


def test_overflow_gives_no_warnings():
    with no_warnings():
        # With no blow-up limit the run goes on until θ³ overflows to inf.
        path = L.trajectory(L.Rosenbrock(c=100.0), SGD(10.0), steps=50, blowup=np.inf)
    assert L.diverged(path)
    assert np.isfinite(L.finite_part(path)).all()


def test_converging_run_is_not_marked_diverged():
    path = L.trajectory(BOWL, SGD(0.1), START, steps=40)
    assert not L.diverged(path)
    assert len(L.finite_part(path)) == 41
    # After the first step θ2 = 0 and θ1 = -3.6 shrinks by 0.9 per step.
    assert np.allclose(path[-1], [-3.6 * 0.9 ** 39, 0.0])


# -- what a learning rate does --------------------------------------------------------------
@pytest.mark.parametrize("lr, label", [
    (0.01, "crawls"),      # factors 0.99 and 0.9: after 30 steps the loss has not shrunk 100×
    (0.1, "converges"),    # θ2 is gone after one step, θ1 shrinks by 0.9 a step
    (0.19, "oscillates"),  # θ2 flips sign every step (factor -0.9)
    (0.21, "diverged"),    # factor -1.1: slowly growing, ends above the starting loss
    (0.3, "diverged"),     # factor -2: blows up
])
def test_classify_run_on_the_bowl(lr, label):
    path, _ = L.run(BOWL, "SGD", lr, START, steps=30)
    assert L.classify_run(BOWL, path) == label


def test_compare_optimizers_uses_the_real_optimisers_and_keeps_their_state():
    runs = L.compare_optimizers("ravine", steps=25, lrs={"Adam": 0.05})
    assert list(runs) == ["SGD", "Momentum", "RMSprop", "Adam"]
    states = {name: set(opt.state) for name, (_, opt) in runs.items()}
    assert states == {"SGD": set(), "Momentum": {"v"}, "RMSprop": {"s"}, "Adam": {"m", "v"}}
    assert all(opt.t == 25 for _, opt in runs.values())
    assert runs["Adam"][1].lr == 0.05
    assert runs["SGD"][1].lr == L.SURFACES["ravine"].lrs["SGD"]
    # The optimiser's state is the one the path produced: replaying SGD by hand agrees.
    theta = np.array(L.SURFACES["ravine"].start)
    lr = runs["SGD"][1].lr
    for _ in range(25):
        theta = theta - lr * np.array([1.0, 100.0]) * theta
    assert np.allclose(runs["SGD"][0][-1], theta)


def test_the_stories_the_notebook_tells():
    # Ravine: momentum beats SGD; saddle: Adam escapes while SGD lingers; banana: Adam
    # reaches the far end of the valley that SGD is still crawling along.
    ravine = L.compare_optimizers("ravine", steps=60)
    gap = {n: L.losses(L.SURFACES["ravine"], p)[-1] for n, (p, _) in ravine.items()}
    assert gap["Momentum"] < gap["SGD"] / 5
    saddle = L.SURFACES["saddle"]
    runs = L.compare_optimizers(saddle, steps=60)
    assert abs(runs["SGD"][0][-1, 0]) < 0.5 < abs(runs["Adam"][0][-1, 0])
    banana = L.compare_optimizers("banana", steps=100)
    assert L.classify_run(L.SURFACES["banana"], banana["SGD"][0]) == "crawls"
    assert np.linalg.norm(banana["Adam"][0][-1] - [1, 1]) < 0.2


# -- drawing -----------------------------------------------------------------------------
@pytest.fixture
def plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield plt
    plt.close("all")


@pytest.mark.parametrize("name", list(L.SURFACES))
def test_plot_surface_draws_every_surface(plt, name):
    runs = L.compare_optimizers(name, steps=10)
    ax = L.plot_surface(name, trajectories={n: p for n, (p, _) in runs.items()})
    ax.figure.canvas.draw()  # renders the LaTeX title, which fails on unknown commands
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["SGD", "Momentum", "RMSprop", "Adam"]
    assert ax.get_xlim() == L.SURFACES[name].xlim


def test_plot_marks_a_diverged_path(plt):
    bad = L.trajectory(BOWL, SGD(0.3), START, steps=20)
    ax = L.plot_surface(BOWL, trajectories={"too big": bad})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["too big (diverged)"]
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert len(crosses) == 1
    assert np.allclose(crosses[0].get_xydata()[0], L.finite_part(bad)[-1])


def test_plots_make_their_own_figure_or_draw_into_the_given_axes(plt):
    path = L.trajectory(BOWL, SGD(0.1), START, steps=5)
    assert tuple(L.plot_surface(BOWL).figure.get_size_inches()) == (6.0, 4.5)
    own = L.plot_losses(BOWL, {"p": path})
    assert tuple(own.figure.get_size_inches()) == (5.0, 3.5)
    assert own.get_yscale() == "log" and len(own.get_lines()) == 1
    fig, (left, right) = plt.subplots(1, 2)
    assert L.plot_surface(BOWL, ax=left) is left
    assert L.plot_losses(BOWL, {"p": path}, ax=right) is right
    assert len(plt.get_fignums()) == 3 and len(right.get_lines()) == 1


def test_learning_rate_demo_labels_the_plot(plt):
    fig, axes = plt.subplots(1, 2)
    label = L.learning_rate_demo("bowl", 0.3, steps=20, axes=axes)
    assert label == "diverged"
    assert axes[0].get_title() == "η = 0.3: diverged"
    assert axes[0].title.get_color() == "red"
    assert L.learning_rate_demo("bowl", 0.1, steps=30, axes=axes) == "converges"


def test_optimizer_demo_returns_runs_and_draws_four_paths(plt):
    fig, axes = plt.subplots(1, 2)
    runs = L.optimizer_demo("saddle", steps=15, lrs={"SGD": 0.2}, axes=axes)
    assert runs["SGD"][1].lr == 0.2
    assert len(axes[1].get_lines()) == 4
    fig.canvas.draw()




def test_latex_titles_leave_out_unit_coefficients():
    assert L.Quadratic(a=1, b=10).latex == r"L = \frac{1}{2}\,(\theta_1^2 + 10\,\theta_2^2)"
    assert r"2.5\,u^2" in L.Quadratic(a=2.5, b=1, angle=10).latex


# -- the live widgets ----------------------------------------------------------------------
def test_learning_rate_explorer_redraws_once_per_move_on_kept_contours():
    box = L.learning_rate_explorer("bowl")
    contours = [c for c in box.axes[0].collections]
    box.controls["eta"].value = 0.1
    assert box.redraws == 2
    assert box.axes[0].get_title().startswith("η = 0.1: ")
    # The contours are the backdrop: the same artists, not drawn again.
    assert [c for c in box.axes[0].collections] == contours
    assert box.frames_kept == 1
    assert box.axes[1].get_xlim() == (0.0, 30.0)
    box.controls["steps"].value = 50
    assert box.axes[1].get_xlim() == (0.0, 50.0)
    assert len(box.axes[0].get_legend().get_texts()) == 1


def test_optimizer_explorer_menu_loads_rates_and_new_contours_in_one_redraw():
    box = L.optimizer_explorer("ravine")
    box.controls["surface"].value = "bowl"
    assert box.redraws == 2
    assert box.controls["Adam"].value == L.SURFACES["bowl"].lrs["Adam"]
    assert box.axes[0].get_xlim() == L.get_surface("bowl").xlim
    labels = [t.get_text() for t in box.axes[0].get_legend().get_texts()]
    assert [label.split()[0] for label in labels] == list(L.OPTIMIZERS)
    assert L.loss_window("bowl", 60) == ((0.0, 60.0), box.axes[1].get_ylim())
