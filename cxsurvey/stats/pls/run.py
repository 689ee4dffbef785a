"""Assemble a PLS-SEM run (estimation + bootstrap) into the report containers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.pls.results import PlsInfo, PlsResult

if TYPE_CHECKING:  # the bootstrap (numpy, scipy) is imported when a run needs it
    from cxsurvey.stats.pls.bootstrap import PlsBootstrap
    from cxsurvey.stats.pls.fit import PlsFit

__all__ = ["run_pls"]

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


def run_pls(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]], spec: ModelSpec,
            n_boot: int = 5000, seed: int | None = None, scheme: str = "path",
            missing: str = "listwise",
            progress: Callable[[int, int], None] | None = None
            ) -> tuple[PlsResult, PathsResult]:
    """PLS-SEM estimation with SmartPLS defaults and a vectorised bootstrap.

    Returns the measurement-model report (:class:`PlsResult`) and the structural one
    (:class:`PathsResult` with ``method = "pls"``: ``se`` is the bootstrap SD, ``t``
    SmartPLS's T = est / SD, ``pvalue`` two-tailed, percentile CI; BCa bounds as extra
    columns).

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (3rd ed.). Sage. Lohmoller, J.-B. (1989).
    Latent variable path modeling with partial least squares. Physica.
    """
    from cxsurvey.stats.pls.bootstrap import bootstrap_pls
    from cxsurvey.stats.pls.htmt_inference import htmt_inference

    structure = [(a, b) for a, b, _ in spec.regressions]
    modes = {c: spec.modes.get(c, "A") for c in constructs}
    boot = bootstrap_pls(items, constructs, structure, modes=modes, scheme=scheme,
                         missing=missing, n_boot=n_boot, seed=seed, progress=progress)
    fit = boot.fit
    paths = boot.paths.copy()
    paths["std_all"] = paths["est"]
    paths["method"] = "pls"
    cols = ["from", "to", "est", "std_all", "se", "t", "pvalue", "ci_lower", "ci_upper",
            "bca_lower", "bca_upper", "boot_mean", "method"]
    warnings = list(fit.warnings) + list(boot.warnings)
    if fit.n_replaced:
        warnings.append(f"{fit.n_replaced} missing answer(s) replaced by item means "
                        "(--missing mean)")
    if fit.n_dropped:
        warnings.append(f"{fit.n_dropped} row(s) with missing answers left out of PLS "
                        "(listwise)")
    info: PlsInfo = {"scheme": fit.scheme, "iterations": fit.iterations, "converged": fit.converged,
            "n": fit.n, "missing": fit.missing, "replaced_cells": fit.n_replaced}
    rel = fit.reliability[["construct", "n_items", "alpha", "rho_a", "rho_c", "ave"]]
    inference = htmt_inference(boot)
    warnings += [f"HTMT inference: {w}" for w in inference.warnings]
    pls = PlsResult(outer=_outer(boot), reliability=rel.reset_index(drop=True),
                    htmt=fit.htmt, fornell_larcker=fit.fornell_larcker,
                    f2=fit.f2[["from", "to", "f2"]], vif=_vif_table(fit), info=info,
                    warnings=tuple(warnings),
                    cross_loadings=fit.cross_loadings.rename_axis("item").reset_index(),
                    htmt_inference=inference.table)
    result = PathsResult(paths=paths[[c for c in cols if c in paths.columns]],
                         r2=fit.r2[["construct", "r2", "r2_adj"]], effects=_effects(boot),
                         method="pls", se_method="bootstrap", bootstrap=boot.info(),
                         warnings=tuple(warnings))
    return pls, result
