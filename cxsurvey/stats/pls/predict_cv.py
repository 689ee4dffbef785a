"""Cross-validated predictions for PLSpredict: fold assignment, the training fits of all
folds as batches of correlation matrices, and the hold-out predictions of PLS (direct or
earliest antecedents), the linear-model benchmark and the training-mean benchmark.

Everything works on the items standardised with the full-sample means and SDs (``z``).
A training set's own means, SDs and correlations come from the full-sample cross-products
minus the hold-out fold's, and a hold-out row standardised with the training means/SDs is
``(z - mean_train) / sd_train`` -- the same numbers as standardising the raw answers with
the raw training moments, since standardisation is affine. Predictions are returned in
``z`` units; the caller multiplies by the full-sample SD to get raw answer units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cxsurvey.errors import AnalysisError
from cxsurvey.stats.pls.data import ZERO_VARIANCE, correlation
from cxsurvey.stats.pls.estimate import batch_structural, estimate_batch
from cxsurvey.stats.pls.linalg import solve_spd
from cxsurvey.stats.pls.specify import PlsModel

__all__ = ["TECHNIQUES", "LM_PREDICTORS", "FOLD_CHUNK", "CvPredictions", "FoldMoments",
           "check_assignment", "draw_assignment", "fold_moments", "cross_validate",
           "lm_predictor_constructs"]

TECHNIQUES = ("direct", "earliest")
LM_PREDICTORS = ("technique", "exogenous")
FOLD_CHUNK = 400  # training fits per estimate_batch call


def draw_assignment(n: int, folds: int, repetitions: int, seed: int | None) -> np.ndarray:
    """The ``(repetitions, n)`` matrix of 0-based folds: per repetition a random
    permutation of the rows (numpy PCG64 seeded with ``seed``, one generator for all
    repetitions) cut into ``folds`` contiguous blocks of sizes differing by at most one
    (seminr's shuffle-then-``cut`` scheme).

    References
    ----------
    Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
    Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: guidelines for using
    PLSpredict. European Journal of Marketing, 53(11), 2322-2347 (k-fold
    cross-validation repeated r times with random splits).
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    fold_of_position = (np.arange(n) * folds) // n
    out = np.empty((repetitions, n), dtype=np.int64)
    for r in range(repetitions):
        out[r, rng.permutation(n)] = fold_of_position
    return out


def check_assignment(assignment: np.ndarray, n: int, folds: int) -> np.ndarray:
    """Check a ``(repetitions, n)`` matrix of 0-based fold labels in ``[0, folds)``."""
    a = np.asarray(assignment)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != n:
        raise ValueError(f"fold_assignment must be a (repetitions, {n}) matrix of fold "
                         f"labels, one column per row used; got shape {a.shape}")
    if a.size and not np.issubdtype(a.dtype, np.integer) and (
            not np.all(np.isfinite(a)) or np.any(a != np.round(a))):
        raise ValueError("fold_assignment must hold integer fold labels")
    a = a.astype(np.int64)
    if a.min() < 0 or a.max() >= folds:
        raise ValueError(f"fold_assignment labels must be 0-based folds in [0, {folds - 1}]; "
                         f"got values in [{a.min()}, {a.max()}]")
    return a


@dataclass(frozen=True)
class FoldMoments:
    """Training-set moments of a list of folds in full-sample ``z`` units."""

    means: np.ndarray  # (B, p)
    sds: np.ndarray  # (B, p), n - 1 denominator; NaN for an item constant in training
    corr: np.ndarray  # (B, p, p); NaN matrices where an item is constant in training


def fold_moments(z: np.ndarray, tests: Sequence[np.ndarray]) -> FoldMoments:
    """Means, SDs and correlation matrices of the training sets (all rows but
    ``tests[b]``): the full-sample sums and cross-products minus the hold-out rows'."""
    n, p = z.shape
    total1 = z.sum(axis=0)
    total2 = z.T @ z
    b = len(tests)
    s1 = np.empty((b, p))
    s2 = np.empty((b, p, p))
    m = np.empty(b)
    for i, rows in enumerate(tests):
        zt = z[rows]
        s1[i] = total1 - zt.sum(axis=0)
        s2[i] = total2 - zt.T @ zt
        m[i] = n - len(rows)
    means = s1 / m[:, None]
    cov = (s2 - m[:, None, None] * means[:, :, None] * means[:, None, :]) \
        / (m - 1)[:, None, None]
    var = np.einsum("bpp->bp", cov)
    with np.errstate(invalid="ignore", divide="ignore"):
        sds = np.sqrt(np.where(var > ZERO_VARIANCE, var, np.nan))
        corr = cov / (sds[:, :, None] * sds[:, None, :])
    idx = np.arange(p)
    corr[:, idx, idx] = 1.0
    corr[~np.all(np.isfinite(sds), axis=1)] = np.nan
    return FoldMoments(means=means, sds=sds, corr=corr)


def _construct_order(model: PlsModel) -> list[int]:
    """Endogenous constructs in an order where every predictor comes first."""
    done = {j for j in range(model.k) if not model.predecessors[j]}
    order: list[int] = []
    while len(done) < model.k:
        for j in range(model.k):
            if j not in done and all(a in done for a in model.predecessors[j]):
                order.append(j)
                done.add(j)
    return order


def lm_predictor_constructs(model: PlsModel, technique: str, lm_predictors: str,
                            j: int) -> tuple[int, ...]:
    """Constructs whose items are the benchmark regression's predictors for construct j:
    its direct antecedents (``technique`` with DA, seminr) or all purely exogenous
    constructs (EA in seminr; SmartPLS always)."""
    if lm_predictors == "technique" and technique == "direct":
        return model.predecessors[j]
    return tuple(c for c in range(model.k) if not model.predecessors[c])


@dataclass(frozen=True)
class CvPredictions:
    """Hold-out predictions averaged over the repetitions, in full-sample ``z`` units
    (every row is predicted once per repetition).

    ``pls``, ``lm``, ``naive``: (n, q) for the q endogenous items (``items``);
    ``scores``: (n, k) predicted construct scores (exogenous ones: their hold-out
    scores); ``score_naive``: (n, k) training-fold means of the full-sample construct
    scores; ``actual_scores``: (n, k) full-sample construct scores; ``not_converged``:
    training fits that did not converge.
    """

    items: np.ndarray
    pls: np.ndarray
    lm: np.ndarray
    naive: np.ndarray
    scores: np.ndarray
    score_naive: np.ndarray
    actual_scores: np.ndarray
    not_converged: int


def _training_fits(moments: FoldMoments, model: PlsModel, scheme: str, max_iter: int,
                   tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Weights, loadings and path coefficients of every training set (one batch)."""
    constant = ~np.all(np.isfinite(moments.sds), axis=1)
    if constant.any():
        b = int(np.argmax(constant))
        item = model.items[int(np.argmax(~np.isfinite(moments.sds[b])))]
        raise AnalysisError(f"item '{item}' has the same answer in every training row of a "
                            "cross-validation fold, so the fold cannot be estimated",
                            hint="Use fewer folds or drop the item.")
    est = estimate_batch(moments.corr, model, scheme, max_iter, tol)
    if not est.valid.all():
        raise AnalysisError("the PLS algorithm broke down on the training rows of a "
                            "cross-validation fold (collinear items or construct scores)",
                            hint="Use fewer folds.")
    beta, _ = batch_structural(est.score_corr, model)
    return est.weights, est.loadings(model), beta, int((~est.converged).sum())


def _lm_slopes(moments: FoldMoments, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slopes (B, |x|, |y|) of items y on items x in every training set."""
    cov = moments.corr * moments.sds[:, :, None] * moments.sds[:, None, :]
    lhs = cov[:, x][:, :, x]
    rhs = cov[:, x][:, :, y]
    slopes = solve_spd(lhs, rhs)
    if not np.all(np.isfinite(slopes)):
        raise AnalysisError("the linear-model benchmark is undetermined in a "
                            "cross-validation fold (perfectly collinear predictor items)",
                            hint="Use fewer folds or drop a redundant item.")
    return slopes


def _pls_scores(zt: np.ndarray, w: np.ndarray, beta: np.ndarray, model: PlsModel,
                technique: str, order: list[int]) -> np.ndarray:
    """Predicted construct scores of hold-out rows ``zt`` (already standardised with the
    training moments) by the direct- or earliest-antecedent technique."""
    scores = zt @ (w[:, None] * model.onehot)
    endo = [j for j in range(model.k) if model.predecessors[j]]
    if technique == "direct":
        pred = scores @ beta
        exo = [j for j in range(model.k) if not model.predecessors[j]]
        pred[:, exo] = scores[:, exo]
        return pred
    pred = scores.copy()
    pred[:, endo] = 0.0
    for j in order:
        pred[:, j] = pred @ beta[:, j]
    return pred


@dataclass(frozen=True)
class _Layout:
    """Index sets shared by all folds."""

    items: np.ndarray  # endogenous items (model positions)
    endo: list[int]
    blocks: dict[int, np.ndarray]
    lm_sets: dict[int, np.ndarray]  # predictor items of each endogenous construct
    lm_cols: dict[int, np.ndarray]  # its items' columns among ``items``
    order: list[int]


def _layout(model: PlsModel, technique: str, lm_predictors: str) -> _Layout:
    endo = [j for j in range(model.k) if model.predecessors[j]]
    items = np.flatnonzero(np.isin(model.member, endo))
    blocks = {j: model.block_index(j) for j in range(model.k)}
    col = {int(i): c for c, i in enumerate(items)}
    lm_sets = {j: np.array([i for c in lm_predictor_constructs(model, technique,
                                                              lm_predictors, j)
                            for i in blocks[c]], dtype=np.int64) for j in endo}
    lm_cols = {j: np.array([col[int(i)] for i in blocks[j]], dtype=np.int64) for j in endo}
    return _Layout(items=items, endo=endo, blocks=blocks, lm_sets=lm_sets, lm_cols=lm_cols,
                   order=_construct_order(model))


def cross_validate(z: np.ndarray, model: PlsModel, assignment: np.ndarray, folds: int,
                   techniques: Sequence[str], lm_predictors: str, scheme: str,
                   max_iter: int, tol: float) -> dict[str, CvPredictions]:
    """Hold-out predictions of PLS, the LM benchmark and the training-mean benchmark
    for every fold of every repetition, by each technique (see :func:`pls_predict` for
    the definitions).

    The techniques share the folds, the training fits and the training means; the
    training fits run through :func:`estimate_batch` in batches of up to ``FOLD_CHUNK``
    folds (all of them for the usual 10 x 10)."""
    reps, n = assignment.shape
    full = estimate_batch(correlation(z)[None], model, scheme, max_iter, tol)
    if not full.valid[0]:
        raise AnalysisError("the PLS algorithm broke down on these data")
    actual = z @ (full.weights[0][:, None] * model.onehot)
    layouts = {t: _layout(model, t, lm_predictors) for t in dict.fromkeys(techniques)}
    jobs = [(r, rows) for r, row in enumerate(assignment)
            for rows in (np.flatnonzero(row == f) for f in range(folds)) if len(rows)]
    items = next(iter(layouts.values())).items
    q = len(items)
    # sums over the repetitions (every row is predicted once per repetition)
    shapes = {"pls": q, "lm": q, "scores": model.k}
    sums = {t: {key: np.zeros((n, m)) for key, m in shapes.items()} for t in layouts}
    naive_sum, score_naive_sum = np.zeros((n, q)), np.zeros((n, model.k))
    actual_sum = actual.sum(axis=0)
    not_converged = 0
    for start in range(0, len(jobs), FOLD_CHUNK):
        chunk = jobs[start:start + FOLD_CHUNK]
        moments = fold_moments(z, [rows for _, rows in chunk])
        fits = _training_fits(moments, model, scheme, max_iter, tol)
        not_converged += fits[3]
        slopes: dict[tuple[tuple[int, ...], int], np.ndarray] = {}
        for lay in layouts.values():
            for j in lay.endo:
                regression = (tuple(lay.lm_sets[j]), j)
                if regression not in slopes:
                    slopes[regression] = _lm_slopes(moments, lay.lm_sets[j], lay.blocks[j])
        for b, (_, rows) in enumerate(chunk):
            mean, sd = moments.means[b], moments.sds[b]
            naive_sum[rows] += mean[items]
            # training-fold means of the full-sample scores: all rows' sum minus the fold's
            score_naive_sum[rows] += (actual_sum - actual[rows].sum(axis=0)) / (n - len(rows))
            zr = z[rows]
            zt = (zr - mean) / sd
            for t, lay in layouts.items():
                _predict_fold(sums[t], zr, zt, model, lay, t, rows, (mean, sd),
                              (fits[0][b], fits[1][b], fits[2][b]),
                              {j: slopes[(tuple(lay.lm_sets[j]), j)][b] for j in lay.endo})
    for t in layouts:
        for values in sums[t].values():
            values /= reps
    naive_sum /= reps
    score_naive_sum /= reps
    return {t: CvPredictions(items=lay.items, pls=sums[t]["pls"], lm=sums[t]["lm"],
                             naive=naive_sum, scores=sums[t]["scores"],
                             score_naive=score_naive_sum, actual_scores=actual,
                             not_converged=not_converged)
            for t, lay in layouts.items()}


def _predict_fold(out: dict[str, np.ndarray], zr: np.ndarray, zt: np.ndarray,
                  model: PlsModel, lay: _Layout, technique: str, rows: np.ndarray,
                  moments: tuple[np.ndarray, np.ndarray],
                  fit: tuple[np.ndarray, np.ndarray, np.ndarray],
                  slopes: dict[int, np.ndarray]) -> None:
    """Add the predictions of the hold-out ``rows`` (``zr``: their items, ``zt``: the
    same standardised with the training moments) from one training set's means/SDs,
    PLS weights/loadings/paths and LM slopes to the sums ``out``."""
    mean, sd = moments
    weights, loadings, beta = fit
    items = lay.items
    pred = _pls_scores(zt, weights, beta, model, technique, lay.order)
    out["scores"][rows] += pred
    item_std = pred[:, model.member[items]] * loadings[items]
    out["pls"][rows] += mean[items] + sd[items] * item_std
    lm = np.empty((len(rows), len(items)))
    for j in lay.endo:
        x, y = lay.lm_sets[j], lay.blocks[j]
        lm[:, lay.lm_cols[j]] = mean[y] + (zr[:, x] - mean[x]) @ slopes[j]
    out["lm"][rows] += lm
