"""Display tables of the PLS guideline analyses (:class:`~cxsurvey.stats.pls.guidelines.
PlsGuidelines`): PLSpredict with its verdict and CVPAT, the model fit (SRMR, d_ULS, d_G with
their bootstrap quantiles), the importance-performance map, and the marks that say which
PLS tables carry consistent PLS (PLSc) values.

Every verdict comes from :mod:`cxsurvey.gates`: the predictive power from
:func:`~cxsurvey.gates.predictive.predictive_power`, the exact-fit reading from
:func:`~cxsurvey.gates.pls_guidelines.exact_fit`, the IPMA's priorities from
:func:`~cxsurvey.gates.pls_guidelines.ipma_priorities`, cut-offs from the run's rule set.

References
----------
Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: guidelines for using
PLSpredict. *European Journal of Marketing*, 53(11), 2322-2347.
Liengaard, B. D., et al. (2021). Prediction: coveted, yet forsaken? Introducing a
cross-validated predictive ability test in partial least squares path modeling.
*Decision Sciences*, 52(2), 362-392.
Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path modeling.
*MIS Quarterly*, 39(2), 297-316; and Consistent and asymptotically normal PLS estimators
for linear structural equations. *Computational Statistics & Data Analysis*, 81, 10-23.
Henseler, J., et al. (2014). Common beliefs and reality about PLS. *Organizational
Research Methods*, 17(2), 182-209.
Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
importance-performance map analysis. *Industrial Management & Data Systems*, 116(9),
1865-1886.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from cxsurvey.gates.pls_guidelines import exact_fit, ipma_priorities
from cxsurvey.gates.predictive import predictive_power
from cxsurvey.gates.rules import RULE_KEYS, Rule
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.table_model import Column, Table
from cxsurvey.results import Results

__all__ = ["PLSC_MARKED", "PLSC_NOTE", "cvpat_table", "ipma_tables", "mark_consistent",
           "model_fit_table", "pls_guideline_tables", "pls_fit_rules", "predict_tables"]

PLSC_NOTE = "PLSc (Dijkstra & Henseler 2015)"
"""What the tables that carry consistent PLS values say."""

PLSC_MARKED: dict[str, str] = {
    "pls_outer": "Loadings of the reflective (mode A) constructs and their bootstrap "
                 "statistics are PLSc; the weights are PLS's.",
    "pls_reliability": "CR (rho_c) and AVE are PLSc's (from the consistent loadings); "
                       "alpha and rho_A are PLS's (rho_A is PLSc's reliability "
                       "correction).",
    "paths_pls": "Path coefficients, their bootstrap statistics and CIs are PLSc's.",
    "r2_pls": "R2 from the PLSc path coefficients.",
    "effects_pls": "Total effects are PLSc's with their bootstrap statistics; specific "
                   "indirect effects are not bootstrapped under PLSc and are left out.",
}
"""The tables whose values consistent PLS replaces, and what in them is PLSc."""

_TECHNIQUE = {"direct": "direct antecedents", "earliest": "earliest antecedents"}
_LM_PREDICTORS = {
    "direct": "the items of the construct's direct antecedents",
    "earliest": "the items of the exogenous constructs",
}
_MODEL_LABEL = {"saturated": "Saturated", "estimated": "Estimated"}
_PLS_NOT_PLSC = ("Estimated by PLS (composites), not PLSc, as SmartPLS and seminr do.",)
_RULE_NOTE = (
    "Rule (Shmueli et al. 2019; Hair et al. 2022, ch. 6), on each construct's indicators: "
    "none = Q2_predict <= 0 for every indicator or PLS above LM on all of them (the model "
    "lacks predictive power); low = PLS above LM on the majority; medium = on a minority "
    "or half; high = on none.")


def _yes_no(value: object) -> str:
    return "yes" if bool(value) else "no"


def _metric_note(run: Any) -> str:
    n = len(run.items)
    why = (f"{run.n_skewed} of {n} indicators' PLS prediction errors have |skewness| > "
           f"{run.skew_threshold:g}")
    if run.metric == "mae":
        return (f"Metric: MAE, because {why} (more than half): Shmueli et al. (2019) "
                "prefer MAE when the prediction errors are highly non-symmetric.")
    return (f"Metric: RMSE ({why}; MAE when more than half are, as Shmueli et al. 2019 "
            "advise for highly non-symmetric prediction errors).")


def _cv_text(run: Any) -> str:
    return (f"{run.folds} folds x {run.repetitions} repetitions (seed {run.seed}), "
            f"{run.n} respondents")


def predict_tables(run: Any, v: Verdicts, consistent: bool = False) -> list[Table]:
    """PLSpredict of one technique: the indicator table, the per-construct verdict table
    and CVPAT.

    Parameters
    ----------
    run : PlsPredictResult
        :func:`cxsurvey.stats.pls.predict.pls_predict`'s result.
    v : Verdicts
        The run's verdicts (significance of CVPAT's test).
    consistent : bool
        The run's PLS tables carry PLSc values (PLSpredict predicts with PLS).

    Returns
    -------
    list of Table
        ``pls_predict_<technique>`` (one row per endogenous indicator: errors of PLS and
        LM, Q2_predict, PLS < LM; the metric not compared is shown in the files only),
        ``pls_predict_verdict_<technique>`` (one row per endogenous construct and one for
        all of them, with :func:`~cxsurvey.gates.predictive.predictive_power`'s verdict)
        and ``pls_cvpat_<technique>``.

    References
    ----------
    Shmueli, G., et al. (2019). *European Journal of Marketing*, 53(11), 2322-2347.
    """
    tech = str(run.technique)
    label = _TECHNIQUE.get(tech, tech)
    metric = str(run.metric)
    items = run.items.reset_index(drop=True).copy()
    items["pls_lower_text"] = [_yes_no(x) for x in items["pls_lower"]]
    flags = {(i, "q2_predict") for i, q in enumerate(items["q2_predict"])
             if pd.notna(q) and not float(q) > 0}
    flags |= {(i, "pls_lower_text") for i, x in enumerate(items["pls_lower"]) if not bool(x)}
    up = metric.upper()
    cols = (Column("construct", "Construct", "text"), Column("item", "Item", "text"),
            *(Column(f"{m}_{s}", f"{m.upper()} {s.upper()}", console=m == metric)
              for m in ("rmse", "mae") for s in ("pls", "lm")),
            Column("q2_predict", "Q2_predict"),
            Column("pls_lower_text", f"PLS < LM ({up})", "text"),
            Column("skew_pls", "Skew (PLS errors)", "num", 2, console=False),
            Column("skew_lm", "Skew (LM errors)", "num", 2, console=False))
    lm = _LM_PREDICTORS.get(tech, "the antecedent items") if run.lm_predictors == \
        "technique" else _LM_PREDICTORS["earliest"]
    out = [Table(
        f"pls_predict_{tech}", f"PLSpredict ({label})", items, cols, frozenset(flags),
        (f"Out-of-sample prediction errors in answer units, {_cv_text(run)}; LM: linear "
         f"regression of each indicator on {lm}, trained on the same folds. Q2_predict = "
         "1 - SSE(PLS) / SSE(training mean). * = Q2_predict <= 0 (no better than the "
         f"training mean) or PLS not below LM on {up}.",
         _metric_note(run), *(_PLS_NOT_PLSC if consistent else ())))]
    rows = []
    by = run.constructs.set_index("construct")
    for con, counts in run.construct_counts.items():
        rows.append({"construct": con,
                     "q2_predict": float(by["q2_predict"].get(con, float("nan"))),
                     "rmse": float(by["rmse"].get(con, float("nan"))),
                     "mae": float(by["mae"].get(con, float("nan"))),
                     "n_indicators": counts.n_indicators, "n_pls_lower": counts.n_pls_lower,
                     "n_pls_higher": counts.n_pls_higher,
                     "n_q2_positive": counts.n_q2_positive,
                     "power": predictive_power(counts) if counts.n_indicators else ""})
    c = run.counts
    if c.n_indicators and len(run.construct_counts) > 1:
        rows.append({"construct": "All endogenous indicators", "q2_predict": float("nan"),
                     "rmse": float("nan"), "mae": float("nan"),
                     "n_indicators": c.n_indicators, "n_pls_lower": c.n_pls_lower,
                     "n_pls_higher": c.n_pls_higher, "n_q2_positive": c.n_q2_positive,
                     "power": predictive_power(c)})
    frame = pd.DataFrame(rows, columns=["construct", "q2_predict", "rmse", "mae",
                                        "n_indicators", "n_pls_lower", "n_pls_higher",
                                        "n_q2_positive", "power"])
    out.append(Table(
        f"pls_predict_verdict_{tech}", f"PLSpredict verdict ({label})", frame,
        (Column("construct", "Construct", "text"),
         Column("q2_predict", "Q2_predict (score)"),
         Column("rmse", "RMSE (score)", console=False),
         Column("mae", "MAE (score)", console=False),
         Column("n_indicators", "Indicators", "int"),
         Column("n_pls_lower", f"PLS < LM ({up})", "int"),
         Column("n_pls_higher", f"PLS > LM ({up})", "int"),
         Column("n_q2_positive", "Q2_predict > 0", "int"),
         Column("power", "Predictive power", "text")),
        frozenset((i, "power") for i, p in enumerate(frame["power"]) if p == "none"),
        (_RULE_NOTE + " * = the construct's indicators lack predictive power.",
         _metric_note(run),
         "Q2_predict (score), RMSE and MAE (score): of the construct score predicted out "
         f"of sample (standardised units; {_cv_text(run)}); the counts are of the "
         "construct's indicators, ties not counted as PLS > LM.")))
    if len(run.cvpat):
        out.append(cvpat_table(run, v))
    return out


def cvpat_table(run: Any, v: Verdicts) -> Table:
    """CVPAT of one PLSpredict run: PLS's average loss against LM and the indicator
    averages (IA), per endogenous construct and overall; p-values not below the run's
    significance level are flagged (PLS not shown to predict better).

    References
    ----------
    Liengaard, B. D., et al. (2021). *Decision Sciences*, 52(2), 362-392.
    Sharma, P. N., et al. (2023). *European Journal of Marketing*, 57(6), 1662-1677.
    """
    tech = str(run.technique)
    frame = run.cvpat.reset_index(drop=True)
    flags = {(i, "pvalue") for i, p in enumerate(frame["pvalue"])
             if pd.notna(p) and not v.significant(p)}
    boot = int(run.cvpat_boot)
    side = ("one-sided (H1: PLS has the smaller loss)" if run.cvpat_alternative == "greater"
            else "two-sided")
    return Table(
        f"pls_cvpat_{tech}", f"CVPAT ({_TECHNIQUE.get(tech, tech)})", frame,
        (Column("benchmark", "Benchmark", "text"), Column("construct", "Construct", "text"),
         Column("loss_pls", "Loss PLS"), Column("loss_benchmark", "Loss benchmark"),
         Column("diff", "Difference"), Column("t", "T", "num", 2),
         Column("pvalue", "p", "p"),
         Column("t_boot", "T (boot SE)", "num", 2, console=False),
         Column("pvalue_boot", "p (boot SE)", "p", console=False)),
        frozenset(flags),
        (f"Cross-validated predictive ability test (Liengaard et al. 2021): average "
         f"squared out-of-sample error of PLS against LM and the indicator averages (IA); "
         f"difference = loss benchmark - loss PLS (positive: PLS predicts better); paired "
         f"t-test, {side}, df n - 1. * = p >= {v.significance:g}: PLS not shown to predict "
         "better than the benchmark."
         + (f" Boot SE: the difference over its bootstrap SE ({boot} resamples; Sharma "
            "et al. 2023)." if boot else ""),))


def pls_fit_rules(v: Verdicts, statistic: str = "srmr") -> tuple[Rule, ...]:
    """The rules of the run's rule set that judge ``statistic`` of a PLS model (a rule key
    whose analysis is ``pls``); the CFA's SRMR rule does not judge a PLS model."""
    return tuple(r for r in v.rules_for(statistic)
                 if "pls" in RULE_KEYS[r.key].needs.split("|"))


def model_fit_table(fit: Any, v: Verdicts) -> Table:
    """SRMR, d_ULS and d_G of the saturated and the estimated model with their
    Bollen-Stine bootstrap mean, HI95 and HI99, in SmartPLS's layout, and the exact-fit
    reading of :func:`~cxsurvey.gates.pls_guidelines.exact_fit`.

    SRMR cells are flagged only by a PLS fit rule of the rule set (:func:`pls_fit_rules`).

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). *Computational Statistics & Data Analysis*,
    81, 10-23. Henseler, J., et al. (2014). *Organizational Research Methods*, 17(2),
    182-209.
    """
    frame = exact_fit(fit.table).reset_index(drop=True)
    frame.insert(0, "model_label", [_MODEL_LABEL.get(str(m), str(m)) for m in frame["model"]])

    def reading(b95: object, b99: object) -> str:
        if b95 is None or b99 is None:
            return ""
        if b95:
            return "not rejected"
        return "rejected at 5%, not at 1%" if b99 else "rejected at 1%"

    frame["exact_fit"] = [reading(a, b) for a, b in zip(frame["below_hi95"],
                                                          frame["below_hi99"], strict=True)]
    rules = pls_fit_rules(v)
    flags = {(i, "value") for i, (m, x) in enumerate(zip(frame["measure"], frame["value"],
                                                         strict=True))
             if str(m) == "SRMR" and pd.notna(x)
             and any(not r.threshold.passes(float(x)) for r in rules)}
    kind = ("Common-factor model (PLSc): the reflective constructs are common factors "
            "(Dijkstra & Henseler 2015)" if fit.kind == "common_factor" else
            "Composite model (PLS): every construct is a weighted composite of its items")
    used = "; ".join(f"{fit.n_used.get(m, 0)} of {fit.n_boot} usable for the {m} model"
                     for m in ("saturated", "estimated"))
    judged = ("* = criterion not met: " + "; ".join(r.threshold.text for r in rules) + "."
              if rules else
              f"Not judged by the {v.rules.name} rules (no rule for the fit of a PLS "
              "model): the cut-offs above are readings, not flags.")
    return Table(
        "pls_model_fit", "Model fit (PLS)", frame,
        (Column("model_label", "Model", "text"), Column("measure", "Measure", "text"),
         Column("value", "Original sample"), Column("boot_mean", "Sample mean (boot)"),
         Column("hi95", "95% (HI95)"), Column("hi99", "99% (HI99)"),
         Column("exact_fit", "Exact fit", "text")),
        frozenset(flags),
        (f"{kind}. Saturated: the constructs freely correlated; estimated: the structural "
         "model's paths.",
         f"Bollen-Stine bootstrap (the data transformed to fit the model-implied "
         f"correlations): {fit.n_boot} resamples (seed {fit.seed}), {used}; HI95 and HI99 "
         "are the 95% and 99% quantiles of the resampled discrepancies.",
         "Reading: a discrepancy below its HI95 (HI99) means the model is not rejected at "
         "the 5% (1%) level (exact fit, Dijkstra & Henseler 2015); SRMR < .08 is read as "
         "good approximate fit (Henseler et al. 2014).",
         judged))


def ipma_tables(m: Any, consistent: bool = False) -> list[Table]:
    """The importance-performance map of a target: the constructs (importance,
    performance, standardised total effect, priority from
    :func:`~cxsurvey.gates.pls_guidelines.ipma_priorities`) and the indicators.

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). *Industrial Management & Data Systems*, 116(9),
    1865-1886.
    """
    cons = m.constructs.reset_index(drop=True).copy()
    first = ipma_priorities(cons)
    cons["priority"] = ["yes" if str(c) in first else "" for c in cons["construct"]]
    note = (f"Target {m.target}: performance {m.target_performance:.1f} of 100. "
            f"Importance: the unstandardised total effect on {m.target} of the 0-100 "
            "rescaled scores (how many points the target's performance gains when the "
            "construct's performance rises by one point); performance: the mean rescaled "
            "score (0 = every answer at the scale's lowest, 100 = at its highest).")
    reading = ("Reading: high importance with low performance marks a priority; priority "
               "= importance above and performance below the map's averages (Ringle & "
               "Sarstedt 2016).")
    out = [Table(
        "ipma", f"Importance-performance map (target {m.target})", cons,
        (Column("construct", "Construct", "text"), Column("importance", "Importance"),
         Column("performance", "Performance", "num", 1),
         Column("total_effect", "Total effect (std.)"),
         Column("priority", "Priority", "text")),
        frozenset(), (note, reading, *(_PLS_NOT_PLSC if consistent else ())))]
    ind = m.indicators.reset_index(drop=True)
    if len(ind):
        out.append(Table(
            "ipma_indicators", f"IPMA indicators ({m.target})", ind,
            (Column("construct", "Construct", "text"), Column("item", "Item", "text"),
             Column("scale_min", "Scale min", "num", 0, console=False),
             Column("scale_max", "Scale max", "num", 0, console=False),
             Column("mean", "Mean", "num", 2), Column("weight", "Weight"),
             Column("weight_rescaled", "Rescaled weight"),
             Column("importance", "Importance", "num", 4),
             Column("performance", "Performance", "num", 1)),
            frozenset(),
            ("Rescaled weight: the unstandardised outer weight on the 0-100 scale, "
             "normalised to sum 1 per construct; an item's importance is its construct's "
             "importance times this weight; performance: the item's mean on 0-100 "
             "(Ringle & Sarstedt 2016).",)))
    return out


def pls_guideline_tables(res: Results) -> list[Table]:
    """PLSpredict (direct, then earliest antecedents), the PLS model fit and the IPMA of
    a run, when they ran."""
    guide = res.pls.guidelines if res.pls is not None else None
    if guide is None:
        return []
    v = res.verdicts
    consistent = bool(res.pls.info.get("consistent")) if res.pls is not None else False
    out: list[Table] = []
    for run in guide.predict:
        out.extend(predict_tables(run, v, consistent))
    if guide.model_fit is not None:
        out.append(model_fit_table(guide.model_fit, v))
    if guide.ipma is not None and len(guide.ipma.constructs):
        out.extend(ipma_tables(guide.ipma, consistent))
    return out


def _plsc_title(title: str) -> str:
    """``Structural paths (PLS-SEM)`` -> ``Structural paths (PLSc)``; other titles gain
    `` (PLSc)``."""
    for suffix in (" (PLS)", " (PLS-SEM)"):
        if title.endswith(suffix):
            return title[: -len(suffix)] + " (PLSc)"
    return f"{title} (PLSc)"


def mark_consistent(tables: list[Table], res: Results) -> list[Table]:
    """``tables`` with the PLS tables that carry consistent PLS values
    (:data:`PLSC_MARKED`) titled "(PLSc)" (in place of "(PLS)" or "(PLS-SEM)") and
    noted :data:`PLSC_NOTE`; unchanged unless the run's PLS is consistent
    (``res.pls.info["consistent"]``).

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). *MIS Quarterly*, 39(2), 297-316.
    """
    if res.pls is None or not res.pls.info.get("consistent"):
        return tables
    out = []
    for t in tables:
        what = PLSC_MARKED.get(t.key)
        if what is None:
            out.append(t)
            continue
        out.append(dataclasses.replace(
            t, title=_plsc_title(t.title),
            notes=(f"Consistent PLS: {PLSC_NOTE}. {what}", *t.notes)))
    return out
