"""The JSON document of a run, with stable section keys that scripts rely on.

Numbers are JSON numbers, ``null`` where undefined (NaN), never strings. Keys follow
lavaan/seminr vocabulary in snake_case. The document holds no time stamp, so the same
input and options give byte-identical output.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from cxsurvey.report.group_json import group_sections
from cxsurvey.report.json_values import clean as _clean
from cxsurvey.report.json_values import records
from cxsurvey.report.pls_json import pls_guideline_sections
from cxsurvey.report.tables_models import modindices_of
from cxsurvey.results import Results

if TYPE_CHECKING:
    from cxsurvey.gates.results import ChecksResult
    from cxsurvey.stats.cb.results import CfaResult
    from cxsurvey.stats.items.results import NormalityResult, ReliabilityResult
    from cxsurvey.stats.items.screen import ScreenResult
    from cxsurvey.stats.missing import MissingData
    from cxsurvey.stats.ordinal import PolychoricResult
    from cxsurvey.stats.paths import PathsResult
    from cxsurvey.stats.pls.results import PlsResult



_META_KEYS = ("file", "sha256", "sheet", "n_rows", "n_used", "missing_policy", "items",
              "constructs", "questions", "scale", "scale_source", "scales", "model",
              "model_inferred", "recoded", "read", "version", "estimator", "ordered", "group",
              "seed", "options", "excluded", "dependencies")


_WHEN_SET = ("scales", "questions", "ordered", "group")
"""Meta keys written only when the run set them (``scales``: the items' scales differ;
``questions``: the export's question texts, where they differ from the item names;
``ordered``: WLSMV's ordinal items, when ``--ordered`` lists some of the model's items and
the others are continuous indicators; ``group``: ``--group``'s column and smallest group)."""


def to_document(res: Results) -> dict[str, Any]:
    """The run as one JSON-ready dict (section keys present when that analysis ran)."""
    doc: dict[str, Any] = {"meta": _clean({k: res.meta.get(k) for k in _META_KEYS
                                           if k in res.meta or k not in _WHEN_SET})}
    if res.descriptives is not None:
        doc["descriptives"] = records(res.descriptives.items)
        doc["straightliners"] = records(res.descriptives.straightliners)
    if res.metrics is not None:
        doc["metrics"] = records(res.metrics.table)
    if res.data_quality is not None:
        doc["data_quality"] = _data_quality(res.data_quality)
    if res.missing_data is not None:
        doc["missing_data"] = _missing_data(res.missing_data)
    if res.normality is not None:
        doc.update(_normality(res.normality))
    if res.reliability is not None:
        doc.update(_reliability(res.reliability))
    if res.cfa is not None:
        doc["cfa"] = _cfa(res.cfa)
        doc["validity"] = _validity(res.cfa)
    if res.pls is not None:
        doc["pls"] = _pls(res.pls)
        if "validity" not in doc:
            doc["validity"] = _validity(res.pls)
    if res.paths:
        doc.update(_structural(res.paths))
    mi = modindices_of(res)
    if mi is not None:
        doc["modification_indices"] = records(mi[1], ["lhs", "op", "rhs", "mi", "epc",
                                                      "sepc_all"])
    if res.collinearity is not None:
        doc["collinearity"] = records(res.collinearity)
    if res.polychoric is not None:
        doc["polychoric"] = _polychoric(res.polychoric, res.meta.get("missing_policy"))
    doc.update(pls_guideline_sections(res))
    doc.update(group_sections(res))
    if res.checks is not None:
        doc.update(_checks(res.checks))
    doc["warnings"] = list(res.warnings)
    doc["summary"] = list(res.summary)
    return doc


def _data_quality(dq: ScreenResult) -> dict[str, Any]:
    """``data_quality``: the rules, counts per rule, the long-string distribution and the
    flagged respondents."""
    return {"rules": dict(dq.rules), "counts": _clean(dict(dq.counts)),
            "longest_run": _clean(dict(dq.longest_run)), "excluded": dq.excluded,
            "flagged": records(dq.flagged.astype(object).where(dq.flagged.notna(), None))}


def _missing_data(md: MissingData) -> dict[str, Any]:
    """``missing_data``: counts, the coverage matrix (lavaan's ``coverage``, rows and
    columns in ``items`` order) and the patterns, most frequent first."""
    return _clean({"items": list(md.items), "n_rows": md.n_rows, "n_used": md.n_used,
                   "n_complete": md.n_complete, "n_patterns": md.n_patterns,
                   "min_coverage": md.min_coverage,
                   "coverage": md.coverage.to_numpy(dtype=float).tolist(),
                   "patterns": records(md.patterns)})


def _polychoric(pc: PolychoricResult, policy: str | None) -> dict[str, Any]:
    """``polychoric``: the contract's ``items``, ``matrix`` (full, rows and columns in
    ``items`` order) and ``thresholds`` (item -> list) first, then the rows of each pair
    (``n``), how missing answers were handled, whether the matrix was smoothed, the
    observed categories, the pairs with empty cells and the warnings."""
    items = [str(i) for i in pc.items]
    return _clean({
        "items": items,
        "matrix": pc.matrix.to_numpy(dtype=float).tolist(),
        "thresholds": {i: np.asarray(pc.thresholds[i], dtype=float).tolist() for i in items},
        "n": pc.n.to_numpy().astype(int).tolist(),
        "missing": "pairwise" if policy == "pairwise" else "listwise",
        "smoothed": bool(pc.smoothed),
        "categories": {i: list(pc.categories.get(i, ())) for i in items},
        "zero_cell_pairs": [list(p) for p in pc.zero_cell_pairs],
        "warnings": list(pc.warnings),
    })


def _normality(nr: NormalityResult) -> dict[str, Any]:
    """``normality`` per item and construct, ``multivariate_normality``, the conclusion."""
    return {
        "normality": records(nr.items, ["item", "construct", "n", "ks_statistic", "ks_df",
                                        "ks_pvalue", "sw_statistic", "sw_df", "sw_pvalue"]),
        "normality_constructs": records(nr.constructs),
        "multivariate_normality": records(nr.multivariate),
        "normality_conclusion": nr.conclusion,
    }


def _reliability(rel: ReliabilityResult) -> dict[str, Any]:
    """``reliability`` per construct and ``item_stats`` per item."""
    return {
        "reliability": records(rel.constructs, ["construct", "n_items", "n", "alpha",
                                                "alpha_ci_lower", "alpha_ci_upper",
                                                "std_alpha", "omega", "rho_a", "rho_c",
                                                "ave", "alpha_ordinal"]),
        "item_stats": records(rel.items, ["construct", "item", "n", "mean", "sd",
                                          "item_total_r", "alpha_if_deleted", "loading"]),
    }


def _cfa(cfa: CfaResult) -> dict[str, Any]:
    """The ``cfa`` section: fit (the commonly reported measures first), loadings and the rest."""
    fit_keys = ("n", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
                "rmsea_ci_upper", "srmr", "aic", "bic")
    fit = {k: cfa.fit.get(k) for k in fit_keys}
    fit.update({k: v for k, v in cfa.fit.items() if k not in fit})
    extra = {} if cfa.intercepts is None else {"intercepts": records(cfa.intercepts)}
    if cfa.thresholds is not None:
        extra["thresholds"] = records(cfa.thresholds, ["item", "threshold", "est", "se"])
    return _clean({
        "fit": fit,
        "loadings": records(cfa.loadings, ["construct", "item", "est", "se", "z",
                                           "pvalue", "ci_lower", "ci_upper", "std_all"]),
        "bootstrap": cfa.bootstrap,
        "factor_correlations": records(cfa.factor_correlations),
        "residual_variances": records(cfa.residual_variances),
        "residual_covariances": records(cfa.residual_covariances,
                                        ["lhs", "rhs", "est", "se", "z", "pvalue",
                                         "ci_lower", "ci_upper", "std_all"]),
        "reliability": records(cfa.reliability),
        "loading_threshold": cfa.loading_threshold,
        "weak_items": list(cfa.weak_items),
        "dropped": list(cfa.dropped),
        "warnings": list(cfa.warnings),
        **extra,
    })


def _validity(result: CfaResult | PlsResult) -> dict[str, Any]:
    """The ``validity`` section: HTMT and Fornell-Larcker pairs of one estimation."""
    return {"htmt": records(result.htmt, ["a", "b", "value"]),
            "fornell_larcker": records(result.fornell_larcker, ["a", "b", "value"])}


def _pls(pls: PlsResult) -> dict[str, Any]:
    """The ``pls`` section: outer model, reliability, validity, f2, VIF and run info."""
    return _clean({
        "outer": records(pls.outer), "reliability": records(pls.reliability),
        "htmt": records(pls.htmt, ["a", "b", "value"]),
        "fornell_larcker": records(pls.fornell_larcker, ["a", "b", "value"]),
        "f2": records(pls.f2), "vif": records(pls.vif), "info": pls.info,
        "cross_loadings": records(pls.cross_loadings),
        "htmt_inference": records(pls.htmt_inference),
        **({} if pls.moderation is None else {"moderation": {
            "interactions": records(pls.moderation.interactions),
            "slopes": records(pls.moderation.slopes),
            "method": pls.moderation.moderation.method}}),
        **({} if pls.higher_order is None else {"higher_order": {
            "method": pls.higher_order.higher_order.method,
            "measurement": records(pls.higher_order.higher_order.hoc_measurement),
            "reliability": records(pls.higher_order.higher_order.hoc_reliability)}}),
        "warnings": list(pls.warnings)})


def _structural(paths: tuple[PathsResult, ...]) -> dict[str, Any]:
    """``paths``, ``r2``, ``effects`` and ``structural`` of every estimation, in order."""
    cols = ["from", "to", "est", "std_all", "se", "t", "pvalue", "ci_lower", "ci_upper",
            "method"]
    return {
        "paths": [r for p in paths for r in records(p.paths, cols)],
        "r2": [dict(r, method=p.method) for p in paths
               for r in records(p.r2, ["construct", "r2", "r2_adj"])],
        "effects": [dict(r, method=p.method) for p in paths for r in records(p.effects)],
        "structural": [_clean({"method": p.method, "se_method": p.se_method,
                               "bootstrap": p.bootstrap, "fit": p.fit,
                               **({} if p.residual_covariances is None else
                                  {"residual_covariances": records(p.residual_covariances)}),
                               "warnings": list(p.warnings)}) for p in paths],
    }


def _checks(ch: ChecksResult) -> dict[str, Any]:
    """``checks`` (one record per check), ``checks_skipped`` and ``checks_summary``."""
    frame = ch.checks.astype(object).where(ch.checks.notna(), None)
    return {
        "checks": records(frame, ["name", "construct", "value", "threshold", "passed",
                                  "direction", "item", "other", "source", "statistic",
                                  "citation", "message"]),
        "checks_skipped": records(ch.skipped),
        "checks_summary": {"rule_set": ch.rule_set, "total": len(ch.checks),
                           "failed": len(ch.failed), "passed": bool(ch.ok)},
    }


def render_json(res: Results) -> str:
    return json.dumps(to_document(res), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
