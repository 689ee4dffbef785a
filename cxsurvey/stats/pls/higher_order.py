"""Higher-order constructs (HOCs) in PLS-SEM: repeated indicators and two-stage approaches.

A higher-order construct is measured by lower-order constructs (LOCs), which are measured
by items: ``Overall =~ Image + Quality`` (reflective-reflective, Mode A) or ``Overall <~
Image + Quality`` (reflective-formative, Mode B). Three approaches estimate it:

- ``repeated_indicators``: the HOC's block holds every item of its LOCs (the copies are
  named ``item@HOC``); Mode A HOCs explain their LOCs (paths HOC -> LOC), Mode B HOCs are
  formed by them (paths LOC -> HOC). The HOC's loadings (weights) on its LOCs are those
  paths, read here from the construct scores.
- ``embedded_two_stage``: stage 1 is the repeated-indicators model; stage 2 measures the
  HOC by the stage-1 LOC scores and drops the LOCs.
- ``disjoint_two_stage`` (seminr's ``higher_composite(method = two_stage)``): stage 1
  replaces the HOC by its LOCs (every path to or from the HOC goes to or from each LOC);
  stage 2 as in the embedded approach.

The bootstrap of a two-stage approach redoes stage 1 on every resample (as seminr, which
re-estimates the whole model per resample).

Quality of a HOC (:attr:`HigherOrderFit.hoc_measurement`, ``hoc_reliability``): its
loadings on the LOCs (correlations of the HOC and LOC scores), its weights (stage-2 outer
weights; for repeated indicators the regression of the HOC score on the LOC scores),
the VIF of the LOC scores (for Mode B), and rho_C, AVE and alpha from those loadings and
the LOC-score correlations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.options import HOC_METHODS
from cxsurvey.stats.items.collinearity import vif_from_correlation
from cxsurvey.stats.items.reliability import alpha_from_cov
from cxsurvey.stats.pls.bootstrap import PlsBootstrap, bootstrap_pls
from cxsurvey.stats.pls.data import prepare_data
from cxsurvey.stats.pls.estimate import estimate_batch
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.moderation import (
    sample_batches,
    sample_correlations,
    standardise_samples,
)
from cxsurvey.stats.pls.specify import PlsModel, compile_model
from cxsurvey.stats.validity import cr_ave

__all__ = ["METHODS", "REPEAT", "HigherOrderBootstrap", "HigherOrderFit",
           "HigherOrderModel", "bootstrap_higher_order", "fit_higher_order",
           "higher_order_model"]

METHODS = HOC_METHODS
REPEAT = "@"  # a repeated item of a HOC is named item@HOC (no lavaan name holds '@')

_Model = tuple[dict[str, tuple[str, ...]], list[tuple[str, str]], dict[str, str]]


def original_item(name: str) -> str:
    """The item a repeated indicator ``item@HOC`` copies (the name itself otherwise)."""
    return name.split(REPEAT, 1)[0]


@dataclass(frozen=True)
class HigherOrderModel:
    """A PLS model with higher-order constructs, and the models of its stages.

    Attributes
    ----------
    constructs : dict
        First-order constructs and their items.
    hocs : dict
        HOC -> its LOCs.
    modes : dict
        Mode of every construct (HOCs included).
    paths : tuple of (str, str)
        The user's structural paths (among HOCs and the first-order constructs that are
        no LOC).
    method : str
    """

    constructs: dict[str, tuple[str, ...]]
    hocs: dict[str, tuple[str, ...]]
    modes: dict[str, str]
    paths: tuple[tuple[str, str], ...]
    method: str

    @property
    def locs(self) -> dict[str, str]:
        """LOC -> its HOC."""
        return {loc: hoc for hoc, locs in self.hocs.items() for loc in locs}

    def repeated(self) -> _Model:
        """The repeated-indicators model."""
        blocks = dict(self.constructs)
        edges = list(self.paths)
        for hoc, locs in self.hocs.items():
            blocks[hoc] = tuple(f"{i}{REPEAT}{hoc}" for loc in locs
                                for i in self.constructs[loc])
            if self.modes.get(hoc, "A") == "B":
                edges += [(loc, hoc) for loc in locs]
            else:
                edges += [(hoc, loc) for loc in locs]
        return blocks, edges, dict(self.modes)

    def disjoint(self) -> _Model:
        """Stage 1 of the disjoint approach: every HOC replaced by its LOCs."""
        edges: list[tuple[str, str]] = []
        for a, b in self.paths:
            edges += [(x, y) for x in self.hocs.get(a, (a,)) for y in self.hocs.get(b, (b,))]
        modes = {c: m for c, m in self.modes.items() if c in self.constructs}
        return dict(self.constructs), list(dict.fromkeys(edges)), modes

    def stage_one(self) -> _Model:
        return self.disjoint() if self.method == "disjoint_two_stage" else self.repeated()

    def stage_two(self) -> _Model:
        """The HOCs measured by their LOCs' scores (items named after the LOCs)."""
        locs = self.locs
        blocks = {c: its for c, its in self.constructs.items() if c not in locs}
        blocks.update(self.hocs)
        modes = {c: m for c, m in self.modes.items() if c in blocks}
        return blocks, list(self.paths), modes

    def build_stage_two(self, stage1: PlsModel, z: np.ndarray, base_items: Sequence[str],
                        scheme: str, max_iter: int, tol: float) -> np.ndarray:
        """Stage-2 items of samples ``z`` (B, m, p) of the items ``base_items``: the
        standardised items of the constructs kept and the stage-1 LOC scores."""
        zs = standardise_samples(z)
        col = {item: i for i, item in enumerate(base_items)}
        x1 = zs[:, :, [col[original_item(i)] for i in stage1.items]]
        est = estimate_batch(sample_correlations(x1), stage1, scheme, max_iter, tol)
        scores = np.einsum("bmp,pk->bmk", x1 * est.weights[:, None, :], stage1.onehot)
        scores[~(est.valid & est.converged)] = np.nan
        pos = {c: j for j, c in enumerate(stage1.constructs)}
        blocks = self.stage_two()[0]
        cols = [scores[:, :, pos[i]] if i in self.locs else zs[:, :, col[i]]
                for its in blocks.values() for i in its]
        return np.stack(cols, axis=2)

    def correlations(self, stage1: PlsModel, z: np.ndarray, base_items: Sequence[str],
                     rows: np.ndarray, scheme: str, max_iter: int, tol: float) -> np.ndarray:
        """Stage-2 item correlations of the samples ``rows`` (B, m), stage 1 redone on
        each."""
        parts = []
        for batch in sample_batches(rows, 2 * z.shape[1]):
            items = self.build_stage_two(stage1, z[batch], base_items, scheme, max_iter, tol)
            parts.append(sample_correlations(standardise_samples(items)))
        return np.concatenate(parts)


def higher_order_model(constructs: Mapping[str, Sequence[str]],
                       paths: Sequence[tuple[str, str]],
                       modes: Mapping[str, str] | None = None,
                       method: str = "embedded_two_stage") -> HigherOrderModel:
    """Split a measurement model whose constructs may be measured by constructs into
    first-order constructs and HOCs, and check it.

    Raises
    ------
    InputError
        For a HOC measured by constructs and items, a HOC of HOCs, a HOC with fewer than
        two LOCs, a LOC of two HOCs, a LOC with structural paths of its own, or a model
        without a HOC.
    ValueError
        For an unknown ``method``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    blocks = {str(c): tuple(str(i) for i in its) for c, its in constructs.items()}
    hocs: dict[str, tuple[str, ...]] = {}
    for c, members in blocks.items():
        lower = [m for m in members if m in blocks]
        if not lower:
            continue
        if len(lower) != len(members):
            raise InputError(f"construct '{c}' is measured by both constructs and items",
                             hint="A higher-order construct is measured by constructs "
                                  "only.")
        hocs[c] = tuple(lower)
    if not hocs:
        raise InputError("the model has no higher-order construct",
                         hint="Measure a construct by other constructs: 'H =~ A + B'.")
    owner: dict[str, str] = {}
    for hoc, locs in hocs.items():
        if len(locs) < 2:
            raise InputError(f"the higher-order construct '{hoc}' has one lower-order "
                             "construct", hint="A HOC needs two lower-order constructs or "
                                               "more.")
        for loc in locs:
            if loc in hocs:
                raise InputError(f"'{loc}' is a higher-order construct measuring '{hoc}'",
                                 hint="Only second-order constructs (measured by "
                                      "first-order constructs) are supported.")
            if loc in owner:
                raise InputError(f"'{loc}' measures both '{owner[loc]}' and '{hoc}'")
            owner[loc] = hoc
    edges = tuple(dict.fromkeys((str(a), str(b)) for a, b in paths))
    for a, b in edges:
        for c in (a, b):
            if c in owner:
                raise InputError(f"the path {a} -> {b} names '{c}', a lower-order "
                                 f"construct of '{owner[c]}'",
                                 hint=f"Draw the path to or from '{owner[c]}'; its "
                                      "lower-order constructs take part through it.")
    first = {c: its for c, its in blocks.items() if c not in hocs}
    return HigherOrderModel(constructs=first, hocs=hocs, modes=dict(modes or {}),
                            paths=edges, method=method)


@dataclass(frozen=True)
class HigherOrderFit:
    """A PLS-SEM estimation with higher-order constructs.

    Attributes
    ----------
    method : str
    fit : PlsFit
        The final model: the repeated-indicators model (HOC items named ``item@HOC``),
        or stage 2 of a two-stage approach (HOC items named after the LOCs).
    first_stage : PlsFit or None
        Stage 1 of a two-stage approach (the LOCs' own loadings, weights and quality).
    hoc_measurement : DataFrame
        ``hoc, mode, loc, loading, weight, vif``: per LOC of each HOC.
    hoc_reliability : DataFrame
        ``hoc, mode, n_locs, alpha, rho_c, ave``: from the LOC-score correlations and the
        HOC's loadings on its LOCs (rho_C and AVE are for Mode A HOCs; reported for both).
    scores : DataFrame
        Scores of the LOCs and of every construct of the final model.
    hocs : dict
        HOC -> its LOCs.
    n_dropped, n_replaced : int
        Rows dropped (listwise) and cells mean-replaced before estimation.
    warnings : tuple of str
    """

    method: str
    fit: PlsFit
    first_stage: PlsFit | None
    hoc_measurement: pd.DataFrame
    hoc_reliability: pd.DataFrame
    scores: pd.DataFrame
    hocs: dict[str, tuple[str, ...]]
    n_dropped: int = 0
    n_replaced: int = 0
    warnings: tuple[str, ...] = ()


def _hoc_tables(spec: HigherOrderModel, fit: PlsFit,
                scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, rel = [], []
    corr = scores.corr().to_numpy()
    pos = {c: j for j, c in enumerate(scores.columns)}
    for hoc, locs in spec.hocs.items():
        mode = spec.modes.get(hoc, "A")
        idx = [pos[loc] for loc in locs]
        r_ll = corr[np.ix_(idx, idx)]
        lam = corr[idx, pos[hoc]]
        if spec.method == "repeated_indicators":
            weight = np.linalg.solve(r_ll, lam)
        else:
            w = fit.weights[fit.weights["construct"] == hoc].set_index("item")["est"]
            weight = w.loc[list(locs)].to_numpy()
        vif = vif_from_correlation(r_ll)
        rows += [(hoc, mode, loc, lam[i], weight[i], vif[i]) for i, loc in enumerate(locs)]
        rho_c, ave = cr_ave(lam)
        rel.append((hoc, mode, len(locs), alpha_from_cov(r_ll), rho_c, ave))
    return (pd.DataFrame(rows, columns=["hoc", "mode", "loc", "loading", "weight", "vif"]),
            pd.DataFrame(rel, columns=["hoc", "mode", "n_locs", "alpha", "rho_c", "ave"]))


def _base(spec: HigherOrderModel, data: pd.DataFrame,
          missing: str) -> tuple[np.ndarray, pd.Index, tuple[str, ...], list[str],
                                 tuple[int, int]]:
    """The standardised items of every first-order construct after missing-value
    handling, their row index, names, notes on missing data, and the rows dropped and
    cells replaced."""
    base = compile_model(*spec.disjoint())
    prep = prepare_data(data, base, missing)
    notes = []
    if prep.n_replaced:
        notes.append(f"{prep.n_replaced} missing answer(s) replaced by the item mean")
    if prep.n_dropped:
        notes.append(f"{prep.n_dropped} row(s) with missing answers dropped (listwise)")
    return prep.z, prep.index, base.items, notes, (prep.n_dropped, prep.n_replaced)


def _frame(z: np.ndarray, index: pd.Index, items: Sequence[str],
           wanted: Sequence[str]) -> pd.DataFrame:
    col = {item: i for i, item in enumerate(items)}
    return pd.DataFrame(z[:, [col[original_item(i)] for i in wanted]], index=index,
                        columns=list(wanted))


def fit_higher_order(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                     paths: Sequence[tuple[str, str]], modes: Mapping[str, str] | None = None,
                     method: str = "embedded_two_stage", scheme: str = "path",
                     max_iter: int = 300, tol: float = 1e-7,
                     missing: str = "listwise") -> HigherOrderFit:
    """Estimate a PLS path model with second-order constructs.

    Parameters
    ----------
    data, scheme, max_iter, tol, missing
        As :func:`cxsurvey.stats.pls.fit.fit_pls`.
    constructs : mapping of str to sequence of str
        Items of the first-order constructs and, for each HOC, its LOCs.
    paths : sequence of (predictor, outcome)
        Structural paths among the HOCs and the first-order constructs that are no LOC.
    modes : mapping of str to str, optional
        ``"A"``/``"B"`` per construct; a HOC's mode is reflective-reflective (A) or
        reflective-formative (B).
    method : {"repeated_indicators", "embedded_two_stage", "disjoint_two_stage"}

    Returns
    -------
    HigherOrderFit

    References
    ----------
    Becker, J.-M., Klein, K., & Wetzels, M. (2012). Hierarchical latent variable models in
    PLS-SEM: Guidelines for using reflective-formative type models. Long Range Planning,
    45(5-6), 359-394. Sarstedt, M., Hair, J. F., Cheah, J.-H., Becker, J.-M., & Ringle,
    C. M. (2019). How to specify, estimate, and validate higher-order constructs in
    PLS-SEM. Australasian Marketing Journal, 27(3), 197-211. Ringle, C. M., Sarstedt, M.,
    & Straub, D. W. (2012). MIS Quarterly, 36(1), iii-xiv.
    """
    spec = higher_order_model(constructs, paths, modes, method)
    z, index, items, notes, (n_dropped, n_replaced) = _base(spec, data, missing)
    settings = (scheme, int(max_iter), float(tol))
    stage1_blocks, stage1_paths, stage1_modes = spec.stage_one()
    stage1_model = compile_model(stage1_blocks, stage1_paths, stage1_modes)
    stage1 = fit_pls(_frame(z, index, items, stage1_model.items), stage1_blocks,
                     stage1_paths, stage1_modes, *settings)
    if method == "repeated_indicators":
        fit, first = stage1, None
        scores = stage1.scores
    else:
        blocks, edges, modes2 = spec.stage_two()
        values = spec.build_stage_two(stage1_model, z[None], items, *settings)[0]
        names = [i for its in blocks.values() for i in its]
        fit = fit_pls(pd.DataFrame(values, index=index, columns=names), blocks, edges,
                      modes2, *settings)
        first = stage1
        locs = [c for c in stage1.scores.columns if c in spec.locs]
        scores = pd.concat([stage1.scores[locs], fit.scores], axis=1)
    measurement, reliability = _hoc_tables(spec, fit, scores)
    if method == "repeated_indicators":
        notes += [f"'{hoc}' is formative and has antecedents: with repeated indicators its "
                  "lower-order constructs explain it almost fully, so the antecedents' "
                  "paths are biased towards 0 (use a two-stage approach)"
                  for hoc in spec.hocs if spec.modes.get(hoc, "A") == "B"
                  and any(b == hoc for _, b in spec.paths)]
    warnings = tuple(notes) + fit.warnings + (() if first is None else tuple(
        f"stage 1: {w}" for w in first.warnings if w not in fit.warnings))
    return HigherOrderFit(method=method, fit=fit, first_stage=first,
                          hoc_measurement=measurement, hoc_reliability=reliability,
                          scores=scores, hocs=dict(spec.hocs), n_dropped=n_dropped,
                          n_replaced=n_replaced, warnings=warnings)


@dataclass(frozen=True)
class HigherOrderBootstrap:
    """Bootstrap inference for a model with higher-order constructs.

    Attributes
    ----------
    higher_order : HigherOrderFit
    boot : PlsBootstrap
        The final model with its bootstrap statistics (HOC loadings and weights on the
        LOCs in ``boot.loadings``/``boot.weights`` for a two-stage approach, the HOC-LOC
        paths in ``boot.paths`` for repeated indicators), stage 1 redone per resample.
    first_stage : PlsBootstrap or None
        Stage 1 bootstrapped on the same resamples (the LOCs' loadings and weights).
    """

    higher_order: HigherOrderFit
    boot: PlsBootstrap
    first_stage: PlsBootstrap | None
    warnings: tuple[str, ...] = ()


def bootstrap_higher_order(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
                           paths: Sequence[tuple[str, str]],
                           modes: Mapping[str, str] | None = None,
                           method: str = "embedded_two_stage", scheme: str = "path",
                           max_iter: int = 300, tol: float = 1e-7, missing: str = "listwise",
                           n_boot: int = 5000, seed: int | None = None,
                           indices: np.ndarray | None = None, ci: float = 0.95,
                           bca: bool = True, jobs: int | None = None,
                           chunk_size: int = 1000,
                           progress: Callable[[int, int], None] | None = None
                           ) -> HigherOrderBootstrap:
    """Bootstrap a PLS path model with second-order constructs.

    Parameters are those of :func:`fit_higher_order` and
    :func:`cxsurvey.stats.pls.bootstrap.bootstrap_pls`.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman &
    Hall. Sarstedt, M., Hair, J. F., Cheah, J.-H., Becker, J.-M., & Ringle, C. M. (2019).
    Australasian Marketing Journal, 27(3), 197-211.
    """
    hof = fit_higher_order(data, constructs, paths, modes, method, scheme, max_iter, tol,
                           missing)
    spec = higher_order_model(constructs, paths, modes, method)
    z, index, items, _, _ = _base(spec, data, missing)
    stage1_blocks, stage1_paths, stage1_modes = spec.stage_one()
    stage1_model = compile_model(stage1_blocks, stage1_paths, stage1_modes)
    run_bootstrap = partial(bootstrap_pls, scheme=scheme, max_iter=max_iter, tol=tol,
                           n_boot=n_boot, seed=seed, indices=indices, ci=ci, bca=bca,
                           jobs=jobs, chunk_size=chunk_size)
    stage1_frame = _frame(z, index, items, stage1_model.items)
    first = run_bootstrap(stage1_frame, stage1_blocks, stage1_paths, stage1_modes,
                         progress=progress if method == "repeated_indicators" else None)
    if method == "repeated_indicators":
        return HigherOrderBootstrap(higher_order=hof, boot=first, first_stage=None,
                                    warnings=first.warnings)
    blocks, edges, modes2 = spec.stage_two()
    names = [i for its in blocks.values() for i in its]
    values = spec.build_stage_two(stage1_model, z[None], items, scheme, int(max_iter),
                                  float(tol))[0]
    hook = partial(spec.correlations, stage1_model, z, items, scheme=scheme,
                   max_iter=int(max_iter), tol=float(tol))
    boot = run_bootstrap(pd.DataFrame(values, index=index, columns=names), blocks, edges,
                        modes2, progress=progress, sample_correlations=hook)
    return HigherOrderBootstrap(higher_order=hof, boot=boot, first_stage=first,
                                warnings=boot.warnings)
