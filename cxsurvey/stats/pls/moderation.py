"""Moderation in PLS-SEM: interaction terms, their effect sizes and simple slopes.

A moderated regression ``Y ~ X + M + X:M`` adds an interaction construct ``X:M`` to the
model. Two approaches build it (seminr's ``interaction_term(iv, moderator, method)``):

- ``two_stage`` (SmartPLS's default): stage 1 estimates the main-effects model (the paths
  of the interaction terms left out); the interaction term is the product of the
  standardised construct scores of X and M; stage 2 re-estimates the model with that
  product as a single-item construct.
- ``product_indicator``: the interaction construct is a Mode A block of all pairwise
  products of the standardised indicators of X and M (indicator of X varying slowest,
  named ``x*m``).

Both products are formed after each variable is standardised in the sample at hand, so
the bootstrap redoes them (and stage 1 of the two-stage approach) on every resample, as
seminr does: :func:`bootstrap_moderation` hands :func:`bootstrap_pls` the correlation
matrices of the rebuilt items.

Scale of the interaction path: the PLS algorithm standardises the interaction construct
like any other, but the product of two standardised variables does not have unit
variance. As seminr (Henseler & Chin's 2010 adjustment), the reported path ``est`` of an
interaction term is on the scale of the product: the standardised path ``est_std``
divided by ``s = sum_i |l_i| sd_i / sum_i |l_i|`` (``l_i`` the loadings, ``sd_i`` the
standard deviations of the interaction construct's product items; for the two-stage
approach ``s`` is the SD of the score product). The bootstrap divides each resample's
path by that resample's ``s``. Only the interaction paths are rescaled; every other table
is that of the standardised model.

Simple slopes follow seminr's ``slope_analysis`` and SmartPLS's simple slope plot: with
standardised scores and the product-scale interaction path ``b_XM``, ``Y = b_X X + b_M M
+ b_XM X M``, so the slope of X at ``M = m`` is ``b_X + b_XM m`` for m = -1, 0, +1 (SD
units), and the plot joins ``Y(X = -1)`` and ``Y(X = +1)`` at each level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.options import INTERACTION_METHODS
from cxsurvey.stats.intervals import summarise_draws
from cxsurvey.stats.pls.bootstrap import PlsBootstrap, bootstrap_pls
from cxsurvey.stats.pls.data import ZERO_VARIANCE, prepare_data
from cxsurvey.stats.pls.estimate import estimate_batch
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.resample import draw_indices
from cxsurvey.stats.pls.specify import PlsModel, compile_model

__all__ = ["METHODS", "ModeratedModel", "ModerationBootstrap", "ModerationFit",
           "bootstrap_moderation", "fit_moderation", "interaction_name",
           "moderated_model", "sample_batches", "sample_correlations",
           "standardise_samples"]

METHODS = INTERACTION_METHODS
LEVELS = ((-1.0, "-1 SD"), (0.0, "mean"), (1.0, "+1 SD"))
_CELLS = 2_000_000  # data cells (samples * rows * items) rebuilt at once: ~16 MB per array


def interaction_name(iv: str, moderator: str) -> str:
    """The construct name of an interaction term, as the model syntax writes it."""
    return f"{iv}:{moderator}"


def sample_batches(rows: np.ndarray, width: int) -> list[np.ndarray]:
    """Split the row-position matrix ``rows`` (B, m) of samples into batches whose data
    (batch * m * ``width`` cells) stay small."""
    step = max(1, _CELLS // max(1, rows.shape[1] * width))
    return [rows[s:s + step] for s in range(0, rows.shape[0], step)]


def standardise_samples(x: np.ndarray) -> np.ndarray:
    """Standardise every column of every sample (n - 1 denominator), shape (B, m, p).

    A sample in which a column has (numerically) no variance becomes NaN throughout, so
    the estimator marks it invalid.
    """
    mean = x.mean(axis=1, keepdims=True)
    centred = x - mean
    sd = np.sqrt((centred ** 2).sum(axis=1, keepdims=True) / (x.shape[1] - 1))
    flat = np.any(sd <= ZERO_VARIANCE * np.maximum(1.0, np.abs(mean)), axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = centred / sd
    out[flat[:, 0]] = np.nan
    return out


def sample_correlations(x: np.ndarray) -> np.ndarray:
    """Correlation matrices of the columns of standardised samples, shape (B, p, p)."""
    return np.einsum("bni,bnj->bij", x, x) / (x.shape[1] - 1)


@dataclass(frozen=True)
class ModeratedModel:
    """A PLS model with interaction terms: the main-effects model and how each interaction
    construct is built.

    Attributes
    ----------
    constructs, modes : dict
        The main-effects constructs (items, mode).
    paths : tuple of (str, str)
        Every structural path in the user's order; an interaction term's predictor is
        its construct name ``X:M``.
    interactions : tuple of (str, str, str)
        ``(iv, moderator, outcome)`` per interaction term.
    method : str
        ``two_stage`` or ``product_indicator``.
    main : PlsModel
        The compiled main-effects model (stage 1).
    """

    constructs: dict[str, tuple[str, ...]]
    modes: dict[str, str]
    paths: tuple[tuple[str, str], ...]
    interactions: tuple[tuple[str, str, str], ...]
    method: str
    main: PlsModel

    @property
    def main_paths(self) -> list[tuple[str, str]]:
        return [(a, b) for a, b in self.paths if a not in self.interaction_blocks]

    @property
    def interaction_blocks(self) -> dict[str, tuple[str, ...]]:
        """The items of every interaction construct (products of indicators, or the one
        product of construct scores)."""
        out: dict[str, tuple[str, ...]] = {}
        for iv, mod, _ in self.interactions:
            name = interaction_name(iv, mod)
            if self.method == "two_stage":
                out[name] = (name,)
            else:
                out[name] = tuple(f"{a}*{b}" for a in self.constructs[iv]
                                  for b in self.constructs[mod])
        return out

    @property
    def stage_two(self) -> tuple[dict[str, tuple[str, ...]], list[tuple[str, str]],
                                 dict[str, str]]:
        """Constructs, paths and modes of the moderated model (interaction constructs
        last, Mode A)."""
        blocks = self.interaction_blocks
        constructs = {**self.constructs, **blocks}
        modes = {**self.modes, **{c: "A" for c in blocks}}
        return constructs, list(self.paths), modes

    def build_items(self, z: np.ndarray, scheme: str, max_iter: int,
                    tol: float) -> np.ndarray:
        """The moderated model's items of samples of main-effects items.

        Parameters
        ----------
        z : ndarray, shape (B, m, p)
            Samples of the main-effects items (``main.items`` order).

        Returns
        -------
        ndarray, shape (B, m, p + q)
            The standardised main items followed by the interaction items, in the order
            of :attr:`stage_two`; NaN for a sample that cannot be estimated.
        """
        zs = standardise_samples(z)
        index = {item: i for i, item in enumerate(self.main.items)}
        columns: list[np.ndarray] = []
        if self.method == "product_indicator":
            for iv, mod, _ in self.interactions:
                columns += [zs[:, :, index[a]] * zs[:, :, index[b]]
                            for a in self.constructs[iv] for b in self.constructs[mod]]
        else:
            est = estimate_batch(sample_correlations(zs), self.main, scheme, max_iter, tol)
            scores = np.einsum("bmp,pk->bmk", zs * est.weights[:, None, :],
                               self.main.onehot)
            scores[~(est.valid & est.converged)] = np.nan
            pos = {c: j for j, c in enumerate(self.main.constructs)}
            columns += [scores[:, :, pos[iv]] * scores[:, :, pos[mod]]
                        for iv, mod, _ in self.interactions]
        return np.concatenate([zs, np.stack(columns, axis=2)], axis=2)

    def product_sds(self, z: np.ndarray, rows: np.ndarray, scheme: str, max_iter: int,
                    tol: float) -> np.ndarray:
        """Standard deviations of the interaction items (unstandardised products) of the
        samples ``rows`` (B, m), shape (B, q), in :attr:`stage_two` item order."""
        q = sum(len(b) for b in self.interaction_blocks.values())
        parts = []
        for batch in sample_batches(rows, z.shape[1] + q):
            items = self.build_items(z[batch], scheme, max_iter, tol)
            parts.append(items[:, :, -q:].std(axis=1, ddof=1))
        return np.concatenate(parts)

    def scale_factors(self, loadings: np.ndarray, sds: np.ndarray) -> np.ndarray:
        """Henseler & Chin's scale ``s`` of every interaction term, shape (B, terms), from
        the loadings (B, q) and SDs (B, q) of the interaction items."""
        out, start = [], 0
        for block in self.interaction_blocks.values():
            lam = np.abs(loadings[:, start:start + len(block)])
            out.append((lam * sds[:, start:start + len(block)]).sum(axis=1) / lam.sum(axis=1))
            start += len(block)
        return np.stack(out, axis=1)

    def correlations(self, z: np.ndarray, rows: np.ndarray, scheme: str, max_iter: int,
                     tol: float) -> np.ndarray:
        """Item correlation matrices of the moderated model for samples given as row
        positions ``rows`` (B, m) into the main items ``z`` (n, p), every stage redone
        per sample."""
        q = sum(len(b) for b in self.interaction_blocks.values())
        parts = []
        for batch in sample_batches(rows, z.shape[1] + q):
            items = self.build_items(z[batch], scheme, max_iter, tol)
            parts.append(sample_correlations(standardise_samples(items)))
        return np.concatenate(parts)


def moderated_model(constructs: Mapping[str, Sequence[str]],
                    paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
                    method: str = "two_stage") -> ModeratedModel:
    """Check a model with interaction terms (predictors named ``X:M``) and split it into
    the main-effects model and the interaction constructs.

    Raises
    ------
    InputError
        For an interaction of unknown constructs, or one whose outcome is not also
        regressed on both of its constructs (the main effects).
    ValueError
        For an unknown ``method``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    blocks = {str(c): tuple(str(i) for i in its) for c, its in constructs.items()}
    edges = list(dict.fromkeys((str(a), str(b)) for a, b in paths))
    interactions: list[tuple[str, str, str]] = []
    for a, b in edges:
        if ":" not in a:
            continue
        iv, mod = a.split(":", 1)
        for c in (iv, mod):
            if c not in blocks:
                raise InputError(f"the interaction term '{a}' names '{c}', which is not a "
                                 "construct of the measurement model")
        if (iv, b) not in edges or (mod, b) not in edges:
            raise InputError(f"the interaction term '{a}' predicts '{b}', but '{b}' is not "
                             f"regressed on both '{iv}' and '{mod}'",
                             hint=f"Write '{b} ~ {iv} + {mod} + {a}': a moderating effect "
                                  "is estimated together with both main effects.")
        interactions.append((iv, mod, b))
    if not interactions:
        raise InputError("the model has no interaction term",
                         hint="Write 'Y ~ X + M + X:M'.")
    main_paths = [(a, b) for a, b in edges if ":" not in a]
    modes = {c: m for c, m in (modes or {}).items() if c in blocks}
    main = compile_model(blocks, main_paths, modes)
    return ModeratedModel(constructs=blocks, modes=modes, paths=tuple(edges),
                          interactions=tuple(interactions), method=method, main=main)


@dataclass(frozen=True)
class ModerationFit:
    """A moderated PLS-SEM estimation.

    Attributes
    ----------
    fit : PlsFit
        The moderated model (stage 2 of the two-stage approach), the interaction
        constructs named ``X:M``.
    main_effects : PlsFit
        The model without the interaction terms (stage 1 of the two-stage approach).
    method : str
    interactions : DataFrame
        ``iv, moderator, outcome, term, est, est_std, scale, f2, r2_included,
        r2_excluded``: the path of the interaction term on the scale of the product
        (``est``, seminr) and of the standardised interaction construct (``est_std``,
        SmartPLS), ``scale = est_std / est``, and Cohen's f^2 from the outcome's R^2
        with and without the term (the model re-estimated without it, seminr's
        ``fSquared``).
    slopes : DataFrame
        ``iv, moderator, outcome, level, moderator_value, slope, y_at_iv_low,
        y_at_iv_high``: simple slopes of the iv at the moderator's -1 SD, mean and +1 SD
        and the predicted (standardised) outcome at iv = -1 and +1, for the plot.
    n : int
    n_dropped, n_replaced : int
        Rows dropped (listwise) and cells mean-replaced before estimation.
    warnings : tuple of str
    """

    fit: PlsFit
    main_effects: PlsFit
    method: str
    interactions: pd.DataFrame
    slopes: pd.DataFrame
    n: int
    n_dropped: int = 0
    n_replaced: int = 0
    warnings: tuple[str, ...] = ()


def _slope_rows(spec: ModeratedModel, paths: pd.DataFrame,
                inter: pd.DataFrame) -> pd.DataFrame:
    est = {(a, b): v for a, b, v in zip(paths["from"], paths["to"], paths["est"],
                                         strict=True)}
    adjusted = {(t, o): v for t, o, v in zip(inter["term"], inter["outcome"], inter["est"],
                                             strict=True)}
    rows = []
    for iv, mod, out in spec.interactions:
        b_x, b_m = est[(iv, out)], est[(mod, out)]
        b_xm = adjusted[(interaction_name(iv, mod), out)]
        for m, label in LEVELS:
            rows.append((iv, mod, out, label, m, b_x + b_xm * m,
                         -b_x + b_m * m - b_xm * m, b_x + b_m * m + b_xm * m))
    return pd.DataFrame(rows, columns=["iv", "moderator", "outcome", "level",
                                       "moderator_value", "slope", "y_at_iv_low",
                                       "y_at_iv_high"])


def _interaction_loadings(spec: ModeratedModel, loadings: pd.DataFrame) -> np.ndarray:
    """The interaction items' loadings, in :attr:`ModeratedModel.stage_two` item order."""
    blocks = spec.interaction_blocks
    mask = loadings["construct"].isin(list(blocks)).to_numpy()
    return loadings["est"].to_numpy()[mask]


def _interaction_rows(spec: ModeratedModel, fit: PlsFit,
                      frame: pd.DataFrame) -> pd.DataFrame:
    items = [i for block in spec.interaction_blocks.values() for i in block]
    scale = spec.scale_factors(_interaction_loadings(spec, fit.loadings)[None],
                               frame[items].std(ddof=1).to_numpy()[None])[0]
    paths = fit.paths.set_index(["from", "to"])["est"]
    f2 = fit.f2.set_index(["from", "to"])["f2"]
    r2 = fit.r2.set_index("construct")["r2"]
    order = list(spec.interaction_blocks)
    rows = []
    for iv, mod, out in spec.interactions:
        term = interaction_name(iv, mod)
        value = float(f2[(term, out)])
        with_r2 = float(r2[out])
        std = float(paths[(term, out)])
        s = float(scale[order.index(term)])
        rows.append((iv, mod, out, term, std / s, std, s, value, with_r2,
                     with_r2 - value * (1.0 - with_r2)))
    return pd.DataFrame(rows, columns=["iv", "moderator", "outcome", "term", "est",
                                       "est_std", "scale", "f2", "r2_included",
                                       "r2_excluded"])


def _prepared(data: pd.DataFrame, spec: ModeratedModel, scheme: str, max_iter: int,
              tol: float, missing: str) -> tuple[pd.DataFrame, np.ndarray, list[str], int, int]:
    """The moderated model's data built on the full sample, the standardised main items,
    and the missing-data bookkeeping."""
    prep = prepare_data(data, spec.main, missing)
    items = spec.build_items(prep.z[None], scheme, max_iter, tol)[0]
    constructs2 = spec.stage_two[0]
    names = [i for its in constructs2.values() for i in its]
    frame = pd.DataFrame(items, index=prep.index, columns=names)
    notes = []
    if prep.n_replaced:
        notes.append(f"{prep.n_replaced} missing answer(s) replaced by the item mean")
    if prep.n_dropped:
        notes.append(f"{prep.n_dropped} row(s) with missing answers dropped (listwise)")
    return frame, prep.z, notes, prep.n_dropped, prep.n_replaced


def fit_moderation(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                   paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
                   method: str = "two_stage", scheme: str = "path", max_iter: int = 300,
                   tol: float = 1e-7, missing: str = "listwise") -> ModerationFit:
    """Estimate a PLS path model with interaction terms.

    Parameters
    ----------
    data, constructs, modes, scheme, max_iter, tol, missing
        As :func:`cxsurvey.stats.pls.fit.fit_pls`; ``constructs`` holds the main-effects
        constructs only.
    paths : sequence of (predictor, outcome)
        Structural paths; an interaction term is the predictor ``"X:M"`` (iv ``X``,
        moderator ``M``), and its outcome must be regressed on ``X`` and ``M`` too.
    method : {"two_stage", "product_indicator"}
        How the interaction construct is built (see the module notes).

    Returns
    -------
    ModerationFit

    Raises
    ------
    InputError, AnalysisError
        As :func:`~cxsurvey.stats.pls.fit.fit_pls`, and for a malformed interaction.

    References
    ----------
    Henseler, J., & Chin, W. W. (2010). A comparison of approaches for the analysis of
    interaction effects between latent variables using partial least squares path
    modeling. Structural Equation Modeling, 17(1), 82-109. Becker, J.-M., Ringle, C. M., &
    Sarstedt, M. (2018). Estimating moderating effects in PLS-SEM and PLSc-SEM:
    Interaction term generation * data treatment. Journal of Applied Structural Equation
    Modeling, 2(2), 1-21. Aiken, L. S., & West, S. G. (1991). Multiple regression:
    Testing and interpreting interactions. Sage (simple slopes). Cohen, J. (1988).
    Statistical power analysis for the behavioral sciences (2nd ed.). Erlbaum (f^2).
    """
    spec = moderated_model(constructs, paths, modes, method)
    frame, _, notes, n_dropped, n_replaced = _prepared(data, spec, scheme, max_iter, tol,
                                                       missing)
    constructs2, paths2, modes2 = spec.stage_two
    fit = fit_pls(frame, constructs2, paths2, modes2, scheme, max_iter, tol)
    main = fit_pls(frame, spec.constructs, spec.main_paths, spec.modes, scheme, max_iter,
                   tol)
    inter = _interaction_rows(spec, fit, frame)
    return ModerationFit(fit=fit, main_effects=main, method=method, interactions=inter,
                         slopes=_slope_rows(spec, fit.paths, inter), n=fit.n,
                         n_dropped=n_dropped, n_replaced=n_replaced,
                         warnings=tuple(notes) + fit.warnings)


@dataclass(frozen=True)
class ModerationBootstrap:
    """Bootstrap inference for a moderated model.

    Attributes
    ----------
    moderation : ModerationFit
        The full-sample estimation.
    boot : PlsBootstrap
        Every table of the moderated model with its bootstrap statistics (the paths of
        the interaction terms among them), every stage redone per resample.
    interactions : DataFrame
        ``iv, moderator, outcome, term, est_std, scale, f2`` + ``est, boot_mean, se, t,
        pvalue, ci_lower, ci_upper`` of each interaction path on the product scale
        (``boot.paths`` holds the standardised ones, ``est_std``).
    slopes : DataFrame
        The simple slopes of :attr:`ModerationFit.slopes` with ``boot_mean, se, t,
        pvalue, ci_lower, ci_upper`` (percentile) of each slope.
    """

    moderation: ModerationFit
    boot: PlsBootstrap
    interactions: pd.DataFrame
    slopes: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())


def _interaction_draws(spec: ModeratedModel, boot: PlsBootstrap, z: np.ndarray,
                       indices: np.ndarray, settings: tuple[str, int, float]
                       ) -> dict[tuple[str, str], np.ndarray]:
    """Bootstrap draws of every interaction path on the product scale: each usable
    resample's standardised path divided by that resample's scale factor."""
    failed = set(boot.invalid_resamples) | set(boot.not_converged_resamples)
    usable = np.array([b for b in range(indices.shape[0]) if b not in failed], dtype=int)
    sds = spec.product_sds(z, indices[usable], *settings)
    mask = boot.loadings["construct"].isin(list(spec.interaction_blocks)).to_numpy()
    scale = spec.scale_factors(boot.draws["loadings"][:, mask], sds)
    order = list(spec.interaction_blocks)
    pos = {(a, b): i for i, (a, b) in enumerate(zip(boot.paths["from"], boot.paths["to"],
                                                    strict=True))}
    out = {}
    for iv, mod, outcome in spec.interactions:
        term = interaction_name(iv, mod)
        out[(term, outcome)] = (boot.draws["paths"][:, pos[(term, outcome)]]
                                / scale[:, order.index(term)])
    return out


def _slope_draws(spec: ModeratedModel, boot: PlsBootstrap,
                 adjusted: Mapping[tuple[str, str], np.ndarray]) -> np.ndarray:
    """Bootstrap draws of the simple slopes, in :func:`_slope_rows` order."""
    pos = {(a, b): i for i, (a, b) in enumerate(zip(boot.paths["from"], boot.paths["to"],
                                                    strict=True))}
    draws = boot.draws["paths"]
    cols = []
    for iv, mod, out in spec.interactions:
        x, xm = draws[:, pos[(iv, out)]], adjusted[(interaction_name(iv, mod), out)]
        cols += [x + m * xm for m, _ in LEVELS]
    return np.stack(cols, axis=1)


def bootstrap_moderation(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                         paths: Sequence[tuple[str, str]],
                         modes: Mapping[str, str] | None = None, method: str = "two_stage",
                         scheme: str = "path", max_iter: int = 300, tol: float = 1e-7,
                         missing: str = "listwise", n_boot: int = 5000,
                         seed: int | None = None, indices: np.ndarray | None = None,
                         ci: float = 0.95, bca: bool = True, jobs: int | None = None,
                         chunk_size: int = 1000,
                         progress: Callable[[int, int], None] | None = None
                         ) -> ModerationBootstrap:
    """Bootstrap a moderated PLS path model, rebuilding the interaction terms (and stage 1
    of the two-stage approach) on every resample, as seminr does.

    Parameters
    ----------
    data, constructs, paths, modes, method, scheme, max_iter, tol, missing
        As :func:`fit_moderation`.
    n_boot, seed, indices, ci, bca, jobs, chunk_size, progress
        As :func:`cxsurvey.stats.pls.bootstrap.bootstrap_pls` (``indices`` are 0-based
        positions into the rows used after missing-value handling).

    Returns
    -------
    ModerationBootstrap

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman &
    Hall. Henseler, J., & Chin, W. W. (2010). Structural Equation Modeling, 17(1), 82-109.
    Becker, J.-M., Ringle, C. M., & Sarstedt, M. (2018). Journal of Applied Structural
    Equation Modeling, 2(2), 1-21.
    """
    moderation = fit_moderation(data, constructs, paths, modes, method, scheme, max_iter,
                                tol, missing)
    spec = moderated_model(constructs, paths, modes, method)
    frame, z, _, _, _ = _prepared(data, spec, scheme, max_iter, tol, missing)
    indices = draw_indices(z.shape[0], n_boot, seed, indices)
    settings = (scheme, int(max_iter), float(tol))
    constructs2, paths2, modes2 = spec.stage_two
    boot = bootstrap_pls(frame, constructs2, paths2, modes2, scheme, max_iter, tol,
                         indices=indices, seed=seed, ci=ci, bca=bca, jobs=jobs,
                         chunk_size=chunk_size, progress=progress,
                         sample_correlations=partial(spec.correlations, z, scheme=scheme,
                                                     max_iter=int(max_iter), tol=float(tol)))
    adjusted = _interaction_draws(spec, boot, z, indices, settings)
    inter = moderation.interactions
    summary = summarise_draws(
        inter["est"].to_numpy(),
        np.stack([adjusted[(t, o)] for t, o in zip(inter["term"], inter["outcome"],
                                                   strict=True)], axis=1), None, ci)
    interactions = pd.concat([inter[["iv", "moderator", "outcome", "term", "est_std",
                                     "scale", "f2"]].reset_index(drop=True),
                              summary.drop(columns=["bca_lower", "bca_upper"])], axis=1)
    slope_stats = summarise_draws(moderation.slopes["slope"].to_numpy(),
                                  _slope_draws(spec, boot, adjusted), None, ci)
    slopes = pd.concat([moderation.slopes.reset_index(drop=True),
                        slope_stats.drop(columns=["est", "bca_lower", "bca_upper"])], axis=1)
    return ModerationBootstrap(moderation=moderation, boot=boot, interactions=interactions,
                               slopes=slopes, warnings=boot.warnings)
