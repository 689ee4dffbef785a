"""Assemble a PLS-SEM run (estimation + bootstrap) into the report containers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.pls.results import PlsInfo, PlsResult

if TYPE_CHECKING:  # the bootstrap (numpy, scipy) is imported when a run needs it
    from cxsurvey.stats.pls.bootstrap import PlsBootstrap
    from cxsurvey.stats.pls.fit import PlsFit
    from cxsurvey.stats.pls.higher_order import HigherOrderBootstrap
    from cxsurvey.stats.pls.moderation import ModerationBootstrap
    from cxsurvey.stats.pls.resample import ResampleMoments

__all__ = ["PlsRun", "run_pls", "run_pls_model"]

_STATS = ["se", "t", "pvalue", "ci_lower", "ci_upper", "bca_lower", "bca_upper", "boot_mean"]


def _outer(boot: PlsBootstrap) -> pd.DataFrame:
    """Loadings and weights with their bootstrap statistics, one row per item."""
    fit = boot.fit
    ld = fit.loadings.rename(columns={"est": "loading"})
    wt = fit.weights.rename(columns={"est": "weight"})
    # both frames hold every item once in model order; a left merge keeps that order
    # (an outer merge sorts the keys)
    out = ld.merge(wt, on=["construct", "item"], how="left", sort=False)
    out.insert(2, "mode", [fit.modes.get(c, "A") for c in out["construct"]])
    stats = boot.loadings.set_index(["construct", "item"])
    for col in ("se", "t", "pvalue", "ci_lower", "ci_upper"):
        out[f"loading_{col}"] = [stats[col].get((c, i), np.nan)
                                 for c, i in zip(out["construct"], out["item"], strict=True)]
    wstats = boot.weights.set_index(["construct", "item"])
    for col in ("se", "t", "pvalue", "ci_lower", "ci_upper"):
        out[f"weight_{col}"] = [wstats[col].get((c, i), np.nan)
                                for c, i in zip(out["construct"], out["item"], strict=True)]
    return out


def _vif_table(fit: PlsFit) -> pd.DataFrame:
    """Item (outer) and predictor (inner) VIFs of the fit in one long table."""
    outer = fit.item_vif.rename(columns={"item": "variable"}).assign(kind="outer")
    inner = fit.inner_vif.rename(columns={"to": "construct", "from": "variable"}).assign(
        kind="inner")
    cols = ["kind", "construct", "variable", "vif"]
    return pd.concat([outer[cols], inner[cols]], ignore_index=True)


def _effects(boot: PlsBootstrap) -> pd.DataFrame:
    """Specific indirect and total effects with their bootstrap statistics."""
    keep = ["kind", "from", "to", "path", "est", "std_all", *_STATS]
    ind = boot.specific_indirect_effects.assign(kind="indirect")
    tot = boot.total_effects.assign(kind="total")
    tot["path"] = [f"{a} => {b}" for a, b in zip(tot["from"], tot["to"], strict=True)]
    # a total effect is only an "effect along a chain" when an indirect path exists
    chained = set(zip(ind["from"], ind["to"], strict=True))
    tot = tot[[(a, b) in chained for a, b in zip(tot["from"], tot["to"], strict=True)]]
    out = pd.concat([ind, tot], ignore_index=True)
    out["std_all"] = out["est"]  # PLS estimates are standardised
    out = out[[c for c in keep if c in out.columns]]
    if "t" in out.columns:
        out["z"] = out["t"]  # est / bootstrap SD, the statistic CB rows call z
    out["se_method"] = "bootstrap"
    return out


@dataclass(frozen=True)
class PlsRun:
    """A PLS-SEM run: the report containers and, for models with interaction terms or
    higher-order constructs, their own results.

    Attributes
    ----------
    pls : PlsResult
        Measurement model. With higher-order constructs of a two-stage approach, the
        lower-order constructs' rows (outer, reliability, outer VIF) come from stage 1 and
        the rest from stage 2, where a HOC's items are its LOCs; with repeated indicators
        a HOC's items are named ``item@HOC``.
    paths : PathsResult
        Structural model (``method = "pls"``). An interaction term ``X:M`` is a row
        ``from = "X:M"`` whose estimate, SE, t, p and percentile interval are on the scale
        of the product (seminr; :mod:`cxsurvey.stats.pls.moderation`), its BCa bounds NaN.
    moderation : ModerationBootstrap, optional
        Interaction terms (paths, f^2, R^2 with and without) and simple slopes with the
        slope-plot data.
    higher_order : HigherOrderBootstrap, optional
        HOC loadings/weights on the LOCs, VIF, rho_C/AVE, stage 1.
    moments : ResampleMoments, optional
        The bootstrap's resamples (``keep_moments``), for the model fit and consistent
        PLS of :func:`~cxsurvey.stats.pls.guidelines.pls_guidelines`.
    """

    pls: PlsResult
    paths: PathsResult
    moderation: ModerationBootstrap | None = None
    higher_order: HigherOrderBootstrap | None = None
    moments: ResampleMoments | None = None


def _interaction_rows(paths: pd.DataFrame, moderation: ModerationBootstrap) -> pd.DataFrame:
    """The interaction rows of the paths table on the product scale."""
    paths = paths.copy()
    for _, row in moderation.interactions.iterrows():
        at = (paths["from"] == row["term"]) & (paths["to"] == row["outcome"])
        for col in ("est", "boot_mean", "se", "t", "pvalue", "ci_lower", "ci_upper"):
            paths.loc[at, col] = row[col]
        paths.loc[at, ["bca_lower", "bca_upper"]] = np.nan
    return paths


def _with_first_stage(pls: PlsResult, first: PlsBootstrap,
                      locs: list[str]) -> PlsResult:
    """Stage-1 rows of the lower-order constructs ahead of the stage-2 tables."""
    outer = _outer(first)
    outer = outer[outer["construct"].isin(locs)]
    rel = first.fit.reliability[["construct", "n_items", "alpha", "rho_a", "rho_c", "ave"]]
    rel = rel[rel["construct"].isin(locs)]
    vif = _vif_table(first.fit)
    vif = vif[(vif["kind"] == "outer") & vif["construct"].isin(locs)]
    return replace(pls, outer=pd.concat([outer, pls.outer], ignore_index=True),
                   reliability=pd.concat([rel, pls.reliability], ignore_index=True),
                   vif=pd.concat([vif, pls.vif], ignore_index=True))


def run_pls(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]], spec: ModelSpec,
            n_boot: int = 5000, seed: int | None = None, scheme: str = "path",
            missing: str = "listwise",
            progress: Callable[[int, int], None] | None = None
            ) -> tuple[PlsResult, PathsResult]:
    """PLS-SEM estimation with SmartPLS defaults and a vectorised bootstrap.

    Returns the measurement-model report (:class:`PlsResult`) and the structural one
    (:class:`PathsResult` with ``method = "pls"``: ``se`` is the bootstrap SD, ``t``
    SmartPLS's T = est / SD, ``pvalue`` two-tailed, percentile CI; BCa bounds as extra
    columns). :func:`run_pls_model` also returns the moderation and higher-order results.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (3rd ed.). Sage. Lohmoller, J.-B. (1989).
    Latent variable path modeling with partial least squares. Physica.
    """
    run = run_pls_model(items, constructs, spec, n_boot=n_boot, seed=seed, scheme=scheme,
                        missing=missing, progress=progress)
    return run.pls, run.paths


def run_pls_model(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
                  spec: ModelSpec, n_boot: int = 5000, seed: int | None = None,
                  scheme: str = "path", missing: str = "listwise",
                  progress: Callable[[int, int], None] | None = None,
                  interaction_method: str = "two_stage",
                  hoc_method: str = "embedded_two_stage",
                  keep_moments: bool = False) -> PlsRun:
    """:func:`run_pls` for any model: interaction terms (``Y ~ X + M + X:M``) and
    second-order constructs (a construct measured by constructs, ``H =~ A + B`` or
    ``H <~ A + B``) included.

    Parameters
    ----------
    items, constructs, spec, n_boot, seed, scheme, missing, progress
        As :func:`run_pls`; ``constructs`` maps a HOC to its LOCs.
    interaction_method : {"two_stage", "product_indicator"}
        :func:`cxsurvey.stats.pls.moderation.bootstrap_moderation`.
    hoc_method : {"embedded_two_stage", "disjoint_two_stage", "repeated_indicators"}
        :func:`cxsurvey.stats.pls.higher_order.bootstrap_higher_order`.
    keep_moments : bool
        Keep the bootstrap's resamples in ``PlsRun.moments`` (models without
        interaction terms and higher-order constructs;
        :func:`~cxsurvey.stats.pls.bootstrap.bootstrap_pls`).

    Raises
    ------
    InputError
        For interaction terms and higher-order constructs in one model, and as the
        estimators.

    References
    ----------
    Becker, J.-M., Ringle, C. M., & Sarstedt, M. (2018). Estimating moderating effects in
    PLS-SEM and PLSc-SEM. Journal of Applied Structural Equation Modeling, 2(2), 1-21.
    Sarstedt, M., Hair, J. F., Cheah, J.-H., Becker, J.-M., & Ringle, C. M. (2019). How to
    specify, estimate, and validate higher-order constructs in PLS-SEM. Australasian
    Marketing Journal, 27(3), 197-211.
    """
    from cxsurvey.errors import InputError
    from cxsurvey.stats.pls.bootstrap import bootstrap_pls
    from cxsurvey.stats.pls.htmt_inference import htmt_inference

    structure = [(a, b) for a, b, _ in spec.regressions]
    modes = {c: spec.modes.get(c, "A") for c in constructs}
    moderated = any(":" in a for a, _ in structure)
    hocs = [c for c, its in constructs.items() if its and all(i in constructs for i in its)]
    if moderated and hocs:
        raise InputError("a PLS model with both interaction terms and higher-order "
                         "constructs is not supported",
                         hint="Estimate the moderation on the first-order constructs, or "
                              "use the HOC's scores from a separate run.")
    moderation: ModerationBootstrap | None = None
    higher: HigherOrderBootstrap | None = None
    extra: list[str] = []
    if moderated:
        from cxsurvey.stats.pls.moderation import bootstrap_moderation
        moderation = bootstrap_moderation(items, constructs, structure, modes,
                                          method=interaction_method, scheme=scheme,
                                          missing=missing, n_boot=n_boot, seed=seed,
                                          progress=progress)
        boot = moderation.boot
        extra = [w for w in moderation.moderation.warnings if w not in boot.warnings]
    elif hocs:
        from cxsurvey.stats.pls.higher_order import bootstrap_higher_order
        higher = bootstrap_higher_order(items, constructs, structure, modes,
                                        method=hoc_method, scheme=scheme, missing=missing,
                                        n_boot=n_boot, seed=seed, progress=progress)
        boot = higher.boot
        extra = [w for w in higher.higher_order.warnings if w not in boot.warnings]
    else:
        boot = bootstrap_pls(items, constructs, structure, modes=modes, scheme=scheme,
                             missing=missing, n_boot=n_boot, seed=seed, progress=progress,
                             keep_moments=keep_moments)
    fit = boot.fit
    paths = boot.paths.copy()
    if moderation is not None:
        paths = _interaction_rows(paths, moderation)
    paths["std_all"] = paths["est"]
    paths["method"] = "pls"
    cols = ["from", "to", "est", "std_all", "se", "t", "pvalue", "ci_lower", "ci_upper",
            "bca_lower", "bca_upper", "boot_mean", "method"]
    warnings = extra + list(fit.warnings) + list(boot.warnings)
    if fit.n_replaced:
        warnings.append(f"{fit.n_replaced} missing answer(s) replaced by item means "
                        "(--missing mean)")
    if fit.n_dropped:
        warnings.append(f"{fit.n_dropped} row(s) with missing answers left out of PLS "
                        "(listwise)")
    info: PlsInfo = {"scheme": fit.scheme, "iterations": fit.iterations, "converged": fit.converged,
            "n": fit.n, "missing": missing, "replaced_cells": fit.n_replaced}
    if moderation is not None:
        info["replaced_cells"] = moderation.moderation.n_replaced
    if higher is not None:
        info["replaced_cells"] = higher.higher_order.n_replaced
    rel = fit.reliability[["construct", "n_items", "alpha", "rho_a", "rho_c", "ave"]]
    inference = htmt_inference(boot)
    warnings += [f"HTMT inference: {w}" for w in inference.warnings]
    pls = PlsResult(outer=_outer(boot), reliability=rel.reset_index(drop=True),
                    htmt=fit.htmt, fornell_larcker=fit.fornell_larcker,
                    f2=fit.f2[["from", "to", "f2"]], vif=_vif_table(fit), info=info,
                    warnings=tuple(warnings),
                    cross_loadings=fit.cross_loadings.rename_axis("item").reset_index(),
                    htmt_inference=inference.table)
    if higher is not None and higher.first_stage is not None:
        locs = [loc for h in hocs for loc in constructs[h]]
        pls = _with_first_stage(pls, higher.first_stage, locs)
    result = PathsResult(paths=paths[[c for c in cols if c in paths.columns]],
                         r2=fit.r2[["construct", "r2", "r2_adj"]], effects=_effects(boot),
                         method="pls", se_method="bootstrap", bootstrap=boot.info(),
                         warnings=tuple(warnings))
    return PlsRun(pls=pls, paths=result, moderation=moderation, higher_order=higher,
                  moments=boot.moments)
