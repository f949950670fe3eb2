r"""Closed forms of the 1-D test laws under the OU forward process (notes §2.1, §5, §6 claim 10).

OU: :math:`X_t = m X_0 + \sigma Z` with :math:`m = e^{-t}`, :math:`\sigma^2 = 1 - e^{-2t}`.  Every law exposes
``logpdf(x, t)``, ``score(x, t)`` and ``dscore(x, t)`` (:math:`\partial_x s_t`), vectorised in ``x``; all
work in
the log domain (``log_ndtr``, ``erfcx``) so tails give finite values.

* Laplace :math:`\tfrac12 e^{-|x|}` (notes §5, [BACKGROUND; computed]):
  :math:`p_t = \frac{e^{\sigma^2/(2b^2)}}{4b}[e^{-x/b}E_1 + e^{x/b}E_2]`, :math:`b = m`,
  :math:`E_{1,2} = \operatorname{erfc}((\sigma^2/b \mp x)/(\sigma\sqrt2))`, score
  :math:`s = \tanh((L_A - L_B)/2)/b` with :math:`L_A = x/b + \log E_2`, :math:`L_B = -x/b + \log E_1`.
* Uniform mixtures :math:`\sum_i w_i U[a_i, b_i]` (notes §6 claim 10):
  :math:`p_t = \sum_i w_i(\Phi(\frac{x-m a_i}{\sigma}) - \Phi(\frac{x-m b_i}{\sigma}))/(m(b_i-a_i))`.
* Gaussian mixtures :math:`\sum_i w_i N(\mu_i, v_i)`: :math:`p_t = \sum_i w_i N(m\mu_i, m^2 v_i + \sigma^2)`.
* Two atoms :math:`\pm\mu`: :math:`s_t = (-x + m\mu\tanh(m\mu x/\sigma^2))/\sigma^2` (notes §4.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import erfcx, log_ndtr, logsumexp

LOG2 = math.log(2.0)
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def ou_coeffs(t: float) -> tuple[float, float]:
    """(m, σ) of OU at time ``t > 0``: m = e^{-t}, σ² = -expm1(-2t) (no cancellation at small t)."""
    return math.exp(-t), math.sqrt(-math.expm1(-2.0 * t))


def _log_erfc(u: np.ndarray) -> np.ndarray:
    """log erfc(u) = log 2 + log Φ(-u√2), finite for every u."""
    return LOG2 + log_ndtr(-u * math.sqrt(2.0))


@dataclass(frozen=True)
class Laplace:
    """Laplace data ½e^{-|x|} noised by OU (closed forms of notes §5)."""

    name: str = "laplace"

    def _parts(self, x: np.ndarray, t: float):
        b, s = ou_coeffs(t)
        u1 = (s * s / b - x) / (s * math.sqrt(2.0))
        u2 = (s * s / b + x) / (s * math.sqrt(2.0))
        la = x / b + _log_erfc(u2)
        lb = -x / b + _log_erfc(u1)
        return b, s, u1, u2, la, lb

    def logpdf(self, x: np.ndarray, t: float) -> np.ndarray:
        b, s, _, _, la, lb = self._parts(np.asarray(x, float), t)
        return s * s / (2 * b * b) - math.log(4 * b) + np.logaddexp(la, lb)

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        b, _, _, _, la, lb = self._parts(np.asarray(x, float), t)
        return np.tanh(0.5 * (la - lb)) / b

    def dscore(self, x: np.ndarray, t: float) -> np.ndarray:
        b, s, u1, u2, la, lb = self._parts(np.asarray(x, float), t)
        th = np.tanh(0.5 * (la - lb))
        c = math.sqrt(2.0 / math.pi) / s
        with np.errstate(over="ignore"):  # erfcx(-large) = inf -> 1/inf = 0, the exact limit
            dl = 2.0 / b - c * (1.0 / erfcx(u2) + 1.0 / erfcx(u1))
        return (1.0 - th * th) * dl / (2.0 * b)

    def second_moment(self, t: float) -> float:
        """E X_t² = 2 m² + σ² (Var of Laplace(1) is 2)."""
        m, s = ou_coeffs(t)
        return 2 * m * m + s * s


@dataclass(frozen=True)
class UniformMixture:
    """Mixture of uniform laws Σ w_i U[a_i, b_i] noised by OU (notes §6 claim 10)."""

    weights: tuple[float, ...] = (0.5, 0.5)
    intervals: tuple[tuple[float, float], ...] = ((-2.0, -1.0), (1.0, 2.0))
    name: str = "two-uniform"

    def _comp(self, x: np.ndarray, t: float):
        """Per component: log p_i, p_i'/p_i, p_i''/p_i (arrays of shape (K, n))."""
        m, s = ou_coeffs(t)
        out = []
        for a, b in self.intervals:
            u1, u2 = (x - m * a) / s, (x - m * b) / s  # u1 > u2
            left = u1 + u2 < 0
            big = np.where(left, log_ndtr(u1), log_ndtr(-u2))
            small = np.where(left, log_ndtr(u2), log_ndtr(-u1))
            ldiff = big + np.log(-np.expm1(small - big))  # log(Φ(u1) − Φ(u2))
            r1 = np.exp(-0.5 * u1 * u1 - LOG_SQRT_2PI - ldiff)
            r2 = np.exp(-0.5 * u2 * u2 - LOG_SQRT_2PI - ldiff)
            out.append((ldiff - math.log(m * (b - a)), (r1 - r2) / s, (-u1 * r1 + u2 * r2) / (s * s)))
        return [np.array(v) for v in zip(*out)]

    def _resp(self, x: np.ndarray, t: float):
        lp, d1, d2 = self._comp(np.asarray(x, float), t)
        lw = lp + np.log(np.asarray(self.weights))[:, None]
        lse = logsumexp(lw, axis=0)
        return lse, np.exp(lw - lse), d1, d2

    def logpdf(self, x: np.ndarray, t: float) -> np.ndarray:
        return self._resp(x, t)[0]

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        _, r, d1, _ = self._resp(x, t)
        return np.sum(r * d1, axis=0)

    def dscore(self, x: np.ndarray, t: float) -> np.ndarray:
        _, r, d1, d2 = self._resp(x, t)
        s = np.sum(r * d1, axis=0)
        return np.sum(r * d2, axis=0) - s * s


@dataclass(frozen=True)
class GaussMix:
    """1-D Gaussian mixture Σ w_i N(μ_i, v_i) noised by OU: Σ w_i N(mμ_i, m²v_i + σ²)."""

    weights: tuple[float, ...] = (0.5, 0.5)
    means: tuple[float, ...] = (-1.5, 1.5)
    variances: tuple[float, ...] = (0.25, 0.25)
    name: str = "gauss-mix"

    def params(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m, s = ou_coeffs(t) if t > 0 else (1.0, 0.0)
        w, mu, v = (np.asarray(a, float)[:, None] for a in (self.weights, self.means, self.variances))
        return w, m * mu, m * m * v + s * s

    def _resp(self, x: np.ndarray, t: float):
        w, mu, v = self.params(t)
        x = np.asarray(x, float)
        lp = -0.5 * (x - mu) ** 2 / v - 0.5 * np.log(2 * math.pi * v) + np.log(w)
        lse = logsumexp(lp, axis=0)
        return lse, np.exp(lp - lse), mu, v

    def logpdf(self, x: np.ndarray, t: float) -> np.ndarray:
        return self._resp(x, t)[0]

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        _, r, mu, v = self._resp(x, t)
        return np.sum(r * (mu - x) / v, axis=0)

    def dscore(self, x: np.ndarray, t: float) -> np.ndarray:
        _, r, mu, v = self._resp(x, t)
        si = (mu - x) / v
        s = np.sum(r * si, axis=0)
        return np.sum(r * (si * si - 1.0 / v), axis=0) - s * s

    def l2_sq_to_std_normal(self, t: float) -> float:
        r"""‖γ − p_t‖²₂ in closed form: ∫N(x;a,A)N(x;b,B)dx = N(a; b, A + B)."""
        w, mu, v = (a[:, 0] for a in self.params(t))

        def cross(m1, v1, m2, v2):
            return np.exp(-0.5 * (m1 - m2) ** 2 / (v1 + v2)) / np.sqrt(2 * math.pi * (v1 + v2))

        pp = float(np.sum(w[:, None] * w[None, :] * cross(mu[:, None], v[:, None], mu[None, :], v[None, :])))
        pg = float(np.sum(w * cross(mu, v, 0.0, 1.0)))
        gg = 1.0 / (2.0 * math.sqrt(math.pi))
        return pp - 2.0 * pg + gg


def two_atom_dscore(x: np.ndarray, t: float, mu: float) -> np.ndarray:
    """∂_x s_t for data ½δ_{-μ} + ½δ_{μ}: (−1 + (mμ/σ)² sech²(mμx/σ²))/σ²."""
    m, s = ou_coeffs(t)
    e = np.exp(-2.0 * np.abs(m * mu / (s * s) * np.asarray(x, float)))
    return (-1.0 + (m * mu / s) ** 2 * 4.0 * e / (1.0 + e) ** 2) / (s * s)


def normal_pdf(x: np.ndarray, var: float = 1.0) -> np.ndarray:
    return np.exp(-0.5 * np.asarray(x, float) ** 2 / var) / math.sqrt(2 * math.pi * var)


def normal_logpdf(x: np.ndarray, var: float = 1.0) -> np.ndarray:
    """log N(x; 0, var) = −x²/(2 var) − ½ log(2π var)."""
    x = np.asarray(x, float)
    return -0.5 * x * x / var - 0.5 * math.log(2 * math.pi * var)
