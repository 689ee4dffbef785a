"""The batched PLS algorithm: outer weights, construct-score correlations, paths and R^2.

Everything is computed from the indicators' correlation matrix, so :func:`estimate_batch`
fits one sample, the models without one path that f^2 needs, thousands of bootstrap
resamples and the jackknife samples of BCa intervals with one code path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cxsurvey.stats.pls.linalg import solve_spd
from cxsurvey.stats.pls.specify import PlsModel

__all__ = ["COLLINEAR", "SCHEMES", "BatchEstimates", "batch_chain_effects", "batch_structural",
           "batch_total_effects", "estimate_batch"]

SCHEMES = ("path", "factorial", "centroid")
COLLINEAR = 1e-10  # smallest eigenvalue of a Mode B block's correlation matrix


@dataclass(frozen=True)
class BatchEstimates:
    """PLS estimates for a batch of correlation matrices.

    Attributes
    ----------
    weights : ndarray, shape (B, p)
        Outer weights (construct scores with unit sample variance).
    cross_loadings : ndarray, shape (B, p, k)
        Correlation of every item with every construct score; the loadings are the
        entries of an item's own construct.
    score_corr : ndarray, shape (B, k, k)
        Correlations of the construct scores.
    iterations : ndarray of int, shape (B,)
        Iterations as seminr counts them (ECSI: 6).
    converged : ndarray of bool, shape (B,)
    valid : ndarray of bool, shape (B,)
        False where the estimate is not computable (zero-variance item, singular
        block or predictor correlation matrix).
    """

    weights: np.ndarray
    cross_loadings: np.ndarray
    score_corr: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    valid: np.ndarray

    def loadings(self, model: PlsModel) -> np.ndarray:
        """Outer loadings, shape (B, p)."""
        return self.cross_loadings[:, np.arange(model.p), model.member]


# ---------------------------------------------------------------------------------------
# Regressions on construct scores
# ---------------------------------------------------------------------------------------

def _regression_masks(model: PlsModel, adjacency: np.ndarray) -> dict[str, np.ndarray]:
    """Per-element masks of the predictors that keep their path, for each outcome."""
    masks = {}
    for j, pred in enumerate(model.predecessors):
        if pred:
            on = adjacency[:, list(pred), j] > 0
            masks[f"on{j}"] = on
            masks[f"pair{j}"] = on[:, :, None] & on[:, None, :]
    return masks


@lru_cache(maxsize=256)
def _gather(pred: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row and column indices of the predictors' block of a correlation matrix, and the
    identity of its size (built once per predictor set)."""
    idx = np.array(pred)
    return idx[:, None], idx[None, :], np.eye(len(pred))


def _masked_regression(corr: np.ndarray, pred: list[int], j: int,
                       masks: Mapping[str, np.ndarray] | None) -> np.ndarray:
    """Regression weights of construct j on ``pred`` for every batch element; with
    per-element ``masks`` the predictors without a path get weight 0 (their row and
    column are replaced by the identity, which solves the reduced system exactly)."""
    if len(pred) == 1 and masks is None:
        i = pred[0]
        return corr[:, i:i + 1, j] / corr[:, i:i + 1, i]
    rows, cols, eye = _gather(tuple(pred))
    lhs = corr[:, rows, cols]
    rhs = corr[:, pred, j]
    if masks is not None:
        on = masks[f"on{j}"]
        lhs = np.where(masks[f"pair{j}"], lhs, eye)
        rhs = np.where(on, rhs, 0.0)
    if len(pred) == 1:
        return rhs / lhs[:, :, 0]
    return solve_spd(lhs, rhs)


def _inner_weights(corr: np.ndarray, model: PlsModel, scheme: str,
                   adjacency: np.ndarray | None = None,
                   masks: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Inner weights ``e[i, j]`` (weight of score i in the inner proxy of construct j);
    ``adjacency``/``masks``: a per-element structural model (see :func:`estimate_batch`)."""
    adj = model.adjacency if adjacency is None else adjacency
    adj_t = np.swapaxes(adj, -1, -2)
    if scheme == "factorial":
        return corr * (adj + adj_t)
    if scheme == "centroid":
        return np.sign(corr) * (adj + adj_t)
    inner = corr * adj_t  # successors: their correlation with the construct
    for j, pred in enumerate(model.predecessors):
        if pred:
            idx = list(pred)
            inner[:, idx, j] = _masked_regression(corr, idx, j, masks)
    return inner


# ---------------------------------------------------------------------------------------
# The iteration
# ---------------------------------------------------------------------------------------

@dataclass
class _Run:
    """Results per batch element and the iteration state of the still active ones."""

    weights: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    valid: np.ndarray
    active: np.ndarray
    state: dict[str, np.ndarray]

    def retire(self, stop: np.ndarray, done: np.ndarray, finite: np.ndarray,
               w: np.ndarray, it: int, max_iter: int) -> np.ndarray:
        """Record the elements that stop now; returns the mask of those that go on."""
        rows = self.active[stop]
        self.weights[rows] = w[stop]
        self.iterations[rows] = np.where(done[stop], it - 1, max_iter)
        self.converged[rows] = done[stop]
        self.valid[self.active[~finite]] = False
        keep = ~stop
        self.active = self.active[keep]
        self.state = {key: value[keep] for key, value in self.state.items()}
        return keep


def _check_batch(corr: np.ndarray, model: PlsModel, scheme: str) -> np.ndarray:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    corr = np.asarray(corr, dtype=float)
    if corr.ndim == 2:
        corr = corr[None]
    if corr.shape[1] != model.p:
        raise ValueError(f"corr has {corr.shape[1]} items but the model has {model.p}")
    return corr


def _mode_b_inverses(corr: np.ndarray, model: PlsModel,
                     valid: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Item indices and inverse correlation matrices of the multi-item Mode B blocks (they
    do not change over the iterations); marks the elements whose block is (near-)singular
    invalid in ``valid``, since collinear items leave Mode B weights undetermined."""
    n_batch = corr.shape[0]
    blocks = [model.block_index(j) for j in range(model.k)
              if model.mode_b[j] and len(model.blocks[j]) > 1]
    inverses: list[np.ndarray] = []
    for idx in blocks:
        block = np.where(valid[:, None, None], corr[:, idx][:, :, idx], np.eye(len(idx)))
        valid &= np.linalg.eigvalsh(block)[:, 0] > COLLINEAR
        inv = solve_spd(block, np.broadcast_to(np.eye(len(idx)), block.shape))
        inverses.append(inv)
        valid &= np.all(np.isfinite(inv.reshape(n_batch, -1)), axis=1)
    return blocks, inverses


def _start(corr: np.ndarray, model: PlsModel, valid: np.ndarray, max_iter: int,
           adjacency: np.ndarray | None, inverses: list[np.ndarray]) -> _Run:
    """Weights 1 for every valid element; per-element structural models and the
    constructs they leave without a path (frozen at their starting weights)."""
    n_batch, p = corr.shape[0], model.p
    active = np.flatnonzero(valid)
    state = {"s": corr[active], "u": np.ones((len(active), p)),
             "w_prev": np.ones((len(active), p))}
    if adjacency is not None:
        isolated = (adjacency.sum(axis=1) + adjacency.sum(axis=2)) == 0
        state["adj"] = adjacency[active]
        for key, mask in _regression_masks(model, adjacency).items():
            state[key] = mask[active]
        if isolated.any():
            state["frozen"] = isolated[:, model.member][active]
    for i, inv in enumerate(inverses):
        state[f"inv{i}"] = inv[active]
    return _Run(weights=np.full((n_batch, p), np.nan),
                iterations=np.full(n_batch, max_iter, dtype=np.int64),
                converged=np.zeros(n_batch, dtype=bool), valid=valid, active=active,
                state=state)


def _unit_variance(state: Mapping[str, np.ndarray],
                   model: PlsModel) -> tuple[np.ndarray, ...]:
    """Weights ``u`` rescaled so that every construct score has unit variance:
    ``w, wm`` (as a (B, p, k) matrix), ``S wm``, the scores' SD and variance."""
    u = state["u"]
    wm = u[:, :, None] * model.onehot
    swu = np.matmul(state["s"], wm)
    var = np.einsum("bpk,bpk->bk", wm, swu)
    sd = np.sqrt(var)
    return u / sd[:, model.member], wm, swu, sd, var


def _next_weights(state: Mapping[str, np.ndarray], w: np.ndarray, wm: np.ndarray,
                  swu: np.ndarray, sd: np.ndarray, model: PlsModel, scheme: str,
                  mode_b_blocks: list[np.ndarray], per_element: bool) -> np.ndarray:
    """Unscaled outer weights of the next iteration: covariances of the items with their
    construct's inner proxy (Mode A), times the block's inverse correlation (Mode B)."""
    sw = swu / sd[:, None, :]
    c = np.matmul(wm.transpose(0, 2, 1), swu) / (sd[:, :, None] * sd[:, None, :])
    inner = _inner_weights(c, model, scheme, state.get("adj"),
                           state if per_element else None)
    # covariance of each item with the inner proxy of its own construct
    u = np.einsum("bpi,bip->bp", sw, inner[:, :, model.member])
    for i, idx in enumerate(mode_b_blocks):
        u[:, idx] = np.einsum("bij,bj->bi", state[f"inv{i}"], u[:, idx])
    u[:, model.single] = 1.0
    if "frozen" in state:
        u = np.where(state["frozen"], w, u)
    return u


def _iterate(run: _Run, model: PlsModel, scheme: str, max_iter: int, tol: float,
             mode_b_blocks: list[np.ndarray], per_element: bool) -> None:
    """Iterate every active element until its own stop criterion holds; an element
    drops out of the batch when it converges, breaks down or reaches ``max_iter``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for it in range(max_iter + 2):
            w, wm, swu, sd, var = _unit_variance(run.state, model)
            finite = np.all(np.isfinite(w), axis=1) & np.all(var > 0, axis=1)
            stop = ~finite
            done = np.zeros_like(finite)
            if it > 0:
                diff = np.abs(w - run.state["w_prev"]).sum(axis=1)
                done = finite & (diff < tol)
                stop = stop | done | (it == max_iter + 1)
            if stop.any():
                keep = run.retire(stop, done, finite, w, it, max_iter)
                if not len(run.active):
                    break
                w, wm, swu, sd = w[keep], wm[keep], swu[keep], sd[keep]
            run.state["u"] = _next_weights(run.state, w, wm, swu, sd, model, scheme,
                                           mode_b_blocks, per_element)
            run.state["w_prev"] = w


def _outer_estimates(corr: np.ndarray, model: PlsModel, run: _Run) -> BatchEstimates:
    """Final weights (1 for single items), item-score and score-score correlations."""
    weights, valid = run.weights, run.valid
    weights[~valid] = np.nan
    weights[:, model.single] = np.where(valid[:, None], 1.0, np.nan)
    wm = np.nan_to_num(weights)[:, :, None] * model.onehot
    with np.errstate(invalid="ignore"):
        cross = np.matmul(corr, wm)
        score_corr = np.matmul(wm.transpose(0, 2, 1), cross)
    cross[~valid] = np.nan
    score_corr[~valid] = np.nan
    return BatchEstimates(weights=weights, cross_loadings=cross, score_corr=score_corr,
                          iterations=run.iterations, converged=run.converged & valid,
                          valid=valid)


def estimate_batch(corr: np.ndarray, model: PlsModel, scheme: str = "path",
                   max_iter: int = 300, tol: float = 1e-7,
                   adjacency: np.ndarray | None = None) -> BatchEstimates:
    """Run the PLS algorithm on a batch of indicator correlation matrices.

    Each matrix iterates until its own stop criterion holds (elements that converge
    drop out of the batch), exactly as a separate fit would.

    Parameters
    ----------
    corr : ndarray, shape (B, p, p)
        Correlation matrices of the model's items, in ``model.items`` order. Matrices
        with non-finite entries (a zero-variance item) are marked invalid.
    model : PlsModel
    scheme : {"path", "factorial", "centroid"}
        Inner weighting scheme.
    max_iter : int
        Maximum number of iterations (seminr's ``maxIt``).
    tol : float
        Stop when the sum of absolute changes of the outer weights is below ``tol``.
    adjacency : ndarray, shape (B, k, k), optional
        A structural model per batch element, a subset of ``model.adjacency`` (used to
        re-estimate the model without one path for f^2). A construct left without any
        path keeps its starting weights and takes no part, as if it were removed.

    Returns
    -------
    BatchEstimates

    Notes
    -----
    One iteration, for outer weights ``w`` scaled so that every construct score
    ``Y_j = X_j w_j`` has unit variance: score correlations ``C = W' S W``; inner weights
    ``e`` from ``C`` (path: regression weights of a construct's predictors and
    correlations of its successors; factorial: correlations of all neighbours; centroid:
    signs of those correlations); inner proxy ``Z_j = sum_i e_ij Y_i``; new weights
    ``w_j = cov(X_j, Z_j)`` (Mode A) or ``S_jj^-1 cov(X_j, Z_j)`` (Mode B), rescaled to
    ``w_j' S_jj w_j = 1``. The first iteration starts from weights 1 and the stop
    criterion compares consecutive weights, so R seminr's iteration count is reproduced.

    References
    ----------
    Lohmoeller, J.-B. (1989). Latent variable path modeling with partial least squares.
    Physica. Wold, H. (1982). Soft modeling: the basic design and some extensions. In
    Systems under indirect observation II (pp. 1-54). North-Holland. Ray, S., Danks, N. P.,
    & Calero Valdez, A. (2022). seminr: Building and estimating structural equation models
    (R package; ``simplePLS``).
    """
    corr = _check_batch(corr, model, scheme)
    n_batch = corr.shape[0]
    valid = np.all(np.isfinite(corr.reshape(n_batch, -1)), axis=1)
    if adjacency is not None:
        adjacency = np.broadcast_to(np.asarray(adjacency, dtype=float),
                                    (n_batch, model.k, model.k))
    mode_b_blocks, inverses = _mode_b_inverses(corr, model, valid)
    run = _start(corr, model, valid, max_iter, adjacency, inverses)
    _iterate(run, model, scheme, max_iter, tol, mode_b_blocks, adjacency is not None)
    return _outer_estimates(corr, model, run)


# ---------------------------------------------------------------------------------------
# Structural model
# ---------------------------------------------------------------------------------------

def batch_structural(score_corr: np.ndarray, model: PlsModel,
                     adjacency: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Path coefficients and R^2 from construct-score correlations.

    Parameters
    ----------
    score_corr : ndarray, shape (B, k, k)
    model : PlsModel
    adjacency : ndarray, shape (B, k, k), optional
        Per-element structural model (a subset of the model's paths).

    Returns
    -------
    beta : ndarray, shape (B, k, k)
        ``beta[:, i, j]``: coefficient of the path i -> j (0 where there is no path).
    r2 : ndarray, shape (B, k)
        R^2 of every construct (NaN for exogenous ones; 0 where ``adjacency`` removes all
        predictors).

    References
    ----------
    Ordinary least squares on standardised construct scores (Hair et al., 2022, ch. 6).
    """
    n_batch, k, _ = score_corr.shape
    beta = np.zeros((n_batch, k, k))
    r2 = np.full((n_batch, k), np.nan)
    masks = None if adjacency is None else _regression_masks(
        model, np.broadcast_to(adjacency, (n_batch, k, k)))
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, pred in enumerate(model.predecessors):
            if not pred:
                continue
            idx = list(pred)
            coef = _masked_regression(score_corr, idx, j, masks)
            beta[:, idx, j] = coef
            r2[:, j] = np.einsum("bi,bi->b", coef, score_corr[:, idx, j])
    return beta, r2


def batch_total_effects(beta: np.ndarray) -> np.ndarray:
    """Total effects ``B + B^2 + ...`` (= (I - B)^-1 - I) of a recursive model.

    ``beta[:, i, j]`` is the path i -> j; the total indirect effect is the total minus
    ``beta``. The vectorised form of :func:`cxsurvey.stats.effects.effects` (path
    tracing), for a whole batch of resamples.

    References
    ----------
    Bollen, K. A. (1987). Total, direct, and indirect effects in structural equation
    models. Sociological Methodology, 17, 37-69.
    """
    total = beta.copy()
    power = beta.copy()
    for _ in range(beta.shape[-1]):
        power = np.matmul(power, beta)
        if not np.any(power):
            break
        total += power
    return total


def batch_chain_effects(beta: np.ndarray,
                        chains: Sequence[Sequence[int]]) -> np.ndarray:
    """Specific indirect effects: the product of the path coefficients along each chain.

    The vectorised form of the specific indirect effects of
    :func:`cxsurvey.stats.effects.effects` (path tracing), for a whole batch of resamples.

    Parameters
    ----------
    beta : ndarray, shape (B, k, k)
        ``beta[:, i, j]`` is the path i -> j.
    chains : sequence of sequence of int
        Construct indices of each chain (two arrows or more), e.g.
        :meth:`PlsModel.indirect_chains`.

    Returns
    -------
    ndarray, shape (B, len(chains))

    References
    ----------
    Wright, S. (1934). The method of path coefficients. Annals of Mathematical Statistics,
    5(3), 161-215. Bollen, K. A. (1987). Total, direct, and indirect effects in structural
    equation models. Sociological Methodology, 17, 37-69.
    """
    if not chains:
        return np.zeros((beta.shape[0], 0))
    steps = _chain_steps(tuple(tuple(c) for c in chains), beta.shape[-1])
    flat = beta.reshape(beta.shape[0], -1)
    # one factor per arrow, left to right (as the product along each chain)
    out = np.where(steps[0] >= 0, flat[:, steps[0]], 1.0)
    for step in steps[1:]:
        live = step >= 0
        out[:, live] *= flat[:, step[live]]
    return out


@lru_cache(maxsize=64)
def _chain_steps(chains: tuple[tuple[int, ...], ...], k: int) -> tuple[np.ndarray, ...]:
    """Flat ``beta[i, j]`` positions of the l-th arrow of every chain (-1 past its end)."""
    longest = max(1, max(len(c) for c in chains) - 1)
    steps = np.full((longest, len(chains)), -1, dtype=np.int64)
    for col, c in enumerate(chains):
        for row, (a, b) in enumerate(zip(c, c[1:], strict=False)):
            steps[row, col] = a * k + b
    return tuple(steps)
