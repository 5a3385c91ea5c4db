r"""Checks for notebook 04 (weight update): one Momentum step, Adam's first step, and
which learning rate diverges.

Each check works the answer out itself from the givens, then compares. A wrong answer is
also compared with the results of the usual slips (adding the step instead of
subtracting it, putting β on the gradient, leaving out Adam's bias correction…), so the
hint can name the slip rather than only say "different".
"""

from __future__ import annotations

import numpy as np

from . import check_choice, choice_key, grade, same_value, verdict


# -- Momentum ------------------------------------------------------------------------------
def check_momentum_step(v_new, theta_new, *, theta, v, g, beta: float, lr: float) -> bool:
    r"""Check one Momentum step: $v \leftarrow \beta v + g$, then
    $\theta \leftarrow \theta - \eta v$ (with the new v).

    ``v_new`` and ``theta_new`` are the learner's velocity and parameters after the step,
    from the givens ``theta``, ``v`` (the velocity before), ``g``, ``beta`` and ``lr``.
    """
    theta, v, g = (np.asarray(x, dtype=float) for x in (theta, v, g))
    v_right = beta * v + g
    v_slips = [
        (v + beta * g, "β multiplies the old velocity, not the gradient: v ← βv + g."),
        (beta * v + (1 - beta) * g, "that is the averaged form βv + (1−β)g used for Adam's m; "
         "the Momentum in this course adds the whole gradient: v ← βv + g."),
        (beta * g, "keep the old velocity: the new one is βv + g."),
        (g, "the velocity remembers the past: v ← βv + g, not just g."),
    ]
    if not same_value(v_new, v_right):
        return grade(v_new, v_right, "the new velocity v", v_slips,
                      "multiply the old velocity by β, then add the gradient g.")
    theta_slips = [
        (theta + lr * v_right, "you added the step: go downhill, θ ← θ − ηv."),
        (theta - lr * g, "the step uses the new velocity v, not the raw gradient g."),
        (theta - lr * v, "use the velocity after this step's update (the new v), not the "
         "old one."),
        (theta - v_right, "multiply the velocity by the learning rate η before subtracting."),
    ]
    return grade(theta_new, theta - lr * v_right, "the Momentum step (v and θ)", theta_slips,
                  "θ ← θ − η v with the new v.")


# -- Adam ----------------------------------------------------------------------------------
def check_adam_first_step(step, *, g, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                          eps: float = 1e-8) -> bool:
    r"""Check the change $\Delta\theta = \theta_1 - \theta_0$ that Adam makes on its first step.

    With $m = v = 0$ before and $t = 1$: $m = (1-\beta_1) g$, $v = (1-\beta_2) g^2$,
    $\hat m = m/(1-\beta_1)$, $\hat v = v/(1-\beta_2)$,
    $\Delta\theta = -\eta\,\hat m / (\sqrt{\hat v} + \epsilon)$.
    """
    g = np.asarray(g, dtype=float)
    m = (1 - beta1) * g
    v = (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
    right = -lr * m_hat / (np.sqrt(v_hat) + eps)
    # The slips leave ε out: learners working by hand usually drop it.
    # A zero in g makes some slips 0/0; NaN there simply never matches an answer.
    with np.errstate(divide="ignore", invalid="ignore"):
        slips = [
            (-lr * m / np.sqrt(v), "you forgot the bias correction: at t = 1 divide m by "
             "1 − β1 and v by 1 − β2 before using them."),
            (-lr * m_hat / np.sqrt(v), "correct both moments: v̂ = v / (1 − β2) as well."),
            (-lr * m / np.sqrt(v_hat), "correct both moments: m̂ = m / (1 − β1) as well."),
            (-right, "you added the step: Adam moves against the gradient, "
             "Δθ = −η m̂ / (√v̂ + ε)."),
            (-lr * m_hat / v_hat, "divide by the square root of v̂: √v̂ has the units of g, "
             "so the ratio m̂/√v̂ is about ±1."),
            (-lr * g, "that is plain SGD's step −ηg; Adam divides m̂ by √v̂."),
        ]
    # ε only nudges the result (by about ε/|g|), so answers that leave it out count as right.
    return grade(step, right, "Adam's first step Δθ", slips,
                  "compute m, v, then m̂ = m/(1−β1), v̂ = v/(1−β2), then Δθ = −η m̂/(√v̂ + ε).",
                  rtol=1e-3)


# -- which learning rate diverges -----------------------------------------------------------
def diverging_options(options: dict[str, float], a: float, b: float) -> list[str]:
    r"""The options whose gradient descent diverges on $\tfrac12(a\theta_1^2 + b\theta_2^2)$.

    Each step multiplies $\theta_1$ by $1 - \eta a$ and $\theta_2$ by $1 - \eta b$, so a
    rate diverges when either factor has size above 1.
    """
    return [k for k, lr in options.items() if max(abs(1 - lr * a), abs(1 - lr * b)) > 1]


def check_diverging_lr(answer, *, options: dict[str, float], a: float, b: float) -> bool:
    """Check the learner's pick of the one learning rate in ``options`` that diverges.

    The hint for a wrong pick describes what that rate really does, from the factors
    1 − ηa and 1 − ηb each step multiplies the coordinates by.
    """
    bad = diverging_options(options, a, b)
    if len(bad) != 1:
        raise ValueError(f"exactly one option should diverge, but {bad or 'none'} do")
    what = "the learning rate that diverges"
    if answer is ... or answer is None:
        return check_choice(answer, bad[0], what)  # it words the "no answer yet" verdict
    key = (choice_key(answer) or "").upper()
    if key not in options:
        return verdict(False, what, f"You chose {answer!r}.",
                       f"answer with one of the letters {', '.join(options)}.")
    if key == bad[0]:
        return verdict(True, what, f"η = {options[key]:g} multiplies θ2 by "
                       f"{1 - options[key] * b:.3g} each step: its size grows.")
    lr = options[key]
    steep = 1 - lr * b
    does = ("flips sign every step (it oscillates) but still shrinks" if steep < 0
            else "shrinks without changing sign")
    return verdict(False, what, f"You chose {key} (η = {lr:g}).",
                   f"with η = {lr:g} each step multiplies θ2 by 1 − ηb = {steep:.3g}, which "
                   f"{does}. Divergence needs |1 − ηb| > 1, that is η > 2/b = {2 / b:g}.")


# -- learning-rate schedules ---------------------------------------------------------------
def check_schedule_values(eta_step, eta_cos, *, lr: float, every: int, factor: float, t: int,
                          total: int, t_cos: int) -> bool:
    r"""Check two learning rates read off schedules by hand (steps counted from 1).

    ``eta_step`` is ``StepDecay(lr, every, factor)`` at step ``t``:
    $\eta_0\,\text{factor}^{\lfloor (t-1)/\text{every}\rfloor}$. ``eta_cos`` is
    ``Cosine(lr, total)`` at step ``t_cos``:
    $\tfrac12\eta_0\,(1 + \cos(\pi\,(t-1)/(T-1)))$.
    """
    drops = (t - 1) // every
    step_right = lr * factor ** drops
    step_slips = [
        (lr * factor ** (t // every), f"steps are counted from 1: steps 1 to {every} use "
         f"η₀, so the rate first drops at step {every + 1}. The exponent is "
         "⌊(t − 1)/every⌋."),
        (lr * factor, f"the rate is multiplied by {factor:g} at every drop, not only at the "
         "first one: count the drops before this step."),
    ]
    if not same_value(eta_step, step_right):
        return grade(eta_step, step_right, f"η at step {t} of the step decay", step_slips,
                     "count the drops before step t, ⌊(t − 1)/every⌋, and multiply η₀ by "
                     "the factor once per drop.")
    progress = (t_cos - 1) / (total - 1)
    cos_right = 0.5 * lr * (1 + np.cos(np.pi * progress))
    cos_slips = [
        (0.5 * lr * (1 + np.cos(np.pi * t_cos / total)), "steps are counted from 1 and the "
         f"cosine reaches its end at step T: the progress is (t − 1)/(T − 1) = {progress:g}."),
        (lr * (1 + np.cos(np.pi * progress)), "the bracket 1 + cos(·) runs from 2 down to 0: "
         "halve it, so that η starts at η₀."),
        (0.5 * lr * (1 - np.cos(np.pi * progress)), "the cosine schedule falls: "
         "η = ½ η₀ (1 + cos(π·progress)), with a plus."),
        (0.5 * lr * (1 + np.cos(np.deg2rad(np.pi * progress))), "the angle π·progress is in "
         "radians: NumPy's np.cos and Python's math.cos take radians."),
    ]
    return grade(eta_cos, cos_right, f"η at step {t_cos} of the cosine schedule", cos_slips,
                 "η = ½ η₀ (1 + cos(π (t − 1)/(T − 1))): work out the progress first.",
                 correct=f"η = {step_right:.4g} on the staircase and {cos_right:.4g} on the "
                 "cosine.")
