"""Ordinal (Likert) item statistics: the numerical core of polychoric correlations.

The lowest layer of :mod:`cxsurvey.stats` -- it imports no other statistics family, so item
statistics (ordinal alpha) and CB-SEM (WLSMV) can build on it.

* :mod:`.bivariate_normal` -- Phi2(h, k; rho), its density and rectangle (cell)
  probabilities (Drezner & Wesolowsky 1990; Genz 2004);
* :mod:`.thresholds` -- an item's categories and thresholds from its marginal proportions;
* :mod:`.polychoric` -- the polychoric matrix by lavaan's two-step ML, all pairs at once;
* :mod:`.smoothing` -- eigenvalue smoothing of a non-positive-definite matrix (psych);
* :mod:`.acov` -- the asymptotic covariance matrix (Gamma) of the thresholds and polychoric
  correlations (Muthen 1984, lavaan's NACOV) and the DWLS weights.
"""

from cxsurvey.stats.ordinal.acov import (
    PolychoricAcov,
    acov_from_codes,
    polychoric_acov,
    statistic_names,
    wls_weight_diag,
)
from cxsurvey.stats.ordinal.bivariate_normal import bvn_cdf, bvn_pdf, rectangle_probability
from cxsurvey.stats.ordinal.polychoric import (
    PolychoricResult,
    polychoric,
    polychoric_from_tables,
)
from cxsurvey.stats.ordinal.smoothing import smooth_correlation
from cxsurvey.stats.ordinal.thresholds import ItemThresholds, code_categories, item_thresholds

__all__ = ["ItemThresholds", "PolychoricAcov", "PolychoricResult", "acov_from_codes", "bvn_cdf",
           "bvn_pdf", "code_categories", "item_thresholds", "polychoric", "polychoric_acov",
           "polychoric_from_tables", "rectangle_probability", "smooth_correlation",
           "statistic_names", "wls_weight_diag"]
