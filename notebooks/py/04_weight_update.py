# %% [markdown]
# # 04 · Weight update: gradient descent, the learning rate and optimisers
#
# Notebook 03 ended with a gradient for every parameter, $\partial L/\partial W^{(l)}$ and
# $\partial L/\partial b^{(l)}$. This notebook is about the last line of every training step:
# what to *do* with those numbers.
#
# **After this notebook you can**
#
# - explain why a step against the gradient lowers the loss, and write the update
#   $\theta \leftarrow \theta - \eta\,\nabla L$ from memory;
# - predict from the curvature of the loss which learning rates crawl, converge, oscillate or
#   diverge, and recognise each one in a plot;
# - write the updates of SGD, Momentum, RMSprop and Adam, name the state each one keeps, and say
#   when each one helps;
# - compute a Momentum step and Adam's first step by hand;
# - compare the four optimisers on a small network.
#
# Notation: $\theta$ stands for *all* the parameters (every $W^{(l)}$ and $b^{(l)}$) and
# $g = \nabla_\theta L$ for their gradient, which backpropagation computes. To *see* what an
# optimiser does we start with losses of only two parameters, $\theta = (\theta_1, \theta_2)$,
# which can be drawn as a contour map. The optimisers cannot tell the difference: they treat
# every entry of every parameter array the same way, whether there are two or two million.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from bpcourse import MLP, data, fit, optim
from bpcourse.lessons import weight_update
from bpcourse.exercises.weight_update import (
    check_adam_first_step, check_diverging_lr, check_momentum_step)
from bpcourse.plots import plot_decision_boundary

np.set_printoptions(precision=4, suppress=True)


# %% [markdown]
# ## 1. Step downhill
#
# Why does stepping *against* the gradient help? Close to a point $\theta$ the loss is almost
# linear (a first-order Taylor expansion):
#
# $$L(\theta + \Delta) \approx L(\theta) + \nabla L(\theta)^\top \Delta .$$
#
# For steps $\Delta$ of a fixed small length, the dot product $\nabla L^\top \Delta$ is most
# negative when $\Delta$ points exactly opposite to $\nabla L$: the gradient is the direction of
# steepest *ascent*, so its negative is the direction of steepest descent. Taking
# $\Delta = -\eta\,\nabla L(\theta)$ with a learning rate $\eta > 0$ gives
#
# $$L\big(\theta - \eta\,\nabla L(\theta)\big) \approx L(\theta) - \eta\,\lVert \nabla L(\theta)\rVert^2 \;\le\; L(\theta),$$
#
# a decrease unless the gradient is zero (a minimum, a maximum or a saddle point). The catch is
# the word *approximately*: the linear picture holds only near $\theta$, so $\eta$ must be small
# enough. How small is the subject of section 2. Gradient descent simply repeats the step:
#
# $$\theta_{k+1} = \theta_k - \eta\,\nabla L(\theta_k).$$
#
# Our first surface is an elongated bowl, ten times steeper along $\theta_2$ than along $\theta_1$:
#
# $$L(\theta) = \tfrac12\left(\theta_1^2 + 10\,\theta_2^2\right), \qquad \nabla L(\theta) = (\theta_1,\; 10\,\theta_2).$$
#
# Here is gradient descent on it, written out in NumPy:

# %%
def L_bowl(theta):
    return 0.5 * (theta[0] ** 2 + 10 * theta[1] ** 2)


def grad_bowl(theta):
    return np.array([theta[0], 10 * theta[1]])


eta = 0.05
theta = np.array([-4.0, 1.5])
path = [theta.copy()]
for k in range(30):
    g = grad_bowl(theta)
    theta = theta - eta * g          # the whole update: a small step against the gradient
    path.append(theta.copy())
path = np.array(path)

for k in [0, 1, 2, 3, 10, 30]:
    print(f"step {k:2d}: theta = {path[k]},  L = {L_bowl(path[k]):.4f}")

# %% [markdown]
# The package's `bpcourse.lessons.weight_update` module holds the same bowl (`weight_update.SURFACES["bowl"]`)
# and a few more surfaces. Its `trajectory` drives the *real* optimisers of `bpcourse.optim`
# over a surface, calling `optimizer.step(params, grads)` with `params = {"theta": θ}` exactly as
# the training loop calls it with a network's weights. For plain SGD it must reproduce our loop
# number for number:

# %%
bowl = weight_update.SURFACES["bowl"]
sgd_path = weight_update.trajectory(bowl, optim.SGD(eta), start=[-4.0, 1.5], steps=30)
print("largest difference from our loop:", np.abs(sgd_path - path).max())

weight_update.plot_surface(bowl, trajectories={f"gradient descent, η = {eta}": path})
plt.show()

# %% [markdown]
# The path first drops quickly down the steep $\theta_2$ wall, then slides slowly along the
# flat $\theta_1$ floor towards the minimum (the star). The update explains why: on this bowl it
# acts on each coordinate separately,
#
# $$\theta_{1,k+1} = (1 - \eta)\,\theta_{1,k}, \qquad \theta_{2,k+1} = (1 - 10\,\eta)\,\theta_{2,k},$$
#
# so with $\eta = 0.05$ each step halves $\theta_2$ but removes only 5 % of $\theta_1$. That one
# line predicts everything in the next section.
#
# ## 2. The learning rate
#
# Along a direction where the loss has curvature $c$ (here $c = 1$ along $\theta_1$ and
# $c = 10$ along $\theta_2$), every step multiplies the distance to the minimum by $1 - \eta c$:
#
# | $\eta c$ | factor $1 - \eta c$ | what the path does |
# |---|---|---|
# | near 0 | just below 1 | **crawls**: a tiny bit closer each step |
# | between 0 and 1 | between 0 and 1 | **converges** smoothly from one side |
# | exactly 1 | 0 | lands on the minimum in one step |
# | between 1 and 2 | between −1 and 0 | overshoots and flips side every step: **oscillates**, but shrinks |
# | above 2 | below −1 | every overshoot is larger than the last: **diverges** |
#
# With several directions the steepest one decides what is allowed: here $\eta < 2/10 = 0.2$.
# The flattest one decides how fast we then get there: even at the largest stable $\eta$ the
# $\theta_1$ factor is $1 - 2 \cdot 1/10 = 0.8$. The ratio of the largest to the smallest
# curvature (the *condition number*) therefore measures how hard a loss is for plain gradient
# descent. A network's loss is not a perfect bowl, but near any point it curves like one, and the
# same rule holds there: the steepest direction sets the largest usable learning rate.
#
# The factors, computed here, next to what the package's `classify_run` sees in 30 real steps:

# %%
for eta in [0.01, 0.1, 0.19, 0.21, 0.3]:
    path_eta, _ = weight_update.run(bowl, "SGD", eta, steps=30)
    f1, f2 = 1 - eta * 1, 1 - eta * 10
    label = weight_update.classify_run(bowl, path_eta)
    print(f"η = {eta:<5} factors: θ1 × {f1:+.2f}, θ2 × {f2:+.2f}  ->  {label}")

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 8))
for ax, eta in zip(axes.flat, [0.01, 0.1, 0.19, 0.21]):
    path_eta, _ = weight_update.run(bowl, "SGD", eta, steps=30)
    label = weight_update.classify_run(bowl, path_eta)
    weight_update.plot_surface(bowl, ax, {f"η = {eta}": path_eta}, title=f"η = {eta}: {label}")
fig.tight_layout()
plt.show()

# %% [markdown]
# With $\eta = 0.21$ the $\theta_2$ factor is $-1.1$: the path bounces between the walls a little
# higher each time, leaves the picture, and the loss grows without limit. When a run truly blows
# up, `trajectory` stops it cleanly (no overflow warnings) and marks it *diverged*; in a network
# the same thing shows up as a loss of `inf` or `nan`, which `fit` reports with
# `TrainingDiverged` (notebook 06).
#
# **Try it.** Drag $\eta$ and watch the label (left) and the loss (right, log scale: a straight
# line down is a constant factor per step, a line going up is divergence). Where exactly is the
# edge between oscillating and diverging? What happens at $\eta = 0.1$, where $1 - 10\eta = 0$?

# %%
# NBVAL_IGNORE_OUTPUT
weight_update.learning_rate_explorer("bowl")

# %% [markdown]
# ### Exercise 1: which learning rate diverges?
#
# A more elongated bowl, $L(\theta) = \tfrac12\left(\theta_1^2 + 40\,\theta_2^2\right)$. Which
# of these learning rates makes gradient descent diverge: A: 0.002, B: 0.03, C: 0.048, D: 0.055?
# Decide from the factors $1 - \eta c$ (no simulation needed) and put the letter in `answer`.

# %%
options = {"A": 0.002, "B": 0.03, "C": 0.048, "D": 0.055}

answer = ...   # your answer: a letter

# %%
ok = check_diverging_lr(answer, options=options, a=1.0, b=40.0)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
answer = reference("diverging_lr", globals())
help_for("diverging_lr")


# %% [markdown]
# ## 3. Beyond plain SGD: four optimisers
#
# Make the bowl ten times more elongated still: the **ravine**
# $L = \tfrac12\left(\theta_1^2 + 100\,\theta_2^2\right)$, condition number 100. Now $\eta$ must
# stay below $2/100 = 0.02$, and then $\theta_1$ shrinks by only $1 - 0.02 = 0.98$ per step: SGD
# bounces between the walls and crawls along the floor. Narrow valleys like this are common in
# network losses, because different weights influence the loss on very different scales. Each
# of the three optimisers below fixes part of the problem by keeping a little *state* per
# parameter, a memory of past gradients. (In a network, $g$ comes from a mini-batch and is a
# noisy estimate of the full gradient, the "stochastic" in SGD; on our surfaces it is exact.)
#
# **Momentum** ($\beta \approx 0.9$, $v = 0$ at the start)
#
# $$v \leftarrow \beta\, v + g, \qquad \theta \leftarrow \theta - \eta\, v .$$
#
# The velocity $v$ is a sum of past gradients in which each older one counts $\beta$ times less.
# Where successive gradients agree, as along the floor of the ravine, they pile up: a constant
# $g$ drives $v$ to $g/(1-\beta) = 10\,g$, a ten times longer step. Where they alternate in sign,
# as across the ravine, they partly cancel. Think of a heavy ball: it gathers speed downhill and
# is not thrown sideways by every bump. The price is inertia: it overshoots and swings, and with
# $\beta = 0.9$ a swing dies down by only about $\sqrt{\beta} \approx 0.95$ per step. (This
# package adds the whole $g$, not $(1-\beta)\,g$, so Momentum's long-run step is
# $\eta/(1-\beta)$: use a learning rate about ten times smaller than for SGD.)
#
# **RMSprop** ($\rho \approx 0.99$, $s = 0$ at the start; squares, roots and division element-wise)
#
# $$s \leftarrow \rho\, s + (1-\rho)\, g^2, \qquad \theta \leftarrow \theta - \eta\,\frac{g}{\sqrt{s} + \epsilon} .$$
#
# $s$ tracks the typical squared size of *each parameter's own* gradient. Dividing by $\sqrt{s}$
# makes every coordinate's step about $\eta$ long however steep that coordinate is, so the steep
# $\theta_2$ and the flat $\theta_1$ move at similar speeds: one learning rate suits both. This
# works when the steep and flat directions line up with individual parameters (the widget below
# tests what happens when they do not). A quirk: after the first step $s = 0.01\,g^2$, so
# $\sqrt{s} = 0.1\,\lvert g\rvert$ and the first steps are about $10\,\eta$ long.
#
# **Adam** ($\beta_1 = 0.9$, $\beta_2 = 0.999$, $m = v = 0$ at the start, $t = 1, 2, \dots$ counts steps)
#
# $$m \leftarrow \beta_1 m + (1-\beta_1)\, g, \qquad v \leftarrow \beta_2 v + (1-\beta_2)\, g^2,$$
#
# $$\hat m = \frac{m}{1-\beta_1^t}, \qquad \hat v = \frac{v}{1-\beta_2^t}, \qquad \theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat v} + \epsilon} .$$
#
# $m$ is an average of gradients (momentum), $v$ an average of squared gradients (RMSprop).
# Because both start at zero they are too small at first: after one step $m = 0.1\,g$ and
# $v = 0.001\,g^2$. The **bias correction** divides each by $1 - \beta^t$, which is exactly the
# total weight its average has gathered so far, so $\hat m$ and $\hat v$ are honest averages
# from the first step on (at $t = 1$, $\hat m = g$ and $\hat v = g^2$). As $t$ grows,
# $\beta^t \to 0$ and the correction fades away: quickly for $\beta_1$, slowly for $\beta_2$.
#
# | optimiser | state kept per parameter |
# |---|---|
# | SGD | none |
# | Momentum | velocity $v$ |
# | RMSprop | $s$, running mean of $g^2$ |
# | Adam | $m$ and $v$, running means of $g$ and $g^2$ (and the step count $t$) |
#
# Each rule is a few lines of NumPy. Below, every rule takes the parameters, the gradient and a
# plain dict `state` that it fills in the first time, and returns the new parameters. To check
# them, the same stream of 50 gradients goes into these functions and into the package's
# optimisers, whose `step` updates `params` in place and keeps the state in `opt.state`:

# %%
def sgd_step(theta, g, state, lr):
    return theta - lr * g


# %%
def momentum_step(theta, g, state, lr, beta=0.9):
    state["v"] = beta * state.get("v", 0.0) + g
    return theta - lr * state["v"]


# %%
def rmsprop_step(theta, g, state, lr, rho=0.99, eps=1e-8):
    state["s"] = rho * state.get("s", 0.0) + (1 - rho) * g ** 2
    return theta - lr * g / (np.sqrt(state["s"]) + eps)


# %%
def adam_step(theta, g, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    t = state["t"] = state.get("t", 0) + 1
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g ** 2
    m_hat, v_hat = state["m"] / (1 - beta1 ** t), state["v"] / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


# %%
rules = {"SGD": sgd_step, "Momentum": momentum_step, "RMSprop": rmsprop_step, "Adam": adam_step}

# One parameter array of shape (3, 2) whose two columns get gradients 100 times apart.
rng = np.random.default_rng(0)
theta0 = rng.standard_normal((3, 2))
gradients = [rng.standard_normal((3, 2)) * [1.0, 100.0] for _ in range(50)]
for name, rule in rules.items():
    theta, state = theta0.copy(), {}
    package, params = optim.OPTIMIZERS[name](0.01), {"W": theta0.copy()}
    for g in gradients:
        theta = rule(theta, g, state, lr=0.01)
        package.step(params, {"W": g})
    same = [np.allclose(theta, params["W"], rtol=1e-12, atol=1e-12)]
    same += [np.allclose(state[k], package.state[k]["W"], rtol=1e-12, atol=1e-12)
             for k in package.state]
    print(f"{name:8s} keeps {', '.join(sorted(state)) or 'nothing':8s}  "
          f"θ and state equal to optim.{name}'s after 50 steps: {all(same)}")

# %% [markdown]
# All four from the same start on the ravine, each with a learning rate that suits it:

# %%
ravine = weight_update.SURFACES["ravine"]
runs = weight_update.optimizer_demo(ravine, steps=60)
plt.show()

for name, (path_opt, opt) in runs.items():
    gap = weight_update.losses(ravine, path_opt)[-1]
    print(f"{name:8s} η = {opt.lr:<6.3g} after t = {opt.t} steps: θ = {path_opt[-1]}, "
          f"L - L_min = {gap:.3g}")
    print("         state:", opt.state)

# %% [markdown]
# How to read the state after 60 steps:
#
# - **SGD** has none: each step depends only on the current gradient.
# - **Momentum**'s velocity $v$ is still large along $\theta_2$: the ball is still swinging
#   across the ravine, which is the slow decay of its oscillation. Along $\theta_1$ it has carried
#   the ball almost the whole way, far beyond where SGD has crawled to.
# - **RMSprop**'s $s$ is about 375 times larger along $\theta_2$ than along $\theta_1$, so
#   $\theta_2$'s steps are divided by a $\sqrt{s}$ about 19 times larger: the ravine has been
#   rescaled into a round bowl, and the path goes almost straight to the minimum.
# - **Adam** ends further from the minimum than Momentum and RMSprop, and all of its gap lies
#   across the ravine: $\theta_1$ has arrived, $\theta_2$ has not. Its steps start at length
#   $\eta$ in *each* coordinate whatever the curvature (exercise 3 below shows why), so it came down the
#   steep $\theta_2$ wall as fast as it moved along the floor, overshot the bottom, and is still
#   swinging slowly across it, carried by the momentum in $m$.
#   It keeps both averages. Its $v$ is still far too small on its own: with
#   $\beta_2 = 0.999$, $1 - \beta_2^{60} \approx 0.058$, so the bias correction still multiplies
#   $v$ by about 17. Here are $\hat m$, $\hat v$ and the step Adam would take next:

# %%
adam = runs["Adam"][1]
m, v = adam.state["m"]["theta"], adam.state["v"]["theta"]
m_hat = m / (1 - adam.beta1 ** adam.t)
v_hat = v / (1 - adam.beta2 ** adam.t)
print(f"t = {adam.t}: 1 - β1^t = {1 - adam.beta1 ** adam.t:.4f}, "
      f"1 - β2^t = {1 - adam.beta2 ** adam.t:.4f}")
print("m̂ =", m_hat, "  v̂ =", v_hat)
print("next step -η m̂ / (√v̂ + ε) =", -adam.lr * m_hat / (np.sqrt(v_hat) + adam.eps))

# %% [markdown]
# ### Exercise 2: one Momentum step by hand
#
# The parameters are $\theta = (2, 1)$, the velocity so far is $v = (1, -2)$, the new gradient is
# $g = (0.5, 0.4)$, with $\beta = 0.9$ and $\eta = 0.1$. Compute the new velocity `v_new` and the
# new parameters `theta_new`.

# %%
theta = np.array([2.0, 1.0])
v = np.array([1.0, -2.0])
g = np.array([0.5, 0.4])
beta, eta = 0.9, 0.1

v_new = ...       # your answer
theta_new = ...   # your answer

# %%
ok = check_momentum_step(v_new, theta_new, theta=theta, v=v, g=g, beta=beta, lr=eta)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
v_new, theta_new = reference("momentum", globals())
help_for("momentum")

# %% [markdown]
# The package's `Momentum` keeps exactly this $v$ in its state. Load the old velocity into it and
# take one step:

# %%
momentum = optim.Momentum(eta, beta=beta)
momentum.state["v"] = {"theta": v.copy()}
params = {"theta": theta.copy()}
momentum.step(params, {"theta": g})
print("package: v =", momentum.state["v"]["theta"], "  θ =", params["theta"])

# %% [markdown]
# ### Exercise 3: Adam's first step
#
# Adam starts with $m = v = 0$. Its first gradient is $g = (0.002, -50)$: tiny along $\theta_1$,
# huge along $\theta_2$. With $\eta = 0.01$ and the default $\beta_1 = 0.9$, $\beta_2 = 0.999$,
# what is the change $\Delta\theta = \theta_1 - \theta_0$ made by the first step? ($\epsilon$ is
# too small to matter here; leave it out.)

# %%
g = np.array([0.002, -50.0])
eta, beta1, beta2 = 0.01, 0.9, 0.999

step = ...   # your answer: the change of theta on Adam's first step

# %%
ok = check_adam_first_step(step, g=g, lr=eta)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
step = reference("adam", globals())
help_for("adam")

# %% [markdown]
# Notice the size: $\lvert\Delta\theta\rvert = \eta$ in *both* coordinates, although the two
# gradients differ by a factor of 25 000. At $t = 1$, $\hat m = g$ and $\hat v = g^2$, so the
# step is $-\eta\, g/\lvert g \rvert$: only the sign of the gradient survives. Scaling the whole
# gradient up or down changes nothing, as the real optimisers confirm. RMSprop, without bias
# correction, jumps $10\,\eta$ instead (except where the gradient is so tiny, $2 \cdot 10^{-6}$,
# that its $\epsilon = 10^{-8}$ starts to count):

# %%
for scale in [1e-3, 1.0, 1e3]:
    after_adam, after_rmsprop = {"theta": np.zeros(2)}, {"theta": np.zeros(2)}
    optim.Adam(0.01).step(after_adam, {"theta": scale * g})
    optim.RMSprop(0.01).step(after_rmsprop, {"theta": scale * g})
    print(f"g × {scale:<6g} Adam's first step: {after_adam['theta']}   "
          f"RMSprop's: {after_rmsprop['theta']}")

# %% [markdown]
# So in Adam $\eta$ is roughly a *distance in parameter space* per step, whatever the scale of
# the loss: an easier number to choose than SGD's, whose meaning depends on how steep the loss
# is. It also means Adam does not slow down by itself where gradients are small, which helps on
# plateaus and near saddle points but keeps it jittering near a minimum unless $\eta$ is lowered.
#
# **Try it.** Pick a surface, the number of steps and each optimiser's learning rate (choosing a
# surface loads learning rates that suit it). The printout under the plots shows each
# optimiser's final state. Things to look for:
#
# - **ravine**: push SGD's $\eta$ past 0.02. Lower Momentum's $\eta$: do the swings stop?
# - **turned ravine**: the same ravine turned by 30°. The steep and flat directions are now
#   mixtures of $\theta_1$ and $\theta_2$, so scaling each *coordinate* separately no longer
#   separates them: RMSprop and Adam lose their edge, and Momentum gets closest.
# - **banana** (a Rosenbrock valley, minimum at (1, 1)): the floor curves. Set the steps to 100:
#   Momentum and Adam follow the bend to the end, while SGD, held back by the steep walls, and
#   RMSprop are still crawling along the floor.
# - **saddle**: two valleys with a saddle point between them at (0, 0). The start lies almost
#   exactly on the ridge above the saddle. In 60 steps SGD and Momentum slide down into the saddle
#   and stall where the gradient almost vanishes, while RMSprop and Adam blow the tiny sideways
#   gradient up to a full-sized step and escape into a valley. Give them 100 steps and SGD and
#   Momentum escape too: a saddle point costs time, it does not trap (only a start exactly on
#   the ridge would stay there for ever).

# %%
# NBVAL_IGNORE_OUTPUT
weight_update.optimizer_explorer("ravine")

# %% [markdown]
# ## 4. The same four on a network
#
# Now the roughly 350 parameters of a $[2, 16, 16, 2]$ network (tanh hidden layers, softmax
# output, cross-entropy loss) on the two-moons data. Backpropagation supplies $g$, each step
# uses a mini-batch of 16 points, and `fit` runs the loop of section 1 with
# `optimizer.step(net.params, grads)`. Every network starts from the same initial weights
# (`seed=0`) and sees the batches in the same order, so only the optimiser differs. The learning
# rates are common starting points: SGD 0.1, Momentum 0.01 (so that $\eta/(1-\beta) = 0.1$ as
# for SGD), RMSprop 0.003 and Adam 0.01.

# %%
X, y = data.moons(200, noise=0.15, seed=0)
(X_train, y_train), (X_val, y_val) = data.train_val_split(X, y, val_fraction=0.25, seed=0)

net_lrs = {"SGD": 0.1, "Momentum": 0.01, "RMSprop": 0.003, "Adam": 0.01}
nets, histories, optimizers = {}, {}, {}
for name, lr in net_lrs.items():
    net = MLP([2, 16, 16, 2], activation="tanh", output="softmax", seed=0)
    optimizers[name] = optim.OPTIMIZERS[name](lr)     # kept, to look at its state later
    histories[name] = fit(net, X_train, y_train, loss="cross_entropy",
                          optimizer=optimizers[name], epochs=40, batch_size=16,
                          val=(X_val, y_val), progress=False, seed=0)
    nets[name] = net
    h = histories[name]
    print(f"{name:8s} η = {lr:<6g} final train loss {h.train_loss[-1]:.3f}, "
          f"validation accuracy {h.val_acc[-1]:.2f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, h in histories.items():
    ax.plot(range(1, h.epochs + 1), h.train_loss, label=f"{name} (η = {net_lrs[name]:g})")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (cross-entropy)")
ax.set_title("Four optimisers, one network, same start")
ax.legend()
plt.show()

fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
for ax, (name, net) in zip(axes, nets.items()):
    plot_decision_boundary(net, X, y, ax=ax, title=name)
fig.tight_layout()
plt.show()

# %% [markdown]
# All four drop quickly to a loss of about 0.32 and then sit on a **plateau**: a nearly straight
# boundary that gets most points right. Bending the boundary around the moons needs the hidden
# units to specialise, and on the plateau the gradients that would start this are small.
# Adam's per-parameter rescaling enlarges exactly those small gradients (as at the saddle
# point above), so it leaves the plateau first; with these learning rates the others are still
# on it after 40 epochs.
#
# The optimisers' state after training shows that rescaling at work. For each parameter array,
# the table gives the mean over its entries of every state array, and the mean size of the last
# step each optimiser took ($\eta\lvert v\rvert$ for Momentum,
# $\eta\lvert\hat m\rvert/(\sqrt{\hat v} + \epsilon)$ for Adam):

# %%
mom, rms, adam = optimizers["Momentum"], optimizers["RMSprop"], optimizers["Adam"]
table = {}   # per parameter array: the mean over its entries of each quantity
for k in mom.state["v"]:
    m_hat = adam.state["m"][k] / (1 - adam.beta1 ** adam.t)
    v_hat = adam.state["v"][k] / (1 - adam.beta2 ** adam.t)
    table[k] = [np.abs(mom.state["v"][k]).mean(),              # Momentum: |v|
                np.sqrt(rms.state["s"][k]).mean(),             # RMSprop: √s
                np.abs(m_hat).mean(), np.sqrt(v_hat).mean(),   # Adam: |m̂|, √v̂
                mom.lr * np.abs(mom.state["v"][k]).mean(),     # Momentum's last step, η|v|
                (adam.lr * np.abs(m_hat) / (np.sqrt(v_hat) + adam.eps)).mean()]  # Adam's

print(f"SGD's state: {optimizers['SGD'].state}. The others after t = {adam.t} steps:")
print(f"{'':16}{'Momentum':>9}{'RMSprop':>9}{'Adam':^18}{'last step |Δθ|':>18}")
print("array  shape          |v|       √s      |m̂|       √v̂   Momentum       Adam")
for k, row in table.items():
    print(f"{k:<6} {str(nets['Adam'].params[k].shape):<9}"
          + "".join(f"{x:9.1e}" for x in row[:4]) + "".join(f"{x:11.1e}" for x in row[4:]))

quiet = min(table, key=lambda k: table[k][3])   # the smallest typical gradient, √v̂
loud = max(table, key=lambda k: table[k][3])    # the largest
print(f"\n{quiet}'s gradients are {table[loud][3] / table[quiet][3]:.0f} times smaller than "
      f"{loud}'s (√v̂). Last step in {quiet} relative to {loud}: Momentum "
      f"{table[quiet][4] / table[loud][4]:.2f}×, Adam {table[quiet][5] / table[loud][5]:.1f}×.")

# %% [markdown]
# $\sqrt{s}$ and $\sqrt{\hat v}$ both measure the typical size of an array's mini-batch
# gradients, and they agree: the weights $W^{(2)}$ between the two hidden layers get the smallest
# gradients, the biases $b^{(1)}$ and $b^{(3)}$ the largest. Momentum's step $\eta v$ inherits
# these sizes, so its smallest steps go to $W^{(2)}$. Adam divides by $\sqrt{\hat v}$ and turns
# the order round: its largest steps go to the weight matrices, its smallest to the biases. So
# under Adam the weights, whose small gradients are what would bend the boundary, move most.
# Notice also that $\lvert\hat m\rvert$ is everywhere several times smaller than
# $\sqrt{\hat v}$: each mini-batch pulls in its own direction, and averaged over the last ten or
# so steps these pulls mostly cancel. Adam's step is $\eta$ times the ratio
# $\lvert\hat m\rvert/\sqrt{\hat v}$, so it is well below $\eta$ here, and smallest where the
# batches disagree most.
#
# This is not a ranking: with SGD's $\eta$ raised to 0.3, for example, it also leaves the
# plateau. A fair comparison of optimisers gives each its own tuned learning rate, and Adam is
# popular mainly because its defaults work reasonably well without tuning.

# %% [markdown]
# ## 5. Learning-rate schedules
#
# Look again at Adam's curve in section 4: it has left the plateau, but it does not settle. Each
# step follows one mini-batch, and one mini-batch's gradient points a little away from the full
# gradient. Near the minimum those errors are all that is left, and with a fixed $\eta$ every step
# still has the same length. So the weights keep jumping around the minimum by an amount that
# grows with $\eta$. A small $\eta$ would calm this, but it would make the early, easy part of
# training slow.
#
# A **schedule** gives up the single value: $\eta_t$ depends on the step number $t$. It is large
# at the start, where big steps pay off, and small at the end, where they only add noise. Three
# shapes cover most practice (all in `bpcourse.schedules`, with steps counted from 1 as
# `Optimizer.t` counts them):
#
# * **step decay**, `StepDecay(lr, every, factor)`: keep $\eta_0$ for `every` steps, then multiply
#   it by `factor` (say ½), and so on: a staircase,
#   $\eta_t = \eta_0 \cdot \text{factor}^{\lfloor (t-1)/\text{every}\rfloor}$;
# * **cosine**, `Cosine(lr, total)`: glide from $\eta_0$ down to 0 along half a cosine period,
#   $\eta_t = \tfrac12\,\eta_0\,\bigl(1 + \cos(\pi\,\tfrac{t-1}{T-1})\bigr)$. It stays near $\eta_0$
#   for a while, falls fastest in the middle and flattens out at the end;
# * **warm-up**, `WarmUp(steps, after)`: grow $\eta$ in a straight line from $\eta_0/\text{steps}$
#   to the full value over the first `steps` steps, then hand over to another schedule (or a
#   constant).
#
# Here are the three over the 600 steps that 60 epochs of section 4's data take (150 training
# points in batches of 16 make 10 steps per epoch):

# %%
from bpcourse.schedules import Cosine, Scheduled, StepDecay, WarmUp, values

steps_per_epoch = -(-len(X_train) // 16)          # ceil(150 / 16) = 10
T = 60 * steps_per_epoch
eta0 = 0.1
schedules = {
    "constant": eta0,
    "step decay (×0.3 every 200)": StepDecay(eta0, every=200, factor=0.3),
    "cosine": Cosine(eta0, total=T),
    "warm-up 50, then cosine": WarmUp(50, Cosine(eta0, total=T)),
}

fig, ax = plt.subplots(figsize=(8, 3.5))
t_axis = np.arange(1, T + 1)
for name, schedule in schedules.items():
    eta_t = np.full(T, schedule) if isinstance(schedule, float) else values(schedule, T)
    ax.plot(t_axis, eta_t, label=name)
ax.set_xlabel("step t")
ax.set_ylabel("learning rate $\\eta_t$")
ax.set_title("Four ways to set η over 600 steps")
ax.legend()
plt.show()


# %% [markdown]
# `Scheduled(optimizer, schedule)` wraps any of the package's optimisers: before each step it
# sets the optimiser's `lr` to the schedule's value for that step. So `fit` needs no change. Below
# the network of section 4 trains with Adam at $\eta_0 = 0.1$ (ten times section 4's rate) for 60
# epochs, from the same start and with the same batches, once for each schedule:

# %%
def adam_with(schedule):
    if isinstance(schedule, float):
        return optim.Adam(schedule)
    return Scheduled(optim.Adam(eta0), schedule)


scheduled_runs = {}
for name, schedule in schedules.items():
    net = MLP([2, 16, 16, 2], activation="tanh", output="softmax", seed=0)
    scheduled_runs[name] = fit(net, X_train, y_train, loss="cross_entropy",
                               optimizer=adam_with(schedule), epochs=60, batch_size=16,
                               val=(X_val, y_val), progress=False, seed=0)
    last = np.array(scheduled_runs[name].train_loss[-10:])
    # A run that still bounces ends wherever rounding sends it (it differs from machine to
    # machine), so only settled runs get their numbers printed.
    if last.max() - last.min() > 0.05:
        print(f"{name:28s} still bouncing: its training loss moved by more than 0.05 "
              f"in the last 10 epochs")
    else:
        print(f"{name:28s} settled: training loss {last[-1]:.2f}, "
              f"validation accuracy {scheduled_runs[name].val_acc[-1]:.2f}")

fig, ax = plt.subplots(figsize=(8, 4))
for name, h in scheduled_runs.items():
    ax.plot(range(1, h.epochs + 1), h.train_loss, label=name)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (log scale)")
ax.set_title("Adam, η₀ = 0.1: constant rate against three schedules")
ax.legend()
plt.show()

# %% [markdown]
# All four runs fall at about the same speed at first: the constant and step-decay runs use the
# same $\eta$ for the first 200 steps (20 epochs), and the cosine is still close to it. After that
# the constant-rate run keeps bouncing up and down. Its steps never get shorter, so where it
# happens to be at epoch 60 is down to chance: the last digits of the rounding, which differ
# from one processor to another, send it elsewhere. The schedules lower $\eta$, and their curves
# settle at the same place on every processor we tried, well below the range the constant run bounces in.
# (Validation accuracy on 50 points was already high and cannot show much difference.)
#
# ### Why Adam likes a warm-up
#
# Exercise 3 showed that Adam's first step has length $\eta$ in *every* coordinate, whatever the
# gradient. That step rests on one mini-batch: $\hat m$ and $\hat v$ are averages over a single
# gradient. In the first few dozen steps they are still averages over very few batches. So Adam
# takes full-length steps in directions it does not yet know well. With a large $\eta$ those
# first steps can throw the network far from its careful initialisation, and the loss jumps. A
# warm-up keeps the early steps short until $m$ and $v$ average over many batches. The cost is
# small, a few dozen steps out of hundreds, which is why warm-up is a standard part of training
# large models with Adam. Here are the first 60 steps (the loss of each mini-batch) at
# $\eta = 0.2$, with and without 50 steps of warm-up:

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
for label, opt in [("Adam, η = 0.2", optim.Adam(0.2)),
                   ("Adam, η = 0.2 after 50 warm-up steps", Scheduled(optim.Adam(0.2),
                                                                      WarmUp(50, 0.2)))]:
    net = MLP([2, 16, 16, 2], activation="tanh", output="softmax", seed=0)
    h = fit(net, X_train, y_train, loss="cross_entropy", optimizer=opt, epochs=6,
            batch_size=16, progress=False, seed=0)
    first = np.array(h.step_loss[:60])
    ax.plot(range(1, 61), first, marker=".", label=label)
    print(f"{label:38s} loss at steps 1 and 2: {first[0]:.1f} → {first[1]:.1f}; "
          f"highest in the first 50 steps: {first[:50].max():.1f}")
ax.set_xlabel("step")
ax.set_ylabel("mini-batch loss")
ax.legend()
plt.show()

# %% [markdown]
# Without warm-up, the very first step more than doubles the loss: every weight moved by 0.2 at
# once, on the evidence of one mini-batch. With warm-up the first step is 50 times shorter, the
# loss falls from the start, and its early peaks stay about half as high. A warm-up only
# protects the start, though. An $\eta$ too large for the later stages still needs a decay after
# it, which is why warm-up usually comes with a cosine or step decay, as in the first experiment.
#
# ### Exercise 4: read two schedules by hand
#
# Steps are counted from 1.
#
# 1. `StepDecay(0.1, every=100, factor=0.5)`: what is $\eta$ at step $t = 300$? Store it in
#    `eta_step`.
# 2. `Cosine(0.1, total=101)`: what is $\eta$ at step $t = 26$? Store it in `eta_cos`, with at
#    least 3 significant figures.
#
# Work them out with pen and paper (or a calculator) rather than by calling the schedules.

# %%
from bpcourse.exercises.weight_update import check_schedule_values

eta_step = ...   # your answer: η at step 300 of StepDecay(0.1, every=100, factor=0.5)
eta_cos = ...    # your answer: η at step 26 of Cosine(0.1, total=101)
ok = check_schedule_values(eta_step, eta_cos, lr=0.1, every=100, factor=0.5, t=300,
                           total=101, t_cos=26)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
eta_step, eta_cos = reference("schedule_values", globals())
help_for("schedule_values")

# %% [markdown]
# The package's schedules agree with the reference values:

# %%
print(f"StepDecay at t = 300: {StepDecay(0.1, every=100, factor=0.5)(300):.4g} "
      f"(the reference {eta_step:.4g})")
print(f"Cosine at t = 26:     {Cosine(0.1, total=101)(26):.4g} (the reference {eta_cos:.4g})")

# %% [markdown]
# ## Summary
#
# - Gradient descent: $\theta \leftarrow \theta - \eta\,\nabla L$. To first order the loss drops by
#   $\eta \lVert\nabla L\rVert^2$, if $\eta$ is small enough.
# - Along a direction of curvature $c$ each step multiplies the distance to the minimum by
#   $1 - \eta c$: crawl ($\eta c \ll 1$), converge, oscillate ($1 < \eta c < 2$),
#   diverge ($\eta c > 2$). The steepest direction limits $\eta$; the flattest decides the speed.
# - Momentum ($v \leftarrow \beta v + g$) adds up gradients that agree and cancels those that
#   alternate: fast along ravines, at the cost of swinging.
# - RMSprop ($s \leftarrow \rho s + (1-\rho) g^2$, step $\eta\, g/\sqrt{s}$) gives each parameter
#   its own step size; it helps most when the steep and flat directions are individual parameters.
# - Adam combines both, with bias correction $1/(1-\beta^t)$ because $m$ and $v$ start at zero;
#   its first step has length $\eta$ in each coordinate whatever the gradient's scale.
# - A learning-rate schedule makes $\eta$ a function of the step: large while the loss is
#   far off, small at the end so the mini-batch noise no longer shakes the weights. Step
#   decay and cosine are the common shapes; a warm-up ramps $\eta$ up over the first steps,
#   which protects Adam while its moment estimates rest on only a few gradients.
# - The state an optimiser keeps (`opt.state`) is part of training: it has the shapes of the
#   parameters, so Adam needs twice as much memory for its state as for the parameters.
#
# ## Quiz
#
# Rate each card from 1 (Not at all) to 5 (Perfectly) for how well you knew the answer; the
# cards you find hard come back sooner.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("weight-update")
