"""One measurement function (the floor-logistic mean score) for the model, the replicator and the
simulator: the numpy and pytensor forms agree, and the replicator draws around it."""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt

from irtgap.core.measurement import MEAN_CLIP, mean_score
from irtgap.methods.bayes.model import PYTENSOR_OPS
from irtgap.methods.bayes.replicate import replicate_scores


def _params(rng: np.random.Generator, n: int = 50) -> dict[str, np.ndarray]:
    return {
        "effect": rng.normal(0, 3, n),
        "difficulty": rng.normal(0, 1, n),
        "slope": rng.uniform(0.3, 3, n),
        "floor": rng.choice([0.0, 0.25, 0.5], n),
    }


def test_numpy_and_pytensor_forms_agree():
    p = _params(np.random.default_rng(0))
    expected = mean_score(
        p["effect"], difficulty=p["difficulty"], slope=p["slope"], floor=p["floor"]
    )
    tensors = {k: pt.as_tensor_variable(v) for k, v in p.items()}
    got = mean_score(
        tensors["effect"],
        difficulty=tensors["difficulty"],
        slope=tensors["slope"],
        floor=tensors["floor"],
        ops=PYTENSOR_OPS,
    ).eval()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_floor_ceiling_and_midpoint():
    big = np.array([-1e3, 0.0, 1e3])
    mu = mean_score(big, difficulty=0.0, slope=1.0, floor=0.25)
    np.testing.assert_allclose(mu, [0.25, 0.625, 1 - MEAN_CLIP])
    mu0 = mean_score(np.array([-1e3]), difficulty=0.0, slope=1.0, floor=0.0)
    assert mu0[0] == MEAN_CLIP  # clipped, so the Beta shapes stay positive
    assert np.all(np.diff(mean_score(np.linspace(-5, 5, 11), difficulty=0, slope=2, floor=0)) > 0)


def test_replicator_draws_around_the_mean_score():
    rng = np.random.default_rng(1)
    n_units, n_bench, n_rows = 6, 3, 3000
    params = {
        "capability": rng.normal(0, 1, n_units),
        "slope": np.array([0.8, 1.5, 2.0]),
        "difficulty": np.array([-0.5, 0.0, 0.7]),
        "precision": np.full(n_bench, 2000.0),  # almost no noise: draws sit on the mean
        "gamma": np.asarray(0.4),
        "delta": np.array([0.0, 0.3]),
    }
    arrays = {
        "unit": rng.integers(0, n_units, n_rows),
        "bench": rng.integers(0, n_bench, n_rows),
        "provider": rng.integers(-1, 1, n_rows),
        "open_public": rng.integers(0, 2, n_rows).astype(float),
        "floor": np.array([0.0, 0.25, 0.1])[rng.integers(0, n_bench, n_rows)],
        "ceiling": np.ones(n_rows),
    }
    z = replicate_scores(params, arrays, np.random.default_rng(2), noise="beta")
    b = arrays["bench"]
    theta = params["capability"][arrays["unit"]] + params["gamma"] * arrays["open_public"]
    theta = theta - params["delta"][arrays["provider"] + 1]
    mu = mean_score(
        theta, difficulty=params["difficulty"][b], slope=params["slope"][b], floor=arrays["floor"]
    )
    inside = (z > 0) & (z < 1)  # the replicator reports censored scores as 0 / 1
    assert inside.mean() > 0.9
    assert np.abs(z[inside] - mu[inside]).max() < 0.06
    assert abs(np.mean(z[inside] - mu[inside])) < 0.002


def test_replicator_without_a_fitted_provider_penalty():
    """A fit with provider_degradation=False has no penalty draws: hosted rows get none, and
    the replicator runs on data with hosted versions (no IndexError)."""
    params = {
        "capability": np.array([0.0, 1.0]),
        "slope": np.array([1.0]),
        "difficulty": np.array([0.0]),
        "precision": np.array([1e6]),
        "gamma": np.asarray(0.0),
        "delta": np.array([0.0]),  # first-party only
    }
    arrays = {
        "unit": np.array([0, 1, 1]),
        "bench": np.array([0, 0, 0]),
        "provider": np.array([-1, 0, 1]),  # two hosts
        "open_public": np.zeros(3),
        "floor": np.zeros(1)[np.array([0, 0, 0])],
    }
    z = replicate_scores(params, arrays, np.random.default_rng(0), noise="beta")
    expected = mean_score(np.array([0.0, 1.0, 1.0]), difficulty=0.0, slope=1.0, floor=0.0)
    np.testing.assert_allclose(z, expected, atol=0.01)


def test_lapse_lowers_the_upper_asymptote_in_both_forms():
    """The 4PL lapse: scores approach 1 - lapse of the ceiling; numpy and pytensor agree."""
    rng = np.random.default_rng(3)
    p = _params(rng)
    lapse = rng.uniform(0, 0.2, p["effect"].size)
    kw = dict(difficulty=p["difficulty"], slope=p["slope"], floor=p["floor"])
    expected = mean_score(p["effect"], lapse=lapse, **kw)
    got = mean_score(
        pt.as_tensor_variable(p["effect"]),
        lapse=pt.as_tensor_variable(lapse),
        ops=PYTENSOR_OPS,
        **{k: pt.as_tensor_variable(v) for k, v in kw.items()},
    ).eval()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    top = mean_score(np.full(3, 1e3), difficulty=0.0, slope=1.0, floor=0.25, lapse=0.1)
    np.testing.assert_allclose(top, 0.9)
    assert (expected <= 1 - lapse + 1e-12).all()
    # at the difficulty the score is halfway between the floor and the asymptote
    mid = mean_score(0.0, difficulty=0.0, slope=2.0, floor=0.25, lapse=0.15)
    assert np.isclose(mid, 0.25 + (1 - 0.15 - 0.25) / 2)


def test_replicator_reads_the_lapse():
    arrays = {
        "unit": np.zeros(4000, int),
        "bench": np.zeros(4000, int),
        "provider": np.full(4000, -1),
        "open_public": np.zeros(4000, bool),
        "floor": np.zeros(4000),
    }
    params = {
        "capability": np.array([8.0]),
        "slope": np.array([1.0]),
        "difficulty": np.array([0.0]),
        "precision": np.array([200.0]),
        "gamma": np.asarray(0.0),
        "delta": np.array([0.0]),
        "lapse": np.array([0.12]),
    }
    z = replicate_scores(params, arrays, np.random.default_rng(0), noise="beta")
    assert abs(z.mean() - mean_score(8.0, difficulty=0.0, slope=1.0, floor=0.0, lapse=0.12)) < 0.01
    assert z.mean() < 0.9
