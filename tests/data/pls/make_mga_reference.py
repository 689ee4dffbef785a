"""Reference values for PLS multi-group analysis from seminr (Python port) 0.2.1.

How to run (seminr in a throwaway venv, never in the project's venv)::

    python3 -m venv /tmp/seminr_venv
    /tmp/seminr_venv/bin/pip install seminr==0.2.1 pandas openpyxl
    cd /work/main && /tmp/seminr_venv/bin/python tests/data/pls/make_mga_reference.py

It writes ``tests/data/pls/mga_seminr_reference.json`` and
``tests/data/pls/micom_reference.json`` (``... make_mga_reference.py mga`` or ``micom``
writes one of them). seminr's
``estimate_pls_mga`` (Henseler, Ringle & Sinkovics 2009) splits the data by a boolean
condition (True rows = group 1), re-estimates the model in each group, bootstraps both
groups and gives Henseler's PLS-MGA p-value per path. The bootstrap resamples are not
drawn by seminr: they are passed in as 0-based index matrices (seminr's
``group1_indices``/``group2_indices``), drawn here as

    numpy.random.Generator(numpy.random.PCG64(seed)).integers(0, n_g, size=(nboot, n_g))

with the seeds in the JSON, so a test can rebuild the very same resamples with numpy.

JSON layout: ``{"generator": ..., "datasets": {name: dataset}}``; each dataset has

- ``description``: data and model;
- ``constructs`` (construct -> items, all Mode A), ``paths`` ([from, to], model order);
- ``group1``: the condition defining group 1; ``group_labels``: the label of every row
  (data row order) for the cx_journey data; ``n1``, ``n2``: group sizes;
- ``nboot``, ``index_seeds`` ([group 1, group 2]), ``index_sums``: the sums of the
  two index matrices (a check that the resamples were rebuilt correctly);
- ``rows``: per path ``from, to, estimate`` (pooled data), ``group1_beta, group2_beta,
  diff`` (group 1 - group 2), ``group1_beta_mean, group2_beta_mean`` (bootstrap means),
  ``pls_mga_p`` (seminr's Henseler p, ``1 - #{2m1 - b1j - 2m2 + b2k > 0} / J^2``, small
  when group 1's path is larger), and ``group1_boot_sd, group2_boot_sd`` (seminr's
  "Boot SD", n - 1 denominator, from ``bootstrap_model`` on the same resamples);
- ``boots``: usable resamples per group (seminr drops failed ones);
- per row also the tests computed here from seminr's numbers with cSEM testMGD's
  formulas: ``t_param, df_param, p_param`` (pooled SE, "Keil"), ``t_welch, df_welch,
  p_welch`` (Welch-Satterthwaite, "Nitzl"), ``p_perm`` (Chin & Dibbern permutation test:
  seminr re-estimates both groups for each of ``n_perm`` label permutations drawn as
  ``[rng.permutation(n) for _ in range(n_perm)]`` with ``rng =
  Generator(PCG64(perm_seed))``, permuted labels ``condition[perm]``; ``p = mean(d_perm
  >= |d|) + mean(d_perm <= -|d|)``), ``p_mga_2sided = 2 min(p, 1 - p)`` and the Holm
  adjustments over the paths ``*_holm`` (R ``p.adjust(method = "holm")``).

``micom_reference.json`` (``python make_mga_reference.py micom``): MICOM steps 2 and 3
as cSEM's ``testMICOM`` defines them, computed here with seminr's PLS estimates for the
group and pooled fits; per dataset ``labels`` (group label of every row), ``groups``
(sorted), ``n_perm``, ``perm_seed`` (permutations drawn as above; the same permutations
serve steps 2 and 3) and per pair ``"a|b"`` lists in ``constructs_order``: ``c``,
``c_q05`` (type-7 quantile), ``c_p`` (mean(c_perm <= c)), ``mean_diff`` / ``logvar_diff``
(group a - group b of the pooled scores' means / log variances, n - 1), their
``*_q025``, ``*_q975`` and ``*_p`` (mean(d_perm > |d|) + mean(d_perm < -|d|)), and
``*_holm`` (Holm per construct over the pairs).

No code from seminr is copied into cxsurvey; seminr only produces these numbers.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.stats
import seminr
from reference_models import CX, CX_PATHS, ECSI, ECSI_PATHS
from seminr import bootstrap_model, constructs, estimate_pls, estimate_pls_mga, rerun
from seminr.estimate.data import Dataset
from seminr.specify.constructs import composite
from seminr.specify.relationships import paths, relationships

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
NBOOT = 1000
NPERM = 300


def _indices(seed: int, n: int) -> np.ndarray:
    return np.random.Generator(np.random.PCG64(seed)).integers(0, n, size=(NBOOT, n))


def _run(frame: pd.DataFrame, blocks: dict[str, list[str]], edges: list[tuple[str, str]],
         condition: np.ndarray, seeds: tuple[int, int]) -> dict:
    data = Dataset(tuple(frame.columns), frame.to_numpy(dtype=float))
    mm = constructs(*[composite(c, items) for c, items in blocks.items()])
    sm = relationships(*[paths(from_=a, to=b) for a, b in edges])
    model = estimate_pls(data, mm, sm)
    n1, n2 = int(condition.sum()), int((~condition).sum())
    idx1, idx2 = _indices(seeds[0], n1), _indices(seeds[1], n2)
    rows = estimate_pls_mga(model, condition, nboot=NBOOT, group1_indices=idx1,
                            group2_indices=idx2)
    sds = []
    boots = []
    for keep, idx in ((condition, idx1), (~condition, idx2)):
        sub = Dataset(data.columns, np.ascontiguousarray(data.values[keep]))
        boot = bootstrap_model(rerun(model, data=sub), NBOOT, indices=idx)
        boots.append(boot.boots)
        desc = boot.paths_descriptives
        sds.append({(a, b): desc.get(a, f"{b} Boot SD") for a, b in edges})
    perms = _permutations(seeds[0] + seeds[1], len(condition), NPERM)
    betas = {}
    for r_i, perm in enumerate(perms):
        lab = condition[perm]
        fits = [rerun(model, data=Dataset(data.columns, np.ascontiguousarray(data.values[m])))
                for m in (lab, ~lab)]
        betas[r_i] = [fits[0].path_coef.get(a, b) - fits[1].path_coef.get(a, b)
                      for a, b in edges]
    perm_diff = np.array([betas[i] for i in range(NPERM)])
    out_rows = []
    for r in rows:
        key = (r.source, r.target)
        out_rows.append({"from": r.source, "to": r.target, "estimate": r.estimate,
                         "group1_beta": r.group1_beta, "group2_beta": r.group2_beta,
                         "diff": r.diff, "group1_beta_mean": r.group1_beta_mean,
                         "group2_beta_mean": r.group2_beta_mean, "pls_mga_p": r.pls_mga_p,
                         "group1_boot_sd": sds[0][key], "group2_boot_sd": sds[1][key]})
    d = np.array([r["diff"] for r in out_rows])
    se1 = np.array([r["group1_boot_sd"] for r in out_rows])
    se2 = np.array([r["group2_boot_sd"] for r in out_rows])
    # cSEM testMGD "Keil" (pooled SE) and "Nitzl" (Welch-Satterthwaite), two-sided t
    s_pooled = np.sqrt(((n1 - 1) ** 2 * se1 ** 2 + (n2 - 1) ** 2 * se2 ** 2)
                       / (n1 + n2 - 2)) * np.sqrt(1.0 / n1 + 1.0 / n2)
    t_k = d / s_pooled
    a1, a2 = se1 ** 2 * (n1 - 1) / n1, se2 ** 2 * (n2 - 1) / n2
    t_n = d / np.sqrt(a1 + a2)
    df_n = np.round((a1 + a2) ** 2 / (se1 ** 4 * (n1 - 1) / n1 ** 2
                                      + se2 ** 4 * (n2 - 1) / n2 ** 2) - 2)
    p_k = 2 * scipy.stats.t.cdf(-np.abs(t_k), n1 + n2 - 2)
    p_n = 2 * scipy.stats.t.cdf(-np.abs(t_n), df_n)
    p_perm = np.mean(perm_diff >= np.abs(d), axis=0) + np.mean(perm_diff <= -np.abs(d), axis=0)
    p_mga = np.array([r["pls_mga_p"] for r in out_rows])
    p_mga2 = 2 * np.minimum(p_mga, 1 - p_mga)
    for i, r in enumerate(out_rows):
        r.update({"t_param": t_k[i], "df_param": n1 + n2 - 2, "p_param": p_k[i],
                  "t_welch": t_n[i], "df_welch": df_n[i], "p_welch": p_n[i],
                  "p_perm": p_perm[i], "p_mga_2sided": p_mga2[i]})
        for key, adj in (("p_param", _holm(p_k)), ("p_welch", _holm(p_n)),
                         ("p_perm", _holm(p_perm)), ("p_mga", _holm(p_mga2))):
            r[key + "_holm"] = adj[i]
    return {"constructs": blocks, "paths": [list(e) for e in edges], "n1": n1, "n2": n2,
            "n_perm": NPERM, "perm_seed": seeds[0] + seeds[1],
            "nboot": NBOOT, "index_seeds": list(seeds),
            "index_sums": [int(idx1.sum()), int(idx2.sum())], "boots": boots,
            "rows": out_rows}


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment (R ``p.adjust(method = "holm")``)."""
    m = len(p)
    order = np.argsort(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def _permutations(seed: int, n: int, n_perm: int) -> np.ndarray:
    rng = np.random.Generator(np.random.PCG64(seed))
    return np.stack([rng.permutation(n) for _ in range(n_perm)])


def _micom(frame: pd.DataFrame, blocks: dict[str, list[str]], edges: list[tuple[str, str]],
           labels: np.ndarray, seed: int, n_perm: int) -> dict:
    """MICOM steps 2 and 3 as cSEM's testMICOM defines them, with seminr's PLS."""
    items = [i for b in blocks.values() for i in b]
    values = frame[items].to_numpy(dtype=float)
    mm = constructs(*[composite(c, b) for c, b in blocks.items()])
    sm = relationships(*[paths(from_=a, to=b) for a, b in edges])
    names = list(blocks)
    groups = sorted(set(labels.tolist()))
    pairs = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1:]]
    x = (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)

    def weights(rows: np.ndarray) -> np.ndarray:
        fit = estimate_pls(Dataset(tuple(items), values[rows]), mm, sm)
        w = fit.outer_weights
        return np.array([[w.get(i, c) for c in names] for i in items])

    def c_stats(lab: np.ndarray) -> dict:
        h = {g: x @ weights(lab == g) for g in groups}
        return {(a, b): np.array([np.corrcoef(h[a][:, j], h[b][:, j])[0, 1]
                                  for j in range(len(names))]) for a, b in pairs}

    pooled = estimate_pls(Dataset(tuple(items), values), mm, sm)
    scores = pooled.construct_scores.values

    def mv_stats(lab: np.ndarray) -> dict:
        out = {}
        for a, b in pairs:
            sa, sb = scores[lab == a], scores[lab == b]
            out[(a, b)] = (sa.mean(axis=0) - sb.mean(axis=0),
                           np.log(sa.var(axis=0, ddof=1)) - np.log(sb.var(axis=0, ddof=1)))
        return out

    perms = _permutations(seed, len(labels), n_perm)
    c_obs, mv_obs = c_stats(labels), mv_stats(labels)
    c_ref = [c_stats(labels[perm]) for perm in perms]
    mv_ref = [mv_stats(labels[perm]) for perm in perms]
    result = {}
    for pair in pairs:
        cr = np.array([r[pair] for r in c_ref])
        mr = np.array([r[pair][0] for r in mv_ref])
        vr = np.array([r[pair][1] for r in mv_ref])
        m_obs, v_obs = mv_obs[pair]
        result["|".join(pair)] = {
            "c": c_obs[pair].tolist(),
            "c_q05": np.quantile(cr, 0.05, axis=0).tolist(),
            "c_p": (cr <= c_obs[pair]).mean(axis=0).tolist(),
            "mean_diff": m_obs.tolist(),
            "mean_q025": np.quantile(mr, 0.025, axis=0).tolist(),
            "mean_q975": np.quantile(mr, 0.975, axis=0).tolist(),
            "mean_p": ((mr > np.abs(m_obs)).mean(axis=0)
                       + (mr < -np.abs(m_obs)).mean(axis=0)).tolist(),
            "logvar_diff": v_obs.tolist(),
            "logvar_q025": np.quantile(vr, 0.025, axis=0).tolist(),
            "logvar_q975": np.quantile(vr, 0.975, axis=0).tolist(),
            "logvar_p": ((vr > np.abs(v_obs)).mean(axis=0)
                         + (vr < -np.abs(v_obs)).mean(axis=0)).tolist()}
    for key in ("c_p", "mean_p", "logvar_p"):
        table = np.array([result["|".join(pair)][key] for pair in pairs])
        adjusted = np.apply_along_axis(_holm, 0, table)
        for i, pair in enumerate(pairs):
            result["|".join(pair)][key + "_holm"] = adjusted[i].tolist()
    return {"constructs": blocks, "paths": [list(e) for e in edges],
            "labels": labels.tolist(), "groups": groups, "n_perm": n_perm,
            "perm_seed": seed, "perm_sum_first_row_weighted": int(
                (perms[0] * np.arange(len(labels))).sum()),
            "constructs_order": names, "pairs": result}


def micom_main() -> None:
    mobi = pd.read_csv(HERE / "mobi.csv")
    two = np.where(mobi["CUEX1"] < 8, "low", "high")
    three = np.repeat(np.array(["a", "b", "c"]), [83, 83, 84])
    items = pd.read_csv(ROOT / "tests" / "data" / "cx_journey_items.csv")
    channel = pd.read_excel(ROOT / "sample_surveys" / "cx_journey.xlsx",
                            sheet_name="Responses")["Channel"].astype(str).to_numpy()
    out = {"generator": f"seminr (Python) 0.2.1 PLS, MICOM steps per cSEM testMICOM; "
                        f"numpy {np.__version__}, Python {platform.python_version()}",
           "datasets": {
               "mobi_ecsi_cuex1": _micom(mobi, ECSI, ECSI_PATHS, two, 11, 300),
               "mobi_ecsi_thirds": _micom(mobi, ECSI, ECSI_PATHS, three, 12, 200),
               "cx_journey_channel": _micom(items, CX, CX_PATHS, channel, 13, 300)}}
    (HERE / "micom_reference.json").write_text(json.dumps(out, indent=1) + "\n")


def main() -> None:
    mobi = pd.read_csv(HERE / "mobi.csv")
    ecsi = _run(mobi, ECSI, ECSI_PATHS, (mobi["CUEX1"] < 8).to_numpy(), (101, 202))
    ecsi["description"] = ("mobi.csv (250 rows), ECSI model of ecsi_mobi_seminr_reference."
                           "json, all Mode A, path scheme; seminr's documentation split")
    ecsi["group1"] = "CUEX1 < 8"

    items = pd.read_csv(ROOT / "tests" / "data" / "cx_journey_items.csv")
    channel = pd.read_excel(ROOT / "sample_surveys" / "cx_journey.xlsx",
                            sheet_name="Responses")["Channel"].astype(str)
    cx = _run(items, CX, CX_PATHS, (channel == "App").to_numpy(), (303, 404))
    cx["description"] = ("tests/data/cx_journey_items.csv (157 rows, 33 items) with the "
                         "Channel column of sample_surveys/cx_journey.xlsx (sheet "
                         "Responses, same row order); model of sample_surveys/cx_journey.toml")
    cx["group1"] = "Channel == 'App'"
    cx["group_labels"] = channel.tolist()

    version = getattr(seminr, "__version__", "0.2.1")
    out = {"generator": f"seminr (Python) {version}, numpy {np.__version__}, "
                        f"Python {platform.python_version()}",
           "datasets": {"mobi_ecsi_cuex1": ecsi, "cx_journey_channel": cx}}
    (HERE / "mga_seminr_reference.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    import sys

    part = sys.argv[1] if len(sys.argv) > 1 else "all"
    if part in ("mga", "all"):
        main()
    if part in ("micom", "all"):
        micom_main()
