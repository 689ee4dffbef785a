"""The statistics a PLS bootstrap resamples, table by table: which entries of the batched
estimates fill each table, the tables' key columns and their full-sample estimates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.stats.pls.estimate import (
    batch_chain_effects,
    batch_structural,
    batch_total_effects,
    estimate_batch,
)
from cxsurvey.stats.pls.fit import PlsFit
from cxsurvey.stats.pls.quality import batch_htmt
from cxsurvey.stats.pls.specify import PlsModel

__all__ = ["TableLayout"]


def _pick(arr: np.ndarray, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """``arr[:, i, j]`` for every pair, shape (B, len(pairs))."""
    if not pairs:
        return np.zeros((arr.shape[0], 0))
    i, j = np.array(pairs).T
    return arr[:, i, j]


@dataclass(frozen=True)
class TableLayout:
    """Which entries of the batched estimates make up each table."""

    model: PlsModel
    htmt_pairs: tuple[tuple[int, int], ...]
    total_pairs: tuple[tuple[int, int], ...]
    indirect_pairs: tuple[tuple[int, int], ...]
    chains: tuple[tuple[int, ...], ...]
    endogenous: tuple[int, ...]

    @classmethod
    def of(cls, model: PlsModel) -> TableLayout:
        k = model.k
        reach, reach_ind = model.reachable(), model.reachable_indirect()
        return cls(
            model=model,
            htmt_pairs=tuple((i, j) for i in range(k) for j in range(i + 1, k)),
            total_pairs=tuple((i, j) for i in range(k) for j in range(k) if reach[i, j]),
            indirect_pairs=tuple((i, j) for i in range(k) for j in range(k)
                                 if reach_ind[i, j]),
            chains=model.indirect_chains(),
            endogenous=model.endogenous)

    def extract(self, corr: np.ndarray, scheme: str, max_iter: int,
                tol: float) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Estimate a batch; returns the per-table estimates, ``valid`` and ``converged``."""
        model = self.model
        est = estimate_batch(corr, model, scheme, max_iter, tol)
        beta, r2 = batch_structural(est.score_corr, model)
        total = batch_total_effects(beta)
        out = {
            "paths": _pick(beta, model.paths),
            "loadings": est.loadings(model),
            "weights": est.weights,
            "total_effects": _pick(total, self.total_pairs),
            "total_indirect_effects": _pick(total - beta, self.indirect_pairs),
            "specific_indirect_effects": batch_chain_effects(beta, self.chains),
            "htmt": _pick(batch_htmt(corr, model), self.htmt_pairs),
            "r2": r2[:, list(self.endogenous)],
        }
        return out, est.valid, est.converged

    def keys(self, fit: PlsFit) -> dict[str, pd.DataFrame]:
        """The key columns of every table (one row per statistic)."""
        model = self.model
        names = model.constructs
        item_keys = pd.DataFrame({"construct": [names[j] for j in model.member],
                                  "item": list(model.items)})
        return {
            "paths": fit.paths[["from", "to"]].reset_index(drop=True),
            "loadings": item_keys,
            "weights": item_keys.copy(),
            "total_effects": pd.DataFrame([(names[i], names[j]) for i, j in self.total_pairs],
                                          columns=["from", "to"]),
            "total_indirect_effects": pd.DataFrame(
                [(names[i], names[j]) for i, j in self.indirect_pairs], columns=["from", "to"]),
            "specific_indirect_effects": fit.specific_indirect_effects[
                ["from", "to", "path"]].reset_index(drop=True),
            "htmt": pd.DataFrame([(names[i], names[j]) for i, j in self.htmt_pairs],
                                 columns=["a", "b"]),
            "r2": pd.DataFrame({"construct": [names[j] for j in self.endogenous]}),
        }

    def originals(self, fit: PlsFit) -> dict[str, np.ndarray]:
        """Full-sample estimates in the order of the tables."""
        names = self.model.constructs
        total = fit.total_effects.set_index(["from", "to"])
        htmt = {(a, b): v for a, b, v in fit.htmt.itertuples(index=False)}
        r2 = fit.r2.set_index("construct")["r2"]
        return {
            "paths": fit.paths["est"].to_numpy(float),
            "loadings": fit.loadings["est"].to_numpy(float),
            "weights": fit.weights["est"].to_numpy(float),
            "total_effects": np.array([total.loc[(names[i], names[j]), "total"]
                                       for i, j in self.total_pairs], dtype=float),
            "total_indirect_effects": np.array(
                [total.loc[(names[i], names[j]), "total_indirect"]
                 for i, j in self.indirect_pairs], dtype=float),
            "specific_indirect_effects": fit.specific_indirect_effects["est"].to_numpy(float),
            "htmt": np.array([htmt[(names[i], names[j])] for i, j in self.htmt_pairs],
                             dtype=float),
            "r2": np.array([r2[names[j]] for j in self.endogenous], dtype=float),
        }
