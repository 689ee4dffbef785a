"""Reference values for PLSpredict from seminr (Python port) 0.2.1.

How to run (seminr in a throwaway venv, never in the project's venv)::

    python3 -m venv /tmp/seminr_venv
    /tmp/seminr_venv/bin/pip install seminr==0.2.1 pandas scipy
    cd /work/main && /tmp/seminr_venv/bin/python tests/data/pls/make_predict_reference.py

It writes ``tests/data/pls/predict_seminr_reference.json``.

seminr's ``predict_pls`` (R seminr ``feature_plspredict.R``; the port reproduces R to
1e-15) shuffles the rows once and cuts the shuffled order into ``noFolds`` contiguous
blocks (R ``cut(seq(1, n), breaks = k)``); every block is predicted by a model estimated
on the other blocks: PLS with the direct-antecedent (``predict_DA``) or
earliest-antecedent (``predict_EA``) technique, and the linear-model benchmark (``lm``
of every item of an endogenous construct on the items of the construct's direct
antecedents for DA, of the purely exogenous constructs for EA). The port takes the
shuffle as a 0-based ``ordering``; here each repetition's ordering is

    numpy.random.Generator(numpy.random.PCG64(seed)).permutation(n)

drawn ``reps`` times from one generator, and the JSON stores the resulting fold of every
row (``fold_assignment``, reps x n, 0-based folds), so a test feeds the very same folds.
R seminr's ``reps`` averages each row's predictions over the repetitions (it reuses one
shuffle for all of them; here each repetition has its own shuffle, the averaging is the
same): the statistics below are computed from those averaged predictions.

JSON layout: ``{"generator": ..., "datasets": {name: dataset}}``; each dataset has
``description``, ``constructs`` (construct -> items, all Mode A), ``paths`` ([from, to]),
``n``, ``folds``, ``reps``, ``seed``, ``fold_assignment`` and per technique
(``"DA"``, ``"EA"``):

- ``items``: per endogenous item (seminr's order) ``construct, item, rmse_pls, mae_pls,
  rmse_lm, mae_lm`` (seminr's RMSE and MAE of the out-of-sample residuals),
  ``q2_predict`` (``1 - SSE_pls / SSE_naive``, naive prediction = the item's mean in the
  training folds of the row, averaged over the repetitions like the predictions;
  computed here from seminr's predictions) and ``skew_pls``, ``skew_lm`` (scipy
  ``skew(bias=False)`` of the out-of-sample residuals);
- ``constructs``: per endogenous construct ``q2_predict`` of the composite
  (``1 - SSE / SSE_naive`` of the out-of-sample composite predictions against seminr's
  full-sample construct scores ``actuals_star``, naive = the training-fold mean of those
  scores), ``rmse``, ``mae``;
- ``pls_head``, ``lm_head``, ``composite_head``: the averaged out-of-sample predictions
  of the first 15 rows (items in raw units; composites standardised);
- ``seminr_metrics_rep1``: seminr's own ``item_metrics`` (RMSE, MAE) of repetition 1
  alone, with that repetition's ``rmse_pls_rep1`` recomputed here (checks the formulas);
- ``cvpat``: CVPAT of PLS against ``LM`` and ``IA`` (indicator averages = the
  training-fold means above, not seminrExtras's full-sample means) per endogenous
  construct and ``Overall``: ``loss_pls, loss_benchmark`` (mean over rows of the
  per-row loss: mean squared error over a construct's items; Overall: the mean of the
  construct losses), ``diff`` (benchmark - PLS), ``t, pvalue`` (scipy ``ttest_rel``
  of benchmark vs PLS losses, ``alternative="greater"``), ``t_boot, pvalue_boot``
  (``diff`` over the SD of ``CVPAT_BOOT`` bootstrap means of the loss differences,
  Student t with n - 1 df, one-sided; the resample rows of benchmark i (LM 0, IA 1) are
  ``Generator(PCG64([seed, 1, i])).integers(0, n, size=(m, n))`` in chunks of m = 250,
  the stream ``pls_predict(..., seed=seed, cvpat_boot=CVPAT_BOOT)`` uses);
- ``seconds``: wall time of seminr's ``predict_pls`` for all repetitions (one core).

No code from seminr is copied into cxsurvey; seminr only produces these numbers.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
import seminr
from reference_models import CX, CX_PATHS, ECSI, ECSI_PATHS
from seminr import constructs, estimate_pls
from seminr.estimate.data import Dataset
from seminr.predict import cut_folds, item_metrics, predict_DA, predict_EA, predict_pls
from seminr.specify.constructs import composite
from seminr.specify.relationships import paths, relationships

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
FOLDS = 10
HEAD = 15
CVPAT_BOOT = 500


def _orderings(seed: int, n: int, reps: int) -> np.ndarray:
    rng = np.random.Generator(np.random.PCG64(seed))
    return np.stack([rng.permutation(n) for _ in range(reps)])


def _assignment(ordering: np.ndarray, folds: int) -> np.ndarray:
    fold_of_position = np.asarray(cut_folds(len(ordering), folds)) - 1
    out = np.empty(len(ordering), dtype=np.int64)
    out[ordering] = fold_of_position
    return out


def _naive(values: np.ndarray, assignment: np.ndarray, folds: int) -> np.ndarray:
    """Training-fold mean of every column for every row, averaged over repetitions."""
    out = np.zeros_like(values)
    for fold_row in assignment:
        for f in range(folds):
            test = fold_row == f
            out[test] += values[~test].mean(axis=0)
    return out / assignment.shape[0]


def _losses(errors: np.ndarray, owner: list[str], endogenous: list[str]) -> np.ndarray:
    cols = []
    for c in endogenous:
        cols.append(np.mean(errors[:, [k for k, o in enumerate(owner) if o == c]] ** 2,
                            axis=1))
    per = np.column_stack(cols)
    return np.column_stack([per, per.mean(axis=1)])


def _cvpat(res_pls: np.ndarray, benchmarks: dict, owner: list[str], endogenous: list[str],
           seed: int) -> list[dict]:
    loss_pls = _losses(res_pls, owner, endogenous)
    n = loss_pls.shape[0]
    rows = []
    for i, (label, res) in enumerate(benchmarks.items()):
        loss_b = _losses(res, owner, endogenous)
        rng = np.random.Generator(np.random.PCG64([seed, 1, i]))
        boot = []
        for start in range(0, CVPAT_BOOT, 250):
            idx = rng.integers(0, n, size=(min(250, CVPAT_BOOT - start), n))
            boot.extend([(loss_b[r] - loss_pls[r]).mean(axis=0) for r in idx])
        se = np.std(np.array(boot), axis=0, ddof=1)
        for j, c in enumerate([*endogenous, "Overall"]):
            test = scipy.stats.ttest_rel(loss_b[:, j], loss_pls[:, j], alternative="greater")
            diff = float(np.mean(loss_b[:, j] - loss_pls[:, j]))
            rows.append({"benchmark": label, "construct": c,
                         "loss_pls": float(loss_pls[:, j].mean()),
                         "loss_benchmark": float(loss_b[:, j].mean()), "diff": diff,
                         "t": float(test.statistic), "pvalue": float(test.pvalue),
                         "t_boot": diff / float(se[j]),
                         "pvalue_boot": float(scipy.stats.t.sf(diff / se[j], n - 1))})
    return rows


def _technique(model, technique, orderings: np.ndarray, assignment: np.ndarray,
               values: pd.DataFrame, seed: int) -> dict:
    preds = []
    start = time.perf_counter()
    for ordering in orderings:
        preds.append(predict_pls(model, technique=technique, no_folds=FOLDS,
                                 ordering=[int(i) for i in ordering]))
    seconds = time.perf_counter() - start
    items = list(preds[0].items.pls_out_of_sample.cols)
    pls = np.mean([p.items.pls_out_of_sample.values for p in preds], axis=0)
    lm = np.mean([p.items.lm_out_of_sample.values for p in preds], axis=0)
    comp_cols = list(preds[0].composites.composite_out_of_sample.cols)
    comp = np.mean([p.composites.composite_out_of_sample.values for p in preds], axis=0)
    actual = values[items].to_numpy(dtype=float)
    naive = _naive(actual, assignment, FOLDS)
    res_pls, res_lm = actual - pls, actual - lm
    member = {i: c for c, block in model_blocks(model).items() for i in block}
    item_rows = []
    for j, item in enumerate(items):
        item_rows.append({
            "construct": member[item], "item": item,
            "rmse_pls": float(np.sqrt(np.mean(res_pls[:, j] ** 2))),
            "mae_pls": float(np.mean(np.abs(res_pls[:, j]))),
            "rmse_lm": float(np.sqrt(np.mean(res_lm[:, j] ** 2))),
            "mae_lm": float(np.mean(np.abs(res_lm[:, j]))),
            "q2_predict": float(1 - np.sum(res_pls[:, j] ** 2)
                                / np.sum((actual[:, j] - naive[:, j]) ** 2)),
            "skew_pls": float(scipy.stats.skew(res_pls[:, j], bias=False)),
            "skew_lm": float(scipy.stats.skew(res_lm[:, j], bias=False)),
        })
    scores = preds[0].composites.actuals_star
    endogenous = model.sm_matrix.all_endogenous()
    score_values = np.column_stack([scores.column(c) for c in endogenous])
    score_naive = _naive(score_values, assignment, FOLDS)
    construct_rows = []
    for j, c in enumerate(endogenous):
        err = score_values[:, j] - comp[:, comp_cols.index(c)]
        construct_rows.append({
            "construct": c,
            "q2_predict": float(1 - np.sum(err ** 2)
                                / np.sum((score_values[:, j] - score_naive[:, j]) ** 2)),
            "rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err)))})
    cvpat = _cvpat(res_pls, {"LM": res_lm, "IA": actual - naive},
                   [member[i] for i in items], endogenous, seed)
    metrics = item_metrics(preds[0])
    rep1_res = actual - preds[0].items.pls_out_of_sample.values
    return {
        "items": item_rows, "constructs": construct_rows, "cvpat": cvpat,
        "pls_head": pls[:HEAD].tolist(), "lm_head": lm[:HEAD].tolist(),
        "composite_head": {c: comp[:HEAD, comp_cols.index(c)].tolist() for c in comp_cols},
        "seminr_metrics_rep1": {
            "items": list(metrics.pls_out_of_sample.cols),
            "rmse_pls": metrics.pls_out_of_sample.values[0].tolist(),
            "mae_pls": metrics.pls_out_of_sample.values[1].tolist(),
            "rmse_lm": metrics.lm_out_of_sample.values[0].tolist(),
            "mae_lm": metrics.lm_out_of_sample.values[1].tolist(),
            "rmse_pls_rep1": np.sqrt(np.mean(rep1_res ** 2, axis=0)).tolist()},
        "seconds": seconds,
    }


def model_blocks(model) -> dict[str, list[str]]:
    return {c: list(model.mm_matrix.construct_items(c)) for c in model.constructs}


def _dataset(frame: pd.DataFrame, blocks: dict[str, list[str]],
             edges: list[tuple[str, str]], seed: int, reps: int, description: str) -> dict:
    items = [i for b in blocks.values() for i in b]
    frame = frame[items].astype(float)
    data = Dataset(tuple(items), np.ascontiguousarray(frame.to_numpy()))
    mm = constructs(*[composite(c, b) for c, b in blocks.items()])
    sm = relationships(*[paths(from_=a, to=b) for a, b in edges])
    model = estimate_pls(data, mm, sm)
    n = len(frame)
    orderings = _orderings(seed, n, reps)
    assignment = np.stack([_assignment(o, FOLDS) for o in orderings])
    out = {"description": description, "constructs": blocks,
           "paths": [list(e) for e in edges], "n": n, "folds": FOLDS, "reps": reps,
           "seed": seed, "fold_assignment": assignment.tolist()}
    for name, technique in (("DA", predict_DA), ("EA", predict_EA)):
        out[name] = _technique(model, technique, orderings, assignment, frame, seed)
    return out


def main() -> None:
    mobi = pd.read_csv(HERE / "mobi.csv")
    cx = pd.read_csv(ROOT / "tests" / "data" / "cx_journey_items.csv")
    datasets = {
        "mobi_ecsi": _dataset(mobi, ECSI, ECSI_PATHS, 2021, 3,
                              "mobi.csv, ECSI model of ecsi_mobi_seminr_reference.json"),
        "cx_journey_chain": _dataset(cx, CX, CX_PATHS, 7, 2,
                                     "tests/data/cx_journey_items.csv (157 rows, 33 items), "
                                     "the journey chain of sample_surveys/cx_journey.toml"),
    }
    # timing of a 10 x 10 run (one core), the setting of cxsurvey's default
    timing = {}
    for name, frame, blocks, edges in (("mobi_ecsi", mobi, ECSI, ECSI_PATHS),
                                       ("cx_journey_chain", cx, CX, CX_PATHS)):
        items = [i for b in blocks.values() for i in b]
        data = Dataset(tuple(items), np.ascontiguousarray(frame[items].to_numpy(float)))
        model = estimate_pls(data, constructs(*[composite(c, b) for c, b in blocks.items()]),
                             relationships(*[paths(from_=a, to=b) for a, b in edges]))
        start = time.perf_counter()
        for ordering in _orderings(1, len(frame), 10):
            predict_pls(model, technique=predict_DA, no_folds=10,
                        ordering=[int(i) for i in ordering])
        timing[name] = time.perf_counter() - start
    result = {
        "generator": {"seminr_py": seminr.__version__, "python": platform.python_version(),
                      "numpy": np.__version__, "scipy": scipy.__version__,
                      "script": "tests/data/pls/make_predict_reference.py"},
        "timing_10x10_seconds": timing,
        "datasets": datasets,
    }
    path = HERE / "predict_seminr_reference.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
