"""PLS-SEM (partial least squares path modelling) with SmartPLS/seminr conventions.

The estimator is written in numpy because no maintained Python package is both correct
and fast. Everything is computed from the indicators' correlation matrix, so the same
batched engine (:func:`estimate_batch`) fits one sample, the models without one path that
f^2 needs, thousands of bootstrap resamples and the jackknife samples of BCa intervals
(:mod:`cxsurvey.stats.pls.bootstrap`) -- one code path for all of them.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.effects import chains
from cxsurvey.stats.effects import effects as trace_effects
from cxsurvey.stats.validity.discriminant import fornell_larcker

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

SCHEMES = ("path", "factorial", "centroid")
MISSING = ("listwise", "mean")
_MODE_NAMES = {"a": "A", "reflective": "A", "composite_a": "A",
               "b": "B", "formative": "B", "composite_b": "B"}
_ZERO_VARIANCE = 1e-12
_COLLINEAR = 1e-10  # smallest eigenvalue of a Mode B block's correlation matrix


# ---------------------------------------------------------------------------------------
# Model specification
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlsModel:
    """A PLS path model compiled to index arrays (constructs in the user's order).

    Attributes
    ----------
    constructs : tuple of str
        Construct names (k).
    blocks : tuple of tuple of str
        The items of each construct.
    items : tuple of str
        All items (p), block after block.
    member : ndarray of int, shape (p,)
        Construct index of each item.
    onehot : ndarray, shape (p, k)
        ``onehot[i, j] = 1`` when item i measures construct j.
    mode_b : tuple of bool
        Mode B (regression weights) per construct.
    single : ndarray of bool, shape (p,)
        Items that form a single-item construct.
    paths : tuple of (int, int)
        Structural paths (predictor index, outcome index) in the user's order.
    adjacency : ndarray, shape (k, k)
        ``adjacency[i, j] = 1`` for a path i -> j.
    predecessors : tuple of tuple of int
        Predictors of each construct (empty for exogenous constructs).
    """

    constructs: tuple[str, ...]
    blocks: tuple[tuple[str, ...], ...]
    items: tuple[str, ...]
    member: np.ndarray
    onehot: np.ndarray
    mode_b: tuple[bool, ...]
    single: np.ndarray
    paths: tuple[tuple[int, int], ...]
    adjacency: np.ndarray
    predecessors: tuple[tuple[int, ...], ...]

    @property
    def k(self) -> int:
        return len(self.constructs)

    @property
    def p(self) -> int:
        return len(self.items)

    @property
    def endogenous(self) -> tuple[int, ...]:
        return tuple(j for j, pred in enumerate(self.predecessors) if pred)

    @property
    def path_names(self) -> list[tuple[str, str]]:
        return [(self.constructs[a], self.constructs[b]) for a, b in self.paths]

    def block_index(self, j: int) -> np.ndarray:
        return np.flatnonzero(self.member == j)

    def mode(self, j: int) -> str:
        return "B" if self.mode_b[j] else "A"

    def reachable(self) -> np.ndarray:
        """Boolean (k, k): ``[i, j]`` when a chain of one arrow or more leads i -> j."""
        adj = self.adjacency.astype(bool)
        reach = adj.copy()
        step = adj.copy()
        for _ in range(self.k):
            step = (step.astype(int) @ adj.astype(int)) > 0
            if not step.any():
                break
            reach |= step
        return reach

    def reachable_indirect(self) -> np.ndarray:
        """Boolean (k, k): ``[i, j]`` when a chain of two arrows or more leads i -> j."""
        adj = self.adjacency.astype(int)
        reach = np.zeros_like(adj, dtype=bool)
        step = adj.copy()
        for _ in range(self.k):
            step = ((step @ adj) > 0).astype(int)
            if not step.any():
                break
            reach |= step.astype(bool)
        return reach


def _normalise_mode(construct: str, mode: str) -> str:
    key = str(mode).strip().lower()
    if key not in _MODE_NAMES:
        raise ValueError(f"mode of construct '{construct}' must be 'A' (reflective) or 'B' "
                         f"(formative), got {mode!r}")
    return _MODE_NAMES[key]


def compile_model(constructs: Mapping[str, Sequence[str]],
                  paths: Sequence[tuple[str, str]],
                  modes: Mapping[str, str] | None = None) -> PlsModel:
    """Check a PLS model and compile it to index arrays.

    Parameters
    ----------
    constructs : mapping of str to sequence of str
        Items of each construct (the measurement model). Every construct must take part
        in at least one structural path, and an item may measure one construct only.
    paths : sequence of (predictor, outcome)
        The structural model; it must be recursive (no cycles).
    modes : mapping of str to str, optional
        ``"A"`` (reflective, correlation weights; the default) or ``"B"`` (formative,
        regression weights) per construct; ``"reflective"``/``"formative"`` also work.

    Returns
    -------
    PlsModel

    Raises
    ------
    InputError
        For an empty, ambiguous or cyclic model, or a construct without paths.
    ValueError
        For a mode other than A/B.
    """
    if not constructs:
        raise InputError("the PLS model has no constructs",
                         hint="Declare constructs with '=~' (Mode A) or '<~' (Mode B).")
    modes = dict(modes or {})
    unknown_modes = [c for c in modes if c not in constructs]
    if unknown_modes:
        raise InputError(f"a mode is given for the unknown construct '{unknown_modes[0]}'")
    names = [str(c) for c in constructs]
    edges = list(dict.fromkeys((str(a), str(b)) for a, b in paths))
    if not edges:
        raise InputError("the PLS model has no structural paths",
                         hint="PLS-SEM needs at least one regression such as 'Y ~ X'.")
    for a, b in edges:
        for c in (a, b):
            if c not in constructs:
                raise InputError(f"the path {a} -> {b} names '{c}', which is not a construct "
                                 "of the measurement model")
        if a == b:
            raise InputError(f"the path {a} -> {b} points from a construct to itself")
    in_paths = {c for e in edges for c in e}
    lonely = [c for c in names if c not in in_paths]
    if lonely:
        raise InputError(f"construct '{lonely[0]}' takes part in no structural path",
                         hint="PLS-SEM estimates weights from the paths; add a path or drop "
                              "the construct.")
    try:
        chains(edges, min_length=1)
    except ValueError as exc:
        raise InputError(f"the PLS structural model is not recursive: {exc}") from exc
    blocks: list[tuple[str, ...]] = []
    owner: dict[str, str] = {}
    for c in names:
        items = constructs[c]
        if isinstance(items, str):
            raise ValueError(f"the items of construct '{c}' must be a sequence of names, "
                             f"not the string {items!r}")
        block = tuple(str(i) for i in items)
        if not block:
            raise InputError(f"construct '{c}' has no items")
        for i in block:
            if i in owner:
                raise InputError(f"item '{i}' measures both '{owner[i]}' and '{c}'",
                                 hint="In PLS-SEM every item belongs to one construct.")
            owner[i] = c
        blocks.append(block)
    k = len(names)
    index = {c: j for j, c in enumerate(names)}
    items = tuple(i for b in blocks for i in b)
    member = np.array([j for j, b in enumerate(blocks) for _ in b], dtype=np.int64)
    onehot = np.zeros((len(items), k))
    onehot[np.arange(len(items)), member] = 1.0
    sizes = np.array([len(b) for b in blocks])
    adjacency = np.zeros((k, k))
    ipaths = tuple((index[a], index[b]) for a, b in edges)
    for a, b in ipaths:
        adjacency[a, b] = 1.0
    predecessors = tuple(tuple(a for a, b in ipaths if b == j) for j in range(k))
    mode_b = tuple(_normalise_mode(c, modes.get(c, "A")) == "B" for c in names)
    return PlsModel(constructs=tuple(names), blocks=tuple(blocks), items=items,
                    member=member, onehot=onehot, mode_b=mode_b,
                    single=sizes[member] == 1, paths=ipaths, adjacency=adjacency,
                    predecessors=predecessors)


# ---------------------------------------------------------------------------------------
# Batched linear algebra
# ---------------------------------------------------------------------------------------

def solve_spd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve many small symmetric positive definite systems ``a x = b`` at once.

    numpy's batched LAPACK solver; when one matrix of the batch is singular (it raises
    for the whole batch), Gaussian elimination without pivoting, vectorised over the
    batch, gives every other system its solution and the singular ones non-finite values.

    Parameters
    ----------
    a : ndarray, shape (B, m, m)
    b : ndarray, shape (B, m) or (B, m, r)

    Returns
    -------
    ndarray
        ``x`` with the shape of ``b``; non-finite where ``a`` is singular.
    """
    vector = b.ndim == 2
    rhs = b[:, :, None] if vector else b
    try:
        x = np.linalg.solve(a, rhs)
    except np.linalg.LinAlgError:
        x = _eliminate(a, rhs)
    return x[:, :, 0] if vector else x


def _eliminate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched Gaussian elimination without pivoting (exact for SPD matrices)."""
    a = np.array(a, dtype=float, copy=True)
    x = np.array(b, dtype=float, copy=True)
    m = a.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(m - 1):
            f = a[:, i + 1:, i] / a[:, i, i][:, None]
            a[:, i + 1:, i:] -= f[:, :, None] * a[:, i, None, i:]
            x[:, i + 1:, :] -= f[:, :, None] * x[:, i, None, :]
        for i in range(m - 1, -1, -1):
            if i < m - 1:
                x[:, i, :] -= np.einsum("bj,bjr->br", a[:, i, i + 1:], x[:, i + 1:, :])
            x[:, i, :] /= a[:, i, i][:, None]
    return x


# ---------------------------------------------------------------------------------------
# The batched PLS algorithm
# ---------------------------------------------------------------------------------------

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


def _regression_masks(model: PlsModel, adjacency: np.ndarray) -> dict[str, np.ndarray]:
    """Per-element masks of the predictors that keep their path, for each outcome."""
    masks = {}
    for j, pred in enumerate(model.predecessors):
        if pred:
            on = adjacency[:, list(pred), j] > 0
            masks[f"on{j}"] = on
            masks[f"pair{j}"] = on[:, :, None] & on[:, None, :]
    return masks


def _masked_regression(corr: np.ndarray, pred: list[int], j: int,
                       masks: Mapping[str, np.ndarray] | None) -> np.ndarray:
    """Regression weights of construct j on ``pred`` for every batch element; with
    per-element ``masks`` the predictors without a path get weight 0 (their row and
    column are replaced by the identity, which solves the reduced system exactly)."""
    lhs = corr[:, pred][:, :, pred]
    rhs = corr[:, pred, j]
    if masks is not None:
        on = masks[f"on{j}"]
        lhs = np.where(masks[f"pair{j}"], lhs, np.eye(len(pred)))
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
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    corr = np.asarray(corr, dtype=float)
    if corr.ndim == 2:
        corr = corr[None]
    n_batch, p, _ = corr.shape
    if p != model.p:
        raise ValueError(f"corr has {p} items but the model has {model.p}")
    k, member, onehot = model.k, model.member, model.onehot
    valid = np.all(np.isfinite(corr.reshape(n_batch, -1)), axis=1)
    frozen = None
    if adjacency is not None:
        adjacency = np.broadcast_to(np.asarray(adjacency, dtype=float), (n_batch, k, k))
        isolated = (adjacency.sum(axis=1) + adjacency.sum(axis=2)) == 0
        frozen = isolated[:, member] if isolated.any() else None
    # Mode B: the inverse of each block's correlation matrix does not change.
    mode_b_blocks = [model.block_index(j) for j in range(k)
                     if model.mode_b[j] and len(model.blocks[j]) > 1]
    inverses: list[np.ndarray] = []
    for idx in mode_b_blocks:
        block = np.where(valid[:, None, None], corr[:, idx][:, :, idx], np.eye(len(idx)))
        # (near-)collinear items leave Mode B weights undetermined
        valid &= np.linalg.eigvalsh(block)[:, 0] > _COLLINEAR
        inv = solve_spd(block, np.broadcast_to(np.eye(len(idx)), block.shape))
        inverses.append(inv)
        valid &= np.all(np.isfinite(inv.reshape(n_batch, -1)), axis=1)

    weights = np.full((n_batch, p), np.nan)
    iterations = np.full(n_batch, max_iter, dtype=np.int64)
    converged = np.zeros(n_batch, dtype=bool)
    active = np.flatnonzero(valid)
    state = {"s": corr[active], "u": np.ones((len(active), p)),
             "w_prev": np.ones((len(active), p))}
    if adjacency is not None:
        state["adj"] = adjacency[active]
        for key, mask in _regression_masks(model, adjacency).items():
            state[key] = mask[active]
    if frozen is not None:
        state["frozen"] = frozen[active]
    for i, inv in enumerate(inverses):
        state[f"inv{i}"] = inv[active]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for it in range(max_iter + 2):
            u = state["u"]
            wm = u[:, :, None] * onehot
            swu = np.matmul(state["s"], wm)
            var = np.einsum("bpk,bpk->bk", wm, swu)
            sd = np.sqrt(var)
            w = u / sd[:, member]
            finite = np.all(np.isfinite(w), axis=1) & np.all(var > 0, axis=1)
            stop = ~finite
            done = np.zeros_like(finite)
            if it > 0:
                diff = np.abs(w - state["w_prev"]).sum(axis=1)
                done = finite & (diff < tol)
                stop = stop | done | (it == max_iter + 1)
            if stop.any():
                rows = active[stop]
                weights[rows] = w[stop]
                iterations[rows] = np.where(done[stop], it - 1, max_iter)
                converged[rows] = done[stop]
                valid[active[~finite]] = False
                keep = ~stop
                active = active[keep]
                if not len(active):
                    break
                state = {key: value[keep] for key, value in state.items()}
                w, wm, swu, sd = w[keep], wm[keep], swu[keep], sd[keep]
            sw = swu / sd[:, None, :]
            c = np.matmul(wm.transpose(0, 2, 1), swu) / (sd[:, :, None] * sd[:, None, :])
            inner = _inner_weights(c, model, scheme, state.get("adj"),
                                   state if adjacency is not None else None)
            # covariance of each item with the inner proxy of its own construct
            u = np.einsum("bpi,bip->bp", sw, inner[:, :, member])
            for i, idx in enumerate(mode_b_blocks):
                u[:, idx] = np.einsum("bij,bj->bi", state[f"inv{i}"], u[:, idx])
            u[:, model.single] = 1.0
            if "frozen" in state:
                u = np.where(state["frozen"], w, u)
            state["u"] = u
            state["w_prev"] = w

    weights[~valid] = np.nan
    weights[:, model.single] = np.where(valid[:, None], 1.0, np.nan)
    wm = np.nan_to_num(weights)[:, :, None] * onehot
    with np.errstate(invalid="ignore"):
        cross = np.matmul(corr, wm)
        score_corr = np.matmul(wm.transpose(0, 2, 1), cross)
    cross[~valid] = np.nan
    score_corr[~valid] = np.nan
    return BatchEstimates(weights=weights, cross_loadings=cross, score_corr=score_corr,
                          iterations=iterations, converged=converged & valid, valid=valid)


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
    ``beta``.

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


def batch_htmt(corr: np.ndarray, model: PlsModel) -> np.ndarray:
    """Heterotrait-monotrait ratio on absolute item correlations, seminr's variant.

    HTMT(i, j) = mean |r| between the items of i and j divided by the geometric mean of
    the average off-diagonal |r| within i and within j; a single-item construct's
    monotrait mean is 1.

    Returns
    -------
    ndarray, shape (B, k, k)
        Symmetric, with NaN on the diagonal.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135.
    """
    absr = np.abs(corr)
    onehot = model.onehot
    sums = np.matmul(np.matmul(onehot.T, absr), onehot)
    diag = np.einsum("bpp,pk->bk", absr, onehot)
    sizes = onehot.sum(axis=0)
    pairs = sizes[:, None] * sizes[None, :]
    hetero = sums / pairs
    with np.errstate(divide="ignore", invalid="ignore"):
        mono = np.where(sizes > 1,
                        (np.einsum("bkk->bk", sums) - diag) / (sizes * (sizes - 1)), 1.0)
        out = hetero / np.sqrt(mono[:, :, None] * mono[:, None, :])
    idx = np.arange(model.k)
    out[:, idx, idx] = np.nan
    return out


# ---------------------------------------------------------------------------------------
# Data preparation
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PreparedData:
    """Standardised item matrix after missing-value handling."""

    z: np.ndarray
    index: pd.Index
    n_rows: int
    n_dropped: int
    n_replaced: int
    replaced: dict[str, int]
    means: np.ndarray
    sds: np.ndarray


def prepare_data(data: pd.DataFrame, model: PlsModel,
                 missing: str = "listwise") -> PreparedData:
    """Select the model's items, handle missing values and standardise.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; extra columns are ignored; NaN marks a missing answer
        (missing-value codes such as -99 must be turned into NaN first).
    model : PlsModel
    missing : {"listwise", "mean"}
        ``"listwise"`` drops rows with a missing item (seminr ``na.omit``);
        ``"mean"`` replaces a missing answer by the item's mean of the observed answers
        (SmartPLS "mean replacement", seminr's default).

    Raises
    ------
    InputError
        For an item that is not a column or is not numeric.
    AnalysisError
        For too few usable rows or an item without variance.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 2: missing data,
    mean replacement and casewise deletion). Sage.
    """
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {', '.join(MISSING)}; got {missing!r}")
    absent = [i for i in model.items if i not in data.columns]
    if absent:
        raise InputError(f"item '{absent[0]}' of the PLS model is not a column of the data")
    frame = data.loc[:, list(model.items)]
    try:
        values = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(f"the PLS items must be numeric: {exc}") from exc
    n_rows = values.shape[0]
    miss = np.isnan(values)
    index = frame.index
    n_dropped = n_replaced = 0
    replaced: dict[str, int] = {}
    if miss.any():
        if missing == "listwise":
            keep = ~miss.any(axis=1)
            values = values[keep]
            index = index[keep]
            n_dropped = int((~keep).sum())
        else:
            counts = miss.sum(axis=0)
            if np.any(counts == n_rows):
                item = model.items[int(np.argmax(counts == n_rows))]
                raise AnalysisError(f"item '{item}' has no answers; mean replacement is "
                                    "impossible")
            col_means = np.nanmean(values, axis=0)
            values = np.where(miss, col_means[None, :], values)
            n_replaced = int(counts.sum())
            replaced = {i: int(c) for i, c in zip(model.items, counts, strict=True) if c}
    n = values.shape[0]
    if n < 3:
        raise AnalysisError(f"PLS-SEM needs at least 3 complete rows; {n} remain",
                            hint="Use mean replacement or collect more answers.")
    means = values.mean(axis=0)
    sds = values.std(axis=0, ddof=1)
    flat = sds <= _ZERO_VARIANCE * np.maximum(1.0, np.abs(means))
    if flat.any():
        raise AnalysisError(f"item '{model.items[int(np.argmax(flat))]}' has the same answer "
                            "in every row used, so it cannot be standardised",
                            hint="Drop the item from the model.")
    z = (values - means) / sds
    return PreparedData(z=z, index=index, n_rows=n_rows, n_dropped=n_dropped,
                        n_replaced=n_replaced, replaced=replaced, means=means, sds=sds)


def correlation(z: np.ndarray) -> np.ndarray:
    """Correlation matrix of standardised columns (n - 1 denominator)."""
    s = z.T @ z / (z.shape[0] - 1)
    d = np.sqrt(np.diag(s))
    return s / np.outer(d, d)


# ---------------------------------------------------------------------------------------
# The full-sample fit
# ---------------------------------------------------------------------------------------

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


def _block_stats(s: np.ndarray, w: np.ndarray, lam: np.ndarray,
                 mode_b: bool) -> tuple[float, float, float, float]:
    """alpha (standardised), rho_A, rho_C and AVE of one block."""
    m = len(w)
    if m == 1:
        return 1.0, 1.0, 1.0, 1.0
    alpha = m / (m - 1) * (1.0 - m / s.sum())
    rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1.0 - lam ** 2).sum())
    ave = float(np.mean(lam ** 2))
    if mode_b:
        rho_a = 1.0
    else:
        off = s - np.diag(np.diag(s))
        ww = np.outer(w, w)
        ww_off = ww - np.diag(np.diag(ww))
        rho_a = float((w @ w) ** 2 * (w @ off @ w) / (w @ ww_off @ w))
    return float(alpha), rho_a, float(rho_c), ave


def _vif(corr: np.ndarray) -> np.ndarray:
    """Variance inflation factors ``1 / (1 - R^2_j)``: the diagonal of the inverse
    correlation matrix; infinite for an item that is a linear function of the others."""
    m = corr.shape[0]
    if m == 1:
        return np.ones(1)
    try:
        return np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        out = np.empty(m)
        for i in range(m):
            rest = [j for j in range(m) if j != i]
            r = corr[rest, i]
            r2 = float(r @ np.linalg.pinv(corr[np.ix_(rest, rest)]) @ r)
            out[i] = np.inf if 1.0 - r2 <= 1e-12 else 1.0 / (1.0 - r2)
        return out


def _f_squared(corr: np.ndarray, model: PlsModel, r2: np.ndarray, scheme: str,
               max_iter: int, tol: float) -> np.ndarray:
    """f^2 of every path, re-estimating the model without it (R seminr ``fSquared``).

    All the reduced models run as one batch (one structural model per element)."""
    n_paths = len(model.paths)
    adjacency = np.repeat(model.adjacency[None], n_paths, axis=0)
    for e, (a, b) in enumerate(model.paths):
        adjacency[e, a, b] = 0.0
    est = estimate_batch(np.broadcast_to(corr, (n_paths, *corr.shape)), model, scheme,
                         max_iter, tol, adjacency=adjacency)
    _, r2_without = batch_structural(est.score_corr, model, adjacency)
    outcome = np.array([b for _, b in model.paths])
    with_r2 = r2[outcome]
    without = np.nan_to_num(r2_without[np.arange(n_paths), outcome], nan=0.0)
    without[~est.valid] = np.nan
    return (with_r2 - without) / (1.0 - with_r2)


def _f_squared_scores(score_corr: np.ndarray, model: PlsModel, r2: np.ndarray) -> np.ndarray:
    """f^2 of every path from the same construct scores (no re-estimation, as ADANCO)."""
    n_paths = len(model.paths)
    adjacency = np.repeat(model.adjacency[None], n_paths, axis=0)
    for e, (a, b) in enumerate(model.paths):
        adjacency[e, a, b] = 0.0
    _, r2_without = batch_structural(np.broadcast_to(score_corr, (n_paths, *score_corr.shape)),
                                     model, adjacency)
    outcome = np.array([b for _, b in model.paths])
    with_r2 = r2[outcome]
    without = np.nan_to_num(r2_without[np.arange(n_paths), outcome], nan=0.0)
    return (with_r2 - without) / (1.0 - with_r2)


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
    The algorithm is :func:`estimate_batch` on the item correlation matrix. Quality
    criteria: Cronbach's alpha ``k/(k-1) (1 - k / sum R)`` on standardised items;
    rho_A ``(w'w)^2 w'(S - diag S)w / w'(ww' - diag ww')w``; rho_C
    ``(sum l)^2 / ((sum l)^2 + sum(1 - l^2))``; AVE ``mean(l^2)``; HTMT on |r|; VIF
    ``1 / (1 - R^2_j)`` (diagonal of the inverse correlation matrix); f^2 as R seminr.
    Non-convergence is reported (``converged``, ``warnings``), not raised.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (PLS-SEM) (3rd ed.). Sage.
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334. Dijkstra, T. K., & Henseler, J. (2015). Consistent
    partial least squares path modeling. MIS Quarterly, 39(2), 297-316 (rho_A).
    Joereskog, K. G. (1971). Statistical analysis of sets of congeneric tests.
    Psychometrika, 36(2), 109-133 (rho_C). Fornell, C., & Larcker, D. F. (1981). Journal of
    Marketing Research, 18(1), 39-50 (AVE, Fornell-Larcker). Henseler, J., Ringle, C. M.,
    & Sarstedt, M. (2015). Journal of the Academy of Marketing Science, 43(1), 115-135
    (HTMT). Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd
    ed.). Erlbaum (f^2).

    Examples
    --------
    >>> fit = fit_pls(mobi, {"Image": ("IMAG1", "IMAG2"), "Satisfaction": ("CUSA1",
    ...               "CUSA2")}, [("Image", "Satisfaction")])  # doctest: +SKIP
    >>> fit.paths  # doctest: +SKIP
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}")
    if not tol > 0:
        raise ValueError(f"tol must be positive; got {tol!r}")
    model = compile_model(constructs, paths, modes)
    prep = prepare_data(data, model, missing)
    corr = correlation(prep.z)
    for j, name in enumerate(model.constructs):
        idx = model.block_index(j)
        if model.mode_b[j] and len(idx) > 1 and \
                np.linalg.eigvalsh(corr[np.ix_(idx, idx)])[0] <= _COLLINEAR:
            raise AnalysisError(f"the items of the Mode B construct '{name}' are perfectly "
                                "collinear, so its regression weights are undetermined",
                                hint="Drop one of the collinear items or use Mode A.")
    est = estimate_batch(corr[None], model, scheme, int(max_iter), float(tol))
    if not est.valid[0]:
        raise AnalysisError("the PLS algorithm broke down on these data (perfectly "
                            "collinear construct scores or a vanishing inner proxy)")
    return _assemble(model, prep, corr, est, scheme, int(max_iter), float(tol), missing)


def _assemble(model: PlsModel, prep: PreparedData, corr: np.ndarray, est: BatchEstimates,
              scheme: str, max_iter: int, tol: float, missing: str) -> PlsFit:
    n = prep.z.shape[0]
    names = model.constructs
    w = est.weights[0]
    cross = est.cross_loadings[0]
    c = est.score_corr[0]
    lam = est.loadings(model)[0]
    beta, r2 = batch_structural(est.score_corr, model)
    beta, r2 = beta[0], r2[0]
    construct_col = [names[j] for j in model.member]
    weights = pd.DataFrame({"construct": construct_col, "item": list(model.items), "est": w})
    loadings = pd.DataFrame({"construct": construct_col, "item": list(model.items),
                             "est": lam})
    path_rows = model.path_names
    paths_df = pd.DataFrame({"from": [a for a, _ in path_rows], "to": [b for _, b in path_rows],
                             "est": [beta[a, b] for a, b in model.paths]})
    endo = model.endogenous
    n_pred = np.array([len(model.predecessors[j]) for j in endo])
    r2_vals = r2[list(endo)]
    r2_df = pd.DataFrame({"construct": [names[j] for j in endo], "r2": r2_vals,
                          "r2_adj": 1.0 - (1.0 - r2_vals) * (n - 1) / (n - n_pred - 1)})
    f2 = _f_squared(corr, model, r2, scheme, max_iter, tol)
    f2_df = pd.DataFrame({"from": paths_df["from"].to_numpy(), "to": paths_df["to"].to_numpy(),
                          "f2": f2, "f2_scores": _f_squared_scores(c, model, r2)})

    total = batch_total_effects(beta[None])[0]
    reach = model.reachable()
    reach_ind = model.reachable_indirect()
    rows = []
    for i in range(model.k):
        for j in range(model.k):
            if reach[i, j]:
                direct = beta[i, j]
                rows.append((names[i], names[j], direct, total[i, j] - direct
                             if reach_ind[i, j] else 0.0, total[i, j]))
    total_df = pd.DataFrame(rows, columns=["from", "to", "direct", "total_indirect", "total"])
    spec_rows = []
    for chain in chains(path_rows, min_length=2):
        idx = [names.index(x) for x in chain]
        value = float(np.prod([beta[a, b] for a, b in zip(idx, idx[1:], strict=False)]))
        spec_rows.append((chain[0], chain[-1], " -> ".join(chain), value))
    specific_df = pd.DataFrame(spec_rows, columns=["from", "to", "path", "est"])

    scores = pd.DataFrame(prep.z @ (w[:, None] * model.onehot), index=prep.index,
                          columns=list(names))
    cross_df = pd.DataFrame(cross, index=pd.Index(list(model.items), name="item"),
                            columns=list(names))
    corr_df = pd.DataFrame(c, index=list(names), columns=list(names))

    vif_rows = []
    rel_rows = []
    for j, name in enumerate(names):
        idx = model.block_index(j)
        s_block = corr[np.ix_(idx, idx)]
        vifs = _vif(s_block)
        vif_rows.extend((name, model.items[i], float(v)) for i, v in zip(idx, vifs,
                                                                         strict=True))
        alpha, rho_a, rho_c, ave = _block_stats(s_block, w[idx], lam[idx], model.mode_b[j])
        rel_rows.append((name, model.mode(j), len(idx), alpha, rho_a, rho_c, ave))
    item_vif = pd.DataFrame(vif_rows, columns=["construct", "item", "vif"])
    reliability = pd.DataFrame(rel_rows, columns=["construct", "mode", "n_items", "alpha",
                                                  "rho_a", "rho_c", "ave"])
    inner_rows = []
    for j in endo:
        pred = list(model.predecessors[j])
        vifs = _vif(c[np.ix_(pred, pred)]) if len(pred) > 1 else [np.nan]
        inner_rows.extend((names[i], names[j], float(v)) for i, v in zip(pred, vifs,
                                                                         strict=True))
    inner_vif = pd.DataFrame(inner_rows, columns=["from", "to", "vif"])

    h = batch_htmt(corr[None], model)[0]
    htmt_df = pd.DataFrame([(names[i], names[j], h[i, j]) for i in range(model.k)
                            for j in range(i + 1, model.k)], columns=["a", "b", "value"])
    fl = fornell_larcker({row[0]: row[6] for row in rel_rows},
                         pd.DataFrame(c, index=names, columns=names))

    warnings: list[str] = []
    converged = bool(est.converged[0])
    if not converged:
        warnings.append(f"the PLS algorithm did not converge in {max_iter} iterations "
                        f"(stop criterion {tol:g}); estimates are those of the last iteration")
    if prep.n_replaced:
        warnings.append(f"{prep.n_replaced} missing answer(s) replaced by the item mean")
    if prep.n_dropped:
        warnings.append(f"{prep.n_dropped} row(s) with missing answers dropped (listwise)")
    return PlsFit(
        constructs={name: model.blocks[j] for j, name in enumerate(names)},
        structure=tuple(path_rows), modes={name: model.mode(j) for j, name in enumerate(names)},
        scheme=scheme, weights=weights, loadings=loadings, paths=paths_df, r2=r2_df, f2=f2_df,
        total_effects=total_df, specific_indirect_effects=specific_df, scores=scores,
        cross_loadings=cross_df, construct_correlations=corr_df, item_vif=item_vif,
        inner_vif=inner_vif, reliability=reliability, htmt=htmt_df, fornell_larcker=fl,
        n=n, n_rows=prep.n_rows, missing=missing, n_dropped=prep.n_dropped,
        n_replaced=prep.n_replaced, iterations=int(est.iterations[0]), converged=converged,
        max_iter=max_iter, tol=tol, replaced=dict(prep.replaced), warnings=tuple(warnings))
