"""Fast log-density / log-survival formulas against scipy.stats (the reference)."""

import numpy as np
import pytest

from analysis.kinetics import FAMILIES

PARAMS = {
    "expon": [3.0],
    "gamma": [2.5, 2.0],
    "weibull_min": [0.7, 4.0],
    "lognorm": [0.9, 3.0],
    "invgauss": [0.4, 6.0],
    "levy": [2.0],
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_fast_formulas_match_scipy(name):
    family = FAMILIES[name]
    p = np.array(PARAMS[name])
    law = family.dist(*p[:-1], scale=p[-1])
    t = np.geomspace(1e-2, 1e2, 400) * p[-1]
    ref_pdf, ref_sf = law.logpdf(t), law.logsf(t)
    finite = np.isfinite(ref_sf) & (ref_sf > -700)
    np.testing.assert_allclose(family.logpdf(t, p), ref_pdf, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(family.logsf(t[finite], p), ref_sf[finite], rtol=1e-6, atol=1e-9)
    assert family.names[-1] == "scale"
