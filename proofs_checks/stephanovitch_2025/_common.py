"""Shared pieces of the Stéphanovitch suite: references, processes, laws, hypotheses, measurements.

Math reference: ``docs/papers/stephanovitch_2025.md`` (cited below as "ref."), arXiv 2506.19559.  Only the
paper's forward process (eq. 1) and abstract are verified [V]; every checked statement here is DERIVED [D]
(exact mathematics of the paper's setting from the reference's §1.3-§1.4, §3.2 R1-R11 and §6 claims), never
the paper's own theorem, whose statements were not available [NF].
"""

from __future__ import annotations

import functools
import math

import numpy as np

from sgmverify import Estimate
from sgmverify.laws import Atoms, Density1D, Gaussian, GaussianMixture, HolderCusp, UniformBox, UniformCircle
from sgmverify.regularity import (
    Landmarks,
    ScanConfig,
    is_compact_support,
    landmarks,
    noise_params,
    sup_over_x,
)
from sgmverify.sde import TimeChangedOU
from sgmverify.theory import Assumption, AssumptionResult, Provenance, Reference, Scenario

AUTHOR = "A. Stéphanovitch"
TITLE = "Regularity of the score function in generative models"
ARXIV = "2506.19559"


def derived(where: str) -> Reference:
    """A statement derived in the math reference (exact, checked), not quoted from the paper."""
    return Reference(
        AUTHOR, TITLE, ARXIV, f"derived (math reference {where}); not the paper's theorem", Provenance.DERIVED
    )


#: the forward process (eq. 1) is verified from the paper's text
FORWARD = Reference(AUTHOR, TITLE, ARXIV, "eq. (1): dX = −λγ_t X dt + √(2γ_t) σ dB", Provenance.VERIFIED)
NEGATIVE = Reference(
    "negative control", "deliberately false statement (must be VIOLATED)", provenance=Provenance.TEXTBOOK
)

#: the note every theorem carries whose scenarios include laws outside its hypothesis (tested)
OUT_OF_CLASS = (
    "Scenarios on laws outside the hypothesis are there on purpose: they show that the hypothesis is checked "
    "(ASSUMPTIONS_FAIL is their expected outcome), not that the statement fails there."
)

# --------------------------------------------------------------------------------------------- processes
#: OU member of the family (λ = γ = σ = 1): v_t = 1 − e^{−2t}, the reference's time-integral convention
OU1 = TimeChangedOU(1, "1", 1)
#: a non-constant schedule (Song's VP dictionary: λ = σ = 1, γ_t = β(t)/2 with β linear 0.1 → 20)
VPLIKE = TimeChangedOU(1, "(b0 + t*(b1 - b0))/2", 1, {"b0": 0.1, "b1": 20.0})
#: a general member: λ = 0.5, σ = 1.3, γ_t = 0.2 + t²
GENERAL = TimeChangedOU(0.5, "g0 + t**2", 1.3, {"g0": 0.2})
#: the VE member (λ = 0, γ = 1/2, σ = 1): m = 1, v_t = t — the reduction target of ref. §1.4
VE_UNIT = TimeChangedOU(0, "1/2", 1)


def gamma_rate(proc: TimeChangedOU, t: float) -> float:
    """The schedule γ_t of eq. (1), read off the process's diffusion g_t = σ√(2γ_t): γ_t = g_t²/(2σ²)."""
    return float(proc.diffusion(t)) ** 2 / (2 * proc.sigma_coeff**2)


def t_for_s(s: float) -> float:
    """Time of :data:`OU1` with noise level s_t = s (v = 1 − e^{−2t}, so t = −½ log(1 − s²))."""
    return -0.5 * math.log1p(-s * s)


# --------------------------------------------------------------------------------------------- laws
def _logconcave_quartic() -> Density1D:
    return Density1D("-x**2/2 - 3*x**4/10", support=(-math.inf, math.inf))


def _logsmooth_cos() -> Density1D:
    return Density1D("-x**2/2 + 3*cos(2*x)/10", support=(-math.inf, math.inf))


@functools.cache  # one object per law name, shared by every scenario, check and figure of the suite
def law(name: str):
    """The suite's data laws by name (built once per process)."""
    laws = {
        "gauss1": lambda: Gaussian([0.3], [[0.5]]),
        "gauss3": lambda: Gaussian([0.0, 1.0, -1.0], np.diag([0.2, 1.0, 2.5])),
        "mixture": lambda: GaussianMixture([0.3, 0.7], [[-1.0], [1.5]], [[[0.2]], [[0.4]]]),
        "two_point": lambda: Atoms.two_point(1.0),
        "atoms3": lambda: Atoms([[-1.0], [0.2], [1.0]], [0.3, 0.3, 0.4]),
        "uniform": lambda: UniformBox(-1.0, 1.0),
        "circle": lambda: UniformCircle(1.0),
        "cusp0.5": lambda: HolderCusp(0.5),
        "cusp1": lambda: HolderCusp(1.0),
        "cusp1.5": lambda: HolderCusp(1.5),
        "quartic": _logconcave_quartic,
        "cos": _logsmooth_cos,
    }
    return laws[name]()


#: the law of each name in every claim scenario (so each claim runs on every law: HOLDS or ASSUMPTIONS_FAIL)
ALL_LAWS = ("gauss1", "mixture", "two_point", "atoms3", "uniform", "circle", "cusp0.5", "cusp1.5")

#: exact hypothesis constants by construction: strong log-concavity alpha and log-smoothness L
#: quartic: −(log p)'' = 1 + 3.6 x² ≥ 1 (alpha = 1, not smooth);
#: cos: −(log p)'' = 1 + 1.2 cos 2x ∈ [−0.2, 2.2] (L = 2.2, not log-concave)
_ALPHA = {"quartic": 1.0, "uniform": 0.0}
_L_SMOOTH = {"cos": 2.2}


def scan_config(name: str) -> ScanConfig:
    """Scan resolution per law: the default (far field to |u| = 1e7) for closed forms in float64, a coarser
    one for laws evaluated by quadrature or with many mpmath points (circle, 1-D densities)."""
    if name == "circle":  # mpmath near the circle: a coarser layer; far field to 1e7 for the R3 limit
        return ScanConfig(
            layer=6.0, layer_step=0.2, far=1e7, far_per_decade=2, bulk=30, n_refine=2, directions=2
        )
    if name in ("quartic", "cos"):  # quadrature per point; far field to |x| ~ 10 (bounded Hessian there)
        return ScanConfig(layer=5.0, layer_step=0.2, far=30.0, far_per_decade=3, bulk=30, n_refine=2)
    if name.startswith("cusp"):
        return ScanConfig(layer=6.0, layer_step=0.1, far=1e3, far_per_decade=4, bulk=40, n_refine=2)
    return ScanConfig(layer=8.0, layer_step=0.1, far=1e7, far_per_decade=4, bulk=100, n_refine=3)


def law_name(sc: Scenario) -> str:
    return sc.params["law"]


# --------------------------------------------------------------------------------------------- hypotheses
def _result(name: str, ok: bool | None, detail: str, evidence: str = "by construction") -> AssumptionResult:
    return AssumptionResult(name, {True: "holds", False: "fails", None: "unknown"}[ok], detail, evidence)


def _compact(sc: Scenario) -> AssumptionResult:
    return _result("compact support", is_compact_support(sc.data), type(sc.data).__name__)


def _gaussian(sc: Scenario) -> AssumptionResult:
    return _result("Gaussian data", isinstance(sc.data, Gaussian), type(sc.data).__name__)


def alpha_of(name: str, data) -> float | None:
    """Strong log-concavity constant (0: log-concave), or None if the law is not log-concave."""
    if isinstance(data, Gaussian):
        return float(1.0 / data.eigh()[0][-1])
    return _ALPHA.get(name)


def lsmooth_of(name: str, data) -> float | None:
    """Log-smoothness constant L (−∇² log p ≼ L I), or None if there is none."""
    if isinstance(data, Gaussian):
        return float(1.0 / data.eigh()[0][0])
    return _L_SMOOTH.get(name)


def _logconcave(sc: Scenario) -> AssumptionResult:
    a = alpha_of(law_name(sc), sc.data)
    return _result("log-concave (α ≥ 0)", a is not None, f"α = {a}" if a is not None else "not log-concave")


def _logsmooth(sc: Scenario) -> AssumptionResult:
    L = lsmooth_of(law_name(sc), sc.data)
    return _result("L-log-smooth", L is not None, f"L = {L}" if L is not None else "no finite L")


def _two_point(sc: Scenario) -> AssumptionResult:
    ok = isinstance(sc.data, Atoms) and len(sc.data.weights) == 2 and np.allclose(sc.data.weights, 0.5)
    ok = ok and np.allclose(sc.data.points[0], -sc.data.points[1])
    return _result("symmetric two-point law ±a", bool(ok), type(sc.data).__name__)


def _circle(sc: Scenario) -> AssumptionResult:
    return _result("uniform law on a circle", isinstance(sc.data, UniformCircle), type(sc.data).__name__)


def _uniform_interval(sc: Scenario) -> AssumptionResult:
    ok = isinstance(sc.data, UniformBox) and sc.data.dim == 1
    return _result("uniform law on an interval", ok, type(sc.data).__name__)


def _cusp(sc: Scenario) -> AssumptionResult:
    return _result("Hölder-β cusp (1 + a|y|^β)φ", isinstance(sc.data, HolderCusp), type(sc.data).__name__)


COMPACT = Assumption("compact support", "the data law has bounded support", _compact)
GAUSSIAN = Assumption("Gaussian data", "the data law is N(μ, Σ)", _gaussian)
LOGCONCAVE = Assumption("log-concave", "−∇² log p ≽ α I with α ≥ 0", _logconcave)
LOGSMOOTH = Assumption("log-smooth", "−∇² log p ≼ L I", _logsmooth)
TWO_POINT = Assumption("two-point law", "½(δ_{−a} + δ_a)", _two_point)
CIRCLE = Assumption("circle", "uniform law on the unit circle in ℝ²", _circle)
UNIFORM_INTERVAL = Assumption("uniform interval", "uniform law on [−1, 1]", _uniform_interval)
CUSP = Assumption("Hölder-β cusp", "p ∝ (1 + a|y|^β)φ(y), β ∈ (0, 2)", _cusp)


def out_of_class(theorem) -> list[str]:
    """Names of the theorem's scenarios (all modes) on which one of its hypotheses fails (checked here by
    the same checkers the run uses; they are by construction or cheap)."""
    return [
        sc.name
        for sc in theorem.scenarios
        if any(a.evaluate(sc).status == "fails" for a in theorem.assumptions)
    ]


def note_out_of_class(theorems) -> None:
    """Append :data:`OUT_OF_CLASS` (and the out-of-class laws) to the notes of every claim (expect "holds")
    that has scenarios outside its hypothesis; idempotent."""
    for th in theorems:
        bad = out_of_class(th)
        if th.expect != "holds" or not bad or OUT_OF_CLASS in th.notes:
            continue
        laws = sorted({sc.params.get("law", sc.name) for sc in th.scenarios if sc.name in bad})
        extra = f"{OUT_OF_CLASS} Out of class here: {', '.join(laws)}."
        th.notes = f"{th.notes}  {extra}" if th.notes else extra


def diameter(data) -> float:
    """Diameter of the support (compact laws)."""
    if isinstance(data, Atoms):
        return float(data.diameter)
    if isinstance(data, UniformBox):
        return float(np.linalg.norm(data.high - data.low))
    if isinstance(data, UniformCircle):
        return 2.0 * data.radius
    raise ValueError(f"{type(data).__name__} has no bounded support")


# --------------------------------------------------------------------------------------------- measuring
def sup(sc: Scenario, k: int, side: str | None = None, marks: Landmarks | None = None):
    """The honest supremum (:func:`sgmverify.regularity.sup_over_x`) on the scenario at ``params["t"]``."""
    return sup_over_x(
        sc.data,
        sc.process,
        sc.params["t"],
        k,
        side=side,
        config=scan_config(law_name(sc)),
        marks=marks or landmarks(sc.data),
    )


def exact(value: float, how: str) -> Estimate:
    return Estimate.exact_value(float(value), method=how)


def scenarios(laws, times, process=OU1, quick_times=None, prefix="") -> list[Scenario]:
    """One scenario per (law, t): the law's name in ``params["law"]``, the time in ``params["t"]``."""
    out = []
    for name in laws:
        for t in times:
            quick = quick_times is None or t in quick_times
            out.append(
                Scenario(
                    f"{prefix}{name}-t{t:g}",
                    data=law(name),
                    process=process,
                    params={"t": t, "law": name},
                    quick=quick,
                    sweep=("t",),
                )
            )
    return out


def params(sc: Scenario) -> dict:
    """Bound parameters: noise (t, m, v, s, tau) plus the law's constants when it has them."""
    out = noise_params(sc)
    name = law_name(sc)
    if is_compact_support(sc.data):
        out["D"] = diameter(sc.data)
    a, L = alpha_of(name, sc.data), lsmooth_of(name, sc.data)
    if a is not None:
        out["alpha"] = a
    if L is not None:
        out["L"] = L
    if isinstance(sc.data, HolderCusp):
        out.update(beta=sc.data.beta, a=sc.data.a, c_beta=sc.data.c_beta)
    if isinstance(sc.data, Gaussian):
        lam = sc.data.eigh()[0]
        out.update(lam_min=float(lam[0]), lam_max=float(lam[-1]))
    return out
