r"""The score noise of the gap model around a row's mean fraction :math:`\mu_i`, in numpy.

Three forms (``GapModel(noise=...)``), each with a per-benchmark precision :math:`\phi_b`:

- ``"beta"`` (default): :math:`z_i \sim \operatorname{Beta}(\mu_i\phi_b, (1-\mu_i)\phi_b)`,
  mean :math:`\mu_i`, variance :math:`\mu_i(1-\mu_i)/(1+\phi_b)`;
- ``"logit_normal"``: :math:`\operatorname{logit} z_i \sim \mathcal N(\operatorname{logit}
  \mu_i, \phi_b^{-1/2})`, median :math:`\mu_i`: the noise is a shift on the log-odds scale, so
  it shrinks toward 0 and the ceiling faster than the Beta's, and its density needs
  no gamma functions (a cheaper gradient);
- ``"logit_t"``: :math:`\operatorname{logit} z_i \sim t_\nu(\operatorname{logit}\mu_i,
  \phi_b^{-1/2})`, :math:`\nu` = :data:`T_DOF`: the logit-normal with heavy tails, a robust
  likelihood for heavy-tailed model x benchmark interactions (a model unusually good or bad on
  one benchmark), which otherwise pull that model's capability.

A score beyond the resolution limits (:math:`z \le \epsilon_b` or :math:`z \ge 1 - \epsilon_b`;
:math:`\epsilon_b` is half an item where the benchmark's item count is known, else 0.005: see
:attr:`~irtgap.methods.bayes.design.Design.resolution`) is censored: its likelihood is the
probability of lying beyond the limit. The PyMC graph
(:mod:`irtgap.methods.bayes.graph`) states the same likelihood; these are the numpy twins used by
the replicator and the checks (a test holds them equal).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special, stats

from irtgap.methods.bayes.design import CENSOR

#: The noise forms of :class:`~irtgap.methods.bayes.settings.GapSettings`.
NOISES = ("beta", "logit_normal", "logit_t")
#: Prior of the log precision per noise form (mean, sd): Beta precision median 33 (95%: 4.7 to
#: 235); logit-normal and logit-t scale :math:`\phi^{-1/2}` median 0.41 logits (95%: 0.09 to
#: 1.8).
LOG_PRECISION_PRIOR = {"beta": (3.5, 1.0), "logit_normal": (1.8, 1.5), "logit_t": (1.8, 1.5)}
#: Degrees of freedom of the ``"logit_t"`` noise: tails heavy enough that a score 4 scales
#: off its mean (a model x benchmark quirk, a mis-scored run) costs 4 nats, not 8 as under the
#: Normal, so one such score moves its model's capability less; variance twice the Normal's.
T_DOF = 4.0


def logit_scale(phi: Any, noise: str = "beta") -> Any:
    r"""The noise's spread on the log-odds scale at a mean fraction of one half, per precision
    ``phi`` (numpy or PyTensor): :math:`2 / \sqrt{1 + \phi}` for ``"beta"`` (its sd there,
    to first order), :math:`\phi^{-1/2}` for the logit forms (their scale).

    Parameters
    ----------
    phi : numpy.ndarray or pytensor.tensor.TensorVariable
        Precisions.
    noise : str
        A form of :data:`NOISES`.

    Returns
    -------
    numpy.ndarray or pytensor.tensor.TensorVariable
        The same shape as ``phi``.
    """
    if noise == "beta":
        return 2.0 * (1.0 + phi) ** -0.5
    if noise in ("logit_normal", "logit_t"):
        return phi**-0.5
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")


def with_measurement(phi: Any, measurement_var: Any) -> Any:
    r"""The logit-normal precision of a row whose persistent effect (variance
    :math:`1/\phi_b`) is integrated out beside its measurement noise (variance :math:`s_i^2`):
    :math:`1 / (1/\phi_b + s_i^2)` (``GapModel(measurement_noise=...)``; numpy or PyTensor).

    Parameters
    ----------
    phi : numpy.ndarray or pytensor.tensor.TensorVariable
        Per row, the benchmark's precision :math:`\phi_b`.
    measurement_var : numpy.ndarray
        Per row, the log-odds measurement variance :math:`s_i^2` (0 where unknown).

    Returns
    -------
    numpy.ndarray or pytensor.tensor.TensorVariable
        The broadcast shape of the two.
    """
    return 1.0 / (1.0 / phi + measurement_var)


def _logit(p: np.ndarray) -> np.ndarray:
    return np.asarray(special.logit(p))


def logpdf(z: np.ndarray, mu: np.ndarray, phi: np.ndarray, noise: str = "beta") -> np.ndarray:
    """Log density of uncensored fractions ``z`` (broadcast with ``mu`` and ``phi``)."""
    if noise == "beta":
        a, b = mu * phi, (1 - mu) * phi
        return np.asarray((a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - special.betaln(a, b))
    if noise == "logit_normal":
        r = (_logit(z) - _logit(mu)) * np.sqrt(phi)
        return np.asarray(
            -0.5 * r**2 + 0.5 * np.log(phi) - 0.5 * np.log(2 * np.pi) - np.log(z) - np.log1p(-z)
        )
    if noise == "logit_t":
        r = (_logit(z) - _logit(mu)) * np.sqrt(phi)
        return np.asarray(stats.t.logpdf(r, T_DOF) + 0.5 * np.log(phi) - np.log(z) - np.log1p(-z))
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")


def cdf(x: np.ndarray | float, mu: np.ndarray, phi: np.ndarray, noise: str = "beta") -> np.ndarray:
    """:math:`P(z \\le x)` under the noise around ``mu``."""
    if noise == "beta":
        return np.asarray(special.betainc(mu * phi, (1 - mu) * phi, x))
    if noise == "logit_normal":
        return np.asarray(special.ndtr((_logit(np.asarray(x, float)) - _logit(mu)) * np.sqrt(phi)))
    if noise == "logit_t":
        r = (_logit(np.asarray(x, float)) - _logit(mu)) * np.sqrt(phi)
        return np.asarray(stats.t.cdf(r, T_DOF))
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")


#: Terms of the power series of the censored Beta probability at the default resolution
#: :data:`CENSOR` (as the PyMC graph's).
SERIES_TERMS = 40
#: Largest Beta precision for which :func:`series_terms` keeps the series accurate at coarse
#: resolution limits (to about 1e-8 in log probability): above the prior's 99.9th percentile
#: (730). Beyond it the truncated series (of positive terms) understates the censored
#: probability, so larger precisions are if anything disfavoured on those rows.
SERIES_MAX_PRECISION = 1000.0


def series_terms(x_max: float) -> int:
    r"""Terms of the power series of :math:`I_x(p, q)` for resolution limits up to ``x_max``:
    :data:`SERIES_TERMS` at :data:`CENSOR` (accurate to 1e-8 in log probability for precisions
    up to 3000, the prior's 99.9th percentile is 730); beyond it the terms grow up to
    :math:`n \approx x(p+q)` before they fall, so :math:`40 + 2.5\,x\,\phi_{max}` with
    :math:`\phi_{max}` = :data:`SERIES_MAX_PRECISION` (checked against scipy in the tests)."""
    if x_max <= CENSOR:
        return SERIES_TERMS
    return SERIES_TERMS + int(np.ceil(2.5 * x_max * SERIES_MAX_PRECISION))


def _log_betainc_small(p: np.ndarray, q: np.ndarray, x: np.ndarray | float = CENSOR) -> np.ndarray:
    r""":math:`\log I_x(p, q)` at small ``x`` (broadcast with ``p``, ``q``) by the power series the
    PyMC graph uses (:func:`irtgap.methods.bayes.graph.censored_beta_logp`), in log space: finite
    where scipy's ``betainc`` underflows to 0."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    x = np.broadcast_to(np.asarray(x, float), np.broadcast_shapes(p.shape, np.shape(x)))
    p, q = np.broadcast_arrays(p, q, x)[:2]
    j = np.arange(series_terms(float(x.max()) if x.size else CENSOR), dtype=float)
    log_ratio = (
        np.log(p[..., None] + q[..., None] + j)
        - np.log(p[..., None] + 1 + j)
        + np.log(x)[..., None]
    )
    zero = np.zeros((*p.shape, 1))
    log_total = special.logsumexp(np.concatenate([zero, np.cumsum(log_ratio, -1)], -1), axis=-1)
    return np.asarray(
        p * np.log(x) + q * np.log1p(-x) - np.log(p) - special.betaln(p, q) + log_total
    )


def censored_logp(
    mu: np.ndarray,
    phi: np.ndarray,
    low: np.ndarray,
    noise: str = "beta",
    eps: np.ndarray | float = CENSOR,
) -> np.ndarray:
    """Log probability of lying beyond the resolution limit ``eps`` (per row, broadcast with
    ``mu``): below ``eps`` where ``low``, above ``1 - eps`` elsewhere."""
    if noise == "beta":
        # P(z >= 1 - eps) = I_eps(b, a): the small tail directly, not 1 - I_{1-eps}(a, b)
        a, b = mu * phi, (1 - mu) * phi
        return _log_betainc_small(np.where(low, a, b), np.where(low, b, a), eps)
    if noise in ("logit_normal", "logit_t"):
        m, e = _logit(mu), _logit(np.asarray(eps, float))
        r = np.where(low, e - m, m + e) * np.sqrt(phi)
        if noise == "logit_t":
            return np.asarray(stats.t.logcdf(r, T_DOF))
        return np.asarray(special.log_ndtr(r))
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")


def sample(
    rng: np.random.Generator, mu: np.ndarray, phi: np.ndarray, noise: str = "beta"
) -> np.ndarray:
    """Fractions drawn around ``mu`` (not censored: callers map the tails to 0 and 1)."""
    if noise == "beta":
        return np.asarray(rng.beta(mu * phi, (1 - mu) * phi))
    if noise == "logit_normal":
        return np.asarray(
            special.expit(_logit(mu) + rng.standard_normal(np.shape(mu)) / np.sqrt(phi))
        )
    if noise == "logit_t":
        return np.asarray(
            special.expit(_logit(mu) + rng.standard_t(T_DOF, np.shape(mu)) / np.sqrt(phi))
        )
    raise ValueError(f"noise={noise!r}: use one of {NOISES}")
