"""Convergent and discriminant validity: composite reliability and AVE, HTMT,
Fornell-Larcker, and semTools' model-based reliability (compRelSEM, AVE)."""

from cxsurvey.stats.validity.composite import (
    average_variance_extracted,
    composite_reliability,
    cr_ave,
)
from cxsurvey.stats.validity.discriminant import (
    ave_semtools,
    comp_rel_sem,
    cr_ave_table,
    fornell_larcker,
    fornell_larcker_passed,
    htmt,
    htmt_from_correlation,
    htmt_matrix,
    item_correlation,
    theta_matrix,
)

__all__ = ["average_variance_extracted", "ave_semtools", "comp_rel_sem", "composite_reliability",
           "cr_ave", "cr_ave_table", "fornell_larcker", "fornell_larcker_passed", "htmt",
           "htmt_from_correlation", "htmt_matrix", "item_correlation", "theta_matrix"]
