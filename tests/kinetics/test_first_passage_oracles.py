"""First-passage oracles: Lévy, inverse Gaussian and the absorbing sphere, through the pipeline."""

import mdtraj as md
import numpy as np
import pytest
from scipy import stats

from analysis.kinetics import (
    HysteresisCutoffs,
    events_from_distances,
    fit_family,
    fit_survival,
    groups_from_selections,
    read_replica,
)
from analysis.kinetics.testsystems import brownian_points, write_point_trajectory

from .oracles import first_passage_1d, sphere_hit_probability, zscore


def test_levy_first_passage_without_drift():
    rng = np.random.default_rng(101)
    x0, D = 1.0, 1.0
    sample = first_passage_1d(x0, D, 0.0, 1e-3, 20.0, 3000, rng)
    c = x0**2 / (2 * D)
    hits = sample.durations[sample.observed]
    conditional = lambda s: stats.levy.cdf(s, scale=c) / stats.levy.cdf(20.0, scale=c)  # noqa: E731
    assert stats.kstest(hits, conditional).pvalue > 0.01
    fit = fit_survival(sample, n_bootstrap=0)
    assert fit.best.family == "levy"
    lo, hi = c * 0.95, c * 1.05
    assert lo < fit.best.params["scale"] < hi


def test_inverse_gaussian_first_passage_with_drift():
    rng = np.random.default_rng(102)
    x0, D, v = 2.0, 0.5, 1.0
    sample = first_passage_1d(x0, D, v, 1e-3, 20.0, 2000, rng)
    t = sample.durations
    assert sample.censored.sum() == 0
    mean, shape = x0 / v, x0**2 / (2 * D)
    law = stats.invgauss(mean / shape, scale=shape)
    assert stats.kstest(t, law.cdf).pvalue > 0.01
    fit = fit_family("invgauss", sample)
    z, msg = zscore(fit.frozen().mean(), mean, t.std() / np.sqrt(t.size))
    assert abs(z) < 4, msg
    # DESIGN.md: shape lambda = x0^2 / (2 D) is scipy's scale; its MLE has relative
    # standard error sqrt(2 / n).
    z, msg = zscore(fit.params["scale"], shape, shape * np.sqrt(2 / t.size))
    assert abs(z) < 4, msg
    assert fit.params["mu"] * fit.params["scale"] == pytest.approx(mean, rel=0.05)


def test_absorbing_sphere_through_trajectory(tmp_path):
    rng = np.random.default_rng(103)
    a, r0, D = 0.5, 1.0, 0.01  # nm, nm, nm^2/ps
    n, dt, spf, frames = 1500, 0.05, 2, 600
    direction = rng.standard_normal((n, 3))
    start = r0 * direction / np.linalg.norm(direction, axis=1, keepdims=True)
    system = brownian_points(start, np.zeros((1, 3)), D, dt, frames, spf, rng=rng)
    xtc, pdb = write_point_trajectory(system, tmp_path)
    tm, rc, mols = groups_from_selections(md.load_topology(str(pdb)), "name OE1", "name NE")
    data = read_replica(xtc, pdb, tm, rc, mols, periodic=False)
    events = events_from_distances(data.distance_nm, data.time_ps, HysteresisCutoffs(a, 2.0))
    fp = events[events.kind == "first_passage"]
    t_end = data.time_ps[-1]
    # Frames every 0.1 ps miss short excursions; the effective radius shrinks by
    # ~0.58 sqrt(D dt_frame) (Siegmund correction); use it in the oracle.
    a_eff = a - 0.5826 * np.sqrt(2 * D * dt * spf / 3)
    p = sphere_hit_probability(a_eff, r0, D, t_end)
    hit_fraction = 1 - fp.censored.mean()
    z, msg = zscore(hit_fraction, p, np.sqrt(p * (1 - p) / n))
    assert abs(z) < 4, msg
    hits = fp.duration_ps[~fp.censored].to_numpy()
    cdf = lambda s: sphere_hit_probability(a_eff, r0, D, s) / p  # noqa: E731
    assert stats.kstest(hits, cdf).pvalue > 0.01
