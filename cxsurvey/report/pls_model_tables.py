"""Display tables of the PLS model extensions: moderation (interaction terms and simple
slopes, :class:`~cxsurvey.stats.pls.moderation.ModerationBootstrap`) and higher-order
constructs (:class:`~cxsurvey.stats.pls.higher_order.HigherOrderBootstrap`).

The tables compute no statistic: their cells are those of the run's results. The flags
are the run's verdicts: a p-value not below the run's significance level
(:meth:`~cxsurvey.gates.verdicts.Verdicts.significant`), a HOC's loading, VIF, alpha,
rho_C or AVE that breaks a rule of the run's rule set
(:func:`~cxsurvey.report.table_model.judged`). The effect size f2 of an interaction is
read against Kenny's benchmarks in a note; no rule judges it, so it is never flagged.

References
----------
Henseler, J., & Chin, W. W. (2010). A comparison of approaches for the analysis of
interaction effects between latent variables using partial least squares path modeling.
*Structural Equation Modeling*, 17(1), 82-109.
Becker, J.-M., Ringle, C. M., & Sarstedt, M. (2018). Estimating moderating effects in
PLS-SEM and PLSc-SEM: Interaction term generation * data treatment. *Journal of Applied
Structural Equation Modeling*, 2(2), 1-21.
Aiken, L. S., & West, S. G. (1991). *Multiple regression: Testing and interpreting
interactions*. Sage.
Cohen, J. (1988). *Statistical power analysis for the behavioral sciences* (2nd ed.).
Erlbaum.
Kenny, D. A. (2018). Moderator variables: Introduction. davidakenny.net/cm/moderation.htm
(f2 of .005, .01 and .025 as small, medium and large interaction effects).
Sarstedt, M., Hair, J. F., Cheah, J.-H., Becker, J.-M., & Ringle, C. M. (2019). How to
specify, estimate, and validate higher-order constructs in PLS-SEM. *Australasian
Marketing Journal*, 27(3), 197-211.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.slope_chart import level_label
from cxsurvey.report.table_model import Column, Table, cells, judged
from cxsurvey.results import Results

__all__ = ["HOC_METHODS", "MODERATION_METHODS", "F2_NOTE", "higher_order_tables",
           "moderation_tables", "pls_model_tables"]

MODERATION_METHODS = {"two_stage": "two-stage", "product_indicator": "product indicator"}
"""Title labels of the moderation approaches."""

HOC_METHODS = {"repeated_indicators": "repeated indicators",
               "embedded_two_stage": "embedded two-stage",
               "disjoint_two_stage": "disjoint two-stage"}
"""Title labels of the higher-order approaches."""

F2_NOTE = ("f2 = (R2 included - R2 excluded) / (1 - R2 included), the outcome's R2 with "
           "and without the interaction term (Cohen 1988); for interaction terms .005 is "
           "small, .01 medium and .025 large (Kenny 2018). Not judged "
           "by a rule: a reading, not a flag.")
"""The f2 reading of the moderation table."""

_BOOT_NOTE = ("Bootstrap: {used} of {requested} resamples (seed {seed}), every product (and "
              "stage 1 of the two-stage approach) rebuilt per resample; percentile CIs.")


def _p_flags(frame: pd.DataFrame, v: Verdicts) -> frozenset[tuple[int, str]]:
    """The p-value cells not below the run's significance level."""
    return frozenset((i, "pvalue") for i, x in cells(frame, "pvalue")
                     if pd.notna(x) and not v.significant(x))


def _boot_note(info: Mapping[str, Any] | None) -> tuple[str, ...]:
    if not info:
        return ()
    return (_BOOT_NOTE.format(used=info.get("used", "?"), requested=info.get("requested", "?"),
                              seed=info.get("seed", "?")),)


def _with_r2(mod: Any) -> pd.DataFrame:
    """The bootstrapped interaction rows with the outcome's R2 with and without the term
    (from the full-sample estimation) where the bootstrap table lacks them."""
    frame = mod.interactions.reset_index(drop=True).copy()
    missing = [c for c in ("r2_included", "r2_excluded") if c not in frame.columns]
    if missing:
        full = mod.moderation.interactions.set_index(["term", "outcome"])
        for c in missing:
            frame[c] = [float(full[c].get((t, o), float("nan")))
                        for t, o in zip(frame["term"], frame["outcome"], strict=True)]
    return frame


def moderation_tables(mod: Any, v: Verdicts,
                      bootstrap: Mapping[str, Any] | None = None) -> list[Table]:
    """The interaction terms and the simple slopes of a moderated PLS model.

    Parameters
    ----------
    mod : ModerationBootstrap
        :func:`cxsurvey.stats.pls.moderation.bootstrap_moderation`'s result.
    v : Verdicts
        The run's verdicts (significance level of the p-values).
    bootstrap : dict, optional
        The PLS paths' bootstrap bookkeeping (``used``, ``requested``, ``seed``).

    Returns
    -------
    list of Table
        ``pls_moderation`` (one row per interaction term: path on the product scale and
        standardised, bootstrap SE, t, p, 95% CI, f2, R2 with and without) and
        ``pls_simple_slopes`` (one row per term and moderator level: the moderator's value
        in SD units, the slope of the iv on the outcome with its bootstrap SE, t, p, CI).
        p-values not below the run's significance level are flagged.

    References
    ----------
    Henseler, J., & Chin, W. W. (2010). *Structural Equation Modeling*, 17(1), 82-109.
    Aiken, L. S., & West, S. G. (1991). *Multiple regression*. Sage.
    Cohen, J. (1988). *Statistical power analysis for the behavioral sciences*. Erlbaum.
    """
    method = str(mod.moderation.method)
    label = MODERATION_METHODS.get(method, method)
    frame = _with_r2(mod)
    frame["supported"] = ["yes" if v.significant(x) else "no" for x in frame["pvalue"]]
    how = ("the product of the standardised construct scores of stage 1 (two-stage "
           "approach)" if method == "two_stage" else
           "a Mode A block of the pairwise products of the standardised indicators "
           "(product-indicator approach)")
    boot = _boot_note(bootstrap)
    out = [Table(
        "pls_moderation", f"Moderation (PLS, {label})", frame,
        (Column("outcome", "Outcome", "text"), Column("term", "Interaction", "text"),
         Column("est", "Path (product scale)"), Column("est_std", "Path (std.)"),
         Column("scale", "Scale s", console=False),
         Column("boot_mean", "Mean (boot)", console=False),
         Column("se", "SD (boot)"), Column("t", "T", "num", 2), Column("pvalue", "p", "p"),
         Column("ci_lower", "95% CI low"), Column("ci_upper", "95% CI high"),
         Column("f2", "f2", "num", 4), Column("r2_included", "R2 with"),
         Column("r2_excluded", "R2 without"),
         Column("supported", "Supported", "text")),
        _p_flags(frame, v),
        (f"Interaction term X:M: {how}. Path (product scale): the path divided by the "
         "product's scale s, as seminr reports it (Henseler & Chin 2010); Path (std.): the "
         "path of the standardised interaction construct, as SmartPLS reports it. SD, T, "
         "p and CI are of the product-scale path.",
         f"Supported: p < {v.significance:g} (two-tailed); * = not significant.",
         F2_NOTE, *boot))]
    slopes = mod.slopes.reset_index(drop=True).copy()
    slopes["level_text"] = [level_label(x) for x in slopes["level"]]
    out.append(Table(
        "pls_simple_slopes", "Simple slopes (PLS)", slopes,
        (Column("outcome", "Outcome", "text"), Column("iv", "X", "text"),
         Column("moderator", "Moderator", "text"), Column("level_text", "Level", "text"),
         Column("moderator_value", "Moderator value (SD)", "num", 0),
         Column("slope", "Slope of X"),
         Column("boot_mean", "Mean (boot)", console=False),
         Column("se", "SD (boot)"), Column("t", "T", "num", 2), Column("pvalue", "p", "p"),
         Column("ci_lower", "95% CI low"), Column("ci_upper", "95% CI high"),
         Column("y_at_iv_low", "Y at X = -1", console=False),
         Column("y_at_iv_high", "Y at X = +1", console=False)),
        _p_flags(slopes, v),
        ("Slope of X on the outcome with the moderator held at -1 SD, its mean and +1 SD: "
         "b_X + b_XM m, b_XM the product-scale interaction path (Aiken & West 1991; "
         "seminr's slope_analysis); scores standardised. Y at X = -1 / +1: the predicted "
         "standardised outcome the slope plot joins.",
         f"* = p >= {v.significance:g} (two-tailed): the slope is not significant at that "
         "level of the moderator.", *boot)))
    return out


def higher_order_tables(hoc: Any, v: Verdicts) -> list[Table]:
    """The measurement and reliability of the higher-order constructs.

    Parameters
    ----------
    hoc : HigherOrderBootstrap
        :func:`cxsurvey.stats.pls.higher_order.bootstrap_higher_order`'s result.
    v : Verdicts
        The run's verdicts.

    Returns
    -------
    list of Table
        ``pls_hoc_measurement`` (HOC, mode, LOC, loading, weight, VIF; loadings of Mode A
        HOCs judged by the loading rule, VIFs of Mode B HOCs by the VIF rule) and
        ``pls_hoc_reliability`` (alpha, rho_C, AVE, judged for Mode A HOCs).

    References
    ----------
    Sarstedt, M., et al. (2019). *Australasian Marketing Journal*, 27(3), 197-211.
    """
    fit = hoc.higher_order
    method = str(fit.method)
    label = HOC_METHODS.get(method, method)
    meas = fit.hoc_measurement.reset_index(drop=True)
    mode_a = [str(m) == "A" for m in meas["mode"]]
    flags = judged(meas, v, ("loading", "loading"), rows=mode_a) | judged(
        meas, v, ("vif", "vif"), rows=[not a for a in mode_a])
    how = {"repeated_indicators": "the HOC measured by every item of its LOCs (repeated "
                                  "indicators); loadings and weights from the construct "
                                  "scores",
           "embedded_two_stage": "stage 1 the repeated-indicators model; stage 2 measures "
                                 "the HOC by the stage-1 LOC scores",
           "disjoint_two_stage": "stage 1 the LOCs in the HOC's place; stage 2 measures the "
                                 "HOC by the stage-1 LOC scores"}.get(method, method)
    out = [Table(
        "pls_hoc_measurement", f"Higher-order constructs (PLS, {label})", meas,
        (Column("hoc", "HOC", "text"), Column("mode", "Mode", "text"),
         Column("loc", "LOC", "text"), Column("loading", "Loading"),
         Column("weight", "Weight"), Column("vif", "VIF", "num", 2)),
        frozenset(flags),
        (f"Approach: {how} (Sarstedt et al. 2019). Loading: correlation of the HOC and "
         "LOC scores; weight: the LOC's outer weight; VIF: collinearity of the LOC scores.",
         v.note(("loading", "vif")) + " Loadings judged for Mode A (reflective) HOCs, VIFs "
         "for Mode B (formative) ones."))]
    rel = fit.hoc_reliability.reset_index(drop=True)
    rel_a = [str(m) == "A" for m in rel["mode"]]
    rflags = judged(rel, v, ("alpha", "alpha"), ("rho_c", "rho_c"), ("ave", "ave"),
                    rows=rel_a)
    out.append(Table(
        "pls_hoc_reliability", f"Higher-order construct reliability (PLS, {label})", rel,
        (Column("hoc", "HOC", "text"), Column("mode", "Mode", "text"),
         Column("n_locs", "LOCs", "int"), Column("alpha", "Alpha"),
         Column("rho_c", "CR (rho_c)"), Column("ave", "AVE")),
        frozenset(rflags),
        (v.note(("alpha", "rho_c", "ave")) + " Judged for Mode A (reflective) HOCs only.",
         "Alpha from the correlations of the LOC scores; CR and AVE from the HOC's "
         "loadings on its LOCs (Sarstedt et al. 2019).")))
    return out


def pls_model_tables(res: Results) -> list[Table]:
    """The moderation and higher-order tables of a PLS run, when the model has them."""
    p = res.pls
    if p is None:
        return []
    out: list[Table] = []
    if getattr(p, "moderation", None) is not None:
        boot = next((q.bootstrap for q in res.paths if q.method == "pls"), None)
        out.extend(moderation_tables(p.moderation, res.verdicts, boot))
    if getattr(p, "higher_order", None) is not None:
        out.extend(higher_order_tables(p.higher_order, res.verdicts))
    return out
