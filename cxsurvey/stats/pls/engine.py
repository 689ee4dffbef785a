"""PLS-SEM (partial least squares path modelling) with SmartPLS/seminr conventions.

The estimator is written in numpy because no maintained Python package is both correct
and fast. Everything is computed from the indicators' correlation matrix, so the same
batched engine (:func:`estimate_batch`) fits one sample, the models without one path that
f^2 needs, thousands of bootstrap resamples and the jackknife samples of BCa intervals
(:mod:`cxsurvey.stats.pls.bootstrap`) -- one code path for all of them.

The engine is split by stage; this module gathers their public names:

* :mod:`~cxsurvey.stats.pls.specify` -- model checks and compilation (:class:`PlsModel`);
* :mod:`~cxsurvey.stats.pls.data` -- item selection, missing answers, standardisation;
* :mod:`~cxsurvey.stats.pls.linalg` -- batched SPD solver;
* :mod:`~cxsurvey.stats.pls.estimate` -- the iterative weights, paths and R^2;
* :mod:`~cxsurvey.stats.pls.quality` -- reliability, validity, VIF and f^2;
* :mod:`~cxsurvey.stats.pls.fit` -- the full-sample fit (:func:`fit_pls`).

Conventions (the ones of SmartPLS 3/4, R seminr and ADANCO; see
``tests/data/pls/README.md``, "Formulas and conventions"):

* indicators standardised (mean 0, SD 1 with the n - 1 denominator);
* initial outer weights 1; the iteration stops when the sum of the absolute changes of
  all outer weights is below ``tol`` (1e-7), at most ``max_iter`` (300) iterations;
* construct scores have unit *sample* variance (n - 1), so weights are seminr's and
  ADANCO's (plspm's are larger by sqrt(n / (n - 1)));
* inner weighting: path (default), factorial or centroid;
* Mode A ("reflective" in SmartPLS, correlation weights) or Mode B (formative,
  regression weights);
* a single-item construct has weight and loading 1 and reliabilities 1;
* no sign correction of weights (SmartPLS and seminr apply none).
"""

from __future__ import annotations

from cxsurvey.stats.pls.data import PreparedData, correlation, prepare_data
from cxsurvey.stats.pls.estimate import (
    BatchEstimates,
    batch_structural,
    batch_total_effects,
    estimate_batch,
)
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.linalg import solve_spd
from cxsurvey.stats.pls.quality import batch_htmt
from cxsurvey.stats.pls.specify import PlsModel, compile_model

__all__ = [
    "PlsFit",
    "PlsModel",
    "BatchEstimates",
    "compile_model",
    "estimate_batch",
    "PreparedData",
    "prepare_data",
    "correlation",
    "fit_pls",
    "batch_structural",
    "batch_total_effects",
    "batch_htmt",
    "solve_spd",
]
