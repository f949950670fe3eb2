r"""Where the supremum scan of :mod:`sgmverify.regularity._scan` looks: landmarks and scan lines.

Near an atom, a support boundary or a cusp the derivatives of :math:`\log p_t` vary on the scale
:math:`s_t = \sqrt{v_t}` in :math:`x` (notes ``docs/papers/stephanovitch_2025.md`` §6 item 13), so the
scan puts lines through every **landmark** :math:`m_t p` of the data law (atoms and their midpoints — the
medial set —, support ends, box faces, circle points, cusps, means; :func:`landmarks`), parametrised by the
scaled variable :math:`u = (x - m_t p)/s_t`:

* a boundary layer :math:`|u| \le` ``layer`` with spacing ``layer_step``;
* far-field rays continued geometrically to :math:`|u| =` ``far`` (``far_per_decade`` points per decade);
* near atoms, a medial layer :math:`u = s_t/(m_t\,\mathrm{scale})\, w`, :math:`|w| \in [10^{-2}, 30]`, when
  that scale is below the layer spacing;
* bulk segments between pairs of landmarks, ``bulk`` points each.

The resolution is a :class:`ScanConfig`.
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass

import numpy as np

from sgmverify.errors import InvalidParameterError

#: Most scan points per line / per boundary layer a ScanConfig may ask for.
MAX_POINTS = 10**6

__all__ = ["Landmarks", "ScanConfig", "landmarks"]


def _float(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except OverflowError:  # an integer beyond float64
        return math.inf


@dataclass(frozen=True)
class ScanConfig:
    """Resolution of the scan (all lengths in the scaled variable :math:`u = (x - m_t p)/s_t`).

    Attributes
    ----------
    layer, layer_step : float
        Half-width and spacing of the boundary layer around each landmark.
    far : float
        Outer end of the far-field rays; :math:`10^7` resolves a limit :math:`-1/v_t` to relative
        :math:`\\sim u^{-2} = 10^{-14}` for compact support (R3).
    far_per_decade : int
        Geometric far-field points per decade.
    bulk : int
        Points on each segment between two landmarks.
    n_refine : int
        Grid candidates refined locally.
    directions : int
        For :math:`d \\ge 2`: lines per landmark (axes, diagonals, then fixed pseudo-random directions).
    """

    layer: float = 8.0
    layer_step: float = 0.05
    far: float = 1e7
    far_per_decade: int = 6
    bulk: int = 200
    n_refine: int = 3
    directions: int = 4

    def __post_init__(self) -> None:
        for name in ("layer", "layer_step", "far"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(_float(v)):
                raise InvalidParameterError(f"ScanConfig.{name} must be a finite real number, got {v!r:.60}.")
        for name in ("far_per_decade", "bulk", "n_refine", "directions"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v > MAX_POINTS:
                raise InvalidParameterError(
                    f"ScanConfig.{name} must be an integer <= {MAX_POINTS}, got {v!r:.60}."
                )
        if not (self.layer > 0 and 0 < self.layer_step < self.layer and self.far > self.layer):
            raise InvalidParameterError(
                f"need 0 < layer_step < layer < far, got {self.layer_step}, {self.layer}, {self.far}."
            )
        if min(self.far_per_decade, self.bulk, self.directions) < 1 or self.n_refine < 0:
            raise InvalidParameterError("far_per_decade, bulk and directions must be >= 1, n_refine >= 0.")
        if self.layer / self.layer_step > MAX_POINTS:
            raise InvalidParameterError(
                f"layer / layer_step = {self.layer / self.layer_step:.3g} points per boundary layer exceeds "
                f"{MAX_POINTS}; use a coarser layer_step."
            )

    @classmethod
    def coarse(cls) -> ScanConfig:
        """A cheap scan (for laws evaluated with mpmath): spacing 0.1 on ``|u| <= 6``, 4 points per decade."""
        return cls(layer=6.0, layer_step=0.1, far_per_decade=4, bulk=60, n_refine=2, directions=3)


@dataclass(frozen=True)
class Landmarks:
    """Points of the data space around which the derivatives vary fastest, and what the law is like.

    ``points`` (L, d) are in the data variable (they are mapped to :math:`m_t p` for the scan); ``compact``
    says the support is bounded (so the far field holds a limit, R3); ``scale`` is the data's size.
    """

    points: np.ndarray
    compact: bool = False
    scale: float = 1.0
    pairs: tuple[tuple[int, int], ...] = ()


# ------------------------------------------------------------------------------------------------ landmarks
def landmarks(law) -> Landmarks:
    """Landmarks of a data law, by its type (atoms, boxes, circle, cusp, Gaussian, mixture, 1-D density)."""
    name = type(law).__name__
    d = int(law.dim)
    if hasattr(law, "points") and name.lower().startswith("atom"):
        pts = np.asarray(law.points, dtype=float).reshape(-1, d)
        mids = [(pts[i] + pts[j]) / 2 for i, j in itertools.combinations(range(len(pts)), 2)]
        allp = np.vstack([pts, *mids]) if mids else pts
        pairs = tuple(itertools.combinations(range(len(pts)), 2))
        return Landmarks(allp, compact=True, scale=_spread(pts), pairs=pairs)
    if hasattr(law, "low") and hasattr(law, "high"):
        lo = np.asarray(law.low, dtype=float).reshape(d)
        hi = np.asarray(law.high, dtype=float).reshape(d)
        c, half = (lo + hi) / 2, (hi - lo) / 2
        faces = [c + sgn * half[i] * np.eye(d)[i] for i in range(d) for sgn in (-1, 1)]
        pts = np.vstack([c, *faces])
        return Landmarks(
            pts, compact=True, scale=float(np.max(hi - lo)), pairs=tuple((0, j) for j in range(1, len(pts)))
        )
    if hasattr(law, "radius") and d == 2:  # rotation invariant: the centre and one point of the circle
        r = float(law.radius)
        pts = np.array([[0.0, 0.0], [r, 0.0]])
        return Landmarks(pts, compact=True, scale=2 * r, pairs=((0, 1),))
    if hasattr(law, "beta") and d == 1:  # the cusp at 0; full support, bounded far field
        return Landmarks(np.zeros((1, 1)), compact=False, scale=1.0)
    if hasattr(law, "means"):
        pts = np.asarray(law.means, dtype=float)
        mids = [(pts[i] + pts[j]) / 2 for i, j in itertools.combinations(range(len(pts)), 2)]
        allp = np.vstack([pts, *mids]) if mids else pts
        scale = _spread(pts) + float(np.sqrt(np.max(np.linalg.eigvalsh(np.asarray(law.covs)))))
        return Landmarks(allp, scale=scale, pairs=tuple(itertools.combinations(range(len(pts)), 2)))
    if hasattr(law, "mean") and hasattr(law, "cov"):
        return Landmarks(
            np.asarray(law.mean, dtype=float).reshape(1, d), scale=float(np.sqrt(np.max(np.diag(law.cov))))
        )
    if hasattr(law, "support") and d == 1:
        a, b = (float(z) for z in law.support)
        pts = [z for z in (a, b) if math.isfinite(z)]
        pts += [float(z) for z in getattr(law, "breakpoints", ())]
        if not pts or not all(math.isfinite(z) for z in (a, b)):
            pts.append(0.0)
        pts = sorted(set(pts))
        compact = math.isfinite(a) and math.isfinite(b)
        arr = np.array(pts).reshape(-1, 1)
        return Landmarks(
            arr,
            compact=compact,
            scale=max(1.0, pts[-1] - pts[0]),
            pairs=tuple(zip(range(len(pts) - 1), range(1, len(pts)))),
        )
    return Landmarks(np.zeros((1, d)))


def _spread(pts: np.ndarray) -> float:
    return float(np.max(np.ptp(pts, axis=0))) if len(pts) > 1 else 1.0


def _directions(d: int, n: int) -> np.ndarray:
    if d == 1:
        return np.ones((1, 1))
    dirs = list(np.eye(d))
    dirs += [np.ones(d) / math.sqrt(d), np.r_[1.0, -np.ones(d - 1)] / math.sqrt(d)]
    rng = np.random.default_rng(12345)  # fixed: the scan is deterministic
    while len(dirs) < n:
        z = rng.standard_normal(d)
        dirs.append(z / np.linalg.norm(z))
    return np.array(dirs[: max(n, d)])


# ------------------------------------------------------------------------------------------------ scan lines
@dataclass
class _Line:
    origin: np.ndarray
    direction: np.ndarray
    u: np.ndarray  # scaled coordinates along the line (x = origin + scale * u * direction)
    scale: float
    far_ends: tuple[bool, bool]  # whether the first / last point is a far-field end

    def points(self) -> np.ndarray:
        return self.origin + self.scale * self.u[:, None] * self.direction


def _lines(marks: Landmarks, m: float, s: float, cfg: ScanConfig) -> list[_Line]:
    d = marks.points.shape[1]
    layer = np.arange(-cfg.layer, cfg.layer + cfg.layer_step / 2, cfg.layer_step)
    n_far = max(2, math.ceil(math.log10(cfg.far / cfg.layer) * cfg.far_per_decade) + 1)
    far = np.geomspace(cfg.layer, cfg.far, n_far)[1:]
    # medial layer: near atoms / the medial set the posterior tilts on the scale v/(m*scale), i.e.
    # u = s/(m*scale) * w; add |w| in [1e-2, 30] when that scale is below the layer spacing
    inner = s / (m * max(marks.scale, 1e-300))
    extra = inner * np.geomspace(1e-2, 30.0, 24) if inner < cfg.layer_step else np.empty(0)
    u = np.unique(np.concatenate([-far[::-1], layer, far, extra, -extra]))
    lines = [
        _Line(m * p, e, u, s, (True, True)) for p in marks.points for e in _directions(d, cfg.directions)
    ]
    for i, j in marks.pairs:
        a, b = m * marks.points[i], m * marks.points[j]
        length = float(np.linalg.norm(b - a))
        if length <= 0:
            continue
        ub = np.linspace(0.0, length / s, cfg.bulk)
        lines.append(_Line(a, (b - a) / length, ub, s, (False, False)))
    return lines
