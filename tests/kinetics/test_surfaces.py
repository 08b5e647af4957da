"""F(r,t), P(r,t) and the renewal relation on 1D diffusion toward a reflecting receptor wall."""

import numpy as np
import pytest
from scipy import stats

from analysis.kinetics import compute_surfaces


def _walkers(seed, n=3000, frames=300, x0=0.6, D=1e-3):
    rng = np.random.default_rng(seed)
    steps = rng.standard_normal((frames - 1, n)) * np.sqrt(2 * D)
    x = np.abs(x0 + np.concatenate((np.zeros((1, n)), np.cumsum(steps, axis=0))))
    return x


def test_renewal_relation_holds_for_diffusion():
    d = _walkers(31, n=6000)
    # Two "replicas"; the remaining error is sampling noise (it halves with 4x walkers).
    surf = compute_surfaces([d[:, :3000], d[:, 3000:]], 1.0, np.linspace(0.05, 0.45, 9), n_t=200)
    assert surf.renewal_rel_error is not None
    assert surf.renewal_rel_error < 0.08, surf.renewal_rel_error_r
    assert np.all(surf.renewal_rel_error_r[surf.r_nm + 0.025 < 0.6] >= 0)


def test_first_passage_density_matches_levy_and_occupation_normalised():
    x0, D = 0.6, 1e-3
    d = _walkers(32, x0=x0, D=D)
    r = np.linspace(0.1, 0.5, 5)
    surf = compute_surfaces([d], 1.0, r, n_t=300)
    # 1D first passage from x0 to the bin's upper edge r + h/2: Levy with scale
    # (x0 - r - h/2)^2 / (2 D); compare the CDFs.
    for i in (0, 2):
        cdf_measured = np.cumsum(surf.F_per_ps[i]) * 1.0
        cdf_exact = stats.levy.cdf(surf.t_ps + 0.5, scale=(x0 - r[i] - 0.05) ** 2 / (2 * D))
        assert np.max(np.abs(cdf_measured - cdf_exact)) < 0.05
    # P integrates over r to the fraction of walkers inside the grid.
    inside = ((d[:300] >= r[0] - 0.05) & (d[:300] < r[-1] + 0.05)).mean(axis=1)
    np.testing.assert_allclose(surf.P_per_nm.sum(axis=0) * 0.1, inside, atol=1e-9)


def test_bad_grid_raises():
    with pytest.raises(ValueError, match="r_grid_nm"):
        compute_surfaces([np.ones((5, 2))], 1.0, np.array([0.1, 0.3, 0.35]))
    with pytest.raises(ValueError, match="nearest_nm"):
        compute_surfaces([], 1.0, np.linspace(0, 1, 3))
