"""The full-sample PLS-SEM fit: estimation and every table of :class:`PlsFit`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError
from cxsurvey.stats.effects import effects as trace_effects
from cxsurvey.stats.paths import adjusted_r2
from cxsurvey.stats.pls.data import PreparedData, correlation, prepare_data
from cxsurvey.stats.pls.estimate import (
    COLLINEAR,
    SCHEMES,
    BatchEstimates,
    batch_chain_effects,
    batch_structural,
    batch_total_effects,
    estimate_batch,
)
from cxsurvey.stats.pls.quality import (
    f2_table,
    fornell_larcker_table,
    htmt_table,
    inner_vif_table,
    item_vif_table,
    reliability_table,
)
from cxsurvey.stats.pls.specify import PlsModel, compile_model

__all__ = ["PlsFit", "fit_pls"]


@dataclass(frozen=True)
class PlsFit:
    """A PLS-SEM estimation and its quality criteria (SmartPLS/seminr conventions).

    Attributes
    ----------
    constructs : dict of str to tuple of str
        Items of each construct, in model order.
    structure : tuple of (str, str)
        Structural paths (predictor, outcome).
    modes : dict of str to str
        ``"A"`` or ``"B"`` per construct.
    scheme : str
        Inner weighting scheme (``path``, ``factorial``, ``centroid``).
    weights, loadings : DataFrame
        ``construct, item, est``: outer weights (construct scores with unit sample
        variance) and outer loadings (item-score correlations).
    paths : DataFrame
        ``from, to, est``: path coefficients.
    r2 : DataFrame
        ``construct, r2, r2_adj`` for the endogenous constructs;
        ``r2_adj = 1 - (1 - r2)(n - 1)/(n - m - 1)`` with m predictors.
    f2 : DataFrame
        ``from, to, f2, f2_scores``: Cohen's effect size (R^2 - R^2 without the path) /
        (1 - R^2). ``f2`` re-estimates the model without the path (R seminr);
        ``f2_scores`` drops the predictor from the regression on the same construct
        scores (ADANCO 2.2.1). They differ by up to ~0.01 when the weights depend on
        the path.
    total_effects : DataFrame
        ``from, to, direct, total_indirect, total`` for every pair joined by a chain.
    specific_indirect_effects : DataFrame
        ``from, to, path, est``: one row per chain of two arrows or more.
    scores : DataFrame
        Construct scores (mean 0, sample SD 1), indexed like the rows used.
    cross_loadings : DataFrame
        Item (index) by construct (columns) correlations of items and construct scores.
    construct_correlations : DataFrame
        Correlations of the construct scores.
    item_vif : DataFrame
        ``construct, item, vif``: collinearity of an item with the other items of its
        construct (1 for a single item).
    inner_vif : DataFrame
        ``from, to, vif``: collinearity of a predictor with the other predictors of the
        outcome (NaN when the outcome has one predictor, as seminr).
    reliability : DataFrame
        ``construct, mode, n_items, alpha, rho_a, rho_c, ave`` (alpha on standardised
        items; rho_a Dijkstra-Henseler, 1 for Mode B; rho_c and AVE from the loadings;
        all 1 for a single item).
    htmt : DataFrame
        ``a, b, value``: HTMT on absolute correlations (seminr/SmartPLS), upper triangle.
    fornell_larcker : DataFrame
        ``a, b, value``: sqrt(AVE) for ``a == b``, construct correlations otherwise.
    n, n_rows : int
        Rows used and rows given.
    missing : str
        ``listwise`` or ``mean``.
    n_dropped, n_replaced : int
        Rows dropped (listwise) and cells mean-replaced.
    replaced : dict of str to int
        Mean-replaced cells per item.
    iterations : int
        Iterations as seminr counts them.
    converged : bool
        Whether the stop criterion was met within ``max_iter`` iterations.
    max_iter : int
    tol : float
    warnings : tuple of str
    """

    constructs: dict[str, tuple[str, ...]]
    structure: tuple[tuple[str, str], ...]
    modes: dict[str, str]
    scheme: str
    weights: pd.DataFrame
    loadings: pd.DataFrame
    paths: pd.DataFrame
    r2: pd.DataFrame
    f2: pd.DataFrame
    total_effects: pd.DataFrame
    specific_indirect_effects: pd.DataFrame
    scores: pd.DataFrame
    cross_loadings: pd.DataFrame
    construct_correlations: pd.DataFrame
    item_vif: pd.DataFrame
    inner_vif: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    n: int
    n_rows: int
    missing: str
    n_dropped: int
    n_replaced: int
    iterations: int
    converged: bool
    max_iter: int = 300
    tol: float = 1e-7
    replaced: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def effects(self) -> pd.DataFrame:
        """Specific indirect and total effects in the CB layout of
        :func:`cxsurvey.stats.effects.effects`: ``kind, from, to, path, est``."""
        return trace_effects(self.paths)


def _check_options(scheme: str, max_iter: int, tol: float) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    if not tol > 0:
        raise ValueError(f"tol must be positive; got {tol!r}")


def _check_mode_b_blocks(model: PlsModel, corr: np.ndarray) -> None:
    """Raise for a Mode B construct whose items are perfectly collinear."""
    for j, name in enumerate(model.constructs):
        idx = model.block_index(j)
        if model.mode_b[j] and len(idx) > 1 and \
                np.linalg.eigvalsh(corr[np.ix_(idx, idx)])[0] <= COLLINEAR:
            raise AnalysisError(f"the items of the Mode B construct '{name}' are perfectly "
                                "collinear, so its regression weights are undetermined",
                                hint="Drop one of the collinear items or use Mode A.")


def fit_pls(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
            paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
            scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
            missing: str = "listwise") -> PlsFit:
    """Estimate a PLS path model as SmartPLS and R seminr do (PLS-SEM, no PLSc).

    Parameters
    ----------
    data : DataFrame
        Respondents by items (extra columns are ignored, NaN is missing).
    constructs : mapping of str to sequence of str
        Items of each construct.
    paths : sequence of (predictor, outcome)
        Structural paths; the model must be recursive.
    modes : mapping of str to str, optional
        ``"A"`` (reflective, default) or ``"B"`` (formative) per construct.
    scheme : {"path", "factorial", "centroid"}
        Inner weighting scheme (SmartPLS default: path).
    max_iter : int
        Maximum number of iterations (300).
    tol : float
        Stop criterion: sum of absolute changes of the outer weights (1e-7).
    missing : {"listwise", "mean"}
        Listwise deletion or mean replacement of missing answers.

    Returns
    -------
    PlsFit

    Raises
    ------
    InputError
        For a wrong model or a missing/non-numeric item column.
    AnalysisError
        For too few rows, a zero-variance item or a singular block (Mode B with
        perfectly collinear items) or predictor set.

    Notes
    -----
    The algorithm is :func:`~cxsurvey.stats.pls.estimate.estimate_batch` on the item
    correlation matrix; the quality criteria are those of
    :mod:`cxsurvey.stats.pls.quality`. Non-convergence is reported (``converged``,
    ``warnings``), not raised.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (PLS-SEM) (3rd ed.). Sage. Lohmoeller,
    J.-B. (1989). Latent variable path modeling with partial least squares. Physica.

    Examples
    --------
    >>> fit = fit_pls(mobi, {"Image": ("IMAG1", "IMAG2"), "Satisfaction": ("CUSA1",
    ...               "CUSA2")}, [("Image", "Satisfaction")])  # doctest: +SKIP
    >>> fit.paths  # doctest: +SKIP
    """
    _check_options(scheme, max_iter, tol)
    model = compile_model(constructs, paths, modes)
    prep = prepare_data(data, model, missing)
    corr = correlation(prep.z)
    _check_mode_b_blocks(model, corr)
    est = estimate_batch(corr[None], model, scheme, int(max_iter), float(tol))
    if not est.valid[0]:
        raise AnalysisError("the PLS algorithm broke down on these data (perfectly "
                            "collinear construct scores or a vanishing inner proxy)")
    return _assemble(model, prep, corr, est, scheme, int(max_iter), float(tol), missing)


def _measurement_tables(model: PlsModel, prep: PreparedData,
                        est: BatchEstimates) -> dict[str, pd.DataFrame]:
    names = list(model.constructs)
    w = est.weights[0]
    construct_col = [names[j] for j in model.member]
    items = list(model.items)
    return {
        "weights": pd.DataFrame({"construct": construct_col, "item": items, "est": w}),
        "loadings": pd.DataFrame({"construct": construct_col, "item": items,
                                  "est": est.loadings(model)[0]}),
        "scores": pd.DataFrame(prep.z @ (w[:, None] * model.onehot), index=prep.index,
                               columns=names),
        "cross_loadings": pd.DataFrame(est.cross_loadings[0],
                                       index=pd.Index(items, name="item"), columns=names),
        "construct_correlations": pd.DataFrame(est.score_corr[0], index=names,
                                               columns=names),
    }


def _structural_tables(model: PlsModel, beta: np.ndarray, r2: np.ndarray,
                       n: int) -> dict[str, pd.DataFrame]:
    names = model.constructs
    path_rows = model.path_names
    endo = list(model.endogenous)
    n_pred = np.array([len(model.predecessors[j]) for j in endo])
    return {
        "paths": pd.DataFrame({"from": [a for a, _ in path_rows],
                               "to": [b for _, b in path_rows],
                               "est": [beta[a, b] for a, b in model.paths]}),
        "r2": pd.DataFrame({"construct": [names[j] for j in endo], "r2": r2[endo],
                            "r2_adj": adjusted_r2(r2[endo], n, n_pred)}),
    }


def _effect_tables(model: PlsModel, beta: np.ndarray) -> dict[str, pd.DataFrame]:
    """Direct, total indirect and total effects of every pair joined by a chain, and the
    specific indirect effect of every chain (the functions the bootstrap resamples)."""
    names = model.constructs
    total = batch_total_effects(beta[None])[0]
    reach, reach_ind = model.reachable(), model.reachable_indirect()
    rows = [(names[i], names[j], beta[i, j],
             total[i, j] - beta[i, j] if reach_ind[i, j] else 0.0, total[i, j])
            for i in range(model.k) for j in range(model.k) if reach[i, j]]
    chains = model.indirect_chains()
    specific = batch_chain_effects(beta[None], chains)[0]
    return {
        "total_effects": pd.DataFrame(rows, columns=["from", "to", "direct",
                                                     "total_indirect", "total"]),
        "specific_indirect_effects": pd.DataFrame(
            [(names[c[0]], names[c[-1]], " -> ".join(names[x] for x in c), value)
             for c, value in zip(chains, specific, strict=True)],
            columns=["from", "to", "path", "est"]),
    }


def _quality_tables(model: PlsModel, corr: np.ndarray, est: BatchEstimates, r2: np.ndarray,
                    scheme: str, max_iter: int, tol: float) -> dict[str, pd.DataFrame]:
    score_corr = est.score_corr[0]
    reliability = reliability_table(model, corr, est.weights[0], est.loadings(model)[0])
    return {
        "f2": f2_table(model, corr, score_corr, r2, scheme, max_iter, tol),
        "item_vif": item_vif_table(model, corr),
        "inner_vif": inner_vif_table(model, score_corr),
        "reliability": reliability,
        "htmt": htmt_table(model, corr),
        "fornell_larcker": fornell_larcker_table(reliability, score_corr, model),
    }


def _warnings(prep: PreparedData, converged: bool, max_iter: int, tol: float) -> list[str]:
    warnings: list[str] = []
    if not converged:
        warnings.append(f"the PLS algorithm did not converge in {max_iter} iterations "
                        f"(stop criterion {tol:g}); estimates are those of the last iteration")
    if prep.n_replaced:
        warnings.append(f"{prep.n_replaced} missing answer(s) replaced by the item mean")
    if prep.n_dropped:
        warnings.append(f"{prep.n_dropped} row(s) with missing answers dropped (listwise)")
    return warnings


def _assemble(model: PlsModel, prep: PreparedData, corr: np.ndarray, est: BatchEstimates,
              scheme: str, max_iter: int, tol: float, missing: str) -> PlsFit:
    names = model.constructs
    beta, r2 = batch_structural(est.score_corr, model)
    meas = _measurement_tables(model, prep, est)
    struct = _structural_tables(model, beta[0], r2[0], prep.z.shape[0])
    eff = _effect_tables(model, beta[0])
    qual = _quality_tables(model, corr, est, r2[0], scheme, max_iter, tol)
    converged = bool(est.converged[0])
    return PlsFit(
        constructs={name: model.blocks[j] for j, name in enumerate(names)},
        structure=tuple(model.path_names),
        modes={name: model.mode(j) for j, name in enumerate(names)}, scheme=scheme,
        weights=meas["weights"], loadings=meas["loadings"], paths=struct["paths"],
        r2=struct["r2"], f2=qual["f2"], total_effects=eff["total_effects"],
        specific_indirect_effects=eff["specific_indirect_effects"], scores=meas["scores"],
        cross_loadings=meas["cross_loadings"],
        construct_correlations=meas["construct_correlations"], item_vif=qual["item_vif"],
        inner_vif=qual["inner_vif"], reliability=qual["reliability"], htmt=qual["htmt"],
        fornell_larcker=qual["fornell_larcker"], n=prep.z.shape[0], n_rows=prep.n_rows,
        missing=missing, n_dropped=prep.n_dropped, n_replaced=prep.n_replaced,
        iterations=int(est.iterations[0]), converged=converged, max_iter=max_iter, tol=tol,
        replaced=dict(prep.replaced), warnings=tuple(_warnings(prep, converged, max_iter, tol)))
