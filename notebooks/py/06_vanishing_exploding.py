# %% [markdown]
# # 06 · Vanishing and exploding gradients: what depth does to the backward pass
#
# Notebook 03 sent the error back through two layers. Real networks have ten, fifty, a
# hundred, and the same recursion then behaves very differently: the gradient reaching the
# first layers can be a millionth of the one at the top (those layers stop learning), or a
# million times larger (one step throws the weights to infinity). This notebook shows why
# both happen, how to see them with per-layer gradient norms, and what fixes them.
#
# **After this notebook you can**
#
# 1. explain from the delta recursion why gradient norms change *geometrically* with depth;
# 2. prove $\sigma'(z) \le 1/4$ and say what it means for a deep sigmoid network;
# 3. recognise saturated units in a histogram of pre-activations and say why they pass back
#    almost nothing;
# 4. read a plot of per-layer gradient norms and tell vanishing from exploding;
# 5. derive the variance rule $\mathrm{Var}(z) = n_{in}\,\mathrm{Var}(w)\,\mathbb{E}[a^2]$
#    and from it the Xavier and He initialisations;
# 6. recognise a diverging run from its NaN message, and rescue it with gradient clipping.
#
# **Notation** (as in every notebook): a batch is $N$ rows; $A^{(0)} = X$;
# $Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}$ with $W^{(l)}$ of shape $(n_{l-1}, n_l)$;
# $A^{(l)} = f(Z^{(l)})$; $\delta^{(l)} = \partial L / \partial Z^{(l)}$. A superscript $(L)$
# means the output layer, the last one: $W^{(L)}$ is the last weight matrix, and a sum or
# product "up to $L$" runs to that layer. A plain $L$ is the loss, as in $\partial L/\partial W$.
# The code calls the number of layers `n_layers`.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import bpcourse
from bpcourse import MLP, data, fit, optim
from bpcourse.lessons import vanishing_exploding
from bpcourse.activations import sigmoid, sigmoid_prime
from bpcourse.exercises.vanishing_exploding import (
    check_clip_scale, check_he_std, check_sigmoid_bound)
from bpcourse.mlp import init_std
from bpcourse.plots import plot_activation

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. The backward pass is a product, one factor per layer
#
# Each layer of the backward pass does the same thing to the error signal coming down:
#
# $$\delta^{(l)} = \big(\delta^{(l+1)}\, W^{(l+1)\top}\big) \odot f'\big(Z^{(l)}\big).$$
#
# It multiplies by a weight matrix, then by the slopes of the activation. Unroll it from the
# top and the error at layer $l$ is the output error times **one factor for every layer in
# between**. With one unit per layer everything is a number and the product is plain to see:
#
# $$\delta^{(l)} = \delta^{(L)} \prod_{k=l+1}^{L} w^{(k)}\, f'\big(z^{(k-1)}\big).$$
#
# A product of many factors is either tiny or huge unless the factors sit very close to 1:
# if each is about $0.5$, ten layers give $0.5^{10} \approx 10^{-3}$; if each is about $2$,
# ten layers give $2^{10} \approx 10^{3}$. That is the whole story of this notebook; the rest
# is about *which* factors, and how to keep them near 1.
#
# The gradient of a layer's weights, $\partial L / \partial W^{(l)} = A^{(l-1)\top}
# \delta^{(l)}$, combines this error with the signal $A^{(l-1)}$ arriving from below, so its
# size depends on both passes.
#
# ### A deep network, backward pass by hand
#
# The experiments use a **probe network**: every layer 64 units wide (inputs too), an identity
# output, the MSE loss against random targets, a fixed random batch of 64 rows. Nothing
# changes from one layer to the next except its position, so whatever happens to the
# gradient is caused by depth alone. Here is its backward pass written out for 10 sigmoid
# layers with Xavier initialisation, keeping the norm of every $\delta^{(l)}$ and
# $\partial L/\partial W^{(l)}$:

# %%
n_layers, width = 10, 64
net = vanishing_exploding.probe_net("sigmoid", "xavier", n_layers, width=width, seed=0)
X, Y = vanishing_exploding.probe_batch(width)
N = len(X)
W = {l: net.params[f"W{l}"] for l in range(1, n_layers + 1)}
b = {l: net.params[f"b{l}"] for l in range(1, n_layers + 1)}

# forward: keep every Z and A, the backward pass needs them
A, Z = {0: X}, {}
for l in range(1, n_layers + 1):
    Z[l] = A[l - 1] @ W[l] + b[l]
    A[l] = sigmoid(Z[l]) if l < n_layers else Z[l]   # identity output

# backward: MSE with an identity output gives delta_L = (A_L - Y) / N
delta = (A[n_layers] - Y) / N
delta_norm, dW_norm = {}, {}
for l in range(n_layers, 0, -1):
    delta_norm[l] = np.linalg.norm(delta)
    dW_norm[l] = np.linalg.norm(A[l - 1].T @ delta)
    if l > 1:
        delta = (delta @ W[l].T) * sigmoid_prime(Z[l - 1])

print("layer  ||delta||  ||dL/dW||  shrink vs l+1  mean f'")
for l in range(1, n_layers + 1):
    shrink = f"{delta_norm[l] / delta_norm[l + 1]:14.3f}" if l < n_layers else f"{'':>14}"
    slope = f"{sigmoid_prime(Z[l]).mean():8.3f}" if l < n_layers else f"{'':>8}"
    print(f"{l:>5} {delta_norm[l]:10.2e} {dW_norm[l]:10.2e} {shrink} {slope}")

package = vanishing_exploding.layer_grad_norms("sigmoid", "xavier", n_layers, width=width, seed=0)
print("\nsame norms as bpcourse.lessons.vanishing_exploding.layer_grad_norms:",
      np.allclose([dW_norm[l] for l in range(1, n_layers + 1)], list(package.values())))

# %% [markdown]
# Read the table from the bottom up, the way the error travels. Every layer multiplies
# $\lVert\delta\rVert$ by about $0.24$, almost exactly the sigmoid's mean slope (column
# `mean f'`). The weights neither help nor hurt on average: with Xavier's variance $1/n$, a
# product $\delta W^\top$ sums $n$ terms of variance $1/n$ each, so it keeps the error's
# length. Nine such factors separate layer 10 from layer 1, and $0.24^9 \approx 3\cdot
# 10^{-6}$. The weight gradient of layer 1 is about a millionth of layer 10's: with one
# learning rate for all layers, the first layers barely move. That is **vanishing
# gradients**.
#
# ## 2. Why the sigmoid is the worst case: $\sigma'(z) \le 1/4$
#
# The sigmoid's slope is $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$. Write $s = \sigma(z)$,
# a number in $(0, 1)$:
#
# $$s(1-s) = \tfrac14 - \big(s - \tfrac12\big)^2 \le \tfrac14,$$
#
# with equality only at $s = 1/2$, that is $z = 0$. So every sigmoid layer multiplies the
# error by **at most a quarter** (before the weights), and by much less once $|z|$ is large.
# Compare the three activations' slopes below: tanh's slope reaches 1 at $z = 0$, ReLU's is
# exactly 1 for every $z > 0$ (and 0 otherwise).

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, name in zip(axes, ["sigmoid", "tanh", "relu"]):
    plot_activation(name, ax=ax)
    ax.set_ylim(-1.1, 1.6)
axes[0].axhline(0.25, color="gray", linestyle=":")
axes[0].text(-5.8, 0.3, "1/4", color="gray")
plt.show()

# %% [markdown]
# > **Maths you need here: the largest singular value.** A matrix $W$ maps vectors to vectors and may stretch some directions more than others. Its largest *singular value*, written $\lVert W \rVert_2$ and called its spectral norm, is the biggest stretch it applies to any vector: $\lVert v W \rVert \le \lVert W \rVert_2 \lVert v \rVert$ for every $v$. NumPy gives it as `np.linalg.norm(W, 2)`. A product of matrices stretches by at most the product of their spectral norms, which is why depth can shrink or grow a signal geometrically.
#

# %% [markdown]
# The slope bound turns into a bound on the whole backward pass. A matrix cannot stretch a
# vector by more than its largest singular value, the spectral norm $\lVert W \rVert_2$, and
# multiplying elementwise by slopes no larger than $1/4$ cannot stretch it at all, so for
# sigmoid hidden layers
#
# $$\lVert \delta^{(l)} \rVert \le \tfrac14\, \lVert W^{(l+1)} \rVert_2\,
# \lVert \delta^{(l+1)} \rVert
# \quad\Longrightarrow\quad
# \lVert \delta^{(l)} \rVert \le \Big(\tfrac14\Big)^{L-l} \prod_{k=l+1}^{L}
# \lVert W^{(k)} \rVert_2 \;\lVert \delta^{(L)} \rVert .$$
#
# Checked on the network above (`vanishing_exploding.delta_bounds` computes the right-hand side from the
# package's own backward pass of the same network):

# %%
loss_value, grads = net.loss_and_gradients(X, Y, "mse")   # fills net.trace with the deltas
bounds = vanishing_exploding.delta_bounds(net)
spectral = [np.linalg.norm(W[l], ord=2) for l in range(2, n_layers + 1)]
print("spectral norms ||W2|| .. ||W10||:", np.round(spectral, 2))
print(f"{'layer':>5} {'||delta||':>10} {'bound':>10} {'ratio':>6}")
for l in range(1, n_layers + 1):
    print(f"{l:>5} {delta_norm[l]:10.2e} {bounds[f'delta{l}']:10.2e} "
          f"{delta_norm[l] / bounds[f'delta{l}']:6.3f}")

# %% [markdown]
# Each Xavier weight matrix has $\lVert W \rVert_2 \approx 2$, so the bound itself shrinks by
# about $2/4 = 1/2$ per layer, and the real norms stay below it (they fall faster: a matrix
# stretches by its full $\lVert W \rVert_2$ only along one direction, and the error is not
# lined up with it). To keep the error alive the
# weights would have to stretch by 4 at every layer. Bigger weights do that, but they also
# push $|z|$ up, and there the sigmoid is flat (section 3). Try it in the widget of section 4:
# no initialisation makes a deep sigmoid network pass its gradient back intact. That, more than
# anything, is why hidden layers use tanh or ReLU, and sigmoid survives only at the output.
#
# ### Exercise 1: the most ten sigmoid layers can pass back
#
# Each sigmoid layer multiplies the backward signal by its slope $\sigma'(z)$ (and by the
# weights, which we ignore here). What is the **largest** factor the slopes of 10 sigmoid
# layers can contribute together? Give a number.

# %%
answer = ...   # your answer
ok = check_sigmoid_bound(answer, layers=10)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
answer = reference("sigmoid_bound", globals())
help_for("sigmoid_bound")

# %% [markdown]
# ## 3. Saturation: units on the flat part of the curve
#
# A unit is **saturated** when its input $|z|$ is so large that $f'(z)$ is nearly 0: a sigmoid
# at $z = 5$ has $\sigma'(5) \approx 0.0066$, a tanh at $z = 3$ has $\tanh'(3) \approx 0.0099$.
# Whatever error reaches a saturated unit is multiplied by almost nothing, so its incoming
# weights stop changing, however wrong the output.
#
# Saturation comes from large pre-activations, and those come from large weights: with the
# "normal" initialisation (standard deviation 1) each unit sums 64 products of size about 1,
# so $Z^{(1)}$ has standard deviation about $\sqrt{64} = 8$. Count the units whose slope is
# below 5 % of the sigmoid's best, $0.05 \cdot \tfrac14$. Where is that edge? Solve
# $s(1-s) = 0.0125$ for $s = \sigma(z)$ (a quadratic) and turn $s$ back into
# $|z| = \ln\frac{1-s}{s}$; the first line below prints it:

# %%
s_edge = (1 - np.sqrt(1 - 4 * 0.05 * 0.25)) / 2          # smaller root of s(1 - s) = 0.0125
print(f"sigmoid slope below 5 % of 1/4 where |z| > {np.log((1 - s_edge) / s_edge):.2f}")

big = vanishing_exploding.probe_net("sigmoid", "normal", n_layers, width=width, seed=0)
Z1 = X @ big.params["W1"] + big.params["b1"]
flat = sigmoid_prime(Z1) < 0.05 * 0.25
print(f"std of Z1: {Z1.std():.2f}")
print(f"share of saturated units in layer 1: {flat.mean():.1%}")
print(f"{'vanishing_exploding.saturated_share:':<37}"
      f"{vanishing_exploding.saturated_share(Z1, 'sigmoid'):.1%}")

# %% [markdown]
# The histograms show all of $Z^{(l)}$ for the first, middle and last hidden layer; the shaded
# zone is where the slope is below 5 % of its peak. With the "normal" initialisation about half
# of the sigmoid units sit there in every layer:

# %%
fig = vanishing_exploding.plot_z_histograms("sigmoid", "normal", n_layers)
plt.show()

# %% [markdown]
# Now explore. Pick an activation, an initialisation and a depth; the histograms redraw. Things
# to look for:
#
# * **tanh + normal**: about 78 % of units saturated, in every layer;
# * **tanh + xavier**: the histograms stay inside the unshaded band, but get narrower with
#   depth (tanh squashes a little at each layer);
# * **relu**: the shaded zone is all of $z \le 0$. A ReLU unit is either open ($f' = 1$) or
#   shut ($f' = 0$); about half shut is normal, a layer with all units shut is *dead*.

# %%
# NBVAL_IGNORE_OUTPUT
vanishing_exploding.histograms_explorer(activation="tanh", init="normal")


# %% [markdown]
# ## 4. Gradient norms through depth
#
# The quickest diagnosis of a deep network is one number per layer: the norm of its weight
# gradient, $\lVert \partial L / \partial W^{(l)} \rVert$ (`bpcourse.grad_norms`, which `fit`
# records at every step). A healthy network has norms of similar size across layers. Norms
# that fall by orders of magnitude towards layer 1 are vanishing gradients; norms that rise
# towards layer 1, or are astronomically large everywhere, are exploding ones.
#
# Here is the ratio $\lVert \partial L/\partial W^{(1)} \rVert / \lVert \partial L/\partial
# W^{(L)} \rVert$ (first layer over last) and the largest norm, for every activation and
# initialisation at 10 and 30 layers:

# %%
def at_30_layers(value, activation, init, bound):
    # 30 tanh layers with N(0, 1) weights are chaotic (see below): their numbers differ from
    # one computer to the next, so for them we print a bound that holds on every computer.
    if (activation, init) == ("tanh", "normal") and value > bound:
        return f"> {bound:.0e}"
    return f"{value:.2g}"


print(f"{'':<31} {'W1/W_last':>12} {'W1/W_last':>12} {'largest':>14}")
print(f"{'activation':<10} {'init':<20} {'10 layers':>12} {'30 layers':>12} {'30 layers':>14}")
for activation in vanishing_exploding.ACTIVATION_CHOICES:
    for init in vanishing_exploding.INIT_CHOICES:
        n10 = vanishing_exploding.layer_grad_norms(activation, init, 10)
        n30 = vanishing_exploding.layer_grad_norms(activation, init, 30)
        print(f"{activation:<10} {vanishing_exploding.init_label(init, width):<20} "
              f"{n10['W1'] / n10['W10']:12.2g} "
              f"{at_30_layers(n30['W1'] / n30['W30'], activation, init, 1e8):>12} "
              f"{at_30_layers(max(n30.values()), activation, init, 1e10):>14}")

# %% [markdown]
# Three different failures show up:
#
# * **sigmoid + xavier or he**: the ratio collapses ($10^{-6}$ and $10^{-5}$ at 10 layers,
#   $10^{-19}$ and $10^{-15}$ at 30). Classic vanishing. With **normal** weights the ratio
#   stays moderate only because weights of spectral norm about 16 make up for slopes that
#   saturation has pushed far below $1/4$; half the units are stuck on flat ground
#   (section 3), which is no way to learn either.
# * **tanh + normal**: the ratio *grows*, to around $10^{9}$ at 30 layers. Weights of size 1
#   have $\lVert W \rVert_2 \approx 16$, and even mostly saturated slopes do not bring the
#   factor per layer below 1. Exploding, towards the input. A tiny change grows the same way:
#   change the weights in their twelfth digit, and at 30 layers these two numbers move by
#   several percent; change them in their tenth, and by a factor of several. Such a network is
#   *chaotic*: the rounding differences between two computers grow the same way, so the table
#   prints only a bound for these two numbers, one that holds however the arithmetic rounds.
# * **relu + normal**: the ratio is harmless but *every* norm is about $10^{46}$. Each ReLU
#   layer multiplies the forward signal's variance by $64 \cdot 1 / 2 = 32$, so the
#   activations themselves explode, and $\partial L/\partial W^{(l)} = A^{(l-1)\top}\delta^{(l)}$
#   inherits that. **relu + xavier** is the mirror image: everything about $10^{-4}$.
#
# **tanh + xavier** and **relu + he** keep both the slope across the layers and the forward
# signal steady at every depth (tanh + he comes close: its weights are a little too large,
# so a few more units saturate). Section 5 explains why these pairs.
#
# The widget draws one network's profile: the bars are $\lVert\partial L/\partial
# W^{(l)}\rVert$, the red line is $\lVert\delta^{(l)}\rVert$ (the backward signal alone, which
# shows the slope most directly); on the right, the forward signal: the spread of $Z^{(l)}$ and
# the share of units with $f' \approx 0$. Both axes with norms are logarithmic, so a straight
# line is geometric decay or growth.

# %%
# NBVAL_IGNORE_OUTPUT
vanishing_exploding.profile_explorer(activation="sigmoid", init="xavier")

# %% [markdown]
# ## 5. What initialisation fixes: keep the variance constant
#
# Look at one unit of layer $l+1$: $z = \sum_{i=1}^{n} w_i\, a_i$ with $n = n_{in}$ inputs
# (biases start at 0). Initialise the weights independently, with mean 0 and variance
# $\mathrm{Var}(w)$, independently of the inputs $a_i$. Then each term has mean 0 and variance
# $\mathbb{E}[w_i^2 a_i^2] = \mathrm{Var}(w)\,\mathbb{E}[a_i^2]$, and variances of independent
# terms add:
#
# $$\boxed{\mathrm{Var}\big(z^{(l+1)}\big) = n_{in}\,\mathrm{Var}(w)\,
# \mathbb{E}\big[(a^{(l)})^2\big]}$$
#
# (for an activation with mean-zero outputs, such as tanh, $\mathbb{E}[a^2] = \mathrm{Var}(a)$).
# For the signal to keep its size through many layers, the factor must be 1:
#
# * **tanh** (Xavier/Glorot): near 0, $\tanh(z) \approx z$, so $\mathbb{E}[a^2] \approx
#   \mathrm{Var}(z)$ and we need $n_{in}\mathrm{Var}(w) = 1$. The same argument on the backward
#   pass asks for $n_{out}\mathrm{Var}(w) = 1$; Xavier takes the compromise
#   $\mathrm{Var}(w) = 2/(n_{in} + n_{out})$, which is $1/n$ on a square layer.
# * **ReLU** (He): for symmetric $z$, ReLU keeps the positive half and zeroes the rest, so
#   $\mathbb{E}[a^2] = \tfrac12 \mathrm{Var}(z)$. We need $n_{in}\mathrm{Var}(w)\cdot\tfrac12 = 1$:
#   $\mathrm{Var}(w) = 2/n_{in}$.
# * The **normal** init, $\mathrm{Var}(w) = 1$, gives a factor of $n_{in} = 64$ (tanh: quickly
#   saturated) or $32$ (ReLU: the signal grows by $\sqrt{32} \approx 5.7$ per layer).
#
# The backward pass obeys the same rule with $n_{out}$ and $\mathbb{E}[f'(z)^2]$ in place of
# $n_{in}$ and $\mathbb{E}[a^2]$, which is why keeping the forward variance right keeps the
# gradients right too. `vanishing_exploding.predicted_z_var` iterates the boxed formula (computing
# $\mathbb{E}[f(z)^2]$ for Gaussian $z$); compare it with the variances measured in a probe
# network 256 units wide:

# %%
wide, layers = 256, 12
fig, ax = plt.subplots(figsize=(7, 3.6))
for activation, init, color in [("relu", "he", "C0"), ("relu", "xavier", "C1"),
                                ("tanh", "xavier", "C2"), ("tanh", "normal", "C3")]:
    w_std = init_std(init, wide, wide)
    predicted = vanishing_exploding.predicted_z_var(activation, w_std, wide, layers - 1)
    measured = np.square(vanishing_exploding.activation_stats(activation, init, layers, width=wide)["z_std"])
    ls = np.arange(1, layers)
    ax.plot(ls, predicted, "-", color=color, label=f"{activation} + {init}")
    ax.plot(ls, measured, "o", color=color)
ax.set_yscale("log")
ax.set_xlabel("hidden layer l")
ax.set_ylabel(r"Var$(Z^{(l)})$ (log scale)")
ax.set_title("lines: predicted by the variance rule, dots: measured")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# The rule predicts the measurements: He keeps ReLU's variance at 2 (the first layer doubles
# the inputs' variance once, and nothing changes after), Xavier halves it at every ReLU layer,
# tanh + normal sits near 250, deep in the saturated zone. tanh + Xavier drifts down slowly
# because $\tanh(z)^2 < z^2$: the Xavier factor 1 holds only near 0. In the deepest layers the
# dots wander off the lines by a factor up to 2: a real network of finite width multiplies
# random factors that are each only *on average* what the rule says, and the small errors
# compound with depth.
#
# ### Exercise 2: He initialisation
#
# A ReLU layer has $n_{in} = 256$ inputs. Which **standard deviation** should its weights be
# drawn with so that $\mathrm{Var}(z)$ is the same in this layer as in the one before? Give a
# number.

# %%
answer = ...   # your answer
ok = check_he_std(answer, n_in=256)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
answer = reference("he_std", globals())
help_for("he_std")

# %% [markdown]
# ## 6. Exploding in training: large weights and a large step
#
# A probe network only shows one backward pass. In training, explosion feeds itself: a huge
# gradient makes a huge step, the bigger weights make the next gradient bigger still, and
# within a few steps the numbers pass $10^{308}$, the largest float64, and become `inf`, then
# `nan` (`inf - inf`). From then on every weight is NaN and training is over.
#
# `fit` checks every array after every step and stops at the first NaN or inf with a
# `TrainingDiverged` error whose message names the step, the layer and the likely cause. Here a
# 1-32-32-32-32-1 ReLU network with weights of standard deviation 0.5 (He would be
# $\sqrt{2/32} = 0.25$ for the hidden layers, so the signal doubles at every one of them) is
# fitted to a sine curve with SGD and a learning rate of 0.05:

# %%
X_sine, Y_sine = data.sine(200, seed=0)

def sine_net():
    return MLP([1, 32, 32, 32, 32, 1], activation="relu", init=0.5, seed=0)

net = sine_net()
try:
    fit(net, X_sine, Y_sine, "mse", optim.SGD(0.05), epochs=30, batch_size=32,
        progress=False)
except bpcourse.TrainingDiverged as err:
    print("TrainingDiverged:", err)

# %% [markdown]
# Five steps were enough. `vanishing_exploding.exploding_run` takes exactly the same steps as `fit` and keeps
# the ones before the blow-up; the gradient norm grows by orders of magnitude at every step:

# %%
run = vanishing_exploding.exploding_run(lr=0.05)
print("global gradient norm per step:", ", ".join(f"{g:.3g}" for g in vanishing_exploding.joint_norms(run.history)))
vanishing_exploding.plot_exploding_run(run, title="lr 0.05, no clipping")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7. Gradient clipping
#
# The direction of a huge gradient is still useful; only its length is not. **Clipping by
# global norm** treats all gradients of the network as one long vector $g$ and shortens it
# when it is longer than a threshold $c$:
#
# $$\lVert g \rVert = \sqrt{\textstyle\sum_l \lVert g_l \rVert^2},\qquad
# g \leftarrow g \cdot \min\Big(1, \frac{c}{\lVert g \rVert}\Big).$$
#
# Every array is scaled by the same factor, so the direction is kept exactly. By hand, then
# with `bpcourse.clip_by_global_norm` (which scales in place and returns the norm before):

# %%
grads = {"W1": np.array([[3.0, 0.0]]), "W2": np.array([[4.0], [0.0]])}
c = 1.0
norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
by_hand = {k: g * min(1.0, c / norm) for k, g in grads.items()}
print(f"global norm {norm:g}, factor {min(1.0, c / norm):g}")
print("by hand:", {k: v.ravel() for k, v in by_hand.items()})

before = bpcourse.clip_by_global_norm(grads, c)
print("package:", {k: v.ravel() for k, v in grads.items()}, "norm before:", before)

# %% [markdown]
# Now the same run as in section 6, same weights, same learning rate, same batches, with
# `clip_norm=5.0`: `fit` clips every step's gradients before the optimiser sees them.

# %%
net = sine_net()
history = fit(net, X_sine, Y_sine, "mse", optim.SGD(0.05), epochs=30, batch_size=32,
              progress=False, clip_norm=5.0)
print(history)
print(f"train loss after epoch 1: {history.train_loss[0]:.3g}, "
      f"after epoch 30: {history.train_loss[-1]:.3g}")
largest = max(max(v) for v in history.grad_norms.values())
print(f"largest per-layer gradient norm seen (before clipping): {largest:.3g}")

# %% [markdown]
# The early gradients were still in the hundreds (the weights are still too large), but no
# step could be longer than $0.05 \cdot 5$, so the weights shrank to a workable size instead of
# blowing up. Clipping treats the symptom, not the cause. The better fix here is the
# initialisation: with He's standard deviation for the hidden layers, $\sqrt{2/32} = 0.25$,
# the same learning rate trains without any clipping:

# %%
net_he = MLP([1, 32, 32, 32, 32, 1], activation="relu", init=0.25, seed=0)
history_he = fit(net_he, X_sine, Y_sine, "mse", optim.SGD(0.05), epochs=30, batch_size=32,
                 progress=False, clip_norm=None)
largest_he = max(max(v) for v in history_he.grad_norms.values())
print(f"{'':<22} {'loss, epoch 1':>15} {'loss, epoch 30':>15} {'largest grad norm':>19}")
for name, h, g in [("std 0.5, clip 5", history, largest),
                   ("std 0.25, no clipping", history_he, largest_he)]:
    print(f"{name:<22} {h.train_loss[0]:>15.3g} {h.train_loss[-1]:>15.3g} {g:>19.3g}")

# %% [markdown]
# With weights of the right size the gradients never grow large in the first place, so there
# is nothing to clip, and the run ends lower than the clipped one. Explore both levers below:
# the learning rate, the initial standard deviation (0.25 is He's value for the 32-input
# layers) and the clipping threshold (0 means off).

# %%
# NBVAL_IGNORE_OUTPUT
vanishing_exploding.clipping_explorer()

# %% [markdown]
# ### Exercise 3: the clipping factor
#
# After a backward pass the per-layer gradient norms are
# $\lVert g_{W1} \rVert = 3$, $\lVert g_{W2} \rVert = 4$, $\lVert g_{W3} \rVert = 12$
# (ignore the biases). With clipping threshold $c = 5$, by what **factor** does clipping
# multiply every gradient? Give a number.

# %%
answer = ...   # your answer
ok = check_clip_scale(answer, layer_norms={"W1": 3, "W2": 4, "W3": 12}, max_norm=5.0)

# %%
# NBVAL_IGNORE_OUTPUT
# Stuck? The button gives a hint, then a second hint, then the worked solution.
# This cell also sets the reference answer, so the cells below run whatever you wrote.
from bpcourse.exercises.solutions import help_for, reference
answer = reference("clip_scale", globals())
help_for("clip_scale")

# %% [markdown]
# ## Summary: what fixes what
#
# | symptom | cause | fix |
# |---|---|---|
# | norms fall geometrically towards layer 1 | slopes $< 1$ multiplied layer after layer; sigmoid's $\le 1/4$ | tanh or ReLU in hidden layers, Xavier / He init |
# | many units with $f' \approx 0$ | saturation: $\lvert z \rvert$ too large, from too large weights | smaller init (Xavier for tanh) |
# | norms huge everywhere, activations growing | $n_{in}\mathrm{Var}(w)\,\mathbb{E}[a^2]/\mathrm{Var}(z) > 1$ per layer | He init for ReLU, Xavier for tanh |
# | loss jumps, then `TrainingDiverged` (NaN/inf) | steps too long: large gradients times the learning rate | smaller learning rate, gradient clipping, better init |
#
# * The backward pass multiplies one factor per layer, $W^{(l+1)\top}$ and $f'(Z^{(l)})$, so
#   norms change geometrically with depth.
# * $\sigma'(z) \le 1/4$: ten sigmoid layers pass back at most $4^{-10} \approx 10^{-6}$ of the
#   error (before the weights).
# * Initialise so that $n_{in}\,\mathrm{Var}(w)\,\mathbb{E}[a^2] = \mathrm{Var}(z)$:
#   $\mathrm{Var}(w) = 1/n$ for tanh (Xavier), $2/n_{in}$ for ReLU (He).
# * Watch $\lVert\partial L/\partial W^{(l)}\rVert$ per layer (`History.grad_norms`); clip the
#   global norm to survive the occasional huge gradient.
#
# Other tools you will meet for the same problem, not covered here: residual connections
# (which add an identity path around layers, so a factor of 1 is always available) and
# normalisation layers (which rescale $Z^{(l)}$ at every layer).
#
# ## Flashcards
#
# Rate each card from 1 (Not at all) to 5 (Perfectly) for how well you recalled it; the
# cards you find hard come back sooner.

# %%
# NBVAL_IGNORE_OUTPUT
from bpcourse.flashcards import quiz
quiz("vanishing-exploding")
