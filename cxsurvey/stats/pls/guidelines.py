"""The parts of a PLS-SEM report that current guidelines add to the basic model.

Hair, Risher, Sarstedt & Ringle (2019) make out-of-sample prediction part of every PLS
report; SmartPLS 4 adds model fit, consistent PLS and the importance-performance map.
:func:`pls_guidelines` runs them on the model of a run:

* PLSpredict (:func:`~cxsurvey.stats.pls.predict.pls_predict_techniques`), by the
  direct-antecedent and the earliest-antecedent techniques, when the model has
  structural paths;
* SRMR, d_ULS and d_G of the saturated and estimated models with their Bollen-Stine
  bootstrap quantiles (:func:`~cxsurvey.stats.pls.model_fit.model_fit`): of the composite
  model, or of the common-factor model under consistent PLS;
* the importance-performance map of a target construct
  (:func:`~cxsurvey.stats.pls.ipma.ipma`);
* consistent PLS with its bootstrap (:func:`~cxsurvey.stats.pls.consistent.bootstrap_plsc`)
  when asked for; :func:`consistent_report` then puts the PLSc loadings, reliabilities,
  paths, R2 and total effects in place of the PLS ones.

An analysis that cannot be computed (a fold whose training rows have a constant item, a
target without predecessors) becomes a warning; the rest of the report stands.

References
----------
Hair, J. F., Risher, J. J., Sarstedt, M., & Ringle, C. M. (2019). When to use and how to
report the results of PLS-SEM. *European Business Review*, 31(1), 2-24.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.pls.consistent import PlscBootstrap, bootstrap_plsc
from cxsurvey.stats.pls.ipma import Ipma, ipma
from cxsurvey.stats.pls.model_fit import PlsModelFit, model_fit
from cxsurvey.stats.pls.predict import PlsPredictResult, pls_predict_techniques
from cxsurvey.stats.pls.resample import ResampleMoments
from cxsurvey.stats.pls.results import PlsResult

__all__ = ["PlsGuidelines", "consistent_report", "default_ipma_target", "pls_guidelines"]

_STATS = ["se", "t", "pvalue", "ci_lower", "ci_upper", "bca_lower", "bca_upper", "boot_mean"]


@dataclass(frozen=True)
class PlsGuidelines:
    """PLSpredict, model fit, IPMA and consistent PLS of one PLS model.

    Attributes
    ----------
    predict : tuple of PlsPredictResult
        The direct-antecedent and the earliest-antecedent runs (none without paths).
    model_fit : PlsModelFit, optional
    ipma : Ipma, optional
    plsc : PlscBootstrap, optional
        Consistent PLS with its bootstrap (only when asked for).
    warnings : tuple of str
    """

    predict: tuple[PlsPredictResult, ...] = ()
    model_fit: PlsModelFit | None = None
    ipma: Ipma | None = None
    plsc: PlscBootstrap | None = None
    warnings: tuple[str, ...] = field(default=())


def default_ipma_target(spec: ModelSpec, constructs: Mapping[str, Sequence[str]]
                        ) -> str | None:
    """The construct an IPMA maps by default: the last final outcome of the model (a
    construct with predecessors and no successor), None without structural paths."""
    paths = [(a, b) for a, b, _ in spec.regressions if a in constructs and b in constructs]
    sources = {a for a, _ in paths}
    sinks = [b for _, b in paths if b not in sources]
    return list(dict.fromkeys(sinks))[-1] if sinks else None


def pls_guidelines(items: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                   spec: ModelSpec, *, n_boot: int = 5000, seed: int | None = None,
                   scheme: str = "path", missing: str = "listwise",
                   consistent: bool = False, ipma_target: str | None = None,
                   scales: Mapping[str, Sequence[float]] | None = None,
                   moments: ResampleMoments | None = None) -> PlsGuidelines:
    """Run PLSpredict, model fit, IPMA and (when asked) consistent PLS.

    Parameters
    ----------
    items : DataFrame
        The items (reverse keys applied).
    constructs : mapping
        Construct -> items.
    spec : ModelSpec
        The model (``spec.regressions`` the paths, ``spec.modes`` Mode A/B).
    n_boot : int
        Resamples of the model-fit bootstrap and of PLSc.
    seed : int, optional
        Seed of the bootstraps and of PLSpredict's folds.
    scheme, missing : str
        As the PLS estimation of the run.
    consistent : bool
        Also consistent PLS (Dijkstra & Henseler 2015) with its bootstrap; the model fit
        is then that of the common-factor model.
    ipma_target : str, optional
        The IPMA's target construct (default :func:`default_ipma_target`).
    scales : mapping, optional
        Item -> ``(min, max)`` of its answer scale (the IPMA's performance); without it
        no IPMA.
    moments : ResampleMoments, optional
        The resamples of the run's PLS bootstrap of this model (the same ``n_boot`` and
        ``seed``; ``PlsRun.moments``): the model fit and PLSc bootstrap them instead of
        drawing and forming the same resamples again.

    Returns
    -------
    PlsGuidelines

    References
    ----------
    Shmueli, G., et al. (2019). *European Journal of Marketing*, 53(11), 2322-2347.
    Dijkstra, T. K., & Henseler, J. (2015). *MIS Quarterly*, 39(2), 297-316.
    Henseler, J., et al. (2014). *Organizational Research Methods*, 17(2), 182-209.
    Ringle, C. M., & Sarstedt, M. (2016). *Industrial Management & Data Systems*,
    116(9), 1865-1886.
    """
    cons = {c: list(its) for c, its in constructs.items()}
    paths = [(a, b) for a, b, _ in spec.regressions if a in cons and b in cons]
    modes = {c: spec.modes.get(c, "A") for c in cons}
    target = ipma_target if ipma_target is not None else default_ipma_target(spec, cons)
    if ipma_target is not None and ipma_target not in cons:
        raise InputError(f"--ipma-target {ipma_target!r} is not a construct of the model",
                         hint=f"Name one of: {', '.join(cons)}.")
    notes: dict[str, list[str]] = {"predict": [], "fit": [], "ipma": [], "plsc": []}
    predicted: tuple[PlsPredictResult, ...] = ()
    fit = mapped = plsc = None
    # PLSpredict is independent of the rest and mostly runs in one thread: it runs
    # beside the model fit's bootstrap (whose threads it shares the cores with)
    with ThreadPoolExecutor(max_workers=1) as pool:
        prediction = pool.submit(pls_predict_techniques, items, cons, paths, modes, scheme,
                                 techniques=("direct", "earliest"), seed=seed,
                                 missing=missing) if paths else None
        try:
            fit = model_fit(items, cons, paths, modes, scheme, missing=missing,
                            kind="common_factor" if consistent else "composite",
                            n_boot=n_boot, seed=seed, moments=moments)
            notes["fit"] += [f"model fit: {w}" for w in fit.warnings]
        except (AnalysisError, InputError) as exc:
            notes["fit"].append(f"the PLS model fit could not be computed: {exc}")
        if target is not None and scales:
            try:
                mapped = ipma(items, cons, paths, target,
                              {i: scales[i] for its in cons.values() for i in its
                               if i in scales}, modes, scheme, missing=missing)
                notes["ipma"] += [f"IPMA: {w}" for w in mapped.warnings]
            except (AnalysisError, InputError) as exc:
                if ipma_target is not None:
                    raise
                notes["ipma"].append(f"the IPMA of {target} could not be computed: {exc}")
        if consistent:
            plsc = bootstrap_plsc(items, cons, paths, modes, scheme, missing=missing,
                                  n_boot=n_boot, seed=seed, bca=True, moments=moments)
            notes["plsc"] += [f"PLSc: {w}" for w in plsc.warnings]
        if prediction is not None:
            try:
                predicted = prediction.result()
                notes["predict"] += [f"PLSpredict: {w}" for r in predicted
                                     for w in r.warnings]
            except (AnalysisError, InputError) as exc:
                notes["predict"].append(f"PLSpredict could not be computed: {exc}")
    warnings = [w for part in notes.values() for w in part]
    return PlsGuidelines(predict=tuple(predicted), model_fit=fit, ipma=mapped, plsc=plsc,
                         warnings=tuple(warnings))


def consistent_report(plsc: PlscBootstrap, pls: PlsResult, paths: PathsResult
                      ) -> tuple[PlsResult, PathsResult]:
    """The PLS report with consistent PLS in place of PLS.

    The outer loadings of the reflective constructs, rho_C and AVE, the paths, R2 and the
    total effects become PLSc's, with the PLSc bootstrap's statistics; weights, alpha,
    rho_A, HTMT and the VIFs stay PLS's (PLSc does not change them). Specific indirect
    effects are not bootstrapped under PLSc and are left out.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
    *MIS Quarterly*, 39(2), 297-316.
    """
    fit = plsc.plsc
    outer = pls.outer.copy()
    ld = plsc.loadings.set_index(["construct", "item"])
    keys = list(zip(outer["construct"], outer["item"], strict=True))
    outer["loading"] = [float(ld["est"].get(k, np.nan)) for k in keys]
    for col in ("se", "t", "pvalue", "ci_lower", "ci_upper"):
        if f"loading_{col}" in outer.columns and col in ld.columns:
            outer[f"loading_{col}"] = [float(ld[col].get(k, np.nan)) for k in keys]
    rel = pls.reliability.copy()
    by = fit.reliability.set_index("construct")
    for col in ("rho_c", "ave"):
        rel[col] = [float(by[col].get(c, np.nan)) for c in rel["construct"]]
    info = dict(pls.info)
    info["consistent"] = True
    report = dataclasses.replace(pls, outer=outer, reliability=rel,
                                 info=info,  # type: ignore[arg-type]
                                 warnings=pls.warnings + tuple(
                                     f"PLSc: {w}" for w in fit.warnings))
    path_rows = plsc.paths.copy()
    path_rows["std_all"] = path_rows["est"]
    path_rows["method"] = "pls"
    cols = ["from", "to", "est", "std_all", *_STATS, "method"]
    total = plsc.total_effects.assign(kind="total")
    total["path"] = [f"{a} => {b}" for a, b in zip(total["from"], total["to"], strict=True)]
    total["std_all"] = total["est"]
    total["z"] = total["t"]
    total["se_method"] = "bootstrap"
    effects = total[[c for c in ["kind", "from", "to", "path", "est", "std_all", *_STATS, "z",
                                 "se_method"] if c in total.columns]]
    r2 = fit.r2[["construct", "r2", "r2_adj"]]
    boot_info = dict(paths.bootstrap or {})
    boot_info.update(plsc.info())
    result = dataclasses.replace(
        paths, paths=path_rows[[c for c in cols if c in path_rows.columns]].reset_index(
            drop=True),
        r2=r2.reset_index(drop=True), effects=effects.reset_index(drop=True),
        bootstrap=boot_info,  # type: ignore[arg-type]
        warnings=paths.warnings + tuple(f"PLSc: {w}" for w in plsc.warnings))
    return report, result
