"""Figures: sensitivity arrows on a 2-D mixture, where first order is trustworthy, and the trained network.

Pictures only; every number compared with a bound is a Theorem in the other modules.
"""

from __future__ import annotations

import numpy as np

from sgmverify.run import FigureOutput, FigureSpec
from sgmverify.sensitivity import Perturbation, first_order_validity, sample_sensitivity

from . import _common as C


# ------------------------------------------------------------------------------------ arrows
def make_arrows(mode: str, rng: np.random.Generator) -> FigureOutput:
    """Samples of a 2-D mixture with y = ∂x/∂ε (predicted) and central differences of perturbed samples."""
    import matplotlib.pyplot as plt

    rho = C.data(2)
    chi = C.direction("gaussian", 2)
    n = 60 if mode == "quick" else 200
    g = C.grid(200 if mode == "quick" else 400)
    x_T = rho.noised(C.PROCESS, C.T_END).sample(n, rng)
    m = C.model(rho)
    res = sample_sensitivity(C.PROCESS, m, chi, x_T, g, m.log_density(x_T, C.T_END), keep_path=True)
    lchi = np.stack([chi.noised(C.PROCESS, t).log_abs_density(res.x_path[k])[0] for k, t in enumerate(g)])
    rbar = float(np.max(np.exp(lchi - res.log_p_path)))
    eps = 0.01 / (1 + rbar)
    base = Perturbation.from_distribution(rho)
    fd = (C.flow(base + eps * chi, x_T, g) - C.flow(base + (-eps) * chi, x_T, g)) / (2 * eps)
    rel = C.rel_rows(res.y, fd)
    size = np.linalg.norm(res.y, axis=1)
    eta = 0.6 / max(float(np.quantile(size, 0.9)), 1e-12)  # 90% of arrows shorter than 0.6
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    data_pts = rho.sample(2000, rng)
    ax.scatter(data_pts[:, 0], data_pts[:, 1], s=2, c="0.8", label="data ρ")
    ax.scatter(*chi.means[0], marker="*", s=200, c="tab:red", label="χ = N(z, 0.3 I) (added mass)")
    ax.scatter(res.x[:, 0], res.x[:, 1], s=8, c="k", label="PF-ODE samples")
    kw = {"angles": "xy", "scale_units": "xy", "scale": 1.0, "width": 0.004}
    ax.quiver(res.x[:, 0], res.x[:, 1], eta * res.y[:, 0], eta * res.y[:, 1], color="tab:blue", **kw)
    ax.quiver(res.x[:, 0], res.x[:, 1], eta * fd[:, 0], eta * fd[:, 1], color="tab:orange", alpha=0.6, **kw)
    ax.plot([], [], c="tab:blue", label="predicted y (sensitivity ODE)")
    ax.plot([], [], c="tab:orange", label=f"central difference, ε = {eps:.2g}")
    ax.set_title(f"Sample sensitivities ∂x/∂ε (arrows ×{eta:.2g})")
    ax.legend(loc="lower left", fontsize=7)
    ax.set_aspect("equal")
    table = [
        {
            "paths": n,
            "rk4_steps": g.size - 1,
            "eps_fd": eps,
            "median_rel_diff": float(np.median(rel)),
            "max_rel_diff": float(np.max(rel)),
            "median_|y|": float(np.median(size)),
            "max_|y|": float(np.max(size)),
        }
    ]
    notes = (
        "VP(0.1, 20) probability-flow ODE, RK4 on a quadratic grid from T = 1 to t_min = 1e-3, x_T ~ p_T^ρ, "
        "ℓ(T) = log p_T^ρ(x_T) exact.  Blue: y(t_min) from one augmented pass (x, ℓ, y).  Orange: central "
        "difference of RK4 samples of ρ ± εχ from the same x_T (ε·max r = 0.01, truncation ~1e-4 relative).  "
        "Arrows are heavy-tailed: paths ending near the added mass move most."
    )
    return FigureOutput(fig, table, notes)


# ------------------------------------------------------------------------------------ validity map
def make_validity(mode: str, rng: np.random.Generator) -> FigureOutput:
    """log10 |ε r_t(x)| for one added training point (ε = 1/N, N = 1000) on a 2-D mixture."""
    import matplotlib.pyplot as plt

    rho = C.data(2)
    chi = C.direction("point", 2)
    eps = 1e-3
    _, logp = C.callables(rho)
    mu = rho.means[int(np.argmax(rho.weights))]
    z = chi.means[0]
    ns, nt = (60, 40) if mode == "quick" else (160, 100)
    s = np.linspace(-0.5, 1.5, ns)
    ts = np.geomspace(C.T_MIN, 1.0, nt)
    field = np.empty((nt, ns))
    for i, t in enumerate(ts):
        a = float(C.PROCESS.mean_coeff(t))
        line = a * (mu[None] + s[:, None] * (z - mu)[None])
        field[i] = np.log10(np.abs(first_order_validity(logp, chi, C.PROCESS, t, line, eps)) + 1e-300)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    ax = axes[0]
    im = ax.pcolormesh(s, ts, np.clip(field, -4, 4), cmap="RdBu_r", vmin=-4, vmax=4, shading="auto")
    ax.contour(s, ts, field, levels=[-1, 0], colors=["k", "k"], linestyles=["--", "-"])
    ax.set_yscale("log")
    ax.set_xlabel("x = α_t (μ + s (z − μ)):  s = 0 main mode, s = 1 added point")
    ax.set_ylabel("t")
    ax.set_title("log10 ε r_t (relative error of first order); -- 10%, — 100%")
    fig.colorbar(im, ax=ax, label="log10 |ε r_t|  (clipped to ±4)")
    ax = axes[1]
    t = 0.05
    a = float(C.PROCESS.mean_coeff(t))
    gx = np.linspace(-4, 4, 120 if mode == "full" else 70)
    X, Y = np.meshgrid(gx, gx)
    pts = np.stack([X.ravel(), Y.ravel()], axis=1) * max(a, 0.5)
    er = np.log10(np.abs(first_order_validity(logp, chi, C.PROCESS, t, pts, eps)) + 1e-300).reshape(X.shape)
    im2 = ax.pcolormesh(
        pts[:, 0].reshape(X.shape),
        pts[:, 1].reshape(X.shape),
        np.clip(er, -4, 4),
        cmap="RdBu_r",
        vmin=-4,
        vmax=4,
        shading="auto",
    )
    ax.contour(
        pts[:, 0].reshape(X.shape),
        pts[:, 1].reshape(X.shape),
        er,
        levels=[-1, 0],
        colors="k",
        linestyles=["--", "-"],
    )
    ax.scatter(*(a * z), marker="*", s=150, c="yellow", edgecolors="k", label="added training point α_t z")
    ax.set_title(f"log10 ε r_t(x) over the plane at t = {t}")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_aspect("equal")
    fig.colorbar(im2, ax=ax, label="log10 |ε r_t(x)|  (clipped to ±4)")
    table = []
    for t in (1e-3, 0.01, 0.05, 0.2, 1.0):
        xs = rho.noised(C.PROCESS, t).sample(4000, rng)
        er = np.abs(first_order_validity(logp, chi, C.PROCESS, t, xs, eps))
        a = float(C.PROCESS.mean_coeff(t))
        near = a * z + float(C.PROCESS.std(t)) * rng.standard_normal((400, 2))
        er_near = np.abs(first_order_validity(logp, chi, C.PROCESS, t, near, eps))
        table.append(
            {
                "t": t,
                "P_rho(eps r > 0.1)": float(np.mean(er > 0.1)),
                "median eps r near new point": float(np.median(er_near)),
                "first order trustworthy near point": bool(np.median(er_near) < 0.1),
            }
        )
    notes = (
        "ρ: the 2-D test mixture; χ = δ_z, z = (2.5, 2.5) away from the modes, weight ε = 1/1000 (adding one "
        "training point to 1000).  |ε r_t| is exactly the relative error of the first-order score change "
        "ε δ_χ s (sens.first_order_relative_error).  Red: first order fails; blue: trustworthy.  "
        "Right panel: the same quantity over the plane at t = 0.05; the star marks the added training "
        "point α_t z.  Near the new point at small t (memorisation regime) ε r ≫ 1; where ρ has its mass "
        "ε r is negligible."
    )
    return FigureOutput(fig, table, notes)


# ------------------------------------------------------------------------------------ trained network
def make_network(mode: str, rng: np.random.Generator) -> FigureOutput:
    """Sensitivity error and correlation against the network's score error, for three trained networks."""
    import matplotlib.pyplot as plt

    from . import trained_network as TN

    rows = []
    for name in TN.CONFIGS:
        out = TN.compare(name, 32, 100, 1)
        corr = float(np.corrcoef(out["y_exact"].ravel(), out["y_net"].ravel())[0, 1])
        rows.append(
            {
                "network": name,
                "width": TN.CONFIGS[name].width,
                "depth": TN.CONFIGS[name].depth,
                "train_steps": TN.CONFIGS[name].steps,
                "score_rel_error": out["score_rel_error"],
                "sens_rel_error_median": out["sens_rel_error"],
                "correlation": corr,
                "log_p_error_max": out["log_p_error"],
            }
        )
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    se = [r["score_rel_error"] for r in rows]
    axes[0].plot(se, [r["sens_rel_error_median"] for r in rows], "o-", label="median |y_net − y|/|y|")
    axes[0].plot(se, [1 - r["correlation"] for r in rows], "s--", label="1 − correlation")
    axes[0].set_xscale("log")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("relative score error along the paths")
    axes[0].legend()
    best = rows[-1]
    out = TN.compare(best["network"], 32, 100, 1)
    axes[1].scatter(out["y_exact"].ravel(), out["y_net"].ravel(), s=6)
    lim = np.max(np.abs(out["y_exact"]))
    axes[1].plot([-lim, lim], [-lim, lim], "k:")
    axes[1].set_xlabel("y exact score")
    axes[1].set_ylabel(f"y network ({best['network']})")
    notes = (
        "d = 10 bimodal mixture, χ = N(z, 0.3 I); 32 paths from the same x_T, 100 RK4 steps, ℓ(T) exact. The "
        "network's ℓ comes from its own exact divergence, so its log-density error enters r = p^χ/p^ρ "
        "exponentially: the sensitivity error tracks the score error near t_min."
    )
    return FigureOutput(fig, rows, notes)


FIGURES = [
    FigureSpec(
        id="sens.arrows",
        title="Sample sensitivities on a 2-D mixture: predicted vs finite differences",
        make=make_arrows,
        caption="Arrows: ∂x(t_min)/∂ε for ρ → ρ + εχ, from the sensitivity ODE (blue) and from central "
        "differences of perturbed probability-flow samples from the same x_T (orange).",
        quick=True,
    ),
    FigureSpec(
        id="sens.validity_map",
        title="Where the first-order prediction is trustworthy (|ε r_t| ≪ 1)",
        make=make_validity,
        caption="log10 of ε r_t = ε p_t^χ/p_t^ρ for one added training point (ε = 1/1000): the exact "
        "relative error of the first-order score change.",
        quick=True,
    ),
    FigureSpec(
        id="sens.network",
        title="Trained network: sensitivity error vs score error (d = 10 bimodal mixture)",
        make=make_network,
        caption="Three DSM networks of increasing training; exact sensitivities from the closed-form score.",
        quick=False,
    ),
]
