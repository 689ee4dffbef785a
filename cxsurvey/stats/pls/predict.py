"""PLSpredict: out-of-sample predictive power of a PLS path model (Shmueli et al. 2016,
2019; Hair et al. 2022, ch. 6), as R seminr's ``predict_pls`` and SmartPLS report it.

The rows are split into k folds, r times at random; each fold is predicted by the model
estimated on the other k - 1 folds (all k * r training fits run as one batch of
correlation matrices through :func:`~cxsurvey.stats.pls.estimate.estimate_batch`), and
by two benchmarks trained on the same rows: a linear regression of each endogenous item
on the antecedent items (LM) and the item's training mean (the naive benchmark of
Q2_predict). CVPAT (Liengaard et al. 2021) tests PLS's per-row losses against both
benchmarks (:mod:`~cxsurvey.stats.pls.predict_cvpat`). The counts of
:class:`PredictionCounts` are judged by :func:`cxsurvey.gates.predictive.predictive_power`
(Shmueli et al.'s verdict), with the other quality gates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.options import DEFAULT_SEED
from cxsurvey.stats.items.moments import skewness
from cxsurvey.stats.pls.data import PreparedData, prepare_data
from cxsurvey.stats.pls.estimate import SCHEMES
from cxsurvey.stats.pls.predict_cv import (
    LM_PREDICTORS,
    TECHNIQUES,
    CvPredictions,
    check_assignment,
    cross_validate,
    draw_assignment,
)
from cxsurvey.stats.pls.predict_cvpat import ALTERNATIVES, cvpat_tables, observation_losses
from cxsurvey.stats.pls.specify import PlsModel, compile_model

__all__ = ["METRICS", "PlsPredictResult", "PredictionCounts", "pls_predict",
           "pls_predict_techniques", "SKEW_THRESHOLD"]

METRICS = ("auto", "rmse", "mae")
SKEW_THRESHOLD = 1.0  # |skewness| of the prediction errors above which MAE is preferred
_TECHNIQUE_NAMES = {"direct": "direct", "da": "direct", "predict_da": "direct",
                    "earliest": "earliest", "ea": "earliest", "predict_ea": "earliest"}


@dataclass(frozen=True)
class PredictionCounts:
    """What the PLSpredict verdict needs, for a set of endogenous indicators.

    Attributes
    ----------
    metric : str
        ``"rmse"`` or ``"mae"``: the prediction statistic compared.
    n_indicators : int
    n_pls_lower : int
        Indicators on which PLS has a strictly lower prediction error than LM.
    n_pls_higher : int
        Indicators on which PLS has a strictly higher prediction error than LM.
    n_q2_positive : int
        Indicators with Q2_predict > 0 (PLS beats the training-mean benchmark).
    """

    metric: str
    n_indicators: int
    n_pls_lower: int
    n_pls_higher: int
    n_q2_positive: int


@dataclass(frozen=True)
class PlsPredictResult:
    """PLSpredict results (errors in the items' answer units).

    Attributes
    ----------
    items : DataFrame
        One row per indicator of an endogenous construct: ``construct, item, rmse_pls,
        mae_pls, rmse_lm, mae_lm, q2_predict, skew_pls, skew_lm, pls_lower`` (PLS's error
        below LM's on ``metric``). ``skew_*`` is the bias-corrected skewness G1 of the
        out-of-sample prediction errors.
    constructs : DataFrame
        One row per endogenous construct: ``construct, q2_predict, rmse, mae`` of the
        predicted composite score against the full-sample construct score (standardised
        units), and the counts ``n_indicators, n_pls_lower, n_pls_higher,
        n_q2_positive`` of its indicators.
    metric : str
        ``"rmse"`` or ``"mae"``, the statistic the counts compare.
    n_skewed : int
        Indicators whose PLS prediction errors have |skewness| > ``skew_threshold``.
    skew_threshold : float
    counts : PredictionCounts
        Over all endogenous indicators.
    construct_counts : dict of str to PredictionCounts
        Per endogenous construct (Shmueli et al. judge the key target construct).
    pls_predictions, lm_predictions : DataFrame
        Out-of-sample item predictions (rows used x endogenous items, answer units),
        averaged over the repetitions.
    naive_predictions : DataFrame
        Training-fold means of the endogenous items, averaged over the repetitions.
    composite_predictions : DataFrame
        Out-of-sample construct-score predictions (all constructs; exogenous ones are
        their hold-out scores), averaged over the repetitions.
    construct_scores : DataFrame
        Full-sample construct scores (the targets of the composite Q2_predict).
    cvpat : DataFrame
        CVPAT of PLS against LM and against the indicator averages (IA, the training
        means): ``benchmark, construct, loss_pls, loss_benchmark, diff, t, pvalue,
        t_boot, pvalue_boot`` (see
        :func:`~cxsurvey.stats.pls.predict_cvpat.cvpat_table`); one row per endogenous
        construct and ``"Overall"`` per benchmark.
    cvpat_alternative : str
    cvpat_boot : int
    fold_assignment : ndarray of int, shape (repetitions, n)
        0-based fold of every row used in every repetition.
    folds, repetitions : int
    technique : str
        ``"direct"`` or ``"earliest"`` antecedents.
    lm_predictors : str
        ``"technique"`` or ``"exogenous"``.
    scheme : str
    seed : int or None
        Seed of the random splits (unused when the fold assignment was given) and of the
        CVPAT bootstrap.
    n, n_rows, n_dropped, n_replaced : int
    missing : str
    n_not_converged : int
        Training fits that stopped at ``max_iter`` (their last weights are used).
    warnings : tuple of str
    """

    items: pd.DataFrame
    constructs: pd.DataFrame
    metric: str
    n_skewed: int
    skew_threshold: float
    counts: PredictionCounts
    construct_counts: dict[str, PredictionCounts]
    pls_predictions: pd.DataFrame
    lm_predictions: pd.DataFrame
    naive_predictions: pd.DataFrame
    composite_predictions: pd.DataFrame
    construct_scores: pd.DataFrame
    cvpat: pd.DataFrame
    fold_assignment: np.ndarray = field(repr=False)
    cvpat_alternative: str = "greater"
    cvpat_boot: int = 2000
    folds: int = 10
    repetitions: int = 10
    technique: str = "direct"
    lm_predictors: str = "technique"
    scheme: str = "path"
    seed: int | None = DEFAULT_SEED
    n: int = 0
    n_rows: int = 0
    n_dropped: int = 0
    n_replaced: int = 0
    missing: str = "listwise"
    n_not_converged: int = 0
    warnings: tuple[str, ...] = ()


def _check_options(technique: str, metric: str, lm_predictors: str, scheme: str,
                   folds: int, repetitions: int, cvpat_alternative: str,
                   cvpat_boot: int) -> str:
    key = str(technique).strip().lower()
    if key not in _TECHNIQUE_NAMES:
        raise ValueError(f"technique must be one of {', '.join(TECHNIQUES)}; got "
                         f"{technique!r}")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}; got {metric!r}")
    if lm_predictors not in LM_PREDICTORS:
        raise ValueError(f"lm_predictors must be one of {', '.join(LM_PREDICTORS)}; got "
                         f"{lm_predictors!r}")
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    if int(folds) != folds or folds < 2:
        raise ValueError(f"folds must be an integer of at least 2; got {folds!r}")
    if int(repetitions) != repetitions or repetitions < 1:
        raise ValueError(f"repetitions must be a positive integer; got {repetitions!r}")
    if cvpat_alternative not in ALTERNATIVES:
        raise ValueError(f"cvpat_alternative must be one of {', '.join(ALTERNATIVES)}; "
                         f"got {cvpat_alternative!r}")
    if int(cvpat_boot) != cvpat_boot or cvpat_boot < 0 or cvpat_boot == 1:
        raise ValueError(f"cvpat_boot must be 0 or an integer of at least 2; got "
                         f"{cvpat_boot!r}")
    return _TECHNIQUE_NAMES[key]


def _assignment(n: int, folds: int, repetitions: int, seed: int | None,
                fold_assignment: np.ndarray | None) -> np.ndarray:
    if folds > n:
        raise ValueError(f"folds must not exceed the {n} rows used; got {folds}")
    if fold_assignment is None:
        return draw_assignment(n, folds, repetitions, seed)
    assignment = check_assignment(fold_assignment, n, folds)
    for row in assignment:
        sizes = np.bincount(row, minlength=folds)
        if n - sizes.max() < 3:
            raise ValueError("every training set needs at least 3 rows; a fold of "
                             f"fold_assignment holds {sizes.max()} of the {n} rows")
    return assignment


def _rmse_mae(res: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.sqrt(np.mean(res ** 2, axis=0)), np.mean(np.abs(res), axis=0)


def _choose_metric(metric: str, skew: np.ndarray, threshold: float) -> tuple[str, int]:
    """RMSE unless the prediction errors of most indicators are highly skewed."""
    n_skewed = int(np.sum(np.abs(skew) > threshold))
    if metric != "auto":
        return metric, n_skewed
    return ("mae" if 2 * n_skewed > len(skew) else "rmse"), n_skewed


def _count(metric: str, table: pd.DataFrame) -> PredictionCounts:
    pls, lm = table[f"{metric}_pls"].to_numpy(), table[f"{metric}_lm"].to_numpy()
    return PredictionCounts(metric=metric, n_indicators=len(table),
                            n_pls_lower=int(np.sum(pls < lm)),
                            n_pls_higher=int(np.sum(pls > lm)),
                            n_q2_positive=int(np.sum(table["q2_predict"].to_numpy() > 0)))


def _item_table(model: PlsModel, cv: CvPredictions, z: np.ndarray, sds: np.ndarray
                ) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The item table, the averaged predictions (``z`` units) and the out-of-sample
    errors (answer units) of PLS, LM and the training means."""
    idx = cv.items
    scale = sds[idx]
    actual = z[:, idx]
    avg = {key: getattr(cv, key) for key in ("pls", "lm", "naive")}
    res = {key: (actual - avg[key]) * scale for key in avg}
    rmse_pls, mae_pls = _rmse_mae(res["pls"])
    rmse_lm, mae_lm = _rmse_mae(res["lm"])
    q2 = 1.0 - np.sum(res["pls"] ** 2, axis=0) / np.sum(res["naive"] ** 2, axis=0)
    table = pd.DataFrame({
        "construct": [model.constructs[model.member[i]] for i in idx],
        "item": [model.items[i] for i in idx],
        "rmse_pls": rmse_pls, "mae_pls": mae_pls, "rmse_lm": rmse_lm, "mae_lm": mae_lm,
        "q2_predict": q2,
        "skew_pls": [skewness(res["pls"][:, c])[0] for c in range(len(idx))],
        "skew_lm": [skewness(res["lm"][:, c])[0] for c in range(len(idx))],
    })
    return table, avg, res


def _construct_table(model: PlsModel, cv: CvPredictions) -> pd.DataFrame:
    endo = [j for j in range(model.k) if model.predecessors[j]]
    actual = cv.actual_scores[:, endo]
    err = actual - cv.scores[:, endo]
    naive = actual - cv.score_naive[:, endo]
    rmse, mae = _rmse_mae(err)
    return pd.DataFrame({"construct": [model.constructs[j] for j in endo],
                         "q2_predict": 1.0 - np.sum(err ** 2, axis=0)
                         / np.sum(naive ** 2, axis=0),
                         "rmse": rmse, "mae": mae})


def pls_predict(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
                scheme: str = "path", *, folds: int = 10, repetitions: int = 10,
                technique: str = "direct", seed: int | None = DEFAULT_SEED,
                fold_assignment: np.ndarray | None = None, missing: str = "listwise",
                lm_predictors: str = "technique", metric: str = "auto",
                skew_threshold: float = SKEW_THRESHOLD, cvpat_alternative: str = "greater",
                cvpat_boot: int = 2000, max_iter: int = 300,
                tol: float = 1e-7) -> PlsPredictResult:
    """PLSpredict: k-fold cross-validated predictions of the endogenous indicators.

    Parameters
    ----------
    data, constructs, paths, modes, scheme
        The model and data as for :func:`~cxsurvey.stats.pls.fit.fit_pls`.
    folds : int
        k (10; Shmueli et al. 2019). A fold holds n/k rows (sizes differ by at most one).
    repetitions : int
        r random splits (10). Each row's predictions are averaged over the repetitions
        before the statistics are computed (R seminr's ``reps``).
    technique : {"direct", "earliest"}
        How the construct scores of a hold-out row are predicted from its items,
        standardised with the training means and SDs and weighted with the training
        weights: ``"direct"`` (DA, seminr's default) predicts every endogenous construct
        from the scores of its direct antecedents; ``"earliest"`` (EA, SmartPLS) only
        from the purely exogenous scores, propagated through the paths. An item is
        predicted as its loading times its construct's predicted score, turned back
        into answer units with the training mean and SD.
    seed : int or None
        Seed of the random splits (numpy PCG64) and of the CVPAT bootstrap; default
        :data:`DEFAULT_SEED`.
    fold_assignment : array of int, shape (repetitions, n) or (n,), optional
        0-based fold of every row used (after missing-value handling) in every
        repetition, labels in ``[0, folds)``; replaces the random splits (then
        ``repetitions`` is ignored and ``seed`` serves the CVPAT bootstrap only). For
        reproducing another program's folds.
    missing : {"listwise", "mean"}
        Missing answers are dropped or mean-replaced once, on the whole data, before the
        folds are formed (mean replacement thus uses the hold-out rows' answers too).
    lm_predictors : {"technique", "exogenous"}
        Predictors of the LM benchmark (ordinary least squares with intercept, fitted on
        the training rows): ``"technique"`` follows seminr -- the items of the construct's
        direct antecedents with DA, of all purely exogenous constructs with EA;
        ``"exogenous"`` always uses the items of the exogenous constructs (SmartPLS).
    metric : {"auto", "rmse", "mae"}
        Statistic compared with LM. ``"auto"``: RMSE, or MAE when the PLS prediction
        errors of more than half of the indicators are highly skewed (|G1| >
        ``skew_threshold``) -- Shmueli et al.'s advice to prefer MAE for a highly
        non-symmetric error distribution; the threshold is this module's convention.
    skew_threshold : float
        1.0.
    cvpat_alternative : {"greater", "two-sided"}
        Alternative hypothesis of CVPAT (``"greater"``: PLS has the smaller loss).
    cvpat_boot : int
        Bootstrap resamples of CVPAT's bootstrap standard error (2000; 0: paired t-test
        only).
    max_iter, tol
        PLS algorithm settings of every training fit.

    Returns
    -------
    PlsPredictResult

    Raises
    ------
    InputError
        For a wrong model or a missing/non-numeric item column.
    AnalysisError
        When the data cannot be estimated, or a training set cannot (an item constant in
        the training rows, collinear LM predictors).
    ValueError
        For invalid options or fold assignment.

    Notes
    -----
    Per endogenous indicator, with e the out-of-sample errors (answer units) of the n
    rows: RMSE = sqrt(mean e^2), MAE = mean |e| for PLS and LM;
    Q2_predict = 1 - sum e_PLS^2 / sum e_naive^2, the naive prediction being the
    item's mean in the row's training folds (Shmueli et al. 2019; SmartPLS). The
    construct-level Q2_predict compares the predicted composite score with the
    full-sample construct score the same way (naive: its training-fold mean), as do
    the construct ``rmse``/``mae`` (seminr's ``actuals_star``). Each training fit is
    the PLS algorithm on the training rows' own standardisation, as if estimated alone.

    References
    ----------
    Shmueli, G., Ray, S., Velasquez Estrada, J. M., & Chatla, S. B. (2016). The elephant
    in the room: predictive performance of PLS models. Journal of Business Research,
    69(10), 4552-4564. Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H.,
    Vaithilingam, S., & Ringle, C. M. (2019). Predictive model assessment in PLS-SEM:
    guidelines for using PLSpredict. European Journal of Marketing, 53(11), 2322-2347.
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on
    partial least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 6). Sage.
    Ray, S., Danks, N. P., & Calero Valdez, A. (2022). seminr (R package;
    ``predict_pls``, ``predict_DA``, ``predict_EA``).
    """
    return pls_predict_techniques(
        data, constructs, paths, modes, scheme, techniques=(technique,), folds=folds,
        repetitions=repetitions, seed=seed, fold_assignment=fold_assignment,
        missing=missing, lm_predictors=lm_predictors, metric=metric,
        skew_threshold=skew_threshold, cvpat_alternative=cvpat_alternative,
        cvpat_boot=cvpat_boot, max_iter=max_iter, tol=tol)[0]


def pls_predict_techniques(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                           paths: Sequence[tuple[str, str]],
                           modes: Mapping[str, str] | None = None, scheme: str = "path", *,
                           techniques: Sequence[str] = TECHNIQUES, folds: int = 10,
                           repetitions: int = 10, seed: int | None = DEFAULT_SEED,
                           fold_assignment: np.ndarray | None = None,
                           missing: str = "listwise", lm_predictors: str = "technique",
                           metric: str = "auto", skew_threshold: float = SKEW_THRESHOLD,
                           cvpat_alternative: str = "greater", cvpat_boot: int = 2000,
                           max_iter: int = 300, tol: float = 1e-7
                           ) -> tuple[PlsPredictResult, ...]:
    """:func:`pls_predict` by several techniques at once (default: direct and earliest
    antecedents), one result per technique, each equal to its own :func:`pls_predict`
    call with the same arguments.

    The techniques share the folds, the training fits, the training-mean benchmark and
    CVPAT's bootstrap resamples (each drawn once), so the second technique costs only
    its predictions.

    References
    ----------
    Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
    Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: guidelines for using
    PLSpredict. European Journal of Marketing, 53(11), 2322-2347.
    """
    names = [_check_options(t, metric, lm_predictors, scheme, folds, repetitions,
                            cvpat_alternative, cvpat_boot) for t in techniques]
    if not names:
        raise ValueError("techniques must name at least one technique")
    model = compile_model(constructs, paths, modes)
    prep = prepare_data(data, model, missing)
    n = prep.z.shape[0]
    assignment = _assignment(n, int(folds), int(repetitions), seed, fold_assignment)
    cvs = cross_validate(prep.z, model, assignment, int(folds), names, lm_predictors,
                         scheme, int(max_iter), float(tol))
    parts = [_technique_tables(model, cvs[t], prep, metric, skew_threshold) for t in names]
    cvpats = cvpat_tables([(part.losses["pls"], {"LM": part.losses["lm"],
                                                 "IA": part.losses["naive"]})
                           for part in parts],
                          list(parts[0].constructs["construct"]), cvpat_alternative,
                          int(cvpat_boot), seed)
    settings = _Settings(assignment=assignment, folds=int(folds), lm_predictors=lm_predictors,
                         scheme=scheme, seed=seed, missing=missing,
                         skew_threshold=float(skew_threshold),
                         cvpat_alternative=cvpat_alternative, cvpat_boot=int(cvpat_boot),
                         max_iter=int(max_iter))
    return tuple(_result(t, model, cvs[t], prep, part, cvpat, settings)
                 for t, part, cvpat in zip(names, parts, cvpats, strict=True))


@dataclass(frozen=True)
class _Technique:
    """One technique's item and construct tables, CVPAT's per-observation losses (of
    PLS, LM and the training means) and averaged predictions (``z`` units)."""

    items: pd.DataFrame
    constructs: pd.DataFrame
    losses: dict[str, np.ndarray]
    averages: dict[str, np.ndarray]
    metric: str
    n_skewed: int


@dataclass(frozen=True)
class _Settings:
    assignment: np.ndarray
    folds: int
    lm_predictors: str
    scheme: str
    seed: int | None
    missing: str
    skew_threshold: float
    cvpat_alternative: str
    cvpat_boot: int
    max_iter: int


def _technique_tables(model: PlsModel, cv: CvPredictions, prep: PreparedData, metric: str,
                      skew_threshold: float) -> _Technique:
    items, avg, errors = _item_table(model, cv, prep.z, prep.sds)
    chosen, n_skewed = _choose_metric(metric, items["skew_pls"].to_numpy(), skew_threshold)
    items["pls_lower"] = items[f"{chosen}_pls"] < items[f"{chosen}_lm"]
    constructs = _construct_table(model, cv)
    member, endogenous = list(items["construct"]), list(constructs["construct"])
    # the n x q errors end here: CVPAT needs their per-observation losses only
    losses = {key: observation_losses(value, member, endogenous)
              for key, value in errors.items()}
    return _Technique(items=items, constructs=constructs, losses=losses, averages=avg,
                      metric=chosen, n_skewed=n_skewed)


def _result(technique: str, model: PlsModel, cv: CvPredictions, prep: PreparedData,
            part: _Technique, cvpat: pd.DataFrame, settings: _Settings) -> PlsPredictResult:
    items, construct_table, chosen = part.items, part.constructs, part.metric
    by_construct = {c: _count(chosen, items[items["construct"] == c])
                    for c in construct_table["construct"]}
    for key in ("n_indicators", "n_pls_lower", "n_pls_higher", "n_q2_positive"):
        construct_table[key] = [getattr(by_construct[c], key)
                                for c in construct_table["construct"]]
    names = list(items["item"])
    idx = cv.items

    def frame(values: np.ndarray, own: bool) -> pd.DataFrame:
        """Answer units; ``own``: this technique's own array, turned in place."""
        if own:
            values *= prep.sds[idx]
            values += prep.means[idx]
            return pd.DataFrame(values, index=prep.index, columns=names, copy=False)
        raw = prep.means[idx] + values * prep.sds[idx]
        return pd.DataFrame(raw, index=prep.index, columns=names)

    warnings: list[str] = []
    if cv.not_converged:
        warnings.append(f"{cv.not_converged} training fit(s) did not converge in "
                        f"{settings.max_iter} iterations; their last weights were used")
    if prep.n_dropped:
        warnings.append(f"{prep.n_dropped} row(s) with missing answers dropped (listwise)")
    if prep.n_replaced:
        warnings.append(f"{prep.n_replaced} missing answer(s) replaced by the item mean "
                        "of all rows before the folds were formed")
    assignment = settings.assignment
    return PlsPredictResult(
        items=items, constructs=construct_table, metric=chosen, n_skewed=part.n_skewed,
        skew_threshold=settings.skew_threshold, counts=_count(chosen, items),
        construct_counts=by_construct, pls_predictions=frame(part.averages["pls"], True),
        lm_predictions=frame(part.averages["lm"], True),
        naive_predictions=frame(part.averages["naive"], False),  # shared by the techniques
        composite_predictions=pd.DataFrame(cv.scores, index=prep.index,
                                           columns=list(model.constructs)),
        construct_scores=pd.DataFrame(cv.actual_scores, index=prep.index,
                                      columns=list(model.constructs)),
        cvpat=cvpat, cvpat_alternative=settings.cvpat_alternative,
        cvpat_boot=settings.cvpat_boot, fold_assignment=assignment,
        folds=settings.folds, repetitions=assignment.shape[0], technique=technique,
        lm_predictors=settings.lm_predictors, scheme=settings.scheme,
        seed=settings.seed, n=prep.z.shape[0], n_rows=prep.n_rows,
        n_dropped=prep.n_dropped, n_replaced=prep.n_replaced, missing=settings.missing,
        n_not_converged=cv.not_converged, warnings=tuple(warnings))
