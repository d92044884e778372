r"""Scores replicated from the posterior of a :class:`~irtgap.methods.bayes.fit.GapFit`.

The posterior predictive distribution of a modelled row :math:`i` (model version :math:`m`,
benchmark :math:`b`, provider :math:`p_i`) at posterior sample :math:`s` is the model's own
measurement (:mod:`irtgap.methods.bayes.model`):
:math:`\tilde y_i = \kappa_b \tilde z_i`,
:math:`\tilde z_i \sim \operatorname{Beta}(\mu_i^{(s)}\phi_b^{(s)}, (1-\mu_i^{(s)})\phi_b^{(s)})`
(or the logit-normal noise of ``GapModel(noise="logit_normal")``, see
:mod:`irtgap.methods.bayes.noise`),
with :math:`\tilde z_i` beyond the resolution limits :math:`[\rho_b, 1-\rho_b]` reported as 0
or 1 (the model reads those as censored). With ``measurement_noise="known"`` a row of a benchmark
whose measurement noise is known keeps its persistent effect :math:`e_i`, drawn from its
posterior given the observed score, and only the measurement noise is redrawn: with
:math:`r_i = \operatorname{logit} z_i - \operatorname{logit}\mu_i` (drawn from its
truncated Normal where the score is censored), :math:`\tau_b^2 = 1/\phi_b` and
:math:`k_i = \tau_b^2 / (\tau_b^2 + s_i^2)`,

.. math::

    e_i \mid r_i \sim \mathcal N(k_i r_i,\; k_i s_i^2), \qquad
    \operatorname{logit} \tilde z_i = \operatorname{logit}\mu_i + e_i + s_i \varepsilon_i,
    \quad \varepsilon_i \sim \mathcal N(0, 1).

Rows of benchmarks whose measurement noise is unknown redraw the whole residual
(:math:`k_i = 0`, sd :math:`\tau_b`); with ``measurement_noise="pooled"`` they take the measured
rows' median share :math:`\bar q` of measurement in the residual, :math:`q_i = s_i^2 / (\tau_b^2
+ s_i^2)` (per posterior sample): :math:`s_i^2 = \bar q\, \tau_b^2` and a persistent
variance :math:`(1 - \bar q)\, \tau_b^2` (their likelihood's variance :math:`\tau_b^2` is
the same split either way). The winner's-curse replication
(:func:`irtgap.threshold_bias`) and the posterior predictive checks
(:mod:`irtgap.methods.bayes.checks`) both draw from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr
from scipy import special, stats

from irtgap.core import dims as D
from irtgap.core.measurement import mean_score
from irtgap.methods.bayes.design import CENSOR
from irtgap.methods.bayes.elicitation import design_arrays, elicitation_params, row_shift
from irtgap.methods.bayes.noise import sample as sample_noise
from irtgap.methods.bayes.noise import with_measurement

if TYPE_CHECKING:
    from irtgap.methods.bayes.fit import GapFit

#: The stacked posterior sample dimension (chain x draw, in that order).
SAMPLE_DIM = "sample"


def row_arrays(fit: GapFit) -> dict[str, np.ndarray]:
    """Per modelled row (``fit.design.rows`` order): capability unit, benchmark, provider (-1
    first-party), open, open x public, not public (where private-benchmark effects apply),
    and the floor, ceiling and resolution limit of its benchmark (the floor and resolution as
    fractions of the ceiling, as modelled); with the reasoning effects its reasoning flag
    (``reasoning``), with the interactions its (model family, benchmark) cell (``cell``, or
    ``cell_logit`` with ``interaction_scale="log_odds"``); with
    the elicitation terms also its harness cell
    and effort variant (``harness_cell``, ``effort_variant``: -1 for none;
    :mod:`irtgap.methods.bayes.elicitation`); with the measurement noise its log-odds
    measurement variance, whether it is known, the observed fraction and whether it takes the
    pooled measurement share (``measurement_var``, ``measured``, ``observed``, ``pooled``)."""
    design = fit.design
    units = pd.Index(fit.posterior["unit"].to_numpy())
    rows = design.rows
    base = design.models["base"]
    b = design.benchmark_idx
    out = {
        "unit": units.get_indexer(base.reindex(rows[D.MODEL]).to_numpy()),
        "bench": b,
        "provider": design.provider_idx,
        "open": design.open_rows,
        "open_public": design.open_public,
        "private": design.private_rows,
        "public_time": design.public_time,
        "open_time": design.open_time,
        "bench_domain": design.domain_idx[b],
        "floor": design.floor[b],
        "ceiling": design.ceiling[b],
        "resolution": design.row_resolution,
    }
    if fit.settings.reasoning_effects:
        out["reasoning"] = design.reasoning_rows
    if fit.settings.interactions:  # the cell of a capability or a log-odds interaction
        key = "cell" if fit.settings.interaction_scale == "capability" else "cell_logit"
        out[key] = design.interaction_cells[0]
    if fit.settings.measurement_noise != "none":
        out["measurement_var"] = design.row_measurement_var
        out["measured"] = design.measured_rows
        out["observed"] = design.scaled_scores
        pooled = fit.settings.measurement_noise == "pooled"
        out["pooled"] = ~design.measured_rows if pooled else np.zeros(len(rows), bool)
    if fit.settings.elicitation_terms:
        arrays = design_arrays(design)
        out["harness_cell"] = arrays.cell
        out["effort_variant"] = arrays.variant
    return out


def stacked_posterior(fit: GapFit) -> xr.Dataset:
    """The posterior with one :data:`SAMPLE_DIM` dimension (chain x draw, in that order)."""
    return fit.posterior.stack({SAMPLE_DIM: (D.CHAIN, D.DRAW)})


def all_sample_params(stacked: xr.Dataset) -> dict[str, np.ndarray]:
    """The parameters that generate scores, for every sample of ``stacked``, each with a leading
    sample axis: capability, slope, difficulty, precision, ``gamma`` (0 without the open
    advantage), ``delta`` (provider penalties after a first-party 0), ``lapse`` (0 without
    an upper asymptote), ``open_offset`` (per benchmark; 0 without open offsets),
    ``open_domain_trend`` (per domain; 0 without a trend of the offsets), ``private_effect``
    (per unit; 0 without private-benchmark effects), and the second factor's ``loading`` (per
    benchmark) and ``f2_capability`` (per unit), 0 without it; ``reasoning_effect`` (per
    benchmark, 0 without it); ``interaction`` (per (model family, benchmark) cell) where the fit
    has interactions; the elicitation terms'
    ``harness_effect``, ``open_harness_effect`` and ``effort_offset`` where the fit has them."""
    out = {
        k: stacked[k].transpose(SAMPLE_DIM, ...).to_numpy()
        for k in ("capability", "slope", "difficulty", "precision")
    }
    n_s = out["capability"].shape[0]
    out["gamma"] = (
        stacked["public_advantage"].to_numpy() if "public_advantage" in stacked else np.zeros(n_s)
    )
    out["gamma_trend"] = (
        stacked["public_advantage_trend"].to_numpy()
        if "public_advantage_trend" in stacked
        else np.zeros(n_s)
    )
    delta = np.zeros((n_s, 1))  # index 0: first-party
    if "provider_degradation" in stacked:
        pen = stacked["provider_degradation"].transpose(SAMPLE_DIM, ...).to_numpy()
        delta = np.concatenate([delta, pen], axis=1)
    out["delta"] = delta
    out["private_effect"] = (
        stacked["private_effect"].transpose(SAMPLE_DIM, ...).to_numpy()
        if "private_effect" in stacked
        else np.zeros_like(out["capability"])
    )
    out["f2_capability"] = (
        stacked["f2_capability"].transpose(SAMPLE_DIM, ...).to_numpy()
        if "f2_capability" in stacked
        else np.zeros_like(out["capability"])
    )
    out["open_domain_trend"] = (
        stacked["open_domain_trend"].transpose(SAMPLE_DIM, ...).to_numpy()
        if "open_domain_trend" in stacked
        else np.zeros((n_s, 1))
    )
    for name in ("lapse", "open_offset", "loading", "reasoning_effect"):
        out[name] = (
            stacked[name].transpose(SAMPLE_DIM, ...).to_numpy()
            if name in stacked
            else np.zeros_like(out["slope"])
        )
    if "interaction" in stacked:  # per (model family, benchmark) cell
        out["interaction"] = stacked["interaction"].transpose(SAMPLE_DIM, ...).to_numpy()
    out.update(elicitation_params(stacked))
    return out


def sample_params(stacked: xr.Dataset, sample: int) -> dict[str, np.ndarray]:
    """The parameters that generate scores, at posterior sample ``sample`` of ``stacked``."""
    one = stacked.isel({SAMPLE_DIM: [sample]})
    return {k: v[0] for k, v in all_sample_params(one).items()}


def mean_fraction(params: dict[str, np.ndarray], arrays: dict[str, np.ndarray]) -> np.ndarray:
    """:math:`\\mu_i`, the mean score (the median with logit-normal noise) of each row as a
    fraction of its benchmark's ceiling, at
    one sample's ``params``, with the log-odds interactions of ``interaction_scale="log_odds"``
    added to its log-odds where ``params`` holds them. The parameters may carry a leading sample
    axis (arrays of shape ``(S, ...)``, ``gamma`` ``(S,)``, ``delta`` ``(S, providers + 1)``):
    then ``(S, rows)``."""
    cap = np.asarray(params["capability"])
    gamma = np.asarray(params["gamma"])
    delta = np.asarray(params["delta"])  # index 0: first-party; none fitted without the term
    n_needed = int(arrays["provider"].max(initial=-1)) + 2
    if delta.shape[-1] < n_needed:
        pad = np.zeros((*delta.shape[:-1], n_needed - delta.shape[-1]))
        delta = np.concatenate([delta, pad], axis=-1)
    theta = cap[..., arrays["unit"]] + gamma[..., None] * arrays["open_public"]
    if "gamma_trend" in params and "public_time" in arrays:
        theta = theta + np.asarray(params["gamma_trend"])[..., None] * arrays["public_time"]
    theta = theta - delta[..., arrays["provider"] + 1]
    if "private_effect" in params and "private" in arrays:
        theta = (
            theta + np.asarray(params["private_effect"])[..., arrays["unit"]] * arrays["private"]
        )
    b = arrays["bench"]
    if "open_offset" in params and "open" in arrays:
        theta = theta + np.asarray(params["open_offset"])[..., b] * arrays["open"]
    if "open_domain_trend" in params and "open_time" in arrays:
        trend = np.asarray(params["open_domain_trend"])
        if trend.shape[-1] > 1 or np.any(trend):
            theta = theta + trend[..., arrays["bench_domain"]] * arrays["open_time"]
    if "loading" in params and "f2_capability" in params:
        theta = (
            theta
            + np.asarray(params["loading"])[..., b]
            * np.asarray(params["f2_capability"])[..., arrays["unit"]]
        )
    if "reasoning" in arrays and "reasoning_effect" in params:
        theta = theta + np.asarray(params["reasoning_effect"])[..., b] * arrays["reasoning"]
    if "cell" in arrays and "interaction" in params:
        theta = theta + np.asarray(params["interaction"])[..., arrays["cell"]]
    if "harness_cell" in arrays:
        theta = theta + elicitation_rows(params, arrays)
    lapse = np.asarray(params.get("lapse", np.zeros_like(params["slope"])))
    mu = mean_score(
        theta,
        difficulty=np.asarray(params["difficulty"])[..., b],
        slope=np.asarray(params["slope"])[..., b],
        floor=arrays["floor"],
        lapse=lapse[..., b],
    )
    if "cell_logit" in arrays and "interaction" in params:  # on the median's log-odds
        v = np.asarray(params["interaction"])[..., arrays["cell_logit"]]
        mu = special.expit(special.logit(mu) + v)
    return np.asarray(mu)


def elicitation_rows(params: dict[str, np.ndarray], arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Per row (and sample, with a sample axis): the elicitation terms' shift of the effective
    capability (:func:`~irtgap.methods.bayes.elicitation.row_shift`; 0 without the terms).

    Parameters
    ----------
    params : dict
        The parameters (:func:`all_sample_params` or :func:`sample_params`).
    arrays : dict
        The rows' arrays (:func:`row_arrays`, or a slice of them).

    Returns
    -------
    numpy.ndarray
    """
    if "harness_cell" not in arrays:
        return np.zeros(len(arrays["bench"]))
    return row_shift(params, arrays["harness_cell"], arrays["open"], arrays["effort_variant"])


def row_precision(params: dict[str, np.ndarray], arrays: dict[str, np.ndarray]) -> np.ndarray:
    r"""Per row (and sample, with a sample axis): the precision of its score's noise as the
    likelihood reads it, :math:`\phi_b`, or with the measurement noise
    :math:`1 / (1/\phi_b + s_i^2)` (the persistent effect integrated out).

    Parameters
    ----------
    params : dict
        The parameters (:func:`all_sample_params` or :func:`sample_params`).
    arrays : dict
        The rows' arrays (:func:`row_arrays`, or a slice of them).

    Returns
    -------
    numpy.ndarray
    """
    phi = np.asarray(params["precision"])[..., arrays["bench"]]
    if "measurement_var" not in arrays:
        return phi
    return np.asarray(with_measurement(phi, arrays["measurement_var"]))


def replicate_fractions(
    params: dict[str, np.ndarray],
    arrays: dict[str, np.ndarray],
    rng: np.random.Generator,
    *,
    noise: str,
) -> np.ndarray:
    """Replicated scores of the rows as fractions of the ceiling, beyond the resolution limits
    reported as 0 and 1 (see the module docstring; with the measurement noise each row keeps
    its persistent effect).

    Parameters
    ----------
    params : dict
        The parameters of one sample (:func:`sample_params`) or of several, with a leading
        sample axis (:func:`all_sample_params`).
    arrays : dict
        The rows' arrays (:func:`row_arrays`).
    rng : numpy.random.Generator
        The random source.
    noise : str
        The fit's noise form (:data:`irtgap.methods.bayes.noise.NOISES`).

    Returns
    -------
    numpy.ndarray
        Shape ``(rows,)``, or ``(samples, rows)`` with a sample axis.
    """
    mu = mean_fraction(params, arrays)
    eps = arrays.get("resolution", CENSOR)
    if "measurement_var" in arrays:
        z = _keep_persistent(mu, np.asarray(params["precision"])[..., arrays["bench"]], arrays, rng)
    else:
        z = sample_noise(rng, mu, row_precision(params, arrays), noise)
    # the model treats scores beyond the resolution limit as censored: report them as 0 / 1
    return np.where(z <= eps, 0.0, np.where(z >= 1 - eps, 1.0, z))


def _keep_persistent(
    mu: np.ndarray, phi: np.ndarray, arrays: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """Logit-normal replicates that keep each measured row's persistent effect (module
    docstring); rows of benchmarks without a known measurement noise redraw it all."""
    s2, measured = arrays["measurement_var"], arrays["measured"]
    eps = np.asarray(arrays.get("resolution", CENSOR), float)
    tau2 = 1.0 / phi
    pooled = arrays.get("pooled")
    if pooled is not None and pooled.any() and measured.any():
        # the measured rows' median share of measurement in the residual, per sample
        share = np.median((s2 / (tau2 + s2))[..., measured], axis=-1, keepdims=True)
        s2 = np.where(pooled, share * tau2, s2)
        tau2 = np.where(pooled, (1 - share) * tau2, tau2)
        measured = measured | pooled
    v = tau2 + s2
    m = special.logit(mu)
    z_obs = arrays["observed"]
    low, high = z_obs <= eps, z_obs >= 1 - eps
    r = special.logit(np.clip(z_obs, eps, 1 - eps)) - m
    shape = np.broadcast_shapes(np.shape(m), np.shape(z_obs))
    r = np.broadcast_to(r, shape).copy()
    cens = np.broadcast_to((low | high) & measured, shape)
    if cens.any():  # the total residual beyond the limit: a truncated Normal draw
        sd = np.sqrt(np.broadcast_to(v, shape)[cens])
        e_low = np.broadcast_to(special.logit(eps) - m, shape)[cens] / sd
        e_high = np.broadcast_to(special.logit(1 - eps) - m, shape)[cens] / sd
        is_low = np.broadcast_to(low, shape)[cens]
        a = np.where(is_low, -np.inf, e_high)
        b = np.where(is_low, e_low, np.inf)
        r[cens] = sd * stats.truncnorm.rvs(a, b, random_state=rng)
    k = np.where(measured, tau2 / v, 0.0)
    spread = np.sqrt(np.where(measured, (1.0 + k) * s2, tau2))
    return np.asarray(special.expit(m + k * r + spread * rng.standard_normal(shape)))


def replicate_scores(
    params: dict[str, np.ndarray],
    arrays: dict[str, np.ndarray],
    rng: np.random.Generator,
    *,
    noise: str,
) -> np.ndarray:
    """Scores of the modelled rows (``arrays``) replicated from one sample's ``params``, on the
    benchmark's own scale (fraction of the ceiling times the ceiling), with the fit's ``noise``
    (:mod:`irtgap.methods.bayes.noise`)."""
    z = replicate_fractions(params, arrays, rng, noise=noise)
    ceiling = arrays.get("ceiling")
    return z if ceiling is None else z * ceiling
