"""Convergent and discriminant validity: composite reliability and AVE, HTMT,
Fornell-Larcker, and semTools' model-based reliability (compRelSEM, AVE).

* :mod:`.composite` -- rho_c and AVE from standardised loadings (Fornell & Larcker 1981);
* :mod:`.correlation` -- item correlations as ``lavaan::lavCor``;
* :mod:`.htmt` -- HTMT and HTMT2 (Henseler et al. 2015; Roemer et al. 2021);
* :mod:`.fornell_larcker` -- the Fornell-Larcker table and criterion;
* :mod:`.semtools` -- omega and AVE from CB-SEM estimates, as semTools;
* :mod:`.categorical_omega` -- omega of summed ordinal item scores (Green & Yang 2009).
"""

from cxsurvey.stats.validity.categorical_omega import categorical_omega
from cxsurvey.stats.validity.composite import (
    average_variance_extracted,
    composite_reliability,
    cr_ave,
    cr_ave_table,
)
from cxsurvey.stats.validity.correlation import item_correlation
from cxsurvey.stats.validity.fornell_larcker import fornell_larcker, fornell_larcker_passed
from cxsurvey.stats.validity.htmt import htmt, htmt_batch, htmt_from_correlation, htmt_matrix
from cxsurvey.stats.validity.semtools import ave_semtools, comp_rel_sem, theta_matrix

__all__ = ["average_variance_extracted", "ave_semtools", "categorical_omega", "comp_rel_sem",
           "composite_reliability",
           "cr_ave", "cr_ave_table", "fornell_larcker", "fornell_larcker_passed", "htmt",
           "htmt_batch", "htmt_from_correlation", "htmt_matrix", "item_correlation",
           "theta_matrix"]
