"""JSON sections of the PLS guidelines: ``pls_predict``, ``pls_fit`` and ``ipma``."""

from __future__ import annotations

from typing import Any

from cxsurvey.gates.predictive import predictive_power
from cxsurvey.report.json_values import clean, records
from cxsurvey.results import Results

__all__ = ["pls_guideline_sections"]


def _predict(run: Any) -> dict[str, Any]:
    constructs = records(run.constructs)
    for row in constructs:
        counts = run.construct_counts.get(row["construct"])
        row["predictive_power"] = (predictive_power(counts)
                                   if counts is not None and counts.n_indicators else None)
    return clean({
        "technique": run.technique, "folds": run.folds, "repetitions": run.repetitions,
        "seed": run.seed, "metric": run.metric, "lm_predictors": run.lm_predictors,
        "n": run.n, "n_skewed": run.n_skewed,
        "predictive_power": predictive_power(run.counts) if run.counts.n_indicators else None,
        "items": records(run.items), "constructs": constructs, "cvpat": records(run.cvpat),
        "warnings": list(run.warnings)})


def _fit(fit: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": fit.kind}
    for model in ("saturated", "estimated"):
        rows = fit.table[fit.table["model"] == model]
        block: dict[str, Any] = {}
        for r in rows.itertuples(index=False):
            key = str(r.measure).lower()
            block[key] = r.value
            block[f"{key}_hi95"] = r.hi95
            block[f"{key}_hi99"] = r.hi99
        out[model] = block
    out.update(table=records(fit.table), n_boot=fit.n_boot, n_used=dict(fit.n_used),
               seed=fit.seed, warnings=list(fit.warnings))
    return clean(out)


def _ipma(m: Any) -> dict[str, Any]:
    return clean({"target": m.target, "target_performance": m.target_performance,
                  "constructs": records(m.constructs), "indicators": records(m.indicators),
                  "target_indicators": records(m.target_indicators),
                  "warnings": list(m.warnings)})


def pls_guideline_sections(res: Results) -> dict[str, Any]:
    """``pls_predict`` (one entry per technique), ``pls_fit`` and ``ipma``, when run."""
    guide = res.pls.guidelines if res.pls is not None else None
    if guide is None:
        return {}
    out: dict[str, Any] = {}
    if guide.predict:
        out["pls_predict"] = [_predict(run) for run in guide.predict]
    if guide.model_fit is not None:
        out["pls_fit"] = _fit(guide.model_fit)
    if guide.ipma is not None:
        out["ipma"] = _ipma(guide.ipma)
    return out
